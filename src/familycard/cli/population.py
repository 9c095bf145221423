"""The population: `generate` (a demo registry feed), `changes` (a day of registry changes for
the people in the store), `ingest` (a feed into the graph) and `stats` (what the graph holds)."""
from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path

from familycard.cli._common import date_arg, feed_problem, open_store, progress_bar
from familycard.cli._errors import scrubbed
from familycard.settings import Settings


def add_generate(sub, today: dt.date) -> None:
    g = sub.add_parser("generate", help="write a reproducible demo population as a registry feed")
    g.add_argument("--people", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--as-of", type=date_arg, default=today)
    g.add_argument("--bad-rate", type=float, default=0.0, help="fraction of deliberately bad lines")
    g.add_argument("--history-months", type=int, default=12, help="months of income/contributions")
    g.add_argument("-o", "--output", required=True, help="file, or - for stdout")
    g.set_defaults(fn=cmd_generate)


def add_changes(sub, today: dt.date) -> None:
    x = sub.add_parser("changes", help="a day of registry changes for the people in the store, as a feed")
    x.add_argument("--date", type=date_arg, default=today, help="the day the registries send them (default today)")
    x.add_argument("--count", type=int, default=500, help="about this many records (default 500)")
    x.add_argument("--seed", type=int, default=1, help="the same store, date and seed give the same records")
    x.add_argument("-o", "--output", required=True, help="file, or - for stdout")
    x.set_defaults(fn=cmd_changes)


def add_ingest(sub, today: dt.date) -> None:
    i = sub.add_parser("ingest", help="validate and load a JSONL feed (file or -)")
    i.add_argument("file")
    i.add_argument("--today", type=date_arg, default=today, help="the ingest day: later death dates are refused")
    i.add_argument("--show-rejected", type=int, default=50, help="rejected lines to print (default 50)")
    i.add_argument("--batch-size", type=int, default=None,
                   help="records a transaction (default: 50000 on LadybugDB, 10000 on Neo4j)")
    i.set_defaults(fn=cmd_ingest)


def add_stats(sub, today: dt.date) -> None:
    s = sub.add_parser("stats", help="counts of persons, links and facts in the graph")
    s.set_defaults(fn=cmd_stats)


def cmd_generate(args, settings: Settings) -> int:
    from familycard.synthetic.population import write_feed

    with progress_bar(args.people, "people", "generate") as bar, \
            (contextlib.nullcontext(sys.stdout) if args.output == "-"
             else open(args.output, "w", encoding="utf-8")) as out:
        done = [0]

        def progress(n: int) -> None:
            bar.update(n - done[0])
            done[0] = n

        stats = write_feed(out, people=args.people, seed=args.seed, as_of=args.as_of,
                           bad_rate=args.bad_rate, history_months=args.history_months, progress=progress)
    print(f"generated {stats.people} people, {stats.records} records "
          f"({', '.join(f'{k} {v}' for k, v in sorted(stats.by_kind.items()))}), "
          f"{stats.bad_lines} bad lines -> {args.output}", file=sys.stderr)
    return 0


def cmd_changes(args, settings: Settings) -> int:
    from familycard.graph.store.snapshot import holds_anyone
    from familycard.synthetic.changes import write_changes

    with open_store(settings) as store:
        if not holds_anyone(store):
            print("familycard changes: the store holds no one to change: run `familycard demo` or ingest a "
                  "population first", file=sys.stderr)
            return 1
        with (contextlib.nullcontext(sys.stdout) if args.output == "-"
              else open(args.output, "w", encoding="utf-8")) as out:
            try:
                n = write_changes(store, out, args.date, args.count, args.seed)
            except ValueError as e:  # a day before the stored records
                print(f"familycard changes: {e}", file=sys.stderr)
                return 2
    print(f"wrote {n} records: registry changes of {args.date} for the people in the store "
          f"(seed {args.seed}) -> {args.output}", file=sys.stderr)
    return 0


def ingest(settings: Settings, source: str, today: dt.date, show: int, batch_size: int | None = None):
    from familycard.graph.ingest import ingest_stream

    with open_store(settings) as store:
        if source == "-":
            stream, size, origin = sys.stdin.buffer, None, "<stdin>"
        else:
            path = Path(source)
            stream, size, origin = open(path, "rb"), path.stat().st_size, path.name
        with stream, progress_bar(size, "B", "ingest") as bar:
            def progress(_: int) -> None:
                if size:
                    bar.update(stream.tell() - bar.n)

            summary = ingest_stream(store, stream, origin, today, batch_size, progress)
    for r in summary.rejections[:show]:
        print(f"rejected {r}", file=sys.stderr)
    if summary.rejected > show:
        print(f"... and {summary.rejected - show} more rejected lines", file=sys.stderr)
    return summary


# `familycard ingest` exit codes: 0 all stored, 1 some lines rejected (the rest stored),
# 2 configuration or connection, INGEST_FAILED the run itself failed part-way (a scheduler
# retries that one; it must not read it as "some lines rejected").
INGEST_FAILED = 4


def cmd_ingest(args, settings: Settings) -> int:
    import traceback

    from familycard.graph.store import StoreUnavailable

    if args.file != "-":  # a wrong path is the caller's mistake (2), not a run that failed (4)
        why = feed_problem(Path(args.file))
        if why:
            print(f"familycard ingest: '{args.file}': {why}", file=sys.stderr)
            return 2
    try:
        summary = ingest(settings, args.file, args.today, args.show_rejected, args.batch_size)
    except StoreUnavailable:
        raise
    except Exception as e:
        if args.debug:
            traceback.print_exc()
        print(f"familycard: ingest failed: {type(e).__name__}: {scrubbed(e)} (the batches stored before it stay; "
              f"a rerun converges){'' if args.debug else '; run with --debug for the trace'}", file=sys.stderr)
        return INGEST_FAILED
    print(summary.line())
    return 1 if summary.rejected else 0


def cmd_stats(args, settings: Settings) -> int:
    from familycard.graph.store.snapshot import counts

    with open_store(settings) as store:
        for k, v in counts(store).items():
            print(f"{k:<24} {v:>10,}")
    return 0
