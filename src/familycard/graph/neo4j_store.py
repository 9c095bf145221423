"""Neo4j 5 over Bolt: production. The only module that imports the driver."""
from __future__ import annotations

from typing import Callable, TypeVar

import neo4j
from neo4j import GraphDatabase, RoutingControl

from familycard.graph import dialect, model
from familycard.graph.store import Params, Row, Store, StoreUnavailable

T = TypeVar("T")

# Bolt batches: large enough to amortise the round trip, small enough for the server's heap.
CHUNK = 10_000


class _Neo4jTx:
    def __init__(self, tx: "neo4j.ManagedTransaction"):
        self._tx = tx

    def run(self, query: str, params: Params = None) -> list[Row]:
        result = self._tx.run(query, dict(params) if params else None)
        return [{k: dialect.to_python(v) for k, v in rec.items()} for rec in result]

    def _chunks(self, query: str, rows: list[Row]) -> None:
        for i in range(0, len(rows), CHUNK):
            self._tx.run(query, {"rows": rows[i:i + CHUNK]}).consume()

    def insert(self, table: str, rows: list[Row]) -> None:
        if rows:
            t = model.TABLES[table]
            self._chunks(dialect.neo4j_upsert(t), dialect.neo4j_rows(t, rows))

    # MERGE … SET n = r replaces a record whole whether or not it exists: one statement for both.
    update = insert

    def delete_rels(self, table: str, from_keys: list[str]) -> None:
        if from_keys:
            self._chunks(dialect.delete_rels_statement(model.TABLES[table], unwind=True),
                         [{"from": k} for k in from_keys])

    def delete_nodes(self, table: str, keys: list[str]) -> None:
        if keys:
            self._chunks(dialect.delete_nodes_statement(model.TABLES[table], unwind=True), keys)


class Neo4jStore(Store):
    engine = "neo4j"
    # Neo4j keeps a transaction's state on the heap; 10 k records beat 50 k (43 s vs 63 s
    # for 240 k records here).
    ingest_batch = 10_000

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str = "neo4j"):
        auth = (user, password) if user and password else None
        # One long-lived driver for the life of the process (it pools connections).
        # Notifications off: a lookup of a property no node has yet (a fresh graph) is not a
        # mistake, and the server skips the work of reporting it.
        self._driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
        self.database = database
        self.uri = uri

    def setup_schema(self) -> None:
        try:
            self._driver.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError, ValueError) as e:
            raise StoreUnavailable(f"Neo4j at {self.uri} ({self.database}): {e}") from e
        for stmt in dialect.neo4j_schema():
            self._driver.execute_query(stmt, database_=self.database)
        existing, _, _ = self._driver.execute_query(
            "SHOW INDEXES YIELD name, owningConstraint WHERE owningConstraint IS NULL RETURN name",
            database_=self.database)
        for stmt in dialect.neo4j_stale_indexes(r["name"] for r in existing):
            self._driver.execute_query(stmt, database_=self.database)
        # New indexes populate in the background: online before anything relies on them.
        self._driver.execute_query("CALL db.awaitIndexes(600)", database_=self.database)

    def after_load(self) -> None:
        # Index statistics sampled while a graph was empty say "0 rows", and the planner then
        # scans a whole index per row (seen: the birth rule at 60+ s instead of 0.1 s on
        # 3 000 people right after a load). Resample, wait, and drop the plans made on them.
        self._driver.execute_query("CALL db.prepareForReplanning(600)", database_=self.database)

    def read(self, query: str, params: Params = None) -> list[Row]:
        records, _, _ = self._driver.execute_query(
            query, dict(params) if params else None, database_=self.database, routing_=RoutingControl.READ)
        return [{k: dialect.to_python(v) for k, v in rec.items()} for rec in records]

    def write(self, query: str, params: Params = None) -> list[Row]:
        records, _, _ = self._driver.execute_query(
            query, dict(params) if params else None, database_=self.database, routing_=RoutingControl.WRITE)
        return [{k: dialect.to_python(v) for k, v in rec.items()} for rec in records]

    def transaction(self, fn: Callable[[_Neo4jTx], T]) -> T:
        # execute_write retries on transient errors (deadlocks, leader switches): fn is idempotent.
        with self._driver.session(database=self.database) as session:
            return session.execute_write(lambda tx: fn(_Neo4jTx(tx)))

    def close(self) -> None:
        self._driver.close()
