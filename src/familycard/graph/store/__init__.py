"""The store: the family graph and the flow's records in LadybugDB (embedded) or Neo4j 5.

``open_store`` opens the one the settings name. Everything above this package talks to a
``Store`` and never to an engine: the engines' differences live in ``dialect`` and in the two
implementations (``ladybug``, ``neo4j``), each declaring what it can do.
"""
from familycard.graph.store.base import (
    MAX_RESULT_BYTES,
    Conflict,
    OutOfMemory,
    Params,
    QueryBusy,
    QueryRefused,
    QueryTimeout,
    ResultBudget,
    Row,
    Store,
    StoreBusy,
    StoreUnavailable,
    Tx,
)
from familycard.graph.store.factory import open_store
from familycard.graph.store.read_only import (
    MANY_REFUSED,
    READ_PROCEDURES,
    WRITE_REFUSED,
    check_read_query,
    cypher_tokens,
    scrub_engine_message,
)

__all__ = [
    "MANY_REFUSED", "MAX_RESULT_BYTES", "READ_PROCEDURES", "WRITE_REFUSED",
    "Conflict", "OutOfMemory", "Params", "QueryBusy", "QueryRefused", "QueryTimeout", "ResultBudget", "Row", "Store",
    "StoreBusy", "StoreUnavailable", "Tx",
    "check_read_query", "cypher_tokens", "open_store", "scrub_engine_message",
]
