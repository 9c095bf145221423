"""A request body past ``max_bytes`` is refused (413) before the app reads it all."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from familycard.api.http import refusal
from familycard.api.middleware._headers import header


class BodyLimitMiddleware:
    """Refuses a declared ``Content-Length`` past the limit at once; a body sent in chunks
    (no length) is counted as it arrives and refused when it passes the limit, if no answer
    has started by then."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = header(scope, "content-length") or ""
        # ASCII only: headers arrive as latin-1, where "²" is a digit to isdigit() but not to int().
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
            await refusal(413, f"the request body is {declared} bytes; at most {self.max_bytes}",
                          "BODY_TOO_LARGE")(scope, receive, send)
            return

        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _TooLarge:
            if not started:
                await refusal(413, f"the request body is larger than {self.max_bytes} bytes",
                              "BODY_TOO_LARGE")(scope, receive, send)


class _TooLarge(Exception):
    pass
