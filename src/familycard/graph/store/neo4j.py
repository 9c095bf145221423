"""Neo4j 5 over Bolt: production. The only module that imports the driver."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, RoutingControl

from familycard.graph import model
from familycard.graph.store import dialect
from familycard.graph.store.base import (
    MAX_RESULT_BYTES,
    Conflict,
    Params,
    QueryRefused,
    QueryTimeout,
    ResultBudget,
    Row,
    Store,
    StoreUnavailable,
)
from familycard.graph.store.read_only import MANY_REFUSED, WRITE_REFUSED, check_read_query, scrub_engine_message

T = TypeVar("T")

# Bolt batches: large enough to amortise the round trip, small enough for the server's heap.
CHUNK = 10_000


class _Neo4jTx:
    def __init__(self, tx: neo4j.ManagedTransaction):
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


def _plain(value):
    """A value of a user's query as plain Python: nodes and relationships become dicts of
    their properties with ``_LABEL`` (as LadybugDB returns them), paths their parts."""
    if isinstance(value, neo4j.graph.Node):
        return {"_LABEL": ":".join(sorted(value.labels)), **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"_LABEL": value.type, **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        return {"_NODES": [_plain(n) for n in value.nodes], "_RELS": [_plain(r) for r in value.relationships]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return dialect.to_python(value)


def _refusal(e: neo4j.exceptions.Neo4jError, timeout_s: float) -> QueryRefused | None:
    """The server's refusal as what a user of ``read_only`` is told; None if not the query's fault."""
    code = e.code or ""
    first = (e.message or "").strip().splitlines()[0] if (e.message or "").strip() else code
    if "TransactionTimedOut" in code:  # …TimedOut (server limit), …TimedOutClientConfiguration (ours)
        return QueryTimeout(f"the query ran past {timeout_s:g} s", timeout_s)
    if code == "Neo.ClientError.Statement.AccessMode":
        return QueryRefused(WRITE_REFUSED)
    if code == "Neo.ClientError.Statement.SyntaxError" and "exactly one statement" in first:
        return QueryRefused(MANY_REFUSED)
    if code.startswith("Neo.ClientError."):
        return QueryRefused(f"the query failed: {scrub_engine_message(first)}")
    return None


class Neo4jStore(Store):
    engine = "neo4j"
    # Neo4j keeps a transaction's state on the heap; 10 k records beat 50 k (43 s vs 63 s
    # for 240 k records here).
    ingest_batch = 10_000
    # A statement costs a Bolt round trip and 1-2 ms of server CPU: 1.1 a card (BENCHMARKS.md).
    card_in_one_statement = True
    link_type_function = "type"
    # Each scope key joined to the first MATCH is an index seek (rules.run.scoped).
    scoped_rule_form = "join"

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str = "neo4j"):
        auth = (user, password) if user and password else None
        # One long-lived driver for the life of the process (it pools connections).
        # Notifications off: a lookup of a property no node has yet (a fresh graph) is not a
        # mistake, and the server skips the work of reporting it.
        self._driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
        self._auth = auth
        # The async driver of the event loop that uses this store (the API's): a driver's
        # connections belong to the loop they were opened in.
        self._async: tuple[asyncio.AbstractEventLoop, neo4j.AsyncDriver] | None = None
        self.database = database
        self.uri = uri

    def setup_schema(self) -> None:
        try:
            self._driver.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError, ValueError) as e:
            raise StoreUnavailable(f"Neo4j at {self.uri} ({self.database}): {e}", where=self.uri) from e
        for stmt in dialect.neo4j_schema():
            self._driver.execute_query(stmt, database_=self.database)
        existing, _, _ = self._driver.execute_query(
            "SHOW INDEXES YIELD name, owningConstraint WHERE owningConstraint IS NULL RETURN name",
            database_=self.database)
        for stmt in dialect.neo4j_stale_indexes(r["name"] for r in existing):
            self._driver.execute_query(stmt, database_=self.database)
        # A store from before owner links: link the flow nodes it holds to their persons
        # (relationship types show once one is in use; the statement skips linked nodes).
        in_use, _, _ = self._driver.execute_query("CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t",
                                                  database_=self.database)
        for table in model.OWNER_TABLES:
            if table.name not in {r["t"] for r in in_use}:
                self._driver.execute_query(dialect.owner_backfill_statement(model.TABLES[table.to_label], table),
                                           database_=self.database)
        # New indexes populate in the background: online before anything relies on them.
        self._driver.execute_query("CALL db.awaitIndexes(600)", database_=self.database)

    #: Below this many nodes any plan is quick; a load of less than 1/REPLAN_SHARE of the
    #: graph leaves its statistics about right (Neo4j resamples an index by itself once 5 %
    #: of it changed).
    REPLAN_FLOOR, REPLAN_SHARE = 10_000, 10

    def after_load(self, stored: int) -> None:
        # Index statistics sampled while a graph was empty say "0 rows", and the planner then
        # scans a whole index per row (seen: the birth rule at 60+ s instead of 0.1 s on
        # 3 000 people right after a load). Resample, wait, and drop the plans made on them,
        # after a load that is a good part of the graph. Not after every small one: dropping
        # every plan made the next queries plan again (a rule 15 -> 187 ms, and the resampling
        # 0.4 s, for a feed of ten records).
        nodes = self.read("MATCH (n) RETURN count(n) AS n")[0]["n"]  # from the count store
        if nodes >= self.REPLAN_FLOOR and stored * self.REPLAN_SHARE >= nodes:
            self._driver.execute_query("CALL db.prepareForReplanning(600)", database_=self.database)

    def read(self, query: str, params: Params = None) -> list[Row]:
        records, _, _ = self._driver.execute_query(
            query, dict(params) if params else None, database_=self.database, routing_=RoutingControl.READ)
        return [{k: dialect.to_python(v) for k, v in rec.items()} for rec in records]

    def write(self, query: str, params: Params = None) -> list[Row]:
        records, _, _ = self._driver.execute_query(
            query, dict(params) if params else None, database_=self.database, routing_=RoutingControl.WRITE)
        return [{k: dialect.to_python(v) for k, v in rec.items()} for rec in records]

    def read_keyed(self, query: str, keys: Sequence[Any]) -> list[Row]:
        return self.read(dialect.unwind_keys(query), {"keys": list(keys)}) if keys else []

    def _async_driver(self) -> neo4j.AsyncDriver:
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            self._async = (loop, neo4j.AsyncGraphDatabase.driver(self.uri, auth=self._auth,
                                                                 notifications_min_severity="OFF"))
        return self._async[1]

    async def _aquery(self, query: str, params: Params, mode: str) -> list[Row]:
        # One statement in an auto-commit transaction: RUN and PULL go in one round trip, where
        # a managed transaction (execute_query) adds BEGIN and COMMIT. Measured here: a read
        # 1.4 ms against 2.8 ms, and half the server's CPU. No bookmarks: the API reads what
        # is committed, and waits for no one else's writes.
        async with self._async_driver().session(database=self.database, default_access_mode=mode,
                                                bookmark_manager=None) as session:
            result = await session.run(query, dict(params) if params else None)
            return [{k: dialect.to_python(v) for k, v in rec.items()} async for rec in result]

    # The async driver in the loop itself (see Store.aread): no worker thread to wait for the GIL.
    async def aread(self, query: str, params: Params = None) -> list[Row]:
        try:
            return await self._aquery(query, params, neo4j.READ_ACCESS)
        except (neo4j.exceptions.TransientError, neo4j.exceptions.SessionExpired,
                neo4j.exceptions.ServiceUnavailable):
            return await self._aquery(query, params, neo4j.READ_ACCESS)  # a read can be asked again, once

    async def aread_keyed(self, query: str, keys: Sequence[Any]) -> list[Row]:
        return await self.aread(dialect.unwind_keys(query), {"keys": list(keys)}) if keys else []

    async def awrite(self, query: str, params: Params = None) -> list[Row]:
        # Not retried: it may have been committed before the error (the caller is told).
        return await self._aquery(query, params, neo4j.WRITE_ACCESS)

    async def aclose(self) -> None:
        if self._async is not None:
            loop, driver = self._async
            self._async = None
            if loop is asyncio.get_running_loop():
                await driver.close()

    def read_only(self, query: str, params: Params, *, timeout_s: float, max_rows: int,
                  max_bytes: int = MAX_RESULT_BYTES) -> tuple[list[str], list[Row], bool]:
        """A READ transaction with a server-side timeout; see ``Store.read_only``.

        Measured on Neo4j 5.26: in a read-access session a write fails with
        Neo.ClientError.Statement.AccessMode (CREATE, SET, DELETE, MERGE, REMOVE, DDL,
        db.createLabel, CALL {…} IN TRANSACTIONS, CREATE DATABASE); two statements fail with
        a SyntaxError ("Expected exactly one statement per query"); the timeout ends the
        transaction with Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration,
        noticed by the server's transaction monitor (db.transaction.monitor.check.interval,
        2 s by default: a 0.3 s limit stopped a query after 1.1-1.8 s). Driver 6 takes the
        timeout through ``unit_of_work`` (a ``Query`` object is for ``session.run`` only).
        """
        check_read_query(query)
        limit = max_rows + 1

        def work(tx: neo4j.ManagedTransaction):
            result = tx.run(query, dict(params) if params else None)
            rows, budget = [], ResultBudget(max_bytes)
            for rec in result:  # records come in pages of fetch_size: stop after max_rows + 1
                if len(rows) == max_rows:
                    rows.append(None)  # there is more; not converted
                    break
                rows.append(budget.take({k: _plain(v) for k, v in rec.items()}))
            return list(result.keys()), rows  # the rest is discarded on the server

        try:
            with self._query_slot(), self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                                          fetch_size=min(limit, 1000)) as session:
                cols, rows = session.execute_read(neo4j.unit_of_work(timeout=timeout_s)(work))
        except neo4j.exceptions.Neo4jError as e:
            refusal = _refusal(e, timeout_s)
            if refusal is None:
                raise
            raise refusal from None
        return cols, rows[:max_rows], len(rows) > max_rows

    def transaction(self, fn: Callable[[_Neo4jTx], T]) -> T:
        # execute_write retries on transient errors (deadlocks, leader switches): fn is idempotent.
        def once() -> T:
            try:
                with self._driver.session(database=self.database) as session:
                    return session.execute_write(lambda tx: fn(_Neo4jTx(tx)))
            except neo4j.exceptions.ConstraintError as e:  # another run created the same key first
                raise Conflict((e.message or str(e)).strip().splitlines()[0]) from None

        return self._again_on_conflict(once)

    def close(self) -> None:
        self._async = None  # its loop, if still running, closes it through aclose
        self._driver.close()
