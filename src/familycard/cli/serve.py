"""The HTTP API: `serve` it, issue a `token` for it, print its `schema` (the GraphQL SDL)."""
from __future__ import annotations

import datetime as dt
import sys

from familycard.cli._common import open_store
from familycard.settings import ROLES, Settings


def add_token(sub, today: dt.date) -> None:
    t = sub.add_parser("token", help="a signed bearer token (JWT) for the GraphQL API; needs FAMILYCARD_JWT_SECRET")
    t.add_argument("--role", required=True, choices=ROLES)
    t.add_argument("--subject", required=True, help="who the token is for (logged with every card they read)")
    t.add_argument("--hours", type=float, default=8.0)
    t.set_defaults(fn=cmd_token)


def add_schema(sub, today: dt.date) -> None:
    g = sub.add_parser("schema", help="print the GraphQL SDL (the contract in src/familycard/schema/schema.graphql)")
    g.add_argument("--write", action="store_true", help="write it to that file instead")
    g.set_defaults(fn=cmd_schema)


def add_serve(sub, today: dt.date) -> None:
    v = sub.add_parser("serve", help="the HTTP app: GraphQL at /graphql, /health, the SMS reply webhook")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--no-access-log", action="store_true", help="no line per HTTP request (uvicorn's)")
    v.set_defaults(fn=cmd_serve)


def cmd_serve(args, settings: Settings) -> int:
    import uvicorn

    from familycard.api.app import create_app

    # The store is opened here, not at the app's startup: a folder another process holds, or a
    # Neo4j that does not answer, is then one line and an exit code (3, 2), not uvicorn's trace.
    with open_store(settings) as store:
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
