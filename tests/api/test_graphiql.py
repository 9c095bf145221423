"""GraphiQL from the package itself (issue 15, point 9): no CDN, so it works on an offline network,
and it tells the user where the bearer token goes. The page is opened in a real Chromium against
the app served by uvicorn; the rest is checked over HTTP."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from importlib.resources import files
from urllib.parse import urlsplit

import pytest
from graphql import get_introspection_query, parse
from starlette.testclient import TestClient

from browser import HOST, serve
from familycard.api.app import create_app
from familycard.api.limits import sizing
from familycard.api.schema import build_schema
from familycard.graph.ingest import ingest_lines
from feedmaker import lines, link, person
from servers import KEYS, settings_for

STATIC = files("familycard.api") / "static" / "graphiql"
TEMPLATE = '{"Authorization": "Bearer <token>"}'
SCREENSHOT = "/tmp/graphiql.png"


@pytest.fixture
def people(store):
    mother, child = person("1990-03-01", "F", address_id="A1"), person("2020-01-01", "M", address_id="A1")
    ingest_lines(store, lines(mother, child, link("PARENT_OF", mother, child)), "feed", dt.date(2026, 11, 25))
    return mother, child


def _app(store, tmp_path, **kw):
    return create_app(settings_for(tmp_path, **{"graphiql": True, "introspection": True, **kw}), store=store)


# --- over HTTP --------------------------------------------------------------------------------

def test_the_page_and_every_file_it_loads_come_from_this_server(ladybug_store, tmp_path):
    with TestClient(_app(ladybug_store, tmp_path)) as c:
        page = c.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
        assert csp["default-src"] == "'none'" and csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
        assert all(set(v.split()) <= {"'self'", "'none'", "data:"} for v in csp.values())  # no host, no 'unsafe-…'
        assert "unpkg" not in page.text and "jsdelivr" not in page.text
        assert "//" not in page.text  # no URL with a host (http://, https://, //cdn…)
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert {a for a in assets if a != "data:,"} == {
            "graphiql/graphiql.min.css", "graphiql/page.css", "graphiql/react.production.min.js",
            "graphiql/react-dom.production.min.js", "graphiql/graphiql.min.js", "graphiql/start.js"}
        for asset in assets:
            if asset.startswith("data:"):
                continue
            r = c.get("/" + asset)  # the page is at /graphql: its relative URLs resolve under /
            assert r.status_code == 200 and len(r.content) > 100, asset
            kind = "text/css" if asset.endswith(".css") else "javascript"
            assert kind in r.headers["content-type"], (asset, r.headers["content-type"])


def test_graphiql_off_serves_neither_the_page_nor_its_files(ladybug_store, tmp_path):
    with TestClient(_app(ladybug_store, tmp_path, graphiql=False)) as c:
        assert c.get("/graphql", headers={"Accept": "text/html"}).status_code in (404, 405)
        assert c.get("/graphiql/graphiql.min.js").status_code == 404
        assert c.get("/graphiql/start.js").status_code == 404


def test_no_path_under_graphiql_reaches_a_file_beside_the_vendored_ones(ladybug_store, tmp_path):
    """The static mount serves its folder only: `..`, raw or percent-encoded, never reaches the
    package's code (api/app.py sits two folders up) or the data folder's settings."""
    with TestClient(_app(ladybug_store, tmp_path)) as c:
        for path in ("/graphiql/../../app.py", "/graphiql/..%2f..%2fapp.py", "/graphiql/%2e%2e/%2e%2e/app.py",
                     "/graphiql/..%5c..%5capp.py", "/graphiql/%252e%252e/app.py", "/graphiql//etc/passwd",
                     "/graphiql/../../../settings.py"):
            r = c.get(path)
            assert r.status_code == 404 and b"import" not in r.content and b"root:" not in r.content, path
        assert c.get("/graphiql/graphiql.min.js").status_code == 200


def test_the_page_says_where_the_token_goes_and_when_introspection_is_off(ladybug_store, tmp_path):
    with TestClient(_app(ladybug_store, tmp_path, introspection=False)) as c:
        text = c.get("/graphql", headers={"Accept": "text/html"}).text
    assert "bearer token goes into the <strong>Headers</strong> tab" in text
    assert '<code>{"Authorization": "Bearer &lt;token&gt;"}</code>' in text
    escaped = TEMPLATE.replace(chr(34), "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    assert f'data-header-template="{escaped}"' in text
    assert "Introspection is off" in text
    with TestClient(_app(ladybug_store, tmp_path, introspection=True)) as c:
        assert "Introspection is off" not in c.get("/graphql", headers={"Accept": "text/html"}).text


def test_the_vendored_files_are_the_packages_own_as_the_readme_says():
    sums = dict(reversed(line.split("  ")) for line in (STATIC / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"graphiql.min.js", "graphiql.min.css", "react.production.min.js",
                         "react-dom.production.min.js", "LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"}
    for name, digest in sums.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, f"{name} changed since vendoring"
    versions = dict(line.split() for line in (STATIC / "VERSIONS").read_text().splitlines())
    readme = (STATIC / "README.md").read_text()
    for package, version in versions.items():
        assert re.search(rf"\[{package}\]\([^)]*\) \| {re.escape(version)} \|", readme), (package, version)
    assert "MIT License" in (STATIC / "LICENSE.graphiql").read_text()
    # minified only: the whole folder stays under 2 MB
    assert sum(f.stat().st_size for f in _static_files()) < 2_000_000


def _static_files():
    from pathlib import Path

    return [p for p in Path(str(STATIC)).iterdir() if p.is_file()]


def test_the_introspection_query_of_clients_fits_the_default_limits_and_a_nested_one_does_not(tmp_path):
    """GraphiQL's schema query nests ``ofType`` 9 deep (14 levels in all): the depth limit (10)
    refused it, and GraphiQL had no docs and no completion. ``ofType`` unwraps one wrapper,
    so it no longer counts; fields that fan out (``fields``, ``type``) still do."""
    s = settings_for(tmp_path, introspection=True)
    schema = build_schema(s)._schema
    limits = sizing.Limits(fields=s.max_fields, aliases=s.max_aliases, depth=s.max_depth, cost=s.max_cost)
    for q in (get_introspection_query(), get_introspection_query(descriptions=True, specified_by_url=True,
              directive_is_repeatable=True, schema_description=True, input_value_deprecation=True)):
        assert sizing.check(schema, parse(q), limits).depth <= 5
    nested = "{ __schema { types { " + "fields { type { " * 5 + "name" + " } }" * 5 + " } } }"
    with pytest.raises(sizing.TooLarge, match="nests 12 levels deep; at most 10") as e:
        sizing.check(schema, parse(nested), limits)
    assert (e.value.limit, e.value.value, e.value.most) == ("depth", 12, 10)
    sizer = sizing.Sizer(limits)
    for _ in range(2):  # measured, then the kept verdict: the same values
        with pytest.raises(sizing.TooLarge, match="nests 12 levels deep") as e:
            sizer.check(schema, parse(nested), nested)
        assert (e.value.limit, e.value.value, e.value.most) == ("depth", 12, 10)


# --- in a real browser ------------------------------------------------------------------------

QUERY = ".graphiql-query-editor"
HEADERS = '.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)'
RESPONSE = ".graphiql-response"


def _editor(page, selector: str):
    """The CodeMirror editor in ``selector`` (GraphiQL 4 uses CodeMirror 5)."""
    return page.locator(f"{selector} .CodeMirror")


def _type_into(page, selector: str, text: str) -> None:
    """As a user would: click into the editor, select all, type over it (inserted as text, so
    CodeMirror's bracket closing does not add its own)."""
    _editor(page, selector).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def _text(page, selector: str) -> str:
    return page.evaluate("s => document.querySelector(s + ' .CodeMirror').CodeMirror.getValue()", selector)


def _wait_for_response(page, containing: str) -> dict:
    page.wait_for_function("([s, t]) => document.querySelector(s + ' .CodeMirror').CodeMirror.getValue().includes(t)",
                           arg=[RESPONSE, containing], timeout=10_000)
    return json.loads(_text(page, RESPONSE))


def _open(browser_page, base: str):
    page = browser_page.page
    page.goto(base + "/graphql")
    _editor(page, QUERY).wait_for(state="visible", timeout=15_000)
    assert page.locator(".fc-loading").count() == 0  # React replaced "Loading GraphiQL…"
    return page


def _only_this_server(browser_page, base: str) -> None:
    assert browser_page.blocked == [], f"the page asked other hosts: {browser_page.blocked}"
    port = urlsplit(base).port
    others = [r.url for r in browser_page.requests
              if not r.url.startswith("data:") and (urlsplit(r.url).hostname, urlsplit(r.url).port) != (HOST, port)]
    assert others == []
    assert {r.url for r in browser_page.requests if r.method == "GET"} >= {
        f"{base}/graphql", f"{base}/graphiql/graphiql.min.js", f"{base}/graphiql/react.production.min.js",
        f"{base}/graphiql/react-dom.production.min.js", f"{base}/graphiql/graphiql.min.css",
        f"{base}/graphiql/start.js"}
    assert browser_page.csp_violations() == []
    assert browser_page.console_errors == []


def test_graphiql_renders_offline_and_runs_a_query_with_the_bearer_token(browser_page, store, people, tmp_path):
    mother, _ = people
    with serve(_app(store, tmp_path)) as base:
        page = _open(browser_page, base)
        # the schema came through (introspection within the limits): the docs know Query's fields
        page.get_by_role("button", name=re.compile("documentation explorer", re.I)).click()
        docs = page.locator(".graphiql-doc-explorer")
        docs.get_by_role("link", name="Query", exact=True).click(timeout=10_000)  # no schema: no link
        docs.get_by_role("link", name="familyCard", exact=True).wait_for(timeout=10_000)

        _type_into(page, QUERY, '{\n  familyCard(iin: "IIN") {\n    person { givenName iin }\n  }\n}'.replace(
            "IIN", mother["iin"]))
        _type_into(page, HEADERS, json.dumps({"Authorization": f"Bearer {KEYS['caseworker']}"}))
        page.locator(".graphiql-execute-button").click()
        result = _wait_for_response(page, "givenName")
        page.screenshot(path=SCREENSHOT)
        storage = page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
    assert result == {"data": {"familyCard": {"person": {"givenName": mother["given_name"], "iin": mother["iin"]}}}}
    # the query went to this server's /graphql, by POST, with the token
    posts = [r for r in browser_page.requests if r.method == "POST"]
    assert posts and all(r.url == f"{base}/graphql" for r in posts)
    assert posts[-1].headers.get("authorization") == f"Bearer {KEYS['caseworker']}"
    _only_this_server(browser_page, base)
    # "Headers are not saved in this browser": GraphiQL keeps tabs and history, not the token
    # (GraphiQL 4.1's history saved it despite shouldPersistHeaders: start.js's storage drops it)
    assert "graphiql:queries" in storage and "familyCard" in storage
    assert KEYS["caseworker"] not in storage


def test_the_page_says_where_the_token_goes_and_the_untouched_template_sends_none(browser_page, ladybug_store,
                                                                                  tmp_path):
    """Refused before the store is asked: one engine is enough."""
    mother = person("1990-03-01", "F")
    with serve(_app(ladybug_store, tmp_path)) as base:
        page = _open(browser_page, base)
        note = page.locator("#token-note")
        assert note.is_visible()
        said = note.inner_text()
        assert "bearer token goes into the Headers tab" in said and TEMPLATE in said
        # the Headers tab is open and holds the template
        assert _editor(page, HEADERS).is_visible()
        assert json.loads(_text(page, HEADERS)) == json.loads(TEMPLATE)

        _type_into(page, QUERY, '{ familyCard(iin: "IIN") { person { iin } } }'.replace("IIN", mother["iin"]))
        page.keyboard.press("Control+Enter")
        result = _wait_for_response(page, "errors")
    # sent without a token, answered as such (not "unknown API key" for the literal "<token>")
    assert result["data"] == {"familyCard": None}
    assert result["errors"][0]["message"] == "sign in: this needs a bearer token"
    posts = [r for r in browser_page.requests if r.method == "POST"]
    assert posts and all("authorization" not in r.headers for r in posts)  # the schema's query, then ours
    _only_this_server(browser_page, base)
