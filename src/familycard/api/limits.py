"""What keeps one request from hurting the others, or telling too much.

Validation limits (depth, aliases, tokens) refuse a query before anything runs; batching is
off unless ``FAMILYCARD_MAX_BATCH`` allows a few operations; introspection is off unless
enabled; errors other than ``PublicError`` reach the caller as "Unexpected error" with an id
that finds the trace in the server's log. The HTTP guard caps the body and the time a request
may take, and reads the bearer token.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

from graphql import GraphQLError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.permission import StrawberryGraphQLError

from familycard.api.auth import AuthError, authenticate
from familycard.api.errors import PublicError
from familycard.settings import Settings

log = logging.getLogger("familycard.api")


def _public(error: GraphQLError) -> bool:
    original = error.original_error
    # No original error: a syntax or validation error about the query itself (limits included).
    return original is None or isinstance(original, (PublicError, StrawberryGraphQLError))


class _MaskErrors(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        ref = uuid.uuid4().hex[:12]
        log.error("error %s at %s", ref, ".".join(map(str, error.path or ())), exc_info=error.original_error)
        return GraphQLError(f"Unexpected error (ref {ref})", nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=None)


def extensions(settings: Settings) -> list:
    # Factories: strawberry makes a fresh extension for each request. The depth and alias
    # rules are made once: a rule class made per request would miss the validation cache
    # every time (validation was then the largest cost of a family card: ~4 ms).
    rules = [*QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
             *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules]
    out: list = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: _MaskErrors(should_mask_error=lambda e: not _public(e)),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    if not settings.introspection:
        out.append(DisableIntrospection)
    return out


def _refuse(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status,
                        headers=headers)


class Guard:
    """ASGI wrapper of the GraphQL app: body size, bearer token, how many run at once, request
    timeout.

    Past what the server can do, requests that all run at once all slow down together, until
    none answers in time (measured: at 1.2 times its capacity, nearly every card timed out).
    So at most ``max_in_flight`` run; the next wait their turn for ``queue_wait_s`` and are then
    told to come back (503, ``Retry-After``), and those that run answer in their usual time.
    """

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.max_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        s = self.settings
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > s.max_body_bytes:
            await _refuse(413, f"the request body is {declared} bytes; at most {s.max_body_bytes}",
                          "BODY_TOO_LARGE")(scope, receive, send)
            return
        try:
            principal = authenticate(headers.get("authorization"), s)
        except AuthError as e:
            await _refuse(401, str(e), "UNAUTHENTICATED")(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal

        # A body sent in chunks (no content-length) is counted as it arrives.
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > s.max_body_bytes:
                    raise _TooLarge()
            return message

        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=s.queue_wait_s)
        except asyncio.TimeoutError:
            await _refuse(503, f"the server is busy ({s.max_in_flight} requests at a time); try again shortly",
                          "BUSY", {"Retry-After": "1"})(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self.app(scope, limited_receive, tracked_send), timeout=s.request_timeout_s)
        except _TooLarge:
            if not started:
                await _refuse(413, f"the request body is larger than {s.max_body_bytes} bytes",
                              "BODY_TOO_LARGE")(scope, receive, send)
        except asyncio.TimeoutError:
            # A store call under way runs to its end; the caller hears now.
            if not started:
                await _refuse(504, f"the request ran past {s.request_timeout_s:g} s and was stopped",
                              "TIMEOUT")(scope, receive, send)
        finally:
            self._slots.release()


class _TooLarge(Exception):
    pass
