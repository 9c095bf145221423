"""Each limit of a GraphQL document (depth, aliases, fragments, cost, tokens, batches,
introspection) gets its bomb and answers with a clear refusal, on both engines; nothing the
server did not mean to say (a stack trace, Cypher) reaches the caller. The HTTP request's own
limits (body, time, how many at once): test_middleware.py."""
from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from api.conftest import client_for as _client
from api.conftest import post as _post
from api.stores import BrokenStore
from familycard.api.app import create_app
from servers import serve, settings_for


def test_a_query_nested_too_deep_is_refused_before_it_runs(store, people, tmp_path):
    deep = ('{ familyCard(iin: "IIN") { relations { citizen { facts { edges { node { type } } } } } } }'
            .replace("IIN", people[0]["iin"]))
    with _client(store, tmp_path, max_depth=4) as c:
        r = _post(c, {"query": deep}).json()
    assert r["data"] is None and r["errors"][0]["message"] == "the query nests 6 levels deep; at most 4"


def test_too_many_aliases_are_refused(store, people, tmp_path):
    q = "{ " + " ".join(f"a{i}: benefits {{ code }}" for i in range(16)) + " }"
    with _client(store, tmp_path) as c:
        r = _post(c, {"query": q}).json()
    assert r["data"] is None and r["errors"][0]["message"] == "the query uses 16 aliases; at most 15"


def test_fragment_cycles_and_long_fragment_chains_are_refused_cleanly(ladybug_store, tmp_path):
    cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { benefits { code } ...A }"
    chain = "query { ...F0 } " + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(240)) + \
        " fragment F240 on Query { benefits { code } }"
    with _client(ladybug_store, tmp_path) as c:
        r = _post(c, {"query": cycle}, {}).json()
        assert r["data"] is None and "Cannot spread fragment 'A' within itself via 'B'" in r["errors"][0]["message"]
        r = _post(c, {"query": chain}, {}).json()
        assert r["data"] is None and "Unexpected" not in r["errors"][0]["message"]
        ok = _post(c, {"query": "query { ...A ...A } fragment A on Query { benefits { code } }"}, {}).json()
        assert ok["data"]["benefits"]


def test_a_query_that_costs_the_store_too_much_is_refused_naming_its_cost_and_the_limit(store, people, tmp_path):
    """15 aliases of a card's entitlements (14 rules' explanations each) took 6.3 s at 100 k people."""
    card = 'c%d: familyCard(iin: "{}") {{ entitlements(asOf: "2026-11-25") {{ entitled }} }}'.format(people[0]["iin"])
    many = "{ " + " ".join(card % i for i in range(15)) + " }"
    # a cold Neo4j plans the 14 rules' queries for ~20 s here: more than a request's 10 s
    with _client(store, tmp_path, request_timeout_s=120) as c:
        r = _post(c, {"query": many}).json()
        assert r["data"] is None and r["errors"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"
        assert r["errors"][0]["message"] == \
            "the query costs 315 (entitlements 15 × 20, familyCard 15 × 1); at most 50"
        two = _post(c, {"query": "{ " + " ".join(card % i for i in range(2)) + " }"}).json()
        assert two["data"]["c0"]["entitlements"] == two["data"]["c1"]["entitlements"]
        # through a fragment, the same cost
        frag = "query { ...F ...F ...F } fragment F on Query { %s }" % (card % 0)
        assert "the query costs 63 (" in _post(c, {"query": frag}).json()["errors"][0]["message"]


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


def test_unexpected_errors_are_masked_no_cypher_no_trace(store, people, tmp_path):
    q = {"query": '{ familyCard(iin: "IIN") { person { givenName } } }'.replace("IIN", people[0]["iin"])}
    with TestClient(create_app(settings_for(tmp_path), store=BrokenStore(store))) as c:
        r = _post(c, q)
    assert r.status_code == 200
    body = r.text
    assert "Unexpected error (ref " in body
    for leak in ("MATCH", "Neo.ClientError", "secret", "Traceback", "RuntimeError"):
        assert leak not in body


# --- a fragment bomb against a running server ---------------------------------------------------

def _bomb(levels: int) -> str:
    """~1 KB: F0 spreads F1 twice, F1 spreads F2 twice, …: 2^levels copies of `benefits { code }`."""
    frags = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {frags} fragment F{levels} on Query {{ benefits {{ code }} }}"


@pytest.fixture
def server(tmp_path):
    """`familycard serve` on a free port, its own embedded store."""
    with serve(tmp_path) as running:
        yield running


def test_a_fragment_bomb_is_refused_at_once_while_the_server_answers_others_and_sigterm_stops_it(server):
    """The 1 KB query that stood for 2^20 fields took 9.4 s and froze the server at 30 levels."""
    import concurrent.futures
    import signal

    import httpx

    proc, url = server
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for levels in (20, 30, 60):
            body = {"query": _bomb(levels)}
            assert len(body["query"]) < 2600
            t = time.monotonic()
            sent = pool.submit(httpx.post, f"{url}/graphql", json=body, timeout=5)  # no token: a stranger
            health = httpx.get(f"{url}/health", timeout=1)
            assert health.status_code == 200 and time.monotonic() - t < 1.0
            r = sent.result()
            assert time.monotonic() - t < 1.0, f"{levels} levels took {time.monotonic() - t:.1f} s"
            err = r.json()["errors"][0]
            assert r.json()["data"] is None and err["extensions"]["code"] == "QUERY_TOO_LARGE"
            assert f"selects {2 ** (levels + 1)} fields once its fragments are expanded; at most 2000" in err["message"]
    t = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down, then re-raises the signal it caught
    assert proc.wait(timeout=5) in (0, -signal.SIGTERM) and time.monotonic() - t < 5


def test_a_large_query_within_the_limits_is_validated_off_the_event_loop(server):
    """400 copies of one field take about a second to validate (a rule of the spec compares
    fields of one name pairwise): /health answers meanwhile."""
    import concurrent.futures

    import httpx

    _, url = server
    body = {"query": "{ " + " ".join(["benefits { code }"] * 400) + " }"}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        sent = pool.submit(httpx.post, f"{url}/graphql", json=body, timeout=30)
        time.sleep(0.2)
        t = time.monotonic()
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
        took = time.monotonic() - t
        r = sent.result()
    assert r.status_code == 200 and r.json()["data"]["benefits"], r.text
    assert took < 0.5, f"/health waited {took:.2f} s"
