"""LadybugDB, in-process: the embedded default (a local folder, no server)."""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ladybug
import pyarrow.parquet as pq

from familycard.dates import utcnow
from familycard.graph import model
from familycard.graph.store import dialect
from familycard.graph.store.base import (
    MAX_RESULT_BYTES,
    Conflict,
    OutOfMemory,
    Params,
    QueryRefused,
    QueryTimeout,
    ResultBudget,
    Row,
    Store,
    StoreBusy,
    StoreUnavailable,
)
from familycard.graph.store.read_only import MANY_REFUSED, WRITE_REFUSED, check_read_query, scrub_engine_message

log = logging.getLogger(__name__)
T = TypeVar("T")

DB_FILE = "graph.lbug"


class _LadybugTx:
    def __init__(self, conn: ladybug.Connection, tmp: Path):
        self._conn = conn
        self._tmp = tmp

    def run(self, query: str, params: Params = None) -> list[Row]:
        return _rows(self._conn.execute(query, dict(params) if params else None))

    def insert(self, table: str, rows: list[Row]) -> None:
        self.copy(model.TABLES[table], rows)

    def copy(self, t: model.Table, rows: list[Row], skip_missing: bool = False) -> None:
        """``insert`` into any table, ours or not (the scope's); ``skip_missing``: links whose
        end has no node are left out rather than failing the transaction."""
        if rows:
            # Through a Parquet file, not `COPY … FROM $arrow_table`: LadybugDB 0.22 keeps every
            # Arrow table it scanned for the life of the connection (measured: +26 MB a
            # 10 k-row copy, never freed), which a million-person load cannot afford.
            fd, name = tempfile.mkstemp(suffix=".parquet", dir=self._tmp)
            os.close(fd)
            try:
                pq.write_table(dialect.arrow_table(t, rows), name)
                self._conn.execute(dialect.ladybug_copy(t, name) + (" (IGNORE_ERRORS=true)" if skip_missing else ""))
            finally:
                os.unlink(name)

    def update(self, table: str, rows: list[Row]) -> None:
        if rows:
            q = dialect.ladybug_update(model.TABLES[table])
            for r in rows:
                self._conn.execute(q, _params_for(model.TABLES[table], r))

    def delete_rels(self, table: str, from_keys: list[str]) -> None:
        q = dialect.delete_rels_statement(model.TABLES[table], unwind=False)
        for k in from_keys:
            self._conn.execute(q, {"from": k})

    def delete_nodes(self, table: str, keys: list[str]) -> None:
        q = dialect.delete_nodes_statement(model.TABLES[table], unwind=False)
        for k in keys:
            self._conn.execute(q, {"key": k})


def _params_for(table: model.Table, row: Row) -> dict:
    # LadybugDB refuses parameters the statement does not use, so pass exactly the columns.
    p = {n: row.get(n) for n in table.names}
    if table.is_rel:
        p["from"], p["to"] = row["from"], row["to"]
    return p


def _rows(result) -> list[Row]:
    if isinstance(result, list):  # several statements: the last one's rows
        result = result[-1]
    cols = result.get_column_names()
    return [dict(zip(cols, map(dialect.to_python, row), strict=True)) for row in result.get_all()]


def _end_read_only(conn: ladybug.Connection) -> None:
    try:
        conn.execute("ROLLBACK")
    except RuntimeError as e:
        # A failed statement (a write refused, a binder error, a timeout) has already
        # rolled the transaction back; anything else leaves the connection unusable.
        if "No active transaction" not in str(e):
            raise


def _refusal(message: str, timeout_s: float) -> QueryRefused:
    """LadybugDB's error text as what a user of ``read_only`` is told (its first line)."""
    if message.strip() == "Interrupted.":
        return QueryTimeout(f"the query ran past {timeout_s:g} s", timeout_s)
    if "read-only transaction" in message:
        return QueryRefused(WRITE_REFUSED)
    if "multiple statements" in message:
        return QueryRefused(MANY_REFUSED)
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return QueryRefused(f"the query failed: {scrub_engine_message(first)}")


# --- who holds the folder ----------------------------------------------------------------
# LadybugDB lets one process open a database folder; a second one heard "IO exception: Could
# not set lock on file". The holder leaves its name beside the database (removed on close; one
# left by a kill -9 is overwritten by the next open), and the second process is told who it is.
OWNER_FILE = DB_FILE + ".owner"


def _write_owner(path: Path) -> dict:
    from familycard.graph.store.leases import this_process

    me = this_process()
    owner = {"host": me.host, "pid": me.pid, "command": me.command, "since": _now_text()}
    tmp = path / f"{OWNER_FILE}.{me.pid}.tmp"
    tmp.write_text(json.dumps(owner), encoding="utf-8")
    os.replace(tmp, path / OWNER_FILE)
    return owner


def _remove_owner(path: Path, owner: dict | None) -> None:
    with contextlib.suppress(OSError, ValueError):
        if owner is not None and json.loads((path / OWNER_FILE).read_text(encoding="utf-8")) == owner:
            (path / OWNER_FILE).unlink()


def _now_text() -> str:
    return utcnow().strftime("%Y-%m-%d %H:%M:%S UTC")


def _owner_of(path: Path, pid: str | None) -> dict | None:
    """The owner file of the process holding the lock; it is written just after the open, so
    a moment is allowed for it (an older one, left by a kill -9, names another pid)."""
    for _ in range(20):
        with contextlib.suppress(OSError, ValueError, TypeError):
            o = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
            if {"command", "since", "host", "pid"} <= set(o) and (pid is None or str(o["pid"]) == pid):
                return o
        time.sleep(0.05)
    return None


def _unavailable(path: Path, e: RuntimeError) -> StoreUnavailable:
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if "lock" not in first.lower():
        return StoreUnavailable(f"LadybugDB at {path}: {first}", where=path)
    pid = re.search(r"held by PID ([0-9]+)", first)
    return _busy(path, pid[1] if pid else None, first)


def _busy(path: Path, pid: str | None, first: str) -> StoreBusy:
    o = _owner_of(path, pid)
    who = f"'{o['command']}' since {o['since']} on host {o['host']}, pid {o['pid']}" if o \
        else f"a process that left no name ({first})"
    if o and _SERVING.search(o["command"]):
        # A server does not finish: waiting for it is no advice.
        kill = f", or kill {o['pid']}" if o["host"] == socket.gethostname() else ""
        busy = StoreBusy(f"LadybugDB at {path} is in use by {who}; one process at a time can open it: "
                         f"stop that server first (Ctrl-C where it runs{kill}) or use its GraphQL API; "
                         "for a store several processes share, use Neo4j (FAMILYCARD_STORE=neo4j)", where=path,
                         holder=o)
        busy.waiting_helps = False
        return busy
    return StoreBusy(f"LadybugDB at {path} is in use by {who}; one process at a time can open it: "
                     "wait for it to finish", where=path, holder=o)


# A kill -9 (or a power cut) while a transaction is being written leaves the last record of
# the write-ahead log torn, and LadybugDB 0.22 then refuses to open the folder at all:
# "Checksum verification failed, the WAL file is corrupted" (seen in CI's kill -9 scenario of
# the flow, once in some ten runs) or "Corrupted wal file. Read out invalid WAL record type".
# What was committed before the tear is whole: COMMIT returns once its record is flushed; the
# torn tail is a transaction that never returned, which every job here reruns. So the log is
# replayed up to the tear (``throw_on_wal_replay_failure=False``) and checkpointed, a copy of
# the torn log is kept beside it, and the user is told; a read-only open leaves it to a writer.
_TORN_WAL = re.compile(r"wal file is corrupted|corrupted wal file", re.I)


def _open_database(path: Path, read_only: bool, buffer_pool: int = 0) -> ladybug.Database:
    try:
        return ladybug.Database(str(path / DB_FILE), read_only=read_only, buffer_pool_size=buffer_pool)
    except RuntimeError as e:
        if read_only or not _TORN_WAL.search(str(e)):
            raise
    wal = path / f"{DB_FILE}.wal"
    kept = path / f"{DB_FILE}.wal.torn-{utcnow():%Y%m%dT%H%M%S%f}"
    if wal.exists():
        shutil.copy2(wal, kept)
    db = ladybug.Database(str(path / DB_FILE), throw_on_wal_replay_failure=False, buffer_pool_size=buffer_pool)
    ladybug.Connection(db).execute("CHECKPOINT")
    log.warning("LadybugDB at %s: the end of its write-ahead log was torn (a process stopped while "
                "writing: kill -9, a power cut); what was committed before it is kept, the unfinished "
                "transaction is dropped (the torn log is kept as %s)", path, kept.name)
    return db


# --- one process holds the folder, across its reopens -------------------------------------
# LadybugDB's own lock lives and dies with a Database, and a long job closes and reopens its
# Database to give memory back (after_rule, after_batch). In that moment a second process
# waiting with --wait took the folder, and the first one's reopen stopped it mid-sweep (CI,
# tests/scenarios/test_overlap.py, once in some runs). So a process also holds an flock on a
# file of its own beside the database from its first open to its last close; a kill -9 drops
# it with the process. Like LadybugDB's lock it is per process: a second store on the same
# folder in the same process shares it (counted), as LadybugDB lets one process open twice.
HOLD_FILE = DB_FILE + ".hold"
_holds: dict[Path, list[int]] = {}  # resolved folder -> [descriptor, number of stores]
_holds_lock = threading.Lock()


def _take_hold(path: Path) -> None:
    """Hold the folder for this process (a writer's open; a read-only open writes nothing and
    LadybugDB lets it in beside a writer, so it takes none)."""
    key = path.resolve()
    with _holds_lock:
        if key in _holds:
            _holds[key][1] += 1
            return
        fd = os.open(key / HOLD_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = None
            with contextlib.suppress(OSError, ValueError):
                pid = (key / HOLD_FILE).read_text(encoding="ascii").strip()
            raise _busy(path, pid if pid and pid.isdigit() else None, f"a lock on {HOLD_FILE}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)  # who holds it, for the next one's message
        _holds[key] = [fd, 1]


def _drop_hold(path: Path) -> None:
    key = path.resolve()
    with _holds_lock:
        held = _holds.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] == 0:
            del _holds[key]
            os.close(held[0])  # the last descriptor closed releases the flock


# `familycard serve …`, `familycard demo … --serve`: holders that keep the folder until stopped.
_SERVING = re.compile(r"(?:^|\s)(?:serve|--serve)(?:\s|$)")


class LadybugStore(Store):
    engine = "ladybug"
    # A LadybugDB commit costs ~0.1 s whatever its size: few, large transactions.
    ingest_batch = 50_000
    # LadybugDB 0.22 has no COLLECT subquery (a parser error), nor type(); its key lookups are
    # in-process, about 0.1 ms each.
    card_in_one_statement = False
    link_type_function = "label"
    # The join form is a hash join over whole tables here (the incremental sweep at 1 M people
    # cost what a full sweep does). The table form (rules.run._table) writes the scope into the
    # store and starts the first MATCH from it (a join-order HINT), and matches each EXISTS that
    # is a whole condition of a MATCH's or WITH's WHERE as an OPTIONAL MATCH from the rows found:
    # LadybugDB 0.22 evaluates an EXISTS over every node and joins it (a scan and hash of all
    # HAS_FACT links). At 100 k people and 1 000 changed records (medians of 3, a shared
    # machine): bench/scoped_rules.py 4.4 s join, 5.0 s lookup, 1.6 s table; the CLI's
    # incremental sweep (bench/incremental_forms.py) 6.7 s join, 4.0 s table, the same offers.
    # An EXISTS inside an OR (large_family's students) and OPTIONAL MATCHes over facts are still
    # whole-table hash joins. But at 5 M people (bench/country.py, 10 000 changed records) the
    # table form's incremental sweep ran past 10 minutes and was stopped, where the full sweep
    # takes 210 s: it grows far faster than the population. So the join form (which at 1 M cost
    # about a full sweep, 39.8 s) stays the default until the table form is measured at 1 M and
    # 5 M per rule (bench/scoped_rules.py --forms join table); the table form stays tested.
    scoped_rule_form = "join"
    holds_scope = True

    # LadybugDB 0.22 keeps about 0.3 KB of native memory for every row written through an
    # open Database, and gives it back only when the Database is closed: COPY or CREATE,
    # STRING, INT64 or SERIAL key, with or without checkpoints, whatever the buffer pool size
    # (bench/ladybug_memory.py, 1 M rows: +390 MB; closed and reopened every 250 k rows, the
    # RSS falls back to where it began). So a long write reopens it every so many records.
    reopen_after: int = 1_000_000

    def __init__(self, data_dir: Path | str, read_only: bool = False, buffer_pool: int = 0):
        self.path = Path(data_dir)
        self._read_only = read_only
        self._buffer_pool = buffer_pool  # bytes; 0: LadybugDB's default (80 % of the memory)
        self._written = 0
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._tmp = self.path / "tmp"
            self._tmp.mkdir(exist_ok=True)
        except OSError as e:  # a folder this user cannot write, or a file in the way
            why = ("is a file, not a folder" if self.path.is_file() else
                   f"{e.strerror or type(e).__name__}"
                   f"{f' ({e.filename})' if e.filename and Path(e.filename) != self.path else ''}")
            raise StoreUnavailable(f"data folder {self.path}: {why}; "
                                   "set FAMILYCARD_DATA_DIR to a folder this user can write", where=self.path) from None
        if not read_only:
            _take_hold(self.path)
        try:
            self._db = _open_database(self.path, read_only, buffer_pool)
        except BaseException as e:
            if not read_only:
                _drop_hold(self.path)
            if isinstance(e, RuntimeError):  # typically: another process holds the folder's lock
                raise _unavailable(self.path, e) from None
            raise
        self._owner = None if read_only else _write_owner(self.path)
        # One connection: LadybugDB allows one write transaction at a time anyway.
        self._lock = threading.RLock()
        self._connect()

    def _connect(self) -> None:
        self._conn = ladybug.Connection(self._db)
        # Users' queries (saved queries) on a connection of their own, one at a time
        # (query_slots), on one of the database's worker threads: a read-only transaction
        # there runs beside the main connection's reads and writes. On the main connection a
        # 5 s saved query held every card read; on its own with all worker threads, a key
        # lookup still waited 1.5 s for a free worker; with one thread, 2 ms (2 cores).
        self._query_conn = ladybug.Connection(self._db)
        self._query_conn.set_max_threads_for_exec(1)

    def after_batch(self, records: int) -> None:
        """Reopen the database once ``reopen_after`` records were written since it was opened,
        which returns the memory LadybugDB keeps of every write (see ``reopen_after``)."""
        self._written += records
        if self._written >= self.reopen_after and not self._read_only:
            self._reopen()

    def after_rule(self) -> None:
        """Reopen the database after each rule of a sweep: LadybugDB 0.22 does not give back what
        a rule's joins took of its buffer pool, and a sweep of 2 M people (each rule alone: at
        most 4 GB of RSS) failed at its seventh rule with "the buffer pool is full and no memory
        could be freed" (bench/country.py). A reopen costs about 0.15 s at 1 M people."""
        self._reopen()

    def _reopen(self) -> None:
        # Not under a user's saved query, which runs on the other connection outside the lock.
        with self._query_slot(wait=True), self._lock:
            self._query_conn.close()
            self._conn.close()
            self._db.close()
            try:
                # Everything was committed; what the WAL holds yet is replayed by this open. This
                # process keeps its hold on the folder meanwhile (_take_hold): no one else takes it.
                self._db = _open_database(self.path, self._read_only, self._buffer_pool)
            except RuntimeError as e:
                self._conn = None
                _remove_owner(self.path, self._owner)
                if not self._read_only:
                    _drop_hold(self.path)
                raise _unavailable(self.path, e) from None
            self._connect()
            self._written = 0

    def scope_set(self, label: str, keys: Sequence[str]) -> str:
        """See ``Store.scope_set``. The set's name is a digest of its sorted keys; a node keyed
        by that name alone, written in the same transaction as the set's nodes and links, says
        the set is whole (a sweep killed while writing it left nothing). A key with no node
        (a person since deleted) gets no link, as it would find nothing in any form."""
        node, link = model.SCOPE_TABLES[label]
        keys = sorted(set(keys))
        name = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:24]
        with self._lock:
            for ddl in dialect.ladybug_ddl([node, link]):
                self._conn.execute(ddl)
            if _rows(self._conn.execute(f"MATCH (s:{node.name}) WHERE s.key = $k RETURN s.key AS k", {"k": name})):
                return name

            def write(tx: _LadybugTx) -> None:
                tx.copy(node, [{"key": name, "name": ""}] + [{"key": f"{name}|{k}", "name": name} for k in keys])
                tx.copy(link, [{"from": f"{name}|{k}", "to": k} for k in keys], skip_missing=True)
            self.transaction(write)
        return name

    def clear_scope(self) -> None:
        """See ``Store.clear_scope``: the scope tables are dropped, so that nothing of them is
        left between sweeps (``CALL show_tables()`` in a saved query does not list them)."""
        with self._lock:
            have = {r["name"] for r in _rows(self._conn.execute("CALL show_tables() RETURN name"))}
            for node, link in model.SCOPE_TABLES.values():
                for t in (link, node):  # the links first: a node table with links cannot be dropped
                    if t.name in have:
                        self._conn.execute(f"DROP TABLE {t.name}")

    def setup_schema(self) -> None:
        with self._lock:
            before = {r["name"] for r in _rows(self._conn.execute("CALL show_tables() RETURN name"))}
            for table in model.NODE_TABLES + model.REL_TABLES + model.OWNER_TABLES:
                [ddl] = dialect.ladybug_ddl([table])
                if table in model.OWNER_TABLES and table.name not in before:
                    # A store from before owner links: the table and the links of the nodes
                    # it already holds land together, or neither (then the next open does it).
                    self._conn.execute("BEGIN TRANSACTION")
                    try:
                        self._conn.execute(ddl)
                        self._conn.execute(dialect.owner_backfill_statement(model.TABLES[table.to_label], table))
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
                    self._conn.execute("COMMIT")
                else:
                    self._conn.execute(ddl)
                if table.name in before and table.columns:  # a column added since the store was made
                    have = {r["name"] for r in _rows(self._conn.execute(
                        f"CALL table_info('{table.name}') RETURN name"))}
                    for stmt in dialect.ladybug_add_columns(table, have):
                        self._conn.execute(stmt)

    def read(self, query: str, params: Params = None) -> list[Row]:
        with self._lock:
            try:
                return _rows(self._conn.execute(query, dict(params) if params else None))
            except RuntimeError as e:
                if "buffer pool is full" in str(e):
                    raise OutOfMemory(str(e)) from e
                raise

    write = read

    def read_keyed(self, query: str, keys: Sequence[Any]) -> list[Row]:
        # One key lookup after another: 0.1 ms each at 100 k people, where one UNWIND over a
        # single key took 65 ms (a hash join over the whole table; see Store.read_keyed).
        with self._lock:
            out: list[Row] = []
            for k in keys:
                out += _rows(self._conn.execute(query, {"key": k}))
            return out

    # Each commit is followed by LadybugDB's automatic checkpoint. Turning that off for a
    # load (`CALL auto_checkpoint=false`, one CHECKPOINT at the end) was 25 % faster, but
    # a kill -9 before that checkpoint left a folder whose WAL replay (of COPY) crashed
    # LadybugDB 0.22 on reopen: crash-safety first.
    def transaction(self, fn: Callable[[_LadybugTx], T]) -> T:
        return self._again_on_conflict(lambda: self._transaction(fn))

    def _transaction(self, fn: Callable[[_LadybugTx], T]) -> T:
        with self._lock:
            self._conn.execute("BEGIN TRANSACTION")
            try:
                out = fn(_LadybugTx(self._conn, self._tmp))
            except BaseException as e:
                _end_read_only(self._conn)  # a failed statement (a duplicate key) has rolled it back already
                if isinstance(e, RuntimeError) and "duplicated primary key" in str(e):
                    raise Conflict(str(e).strip().splitlines()[0]) from None
                raise
            self._conn.execute("COMMIT")
            return out

    # In-process and well under a millisecond a lookup: answered in the loop's own thread,
    # where no GIL is waited for (see Store.aread). Only while another thread holds the
    # connection (a sweep, a saved query) does a call wait for it in a worker thread, so
    # that the loop goes on serving meanwhile.
    async def _from_loop(self, fn: Callable[..., T], *args: Any) -> T:
        if self._lock.acquire(blocking=False):
            try:
                return fn(*args)
            finally:
                self._lock.release()
        return await asyncio.to_thread(fn, *args)

    def read_only(self, query: str, params: Params, *, timeout_s: float, max_rows: int,
                  max_bytes: int = MAX_RESULT_BYTES) -> tuple[list[str], list[Row], bool]:
        """One statement in a READ ONLY transaction, rolled back; see ``Store.read_only``.

        Measured on LadybugDB 0.22: a write in a READ ONLY transaction fails with "Can not
        execute a write query inside a read-only transaction." (CREATE, SET, DELETE, MERGE,
        DDL, COPY FROM, INSTALL, ATTACH all do). But ``execute`` runs every statement of a
        text, and ``RETURN 1; COMMIT; CREATE (...)`` committed the read-only transaction and
        then wrote. The text goes through ``PreparedStatement`` instead, which refuses more
        than one statement ("We do not support prepare multiple statements."), and the
        prepared statement is executed alone. ``check_read_query`` refuses first what the
        transaction would let through (EXPORT, COPY TO, LOAD FROM, CALL <setting>=..., COMMIT).
        """
        check_read_query(query)
        with self._query_slot():
            conn = self._query_conn
            # Applied by the connection from its next statement (BEGIN) on, until reset.
            conn.set_query_timeout(max(1, round(timeout_s * 1000)))
            try:
                conn.execute("BEGIN TRANSACTION READ ONLY")
                try:
                    return self._read_only_rows(conn, query, params, timeout_s, max_rows, ResultBudget(max_bytes))
                finally:
                    _end_read_only(conn)
            finally:
                conn.set_query_timeout(0)

    def _read_only_rows(self, conn: ladybug.Connection, query: str, params: Params, timeout_s: float,
                        max_rows: int, budget: ResultBudget) -> tuple[list[str], list[Row], bool]:
        try:
            # Not conn.execute(text): that runs every statement of the text (and its Python
            # wrapper rewrites `LOAD FROM <name>` into a scan of the caller's variables).
            prepared = ladybug.PreparedStatement(conn, query)
            if not prepared.is_success():
                raise RuntimeError(prepared.get_error_message())
            result = conn.execute(prepared, dict(params) if params else {})
            if isinstance(result, list):  # cannot happen with a prepared statement: never go on
                raise RuntimeError("We do not support prepare multiple statements.")
            try:
                cols = result.get_column_names()
                rows = []
                while len(rows) < max_rows and result.has_next():
                    rows.append(budget.take(dict(zip(cols, map(dialect.to_python, result.get_next()), strict=True))))
                more = result.has_next()
            finally:
                result.close()
        except RuntimeError as e:
            raise _refusal(str(e), timeout_s) from None
        return cols, rows, more

    async def ahealth(self, timeout_s: float = 2.0) -> str:
        # While a sweep or an ingest holds the connection, a read would wait for it (13 s
        # measured): the store is at work, which is an answer.
        if not self._lock.acquire(blocking=False):
            return "busy"
        try:
            _rows(self._conn.execute("RETURN 1 AS ok"))
        finally:
            self._lock.release()
        return "ok"

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._query_conn.close()
                self._conn.close()
                self._db.close()
                self._conn = None
                _remove_owner(self.path, self._owner)
                if not self._read_only:
                    _drop_hold(self.path)
