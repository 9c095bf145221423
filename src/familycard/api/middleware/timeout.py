"""A request that runs past ``seconds`` is answered 504 (if no answer has started)."""
from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from familycard.api.http import refusal


class TimeoutMiddleware:
    def __init__(self, app: ASGIApp, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, tracked_send), timeout=self.seconds)
        except TimeoutError:
            # A store call under way runs to its end; the caller hears now.
            if not started:
                await refusal(504, f"the request ran past {self.seconds:g} s and was stopped",
                              "TIMEOUT")(scope, receive, send)
