"""`familycard load`: the first load of an empty store from whole registry feeds (graph/load)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from familycard.cli._common import date_arg, feed_problem, progress_bar
from familycard.cli._errors import scrubbed
from familycard.settings import Settings

# Exit codes are ingest's: 0 all stored, 1 some lines rejected, 2 configuration (a wrong path, a
# store that is not empty), 4 the run failed part-way (the store is as it was before it).
LOAD_FAILED = 4


def add_load(sub, today: dt.date) -> None:
    p = sub.add_parser("load", help="the first load of an empty store: whole JSONL feeds at bulk speed")
    p.add_argument("feeds", nargs="+", metavar="FEED", help="feed files (JSONL), loaded in order as one feed")
    p.add_argument("--today", type=date_arg, default=today, help="the load day: later death dates are refused")
    p.add_argument("--replace", action="store_true",
                   help="empty a store that is not empty first (everything in it goes); asks on a terminal")
    p.add_argument("--yes", action="store_true", help="do not ask before --replace empties the store")
    p.add_argument("--show-rejected", type=int, default=50, help="rejected lines to print (default 50)")
    p.add_argument("--keep-work", action="store_true",
                   help="keep the work folder (load-<time>/ in the data folder: the spill and the plan)")
    p.add_argument("--neo4j-import-dir", type=Path, default=None, metavar="DIR",
                   help="for a Neo4j elsewhere: write neo4j-admin's import files to DIR and print the "
                        "command to run there (the store is not touched)")
    p.set_defaults(fn=cmd_load)


def _confirmed(args, settings: Settings) -> bool:
    if not args.replace or args.yes:
        return True
    if not sys.stdin.isatty():
        print("familycard load: --replace empties the store; not on a terminal, so nobody was asked: "
              "add --yes to confirm", file=sys.stderr)
        return False
    where = f"Neo4j at {settings.neo4j_uri}" if settings.store == "neo4j" else f"LadybugDB at {settings.data_dir}"
    answer = input(f"--replace: everything in the store ({where}) goes, offers and payments included. "
                   "Type 'yes' to go on: ")
    return answer.strip().lower() == "yes"


def cmd_load(args, settings: Settings) -> int:
    import traceback

    from familycard.graph.load.run import StoreNotEmpty, load_feeds
    from familycard.graph.store import StoreUnavailable

    paths = [Path(f) for f in args.feeds]
    for p in paths:
        why = feed_problem(p) or (None if p.is_file() else
                                  "is not a regular file: a load reads its feeds more than once "
                                  "(for a stream, use `familycard ingest -`)")
        if why:
            print(f"familycard load: '{p}': {why}", file=sys.stderr)
            return 2
    if settings.store == "neo4j" and args.neo4j_import_dir is None:
        from familycard.graph.load.neo4j_import import not_local

        why = not_local(settings)
        if why:
            print(f"familycard load: {why}", file=sys.stderr)
            return 2
    if args.neo4j_import_dir is None and not _confirmed(args, settings):
        return 2
    total = sum(p.stat().st_size for p in paths)
    try:
        with progress_bar(total, "B", "load") as bar:
            def progress(done: int) -> None:
                bar.update(done - bar.n)

            def on_step(s) -> None:
                bar.clear()
                print(f"load: {s.line()}", file=sys.stderr)

            summary = load_feeds(settings, paths, args.today, replace=args.replace, keep_work=args.keep_work,
                                 import_dir=args.neo4j_import_dir, progress=progress, on_step=on_step)
    except StoreNotEmpty as e:
        print(f"familycard load: {e}", file=sys.stderr)
        return 2
    except StoreUnavailable:
        raise
    except Exception as e:
        if args.debug:
            traceback.print_exc()
        print(f"familycard: load failed: {type(e).__name__}: {scrubbed(e)} (the store is as it was before "
              f"it; a rerun starts over){'' if args.debug else '; run with --debug for the trace'}",
              file=sys.stderr)
        return LOAD_FAILED
    if summary.cleaned:
        print(f"load: removed what the load started {summary.cleaned.get('started_at')} (pid "
              f"{summary.cleaned.get('pid')}) left when it was stopped", file=sys.stderr)
    for r in summary.rejections[:args.show_rejected]:
        print(f"rejected {r}", file=sys.stderr)
    if summary.rejected > args.show_rejected:
        print(f"... and {summary.rejected - args.show_rejected} more rejected lines", file=sys.stderr)
    if summary.import_command:
        print(f"load: the importer's files are in {args.neo4j_import_dir}; run where Neo4j is (database "
              f"stopped):\n{summary.import_command}", file=sys.stderr)
    print(summary.line())
    return 1 if summary.rejected else 0

