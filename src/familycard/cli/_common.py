"""What the commands share: argument types, the progress bar, opening the store, and holding a
job's lease while a run writes (graph/store/leases.py)."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from pathlib import Path

from familycard.settings import Settings


def iin_arg(s: str) -> str:
    """An IIN argument, checked as the feed checks one (schema/iin.py)."""
    from familycard.schema.iin import IINError, parse_iin

    try:
        parse_iin(s)
    except IINError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return s


def date_arg(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{s}' is not a date (YYYY-MM-DD)") from None


def timestamp_arg(s: str) -> dt.datetime:
    """ISO 8601; an offset is converted to UTC, none means UTC already."""
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{s}' is not a time (ISO 8601, e.g. 2026-11-25T09:30:00Z)") from None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


def progress_bar(total: int | None, unit: str, desc: str):
    """A progress bar on a terminal; silent otherwise (logs and CI stay readable)."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, unit_scale=True, disable=not sys.stderr.isatty(),
                leave=False)


def feed_problem(path: Path) -> str | None:
    """What is wrong with a feed path given on the command line (the caller's mistake: exit 2,
    not a run that failed), or None."""
    if not path.exists():
        return "no such file"
    if path.is_dir():
        return "is a folder; give the feed file (JSONL) in it"
    if path.is_file():  # not a FIFO: opening one to look would take a reader from its writer
        try:
            open(path, "rb").close()
        except OSError as e:
            return e.strerror or type(e).__name__
    return None


def open_store(settings: Settings):
    """The store the settings name (the graph is imported when a command needs it: --help stays quick).

    A load that did not finish (graph/load/interrupted.py) is told first, on stderr: its work
    never reached the store, which is as it was before it."""
    from familycard.graph.store import open_store

    report_interrupted_load(settings)
    return open_store(settings)


_told_of: set[str] = set()  # `held` opens the store again while it waits: tell it once


def report_interrupted_load(settings: Settings) -> None:
    from familycard.graph.load.interrupted import interrupted

    left = interrupted(settings.data_dir)
    if left and str(settings.data_dir) not in _told_of:
        # Only now: the load's orchestrator imports ingest, ~90 ms every command would pay.
        from familycard.graph.load.run import completed_before_it_stopped

        _told_of.add(str(settings.data_dir))
        feeds = ", ".join(map(str, left.get("feeds") or [])) or "?"
        if completed_before_it_stopped(settings.data_dir, left):
            print(f"familycard: the load `familycard load {feeds}` (pid {left.get('pid')}) was stopped just after "
                  "it put the loaded graph in place: the store holds the whole load (the next `familycard "
                  f"load` removes what it left in {left.get('work_dir')})", file=sys.stderr)
            return
        print(f"familycard: a load did not finish (`familycard load {feeds}`, started {left.get('started_at')}, "
              f"pid {left.get('pid')}): the store is as it was before it; rerun `familycard load` to load "
              f"again (it removes what the stopped one left in {left.get('work_dir')})", file=sys.stderr)


# Columns of the tables a person reads.

def tenge(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}".replace(",", " ")


def cut(text: str, width: int) -> str:
    """``text`` in a column of ``width``: padded, or cut with "…"."""
    return f"{text:<{width}}" if len(text) <= width else text[:width - 1] + "…"


# --- one run at a time of a job (graph/store/leases.py) --------------------------------------------

@contextlib.contextmanager
def held(settings: Settings, args, key: str, job: str):
    """The store, with this run's lease on ``key`` for the block: a run that finds the store
    (a LadybugDB folder) or the job held waits up to --wait seconds for it, then stops with one
    line naming the holder (``StoreBusy``: exit 3)."""
    import time

    from familycard.graph.store import StoreBusy, leases

    deadline = time.monotonic() + args.wait
    while True:
        try:
            store = open_store(settings)
            break
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
    with store, leases.hold(store, key, job, ttl=settings.lease_ttl_s,
                            wait=max(0.0, deadline - time.monotonic())) as beat:
        yield store
    if beat.lost:
        print(f"familycard: this run stalled past its lease and another {job} took it over; "
              "what both wrote is keyed, nothing was made twice", file=sys.stderr)
    if store.conflicts:
        print(f"familycard: {store.conflicts} transaction(s) met records another run wrote at the same time; "
              "redone, each record counted once", file=sys.stderr)


def wait_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="if another run holds this job (or the store), wait up to this long for it "
                             "(default: stop at once, exit code 3)")
