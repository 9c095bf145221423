"""The benefit flow after the sweep: `sms` (send the queued offers, take in a reply), `pay` (a
month's payment orders and files), `offers`, `worklist` (a caseworker's tasks) and `history` (a
person's audit trail)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from familycard.cli._common import held, iin_arg, open_store, progress_bar, tenge, timestamp_arg, wait_arg
from familycard.settings import Settings


def add_sms(sub, today: dt.date) -> None:
    m = sub.add_parser("sms", help="send the queued SMS, or take in a citizen's reply")
    m.add_argument("action", choices=("send", "receive"))
    m.add_argument("--limit", type=int, default=None, help="send at most this many")
    m.add_argument("--batch-size", type=int, default=500, help="SMS a gateway call and transaction (default 500)")
    m.add_argument("--from", dest="sender", metavar="PHONE", help="receive: the phone the reply came from")
    m.add_argument("--text", help="receive: the reply's text")
    m.add_argument("--at", type=timestamp_arg, default=None, help="receive: when it arrived (UTC; default now)")
    m.add_argument("--id", default=None, help="receive: the provider's message id (makes redelivery harmless)")
    wait_arg(m)
    m.set_defaults(fn=cmd_sms)


def add_pay(sub, today: dt.date) -> None:
    y = sub.add_parser("pay", help="issue a month's payment orders; write its register (CSV) and pain.001")
    y.add_argument("--month", default=None, help="YYYY-MM (default: this month, in Kazakhstan)")
    y.add_argument("--batch-size", type=int, default=2000, help="orders a transaction (default 2000)")
    y.add_argument("--out", type=Path, default=None, help="folder for the files (default: payments in the data folder)")
    wait_arg(y)
    y.set_defaults(fn=cmd_pay)


def add_offers(sub, today: dt.date) -> None:
    from familycard.graph.flow.offers import LIST_FIELDS

    o = sub.add_parser("offers", help="offers of rights the sweep made: to whom, which phone, status")
    o.add_argument("--status", default=None, help="only this status (open, consented, refused, lapsed, withdrawn, ...)")
    o.add_argument("--benefit", default=None, metavar="CODE", help="only this rule's")
    o.add_argument("--iin", default=None, help="only this recipient's")
    o.add_argument("--sent", action="store_true", help="only offers whose SMS went out (the recipient has a phone)")
    o.add_argument("--limit", type=int, default=100, help="at most this many, in key order (default 100)")
    o.add_argument("--format", default=None, metavar="TEMPLATE",
                   help="one line an offer from a template, e.g. '{phone} {number}' (fields: "
                        + ", ".join(LIST_FIELDS) + ")")
    o.set_defaults(fn=cmd_offers)


def add_worklist(sub, today: dt.date) -> None:
    from familycard.graph.flow.worklist import REASONS

    k = sub.add_parser("worklist", help="rights a caseworker must act on: no phone, no valid bank account")
    k.add_argument("--reason", default=None, choices=tuple(REASONS), metavar="REASON",
                   help=f"only this reason: {', '.join(REASONS)}")
    k.add_argument("--closed", action="store_true",
                   help="the closed tasks instead (by a caseworker, with who and their note, or by the flow)")
    k.add_argument("--json", action="store_true")
    k.set_defaults(fn=cmd_worklist)


def add_history(sub, today: dt.date) -> None:
    h = sub.add_parser("history", help="a person's audit trail: offers, SMS, replies, assignments, payments")
    h.add_argument("iin", type=iin_arg)
    h.set_defaults(fn=cmd_history)


def paying_agency(settings: Settings):
    """The paying agency: what the settings name, the placeholders for what they leave unset."""
    from familycard.graph.bank.payment_files import Payer

    given = {"name": settings.payer_name, "iban": settings.payer_iban, "bic": settings.payer_bic}
    return Payer(**{k: v for k, v in given.items() if v is not None})


def sms_gateway(settings: Settings):
    from familycard.graph.sms.gateways import make_gateway

    return make_gateway(settings.sms_gateway, file_path=settings.sms_file_path, url=settings.sms_url,
                        token=settings.sms_token.get_secret_value() if settings.sms_token else None,
                        max_attempts=settings.sms_max_attempts)


def cmd_sms(args, settings: Settings) -> int:
    if args.action == "send":
        from familycard.graph.flow.outbox import send_outbox

        with held(settings, args, "sms send", "SMS send") as store, progress_bar(None, "SMS", "send") as bar:
            gateway = sms_gateway(settings)
            try:
                summary = send_outbox(store, gateway, limit=args.limit, batch=args.batch_size,
                                      progress=lambda n: bar.update(n - bar.n), claim_ttl=settings.lease_ttl_s)
            finally:
                gateway.close()
        where = settings.sms_file_path if settings.sms_gateway == "file" else settings.sms_gateway
        print(f"{summary.line()} (gateway: {where})")
        return 0 if summary.error is None else 1
    from familycard.graph.flow.inbox import receive

    if not args.sender or args.text is None:
        print("familycard sms receive: --from PHONE and --text TEXT are required", file=sys.stderr)
        return 2
    with open_store(settings) as store:
        outcome = receive(store, args.sender, args.text, args.at, args.id)
    print(outcome.line())
    return 0


def cmd_pay(args, settings: Settings) -> int:
    from familycard.dates import local_day, utcnow
    from familycard.graph.flow.orders import month_of, parse_month
    from familycard.graph.flow.payments import pay_month

    if args.month is None:
        args.month = month_of(local_day(utcnow()))
    try:
        payer = paying_agency(settings)  # a bad FAMILYCARD_PAYER_IBAN is named like a bad month
        parse_month(args.month)
        with held(settings, args, f"pay|{args.month}", f"payment run of {args.month}") as store:
            summary = pay_month(store, args.month, args.out or settings.payments_path, payer, batch=args.batch_size)
    except ValueError as e:
        print(f"familycard pay: {e}", file=sys.stderr)
        return 2
    print(summary.line())
    return 0


def cmd_offers(args, settings: Settings) -> int:
    """Offers as the sweep made them, one line each: a table, or ``--format`` for scripts."""
    import string

    from familycard.graph.flow.offers import LIST_FIELDS, list_offers
    from familycard.schema.iin import IINError, parse_iin

    try:  # the arguments first: a mistake is named before the store is opened
        if args.iin is not None:
            parse_iin(args.iin)
        if args.limit < 0:
            raise ValueError(f"--limit {args.limit}: must be 0 or more")
        if args.format is not None:
            # plain field names only: a template is not a way into the objects behind them
            try:
                names = {f for _, f, _, _ in string.Formatter().parse(args.format) if f is not None}
            except ValueError as e:
                raise ValueError(f"--format {args.format!r}: {e}") from None
            if bad := sorted(n for n in names if n not in LIST_FIELDS):
                raise ValueError(f"--format {args.format!r}: unknown field {bad[0]!r} "
                                 f"(fields: {', '.join(LIST_FIELDS)})")
    except (IINError, ValueError) as e:
        print(f"familycard offers: {e}", file=sys.stderr)
        return 2
    with open_store(settings) as store:
        rows = list_offers(store, status=args.status, benefit=args.benefit, iin=args.iin, sent=args.sent,
                           limit=args.limit)
    if args.format is not None:
        for r in rows:
            try:
                print(args.format.format(**{k: "" if v is None else v for k, v in r.items()}))
            except (KeyError, IndexError, ValueError) as e:  # a format spec the value does not take
                print(f"familycard offers: --format {args.format!r}: {type(e).__name__}: {e}", file=sys.stderr)
                return 2
        return 0
    print(f"{'recipient':<13} {'benefit':<22} {'status':<10} {'phone':<13} {'no.':>3} {'amount, tenge':>14}  "
          "deadline (UTC)")
    for r in rows:
        deadline = f"{r['deadline']:%Y-%m-%d %H:%M}" if r["deadline"] else "—"
        print(f"{r['iin']:<13} {r['benefit']:<22} {r['status']:<10} {r['phone'] or '—':<13} "
              f"{r['number'] or '—':>3} {tenge(r['amount_kzt']):>14}  {deadline}")
    return 0


def cmd_worklist(args, settings: Settings) -> int:
    from familycard.graph.flow.worklist import CLOSED, OPEN, render
    from familycard.graph.flow.worklist import tasks as find

    with open_store(settings) as store:
        tasks = find(store, args.reason, CLOSED if args.closed else OPEN)
    if args.json:
        import orjson

        for t in tasks:
            sys.stdout.buffer.write(orjson.dumps(t, default=str) + b"\n")
        return 0
    print(render(tasks))
    return 0


def cmd_history(args, settings: Settings) -> int:
    from familycard.graph.cards import names
    from familycard.graph.flow.history import history, iins_in, render

    with open_store(settings) as store:
        events = history(store, args.iin)
        who = names(store, iins_in(events) | {args.iin})
    if not events:
        print(f"IIN '{args.iin}': no recorded events", file=sys.stderr)
        return 1
    print(f"history of {who.get(args.iin, 'a person not in the graph')} [{args.iin}], "
          f"times in Kazakhstan (Asia/Almaty, UTC+05:00):")
    print(render(events, who))
    return 0
