"""The look-ahead views in a real Chromium (issue 19): near misses and findings as a caseworker,
the forward calendar and a what-if as an admin, on a small generated population; rows appear,
each person links to their page, the header shows each role its views; no request off
127.0.0.1, no script error, no CSP violation.

Twice: over fakes of graph/lookahead's functions about the population's own people (the pages
and the API, now), and over the real functions (the rows the library finds, once it has landed)."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from api.console.test_browser import checked, sign_in
from browser import serve
from familycard.api.app import create_app
from familycard.api.lookahead import queries
from familycard.graph.ingest import ingest_lines
from familycard.graph.lookahead import (
    FINDING_KINDS,
    BenefitCost,
    DataFinding,
    FindingKind,
    Forecast,
    ForecastChange,
    NearMiss,
    WhatIf,
    WhatIfChange,
    WhatIfError,
    findings,
    forecast,
    near_misses,
)
from familycard.graph.store.ladybug import LadybugStore
from familycard.synthetic import write_feed
from servers import settings_for

AS_OF = dt.date(2026, 11, 25)
COMPUTED = 90_000  # ms a computation may take in the page (the library's, on a busy machine)


class Site:
    def __init__(self, url: str, store):
        self.url, self.store = url, store
        self.iins = [r["iin"] for r in store.read("MATCH (p:Person) WHERE p.death_date IS NULL "
                                                  "RETURN p.iin AS iin ORDER BY p.iin LIMIT 80")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("lookahead")
    with LadybugStore(path / "graph") as store:
        store.setup_schema()
        buf = io.StringIO()
        write_feed(buf, people=300, seed=19, as_of=AS_OF)
        assert ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", AS_OF).rejected == 0
        with serve(create_app(settings_for(path, request_timeout_s=120), store=store)) as url:
            yield Site(url, store)


@pytest.fixture(params=["fakes", "library"])
def lib(request, site, monkeypatch):
    """``fakes``: the library's functions replaced by fakes about the population's people."""
    if request.param == "library":
        return request.param
    iins = site.iins

    def fake_forecast(store, start, days, codes=None):
        changes = [ForecastChange(start + dt.timedelta(days=1 + i % days), ("begins", "ends", "amount")[i % 3], iin,
                                  "large_family", None, 40_000 + i) for i, iin in enumerate(iins[:60])]
        return Forecast(start, days, changes, monthly_until=dt.date(2026, 11, 30),
                        monthly_rules=("targeted_assistance",))

    def fake_near(store, as_of, kinds=None):
        return [NearMiss(iin, "birth", None, "phone", f"no phone registered for {iin}") for iin in iins[:60]
                if not kinds or "phone" in kinds]

    def fake_what_if(store, as_of, settings, codes=None):
        if any(n != "mci" for n in settings):
            raise WhatIfError("'pony' is not a parameter; valid: mci, large_family_mci[5]", name="pony")
        return WhatIf(as_of, settings, {"mci": "Law on the republican budget for 2026, art. 8"},
                      changes=[WhatIfChange(iin, "large_family", None, "amount", 40_000, 42_000) for iin in iins[:5]],
                      costs=[BenefitCost("large_family", "monthly", 0, 0, 5, 200_000, 210_000)])

    def fake_findings(store, as_of, kinds=None):
        return [DataFinding("possible_duplicate_person", (iins[i], iins[i + 1]), "same full name and birth date")
                for i in range(0, 8, 2)]

    def fake_parse(items):
        return {name: Decimal(v) for name, _, v in (i.partition("=") for i in items)}

    for name, fn in (("forecast", fake_forecast), ("near_misses", fake_near), ("what_if", fake_what_if),
                     ("findings", fake_findings), ("parse_settings", fake_parse)):
        monkeypatch.setattr(queries, name, fn)
    monkeypatch.setitem(FINDING_KINDS, "possible_duplicate_person", FindingKind(
        "possible_duplicate_person", "Possible duplicate person", "One person under two IINs is paid twice.",
        "The population register merges the two records or shows they are two people."))
    return request.param


@pytest.fixture
def page(browser_page, site):
    with checked(browser_page, site.url) as recorded:
        yield recorded


def _nav(p) -> list[str]:
    return p.eval_on_selector_all("header nav a", "els => els.map(a => a.getAttribute('href'))")


def _rows_or_none(p, rows: str, expected: int, none: str) -> None:
    if expected:
        p.locator(rows).first.wait_for(timeout=COMPUTED)
        assert p.locator(rows).count() == min(expected, 50)
    else:
        p.locator(none).wait_for(timeout=COMPUTED)


def test_a_caseworker_sees_near_misses_and_findings_and_opens_a_person(page, site, lib):
    p = page.page
    sign_in(p, site, "caseworker", "/nearmiss")
    assert _nav(p) == ["/search", "/worklist", "/nearmiss", "/findings"]  # no look-ahead for a caseworker
    p.get_by_role("heading", name="Near misses").wait_for()
    p.locator("#nearmisses .empty").wait_for()  # nothing computed on opening
    p.get_by_label("As of").fill("25.11.2026")
    p.get_by_role("button", name="Show").click()
    expected = 60 if lib == "fakes" else len(near_misses(site.store, AS_OF))
    _rows_or_none(p, "#nearmiss-table tbody tr", expected, "#nearmisses .empty")
    if expected:
        assert p.locator("#nearmisses .count").inner_text().endswith("on 25.11.2026")
        p.locator("#lang").select_option("ru")  # relabelled in place: the rows stay, nothing asked again
        p.get_by_role("heading", name="Почти получатели").wait_for()
        assert p.locator("#nearmiss-table tbody tr").count() == min(expected, 50)
        p.locator("#lang").select_option("en")
        link = p.locator("#nearmiss-table tbody tr").first.locator("a").first
        href = link.get_attribute("href")
        link.click()
        p.wait_for_url(re.compile(r"/people/c_"))
        assert p.url == site.url + href
    p.get_by_role("link", name="Data findings").click()
    p.get_by_role("heading", name="Data findings").wait_for()
    p.get_by_label("As of").fill("25.11.2026")
    if lib == "fakes":  # the kinds the server documents, in the filter
        p.locator("select[name=kind] option[value=possible_duplicate_person]").wait_for(state="attached")
    p.get_by_role("button", name="Show").click()
    expected = 4 if lib == "fakes" else len(findings(site.store, AS_OF))
    _rows_or_none(p, "#findings article.finding", expected, "#findings .empty")
    if lib == "fakes":
        first = p.locator("#findings article.finding").first
        assert first.locator("h2").inner_text() == "possibly one person under two IINs"
        assert "One person under two IINs is paid twice." in first.inner_text()
        assert "The population register merges" in first.inner_text()
        assert first.locator("ul.persons a").count() == 2


def test_an_admin_forecasts_and_runs_a_what_if(page, site, lib):
    p = page.page
    sign_in(p, site, "admin", "/lookahead")
    assert _nav(p)[-3:] == ["/nearmiss", "/findings", "/lookahead"]
    p.get_by_role("heading", name="Forward calendar").wait_for()
    p.locator("#forecast input[name=from]").fill("25.11.2026")
    p.locator("#forecast input[name=days]").fill("60")
    p.get_by_role("button", name="Forecast").click()
    expected = 60 if lib == "fakes" else len(forecast(site.store, AS_OF, 60).changes)
    _rows_or_none(p, "#forecast-table tbody tr", expected, "#forecast-result .empty")
    if lib == "fakes":
        assert "targeted_assistance: over monthly income not yet reported, forecast up to 30.11.2026" in \
            p.locator("#forecast-result .note").inner_text()
        assert p.locator("#forecast-table tbody tr").first.locator("td").first.inner_text() == "26.11.2026"

    p.locator("#whatif input[name=asOf]").fill("25.11.2026")
    p.locator("#whatif input[name=name-0]").fill("pony")
    p.locator("#whatif input[name=value-0]").fill("1")
    p.get_by_role("button", name="Compute").click()
    p.locator("#whatif-result .error").wait_for(timeout=COMPUTED)
    assert "mci" in p.locator("#whatif-result .error").inner_text()  # the server names the valid ones
    p.locator("#whatif input[name=name-0]").fill("mci")
    p.locator("#whatif input[name=value-0]").fill("4500")
    p.get_by_role("button", name="Compute").click()
    p.locator("#whatif-settings li").wait_for(timeout=COMPUTED)
    assert p.locator("#whatif-settings li").inner_text().startswith("mci = 4500 — replacing the value set by ")
    if lib == "fakes":
        assert p.locator("#whatif-costs tbody tr").count() == 1
        assert p.locator("#whatif-changes tbody tr").count() == 5
        assert "200" in p.locator("#whatif-totals").inner_text()
