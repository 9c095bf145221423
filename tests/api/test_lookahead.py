"""Looking ahead over GraphQL (issue 19), on both engines: `forecast`, `nearMisses`, `whatIf`,
`findings` and `findingKinds` as each role may use them, the persons they show masked and
logged, paged, their arguments checked, computed off the event loop within the time limit.

Two halves: the API over small fakes of graph/lookahead's functions (what the API itself adds:
roles, masking, logging, paging, errors), and the API over the real functions on a generated
population (it must show exactly what the library finds)."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import threading
import time
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from api.family import ACCOUNT, AS_OF, PHONE
from familycard.api.app import create_app
from familycard.api.lookahead import queries
from familycard.api.permissions import mask_text
from familycard.graph import lookahead
from familycard.graph.ingest import ingest_lines
from familycard.graph.lookahead import (
    FINDING_KINDS,
    MISSING_KINDS,
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
    parse_settings,
    what_if,
)
from familycard.synthetic import write_feed
from servers import gql, settings_for

# The Neo4j half runs with the scenarios (CI runs both): the default run keeps its 15 minutes.
pytestmark = pytest.mark.scenario_on_neo4j

LOG = """query($iin: String) { accessLog(iin: $iin) { totalCount edges { node { role operation fields } } } }"""
PERSON = "{ iin givenName phone bankAccount }"
FORECAST = f"""query($from: Date!, $days: Int!, $benefit: String, $first: Int, $after: String) {{
  forecast(from: $from, days: $days, benefit: $benefit, first: $first, after: $after) {{
    monthlyUntil monthlyRules
    changes {{ totalCount pageInfo {{ hasNextPage endCursor }}
               edges {{ node {{ date change amountKzt benefit {{ code }}
                                citizen {PERSON} subject {PERSON} }} }} }} }} }}"""
NEAR = f"""query($asOf: Date!, $missing: NearMissKind, $benefit: String, $first: Int, $after: String) {{
  nearMisses(asOf: $asOf, missing: $missing, benefit: $benefit, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ missing missingText detail benefit {{ code }} citizen {PERSON} subject {PERSON} }} }} }} }}"""
WHATIF = f"""query($asOf: Date!, $set: [ParameterSetting!]!, $benefit: String, $first: Int, $after: String) {{
  whatIf(asOf: $asOf, set: $set, benefit: $benefit, first: $first, after: $after) {{
    __typename
    ... on InvalidInput {{ message field }}
    ... on WhatIf {{ asOf settings {{ name value replacedReference }}
      costs {{ benefit {{ code }} periodicity gains losses amountChanges beforeKzt afterKzt differenceKzt }}
      monthlyBeforeKzt monthlyAfterKzt oneOffBeforeKzt oneOffAfterKzt
      changes {{ totalCount pageInfo {{ hasNextPage endCursor }}
                 edges {{ node {{ change beforeKzt afterKzt benefit {{ code }}
                                  citizen {PERSON} subject {PERSON} }} }} }} }} }} }}"""
FINDINGS = f"""query($asOf: Date!, $kind: String, $first: Int, $after: String) {{
  findings(asOf: $asOf, kind: $kind, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ kind title detail citizens {PERSON} }} }} }} }}"""
KINDS = "{ findingKinds { code title why clears } }"


@pytest.fixture
def client(store, family, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        yield c


# --- fakes of graph/lookahead's functions, about the family's people ------------------------------

class Fakes:
    """What each fake was asked, and in which thread it ran."""

    def __init__(self, f):
        self.f = f
        self.calls: list[tuple] = []
        self.on_loop: list[bool] = []

    def _called(self, *args) -> None:
        self.calls.append(args)
        try:
            asyncio.get_running_loop()
            self.on_loop.append(True)
        except RuntimeError:
            self.on_loop.append(False)

    def forecast(self, store, start, days, codes=None):
        self._called("forecast", start, days, codes)
        f, d = self.f, dt.timedelta
        changes = [ForecastChange(start + d(1), "begins", f.mother["iin"], "large_family", None, 44_300),
                   ForecastChange(start + d(2), "ends", f.small_mother["iin"], "childcare_1_5",
                                  f.small_child["iin"], 21_000),
                   ForecastChange(start + d(3), "amount", f.mother["iin"], "large_family", None, 48_000)]
        return Forecast(start, days, [c for c in changes if not codes or c.benefit in codes],
                        monthly_until=dt.date(start.year, start.month, 30), monthly_rules=("targeted_assistance",))

    def near_misses(self, store, as_of, kinds=None):
        self._called("near_misses", as_of, kinds)
        f = self.f
        found = [NearMiss(f.small_mother["iin"], "birth", f.small_child["iin"], "phone",
                          f"no phone; account {ACCOUNT} on file, child {f.small_child['iin']}"),
                 NearMiss(f.mother["iin"], "large_family", f.student["iin"], "student_fact",
                          f"{f.student['iin']} is 19 with no student fact; phone {PHONE}")]
        return [m for m in found if not kinds or m.missing in kinds]

    def parse_settings(self, items):
        out = {}
        for item in items:
            name, _, value = item.partition("=")
            try:
                out[name] = Decimal(value)
            except ArithmeticError:
                raise WhatIfError(f"{item}: not NAME=VALUE", name=name, value=value) from None
        return out

    def what_if(self, store, as_of, settings, codes=None):
        self._called("what_if", as_of, dict(settings), codes)
        if "pony" in settings:
            raise WhatIfError("pony is not a parameter (valid: mci, large_family_mci[4], …)", name="pony",
                              valid=("mci", "large_family_mci[4]"))
        f = self.f
        return WhatIf(as_of, settings, {n: "Law on the republican budget 2026, art. 8 (2025-12-05)" for n in settings},
                      changes=[WhatIfChange(f.mother["iin"], "large_family", None, "amount", 44_300, 50_000),
                               WhatIfChange(f.small_mother["iin"], "large_family", None, "gains", None, 30_000)],
                      costs=[BenefitCost("large_family", "monthly", 1, 0, 1, 44_300, 80_000),
                             BenefitCost("birth", "one_off", 0, 0, 0, 150_000, 150_000)])

    def findings(self, store, as_of, kinds=None):
        self._called("findings", as_of, kinds)
        f = self.f
        found = [DataFinding("shared_bank_account", tuple(sorted((f.mother["iin"], f.granny["iin"]))),
                             f"account {ACCOUNT} on {f.mother['iin']} and {f.granny['iin']}, no kinship"),
                 DataFinding("two_open_spouses", (f.father["iin"],), "two SPOUSE_OF links open on 2026-11-25")]
        return [x for x in found if not kinds or x.kind in kinds]


@pytest.fixture
def fakes(family, monkeypatch) -> Fakes:
    fk = Fakes(family)
    for name in ("forecast", "near_misses", "parse_settings", "what_if", "findings"):
        monkeypatch.setattr(queries, name, getattr(fk, name))
    # the fake's two kinds only, where the API reads them (the real dict, and its order, untouched)
    monkeypatch.setattr(lookahead, "FINDING_KINDS", {
        code: FindingKind(code, code.replace("_", " "), f"why {code}", f"clears {code}")
        for code in ("shared_bank_account", "two_open_spouses")})
    return fk


def _nodes(conn: dict) -> list[dict]:
    return [e["node"] for e in conn["edges"]]


CALLS = {
    "forecast": (FORECAST, {"from": str(AS_OF), "days": 30}),
    "nearMisses": (NEAR, {"asOf": str(AS_OF)}),
    "whatIf": (WHATIF, {"asOf": str(AS_OF), "set": [{"name": "mci", "value": 4000}]}),
    "findings": (FINDINGS, {"asOf": str(AS_OF)}),
    "findingKinds": (KINDS, {}),
}
ALLOWED = {"forecast": {"auditor", "admin"}, "whatIf": {"auditor", "admin"},
           "nearMisses": {"caseworker", "auditor", "admin"}, "findings": {"caseworker", "auditor", "admin"},
           "findingKinds": {"caseworker", "auditor", "admin"}}


@pytest.mark.parametrize("field", list(CALLS))
@pytest.mark.parametrize("role", ["frontend", "caseworker", "auditor", "admin", None])
def test_each_field_is_for_its_roles_only(client, fakes, field, role):
    query, variables = CALLS[field]
    got = gql(client, query, role, **variables)
    if role in ALLOWED[field]:
        assert not got.get("errors") and got["data"][field] is not None, got
    else:
        assert got["data"] is None
        assert got["errors"][0]["extensions"]["code"] == ("UNAUTHENTICATED" if role is None else "FORBIDDEN")
        assert [c for c in fakes.calls] == []  # nothing computed for a caller refused


def test_the_forecast_shows_each_change_with_its_people_amounts_and_pages_one_computation(client, fakes, family):
    got = gql(client, FORECAST, "auditor", **{"from": "2026-11-25", "days": 90, "first": 2})["data"]["forecast"]
    assert got["monthlyUntil"] == "2026-11-30" and got["monthlyRules"] == ["targeted_assistance"]
    changes = got["changes"]
    assert changes["totalCount"] == 3 and changes["pageInfo"]["hasNextPage"] is True
    first, second = _nodes(changes)
    assert (first["date"], first["change"], first["amountKzt"], first["benefit"]) == (
        "2026-11-26", "BEGINS", 44300, {"code": "large_family"})
    assert first["citizen"]["iin"] == family.mother["iin"] and first["subject"] is None
    assert first["citizen"]["phone"] == "+7 701 *** ** 67"  # an auditor sees no phone
    assert (second["change"], second["subject"]["iin"]) == ("ENDS", family.small_child["iin"])
    rest = gql(client, FORECAST, "auditor", **{"from": "2026-11-25", "days": 90,
                                               "after": changes["pageInfo"]["endCursor"]})["data"]["forecast"]
    assert [n["change"] for n in _nodes(rest["changes"])] == ["AMOUNT"]
    assert rest["changes"]["pageInfo"]["hasNextPage"] is False
    # one computation a request, in a worker thread (never on the event loop), with the arguments given
    assert fakes.calls == [("forecast", AS_OF, 90, None)] * 2 and fakes.on_loop == [False, False]
    only = gql(client, FORECAST, "admin", **{"from": "2026-11-25", "days": 1, "benefit": "childcare_1_5"})
    assert [n["change"] for n in _nodes(only["data"]["forecast"]["changes"])] == ["ENDS"]
    assert fakes.calls[-1] == ("forecast", AS_OF, 1, ["childcare_1_5"])


@pytest.mark.parametrize("variables,message", [
    ({"days": 0}, "days: 0 is not between 1 and 366"),
    ({"days": 367}, "days: 367 is not between 1 and 366"),
    ({"days": 30, "benefit": "pony"}, "benefit: 'pony' is not one of alqa_mother, birth,"),
    ({"days": 30, "from": "9999-12-30"}, "from: 9999-12-30 is not between 1900-01-01 and 2199-12-31"),
    ({"days": 30, "from": "2199-12-30"}, "from: 2199-12-30 + 30 days is past 2199-12-31"),
    ({"days": 30, "first": 101}, "first: 101 is not between 0 and 100"),
])
def test_the_forecast_names_a_bad_argument(client, fakes, variables, message):
    got = gql(client, FORECAST, "admin", **{"from": "2026-11-25", **variables})
    assert got["data"] is None and got["errors"][0]["message"].startswith(message), got
    assert got["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and fakes.calls == []


def test_near_misses_show_what_is_missing_masked_per_role_filtered_and_logged(client, fakes, family):
    got = gql(client, NEAR, "caseworker", asOf="2026-11-25")["data"]["nearMisses"]
    assert got["totalCount"] == 2
    phone, student = _nodes(got)
    assert (phone["missing"], phone["benefit"], phone["citizen"]["iin"], phone["subject"]["iin"]) == (
        "PHONE", {"code": "birth"}, family.small_mother["iin"], family.small_child["iin"])
    assert phone["missingText"] == MISSING_KINDS["phone"]
    # a caseworker sees IINs and phones, an account by its last 4 only, in the text as in the fields
    assert ACCOUNT not in phone["detail"] and phone["detail"].endswith(f"child {family.small_child['iin']}")
    assert student["detail"].endswith(PHONE) and student["citizen"]["phone"] == PHONE
    audited = _nodes(gql(client, NEAR, "auditor", asOf="2026-11-25")["data"]["nearMisses"])
    assert ACCOUNT in audited[0]["detail"] and PHONE not in audited[1]["detail"]
    assert audited[1]["citizen"]["phone"] != PHONE
    # the kind is passed on; the benefit narrows the list
    only = gql(client, NEAR, "caseworker", asOf="2026-11-25", missing="STUDENT_FACT")["data"]["nearMisses"]
    assert [n["missing"] for n in _nodes(only)] == ["STUDENT_FACT"]
    assert fakes.calls[-1] == ("near_misses", AS_OF, ["student_fact"])
    by_benefit = gql(client, NEAR, "caseworker", asOf="2026-11-25", benefit="birth")["data"]["nearMisses"]
    assert by_benefit["totalCount"] == 1 and _nodes(by_benefit)[0]["benefit"] == {"code": "birth"}
    assert "benefit: 'x' is not one of" in gql(client, NEAR, "caseworker", asOf="2026-11-25",
                                               benefit="x")["errors"][0]["message"]
    assert gql(client, NEAR, "caseworker", asOf="2026-11-25", missing="PONY")["errors"]
    # each person the list shows is a card read, logged under the operation with the fields shown
    for who in (family.small_mother, family.small_child, family.mother, family.student):
        rows = _nodes(gql(client, LOG, "admin", iin=who["iin"])["data"]["accessLog"])
        assert {(r["role"], r["operation"]) for r in rows} >= {("CASEWORKER", "nearMisses")}, who
        assert any("edges.node.detail" in r["fields"] for r in rows)


@pytest.mark.parametrize("field", ["nearMisses", "whatIf", "findings"])
def test_a_day_off_the_calendar_the_rules_know_is_named(client, fakes, field):
    query, variables = CALLS[field]
    got = gql(client, query, "admin", **{**variables, "asOf": "0001-01-01"})
    assert got["errors"][0]["message"] == "asOf: 0001-01-01 is not between 1900-01-01 and 2199-12-31", got
    assert fakes.calls == []


def test_near_misses_page_one_computation_per_request(client, fakes):
    seen, after = [], None
    while True:
        got = gql(client, NEAR, "caseworker", asOf="2026-11-25", first=1, after=after)["data"]["nearMisses"]
        seen += [n["missing"] for n in _nodes(got)]
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    assert seen == ["PHONE", "STUDENT_FACT"] and len(fakes.calls) == 2 and not any(fakes.on_loop)
    # a page shows (and logs) only its own people
    assert gql(client, NEAR, "caseworker", asOf="2026-11-25", first=0)["data"]["nearMisses"]["edges"] == []


def test_what_if_shows_the_settings_costs_and_changes_paged(client, fakes, family):
    got = gql(client, WHATIF, "auditor", asOf="2026-11-25", first=1,
              set=[{"name": "large_family_mci[4]", "value": 20.5}, {"name": "mci", "value": 4000}])["data"]["whatIf"]
    assert got["__typename"] == "WhatIf" and got["asOf"] == "2026-11-25"
    assert got["settings"] == [
        {"name": "large_family_mci[4]", "value": 20.5,
         "replacedReference": "Law on the republican budget 2026, art. 8 (2025-12-05)"},
        {"name": "mci", "value": 4000, "replacedReference": "Law on the republican budget 2026, art. 8 (2025-12-05)"}]
    assert fakes.calls == [("what_if", AS_OF, {"large_family_mci[4]": Decimal("20.5"), "mci": Decimal(4000)}, None)]
    assert got["costs"][0] == {"benefit": {"code": "large_family"}, "periodicity": "MONTHLY", "gains": 1, "losses": 0,
                               "amountChanges": 1, "beforeKzt": 44300, "afterKzt": 80000, "differenceKzt": 35700}
    assert (got["monthlyBeforeKzt"], got["monthlyAfterKzt"], got["oneOffBeforeKzt"], got["oneOffAfterKzt"]) == (
        44300, 80000, 150000, 150000)
    assert got["changes"]["totalCount"] == 2 and got["changes"]["pageInfo"]["hasNextPage"]
    [amount] = _nodes(got["changes"])
    assert (amount["change"], amount["beforeKzt"], amount["afterKzt"], amount["citizen"]["iin"]) == (
        "AMOUNT", 44300, 50000, family.mother["iin"])
    rows = _nodes(gql(client, LOG, "admin", iin=family.mother["iin"])["data"]["accessLog"])
    assert [(r["role"], r["operation"]) for r in rows] == [("AUDITOR", "whatIf")]
    assert _nodes(gql(client, LOG, "admin", iin=family.small_mother["iin"])["data"]["accessLog"]) == []  # page 2


@pytest.mark.parametrize("settings,field,message", [
    ([{"name": "pony", "value": 1}], "set[0]", "pony is not a parameter (valid: mci"),
    ([{"name": "mci", "value": 1}, {"name": "mci", "value": 2}], "set[1].name", "set[1].name: 'mci' is set already"),
    ([{"name": "mci=4", "value": 1}], "set[0].name", "set[0].name: character U+003D"),
    ([{"name": "mci\u202e", "value": 1}], "set[0].name", "set[0].name: character U+202E"),
    ([{"name": " ", "value": 1}], "set[0].name", "set[0].name: empty"),
    ([{"name": "x" * 201, "value": 1}], "set[0].name", "set[0].name: at most 200 characters"),
    ([], "set", "set: give at least one"),
    ([{"name": f"p{i}", "value": 1} for i in range(51)], "set", "set: at most 50 settings"),
])
def test_what_if_names_a_setting_it_cannot_apply(client, fakes, settings, field, message):
    got = gql(client, WHATIF, "admin", asOf="2026-11-25", set=settings)["data"]["whatIf"]
    assert got["__typename"] == "InvalidInput" and got["field"] == field and got["message"].startswith(message), got


def test_findings_name_their_people_masked_logged_and_their_kinds(client, fakes, family):
    kinds = gql(client, KINDS, "caseworker")["data"]["findingKinds"]
    assert {k["code"]: k["why"] for k in kinds} == {"shared_bank_account": "why shared_bank_account",
                                                     "two_open_spouses": "why two_open_spouses"}
    got = gql(client, FINDINGS, "caseworker", asOf="2026-11-25")["data"]["findings"]
    assert got["totalCount"] == 2
    shared, spouses = _nodes(got)
    assert (shared["kind"], shared["title"]) == ("shared_bank_account", "shared bank account")
    assert {c["iin"] for c in shared["citizens"]} == {family.mother["iin"], family.granny["iin"]}
    assert ACCOUNT not in shared["detail"] and family.granny["iin"] in shared["detail"]
    assert [c["iin"] for c in spouses["citizens"]] == [family.father["iin"]]
    for who in (family.mother, family.granny, family.father):
        rows = _nodes(gql(client, LOG, "admin", iin=who["iin"])["data"]["accessLog"])
        assert {(r["role"], r["operation"]) for r in rows} == {("CASEWORKER", "findings")}, who
    only = gql(client, FINDINGS, "caseworker", asOf="2026-11-25", kind="two_open_spouses")["data"]["findings"]
    assert only["totalCount"] == 1 and fakes.calls[-1] == ("findings", AS_OF, ["two_open_spouses"])
    bad = gql(client, FINDINGS, "caseworker", asOf="2026-11-25", kind="pony")
    assert bad["errors"][0]["message"] == "kind: 'pony' is not one of shared_bank_account, two_open_spouses"


def test_a_look_ahead_past_the_time_limit_is_answered_then_and_a_third_at_once_is_refused(store, family, tmp_path,
                                                                                         monkeypatch):
    release = threading.Event()

    def slow(store, as_of, kinds=None):
        release.wait(10)
        return []

    monkeypatch.setattr(queries, "near_misses", slow)
    with TestClient(create_app(settings_for(tmp_path, request_timeout_s=0.5), store=store)) as c:
        t = time.monotonic()
        for _ in range(2):  # each told of the limit when it passes; both still run in their threads
            r = c.post("/graphql", json={"query": NEAR, "variables": {"asOf": "2026-11-25"}},
                       headers={"Authorization": "Bearer key-caseworker"})
            assert r.status_code == 504, r.text
        assert time.monotonic() - t < 5
        busy = gql(c, NEAR, "caseworker", asOf="2026-11-25")
        assert busy["errors"][0]["extensions"]["code"] == "BUSY"
        release.set()
        for _ in range(100):
            got = gql(c, NEAR, "caseworker", asOf="2026-11-25")
            if not got.get("errors"):
                break
            time.sleep(0.05)
        assert got["data"]["nearMisses"]["totalCount"] == 0


# --- the real functions, on a generated population ------------------------------------------------

@pytest.fixture
def population(store, tmp_path):
    buf = io.StringIO()
    write_feed(buf, people=400, seed=19, as_of=AS_OF)
    assert ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", AS_OF).rejected == 0
    with TestClient(create_app(settings_for(tmp_path, request_timeout_s=120), store=store)) as c:
        yield c


def _all(client, query, field, role, path=lambda d: d, **variables) -> list[dict]:
    out, after = [], None
    while True:
        got = gql(client, query, role, first=100, after=after, **variables)
        assert not got.get("errors"), got
        conn = path(got["data"][field])
        out += _nodes(conn)
        if not conn["pageInfo"]["hasNextPage"]:
            return out
        after = conn["pageInfo"]["endCursor"]


def _iin(c):
    return c["iin"] if c else None


def test_the_api_shows_what_the_library_forecasts(population, store):
    want = forecast(store, AS_OF, 45)
    got = _all(population, FORECAST, "forecast", "admin", lambda d: d["changes"], **{"from": str(AS_OF), "days": 45})
    assert [(n["date"], n["change"].lower(), _iin(n["citizen"]), n["benefit"]["code"], _iin(n["subject"]),
             n["amountKzt"]) for n in got] == [(c.date.isoformat(), c.change, c.iin, c.benefit, c.subject,
                                                c.amount_kzt) for c in want.changes]


def test_the_api_shows_the_near_misses_the_library_finds(population, store):
    want = near_misses(store, AS_OF)
    assert want, "the population has near misses"
    got = _all(population, NEAR, "nearMisses", "caseworker", asOf=str(AS_OF))
    assert [(_iin(n["citizen"]), n["benefit"]["code"], _iin(n["subject"]), n["missing"].lower(), n["detail"])
            for n in got] == [(m.iin, m.benefit, m.subject, m.missing, mask_text(m.detail, "caseworker"))
                              for m in want]


def test_the_api_shows_what_the_library_would_change(population, store):
    want = what_if(store, AS_OF, parse_settings(["mci=4500"]))
    got = gql(population, WHATIF, "auditor", asOf=str(AS_OF), set=[{"name": "mci", "value": 4500}],
              first=100)["data"]["whatIf"]
    assert got["__typename"] == "WhatIf"
    assert got["settings"] == [{"name": "mci", "value": 4500, "replacedReference": want.references["mci"]}]
    assert [(c["benefit"]["code"], c["gains"], c["losses"], c["beforeKzt"], c["afterKzt"]) for c in got["costs"]] == [
        (c.benefit, c.gains, c.losses, c.before_kzt, c.after_kzt) for c in want.costs]
    assert got["changes"]["totalCount"] == len(want.changes)
    bad = gql(population, WHATIF, "auditor", asOf=str(AS_OF), set=[{"name": "no_such", "value": 1}])["data"]["whatIf"]
    assert bad["__typename"] == "InvalidInput" and "mci" in bad["message"]


def test_the_api_shows_the_findings_the_library_finds(population, store):
    want = findings(store, AS_OF)
    assert FINDING_KINDS, "the findings' kinds are documented"
    kinds = gql(population, KINDS, "caseworker")["data"]["findingKinds"]
    assert [k["code"] for k in kinds] == list(FINDING_KINDS) and all(k["why"] and k["clears"] for k in kinds)
    got = _all(population, FINDINGS, "findings", "caseworker", asOf=str(AS_OF))
    assert [(n["kind"], sorted(c["iin"] for c in n["citizens"])) for n in got] == [
        (f.kind, sorted(f.iins)) for f in want]
