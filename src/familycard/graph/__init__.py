"""The family graph and everything that runs on it, bottom-up (a package imports only those above
it in this list; tests/test_layout.py holds every module to it):

    model           the graph's tables: persons, addresses, facts, links, and the flow's records
    store/          the store interface, its two engines (LadybugDB, Neo4j) and their dialect
    rules/          the rule engine and one folder per benefit or notification
    sms/, bank/     what an SMS says and where it goes; what the bank receives
    ingest          registry feeds into the graph;  visibility: what a saved query may read
    flow/           offers, SMS out and in, consent, assignments, payment orders, the audit trail
    sweep/          each day: every rule run, the rights found offered
    cards/          one read of a family card, for the CLI and the API
    saved_queries   auditors' stored Cypher, run read-only (its changes go to the audit trail)
"""
