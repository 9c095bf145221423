"""POST /sms/inbound: a citizen's reply, delivered by the SMS provider.

JSON ``{"from": "+77011234567", "text": "иә", "id": "<provider id>", "at": "<ISO time>"}`` (or
the same fields as a form). The provider authenticates with ``Authorization: Bearer <token>``
(FAMILYCARD_WEBHOOK_TOKEN); without a configured token the webhook stays closed. A retried
delivery with the same id changes nothing and gets the same 200. A body is at most
FAMILYCARD_MAX_BODY_BYTES (413 past it); ``at`` must lie between 2000-01-01 and a day from now
(a reply from the future would lapse the citizen's offers early; a year-1 time overflowed: 500).
"""
from __future__ import annotations

import datetime as dt
import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from familycard import dates
from familycard.graph.flow.inbox import receive

EARLIEST = dt.datetime(2000, 1, 1)  # UTC, naive as the flow's times
SKEW = dt.timedelta(days=1)  # how far ahead of our clock a provider's may be


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _authorised(request: Request) -> bool | None:
    token = request.app.state.settings.webhook_token
    if token is None or not token.get_secret_value().strip():  # unset or empty: closed
        return None
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode())


async def _capped(request: Request, cap: int) -> Request | None:
    """The request with its body read (at most ``cap`` bytes, else None), to be parsed as usual."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > cap:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}
    return Request(request.scope, replay)


def _reply_time(raw: object) -> dt.datetime | str:
    """The reply's time as naive UTC, or why it is refused."""
    try:
        at = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return f"'at': '{str(raw)[:60]}' is not an ISO 8601 time"
    try:
        if at.tzinfo is not None:
            at = at.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:  # year 1 at +01:00, year 9999 at -01:00
        at = None
    if at is None or not EARLIEST <= at <= dates.utcnow() + SKEW:
        return f"'at': '{str(raw)[:60]}' is not between {EARLIEST:%Y-%m-%d} and a day from now (UTC)"
    return at


async def inbound(request: Request) -> JSONResponse:
    ok = _authorised(request)
    if ok is None:
        return _error(503, "the reply webhook is closed: set FAMILYCARD_WEBHOOK_TOKEN")
    if not ok:
        return _error(401, "missing or wrong bearer token")
    cap = request.app.state.settings.max_body_bytes
    request = await _capped(request, cap)
    if request is None:
        return _error(413, f"the request body is larger than {cap} bytes")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object")
    else:
        body = dict(await request.form())
    sender, text = body.get("from"), body.get("text")
    if not isinstance(sender, str) or not sender.strip():
        return _error(422, "'from': the sender's phone is required")
    if not isinstance(text, str):
        return _error(422, "'text': the reply's text is required")
    at = None
    if body.get("at") is not None:
        at = _reply_time(body["at"])
        if isinstance(at, str):
            return _error(422, at)
    msg_id = body.get("id")
    if msg_id is not None and (not isinstance(msg_id, (str, int)) or len(str(msg_id)) > 200):
        return _error(422, "'id': a string of at most 200 characters")
    store = request.app.state.store
    # The store's calls block; a thread keeps the event loop free.
    outcome = await run_in_threadpool(receive, store, sender, text, at, str(msg_id) if msg_id is not None else None)
    return JSONResponse({"outcome": outcome.outcome, "offers": outcome.decisions,
                         "replies_queued": len(outcome.answered_with), "payment_orders": outcome.orders})
