"""The console in a real Chromium (issue 18, point 7): sign in, find a person, open their page,
the graph's people and a re-centring click, a frontend token's masked view, a worklist task
closed with a note, an answer given in person that assigns and orders and shows as staff-entered,
kk/ru/en, dates and amounts, the print sheet; and on every page: no request off 127.0.0.1, no
script error, no CSP violation.

One app and one small LadybugDB store for the module (the default suite's budget gives the
console about a minute); each test has its own browser context (nothing shared in storage) and
works on people no other test changes."""
from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest

from api.console.world import AS_OF, HOSTILE, World
from browser import serve
from familycard.api.app import create_app
from familycard.api.auth import issue_token
from familycard.graph.ingest import ingest_lines
from familycard.graph.store.ladybug import LadybugStore
from feedmaker import lines
from servers import KEYS, settings_for

STAFF = "caseworker key:caseworker-app"


class Site:
    def __init__(self, url: str, world: World):
        self.url, self.world = url, world

    def gql(self, query: str, role: str = "admin", **variables) -> dict:
        r = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables},
                       headers={"Authorization": f"Bearer {KEYS[role]}"}, timeout=30)
        body = r.json()
        assert r.status_code == 200 and not body.get("errors"), body
        return body["data"]

    def id_of(self, person: dict) -> str:
        return self.gql("query($iin: String!) { citizen(iin: $iin) { id } }", iin=person["iin"])["citizen"]["id"]


@contextlib.contextmanager
def served(store, path) -> Iterator[Site]:
    """The world in ``store``, served, with the day's sweep of the birth benefit done."""
    world = World()
    summary = ingest_lines(store, lines(*world.records), "feed", AS_OF)
    assert summary.rejected == 0, summary.rejections
    with serve(create_app(settings_for(path), store=store)) as url:
        s = Site(url, world)
        swept = s.gql(f'mutation {{ runSweep(asOf: "{AS_OF}", benefits: ["birth"]) {{ '
                      '... on SweepReport { offered worklisted } } }')["runSweep"]
        assert swept == {"offered": 4, "worklisted": 3}
        yield s


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("console")
    with LadybugStore(path / "graph") as store:
        store.setup_schema()
        with served(store, path) as s:
            yield s


@contextlib.contextmanager
def checked(recorded, url: str):
    """After the block, the page must have asked nothing of another host, thrown no error and
    broken no CSP rule."""
    errors: list[str] = []
    recorded.page.on("pageerror", lambda e: errors.append(str(e)))
    recorded.page.set_default_timeout(10_000)
    yield recorded
    assert recorded.blocked == []
    urls = [r.url for r in recorded.requests]
    assert [u for u in urls if not u.startswith(url) and not u.startswith("data:")] == []
    assert errors == [] and recorded.console_errors == []
    assert recorded.csp_violations() == []


@pytest.fixture
def page(browser_page, site):
    with checked(browser_page, site.url) as recorded:
        yield recorded


def sign_in(p, site: Site, role: str = "caseworker", path: str = "/"):
    p.goto(site.url + path)
    p.get_by_label(re.compile("token|токен", re.I)).fill(KEYS[role])
    p.keyboard.press("Enter")
    p.locator("#signout").wait_for()


def open_person(p, site: Site, person: dict) -> str:
    pid = site.id_of(person)
    p.goto(f"{site.url}/people/{pid}")
    wait_complete(p, pid)
    return pid


def wait_complete(p, pid: str) -> None:
    p.wait_for_function("id => document.getElementById('main')?.dataset.complete === id", arg=pid)


def graph_ids(p) -> list[str]:
    return p.eval_on_selector_all("#graph-people li", "els => els.map(e => e.dataset.id)")


# --- signing in, finding, signing out -------------------------------------------------------------

def test_sign_in_with_a_token_find_a_person_by_name_and_by_iin_open_them_and_sign_out(page, site):
    p, w = page.page, site.world
    p.goto(site.url + "/")
    field = p.get_by_label(re.compile("token|токен", re.I))
    assert field.get_attribute("type") == "password"
    field.fill("not-a-key")
    p.keyboard.press("Enter")
    # told at once, at sign-in (the server was asked who the token is), not at the first search
    p.get_by_role("alert").filter(has_text="does not accept this token").wait_for()
    assert p.evaluate("sessionStorage.length") == 0 and p.locator("#signout").count() == 0
    # the browser's own line for the refused request (401) is the only console error there may be
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    page.console_errors.clear()
    signed_in_from = len(page.requests)

    sign_in(p, site)
    assert p.evaluate("sessionStorage.getItem('familycard.token')") == KEYS["caseworker"]
    assert p.evaluate("Object.keys(localStorage).filter(k => k !== 'familycard.lang')") == []
    assert p.locator("#role").inner_text() == "Role: caseworker"
    p.evaluate("localStorage.setItem('familycard.lang', 'en')")
    p.reload()  # a kept token: who it is is asked again (kept nowhere but in the page)
    p.locator("#role").wait_for()
    assert p.locator("#role").get_attribute("title") == "key:caseworker-app"
    p.get_by_label("Surname").fill("ахметова")  # any case, as registered
    p.get_by_label("Given name").fill("ДАНА")
    p.get_by_role("button", name="Search").click()
    p.locator("table.results tbody tr").nth(1).wait_for()
    assert p.locator("table.results tbody tr").count() == 2  # the mother and her namesake
    assert p.locator("#results").inner_text().count("01.03.1990") == 2
    p.get_by_label("Surname").fill("Ахмет")  # a part of a name finds no one
    p.get_by_role("button", name="Search").click()
    p.locator("#results .empty, #results .error").wait_for()
    p.get_by_label("Surname").fill("")
    p.get_by_label("Given name").fill("")
    p.get_by_label("IIN").fill(w.mother["iin"])
    p.get_by_role("button", name="Search").click()
    p.locator("table.results tbody tr").first.wait_for()
    assert p.locator("table.results tbody tr").count() == 1
    p.locator("table.results a.person-link").click()
    pid = site.id_of(w.mother)
    wait_complete(p, pid)
    assert p.url == f"{site.url}/people/{pid}" and p.locator("#person-name").inner_text() == "Ахметова Дана"
    # the token went in a header only: no URL asked for holds it
    assert not [r.url for r in page.requests if KEYS["caseworker"] in r.url]
    calls = [r for r in page.requests[signed_in_from:] if r.url.endswith("/graphql")]
    assert calls and all(r.method == "POST" and r.headers.get("authorization") == f"Bearer {KEYS['caseworker']}"
                         for r in calls)

    p.locator("#signout").click()
    p.get_by_label(re.compile("token", re.I)).wait_for()
    assert p.evaluate("sessionStorage.length") == 0
    p.goto(f"{site.url}/people/{pid}")  # a link to a person needs signing in again
    p.get_by_label(re.compile("token", re.I)).wait_for()
    assert p.locator("#person-name").count() == 0


def test_search_results_come_in_pages(page, site):
    p = page.page
    sign_in(p, site, path="/search")
    p.locator("input[name=surname]").fill("Беков")
    p.locator("input[name=givenName]").fill("Ержан")
    p.locator("form.search button[type=submit]").click()
    rows = p.locator("table.results tbody tr")
    p.wait_for_function("() => document.querySelectorAll('table.results tbody tr').length === 20")
    first = rows.all_inner_texts()
    assert "25" in p.locator("#results .count").inner_text()
    p.locator(".pager button").last.click()  # next
    p.wait_for_function("() => document.querySelectorAll('table.results tbody tr').length === 5")
    assert not set(rows.all_inner_texts()) & set(first) and p.locator(".pager button").last.is_disabled()
    p.locator(".pager button").first.click()  # previous
    p.wait_for_function("() => document.querySelectorAll('table.results tbody tr').length === 20")
    assert rows.all_inner_texts() == first


def test_a_token_the_server_stops_accepting_sends_the_user_back_to_sign_in_told_why(page, site):
    p = page.page
    sign_in(p, site, path="/worklist")
    p.locator("#tasks .count").wait_for()
    p.evaluate("sessionStorage.setItem('familycard.token', 'revoked-key')")  # as if revoked meanwhile
    p.locator("form.filters button[type=submit]").click()
    p.get_by_role("alert").filter(has_text="sign in again").wait_for()
    assert p.evaluate("sessionStorage.length") == 0 and p.locator("#signout").count() == 0
    # and a kept token refused on a load (the server is asked who it is first)
    sign_in(p, site, path="/worklist")
    p.evaluate("sessionStorage.setItem('familycard.token', 'revoked-key')")
    p.reload()
    p.get_by_role("alert").filter(has_text="sign in again").wait_for()
    assert p.evaluate("sessionStorage.length") == 0 and p.locator("#signout").count() == 0
    refused = "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    assert page.console_errors == [refused] * 2
    page.console_errors.clear()


# --- a person's page ------------------------------------------------------------------------------

def test_the_graph_shows_the_family_and_a_click_or_enter_re_centres_it(page, site):
    p, w = page.page, site.world
    sign_in(p, site)
    pid = open_person(p, site, w.mother)
    api = site.gql("query($id: ID!) { familyGraph(id: $id, hops: 2) { nodes { id } edges { type } } }",
                   "caseworker", id=pid)["familyGraph"]
    ids = graph_ids(p)
    assert sorted(ids) == sorted(n["id"] for n in api["nodes"]) and len(ids) == len(w.circle) == 7
    assert p.locator("#graph-canvas").get_attribute("data-people") == "7"
    assert p.locator("#graph-canvas canvas").count() >= 1  # drawn by Cytoscape
    assert {e["type"] for e in api["edges"]} == {"PARENT_OF", "SPOUSE_OF", "GUARDIAN_OF"}
    assert p.locator(".legend .kind-PARENT_OF, .legend .kind-SPOUSE_OF, .legend .kind-GUARDIAN_OF").count() == 3
    items = p.locator("#graph-people li")
    texts = items.all_inner_texts()
    assert sum("household" in t for t in texts) == 5  # A1: the mother, her husband, two children and the ward
    grandad = p.locator("#graph-people li.dead")
    assert grandad.count() == 1 and "Омаров Болат" in grandad.inner_text() and "† 03.03.2020" in grandad.inner_text()
    # a name that is HTML is shown as its characters, and runs nothing
    assert any(HOSTILE in t for t in texts)
    assert p.evaluate("window.__xss") is None and p.locator("#main img").count() == 0
    assert p.evaluate("performance.getEntriesByName('familycard:person-complete').length") == 1
    assert_a_tree(p, site, pid, 2)

    # a click on the father in the drawing re-centres on him (a new address in the bar)
    father = site.id_of(w.father)
    spot = p.locator(f'#graph-people li[data-id="{father}"]')
    box = p.locator("#graph-canvas").bounding_box()
    p.mouse.click(box["x"] + float(spot.get_attribute("data-x")), box["y"] + float(spot.get_attribute("data-y")))
    wait_complete(p, father)
    assert p.url.endswith(f"/people/{father}") and p.locator("#person-name").inner_text() == "Ахметов Ерлан"
    assert_a_tree(p, site, father, 2)
    p.locator("#hops").select_option("1")
    p.wait_for_function("() => document.querySelectorAll('#graph-people li').length === 4")  # wife, two children
    # by keyboard: Tab to the baby's list item, Enter
    baby = site.id_of(w.baby)
    p.locator(f'#graph-people li[data-id="{baby}"]').focus()
    p.keyboard.press("Enter")
    wait_complete(p, baby)
    assert p.locator("#person-name").inner_text() == "Ахметов Алихан"
    assert p.evaluate("document.activeElement.id") == "person-name"  # the keyboard's place: the new person
    p.go_back()
    wait_complete(p, father)


def assert_a_tree(p, site: Site, pid: str, hops: int) -> None:
    """As drawn: every parent (and guardian) above each of their children, spouses on one row,
    the centre person's row on the band; all three generations there."""
    graph = site.gql("query($id: ID!, $hops: Int) { familyGraph(id: $id, hops: $hops) { edges { from to type } } }",
                     "caseworker", id=pid, hops=hops)["familyGraph"]
    drawn = {li["id"]: li for li in p.eval_on_selector_all(
        "#graph-people li", "els => els.map(e => ({id: e.dataset.id, x: +e.dataset.x, y: +e.dataset.y, "
                            "generation: +e.dataset.generation}))")}
    for e in graph["edges"]:
        a, b = drawn[e["from"]], drawn[e["to"]]
        if e["type"] == "SPOUSE_OF":
            assert a["y"] == b["y"] and a["generation"] == b["generation"], e
        else:
            assert a["y"] < b["y"] and a["generation"] < b["generation"], e
    assert int(p.locator("#graph-canvas").get_attribute("data-centre-y")) == drawn[pid]["y"]
    assert len({d["y"] for d in drawn.values()}) >= 2


LAYOUT = """async (graphs) => {
  const { familyTree } = await import('/console/js/tree.js');
  return graphs.map((g) => {
    const started = performance.now();
    const tree = familyTree(g);
    return { ...tree, ms: performance.now() - started };
  });
}"""


def _graph(links: str, root: str = "me") -> dict:
    """A FamilyGraph from "a>b" (a parent of b), "a~b" (spouses), "a!b" (a guardian of b)."""
    kinds = {">": "PARENT_OF", "~": "SPOUSE_OF", "!": "GUARDIAN_OF"}
    edges, ids = [], {root: None}
    for link in links.split():
        kind = next(k for k in kinds if k in link)
        a, b = link.split(kind)
        ids[a] = ids[b] = None
        edges.append({"from": a, "to": b, "type": kinds[kind]})
    return {"root": root, "nodes": [{"id": i} for i in ids], "edges": edges}


def test_the_tree_puts_generations_in_rows_for_remarriages_step_and_half_families(page, site):
    """tree.js in the page on families a force layout drew as a hairball: a man remarried with
    children of both wives; two parents who had children with other partners too; a stepfather
    who is a guardian; an in-law's parents; and a 500-person cut, timed."""
    p = page.page
    p.goto(site.url + "/")
    families = {
        # grandparents, parents, me and a sister, my children: three rows and a fourth; my wife's
        # mother (her own parents past the cut) on my parents' row, not the top
        "three": _graph("gm~gf gm>mum gf>mum mum~dad mum>me dad>me mum>sis dad>sis me~wife me>kid wife>kid wm>wife"),
        # dad remarried: a half-brother from his second wife, a half-sister from mum's second husband,
        # who is my guardian (a step-father); dad's parents and mum's in-laws further up
        "remarried": _graph("dad~mum dad~wife2 dad>me mum>me dad>half wife2>half mum~step mum>half2 step>half2 "
                            "step!me dp>dad dm>dad dp~dm wp>wife2"),
        # two parents who each had children with other partners too (no tree, no cycle)
        "shared": _graph("a~b a>me b>me a~c a>x c>x b~d b>y d>y y~z y>yk z>yk", root="me"),
        # someone their own ancestor (no registry should say so): drawn, not looped on
        "cycle": _graph("me>kid kid>grand grand>me me~other"),
    }
    clan = _graph(" ".join(f"me>c{i}" for i in range(480)) + " " + " ".join(f"c{i}~s{i}" for i in range(19)))
    names = list(families)
    results = dict(zip([*names, "clan"], p.evaluate(LAYOUT, [*families.values(), clan]), strict=True))
    for name in ["three", "remarried", "shared", "clan"]:
        g = (families | {"clan": clan})[name]
        gen, pos = results[name]["generation"], results[name]["position"]
        for e in g["edges"]:
            a, b = e["from"], e["to"]
            if e["type"] == "SPOUSE_OF":
                assert gen[a] == gen[b] and pos[a]["y"] == pos[b]["y"], (name, e)
            else:
                assert gen[b] == gen[a] + 1, (name, e)  # one row down
                assert pos[a]["y"] < pos[b]["y"], (name, e)
    three, remarried, shared = (results[n]["generation"] for n in ("three", "remarried", "shared"))
    assert [three[k] for k in ("gm", "mum", "me", "kid")] == [0, 1, 2, 3] and three["wife"] == three["me"]
    assert three["wm"] == three["mum"]
    assert remarried["me"] == remarried["half"] == remarried["half2"] == remarried["step"] + 1
    assert remarried["wp"] == remarried["dp"] == remarried["dad"] - 1
    assert shared["a"] == shared["b"] == shared["c"] == shared["d"] == shared["me"] - 1 == shared["yk"] - 2
    # couples side by side: a man between his two wives, each pair of spouses adjacent
    pos = results["remarried"]["position"]
    xs = sorted(pos[k]["x"] for k in ("mum", "dad", "wife2"))
    assert pos["dad"]["x"] == xs[1] or pos["mum"]["x"] == xs[1]
    for a, b in (("gm", "gf"), ("mum", "dad"), ("me", "wife")):
        at = results["three"]["position"]
        assert abs(at[a]["x"] - at[b]["x"]) == 120, (a, b)  # DX: side by side
    assert set(results["cycle"]["generation"]) == {"me", "kid", "grand", "other"}
    # children under their parents: the children's middle is within the parents' span
    kids = [pos[k]["x"] for k in ("me", "half", "half2")]
    parents = [pos[k]["x"] for k in ("mum", "dad", "wife2", "step")]
    assert min(parents) <= sum(kids) / len(kids) <= max(parents)
    # 500 people: wrapped onto lines of at most 30 (a couple never split), in well under a frame's worth
    rows = results["clan"]["rows"]
    assert len(rows) == 2 and rows[1]["bottom"] > rows[1]["top"]
    assert results["clan"]["ms"] < 50, results["clan"]["ms"]


def test_a_graph_past_the_limit_is_drawn_cut_with_a_note(page, site):
    p, w = page.page, site.world
    sign_in(p, site)
    pid = open_person(p, site, w.clan)
    api = site.gql("query($id: ID!) { familyGraph(id: $id, hops: 2) { truncated nodes { id } } }", "caseworker",
                   id=pid)["familyGraph"]
    assert api["truncated"] and len(api["nodes"]) == 500
    assert len(graph_ids(p)) == 500 and p.locator("#graph-canvas").get_attribute("data-people") == "500"
    note = p.locator("#graph-note")
    assert note.is_visible() and "500" in note.inner_text()
    assert p.evaluate("performance.getEntriesByName('familycard:person-complete')[0].startTime") < 5000


def test_entitlements_say_why_in_the_chosen_language_with_kazakhstan_dates_and_amounts_and_print(page, site):
    p, w = page.page, site.world
    sign_in(p, site)
    p.locator("#lang").select_option("ru")
    pid = open_person(p, site, w.mother)
    assert p.evaluate("localStorage.getItem('familycard.lang')") == "ru"
    assert p.locator("html").get_attribute("lang") == "ru"
    assert p.locator("#role").inner_text() == "Роль: специалист"  # the role named in the page's language
    today = p.evaluate("new Intl.DateTimeFormat('en-GB', {timeZone: 'Asia/Almaty'})"
                       ".format(new Date()).replaceAll('/', '.')")
    assert p.locator("#as-of").input_value() == today
    assert "01.03.1990" in p.locator("#person-facts").inner_text()
    as_of(p, AS_OF.strftime("%d.%m.%Y"))
    birth = p.locator('#rights-list article.right[data-code="birth"]').first
    api = site.gql("""query($id: ID!, $d: Date) { familyCard(id: $id) { entitlements(asOf: $d, benefit: "birth") {
                      entitled amountKzt checks { ok text { kk ru en } } } } }""", "caseworker", id=pid,
                   d=AS_OF.isoformat())["familyCard"]["entitlements"][0]
    assert api["entitled"] and "✓" in birth.locator("h3").inner_text() and "право есть" in birth.inner_text()
    checks = birth.locator(".checks li")
    assert checks.count() == len(api["checks"])
    for i, check in enumerate(api["checks"]):
        text = checks.nth(i).inner_text()
        assert text.startswith("✓" if check["ok"] else "✗") and check["text"]["ru"] in text
    # the amount as Kazakhstan writes it, from the decimal the API sent
    whole = f"{int(api['amountKzt']):,}".replace(",", " ")
    shown = birth.inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    assert f"{whole},00 ₸" in shown, shown
    # the Kazakh interface, remembered by the browser
    p.locator("#lang").select_option("kk")
    assert "Төлемге құқықтар" in p.locator("#rights h2").inner_text()
    assert api["checks"][0]["text"]["kk"] in birth.locator(".checks li").first.inner_text()
    p.reload()
    wait_complete(p, pid)
    assert p.locator("#lang").input_value() == "kk" and p.locator("#graph h2").inner_text() == "Отбасы графы"
    assert p.locator("#role").inner_text() == "Рөл: маман"
    # printed: the citizen's explanation alone, in the language chosen for them
    as_of(p, AS_OF.strftime("%d.%m.%Y"))
    p.locator("#print-lang").select_option("en")
    p.emulate_media(media="print")
    sheet = p.locator("#print-sheet")
    assert sheet.is_visible() and not p.locator("#graph").is_visible() and not p.locator("header.top").is_visible()
    assert "Your social benefits" in sheet.inner_text() and "Ахметова Дана" in sheet.inner_text()
    assert api["checks"][0]["text"]["en"] in sheet.inner_text()
    p.emulate_media(media="screen")


def as_of(p, day: str) -> None:
    """Judge the entitlements on ``day`` (dd.mm.yyyy) and wait for them."""
    p.locator("#as-of").fill(day)
    p.locator("#rights button[type=submit]").click()
    p.wait_for_function("d => !document.querySelector('#rights-list[aria-busy]') "
                        "&& document.querySelector('#rights-list .count')?.textContent.includes(d)", arg=day)


def test_a_frontend_token_sees_what_a_frontend_sees_masked_and_no_search(page, site):
    p, w = page.page, site.world
    sign_in(p, site, "frontend")
    open_person(p, site, w.mother)
    facts = p.locator("#person-facts").inner_text()
    assert "********" + w.mother["iin"][-4:] in facts and w.mother["iin"] not in p.locator("body").inner_text()
    assert "+7 701 *** ** 67" in facts and w.mother["bank_account"] not in facts
    p.goto(site.url + "/search")
    p.locator("input[name=iin]").fill(w.mother["iin"])
    p.locator("form.search button[type=submit]").click()
    p.locator("#results .error").wait_for()
    assert "FORBIDDEN" not in p.locator("#results").inner_text() and "frontend" in p.locator("#results").inner_text()
    p.goto(site.url + "/worklist")
    p.locator("#tasks .error").wait_for()


def test_an_auditor_reads_the_worklist_without_the_forms_that_would_be_refused(page, site, tmp_path):
    p = page.page
    token = issue_token(settings_for(tmp_path), "ann", "auditor", dt.timedelta(hours=1))
    p.goto(site.url + "/worklist")
    p.get_by_label(re.compile("token", re.I)).fill(token)
    p.keyboard.press("Enter")
    p.locator("#tasks .count").wait_for()
    assert p.locator("#role").inner_text() == "Role: auditor" and p.locator("#role").get_attribute("title") == "ann"
    _filter(p, "W3")
    assert p.locator("article.task").count() == 1 and p.locator("article.task form").count() == 0


def test_the_forms_follow_the_role_the_server_names_for_an_api_key(page, site):
    """An API key names no role the page could read: the server's `viewer` says it. An auditor's or
    a frontend's key sees no close or answer form; a caseworker's key sees both."""
    p, w = page.page, site.world
    pid = site.id_of(w.untouched)  # her birth offer is open, her NO_PHONE task too; no test changes them
    for role, forms in (("auditor", 0), ("frontend", 0), ("caseworker", 1)):
        sign_in(p, site, role, path=f"/people/{pid}")
        assert p.locator("#role").inner_text() == f"Role: {role}"
        wait_complete(p, pid)
        offer = p.locator('#offers article.offer[data-status="OPEN"]')
        offer.wait_for()
        assert offer.locator("form.answer-offer").count() == forms, role
        if role != "frontend":  # a frontend may not read the worklist at all
            p.goto(site.url + "/worklist")
            p.locator("#tasks .count").wait_for()
            _filter(p, "W3")
            task = p.locator("article.task")
            assert task.count() == 1
            assert task.locator("form.answer-offer").count() == forms and task.locator("form").count() == 2 * forms
        p.locator("#signout").click()
        p.get_by_label(re.compile("token", re.I)).wait_for()


# --- the worklist ---------------------------------------------------------------------------------

def _filter(p, address: str, status: str = "OPEN") -> None:
    p.locator("select[name=reason]").select_option("NO_PHONE")
    p.locator("select[name=benefit] option[value=birth]").wait_for(state="attached")
    p.locator("select[name=benefit]").select_option("birth")
    p.locator("select[name=status]").select_option(status)
    p.locator("input[name=addressId]").fill(address)
    p.locator("form.filters button[type=submit]").click()
    p.wait_for_function("([a, s]) => !document.querySelector('#tasks[aria-busy]') "
                        "&& document.querySelector('#tasks .count') "
                        "&& [...document.querySelectorAll('#tasks article.task')].every(t => t.dataset.address === a "
                        "&& t.dataset.status === s)", arg=[address, status])


def test_a_caseworker_closes_a_worklist_task_with_a_note(page, site):
    p = page.page
    sign_in(p, site, path="/worklist")
    p.locator("#tasks .count").wait_for()
    _filter(p, "W2")
    task = p.locator("article.task")
    assert task.count() == 1 and "Қасымова Ләззат" in task.inner_text()
    task.locator("textarea[name=note]").fill("   ")
    task.get_by_role("button", name=re.compile("Close|жабу|Закрыть", re.I)).click()  # no note: refused here
    task.locator(".close-task .status.error").wait_for()
    task.locator("textarea[name=note]").fill("  called her sister: she comes on Monday  ")
    task.locator(".close-task button[type=submit]").click()
    p.locator("#notice").wait_for()
    p.wait_for_function("() => document.querySelectorAll('#tasks article.task').length === 0")
    _filter(p, "W2", "CLOSED")
    closed = p.locator("article.task")
    assert closed.count() == 1 and "called her sister: she comes on Monday" in closed.inner_text()
    assert STAFF in closed.inner_text() and closed.locator("form").count() == 0
    api = site.gql('{ worklist(filter: {status: CLOSED, addressId: "W2"}) { edges { node { note closedBy } } } }',
                   "caseworker")["worklist"]["edges"]
    assert [e["node"] for e in api] == [{"note": "called her sister: she comes on Monday", "closedBy": STAFF}]


def test_an_answer_given_in_person_assigns_orders_and_shows_as_staff_entered(page, site):
    sign_in(page.page, site)
    answer_in_person(page, site)


def answer_in_person(page, site: Site) -> None:
    """On the worklist (signed in as a caseworker): consent for the mother without a phone."""
    p, w = page.page, site.world
    p.goto(site.url + "/worklist")
    p.locator("#tasks .count").wait_for()
    p.locator("#lang").select_option("en")
    _filter(p, "W1")
    task = p.locator("article.task")
    assert task.count() == 1 and "Жұмабаева Сәуле" in task.inner_text()
    form = task.locator("form.answer-offer")
    form.get_by_label("The citizen's answer").select_option("CONSENT")
    form.get_by_label("Why it is entered by staff").fill("came to the office with her ID card")
    form.get_by_role("button", name="Record the answer").click()
    p.locator("#notice").wait_for()
    assert "consent; payment orders: 1" in p.locator("#notice").inner_text()
    # answering closed the offer's NO_PHONE task
    p.wait_for_function("() => document.querySelectorAll('#tasks article.task').length === 0")
    pid = open_person(p, site, w.nophone)
    assert p.locator("#assignments tbody tr").count() == 1 and "active" in p.locator("#assignments").inner_text()
    assert p.locator("#payments tbody tr").count() == 1
    history = p.locator("#offers table.history").inner_text()
    assert f"entered by staff: {STAFF}" in history and "came to the office with her ID card" in history
    api = site.gql("""query($id: ID!) { familyCard(id: $id) { assignments { status benefit { code } }
                      payments { totalCount } offers { edges { node { status history { kind enteredBy } } } } } }""",
                   "caseworker", id=pid)["familyCard"]
    assert api["assignments"] == [{"status": "ACTIVE", "benefit": {"code": "birth"}}]
    assert api["payments"]["totalCount"] == 1
    [offer] = [e["node"] for e in api["offers"]["edges"]]
    assert offer["status"] == "CONSENTED" and STAFF in {h["enteredBy"] for h in offer["history"]}


@pytest.mark.scenario
@pytest.mark.neo4j
def test_on_neo4j_a_caseworker_finds_a_person_sees_the_graph_and_answers_in_person(neo4j_store, browser_page,
                                                                                tmp_path):
    """The same console on a real Neo4j (a scenario: a server of its own, ~20 s)."""
    with served(neo4j_store, tmp_path) as site, checked(browser_page, site.url) as page:
        p, w = page.page, site.world
        sign_in(p, site, path="/search")
        p.locator("input[name=iin]").fill(w.mother["iin"])
        p.locator("form.search button[type=submit]").click()
        p.locator("table.results a.person-link").click()
        pid = site.id_of(w.mother)
        wait_complete(p, pid)
        assert len(graph_ids(p)) == len(w.circle)
        father = site.id_of(w.father)
        p.locator(f'#graph-people li[data-id="{father}"]').click()
        wait_complete(p, father)
        answer_in_person(page, site)
