"""What each store declares its engine can do for a card's read (``Store.card_in_one_statement``,
``Store.link_type_function``), on both engines: declared by each, and true of the engine."""
from __future__ import annotations

import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.store import dialect
from feedmaker import lines, link, person

# A card's parts as COLLECT subqueries, as ``people.card`` writes them in one statement.
_COLLECT = ("MATCH (p:Person) RETURN p.iin AS iin, "
            "COLLECT { MATCH (p)-[:PARENT_OF]->(q:Person) RETURN q.iin AS kin } AS kin")


def test_each_engine_declares_whether_a_card_is_read_in_one_statement_and_its_cypher_agrees(store, today):
    declared = type(store).card_in_one_statement
    assert declared is {"neo4j": True, "ladybug": False}[store.engine]
    m, c = person("1985-03-04", "F"), person("2015-01-01", "M")
    ingest_lines(store, lines(m, c, link("PARENT_OF", m, c)), "feed", today)
    if declared:
        assert {r["iin"]: r["kin"] for r in store.read(_COLLECT)} == {m["iin"]: [c["iin"]], c["iin"]: []}
    else:  # LadybugDB 0.22: no COLLECT subquery; if it comes, the one statement may be worth measuring
        with pytest.raises(RuntimeError, match="Parser exception"):
            store.read(_COLLECT)


def test_each_engine_declares_the_function_that_names_a_links_type(store, today):
    declared = type(store).link_type_function
    assert declared == {"neo4j": "type", "ladybug": "label"}[store.engine]
    m, c = person("1985-03-04", "F"), person("2015-01-01", "M")
    ingest_lines(store, lines(m, c, link("PARENT_OF", m, c), link("GUARDIAN_OF", m, c)), "feed", today)
    rows = store.read(f"MATCH (:Person)-[l]->(:Person) RETURN {dialect.rel_type(declared, 'l')} AS t ORDER BY t")
    assert [r["t"] for r in rows] == ["GUARDIAN_OF", "PARENT_OF"]
