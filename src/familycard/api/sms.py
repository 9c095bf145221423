"""POST /sms/inbound: a citizen's reply, delivered by the SMS provider.

JSON ``{"from": "+77011234567", "text": "иә", "id": "<provider id>", "at": "<ISO time>"}`` (or
the same fields as a form). The provider authenticates with ``Authorization: Bearer <token>``
(FAMILYCARD_WEBHOOK_TOKEN); without a configured token the webhook stays closed. A retried
delivery with the same id changes nothing and gets the same 200.
"""
from __future__ import annotations

import datetime as dt
import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from familycard.graph.inbox import receive


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _authorised(request: Request) -> bool | None:
    token = request.app.state.settings.webhook_token
    if token is None or not token.get_secret_value().strip():  # unset or empty: closed
        return None
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode())


async def inbound(request: Request) -> JSONResponse:
    ok = _authorised(request)
    if ok is None:
        return _error(503, "the reply webhook is closed: set FAMILYCARD_WEBHOOK_TOKEN")
    if not ok:
        return _error(401, "missing or wrong bearer token")
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
        try:
            at = dt.datetime.fromisoformat(str(body["at"]))
        except ValueError:
            return _error(422, f"'at': '{body['at']}' is not an ISO 8601 time")
        if at.tzinfo is not None:
            at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    msg_id = body.get("id")
    if msg_id is not None and (not isinstance(msg_id, (str, int)) or len(str(msg_id)) > 200):
        return _error(422, "'id': a string of at most 200 characters")
    store = request.app.state.store
    # The store's calls block; a thread keeps the event loop free.
    outcome = await run_in_threadpool(receive, store, sender, text, at, str(msg_id) if msg_id is not None else None)
    return JSONResponse({"outcome": outcome.outcome, "offers": outcome.decisions,
                         "replies_queued": len(outcome.answered_with), "payment_orders": outcome.orders})
