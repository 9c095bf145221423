"""Step 3 on Neo4j: the plan's tables through Neo4j's own bulk importer, never row by row over Bolt.

``neo4j-admin database import full`` builds a database's store files straight from CSV files,
with no transaction and no index to maintain: the only fast way into Neo4j (an ingest over Bolt
moves ~6 k records/s here). It writes into a database that is not running, so:

* ``write_import_dir``: the importer's CSV files (a header file and data files per table) and
  the command to run on a Neo4j elsewhere (Docker, a cluster member), for its operator.
* ``import_plan``: the local Neo4j of ``familycard neo4j start``: the CSV files are written
  while it still serves, then it is stopped, the importer builds the new database beside the old
  one (``familycardload``), the folders are swapped, the server starts again on its port, and
  the schema (constraints, indexes) is made on the imported graph, then ``after_load``. A failed
  import leaves the old database as it was, and the server is started again whatever happened.

CSV as the importer reads it (measured on 5.26.30): values quoted with ``"`` (a quote inside
doubled, a backslash literal), a null an empty unquoted field (no property), an empty string
``""`` (an empty string, kept); DATE ``2020-01-02`` as ``:date``; TIMESTAMP, naive UTC as the
Neo4j store writes it through the driver (``LocalDateTime``), as ``:localdatetime`` in ISO form
with a ``T`` and microseconds; INT64 as ``:long``. Fields with a line break need the importer's
slower multi-line reading, asked for only for the files that have one.
"""
from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from familycard.graph import model
from familycard.graph.load import interrupted
from familycard.graph.load.plan import PLAN_TABLES, plan_schema, table_files
from familycard.settings import Settings

__all__ = ["STAGING_DATABASE", "ImportFiles", "Neo4jImportError", "import_args", "import_plan", "not_local",
           "write_csv", "write_import_dir"]

#: The database the importer builds before it takes the place of the served one.
STAGING_DATABASE = "familycardload"

_NEO4J_TYPES = {model.STRING: "", model.DATE: ":date", model.TIMESTAMP: ":localdatetime", model.INT64: ":long"}
# Rows per Arrow batch read from Parquet and written as CSV: bounded memory (~10-40 MB a batch
# for Person), large enough that the per-batch cost vanishes.
BATCH_ROWS = 65_536


class Neo4jImportError(RuntimeError):
    """The import could not be done; the message says what, where, and what became of the server."""


@dataclass
class ImportFiles:
    """What ``write_csv`` wrote: per table its header file and data files (relative to the
    folder), the data files with a line break inside a value, and the rows."""
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, list[str]] = field(default_factory=dict)
    multiline: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    is_rel: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0
    bytes: int = 0


def _header(table: model.Table) -> list[str]:
    """The importer's header: ID spaces by label (Person's iin, Address's id, Fact's and Pending's
    key are each a node's property and its id), relationships by the labels of their ends."""
    cols = []
    if table.is_rel:
        cols += [f":START_ID({table.from_label})", f":END_ID({table.to_label})"]
    for i, (name, ty) in enumerate(table.columns):
        cols.append(f"{name}:ID({table.name})" if i == 0 and not table.is_rel else name + _NEO4J_TYPES[ty])
    cols.append(":TYPE" if table.is_rel else ":LABEL")
    return cols


def _csv_batch(batch: pa.RecordBatch, table: model.Table) -> pa.RecordBatch:
    """A plan batch as the CSV columns: timestamps as ISO text, the label or type last."""
    types = dict(table.columns)
    arrays = []
    for name, col in zip(batch.schema.names, batch.columns, strict=True):
        if types.get(name) == model.TIMESTAMP:
            # Arrow writes "2020-01-02 03:04:05.000006"; %S carries the microseconds.
            col = pc.strftime(col, format="%Y-%m-%dT%H:%M:%S")
        arrays.append(col)
    arrays.append(pa.repeat(pa.scalar(table.name), batch.num_rows))
    return pa.RecordBatch.from_arrays(arrays, names=[*batch.schema.names, "_label"])


def _has_line_break(batch: pa.RecordBatch) -> bool:
    for col in batch.columns:
        if pa.types.is_string(col.type) and pc.any(pc.match_substring_regex(col, "[\r\n]")).as_py():
            return True
    return False


def write_csv(plan_dir: Path, out_dir: Path, tables: Sequence[model.Table] = PLAN_TABLES) -> ImportFiles:
    """The plan's tables as the importer's CSV files in ``out_dir``: ``<Table>-header.csv`` and
    ``<Table>-part-NNNNN.csv`` (one a Parquet file), streamed in batches of ``BATCH_ROWS``.
    ``tables``: the plan's (another layout's, for bench/monthly_model.py)."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.csv"):  # a previous run's files: a table may have fewer parts now
        old.unlink()
    files = ImportFiles()
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed")
    for table in tables:
        header = f"{table.name}-header.csv"
        (out_dir / header).write_text(",".join(_header(table)) + "\n", encoding="utf-8")
        files.headers[table.name], files.data[table.name], files.rows[table.name] = header, [], 0
        files.is_rel[table.name] = table.is_rel
        want = plan_schema(table)
        for i, part in enumerate(table_files(Path(plan_dir), table)):
            src = pq.ParquetFile(part)
            got = src.schema_arrow
            if got.names != want.names or got.types != want.types:  # nullability and metadata may differ
                def cols(schema: pa.Schema) -> str:
                    return ", ".join(f"{f.name} {f.type}" for f in schema)
                raise Neo4jImportError(f"{part}: columns ({cols(got)}) are not those of the plan's {table.name} "
                                       f"({cols(want)}: plan.plan_schema)")
            name = f"{table.name}-part-{i:05d}.csv"
            multiline = False
            with pcsv.CSVWriter(out_dir / name, _csv_batch(_empty(want), table).schema,
                                write_options=options) as writer:
                for batch in src.iter_batches(batch_size=BATCH_ROWS):
                    multiline = multiline or _has_line_break(batch)
                    writer.write_batch(_csv_batch(batch, table))
                    files.rows[table.name] += batch.num_rows
            files.data[table.name].append(name)
            if multiline:
                files.multiline.append(name)
            files.bytes += (out_dir / name).stat().st_size
    files.seconds = time.perf_counter() - started
    return files


def _empty(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)


def import_args(files: ImportFiles, database: str, *, files_at: str, overwrite: bool,
                report: str | None = None) -> list[str]:
    """``neo4j-admin``'s arguments (``database import full ...``) for the files of ``write_csv``,
    found under ``files_at`` (a folder as the importer's working directory sees it)."""
    def at(name: str) -> str:
        return f"{files_at.rstrip('/')}/{name}" if files_at else name

    args = ["database", "import", "full"]
    for name, header in files.headers.items():  # the tables write_csv wrote
        group = ",".join(at(n) for n in [header, *files.data[name]])
        args.append(f"--{'relationships' if files.is_rel[name] else 'nodes'}={group}")
    if files.multiline:
        # v2: only these files are read the slow way (a value with a line break), the rest in parallel.
        args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(at(n) for n in files.multiline)]
    # A relationship whose end is missing, or a key twice, fails the import (no --skip-*), and
    # --strict finds every missing end (without it "most but not all" are found: the rest would
    # hang from another node).
    args.append("--strict=true")
    if overwrite:
        args.append("--overwrite-destination=true")
    if report:
        args.append(f"--report-file={report}")
    return [*args, database]


def write_import_dir(plan_dir: Path, out_dir: Path, database: str = "neo4j", *, files_at: str = "import",
                     overwrite: bool = False) -> str:
    """The importer's CSV files in ``out_dir`` and the command that imports them: run it where
    the Neo4j is (``NEO4J_HOME``, its database stopped) with ``out_dir``'s files copied to its
    ``import/`` folder (``files_at``: another folder as the command sees it, e.g. ``/import`` in
    Docker). ``overwrite`` adds ``--overwrite-destination=true`` (a database that exists is
    otherwise refused). Then start the database and run ``familycard`` against it once (the
    schema is made on the first connection).

    ``neo4j-admin`` is Neo4j's script for ``java -cp <its lib/*> org.neo4j.cli.AdminTool`` with
    ``NEO4J_HOME`` set: ``neo4j_local.run_admin`` runs the same arguments that way on the
    launcher's jars (the tests run the printed command so)."""
    files = write_csv(Path(plan_dir), Path(out_dir))
    return shlex.join(["neo4j-admin", *import_args(files, database, files_at=files_at, overwrite=overwrite)])


# ----------------------------------------------------------------------------- the local Neo4j


def not_local(settings: Settings) -> str | None:
    """Why ``import_plan`` cannot load the Neo4j the settings name (it is not the local one of
    `familycard neo4j start`, or runs elsewhere than they say), or None: the CLI asks before it
    reads a line of the feed."""
    from familycard.graph.store import neo4j_local as nl

    try:
        _local_port(settings, nl.status((settings.data_dir / "neo4j").resolve()))
    except Neo4jImportError as e:
        return str(e)
    return None


def _local_port(settings: Settings, running_uri: str | None) -> int:
    """The port of the local Neo4j that ``settings.neo4j_uri`` names; refuses any other server."""
    want = urlsplit(settings.neo4j_uri)
    hint = ("to load a Neo4j elsewhere, write the importer's files with --neo4j-import-dir and run "
            "the command it prints there")
    if want.scheme not in ("bolt", "neo4j") or want.hostname not in ("127.0.0.1", "localhost", "::1") or not want.port:
        raise Neo4jImportError(f"FAMILYCARD_NEO4J_URI={settings.neo4j_uri} is not the local Neo4j of "
                               f"`familycard neo4j start` (bolt://127.0.0.1:<port>); {hint}")
    if running_uri is not None and urlsplit(running_uri).port != want.port:
        raise Neo4jImportError(f"the local Neo4j of {settings.data_dir / 'neo4j'} runs at {running_uri}, but "
                               f"FAMILYCARD_NEO4J_URI is {settings.neo4j_uri}; point it there, or {hint}")
    return want.port


def _cause(text: str) -> str | None:
    """The root of a Java chain of causes (the importer run with --verbose, the launcher's log), as
    "DuplicateInputIdException: Id '000121607817' is defined more than once in group 'Person'"."""
    causes = [ln for ln in text.splitlines() if ln.startswith("Caused by: ")]
    if not causes:
        return None
    name, sep, message = causes[-1].removeprefix("Caused by: ").partition(": ")
    return f"{name.rsplit('.', 1)[-1]}{sep}{message}"


def _read(log: Path) -> str:
    try:
        return log.read_text(errors="replace")
    except OSError:
        return ""


SWAP_MARK = "neo4j-swap-in-progress"


def _swap(data_dir: Path, database: str) -> None:
    """The staged database takes the served one's place (store and transaction logs: two folders
    that must move together). A mark says the swap began, after a whole import: a swap killed
    half-way is finished by ``_finish_swap`` before the server starts again."""
    (data_dir / SWAP_MARK).write_text(database)
    _finish_swap(data_dir)


def _finish_swap(data_dir: Path) -> None:
    """Finish a swap that began (idempotent), or drop the staging folders of an import that did
    not finish (the served database is then as it was)."""
    from familycard.graph.store import neo4j_local as nl

    mark = data_dir / SWAP_MARK
    staged = nl.database_dirs(data_dir, STAGING_DATABASE)
    if not mark.exists():
        for d in staged:
            shutil.rmtree(d, ignore_errors=True)
        return
    served = nl.database_dirs(data_dir, mark.read_text().strip())
    asides = [d.with_name(d.name + ".replaced") for d in served]
    for new, old, aside in zip(staged, served, asides, strict=True):
        if new.exists():
            if old.exists():
                shutil.rmtree(aside, ignore_errors=True)
                old.rename(aside)
            new.rename(old)
    for aside in asides:
        shutil.rmtree(aside, ignore_errors=True)
    mark.unlink()


def import_plan(plan_dir: Path, settings: Settings, *, replace: bool,
                progress: Callable[[str], None] | None = None) -> None:
    """Import the plan into the local Neo4j of ``settings.data_dir / "neo4j"`` (started by
    ``familycard neo4j start``; started here on the port of ``settings.neo4j_uri`` if it is not
    running). Without ``replace`` its database must hold no node. ``progress`` hears each stage."""
    from familycard.graph.store import neo4j_local as nl
    from familycard.graph.store.neo4j import Neo4jStore

    say = progress or (lambda _msg: None)
    data_dir = (settings.data_dir / "neo4j").resolve()
    cache = settings.neo4j_home or nl.default_cache_dir()
    if settings.neo4j_database != "neo4j":
        raise Neo4jImportError(f"FAMILYCARD_NEO4J_DATABASE={settings.neo4j_database}: the local Neo4j "
                               "(Community) serves one database, neo4j")
    running = nl.status(data_dir)
    port = _local_port(settings, running)
    other = interrupted.running(settings.data_dir)
    if other is not None and other.get("pid") != os.getpid():
        raise Neo4jImportError(f"another load runs into {settings.data_dir} (pid {other.get('pid')}, since "
                               f"{other.get('started_at')}); wait for it, or stop it")
    if running is None:
        if nl.store_in_use(data_dir):
            raise Neo4jImportError(f"a Neo4j that `familycard neo4j start` did not start holds "
                                   f"{data_dir / nl.HOME_NAME}; stop it, then load again")
        _finish_swap(data_dir)  # a load killed half-way through its swap: finished before the server opens it
    # A restart keeps the memory the running server has (`familycard neo4j start` took it from
    # the settings then); a server this load starts takes it from the settings now.
    heap, pagecache = nl.memory(data_dir) or (settings.neo4j_heap, settings.neo4j_pagecache)
    try:
        nl.start_background(data_dir, port, cache, heap=heap, pagecache=pagecache)  # running already: returns it
    except nl.Neo4jUnavailable as e:
        raise Neo4jImportError(f"the local Neo4j of {data_dir} could not start on port {port}: {e.reason}") from None
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    store = Neo4jStore(settings.neo4j_uri, settings.neo4j_user, password)
    try:
        nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    finally:
        store.close()
    if nodes and not replace:
        raise Neo4jImportError(f"the Neo4j at {settings.neo4j_uri} ({data_dir}) holds {nodes} nodes: a first "
                               "load goes into an empty database; load with --replace to replace them")

    work = Path(plan_dir).resolve().parent
    csv_dir = work / "neo4j-import"
    say(f"writing the importer's CSV files into {csv_dir}")
    files = write_csv(Path(plan_dir), csv_dir)
    say(f"{sum(files.rows.values())} rows, {files.bytes / 2**20:.0f} MiB of CSV in {files.seconds:.1f}s")

    # The CLI may have marked the whole load already (this process's marker: kept, with its feeds);
    # a marker of a load that was killed is taken over. Removed once the graph is whole.
    mine = interrupted.running(settings.data_dir) is None
    if mine:
        interrupted.begin(settings.data_dir, "neo4j", [], work)
    failure: BaseException | None = None
    untouched = False  # the importer failed: the database is as it was, the load did not happen
    try:
        say(f"stopping the Neo4j of {data_dir}")
        nl.stop_background(data_dir)
        if nl.status(data_dir) is not None or nl.store_in_use(data_dir):
            raise Neo4jImportError(f"the Neo4j of {data_dir} still runs after it was told to stop; stop it "
                                   "(`familycard neo4j stop`) and load again")
        report = work / "neo4j-import.report"
        log = work / "neo4j-import.log"
        # The staging database is ours (a killed run's leftover at most): always overwritten.
        args = import_args(files, STAGING_DATABASE, files_at=str(csv_dir), overwrite=True, report=str(report))
        args.insert(3, "--verbose")  # the chain of causes: the bad value named (_cause)
        say(f"importing (log {log})")
        started = time.perf_counter()
        try:
            nl.run_admin(data_dir, args, log, cache, cwd=work)
        except nl.Neo4jUnavailable as e:
            _finish_swap(data_dir)  # no swap began: drops the staging database
            untouched = True
            raise Neo4jImportError(f"Neo4j's importer refused the plan {plan_dir} (CSV in {csv_dir}, log {log}); "
                                   f"the database was left as it was: {_cause(_read(log)) or e.reason}") from None
        say(f"imported in {time.perf_counter() - started:.1f}s")
        _swap(data_dir, "neo4j")
    except BaseException as e:
        failure = e
        raise
    finally:
        try:
            say(f"starting the Neo4j of {data_dir} on port {port}")
            nl.start_background(data_dir, port, cache, heap=heap, pagecache=pagecache)
        except nl.Neo4jUnavailable as e:
            msg = (f"the Neo4j of {data_dir} did not start again on port {port} (taken by another program?): "
                   f"{_cause(e.reason) or e.reason}; its log: {data_dir / nl.LOG_NAME}; start it with "
                   f"`familycard neo4j start --port {port}`")
            if failure is None:
                raise Neo4jImportError(msg) from None
            failure.add_note(msg)
            untouched = False
        if untouched and mine:
            interrupted.finish(settings.data_dir)
    store = Neo4jStore(settings.neo4j_uri, settings.neo4j_user, password)
    try:
        say("creating constraints and indexes")
        store.setup_schema()
        store.after_load(sum(files.rows[t.name] for t in model.REGISTRY_TABLES))
    finally:
        store.close()
    interrupted.finish(settings.data_dir)
    with contextlib.suppress(OSError):  # a country's CSV is tens of GB: not kept once imported
        shutil.rmtree(csv_dir)
