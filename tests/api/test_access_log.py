"""api/access_log.py: the access rows of requests that wait together are stored together, and no
request's data leaves before its own rows are stored; on both engines."""
from __future__ import annotations

import asyncio

import httpx

from familycard.api.app import create_app
from servers import KEYS, gql, settings_for

CARD = "query($iin: String!) { familyCard(iin: $iin) { person { givenName } relations { citizen { givenName } } } }"


class SlowLog:
    """The store, its writes slow to commit (and, if told, failing): the requests that finish
    meanwhile wait for the next write."""

    def __init__(self, store, fail: bool = False):
        self._store, self.fail, self.writes = store, fail, []

    async def awrite(self, query, params=None):
        self.writes.append(len(params["rows"]))
        await asyncio.sleep(0.05)
        if self.fail:
            raise RuntimeError("disk full")
        return await self._store.awrite(query, params)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _cards(app, iins: list[str]) -> list[dict]:
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            rs = await asyncio.gather(*(c.post("/graphql", json={"query": CARD, "variables": {"iin": i}},
                                               headers={"Authorization": f"Bearer {KEYS['caseworker']}"})
                                        for i in iins))
        await app.state.store.aclose()
        return [r.json() for r in rs]
    return asyncio.run(go())


def test_requests_that_wait_together_are_logged_in_one_write_each_before_its_answer(store, family, tmp_path):
    slow = SlowLog(store)
    app = create_app(settings_for(tmp_path), store=slow)
    iins = [family.mother["iin"], family.father["iin"], family.girl["iin"], family.granny["iin"],
            family.small_mother["iin"], family.small_child["iin"], family.baby["iin"], family.student["iin"]]
    answers = _cards(app, iins)
    assert all(a["data"]["familyCard"]["person"]["givenName"] for a in answers)
    # Eight requests, their rows in one or two writes (those ready when the first write began,
    # then those that finished while it was written).
    assert 1 <= len(slow.writes) <= 2, slow.writes
    assert sum(slow.writes) == store.read("MATCH (a:Access) RETURN count(a) AS n")[0]["n"]
    logged = {r["iin"] for r in store.read("MATCH (a:Access) WHERE a.role = 'caseworker' RETURN a.iin AS iin")}
    assert set(iins) <= logged
    requests = {r["r"] for r in store.read("MATCH (a:Access) RETURN DISTINCT a.request AS r")}
    assert len(requests) == len(iins)


def test_when_the_log_cannot_be_written_no_request_of_that_write_shows_anything(store, family, tmp_path):
    app = create_app(settings_for(tmp_path), store=SlowLog(store, fail=True))
    answers = _cards(app, [family.mother["iin"], family.father["iin"], family.granny["iin"]])
    for a in answers:
        assert a["data"] is None and "access log could not be written" in a["errors"][0]["message"]
    assert store.read("MATCH (a:Access) RETURN count(a) AS n") == [{"n": 0}]


def test_the_access_log_failing_means_no_data_is_shown(store, family, tmp_path):
    from starlette.testclient import TestClient

    class NoLog:
        def __init__(self, s):
            self._s = s

        def transaction(self, fn):
            raise RuntimeError("disk full")

        async def awrite(self, query, params=None):
            raise RuntimeError("disk full")

        def __getattr__(self, name):
            return getattr(self._s, name)

    q = {"query": '{ familyCard(iin: "IIN") { person { givenName } } }'.replace("IIN", family.mother["iin"])}
    with TestClient(create_app(settings_for(tmp_path), store=NoLog(store))) as c:
        r = c.post("/graphql", json=q, headers={"Authorization": f"Bearer {KEYS['admin']}"}).json()
    assert r["data"] is None and "access log could not be written" in r["errors"][0]["message"]


def test_the_subject_an_offer_or_assignment_names_is_logged_under_their_own_iin(store, family, tmp_path):
    """The offers list showed `subjectIin` (the child a birth benefit is about) without a row
    for the child: 58 of 135 people shown were missing from the log."""
    import datetime as dt

    from starlette.testclient import TestClient

    from familycard.graph.sweep import daily_sweep
    daily_sweep(store, dt.date(2026, 11, 25), ["birth"])
    log = """query($iin: String) { accessLog(iin: $iin) { edges { node { actor fields operation } } } }"""
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        listed = gql(c, "{ offers { edges { node { recipientIin subjectIin } } } }", "caseworker")["data"]["offers"]
        assert [e["node"]["subjectIin"] for e in listed["edges"]] == [family.baby["iin"]]
        card = """query($iin: String!) { familyCard(iin: $iin) { offers { edges { node { subjectIin } } } } }"""
        gql(c, card, "frontend", iin=family.mother["iin"])
        rows = [e["node"] for e in gql(c, log, "admin", iin=family.baby["iin"])["data"]["accessLog"]["edges"]]
    assert sorted((r["actor"], tuple(r["fields"]), r["operation"]) for r in rows) == [
        ("key:caseworker-app", ("edges.node.subjectIin",), "offers"),
        ("key:frontend-app", ("offers.edges.node.subjectIin",), "familyCard")]


def test_request_ids_are_the_servers_and_the_callers_id_and_operation_name_are_bounded(store, family, tmp_path):
    """X-Request-Id was stored verbatim (and made the rows' keys); a 200 KB operationName was
    stored once per person shown."""
    import re

    from starlette.testclient import TestClient

    name = "Card" + "x" * 200_000
    query = "query " + name + "($iin: String!) { familyCard(iin: $iin) { person { givenName } } }"
    with TestClient(create_app(settings_for(tmp_path, max_body_bytes=1_000_000), store=store)) as c:
        for caller in ("evil\r\nid" + "z" * 500, "ticket-42"):
            r = c.post("/graphql", json={"query": query, "variables": {"iin": family.mother["iin"]},
                                         "operationName": name},
                       headers={"Authorization": f"Bearer {KEYS['caseworker']}", "X-Request-Id": caller})
            assert r.status_code == 200 and r.json()["data"]["familyCard"]["person"]["givenName"]
        log = """{ accessLog { edges { node { requestId callerRequestId operation } } } }"""
        rows = [e["node"] for e in gql(c, log, "admin")["data"]["accessLog"]["edges"]]
    assert len(rows) == 2 and len({r["requestId"] for r in rows}) == 2
    assert all(re.fullmatch("[0-9a-f]{32}", r["requestId"]) for r in rows)
    assert sorted(r["callerRequestId"] for r in rows) == sorted(["evilid" + "z" * 58, "ticket-42"])
    assert all(r["operation"] == name[:200] for r in rows)
