"""The load, step by step: read, resolve, the engine's bulk step, in a work folder of its own.

``load_feeds`` works in ``<data folder>/load-<started>/`` (``spill/``, ``plan/``, and on
LadybugDB the new database ``db/``), marked by ``interrupted.begin`` until the store holds the
whole load. A load killed at any moment leaves the store as it was and the marker; the next
load removes what the killed one left and starts over.
"""
from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from familycard import dates
from familycard.graph import model
from familycard.graph.ingest import KEEP_REJECTIONS, IngestSummary
from familycard.graph.load import interrupted
from familycard.graph.store import StoreBusy, open_store
from familycard.graph.store.base import Store

if TYPE_CHECKING:
    from familycard.settings import Settings

__all__ = ["CONTENT_TABLES", "LoadSummary", "Step", "StoreNotEmpty", "completed_before_it_stopped", "load_feeds",
           "store_contents"]

# What makes a store "not empty" for a load: the family graph, the change log, the benefit flow
# (offers, payments: a load must not wipe them by surprise) and the API's records. Not leases:
# a run's hold on a job, gone when it ends.
CONTENT_TABLES = model.REGISTRY_TABLES + (model.CHANGE,) + model.FLOW_TABLES + model.API_TABLES


class StoreNotEmpty(RuntimeError):
    """The store holds something; a load fills an empty store (or, with replace, empties it)."""

    def __init__(self, where: str, contents: dict[str, int]):
        self.contents = contents
        what = ", ".join(f"{n:,} {t}" for t, n in contents.items())
        super().__init__(f"the store ({where}) is not empty: it holds {what}. A load fills an empty store: "
                         "add a feed to this one with `familycard ingest`, or load with --replace to empty "
                         "it first (everything in it goes)")


@dataclass
class Step:
    name: str  # read | resolve | copy | import | import files
    seconds: float
    records: int  # lines read, records resolved, rows bulk-loaded

    def line(self) -> str:
        rate = self.records / self.seconds if self.seconds > 0 else 0.0
        return f"{self.name}: {self.records:,} {'lines' if self.name == 'read' else 'records'} " \
               f"in {self.seconds:.1f} s ({rate:,.0f}/s)"


@dataclass
class LoadSummary(IngestSummary):
    """Ingest's summary (the same line, the same exit codes), with the load's steps."""
    steps: list[Step] = field(default_factory=list)
    import_command: str | None = None  # --neo4j-import-dir: the command to run where Neo4j is
    cleaned: dict | None = None  # the marker of an interrupted load whose leftovers were removed


def store_contents(store: Store) -> dict[str, int]:
    """The tables of ``CONTENT_TABLES`` that hold anything, with their node counts."""
    out = {}
    for t in CONTENT_TABLES:
        n = store.read(f"MATCH (n:{t.name}) RETURN count(n) AS n")[0]["n"]
        if n:
            out[t.name] = n
    return out


def _where(settings: Settings) -> str:
    return f"Neo4j at {settings.neo4j_uri}" if settings.store == "neo4j" else f"LadybugDB at {settings.data_dir}"


# A kill after the new database is renamed into place but before the marker goes would leave a
# loaded store reported as "as it was": the new file's inode, noted before the rename, tells.
_SWAP_NOTE = "swapping-in.inode"


def _note_swap(work: Path) -> None:
    from familycard.graph.store.ladybug import DB_FILE

    (work / _SWAP_NOTE).write_text(str((work / "db" / DB_FILE).stat().st_ino))


def completed_before_it_stopped(data_dir: Path, info: dict) -> bool:
    """Whether the interrupted load ``info`` had already put its database in place."""
    from familycard.graph.store.ladybug import DB_FILE

    try:
        inode = int((Path(str(info.get("work_dir", ""))) / _SWAP_NOTE).read_text())
        return (data_dir / DB_FILE).stat().st_ino == inode
    except (OSError, ValueError):
        return False


def _clean_leftovers(data_dir: Path) -> dict | None:
    """Remove what an interrupted load left (its work folder, its marker); return its marker."""
    busy = interrupted.running(data_dir)
    if busy:
        raise StoreBusy(f"a load is running in {data_dir} (pid {busy.get('pid')}, started "
                        f"{busy.get('started_at')}); wait for it to finish", where=data_dir)
    left = interrupted.interrupted(data_dir)
    if left is None:
        return None
    work = Path(str(left.get("work_dir", "")))
    # Only a folder of ours: a hand-edited marker must not name something else to delete.
    if work.name.startswith("load-") and work.parent.resolve() == data_dir.resolve():
        shutil.rmtree(work, ignore_errors=True)
    interrupted.finish(data_dir)
    return left


def load_feeds(settings: Settings, paths: Sequence[Path], today: dt.date, *, replace: bool = False,
               keep_work: bool = False, import_dir: Path | None = None,
               progress: Callable[[int], None] | None = None,
               on_step: Callable[[Step], None] | None = None) -> LoadSummary:
    """Load ``paths`` (feeds, in order, as one feed) into the empty store the settings name.

    ``replace``: empty a non-empty store (else ``StoreNotEmpty``). ``import_dir`` (Neo4j
    elsewhere): write the importer's files there and return the command, leaving the store
    alone. ``progress(bytes read)`` during the read; ``on_step(step)`` after each step."""
    from familycard.graph.load import read, resolve

    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in paths]
    summary = LoadSummary()
    summary.cleaned = _clean_leftovers(data_dir)
    work = data_dir / f"load-{dates.utcnow():%Y%m%dT%H%M%S%f}"

    def step(name: str, started: float, records: int) -> None:
        s = Step(name, time.perf_counter() - started, records)
        summary.steps.append(s)
        if on_step:
            on_step(s)

    store = None
    marked = False
    try:
        if import_dir is None:
            store = open_store(settings)
            contents = store_contents(store)
            if contents and not replace:
                raise StoreNotEmpty(_where(settings), contents)
            if settings.store == "neo4j":  # the importer needs the database stopped
                store.close()
                store = None
            interrupted.begin(data_dir, settings.store, [p.name for p in paths], work)
            marked = True
        work.mkdir()
        t = time.perf_counter()
        got = read.read_feeds(paths, work / "spill", today, progress=progress)
        step("read", t, got.read)
        t = time.perf_counter()
        res = resolve.resolve_spill(work / "spill", work / "plan", today,
                                    lambda seqs: read.line_texts(paths, seqs))
        step("resolve", t, sum(got.valid.values()))
        shutil.rmtree(work / "spill", ignore_errors=True)  # disk: the plan is all the rest needs
        t = time.perf_counter()
        if import_dir is not None:
            from familycard.graph.load import neo4j_import

            summary.import_command = neo4j_import.write_import_dir(work / "plan", import_dir,
                                                                   settings.neo4j_database, overwrite=replace)
            step("import files", t, sum(res.rows.values()))
        else:
            held, store = store, None  # the bulk step lets go of it when it must
            step(*_bulk_step(settings, work, data_dir, replace, held), sum(res.rows.values()))
        if marked:
            interrupted.finish(data_dir)
            marked = False
    finally:
        if store is not None:
            store.close()
        if marked:  # an error, not a kill: the store is as it was (the new database never swapped in)
            interrupted.finish(data_dir)
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    _sum_up(summary, got, res)
    return summary


def _bulk_step(settings: Settings, work: Path, data_dir: Path, replace: bool,
               held: Store | None) -> tuple[str, float]:
    """The engine's bulk step for ``work/plan``: its name and when it started (for ``Step``).

    ``held``: the store as the load opened it (LadybugDB: its lock keeps other writers out
    until the new database replaces it), closed here. Neo4j: ``neo4j_import.import_plan``, the
    importer into the stopped database (its own module: the Neo4j side is built apart)."""
    t = time.perf_counter()
    if settings.store == "neo4j":
        if held is not None:
            held.close()
        from familycard.graph.load import neo4j_import

        neo4j_import.import_plan(work / "plan", settings, replace=replace)
        return "import", t
    from familycard.graph.load import ladybug

    try:
        ladybug.build_database(work / "plan", work / "db", pause_s=settings.load_pause_s,
                                   buffer_pool=settings.ladybug_buffer_pool_bytes)
    finally:
        if held is not None:
            held.close()
    _note_swap(work)
    ladybug.swap_in(work / "db", data_dir)
    return "copy", t


def _sum_up(summary: LoadSummary, got, res) -> None:
    summary.read = got.read
    summary.stored_by_kind = dict(res.stored_by_kind)
    summary.stored = res.stored
    summary.unchanged = res.unchanged
    summary.rejected = got.rejected + res.rejected
    summary.rejections = list(got.rejections)
    summary.rejections += res.rejections[:max(0, KEEP_REJECTIONS - len(summary.rejections))]
    summary.pending = res.pending
