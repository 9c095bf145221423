"""The HTTP app: GraphQL at /graphql, /health, the SMS provider's reply webhook, and the caseworkers'
console (`/`, `/search`, `/people/{id}`, `/worklist`, `/nearmiss`, `/findings`, `/lookahead`, its files under
/console/)."""
from __future__ import annotations

from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from familycard.api import console, graphiql
from familycard.api.access_log import AccessLog
from familycard.api.context import Context, make_context
from familycard.api.http import GraphQLView, refusal
from familycard.api.middleware import (
    BearerAuthMiddleware,
    BodyLimitMiddleware,
    ConcurrencyLimitMiddleware,
    TimeoutMiddleware,
)
from familycard.api.relay import Ids
from familycard.api.schema import build_schema
from familycard.api.sms_webhook import inbound
from familycard.settings import Settings


class _GraphQL(GraphQLView):
    async def get_context(self, request: Request, response: Response) -> Context:
        return make_context(request, response, request.state.principal)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)  # a family card is several kilobytes: the stdlib's encoder took 1 % of a request

    async def render_graphql_ide(self, request: Request) -> Response:
        return await graphiql.render(request)  # ours, from the package: strawberry's loads a CDN


async def health(request: Request) -> JSONResponse:
    """Up or down at once: never waits for a store at work (a sweep, an ingest), which is up."""
    store = request.app.state.store
    try:
        state = await store.ahealth()
    except Exception:  # noqa: BLE001 - health says "down", the log says why
        return JSONResponse({"status": "down", "store": store.engine}, status_code=503)
    return JSONResponse({"status": "ok", "store": store.engine, "busy": state == "busy"})


_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path; a method /health or the webhook does not take) in
    JSON like the API's, its headers (Allow) kept; they were text/plain."""
    assert isinstance(exc, HTTPException)
    return refusal(exc.status_code, exc.detail, _CODES.get(exc.status_code, "BAD_REQUEST"), exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    # the trace goes to the server's log (uvicorn's), never to the caller
    return refusal(500, "Internal Server Error", "INTERNAL_SERVER_ERROR")


class _CORS(CORSMiddleware):
    """Starlette's CORS, refusing a preflight in JSON like every other refusal (its own: text)."""

    def preflight_response(self, request_headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return refusal(response.status_code, f"CORS: {response.body.decode()}", "CORS_REFUSED", headers)


GZIP_MIN_BYTES = 1024  # below about a kilobyte, compressing saves less than a packet and costs a pass
# A 100-offer list (bench/gzip_offers.py, 108.5 KB as JSON): level 6 makes 12.4 KB in ~0.7 ms,
# Starlette's default 9 makes 12.2 KB in ~1.3 ms, 1 makes 14.0 KB in ~0.2 ms.
GZIP_LEVEL = 6


def _middleware(settings: Settings) -> list[Middleware]:
    out = []
    if settings.cors_origins:
        # Bearer tokens, never cookies: no credentials mode, so no page acts with a user's cookies.
        out.append(Middleware(_CORS, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                              allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-Id"],
                              expose_headers=["Retry-After", "WWW-Authenticate"], max_age=600))
    out.append(Middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL))
    return out


def _graphql_middleware(settings: Settings) -> list[Middleware]:
    """Around the GraphQL view, outermost first: a body too large is refused before its token is
    read, a stranger's request before it takes a turn, and the timeout counts from its turn."""
    return [
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(BearerAuthMiddleware, settings=settings),
        Middleware(ConcurrencyLimitMiddleware, max_in_flight=settings.max_in_flight,
                   queue_wait_s=settings.queue_wait_s),
        Middleware(TimeoutMiddleware, seconds=settings.request_timeout_s),
    ]


def create_app(settings: Settings, store=None) -> Starlette:
    """The app; it opens the store on startup unless one is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: Starlette):
        own = store is None
        if own:
            from familycard.graph.store import open_store

            app.state.store = open_store(settings)
        app.state.access_log = AccessLog(app.state.store)
        try:
            yield
        finally:
            await app.state.store.aclose()
            if own:
                app.state.store.close()

    graphql = _GraphQL(build_schema(settings), graphql_ide="graphiql" if settings.graphiql else None)
    app = Starlette(routes=[
        # every method reaches the view, which says which it takes (405, Allow)
        Route("/graphql", graphql, middleware=_graphql_middleware(settings)),
        Route("/health", health, methods=["GET"]),
        Route("/sms/inbound", inbound, methods=["POST"]),
        *graphiql.routes(settings),
        *console.routes(),
    ], middleware=_middleware(settings), lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error})
    app.state.settings = settings
    app.state.store = store
    app.state.access_log = AccessLog(store) if store is not None else None  # or at startup
    app.state.ids = Ids(settings.id_secret.get_secret_value() if settings.id_secret else None)
    return app
