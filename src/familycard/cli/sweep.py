"""`sweep`: everyone entitled to a benefit or notice on a day, offered (or only listed)."""
from __future__ import annotations

import datetime as dt
import sys

from familycard.cli._common import cut, date_arg, held, open_store, progress_bar, tenge, timestamp_arg, wait_arg
from familycard.settings import Settings


def add_sweep(sub, today: dt.date) -> None:
    w = sub.add_parser("sweep", help="find everyone entitled to a benefit or notice on a day")
    w.add_argument("--as-of", type=date_arg, default=today)
    w.add_argument("--dry-run", action="store_true", help="only list the entitlements (writes nothing)")
    w.add_argument("--json", action="store_true", help="one JSON object a line (records.md, Entitlements out)")
    w.add_argument("--rule", action="append", metavar="CODE", help="run only this rule (repeatable)")
    w.add_argument("--batch-size", type=int, default=5000, help="offers a transaction (default 5000)")
    w.add_argument("--incremental", action="store_true",
                   help="only re-check what changed since the last sweep of the same day")
    w.add_argument("--changed-since", type=timestamp_arg, default=None, metavar="TIME",
                   help="only re-check what ingests changed after TIME (UTC, ISO 8601)")
    wait_arg(w)
    w.set_defaults(fn=cmd_sweep)


def print_sweep_summary(result, out=sys.stdout) -> None:
    from familycard.graph.rules import load_rules

    titles = {r.code: r.title["en"] for r in load_rules([run.code for run in result.runs])}
    print(f"{'rule':<22} {'found':>8} {'total, tenge':>16} {'seconds':>8}  title", file=out)
    for run in result.runs:
        total = tenge(run.total_kzt or None)
        print(f"{run.code:<22} {run.found:>8,} {total:>16} {run.seconds:>8.2f}  {titles[run.code]}", file=out)
    print(result.line(), file=out)


def cmd_sweep(args, settings: Settings) -> int:
    import orjson

    from familycard.graph.rules import load_rules
    from familycard.graph.sweep import SweepError, daily_sweep, sweep

    total = len(load_rules(args.rule or None))
    if not args.dry_run:
        day = args.as_of.isoformat()
        with held(settings, args, f"sweep|{day}", f"sweep of {day}") as store, \
                progress_bar(total, "rules", "sweep") as bar:
            try:
                done = daily_sweep(store, args.as_of, args.rule or None, incremental=args.incremental,
                                   changed_since=args.changed_since, on_rule=lambda run: bar.update(1),
                                   batch=args.batch_size)
            except SweepError as e:
                print(f"familycard sweep: {e}", file=sys.stderr)
                return 2
        print_sweep_summary(done.result)
        if done.scope:
            print(done.scope.line())
        print(done.offers.line())
        return 0
    with open_store(settings) as store, progress_bar(total, "rules", "sweep") as bar:
        result = sweep(store, args.as_of, args.rule or None, on_rule=lambda run: bar.update(1))
        if not args.json:
            from familycard.graph.cards import names

            who = names(store, {x for e in result.entitlements for x in (e.iin, e.subject)})
    if args.json:
        out = sys.stdout.buffer
        for e in result.entitlements:
            out.write(orjson.dumps(e.record()) + b"\n")
        out.flush()
        print_sweep_summary(result, sys.stderr)
        return 0
    # Names beside the IINs, cut to a column: a table to read, not to parse (--json is for that).
    print(f"{'recipient':<13} {'name':<24} {'benefit':<22} {'subject':<13} {'name':<24} {'amount, tenge':>14}")
    for e in result.entitlements:
        print(f"{e.iin:<13} {cut(who.get(e.iin, '—'), 24)} {e.benefit:<22} {e.subject or '—':<13} "
              f"{cut(who.get(e.subject, '—') if e.subject else '', 24)} {tenge(e.amount_kzt):>14}")
    print()
    print_sweep_summary(result)
    return 0
