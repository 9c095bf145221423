"""The `familycard` command: parses arguments, builds the settings once, calls functions."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from pathlib import Path

from pydantic import SecretStr

from familycard.dates import local_today
from familycard.settings import Settings


class _Parser(argparse.ArgumentParser):
    """argparse, telling a mistake in one line (what, where, and where help is) with exit code
    2, without the usage block above it."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _CommandParser(_Parser):
    """A command's parser: takes --debug after the command too (`familycard card X --debug`),
    without resetting the one given before it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _iin(s: str) -> str:
    """An IIN argument, checked as the feed checks one (schema/iin.py)."""
    from familycard.schema.iin import IINError, parse_iin

    try:
        parse_iin(s)
    except IINError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return s


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{s}' is not a date (YYYY-MM-DD)") from None


def _timestamp(s: str) -> dt.datetime:
    """ISO 8601; an offset is converted to UTC, none means UTC already."""
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{s}' is not a time (ISO 8601, e.g. 2026-11-25T09:30:00Z)") from None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


def _bar(total: int | None, unit: str, desc: str):
    """A progress bar on a terminal; silent otherwise (logs and CI stay readable)."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, unit_scale=True, disable=not sys.stderr.isatty(),
                leave=False)


def _open_store(settings: Settings):
    from familycard.graph.store import open_store

    return open_store(settings)


# --- one run at a time of a job (graph/leases.py) --------------------------------------------

@contextlib.contextmanager
def _held(settings: Settings, args, key: str, job: str):
    """The store, with this run's lease on ``key`` for the block: a run that finds the store
    (a LadybugDB folder) or the job held waits up to --wait seconds for it, then stops with one
    line naming the holder (``StoreBusy``: exit 3)."""
    import time

    from familycard.graph import leases
    from familycard.graph.store import StoreBusy

    deadline = time.monotonic() + args.wait
    while True:
        try:
            store = _open_store(settings)
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


def _wait_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="if another run holds this job (or the store), wait up to this long for it "
                             "(default: stop at once, exit code 3)")


def cmd_generate(args, settings: Settings) -> int:
    from familycard.synthetic import write_feed

    with _bar(args.people, "people", "generate") as bar, \
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
    from familycard.synthetic import write_changes

    with _open_store(settings) as store:
        if not store.read("MATCH (p:Person) RETURN p.iin AS iin LIMIT 1"):
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


def _ingest(settings: Settings, source: str, today: dt.date, show: int, batch_size: int | None = None):
    from familycard.graph.ingest import ingest_stream

    with _open_store(settings) as store:
        if source == "-":
            stream, size, origin = sys.stdin.buffer, None, "<stdin>"
        else:
            path = Path(source)
            stream, size, origin = open(path, "rb"), path.stat().st_size, path.name
        with stream, _bar(size, "B", "ingest") as bar:
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
        path = Path(args.file)
        why = ("no such file" if not path.exists() else
               "is a folder; give the feed file (JSONL) in it" if path.is_dir() else None)
        if why is None and path.is_file():  # not a FIFO: opening one to look would take a reader from its writer
            try:
                open(path, "rb").close()
            except OSError as e:
                why = e.strerror or type(e).__name__
        if why:
            print(f"familycard ingest: '{args.file}': {why}", file=sys.stderr)
            return 2
    try:
        summary = _ingest(settings, args.file, args.today, args.show_rejected, args.batch_size)
    except StoreUnavailable:
        raise
    except Exception as e:
        if args.debug:
            traceback.print_exc()
        print(f"familycard: ingest failed: {type(e).__name__}: {_scrubbed(e)} (the batches stored before it stay; "
              f"a rerun converges){'' if args.debug else '; run with --debug for the trace'}", file=sys.stderr)
        return INGEST_FAILED
    print(summary.line())
    return 1 if summary.rejected else 0


def cmd_stats(args, settings: Settings) -> int:
    from familycard.graph.snapshot import counts

    with _open_store(settings) as store:
        for k, v in counts(store).items():
            print(f"{k:<24} {v:>10,}")
    return 0


def cmd_card(args, settings: Settings) -> int:
    from familycard.graph.cards import family_card, render_card

    with _open_store(settings) as store:
        card = family_card(store, args.iin)
    if card is None:
        print(f"IIN '{args.iin}': no such person in the graph", file=sys.stderr)
        return 1
    print(render_card(card, args.today))
    return 0


def cmd_demo(args, settings: Settings) -> int:
    """The main job on the embedded default: generate, ingest, show what is in the graph."""
    from familycard.graph.cards import family_card, render_card
    from familycard.graph.snapshot import counts

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings = _demo_keys(settings)
    feed = settings.data_dir / "demo-feed.jsonl"
    print(f"familycard demo: {args.people} people, seed {args.seed}, as of {args.as_of}, "
          f"store {settings.store} ({settings.data_dir if settings.store == 'embedded' else settings.neo4j_uri})")
    gen = argparse.Namespace(people=args.people, seed=args.seed, as_of=args.as_of, bad_rate=0.0,
                             history_months=12, output=str(feed))
    cmd_generate(gen, settings)
    summary = _ingest(settings, str(feed), args.as_of, show=10)
    print(f"ingest: {summary.line()}")
    with _open_store(settings) as store:
        c = counts(store)
        print("in the graph:")
        for k, v in c.items():
            print(f"  {k:<24} {v:>10,}")
        examples = store.read(
            "MATCH (p:Person)-[:PARENT_OF]->(c:Person) WHERE p.sex = 'F' AND p.death_date IS NULL "
            "WITH p, count(c) AS n ORDER BY n DESC, p.iin LIMIT 2 RETURN p.iin AS iin")
        examples += store.read(
            "MATCH (g:Person)-[:PARENT_OF]->(p:Person)-[:PARENT_OF]->(c:Person) "
            "WHERE g.address_id = c.address_id AND g.death_date IS NULL "
            "RETURN c.iin AS iin ORDER BY c.birth_date DESC, c.iin LIMIT 1")
        for e in examples:
            print()
            print(render_card(family_card(store, e["iin"]), args.as_of))
        from familycard.graph.sweep import daily_sweep

        done = daily_sweep(store, args.as_of)
        print()
        print(f"sweep as of {args.as_of}: entitlements per benefit and notice, each offered by SMS")
        _print_sweep_summary(done.result)
        print(done.offers.line())
        _demo_flow(store, settings)
    if done.result.entitlements:
        e = next((x for x in done.result.entitlements if x.benefit == "large_family"), done.result.entitlements[0])
        print(f"\nwhy: familycard explain {e.iin} --as-of {args.as_of}   (--lang kk|ru|en)")
    print(f"\nserve it: familycard serve   (with this demo's keys, kept in {settings.local_settings_path}, "
          "mode 0600; a token: familycard token --role admin --subject you; GraphiQL: "
          "FAMILYCARD_GRAPHIQL=true FAMILYCARD_INTROSPECTION=true familycard serve)")
    if args.serve:
        _serve_demo(settings, args, examples[0]["iin"] if examples else None)
    return 1 if summary.rejected else 0


def _demo_keys(settings: Settings) -> Settings:
    """The settings with the demo's API keys: a signing key for bearer JWTs and the key of the
    opaque citizen ids. Those the settings lack (from the environment, ``.env`` or an earlier demo)
    are made here and kept in the data folder's ``settings.env``, mode 0600, so that a later
    `familycard serve` accepts the tokens the demo printed and `familycard token` issues more
    (and citizen ids stay the same across restarts)."""
    import os
    import secrets

    new = {name: SecretStr(secrets.token_urlsafe(32)) for name in ("jwt_secret", "id_secret")
           if getattr(settings, name) is None}
    if not new:
        return settings
    path = settings.local_settings_path
    text = path.read_text(encoding="utf-8") if path.is_file() else (
        "# familycard: this data folder's settings, read after the environment and ./.env.\n"
        "# Written by `familycard demo`: it holds secrets, so it stays mode 0600; never commit it.\n")
    if not text.endswith("\n"):
        text += "\n"
    text += "".join(f"FAMILYCARD_{name.upper()}={v.get_secret_value()}\n" for name, v in new.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that was there already gets no looser a mode than a new one
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return settings.model_copy(update=new)


def _serve_demo(settings: Settings, args, iin: str | None) -> None:
    """Serve the demo population over GraphQL with tokens for this session, until Ctrl-C."""
    import uvicorn

    from familycard.api.app import create_app
    from familycard.api.auth import issue_token
    from familycard.api.types import ROLES

    # A demo session: GraphiQL with introspection unless the settings say otherwise (the keys
    # are the data folder's, see _demo_keys).
    settings = settings.model_copy(update={flag: True for flag in ("graphiql", "introspection")
                                           if flag not in settings.model_fields_set})
    url = f"http://{args.host}:{args.port}/graphql"
    print(f"\nserving the demo population: {url}" + ("  (GraphiQL: open it in a browser)" if settings.graphiql else ""))
    print("bearer tokens for this session (12 h):")
    tokens = {r: issue_token(settings, f"demo-{r}", r, dt.timedelta(hours=12)) for r in ROLES}
    for role, token in tokens.items():
        print(f"  {role:<11} {token}")
    if iin:
        card = '{ familyCard(iin: "IIN") { person { givenName iin } relations { relation citizen { givenName } } } }'
        query = json.dumps({"query": card.replace("IIN", iin)})
        print(f"try:\n  curl -s {url} -H 'Authorization: Bearer {tokens['frontend']}' "
              f"-H 'Content-Type: application/json' -d '{query}'")
    print("Ctrl-C stops it.", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")


def _demo_flow(store, settings: Settings) -> None:
    """SMS out to the file gateway, one scripted consent, and the payment order it makes."""
    from familycard.graph.flow import local_day, utcnow
    from familycard.graph.inbox import receive
    from familycard.graph.payments import month_of, pay_month
    from familycard.graph.sms import send_outbox

    gateway = _gateway(settings)
    try:
        sent = send_outbox(store, gateway)
    finally:
        gateway.close()
    print(f"{sent.line()} → {settings.sms_file_path if settings.sms_gateway == 'file' else settings.sms_gateway}")
    pick = store.read(
        "MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL AND o.amount_kzt IS NOT NULL "
        "MATCH (p:Person {iin: o.iin}) WHERE p.bank_account IS NOT NULL "
        "RETURN o.key AS key, o.phone AS phone, o.number AS number, o.iin AS iin "
        "ORDER BY o.periodicity DESC, o.key LIMIT 1")
    if not pick:
        print("no open offer with a phone and a bank account to answer in the demo")
        return
    o = pick[0]
    many = store.read("MATCH (x:Offer) WHERE x.phone = $p AND x.status = 'open' RETURN count(x) AS n",
                      {"p": o["phone"]})[0]["n"] > 1
    text = f"{o['number']} иә" if many else "Иә"
    print(f"\nscripted reply: familycard sms receive --from '{o['phone']}' --text '{text}'")
    print("  " + receive(store, o["phone"], text).line())
    month = month_of(local_day(utcnow()))
    paid = pay_month(store, month, settings.payments_path, _payer(settings))
    print(f"payments: familycard pay --month {month}\n  {paid.line()}")
    print(f"its story: familycard history {o['iin']}")


def _tenge(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}".replace(",", " ")


def _cut(text: str, width: int) -> str:
    """``text`` in a column of ``width``: padded, or cut with "…"."""
    return f"{text:<{width}}" if len(text) <= width else text[:width - 1] + "…"


def _print_sweep_summary(result, out=sys.stdout) -> None:
    from familycard.graph.rules import load_rules

    titles = {r.code: r.title["en"] for r in load_rules([run.code for run in result.runs])}
    print(f"{'rule':<22} {'found':>8} {'total, tenge':>16} {'seconds':>8}  title", file=out)
    for run in result.runs:
        total = _tenge(run.total_kzt or None)
        print(f"{run.code:<22} {run.found:>8,} {total:>16} {run.seconds:>8.2f}  {titles[run.code]}", file=out)
    print(result.line(), file=out)


def cmd_sweep(args, settings: Settings) -> int:
    import orjson

    from familycard.graph.rules import load_rules
    from familycard.graph.sweep import SweepError, daily_sweep, sweep

    total = len(load_rules(args.rule or None))
    if not args.dry_run:
        day = args.as_of.isoformat()
        with _held(settings, args, f"sweep|{day}", f"sweep of {day}") as store, _bar(total, "rules", "sweep") as bar:
            try:
                done = daily_sweep(store, args.as_of, args.rule or None, incremental=args.incremental,
                                   changed_since=args.changed_since, on_rule=lambda run: bar.update(1),
                                   batch=args.batch_size)
            except SweepError as e:
                print(f"familycard sweep: {e}", file=sys.stderr)
                return 2
        _print_sweep_summary(done.result)
        if done.scope:
            print(done.scope.line())
        print(done.offers.line())
        return 0
    with _open_store(settings) as store, _bar(total, "rules", "sweep") as bar:
        result = sweep(store, args.as_of, args.rule or None, on_rule=lambda run: bar.update(1))
        if not args.json:
            from familycard.graph.cards import names

            who = names(store, {x for e in result.entitlements for x in (e.iin, e.subject)})
    if args.json:
        out = sys.stdout.buffer
        for e in result.entitlements:
            out.write(orjson.dumps(e.record()) + b"\n")
        out.flush()
        _print_sweep_summary(result, sys.stderr)
        return 0
    # Names beside the IINs, cut to a column: a table to read, not to parse (--json is for that).
    print(f"{'recipient':<13} {'name':<24} {'benefit':<22} {'subject':<13} {'name':<24} {'amount, tenge':>14}")
    for e in result.entitlements:
        print(f"{e.iin:<13} {_cut(who.get(e.iin, '—'), 24)} {e.benefit:<22} {e.subject or '—':<13} "
              f"{_cut(who.get(e.subject, '—') if e.subject else '', 24)} {_tenge(e.amount_kzt):>14}")
    print()
    _print_sweep_summary(result)
    return 0


def _payer(settings: Settings):
    """The paying agency: what the settings name, the placeholders for what they leave unset."""
    from familycard.graph.payment_files import Payer

    given = {"name": settings.payer_name, "iban": settings.payer_iban, "bic": settings.payer_bic}
    return Payer(**{k: v for k, v in given.items() if v is not None})


def _gateway(settings: Settings):
    from familycard.graph.gateways import make_gateway

    return make_gateway(settings.sms_gateway, file_path=settings.sms_file_path, url=settings.sms_url,
                        token=settings.sms_token.get_secret_value() if settings.sms_token else None,
                        max_attempts=settings.sms_max_attempts)


def cmd_sms(args, settings: Settings) -> int:
    if args.action == "send":
        from familycard.graph.sms import send_outbox

        with _held(settings, args, "sms send", "SMS send") as store, _bar(None, "SMS", "send") as bar:
            gateway = _gateway(settings)
            try:
                summary = send_outbox(store, gateway, limit=args.limit, batch=args.batch_size,
                                      progress=lambda n: bar.update(n - bar.n), claim_ttl=settings.lease_ttl_s)
            finally:
                gateway.close()
        where = settings.sms_file_path if settings.sms_gateway == "file" else settings.sms_gateway
        print(f"{summary.line()} (gateway: {where})")
        return 0 if summary.error is None else 1
    from familycard.graph.inbox import receive

    if not args.sender or args.text is None:
        print("familycard sms receive: --from PHONE and --text TEXT are required", file=sys.stderr)
        return 2
    with _open_store(settings) as store:
        outcome = receive(store, args.sender, args.text, args.at, args.id)
    print(outcome.line())
    return 0


def cmd_pay(args, settings: Settings) -> int:
    from familycard.graph.flow import local_day, utcnow
    from familycard.graph.payments import month_of, parse_month, pay_month

    if args.month is None:
        args.month = month_of(local_day(utcnow()))
    try:
        payer = _payer(settings)  # a bad FAMILYCARD_PAYER_IBAN is named like a bad month
        parse_month(args.month)
        with _held(settings, args, f"pay|{args.month}", f"payment run of {args.month}") as store:
            summary = pay_month(store, args.month, args.out or settings.payments_path, payer, batch=args.batch_size)
    except ValueError as e:
        print(f"familycard pay: {e}", file=sys.stderr)
        return 2
    print(summary.line())
    return 0


_OFFER_FIELDS = ("key", "iin", "benefit", "subject", "status", "phone", "number", "amount_kzt", "deadline")


def cmd_offers(args, settings: Settings) -> int:
    """Offers as the sweep made them, one line each: a table, or ``--format`` for scripts."""
    import string

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
            if bad := sorted(n for n in names if n not in _OFFER_FIELDS):
                raise ValueError(f"--format {args.format!r}: unknown field {bad[0]!r} "
                                 f"(fields: {', '.join(_OFFER_FIELDS)})")
    except (IINError, ValueError) as e:
        print(f"familycard offers: {e}", file=sys.stderr)
        return 2
    where, params = [], {}
    for name, column in (("status", "status"), ("benefit", "code"), ("iin", "iin")):
        if getattr(args, name) is not None:
            where.append(f"o.{column} = ${name}")
            params[name] = getattr(args, name)
    if args.sent:
        where.append("o.sent_at IS NOT NULL")
    with _open_store(settings) as store:
        rows = store.read(
            "MATCH (o:Offer) " + (f"WHERE {' AND '.join(where)} " if where else "")
            + "RETURN o.key AS key, o.iin AS iin, o.code AS benefit, o.subject AS subject, o.status AS status, "
              "o.phone AS phone, o.number AS number, o.amount_kzt AS amount_kzt, o.deadline AS deadline "
              f"ORDER BY o.key LIMIT {args.limit}", params)
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
              f"{r['number'] or '—':>3} {_tenge(r['amount_kzt']):>14}  {deadline}")
    return 0


def cmd_worklist(args, settings: Settings) -> int:
    from familycard.graph.worklist import open_tasks, render

    with _open_store(settings) as store:
        tasks = open_tasks(store, args.reason)
    if args.json:
        import orjson

        for t in tasks:
            sys.stdout.buffer.write(orjson.dumps(t, default=str) + b"\n")
        return 0
    print(render(tasks))
    return 0


def cmd_history(args, settings: Settings) -> int:
    from familycard.graph.audit import history, iins_in, render
    from familycard.graph.cards import names

    with _open_store(settings) as store:
        events = history(store, args.iin)
        who = names(store, iins_in(events) | {args.iin})
    if not events:
        print(f"IIN '{args.iin}': no recorded events", file=sys.stderr)
        return 1
    print(f"history of {who.get(args.iin, 'a person not in the graph')} [{args.iin}], "
          f"times in Kazakhstan (Asia/Almaty, UTC+05:00):")
    print(render(events, who))
    return 0


def cmd_serve(args, settings: Settings) -> int:
    import uvicorn

    from familycard.api.app import create_app

    # The store is opened here, not at the app's startup: a folder another process holds, or a
    # Neo4j that does not answer, is then one line and an exit code (3, 2), not uvicorn's trace.
    with _open_store(settings) as store:
        if settings.jwt_secret is None and not settings.api_keys:
            print("familycard serve: no way to sign in: set FAMILYCARD_JWT_SECRET (32 bytes or more; then "
                  "`familycard token` issues tokens) or FAMILYCARD_API_KEYS; until then only /health and the "
                  "public benefit catalogue answer (`familycard demo` keeps its keys in "
                  f"{settings.local_settings_path})",
                  file=sys.stderr, flush=True)
        print(f"familycard API on http://{args.host}:{args.port}/graphql (store: {settings.store})", flush=True)
        uvicorn.run(create_app(settings, store), host=args.host, port=args.port, log_level="info",
                    access_log=not args.no_access_log)
    return 0


def cmd_token(args, settings: Settings) -> int:
    from familycard.api.auth import AuthError, issue_token

    try:
        print(issue_token(settings, args.subject, args.role, dt.timedelta(hours=args.hours)))
    except AuthError as e:
        print(f"familycard token: {e}", file=sys.stderr)
        return 2
    return 0


def cmd_schema(args, settings: Settings) -> int:
    from familycard.api.schema import SDL_PATH, sdl

    if args.write:
        SDL_PATH.write_text(sdl(), encoding="utf-8")
        print(f"wrote {SDL_PATH}")
    else:
        sys.stdout.write(sdl())
    return 0


def cmd_explain(args, settings: Settings) -> int:
    from familycard.graph.explain import explain, render

    with _open_store(settings) as store:
        ex = explain(store, args.iin, args.as_of, args.rule or None)
    if ex.person is None:
        print(f"IIN '{args.iin}': no such person in the graph", file=sys.stderr)
        return 1
    print(render(ex, args.lang))
    return 0


def cmd_neo4j(args, settings: Settings) -> int:
    from familycard import neo4j_server as ns

    data_dir = settings.data_dir / "neo4j"
    if args.action == "start":
        cache = settings.neo4j_home or ns.default_cache_dir()
        print(f"Neo4j {ns.NEO4J_VERSION} from {cache} (fetched from Maven Central on first use) ...", file=sys.stderr)
        pid, uri = ns.start_background(data_dir, args.port, cache)
        print(f"Neo4j {ns.NEO4J_VERSION} running (pid {pid}) at {uri}, data in {data_dir}")
        print(f"use it with: export FAMILYCARD_STORE=neo4j FAMILYCARD_NEO4J_URI={uri}")
        return 0
    if args.action == "stop":
        stopped = ns.stop_background(data_dir)
        print("stopped" if stopped else "not running")
        return 0
    st = ns.status(data_dir)
    print(st or "not running")
    return 0 if st else 1


def build_parser() -> argparse.ArgumentParser:
    from familycard.graph.worklist import REASONS

    # The day in Kazakhstan, as consent and pay count it: the machine's own date made a sweep
    # run at 19:00-24:00 UTC find the rights of the day before while consent dated them the next.
    today = local_today()
    p = _Parser(prog="familycard", description="The Digital Family Card: kinship graph, "
                "registry feed ingest, proactive benefits.")
    p.add_argument("--debug", action="store_true", help="show the trace of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_CommandParser)

    g = sub.add_parser("generate", help="write a reproducible demo population as a registry feed")
    g.add_argument("--people", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--as-of", type=_date, default=today)
    g.add_argument("--bad-rate", type=float, default=0.0, help="fraction of deliberately bad lines")
    g.add_argument("--history-months", type=int, default=12, help="months of income/contributions")
    g.add_argument("-o", "--output", required=True, help="file, or - for stdout")
    g.set_defaults(fn=cmd_generate)

    x = sub.add_parser("changes", help="a day of registry changes for the people in the store, as a feed")
    x.add_argument("--date", type=_date, default=today, help="the day the registries send them (default today)")
    x.add_argument("--count", type=int, default=500, help="about this many records (default 500)")
    x.add_argument("--seed", type=int, default=1, help="the same store, date and seed give the same records")
    x.add_argument("-o", "--output", required=True, help="file, or - for stdout")
    x.set_defaults(fn=cmd_changes)

    i = sub.add_parser("ingest", help="validate and load a JSONL feed (file or -)")
    i.add_argument("file")
    i.add_argument("--today", type=_date, default=today, help="the ingest day: later death dates are refused")
    i.add_argument("--show-rejected", type=int, default=50, help="rejected lines to print (default 50)")
    i.add_argument("--batch-size", type=int, default=None,
                   help="records a transaction (default: 50000 on LadybugDB, 10000 on Neo4j)")
    i.set_defaults(fn=cmd_ingest)

    d = sub.add_parser("demo", help="generate a demo population, ingest it, show counts and family cards")
    d.add_argument("--people", type=int, default=5000)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--as-of", type=_date, default=today)
    d.add_argument("--serve", action="store_true", help="then serve it over GraphQL (prints the URL and tokens)")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.set_defaults(fn=cmd_demo)

    s = sub.add_parser("stats", help="counts of persons, links and facts in the graph")
    s.set_defaults(fn=cmd_stats)

    c = sub.add_parser("card", help="print one person's family card")
    c.add_argument("iin", type=_iin)
    c.add_argument("--today", type=_date, default=today)
    c.set_defaults(fn=cmd_card)

    w = sub.add_parser("sweep", help="find everyone entitled to a benefit or notice on a day")
    w.add_argument("--as-of", type=_date, default=today)
    w.add_argument("--dry-run", action="store_true", help="only list the entitlements (writes nothing)")
    w.add_argument("--json", action="store_true", help="one JSON object a line (records.md, Entitlements out)")
    w.add_argument("--rule", action="append", metavar="CODE", help="run only this rule (repeatable)")
    w.add_argument("--batch-size", type=int, default=5000, help="offers a transaction (default 5000)")
    w.add_argument("--incremental", action="store_true",
                   help="only re-check what changed since the last sweep of the same day")
    w.add_argument("--changed-since", type=_timestamp, default=None, metavar="TIME",
                   help="only re-check what ingests changed after TIME (UTC, ISO 8601)")
    _wait_arg(w)
    w.set_defaults(fn=cmd_sweep)

    m = sub.add_parser("sms", help="send the queued SMS, or take in a citizen's reply")
    m.add_argument("action", choices=("send", "receive"))
    m.add_argument("--limit", type=int, default=None, help="send at most this many")
    m.add_argument("--batch-size", type=int, default=500, help="SMS a gateway call and transaction (default 500)")
    m.add_argument("--from", dest="sender", metavar="PHONE", help="receive: the phone the reply came from")
    m.add_argument("--text", help="receive: the reply's text")
    m.add_argument("--at", type=_timestamp, default=None, help="receive: when it arrived (UTC; default now)")
    m.add_argument("--id", default=None, help="receive: the provider's message id (makes redelivery harmless)")
    _wait_arg(m)
    m.set_defaults(fn=cmd_sms)

    y = sub.add_parser("pay", help="issue a month's payment orders; write its register (CSV) and pain.001")
    y.add_argument("--month", default=None, help="YYYY-MM (default: this month, in Kazakhstan)")
    y.add_argument("--batch-size", type=int, default=2000, help="orders a transaction (default 2000)")
    y.add_argument("--out", type=Path, default=None, help="folder for the files (default: payments in the data folder)")
    _wait_arg(y)
    y.set_defaults(fn=cmd_pay)

    o = sub.add_parser("offers", help="offers of rights the sweep made: to whom, which phone, status")
    o.add_argument("--status", default=None, help="only this status (open, consented, refused, lapsed, withdrawn, ...)")
    o.add_argument("--benefit", default=None, metavar="CODE", help="only this rule's")
    o.add_argument("--iin", default=None, help="only this recipient's")
    o.add_argument("--sent", action="store_true", help="only offers whose SMS went out (the recipient has a phone)")
    o.add_argument("--limit", type=int, default=100, help="at most this many, in key order (default 100)")
    o.add_argument("--format", default=None, metavar="TEMPLATE",
                   help="one line an offer from a template, e.g. '{phone} {number}' (fields: "
                        + ", ".join(_OFFER_FIELDS) + ")")
    o.set_defaults(fn=cmd_offers)

    k = sub.add_parser("worklist", help="rights a caseworker must act on: no phone, no valid bank account")
    k.add_argument("--reason", default=None, choices=tuple(REASONS), metavar="REASON",
                   help=f"only this reason: {', '.join(REASONS)}")
    k.add_argument("--json", action="store_true")
    k.set_defaults(fn=cmd_worklist)

    h = sub.add_parser("history", help="a person's audit trail: offers, SMS, replies, assignments, payments")
    h.add_argument("iin", type=_iin)
    h.set_defaults(fn=cmd_history)

    t = sub.add_parser("token", help="a signed bearer token (JWT) for the GraphQL API; needs FAMILYCARD_JWT_SECRET")
    t.add_argument("--role", required=True, choices=("frontend", "caseworker", "auditor", "admin"))
    t.add_argument("--subject", required=True, help="who the token is for (logged with every card they read)")
    t.add_argument("--hours", type=float, default=8.0)
    t.set_defaults(fn=cmd_token)

    g = sub.add_parser("schema", help="print the GraphQL SDL (the contract in src/familycard/schema/schema.graphql)")
    g.add_argument("--write", action="store_true", help="write it to that file instead")
    g.set_defaults(fn=cmd_schema)

    v = sub.add_parser("serve", help="the HTTP app: GraphQL at /graphql, /health, the SMS reply webhook")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--no-access-log", action="store_true", help="no line per HTTP request (uvicorn's)")
    v.set_defaults(fn=cmd_serve)

    e = sub.add_parser("explain", help="why a person is or is not entitled, rule by rule, with the evidence")
    e.add_argument("iin", type=_iin)
    e.add_argument("--as-of", type=_date, default=today)
    e.add_argument("--lang", choices=("kk", "ru", "en"), default="en")
    e.add_argument("--rule", action="append", metavar="CODE", help="explain only this rule (repeatable)")
    e.set_defaults(fn=cmd_explain)

    n = sub.add_parser("neo4j", help="a local Neo4j 5.26 Community (from Maven Central, needs Java 17)")
    n.add_argument("action", choices=("start", "stop", "status"))
    n.add_argument("--port", type=int, default=7687)
    n.set_defaults(fn=cmd_neo4j)
    return p


def main(argv: list[str] | None = None) -> int:
    import faulthandler
    import signal

    # `kill -USR1 <pid>` prints where a long job is (stacks of all threads) to stderr.
    with contextlib.suppress(ValueError, OSError):  # stderr without a file descriptor (captured)
        faulthandler.register(signal.SIGUSR1, all_threads=True)

    from familycard import settings as config
    from familycard.graph.rules import RuleError
    from familycard.graph.store import Conflict, StoreBusy, StoreUnavailable

    args = build_parser().parse_args(argv)
    try:
        settings = config.load()
    except config.SettingsInvalid as e:
        for line in e.lines:
            print(f"familycard: {line}", file=sys.stderr)
        return 2
    for name, close in config.unknown_names_here():
        print(f"familycard: warning: {name} is not a familycard setting and is ignored"
              + (f" (did you mean {close}?)" if close else ""), file=sys.stderr)
    try:
        code = args.fn(args, settings)
        sys.stdout.flush()  # here, not at exit: a reader gone (`| head`) is then seen below
        return code
    except StoreBusy as e:  # another run holds the job or the store: one line, exit 3
        wait = " (or rerun with --wait SECONDS)" if (
            e.waiting_helps and getattr(args, "wait", None) == 0 and "--wait" not in str(e)) else ""
        print(f"familycard {args.command}: {e}{wait}", file=sys.stderr)
        return 3
    except Conflict as e:
        print(f"familycard {args.command}: another run kept writing the same records at the same time ({e}); "
              "rerun when it is done", file=sys.stderr)
        return 3
    except (StoreUnavailable, RuleError) as e:
        print(f"familycard: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        if not _reader_gone(sys.stdout):
            return _unexpected(args)
        return _stop_quietly()
    except KeyboardInterrupt:
        print(f"familycard {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as e:
        if e.filename is None or args.debug:  # a socket, a driver: not a path the user gave
            return _unexpected(args)
        # A file or folder that cannot be read or written (the data folder, --out, the SMS file).
        why = ("is a file, not a folder" if isinstance(e, FileExistsError) and Path(e.filename).is_file()
               else e.strerror or type(e).__name__)
        print(f"familycard {args.command}: '{e.filename}': {why}", file=sys.stderr)
        return 2
    except Exception:
        return _unexpected(args)


def _scrubbed(e: BaseException) -> str:
    """An exception's message, first line, without the values it may quote (IINs, phones)."""
    from familycard.graph.store import scrub_engine_message

    text = str(e).strip()
    return scrub_engine_message(text.splitlines()[0]) if text else type(e).__name__


def _unexpected(args) -> int:
    """An error nobody foresaw: the trace with --debug, else one line saying how to get it."""
    if args.debug:
        raise  # noqa: PLE0704 — called from an except block: the error being handled
    e = sys.exc_info()[1]
    print(f"familycard {args.command}: unexpected error: {type(e).__name__}: {_scrubbed(e)} "
          f"(run with --debug for the trace)", file=sys.stderr)
    return 1


def _reader_gone(stream) -> bool:
    """Whether the reader of ``stream`` has gone (the pipe's write end reports an error), so a
    BrokenPipeError is ``… | head`` and not a socket's."""
    import select

    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(ev & select.POLLERR for _, ev in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return True


def _stop_quietly() -> int:
    """`familycard … | head`: the reader has what it wanted. Stop without a word, as `cat` and
    `git log` do, with the status a shell gives them (128 + SIGPIPE); stdout goes to /dev/null
    so that Python's flush at exit does not complain about the pipe once more."""
    import os
    import signal

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
