"""Looking ahead (graph/lookahead/): `forecast`, `nearmiss`, `whatif` and `findings`. Each
reads the store only; `--json` prints one object a line, as the issue's contract has it, and the
text form ends with a summary line."""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from familycard.cli._common import cut, date_arg, open_store, tenge
from familycard.settings import Settings


def _days(s: str) -> int:
    import argparse

    try:
        n = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{s}' is not a number of days") from None
    if not 1 <= n <= 366:
        raise argparse.ArgumentTypeError(f"{n} days: give 1 to 366")
    return n


def add_forecast(sub, today: dt.date) -> None:
    f = sub.add_parser("forecast", help="the rights that begin, end or change amount on each coming day")
    f.add_argument("--from", dest="start", type=date_arg, default=today, metavar="D",
                   help="the day before the first day forecast (default: today)")
    f.add_argument("--days", type=_days, default=30, metavar="N", help="days after D (default 30, at most 366)")
    f.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    f.add_argument("--json", action="store_true", help="one JSON object a line")
    f.set_defaults(fn=cmd_forecast)


def add_nearmiss(sub, today: dt.date) -> None:
    from familycard.graph.lookahead.nearmiss import MISSING_KINDS

    n = sub.add_parser("nearmiss", help="people one missing or blocking record away from a right")
    n.add_argument("--as-of", type=date_arg, default=today)
    n.add_argument("--kind", action="append", choices=sorted(MISSING_KINDS), metavar="KIND",
                   help=f"only this kind (repeatable): {', '.join(MISSING_KINDS)}")
    n.add_argument("--json", action="store_true", help="one JSON object a line")
    n.set_defaults(fn=cmd_nearmiss)


def add_whatif(sub, today: dt.date) -> None:
    w = sub.add_parser("whatif", help="today's dry run with dated parameters replaced: who gains, loses, the cost")
    w.add_argument("--as-of", type=date_arg, default=today)
    w.add_argument("--set", dest="settings", action="append", required=True, metavar="NAME=VALUE",
                   help="a parameter's value on the day (repeatable); a bracket entry as large_family_mci[5]=21")
    w.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    w.add_argument("--json", action="store_true", help="one JSON object a line, then the summary lines")
    w.set_defaults(fn=cmd_whatif)


def add_findings(sub, today: dt.date) -> None:
    f = sub.add_parser("findings", help="contradictions between registries that a caseworker should clear")
    f.add_argument("--as-of", type=date_arg, default=today)
    f.add_argument("--kind", action="append", metavar="KIND", help="only this kind (repeatable)")
    f.add_argument("--json", action="store_true", help="one JSON object a line")
    f.set_defaults(fn=cmd_findings)


def _json(record) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(record) + b"\n")


def cmd_forecast(args, settings: Settings) -> int:
    from familycard.graph.lookahead import forecast

    with open_store(settings) as store:
        fc = forecast(store, args.start, args.days, args.rule or None)
    if args.json:
        for c in fc.changes:
            _json(c.record())
    else:
        print(f"{'date':<10} {'change':<7} {'iin':<12} {'benefit':<22} {'subject':<12} {'tenge':>10}")
        for c in fc.changes:
            print(f"{c.date.isoformat():<10} {c.change:<7} {c.iin:<12} {cut(c.benefit, 22)} "
                  f"{c.subject or '':<12} {tenge(c.amount_kzt):>10}")
    if fc.monthly_rules:
        print(f"{', '.join(fc.monthly_rules)}: over monthly income not yet reported, forecast up to "
              f"{fc.monthly_until.isoformat()} only", file=sys.stderr)
    print(fc.line(), file=sys.stderr)
    return 0


def _listed(args, settings: Settings, fn: Callable, what: str, line: Callable[[Any], str]) -> int:
    """``fn(store, --as-of, --kind)``: a JSON object or ``line(x)`` a row, then how many and how long."""
    import time

    t = time.perf_counter()
    with open_store(settings) as store:
        found = fn(store, args.as_of, args.kind or None)
    if args.json:
        for x in found:
            _json(x.record())
    else:
        for x in found:
            print(line(x))
    print(f"{what} as of {args.as_of.isoformat()}: {len(found):,} in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)
    return 0


def cmd_nearmiss(args, settings: Settings) -> int:
    from familycard.graph.lookahead import near_misses

    return _listed(args, settings, near_misses, "near misses",
                   lambda m: f"{m.iin:<12} {cut(m.benefit, 22)} {m.subject or '':<12} {m.missing:<18} {m.detail}")


def cmd_whatif(args, settings: Settings) -> int:
    from familycard.graph.lookahead import WhatIfError, parse_settings, what_if

    try:
        values = parse_settings(args.settings)
        with open_store(settings) as store:
            wi = what_if(store, args.as_of, values, args.rule or None)
    except WhatIfError as e:
        print(f"familycard whatif: {e}", file=sys.stderr)
        return 2
    if args.json:
        for c in wi.changes:
            _json(c.record())
        for cost in wi.costs:
            _json({"summary": cost.record()})
    else:
        for name, ref in wi.references.items():
            print(f"{name} = {wi.settings[name]} (replacing the value set by {ref})")
        print(f"{'benefit':<22} {'gains':>7} {'losses':>7} {'amount':>7} {'before, tenge':>16} "
              f"{'after, tenge':>16} {'difference':>14}")
        for c in wi.costs:
            print(f"{cut(c.benefit, 22)} {c.gains:>7,} {c.losses:>7,} {c.amount_changes:>7,} "
                  f"{tenge(c.before_kzt):>16} {tenge(c.after_kzt):>16} {tenge(c.difference_kzt):>14}")
        mb, ma = wi.monthly()
        ob, oa = wi.one_off()
        print(f"monthly cost: {tenge(mb)} -> {tenge(ma)} tenge ({tenge(ma - mb)}); "
              f"one-off: {tenge(ob)} -> {tenge(oa)} tenge ({tenge(oa - ob)})")
    print(f"what-if as of {wi.as_of.isoformat()}: {len(wi.changes):,} rights differ in {wi.seconds:.1f} s",
          file=sys.stderr)
    return 0


def cmd_findings(args, settings: Settings) -> int:
    from familycard.graph.lookahead import FINDING_KINDS, findings

    unknown = sorted(set(args.kind or ()) - set(FINDING_KINDS))
    if unknown:
        print(f"familycard findings: unknown kind {', '.join(map(repr, unknown))} "
              f"(known: {', '.join(FINDING_KINDS)})", file=sys.stderr)
        return 2
    return _listed(args, settings, findings, "findings", lambda f: f"{f.kind:<26} {', '.join(f.iins):<40} {f.detail}")
