"""One person: `card` (their family card) and `explain` (why they are or are not entitled)."""
from __future__ import annotations

import datetime as dt
import sys

from familycard.cli._common import date_arg, iin_arg, open_store
from familycard.settings import Settings


def add_card(sub, today: dt.date) -> None:
    c = sub.add_parser("card", help="print one person's family card")
    c.add_argument("iin", type=iin_arg)
    c.add_argument("--today", type=date_arg, default=today)
    c.set_defaults(fn=cmd_card)


def add_explain(sub, today: dt.date) -> None:
    e = sub.add_parser("explain", help="why a person is or is not entitled, rule by rule, with the evidence")
    e.add_argument("iin", type=iin_arg)
    e.add_argument("--as-of", type=date_arg, default=today)
    e.add_argument("--lang", choices=("kk", "ru", "en"), default="en")
    e.add_argument("--rule", action="append", metavar="CODE", help="explain only this rule (repeatable)")
    e.set_defaults(fn=cmd_explain)


def cmd_card(args, settings: Settings) -> int:
    from familycard.graph.cards import family_card, render_card

    with open_store(settings) as store:
        card = family_card(store, args.iin)
    if card is None:
        print(f"IIN '{args.iin}': no such person in the graph", file=sys.stderr)
        return 1
    print(render_card(card, args.today))
    return 0


def cmd_explain(args, settings: Settings) -> int:
    from familycard.graph.rules.explain import explain, render

    with open_store(settings) as store:
        ex = explain(store, args.iin, args.as_of, args.rule or None)
    if ex.person is None:
        print(f"IIN '{args.iin}': no such person in the graph", file=sys.stderr)
        return 1
    print(render(ex, args.lang))
    return 0
