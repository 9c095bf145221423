"""`demo`: the main job on the embedded default, from a generated population to a payment order,
and optionally served over GraphQL with tokens for the session."""
from __future__ import annotations

import argparse
import datetime as dt
import json

from pydantic import SecretStr

from familycard.cli._common import date_arg, open_store
from familycard.cli.flow import paying_agency, sms_gateway
from familycard.cli.population import cmd_generate, ingest
from familycard.cli.sweep import print_sweep_summary
from familycard.settings import Settings


def add_demo(sub, today: dt.date) -> None:
    d = sub.add_parser("demo", help="generate a demo population, load it, show counts and family cards")
    d.add_argument("--people", type=int, default=5000)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--as-of", type=date_arg, default=today)
    d.add_argument("--serve", action="store_true", help="then serve it over GraphQL (prints the URL and tokens)")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.set_defaults(fn=cmd_demo)


def cmd_demo(args, settings: Settings) -> int:
    """The main job on the embedded default: generate, load, show what is in the graph."""
    from familycard.graph.cards import example_iins, family_card, render_card
    from familycard.graph.store.snapshot import counts

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings = _demo_keys(settings)
    feed = settings.data_dir / "demo-feed.jsonl"
    print(f"familycard demo: {args.people} people, seed {args.seed}, as of {args.as_of}, "
          f"store {settings.store} ({settings.data_dir if settings.store == 'embedded' else settings.neo4j_uri})")
    gen = argparse.Namespace(people=args.people, seed=args.seed, as_of=args.as_of, bad_rate=0.0,
                             history_months=12, output=str(feed))
    cmd_generate(gen, settings)
    summary = _load_or_ingest(settings, feed, args.as_of)
    with open_store(settings) as store:
        c = counts(store)
        print("in the graph:")
        for k, v in c.items():
            print(f"  {k:<24} {v:>10,}")
        examples = example_iins(store)
        for iin in examples:
            print()
            print(render_card(family_card(store, iin), args.as_of))
        from familycard.graph.sweep import daily_sweep

        done = daily_sweep(store, args.as_of)
        print()
        print(f"sweep as of {args.as_of}: entitlements per benefit and notice, each offered by SMS")
        print_sweep_summary(done.result)
        print(done.offers.line())
        _demo_flow(store, settings)
    if done.result.entitlements:
        e = next((x for x in done.result.entitlements if x.benefit == "large_family"), done.result.entitlements[0])
        print(f"\nwhy: familycard explain {e.iin} --as-of {args.as_of}   (--lang kk|ru|en)")
    print(f"\nserve it: familycard serve   (with this demo's keys, kept in {settings.local_settings_path}, "
          "mode 0600; a token: familycard token --role admin --subject you; GraphiQL: "
          "FAMILYCARD_GRAPHIQL=true FAMILYCARD_INTROSPECTION=true familycard serve)")
    if args.serve:
        _serve_demo(settings, args, examples[0] if examples else None)
    return 1 if summary.rejected else 0


def _load_or_ingest(settings: Settings, feed, as_of: dt.date):
    """The first step for real data: `familycard load` into an empty store. A demo run again on
    the same folder finds it filled (by the last demo, or by the user): the feed is then
    ingested, which stores nothing that is there already (a load would refuse, or wipe it). On
    Neo4j too: a load stops and restarts the server, which only a local one allows."""
    from familycard.graph.load.run import StoreNotEmpty, load_feeds

    if settings.store != "embedded":
        summary = ingest(settings, str(feed), as_of, show=10)
        print(f"ingest: {summary.line()}")
        return summary
    try:
        summary = load_feeds(settings, [feed], as_of)  # it looks whether the store is empty first
    except StoreNotEmpty:
        summary = ingest(settings, str(feed), as_of, show=10)
        print(f"ingest (the store was not empty: not a load): {summary.line()}")
        return summary
    for r in summary.rejections[:10]:
        print(f"rejected {r}")
    print(f"load: {summary.line()} ({', '.join(s.line() for s in summary.steps)})")
    return summary


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
    from familycard.settings import ROLES

    # A demo session: GraphiQL with introspection unless the settings say otherwise (the keys
    # are the data folder's, see _demo_keys).
    settings = settings.model_copy(update={flag: True for flag in ("graphiql", "introspection")
                                           if flag not in settings.model_fields_set})
    url = f"http://{args.host}:{args.port}/graphql"
    tokens = {r: issue_token(settings, f"demo-{r}", r, dt.timedelta(hours=12)) for r in ROLES}
    # What a caseworker needs first: where the console is and a token to sign in with.
    print(f"\nthe caseworkers' console: http://{args.host}:{args.port}/  (open it in a browser and sign in with "
          "the caseworker token)")
    print(f"caseworker token: {tokens['caseworker']}")
    print(f"\nserving the demo population: {url}" + ("  (GraphiQL: open it in a browser)" if settings.graphiql else ""))
    print("bearer tokens for this session (12 h):")
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
    from familycard.dates import local_day, utcnow
    from familycard.graph.flow.inbox import receive
    from familycard.graph.flow.offers import answerable_offer, open_offers_on
    from familycard.graph.flow.orders import month_of
    from familycard.graph.flow.outbox import send_outbox
    from familycard.graph.flow.payments import pay_month

    gateway = sms_gateway(settings)
    try:
        sent = send_outbox(store, gateway)
    finally:
        gateway.close()
    print(f"{sent.line()} → {settings.sms_file_path if settings.sms_gateway == 'file' else settings.sms_gateway}")
    o = answerable_offer(store)
    if o is None:
        print("no open offer with a phone and a bank account to answer in the demo")
        return
    many = open_offers_on(store, o["phone"]) > 1
    text = f"{o['number']} иә" if many else "Иә"
    print(f"\nscripted reply: familycard sms receive --from '{o['phone']}' --text '{text}'")
    print("  " + receive(store, o["phone"], text).line())
    month = month_of(local_day(utcnow()))
    paid = pay_month(store, month, settings.payments_path, paying_agency(settings))
    print(f"payments: familycard pay --month {month}\n  {paid.line()}")
    print(f"its story: familycard history {o['iin']}")
