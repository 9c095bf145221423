"""What guards the HTTP request before GraphQL sees it (api/middleware/), through the real app
on both engines: a body too large (declared or sent in chunks), a request past its time, and
past the requests it runs at once. The bearer token's refusals: test_http.py and test_app.py."""
from __future__ import annotations

import asyncio
import time

from starlette.testclient import TestClient

from api.conftest import AUTH
from api.conftest import client_for as _client
from api.conftest import post as _post
from api.stores import SlowStore
from familycard.api.app import create_app
from familycard.api.middleware import BodyLimitMiddleware
from servers import KEYS, settings_for

# --- body limit ---------------------------------------------------------------------------------

def test_a_body_too_large_is_refused(store, people, tmp_path):
    with _client(store, tmp_path, max_body_bytes=1000) as c:
        r = _post(c, {"query": "{ benefits { code } }", "variables": {"pad": "x" * 2000}})
    assert r.status_code == 413 and "at most 1000" in r.json()["errors"][0]["message"]


def test_a_body_sent_in_chunks_without_a_length_is_refused_once_it_passes_the_limit(ladybug_store, tmp_path):
    def chunks(n):
        yield b'{"query": "{ benefits { code } }", "variables": {"pad": "'
        for _ in range(n):
            yield b"x" * 500
        yield b'"}}'

    with _client(ladybug_store, tmp_path, max_body_bytes=1000) as c:
        big = c.post("/graphql", content=chunks(4), headers={**AUTH, "Content-Type": "application/json"})
        assert "content-length" not in big.request.headers
        assert big.status_code == 413 and big.json()["errors"] == [
            {"message": "the request body is larger than 1000 bytes", "extensions": {"code": "BODY_TOO_LARGE"}}]
        small = c.post("/graphql", content=chunks(1), headers={**AUTH, "Content-Type": "application/json"})
        assert small.status_code == 200 and small.json()["data"]["benefits"]


def test_a_content_length_of_non_ascii_digits_is_not_a_crash():
    """A latin-1 "²" passed isdigit() and made int() fail: 500 before the body was read."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [(b"content-length", b"\xb2")]}
    asyncio.run(BodyLimitMiddleware(app, max_bytes=1000)(scope, receive, send))
    assert sent[0]["status"] == 204


# --- timeout ------------------------------------------------------------------------------------

def test_a_request_past_its_time_is_stopped_with_a_clear_answer(store, people, tmp_path):
    q = {"query": '{ familyCard(iin: "IIN") { person { givenName } } }'.replace("IIN", people[0]["iin"])}
    with TestClient(create_app(settings_for(tmp_path, request_timeout_s=0.3), store=SlowStore(store, 1.0))) as c:
        t = time.monotonic()
        r = _post(c, q)
        assert time.monotonic() - t < 0.9
    assert r.status_code == 504 and "ran past 0.3 s" in r.json()["errors"][0]["message"]


# --- concurrency limit --------------------------------------------------------------------------

def test_past_the_requests_it_runs_at_once_a_request_is_told_to_come_back_not_left_to_time_out(store, people,
                                                                                              tmp_path):
    import httpx

    app = create_app(settings_for(tmp_path, max_in_flight=2, queue_wait_s=0.2), store=SlowStore(store, 0.5))
    q = {"query": '{ familyCard(iin: "IIN") { person { givenName } } }'.replace("IIN", people[0]["iin"])}

    async def six_at_once():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            t = time.monotonic()
            rs = await asyncio.gather(*(c.post("/graphql", json=q, headers={"Authorization": f"Bearer {KEYS['admin']}"})
                                        for _ in range(6)))
            return rs, time.monotonic() - t

    answers, took = asyncio.run(six_at_once())
    ok = [r for r in answers if r.status_code == 200]
    busy = [r for r in answers if r.status_code == 503]
    assert len(ok) == 2 and len(busy) == 4, [r.status_code for r in answers]
    assert all(r.json()["data"]["familyCard"]["person"]["givenName"] for r in ok)
    assert all(r.json()["errors"][0]["extensions"]["code"] == "BUSY" and r.headers["retry-after"] == "1"
               for r in busy)
    assert took < 2.0  # the two ran, the four were told after their wait: nobody queued for the others
