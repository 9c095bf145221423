"""The store interface: what the rest of familycard may ask of a graph engine.

Nothing here knows an engine, and the store never knows a benefit (``factory.open_store``
picks the implementation from the settings).
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

T = TypeVar("T")
Row = dict[str, Any]
Params = Mapping[str, Any] | None


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or opened; the message says which and why. ``where``: the
    store (its folder or URI); ``holder``: for ``StoreBusy``, who holds it, where known (the
    pid, host and command its owner file or lease names)."""

    def __init__(self, message: str, *, where: str | Path | None = None, holder: dict | None = None):
        super().__init__(message)
        self.where = where
        self.holder = holder


class StoreBusy(StoreUnavailable):
    """Another run holds the store (LadybugDB's folder) or the job (a lease); the message is one
    line naming it. The CLI exits with code 3."""

    #: Whether waiting for the holder helps (not when it is a server, which runs until stopped).
    waiting_helps: bool = True


class Conflict(RuntimeError):
    """A write met a key another transaction had just written (Neo4j's uniqueness constraint,
    LadybugDB's primary key): after ``Store.CONFLICT_RETRIES`` runs of the transaction."""


class OutOfMemory(RuntimeError):
    """A query that needed more of the engine's memory than it has (LadybugDB: "the buffer pool is
    full"): the same work in smaller parts, or a larger pool (FAMILYCARD_LADYBUG_BUFFER_POOL),
    helps. The engine's message is kept."""


class QueryRefused(ValueError):
    """A query run read-only (``Store.read_only``) that was not run or that the engine
    refused: a write, a second statement, a syntax error, an unknown procedure... The message
    says what, in a sentence a user can act on (never a stack trace). ``value``: what in the
    query is at fault (a word, a procedure, a character), or the limit it passed (seconds,
    slots), where there is one; never from the engine's message, which may quote data."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


class QueryTimeout(QueryRefused):
    """A read-only query that ran past its time limit (and was stopped by the engine)."""


_GATES = threading.Lock()


class QueryBusy(QueryRefused):
    """Every slot for users' read-only queries is taken: try again in a moment."""


#: A user's query result, in bytes as JSON (about): `RETURN range(1, 3000000)` is one row of 26 MB.
MAX_RESULT_BYTES = 4_000_000


class ResultBudget:
    """Counts the size of a result's rows as they are converted (about their JSON size) and
    refuses the row that passes ``max_bytes``, naming it and its column: the row cap alone let
    one row of 26 MB through (`RETURN range(1, 3000000) AS x`, +490 MB in the server on its way
    out). The engine has built that row by then; what is bounded is everything after."""

    def __init__(self, max_bytes: int):
        self.left = max_bytes
        self.max_bytes = max_bytes
        self.rows = 0

    def take(self, row: Row) -> Row:
        self.rows += 1
        for col, value in row.items():
            self.left -= len(col) + 4
            if not self._fits(value):
                raise QueryRefused(f"the result is larger than {self.max_bytes:,} bytes at row {self.rows} "
                                   f"(column '{col}'): return fewer rows or smaller values", self.max_bytes)
        return row

    def _fits(self, value: Any) -> bool:
        # Iterative, leaving as soon as the budget is spent: a list of millions stops early.
        stack = [value]
        while stack:
            v = stack.pop()
            if isinstance(v, str):
                self.left -= len(v) + 2
            elif isinstance(v, (list, tuple)):
                self.left -= len(v) + 2
                stack.extend(v)
            elif isinstance(v, dict):
                self.left -= len(v) * 4 + 2
                for k, x in v.items():
                    self.left -= len(str(k))
                    stack.append(x)
            else:
                self.left -= 8
            if self.left < 0:
                return False
        return True


class Tx(Protocol):
    """One unit of work: everything done through it lands together or not at all."""

    def run(self, query: str, params: Params = None) -> list[Row]: ...

    def insert(self, table: str, rows: list[Row]) -> None:
        """Add nodes (or links: rows with ``from`` and ``to`` keys) known not to exist yet."""

    def update(self, table: str, rows: list[Row]) -> None:
        """Replace every property of existing nodes (or links) with those of ``rows``."""

    def delete_rels(self, table: str, from_keys: list[str]) -> None:
        """Delete the links of ``table`` going out of these nodes."""

    def delete_nodes(self, table: str, keys: list[str]) -> None: ...


class Store(ABC):
    engine: ClassVar[str]
    # Records an ingest transaction: what suits the engine (measured in BENCHMARKS.md).
    ingest_batch: ClassVar[int] = 10_000
    #: Users' read-only queries (saved queries) that run at once; the next is refused with
    #: QueryBusy rather than queued (queued ones ran after their caller had given up). One:
    #: a saved query can keep a core busy for its whole time limit (measured on 2 cores: with
    #: two running on Neo4j a key lookup took 1 s, with one it does not wait).
    query_slots: ClassVar[int] = 1
    # What the engine can do, declared by each store (SQLAlchemy's ``supports_*``), so that no
    # caller branches on its name. Whether a family card (its person and every part asked for)
    # is best read in one statement with COLLECT subqueries, rather than a key lookup a part:
    card_in_one_statement: ClassVar[bool]
    #: The function that names a link's type in a query (``dialect.rel_type``).
    link_type_function: ClassVar[str]
    #: How a rule runs from a list of first nodes only (the incremental sweep; ``rules.run.scoped``):
    #: ``join`` (each key joined to the first MATCH: an index seek a key on Neo4j), ``lookup``
    #: (the first node found by key, every later pattern matched from the nodes found) or
    #: ``table`` (the keys written into the store, ``scope_set``, and the rule started from them).
    scoped_rule_form: ClassVar[str]
    #: Whether the store can hold a scope for the ``table`` form (``scope_set``, ``clear_scope``).
    holds_scope: ClassVar[bool] = False
    _query_gate: threading.BoundedSemaphore | None = None

    # A transaction that met another run's new node (``Conflict``) is run again: it is
    # idempotent, so its reads now find that node and it writes the rest ("someone else did
    # it"). ``conflicts`` counts those reruns, for the job's report.
    CONFLICT_RETRIES: ClassVar[int] = 5
    conflicts: int = 0

    @abstractmethod
    def setup_schema(self) -> None:
        """Declare tables (LadybugDB) or constraints and indexes (Neo4j); idempotent."""

    @abstractmethod
    def read(self, query: str, params: Params = None) -> list[Row]:
        """Run a read-only query; rows as dicts of plain Python values."""

    @abstractmethod
    def write(self, query: str, params: Params = None) -> list[Row]: ...

    @abstractmethod
    def read_keyed(self, query: str, keys: Sequence[Any]) -> list[Row]:
        """Run a read written for one key (``$key``) for each of ``keys``, as one call; the
        rows of all keys together (the query returns its key to tell them apart).

        What each engine serves fastest: Neo4j one statement over the list (one round trip);
        LadybugDB one key lookup after another in the process, because it plans
        ``UNWIND $keys … MATCH (x {key: k})-[…]->(…)`` as a hash join over the whole table.
        """

    @abstractmethod
    def read_only(self, query: str, params: Params, *, timeout_s: float, max_rows: int,
                  max_bytes: int = MAX_RESULT_BYTES) -> tuple[list[str], list[Row], bool]:
        """Run a query that is not ours (an auditor's saved query) so that it cannot write.

        The engine enforces it: a read-only transaction (LadybugDB) or read access mode
        (Neo4j), one statement only, stopped after ``timeout_s`` seconds (``QueryTimeout``).
        ``check_read_query`` refuses first what the engines would let through (a file read,
        a procedure that changes the server, a setting). Returns the column names, at most
        ``max_rows`` rows (plain Python values) and whether there were more; rows that come to
        more than ``max_bytes`` (about, as JSON: ``ResultBudget``) are refused. Anything refused
        raises ``QueryRefused``; the store stays usable.
        """

    @contextlib.contextmanager
    def _query_slot(self, wait: bool = False):
        """Holds one of ``query_slots`` for a user's query (in the thread that runs it, so that
        a caller that gave up does not free the slot while the query still runs); ``wait``:
        until one is free, rather than refusing (a store's own work that no query may overlap)."""
        with _GATES:
            if self._query_gate is None:
                self._query_gate = threading.BoundedSemaphore(self.query_slots)
        if not self._query_gate.acquire(blocking=wait):
            n = self.query_slots
            raise QueryBusy(f"busy: {n} saved quer{'y is' if n == 1 else 'ies are'} running, as many as may run "
                            "at once; try again in a few seconds", n)
        try:
            yield
        finally:
            self._query_gate.release()

    @abstractmethod
    def transaction(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one transaction (retried on transient errors and on a ``Conflict``
        with another run's writes: keep it idempotent)."""

    # --- for an asyncio event loop (the API) -----------------------------------------------
    # A store call in a worker thread, while the loop's thread runs Python for other requests,
    # waits for the GIL each time it gives it up (every socket read, every LadybugDB execute)
    # for up to the interpreter's switch interval (5 ms). Measured next to one busy Python
    # thread: a Neo4j `RETURN 1` 18 ms instead of 2.4 ms, LadybugDB key lookups 43 times
    # slower. So each store answers the loop in its own way: by default the blocking call goes
    # through ``_from_loop`` (a thread; a store may answer in the loop itself instead), or the
    # store overrides the calls with an asyncio client of its own.

    async def aread(self, query: str, params: Params = None) -> list[Row]:
        return await self._from_loop(self.read, query, params)

    async def aread_keyed(self, query: str, keys: Sequence[Any]) -> list[Row]:
        return await self._from_loop(self.read_keyed, query, keys)

    async def awrite(self, query: str, params: Params = None) -> list[Row]:
        """One statement, in a transaction of its own."""
        return await self._from_loop(self.write, query, params)

    async def _from_loop(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    async def ahealth(self, timeout_s: float = 2.0) -> str:
        """"ok" if the store answers a trivial read within ``timeout_s`` (raises otherwise);
        a store may say "busy" instead, when it is at work and a read would wait for it."""
        await asyncio.wait_for(self.aread("RETURN 1 AS ok"), timeout_s)
        return "ok"

    def _again_on_conflict(self, once: Callable[[], T]) -> T:
        """``once()`` (a whole transaction), run again after a ``Conflict`` (see ``conflicts``)."""
        for attempt in range(1, self.CONFLICT_RETRIES + 1):
            try:
                return once()
            except Conflict:
                self.conflicts += 1
                if attempt == self.CONFLICT_RETRIES:
                    raise
        raise AssertionError("unreachable")

    async def aclose(self) -> None:  # noqa: B027 - an optional hook: nothing to let go of by default
        """Let go of what the store holds for the running event loop (not the store itself)."""

    def scope_set(self, label: str, keys: Sequence[str]) -> str:
        """Hold ``keys`` (of ``label``'s nodes: Person or Address) in the store's scope tables
        (``model.SCOPE_TABLES``) and return the set's name, for a rule in the ``table`` form; a
        set already held (the same keys) is not written again. Only a store that runs that form
        writes them."""
        raise NotImplementedError(f"{self.engine}: a scoped rule runs in the {self.scoped_rule_form!r} form here, "
                                  "which writes no scope into the store")

    def clear_scope(self) -> None:  # noqa: B027 - an optional hook, a no-op by default
        """Drop every scope set ``scope_set`` wrote (an incremental sweep's start and end), so
        that a killed sweep's scope never reaches the next one (nothing, by default)."""

    def after_load(self, stored: int) -> None:  # noqa: B027 - an optional hook, a no-op by default
        """Called after a load stored ``stored`` records: whatever the engine needs so that the
        next queries are planned for the data as it now is (nothing, by default)."""

    def after_batch(self, records: int) -> None:  # noqa: B027 - an optional hook, a no-op by default
        """Called by a long write (ingest) after each batch of ``records`` it committed: a store
        may let go of memory the engine holds for what was written (nothing, by default)."""

    def after_rule(self) -> None:  # noqa: B027 - an optional hook, a no-op by default
        """Called by a sweep after each rule: a store may let go of memory the engine holds of the
        rule's query (nothing, by default)."""

    def bulk_insert(self, table: str, rows: list[Row]) -> None:
        self.transaction(lambda tx: tx.insert(table, rows))

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

