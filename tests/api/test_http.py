"""GraphQL over HTTP as its spec and frontend clients expect it: media types and status codes,
GET for queries (never mutations), variable errors named as the caller's, one operation a
request, a code on every error, JSON refusals, CORS, gzip; and the `graphql-http` server
audit (npm) against the real app under uvicorn."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.stores import BrokenStore
from familycard.api.app import GZIP_MIN_BYTES, create_app
from familycard.api.http import GRAPHQL_RESPONSE, negotiate
from familycard.graph.ingest import ingest_lines
from feedmaker import lines, person
from servers import KEYS, serve, settings_for

ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}
AS_GQL = {**ADMIN, "Accept": GRAPHQL_RESPONSE}
AS_JSON = {**ADMIN, "Accept": "application/json"}


@pytest.fixture
def client(ladybug_store, tmp_path):
    """The HTTP layer does not depend on the engine: one engine here; the tests that reach the
    store run on both."""
    with TestClient(create_app(settings_for(tmp_path), store=ladybug_store)) as c:
        yield c


def _codes(body: dict) -> list[str]:
    """The errors' codes (a successful answer has no `errors` at all: none)."""
    return [e["extensions"]["code"] for e in body.get("errors", ())]


# --- 1. media types, status codes, GET -----------------------------------------------------------

@pytest.mark.parametrize("accept,expected", [
    (None, "application/json"), ("", "application/json"), ("*/*", "application/json"),
    ("application/json", "application/json"), (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
    (f"application/json, {GRAPHQL_RESPONSE}", "application/json"),        # a tie: the first listed
    (f"application/json;q=0.5, {GRAPHQL_RESPONSE};q=0.8", GRAPHQL_RESPONSE),
    ("text/html, application/*;q=0.1", "application/json"),
    ("text/plain", None), (f"{GRAPHQL_RESPONSE};q=0", None),
])
def test_the_answer_s_media_type_follows_accept(accept, expected):
    assert negotiate(accept) == expected


def test_graphql_response_json_is_answered_in_kind_and_a_request_refused_before_it_ran_is_400_without_data(client):
    ok = client.post("/graphql", json={"query": "{ benefits { code } }"}, headers=AS_GQL)
    assert ok.status_code == 200 and ok.headers["content-type"] == GRAPHQL_RESPONSE
    assert len(ok.json()["data"]["benefits"]) == 14
    for body, code in (({"query": "{ benefits { code }"}, "GRAPHQL_PARSE_FAILED"),
                       ({"query": "{ benefits { nope } }"}, "GRAPHQL_VALIDATION_FAILED"),
                       ({"query": "query($n: Int) { offers(first: $n) { totalCount } }", "variables": {"n": "x"}},
                        "BAD_USER_INPUT"),
                       ({"query": "{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }"}, "QUERY_TOO_LARGE")):
        r = client.post("/graphql", json=body, headers=AS_GQL)
        assert r.status_code == 400 and r.headers["content-type"] == GRAPHQL_RESPONSE, (body, r.text)
        assert "data" not in r.json() and _codes(r.json()) == [code], r.text
        # the same request, answered as application/json: 200, `data: null` (the legacy way)
        legacy = client.post("/graphql", json=body, headers=AS_JSON)
        assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
        assert legacy.json()["data"] is None and _codes(legacy.json()) == [code]


def test_a_field_error_under_graphql_response_json_is_200_with_its_data(client):
    q = '{ benefits { code } familyCard(iin: "000000000000") { person { iin } } }'
    r = client.post("/graphql", json={"query": q}, headers={"Accept": GRAPHQL_RESPONSE})  # no token
    assert r.status_code == 200 and len(r.json()["data"]["benefits"]) == 14 and r.json()["data"]["familyCard"] is None
    assert _codes(r.json()) == ["UNAUTHENTICATED"]
    # a non-null field's error nulls all of `data`: still 200, `data` is there (null), as the spec says
    r = client.post("/graphql", json={"query": "{ accessLog { totalCount } }"}, headers={"Accept": GRAPHQL_RESPONSE})
    assert r.status_code == 200 and r.json()["data"] is None and _codes(r.json()) == ["UNAUTHENTICATED"]


def test_an_accept_the_server_cannot_answer_is_406_in_json(client):
    r = client.post("/graphql", json={"query": "{ __typename }"}, headers={**ADMIN, "Accept": "text/plain"})
    assert r.status_code == 406 and r.headers["content-type"] == "application/json"
    assert _codes(r.json()) == ["NOT_ACCEPTABLE"] and "text/plain" in r.json()["errors"][0]["message"]


def test_queries_run_by_get_with_their_variables(client):
    q = "query($yes: Boolean!) { benefit: benefits { code } echo: __typename @include(if: $yes) }"
    r = client.get("/graphql", params={"query": q, "variables": json.dumps({"yes": True})}, headers=AS_GQL)
    assert r.status_code == 200 and r.headers["content-type"] == GRAPHQL_RESPONSE
    assert r.json()["data"]["echo"] == "Query" and len(r.json()["data"]["benefit"]) == 14
    bad = client.get("/graphql", params={"query": q, "variables": "{not json"}, headers=AS_GQL)
    assert bad.status_code == 400 and _codes(bad.json()) == ["BAD_REQUEST"]


def test_a_mutation_by_get_is_405_allow_post_and_does_not_run(store, tmp_path):
    newborn = person("2026-11-20", "F")
    m = "mutation($r: [JSON!]!) { ingestRecords(records: $r) { __typename } }"
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        r = c.get("/graphql", params={"query": m, "variables": json.dumps({"r": [newborn]})}, headers=AS_GQL)
        assert r.status_code == 405 and r.headers["allow"] == "POST"
        assert _codes(r.json()) == ["METHOD_NOT_ALLOWED"] and "send it by POST" in r.json()["errors"][0]["message"]
        # named by operationName among queries: still a mutation, still refused
        r = c.get("/graphql", params={"query": "query Q { __typename } " + m.replace("mutation", "mutation M"),
                                      "operationName": "M", "variables": json.dumps({"r": [newborn]})}, headers=ADMIN)
        assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert store.read("MATCH (p:Person {iin: $iin}) RETURN p.iin AS iin", {"iin": newborn["iin"]}) == []


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_other_methods_are_405_naming_the_two_it_takes(client, method):
    r = client.request(method, "/graphql", headers=ADMIN)
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert r.headers["content-type"] == "application/json" and _codes(r.json()) == ["METHOD_NOT_ALLOWED"]


def test_a_post_that_is_not_json_is_415_and_a_malformed_body_is_400_both_in_json(client):
    for headers, body in (({}, b'{"query": "{ __typename }"}'), ({"content-type": "text/plain"}, b"{ __typename }"),
                          ({"content-type": "application/json; charset=latin-1"}, b'{"query": "{ __typename }"}')):
        r = client.post("/graphql", content=body, headers={**ADMIN, **headers})
        assert r.status_code == 415 and _codes(r.json()) == ["UNSUPPORTED_MEDIA_TYPE"], r.text
    json_ = {**ADMIN, "content-type": "application/json"}
    for body, says in ((b"", "not JSON"), (b'{"query": "{ __typename }"', "not JSON"), (b"\xff\xfe", "not JSON"),
                       (b"[" * 5000 + b"]" * 5000, "not JSON"), (b"5", "a JSON object with 'query'"),
                       (b'{"query": 5}', "'query' must be a string or null, not a number"),
                       (b'{"query": "{ __typename }", "operationName": ["a"]}', "'operationName' must be a string"),
                       (b'{"query": "{ __typename }", "variables": "x"}', "'variables' must be an object"),
                       (b'{"query": "{ __typename }", "extensions": 0}', "'extensions' must be an object"),
                       (b'{"qeury": "{ __typename }"}', "no query")):
        r = client.post("/graphql", content=body, headers=json_)
        assert r.status_code == 400 and r.headers["content-type"] == "application/json", (body[:40], r.text)
        assert _codes(r.json()) == ["BAD_REQUEST"] and says in r.json()["errors"][0]["message"], r.text
    ok = client.post("/graphql", content=b'{"query": "{ a: __typename }"}',
                     headers={**ADMIN, "content-type": "application/json; charset=UTF-8"})
    assert ok.json() == {"data": {"a": "Query"}}


def test_get_of_graphql_with_text_html_still_reaches_the_ide_when_it_is_on(ladybug_store, tmp_path):
    with TestClient(create_app(settings_for(tmp_path, graphiql=True), store=ladybug_store)) as c:
        page = c.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    with TestClient(create_app(settings_for(tmp_path), store=ladybug_store)) as c:
        off = c.get("/graphql", headers={"Accept": "text/html"})
        assert off.status_code == 404 and _codes(off.json()) == ["NOT_FOUND"]
        assert "FAMILYCARD_GRAPHIQL" in off.json()["errors"][0]["message"]


# --- 2. variables that do not fit are the caller's mistake ---------------------------------------

VARS = """query($n: Int, $s: String!, $f: OfferFilter) {
  offers(first: $n, filter: $f) { totalCount } citizen(iin: $s) { id } }"""


@pytest.mark.parametrize("variables,says", [
    ({"n": 1}, "Variable '$s' has invalid value: Expected a value of non-null type 'String!' to be provided."),
    ({"s": None}, "Variable '$s' has invalid value: Expected value of non-null type 'String!' not to be None."),
    ({"s": "1", "n": "x"}, "Variable '$n' has invalid value: Int cannot represent non-integer value: 'x'"),
    ({"s": 5}, "Variable '$s' has invalid value: String cannot represent a non string value: 5"),
    ({"s": "1", "f": {"benefit": "birth", "nope": 1}},
     "Variable '$f' has invalid value: Expected value of type 'OfferFilter' not to include unknown field 'nope'"),
    ({"s": "1", "f": {"foundFrom": "soon"}}, "Variable '$f' has invalid value at .foundFrom: "),  # + the Date's words
])
def test_a_variable_that_does_not_fit_is_named_as_the_caller_s_mistake_and_logs_nothing(client, caplog, variables,
                                                                                      says):
    with caplog.at_level(logging.INFO, logger="familycard"):
        r = client.post("/graphql", json={"query": VARS, "variables": variables}, headers=AS_JSON)
    err = r.json()["errors"]
    assert r.status_code == 200 and r.json()["data"] is None and len(err) == 1
    assert err[0]["message"].startswith(says) and err[0]["extensions"] == {"code": "BAD_USER_INPUT"}, err
    if "foundFrom" in says:
        assert "Date 'soon': not a day YYYY-MM-DD" in err[0]["message"]
    assert "Unexpected error" not in r.text
    assert not [rec for rec in caplog.records if rec.levelno >= logging.WARNING], caplog.text


def test_many_bad_items_in_one_variable_are_told_about_their_first_ones_only(client):
    r = client.post("/graphql", json={"query": "query($f: OfferFilter) { offers(filter: $f) { totalCount } }",
                                      "variables": {"f": {f"x{i}": 1 for i in range(5000)}}}, headers=AS_JSON).json()
    assert len(r["errors"]) == 21 and "error limit reached" in r["errors"][-1]["message"], len(r["errors"])
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in r["errors"])


def test_a_variable_error_does_not_suggest_field_names_while_introspection_is_off(client):
    r = client.post("/graphql", json={"query": "query($f: OfferFilter) { offers(filter: $f) { totalCount } }",
                                      "variables": {"f": {"benefitt": "birth"}}}, headers=AS_JSON).json()
    assert "benefitt" in r["errors"][0]["message"] and "Did you mean" not in r["errors"][0]["message"]


# --- 3. one operation a request ------------------------------------------------------------------

def test_two_operations_and_no_operation_name_are_refused_and_neither_runs(store, tmp_path):
    newborn = person("2026-11-20", "F")
    doc = ("mutation Add($r: [JSON!]!) { ingestRecords(records: $r) { __typename } } "
           "query Look { benefits { code } }")
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        r = c.post("/graphql", json={"query": doc, "variables": {"r": [newborn]}}, headers=AS_GQL)
        assert r.status_code == 400 and "data" not in r.json()
        assert r.json()["errors"] == [{"message": "the document has 2 operations (Add, Look); name the one to run "
                                                  "in operationName",
                                       "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"}}]
        assert store.read("MATCH (p:Person {iin: $iin}) RETURN p.iin AS iin", {"iin": newborn["iin"]}) == []
        unknown = c.post("/graphql", json={"query": doc, "operationName": "Nope"}, headers=AS_JSON).json()
        assert unknown["data"] is None and unknown["errors"] == [
            {"message": "the document has no operation named 'Nope'",
             "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"}}]
        look = c.post("/graphql", json={"query": doc, "operationName": "Look"}, headers=AS_JSON).json()
        assert len(look["data"]["benefits"]) == 14 and "errors" not in look
        add = c.post("/graphql", json={"query": doc, "operationName": "Add", "variables": {"r": [newborn]}},
                     headers=AS_JSON).json()
        assert add["data"]["ingestRecords"]["__typename"] == "IngestReport", add
    assert len(store.read("MATCH (p:Person {iin: $iin}) RETURN p.iin AS iin", {"iin": newborn["iin"]})) == 1


# --- 4. a code on every error; refusals in JSON -------------------------------------------------

def test_every_graphql_error_carries_a_code_that_says_whose_it_is(ladybug_store, tmp_path):
    mother = person("1990-03-01", "F")
    ingest_lines(ladybug_store, lines(mother), "feed", dt.date(2026, 11, 25))
    card = '{ familyCard(iin: "IIN") { person { givenName } } }'.replace("IIN", mother["iin"])
    with TestClient(create_app(settings_for(tmp_path, max_depth=3), store=ladybug_store)) as c:
        def codes(query, headers=AS_JSON, **variables):
            return _codes(c.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json())

        assert codes("{ benefits { code }") == ["GRAPHQL_PARSE_FAILED"]
        assert codes("{ benefits { nope } }") == ["GRAPHQL_VALIDATION_FAILED"]
        assert set(codes("{ __schema { types { name } } }")) == {"INTROSPECTION_DISABLED"}
        assert codes("{ benefits { " + "code " * 2100 + "} }") == ["QUERY_TOO_LARGE"]      # tokens
        assert codes("{ familyCard(iin: \"1\") { relations { citizen { facts { totalCount } } } } }") \
            == ["QUERY_TOO_LARGE"]                                                          # depth
        assert codes("query($n: Int!) { offers(first: $n) { totalCount } }") == ["BAD_USER_INPUT"]
        assert codes("query($n: Int!) { __typename }", n=1) == ["GRAPHQL_VALIDATION_FAILED"]  # $n unused
        assert codes("query A { __typename } query B { __typename }") == ["OPERATION_RESOLUTION_FAILURE"]
        assert codes(card, headers={}) == ["UNAUTHENTICATED"]
        assert codes(card, headers={"Authorization": f"Bearer {KEYS['frontend']}"}) == []  # the query is fine
        # strawberry keeps one permission a field: what an anonymous caller was told was told to the next
        assert codes("{ accessLog { totalCount } }", headers={}) == ["UNAUTHENTICATED"]
        assert codes("{ accessLog { totalCount } }", headers={"Authorization": f"Bearer {KEYS['frontend']}"}) \
            == ["FORBIDDEN"]
        assert codes('{ familyCard(iin: "12345") { person { givenName } } }') == ["BAD_USER_INPUT"]  # a PublicError
        assert codes("query($a: String) { offers(after: $a) { totalCount } }", a="nonsense") == ["BAD_USER_INPUT"]


def test_a_masked_error_is_internal_server_error_on_both_engines(store, tmp_path):
    mother = person("1990-03-01", "F")
    ingest_lines(store, lines(mother), "feed", dt.date(2026, 11, 25))
    q = {"query": '{ familyCard(iin: "IIN") { person { givenName } } }'.replace("IIN", mother["iin"])}
    with TestClient(create_app(settings_for(tmp_path), store=BrokenStore(store))) as c:
        body = c.post("/graphql", json=q, headers=AS_GQL).json()
    assert body["errors"][0]["message"].startswith("Unexpected error (ref ")
    assert _codes(body) == ["INTERNAL_SERVER_ERROR"]


def test_http_refusals_are_json_with_a_code_and_401_says_bearer(ladybug_store, tmp_path):
    with TestClient(create_app(settings_for(tmp_path, max_body_bytes=100), store=ladybug_store)) as c:
        for headers, kind in (({"Authorization": "Bearer not-a-key"}, "invalid_token"),
                              ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_request")):
            r = c.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
            assert r.status_code == 401 and r.headers["content-type"] == "application/json"
            assert r.headers["www-authenticate"] == f'Bearer realm="familycard", error="{kind}"'
            assert _codes(r.json()) == ["UNAUTHENTICATED"]
        big = c.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": "x" * 200}}, headers=ADMIN)
        assert big.status_code == 413 and big.headers["content-type"] == "application/json"
        assert _codes(big.json()) == ["BODY_TOO_LARGE"]


def test_the_app_s_other_refusals_are_json_too_and_a_crash_says_nothing_of_itself(ladybug_store, tmp_path):
    app = create_app(settings_for(tmp_path), store=ladybug_store)

    async def boom(request):
        raise RuntimeError("MATCH (p:Person) at /srv/secret.py")
    app.router.add_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        for method, path, status, allow in (("GET", "/nope", 404, set()), ("POST", "/health", 405, {"GET", "HEAD"}),
                                            ("GET", "/sms/inbound", 405, {"POST"})):
            r = c.request(method, path)
            assert r.status_code == status and set(filter(None, r.headers.get("allow", "").split(", "))) == allow
            assert r.headers["content-type"] == "application/json" and len(_codes(r.json())) == 1
        crash = c.get("/boom")
        assert crash.status_code == 500 and _codes(crash.json()) == ["INTERNAL_SERVER_ERROR"]
        assert "MATCH" not in crash.text and "secret" not in crash.text


# --- 5. CORS ------------------------------------------------------------------------------------

PORTAL = "https://portal.example.kz"


def _preflight(c, origin):
    return c.options("/graphql", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "authorization, content-type"})


def test_cors_lets_the_configured_origins_send_a_bearer_token_and_no_other(ladybug_store, tmp_path):
    with TestClient(create_app(settings_for(tmp_path, cors_origins=[PORTAL]), store=ladybug_store)) as c:
        ok = _preflight(c, PORTAL)
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == PORTAL
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        assert "POST" in ok.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in ok.headers  # bearer tokens, not cookies
        other = _preflight(c, "https://evil.example.com")
        assert "access-control-allow-origin" not in other.headers
        assert other.status_code == 400 and _codes(other.json()) == ["CORS_REFUSED"]
        # the request itself: the browser may read the answer (a refusal too) on the allowed origin only
        r = c.post("/graphql", json={"query": "{ __typename }"}, headers={**ADMIN, "Origin": PORTAL})
        assert r.headers["access-control-allow-origin"] == PORTAL and r.json() == {"data": {"__typename": "Query"}}
        denied = c.post("/graphql", json={"query": "{ __typename }"},
                        headers={"Authorization": "Bearer nope", "Origin": PORTAL})
        assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == PORTAL
        assert "WWW-Authenticate" in denied.headers["access-control-expose-headers"]
        foreign = c.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in foreign.headers


def test_without_cors_origins_no_origin_is_allowed(client):
    r = _preflight(client, PORTAL)
    assert "access-control-allow-origin" not in r.headers and r.status_code == 405


def test_cors_origins_come_from_the_environment_as_a_list_and_a_bad_one_is_named(monkeypatch, tmp_path):
    from pydantic import ValidationError

    from familycard.settings import Settings

    monkeypatch.setenv("FAMILYCARD_CORS_ORIGINS", '["https://Portal.example.kz", "http://localhost:5173"]')
    assert Settings(data_dir=tmp_path).cors_origins == ["https://portal.example.kz", "http://localhost:5173"]
    monkeypatch.setenv("FAMILYCARD_CORS_ORIGINS", "https://a.kz, https://b.kz")
    assert Settings(data_dir=tmp_path).cors_origins == ["https://a.kz", "https://b.kz"]
    monkeypatch.delenv("FAMILYCARD_CORS_ORIGINS")
    assert Settings(data_dir=tmp_path).cors_origins == []
    for bad in ("https://portal.example.kz/", "portal.example.kz", "ftp://x.kz", '["https://a.kz"'):
        monkeypatch.setenv("FAMILYCARD_CORS_ORIGINS", bad)
        with pytest.raises(ValidationError, match="cors_origins"):
            Settings(data_dir=tmp_path)


# --- 10. gzip ------------------------------------------------------------------------------------

def test_answers_are_gzipped_when_the_client_accepts_it_and_small_ones_are_not(ladybug_store, tmp_path):
    q = {"query": "{ __schema { types { name description fields { name description } } } }"}
    with TestClient(create_app(settings_for(tmp_path, introspection=True), store=ladybug_store)) as c:
        plain = c.post("/graphql", json=q, headers={**ADMIN, "Accept-Encoding": "identity"})
        zipped = c.post("/graphql", json=q, headers={**ADMIN, "Accept-Encoding": "gzip"})
        assert "content-encoding" not in plain.headers
        assert zipped.headers["content-encoding"] == "gzip" and "accept-encoding" in zipped.headers["vary"].lower()
        # httpx decodes for us: the same answer; on the wire, several times smaller
        assert zipped.json() == plain.json()
        wire = int(zipped.headers["content-length"])
        assert wire < len(plain.content) / 3, (wire, len(plain.content))
        small = c.get("/health", headers={"Accept-Encoding": "gzip"})
        assert len(small.content) < GZIP_MIN_BYTES and "content-encoding" not in small.headers


# --- the graphql-http audit against the real server --------------------------------------------

AUDIT = Path(__file__).resolve().parents[1] / "http_audit"
#: The audits whose query is `__type(name: …)`: introspection, which is off by default.
NEEDS_INTROSPECTION = {"2EA1", "28B9", "D6D5", "6A70"}


def _audit_unavailable(reason: str) -> None:
    message = f"HTTP AUDIT NOT RUN: {reason}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def audit_node() -> str:
    node = shutil.which("node")
    if node is None:
        _audit_unavailable("no `node` on the PATH (Node.js 18 or later runs the graphql-http audit)")
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        _audit_unavailable(f"{AUDIT / 'node_modules'} is missing: run `npm ci --prefix tests/http_audit`")
    return node


def _audit(node: str, tmp_path: Path, **env: str) -> dict[str, dict]:
    keys = json.dumps({"audit": {"role": "frontend", "key": "audit-key"}})
    with serve(tmp_path, FAMILYCARD_API_KEYS=keys, **env) as (_, url):
        out = subprocess.run([node, str(AUDIT / "audit.mjs"), f"{url}/graphql"], capture_output=True, text=True,
                             timeout=120, env={**os.environ, "GRAPHQL_AUDIT_TOKEN": "audit-key"})
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return {r["id"]: r for r in results}


def test_every_graphql_http_server_audit_passes(audit_node, tmp_path):
    """`graphql-http`'s 61 audits (the spec's MUSTs, SHOULDs and MAYs) against `familycard
    serve`, each request with a bearer token. Four of them look a type up by `__type(name:)`,
    i.e. introspection, which is off by default: they run with it on; the next test shows they
    are the only ones that depend on it."""
    results = _audit(audit_node, tmp_path, FAMILYCARD_INTROSPECTION="true")
    assert len(results) >= 61, sorted(results)
    failing = [f"{r['id']} {r['status']}: {r['name']} — {r.get('reason')} (HTTP {r.get('httpStatus')})"
               for r in results.values() if r["status"] != "ok"]
    assert not failing, "\n".join(failing)


def test_with_introspection_off_only_the_audits_that_introspect_fail(audit_node, tmp_path):
    results = _audit(audit_node, tmp_path)
    assert {i for i, r in results.items() if r["status"] != "ok"} == NEEDS_INTROSPECTION, \
        {i: r.get("reason") for i, r in results.items() if r["status"] != "ok"}
