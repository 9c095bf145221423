"""The console's page and files over HTTP (no browser): where it is served, its CSP, that every
file it loads is the package's own, the vendored Cytoscape.js is the one VENDORED.md names, and
the three languages have the same texts."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from familycard.api import console
from familycard.api.app import create_app
from servers import settings_for

STATIC = Path(console.__file__).parent / "static"


@pytest.fixture
def client(ladybug_store, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=ladybug_store)) as c:
        yield c


def _csp(header: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in header.split(";"))


@pytest.mark.parametrize("path", ["/", "/search", "/worklist", "/people/c_AbC-123_x", "/nearmiss", "/findings",
                                  "/lookahead"])
def test_each_view_is_the_one_page_with_a_strict_csp(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = _csp(r.headers["content-security-policy"])
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["connect-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert all(set(v.split()) <= {"'self'", "'none'", "data:"} for v in csp.values())  # no host, no 'unsafe-…'
    assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text and not re.search(r"\son\w+=", r.text)  # no inline script or handler
    assert "//" not in r.text.replace("<!doctype", "")  # no URL with a host
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert set(assets) == {"data:,", "/console/console.css", "/console/vendor/cytoscape/cytoscape.min.js",
                           "/console/js/main.js"}


def test_behind_a_path_prefix_the_page_names_its_files_and_the_api_under_it(ladybug_store, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=ladybug_store), root_path="/fc") as c:
        text = c.get("/people/c_x").text
    assert 'data-root="/fc"' in text and 'src="/fc/console/js/main.js"' in text and "{root}" not in text


def test_every_file_of_the_console_is_served_with_its_type_and_nothing_beside_them(client):
    kinds = {".js": "text/javascript", ".json": "application/json", ".css": "text/css"}
    files = [p for p in STATIC.rglob("*") if p.suffix in kinds]
    assert len(files) >= 14
    for p in files:
        r = client.get("/console/" + p.relative_to(STATIC).as_posix())
        assert r.status_code == 200 and r.content == p.read_bytes(), p
        assert r.headers["content-type"].startswith(kinds[p.suffix]), p
        assert r.headers["x-content-type-options"] == "nosniff"
    for path in ("/console/../__init__.py", "/console/..%2f__init__.py", "/console/%2e%2e/__init__.py",
                 "/console/js/../../__init__.py", "/console//etc/passwd", "/console/nope.js"):
        r = client.get(path)
        assert r.status_code == 404 and b"import" not in r.content and b"root:" not in r.content, path
    # GraphQL stays where it was, and only GET reaches the page
    assert client.post("/graphql", json={"query": "{ benefits { code } }"}).json()["data"]["benefits"]
    assert client.post("/people/x").status_code == 405


def test_the_vendored_cytoscape_is_the_one_vendored_md_names():
    folder = STATIC / "vendor" / "cytoscape"
    text = (folder / "VENDORED.md").read_text()
    sums = dict(re.findall(r"^\| (\S+) \| .*? \| `([0-9a-f]{64})` \|$", text, re.M))
    assert set(sums) == {"cytoscape.min.js", "LICENSE"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{name} changed since vendoring"
    version = re.search(r"^- version: (\d+\.\d+\.\d+)$", text, re.M).group(1)
    assert f"cytoscape@{version}" in text and f"cytoscape-{version}.tgz" in text
    assert "The Cytoscape Consortium" in (folder / "LICENSE").read_text()
    script = (Path(__file__).parents[3] / "tools" / "vendor_cytoscape.sh").read_text()
    assert f'CYTOSCAPE="${{CYTOSCAPE:-{version}}}"' in script


def _tables() -> dict[str, dict[str, str]]:
    return {lang: json.loads((STATIC / "i18n" / f"{lang}.json").read_text()) for lang in ("kk", "ru", "en")}


def test_the_three_languages_have_the_same_texts_with_the_same_blanks():
    tables = _tables()
    assert set(tables["kk"]) == set(tables["ru"]) == set(tables["en"])
    for key in tables["en"]:
        blanks = {lang: sorted(re.findall(r"\{(\w+)\}", table[key])) for lang, table in tables.items()}
        assert blanks["kk"] == blanks["ru"] == blanks["en"], (key, blanks)
        assert all(table[key].strip() for table in tables.values()), key
    # the Kazakh and Russian tables are translated, not copies of the English one
    same = [k for k in tables["en"] if tables["kk"][k] == tables["en"][k] and not k.startswith("lang.")]
    assert len(same) < 5, same


def test_every_text_the_scripts_ask_for_is_in_the_tables_and_no_script_parses_data_as_html():
    en = _tables()["en"]
    code = {p.name: p.read_text() for p in (STATIC / "js").glob("*.js")}
    asked = {k for text in code.values() for k in re.findall(r"\bt\('([\w.]+)'", text)}
    assert len(asked) > 120 and sorted(asked - set(en)) == []
    # each `prefix.${...}` family of keys has the enum's values (the schema's, as the API sends them)
    for prefix, values in {"sex": "F M", "kin": "PARENT_OF SPOUSE_OF GUARDIAN_OF",
                           "relation": "PARENT CHILD SPOUSE GUARDIAN WARD", "decision": "CONSENT REFUSAL WITHDRAWN",
                           "taskStatus": "OPEN CLOSED"}.items():
        assert {f"{prefix}.{v}" for v in values.split()} <= set(en), prefix
    from familycard.api.enums import EventKind, OfferStatus
    for enum, prefix in ((EventKind, "event"), (OfferStatus, "offer")):
        assert {f"{prefix}.{m.name}" for m in enum} <= set(en), prefix
    for name, text in code.items():
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in text, (name, sink)
        assert "localStorage.setItem(KEY, value)" not in text or name == "i18n.js"  # the token: sessionStorage only
