"""Every dated value carries the law that set it, and `explain` shows it beside the amount:
the parameters the amount formula used, their value on the day, and that value's reference,
on LadybugDB and on a real Neo4j."""
from __future__ import annotations

import datetime as dt

import pytest

from engines import engine_store
from familycard.graph.ingest import ingest_lines
from familycard.graph.rules import load_rules
from familycard.graph.rules.cases import feed_lines, load_cases
from familycard.graph.rules.explain import explain, render

BIRTH = load_rules(["birth"])[0]
CASE = next(c for c in load_cases(BIRTH) if c.expect)


@pytest.fixture(scope="module", params=["ladybug", "neo4j"])
def store(request, tmp_path_factory):
    store = engine_store(request, tmp_path_factory, "refs")
    store.write("MATCH (n) DETACH DELETE n")
    summary = ingest_lines(store, feed_lines(CASE), "birth/cases.yaml", CASE.as_of)
    assert summary.rejected == 0 and summary.pending == 0
    yield store
    store.close()


def _recipient() -> str:
    return next(iter(CASE.expect))[0]


@pytest.mark.parametrize("lang,since", [("en", "since"), ("ru", "с"), ("kk", "бастап")])
def test_explain_shows_each_amount_parameter_with_its_value_and_the_law_that_set_it(store, lang, since):
    ex = explain(store, _recipient(), CASE.as_of, ["birth"])
    out = render(ex, lang)
    assert "✔" in out
    mci = BIRTH.parameters["mci"]
    day, ref = mci.since(CASE.as_of), mci.reference_at(CASE.as_of)
    line = next(x for x in out.splitlines() if x.strip().startswith("§ mci ="))
    assert f"§ mci = {mci.at(CASE.as_of)} " in line and since in line and day.isoformat() in line
    assert line.endswith(f": {ref}") and "republican budget" in ref
    birth = next(x for x in out.splitlines() if x.strip().startswith("§ birth_mci ="))
    assert "1: 38, 4: 63" in birth and "Social Code of the RK of 20 April 2023 No. 224-VII" in birth
    # one line per parameter the amount formula reads, nothing else
    assert [x.split("=")[0].strip() for x in out.splitlines() if x.strip().startswith("§")] == ["§ mci", "§ birth_mci"]


def test_no_parameter_lines_when_nothing_is_paid(store):
    out = render(explain(store, _recipient(), CASE.as_of + dt.timedelta(days=800), ["birth"]), "en")
    assert "§" not in out


def test_each_year_of_the_mci_names_its_own_budget_law():
    mci = BIRTH.parameters["mci"]
    refs = {mci.reference_at(dt.date(y, 6, 1)) for y in (2024, 2025, 2026)}
    assert len(refs) == 3
    assert "No. 239-VIII" in mci.reference_at(dt.date(2026, 1, 1))
    assert "No. 141-VIII" in mci.reference_at(dt.date(2025, 12, 31))
    assert all("unverified" in r or "No." in r for r in refs)


def test_parameter_uses_are_the_amounts_names_or_every_name_the_rule_reads():
    ta = load_rules(["targeted_assistance"])[0]
    assert ta.parameter_names(amount_only=True) == ("poverty_line_share", "pm", "income_months")
    assert set(ta.parameter_names()) == {"poverty_line_share", "pm", "income_months"}
    pension = load_rules(["pension_right"])[0]
    assert pension.parameter_names(amount_only=True) == ()
    assert set(pension.parameter_names()) == {"pension_age_men", "pension_age_women"}
    uses = ta.parameter_uses(dt.date(2026, 3, 1))
    assert [u.name for u in uses] == list(ta.parameter_names())
    assert all(u.reference for u in uses)
    assert ta.parameter_uses(dt.date(2020, 1, 1)) == []  # nothing in force yet: left out
