"""Each limit gets its bomb and answers with a clear refusal, on both engines; nothing the
server did not mean to say (a stack trace, Cypher) reaches the caller."""
from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from starlette.testclient import TestClient

from familycard.api.app import create_app
from familycard.graph.ingest import ingest_lines
from feedmaker import lines, link, person
from test_api import KEYS, settings_for

AUTH = {"Authorization": f"Bearer {KEYS['admin']}"}


@pytest.fixture
def people(store):
    mother, child = person("1990-03-01", "F", address_id="A1"), person("2020-01-01", "M", address_id="A1")
    ingest_lines(store, lines(mother, child, link("PARENT_OF", mother, child)), "feed", dt.date(2026, 11, 25))
    return mother, child


def _client(store, tmp_path, **kw):
    return TestClient(create_app(settings_for(tmp_path, **kw), store=store))


def _post(c, body, headers=AUTH):
    return c.post("/graphql", json=body, headers=headers)


def test_a_query_nested_too_deep_is_refused_before_it_runs(store, people, tmp_path):
    deep = "{ familyCard(iin: \"%s\") { relations { citizen { facts { edges { node { type } } } } } } }" % people[0]["iin"]
    with _client(store, tmp_path, max_depth=4) as c:
        r = _post(c, {"query": deep}).json()
    assert r["data"] is None and "exceeds maximum operation depth of 4" in r["errors"][0]["message"]


def test_too_many_aliases_are_refused(store, people, tmp_path):
    q = "{ " + " ".join(f"a{i}: benefits {{ code }}" for i in range(16)) + " }"
    with _client(store, tmp_path) as c:
        r = _post(c, {"query": q}).json()
    assert r["data"] is None and "16 aliases found. Allowed: 15" in r["errors"][0]["message"]


def test_a_query_with_too_many_tokens_is_refused(store, people, tmp_path):
    q = "{ benefits { " + " ".join(["code"] * 3000) + " } }"
    with _client(store, tmp_path) as c:
        r = _post(c, {"query": q}).json()
    assert r["data"] is None and "2000 tokens" in r["errors"][0]["message"]


def test_batches_are_off_by_default_and_capped_when_on(store, people, tmp_path):
    batch = [{"query": "{ benefits { code } }"}] * 3
    with _client(store, tmp_path) as c:
        r = _post(c, batch)
        assert r.status_code == 400 and "Batching is not enabled" in r.text
    with _client(store, tmp_path, max_batch=2) as c:
        assert _post(c, batch[:2]).status_code == 200
        r = _post(c, batch)
        assert r.status_code == 400 and "Too many operations" in r.text


def test_introspection_and_graphiql_are_off_unless_enabled(store, people, tmp_path):
    q = {"query": "{ __schema { types { name } } }"}
    with _client(store, tmp_path) as c:
        r = _post(c, q).json()
        assert r["data"] is None and "introspection" in r["errors"][0]["message"].lower()
        assert c.get("/graphql", headers={"Accept": "text/html"}).status_code in (404, 405)
        # no "did you mean" that would describe the hidden schema
        typo = _post(c, {"query": "{ benefit { code } }"}).json()
        assert "Did you mean" not in typo["errors"][0]["message"]
    with _client(store, tmp_path, introspection=True, graphiql=True) as c:
        assert _post(c, q).json()["data"]["__schema"]["types"]
        page = c.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_a_body_too_large_is_refused(store, people, tmp_path):
    with _client(store, tmp_path, max_body_bytes=1000) as c:
        r = _post(c, {"query": "{ benefits { code } }", "variables": {"pad": "x" * 2000}})
    assert r.status_code == 413 and "at most 1000" in r.json()["errors"][0]["message"]


class SlowStore:
    def __init__(self, store, seconds):
        self._store, self._seconds = store, seconds

    def read(self, *a, **kw):
        time.sleep(self._seconds)
        return self._store.read(*a, **kw)

    def read_keyed(self, *a, **kw):
        time.sleep(self._seconds)
        return self._store.read_keyed(*a, **kw)

    async def aread(self, *a, **kw):  # a store across a network that is slow to answer
        await asyncio.sleep(self._seconds)
        return await self._store.aread(*a, **kw)

    async def aread_keyed(self, *a, **kw):
        await asyncio.sleep(self._seconds)
        return await self._store.aread_keyed(*a, **kw)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_request_past_its_time_is_stopped_with_a_clear_answer(store, people, tmp_path):
    q = {"query": "{ familyCard(iin: \"%s\") { person { givenName } } }" % people[0]["iin"]}
    with TestClient(create_app(settings_for(tmp_path, request_timeout_s=0.3), store=SlowStore(store, 1.0))) as c:
        t = time.monotonic()
        r = _post(c, q)
        assert time.monotonic() - t < 0.9
    assert r.status_code == 504 and "ran past 0.3 s" in r.json()["errors"][0]["message"]


class BrokenStore:
    def __init__(self, store):
        self._store = store

    def read(self, query, *a, **kw):
        raise RuntimeError(f"Neo.ClientError: cannot run {query} at line 3 of /srv/secret/path.py")

    read_keyed = read

    async def aread(self, query, *a, **kw):
        self.read(query)

    aread_keyed = aread

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_unexpected_errors_are_masked_no_cypher_no_trace(store, people, tmp_path):
    q = {"query": "{ familyCard(iin: \"%s\") { person { givenName } } }" % people[0]["iin"]}
    with TestClient(create_app(settings_for(tmp_path), store=BrokenStore(store))) as c:
        r = _post(c, q)
    assert r.status_code == 200
    body = r.text
    assert "Unexpected error (ref " in body
    for leak in ("MATCH", "Neo.ClientError", "secret", "Traceback", "RuntimeError"):
        assert leak not in body


def test_the_access_log_failing_means_no_data_is_shown(store, people, tmp_path):
    class NoLog:
        def __init__(self, s):
            self._s = s

        def transaction(self, fn):
            raise RuntimeError("disk full")

        async def awrite(self, query, params=None):
            raise RuntimeError("disk full")

        def __getattr__(self, name):
            return getattr(self._s, name)

    q = {"query": "{ familyCard(iin: \"%s\") { person { givenName } } }" % people[0]["iin"]}
    with TestClient(create_app(settings_for(tmp_path), store=NoLog(store))) as c:
        r = _post(c, q).json()
    assert r["data"] is None and "access log could not be written" in r["errors"][0]["message"]


def test_past_the_requests_it_runs_at_once_a_request_is_told_to_come_back_not_left_to_time_out(store, people,
                                                                                              tmp_path):
    import httpx

    app = create_app(settings_for(tmp_path, max_in_flight=2, queue_wait_s=0.2), store=SlowStore(store, 0.5))
    q = {"query": "{ familyCard(iin: \"%s\") { person { givenName } } }" % people[0]["iin"]}

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
