"""How many requests run at once.

Past what the server can do, requests that all run at once all slow down together, until
none answers in time (measured: at 1.2 times its capacity, nearly every card timed out).
So at most ``max_in_flight`` run; the next wait their turn for ``queue_wait_s`` and are then
told to come back (503, ``Retry-After``), and those that run answer in their usual time.
"""
from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from familycard.api.http import refusal


class ConcurrencyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_in_flight: int, queue_wait_s: float):
        self.app = app
        self.max_in_flight = max_in_flight
        self.queue_wait_s = queue_wait_s
        self._slots = asyncio.Semaphore(max_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self.queue_wait_s)
        except TimeoutError:
            await refusal(503, f"the server is busy ({self.max_in_flight} requests at a time); try again shortly",
                          "BUSY", {"Retry-After": "1"})(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
