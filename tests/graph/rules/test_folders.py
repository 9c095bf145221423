"""Every rule folder is complete: metadata in kk/ru/en, SMS in kk/ru, parameters with sources,
a formula that only names known things, portable Cypher, and a case for every named boundary."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from familycard.graph.rules import LANGS, RULES_DIR, load_rules, shared_parameters, used_params
from familycard.graph.rules.cases import load_cases
from familycard.graph.rules.formula import names_in
from familycard.schema import vocabulary

RULES = load_rules()
# benefits.md's two tables, copied here: a folder missing or one too many fails below.
SPEC_BENEFITS = {"birth", "childcare_1_5", "disabled_child_carer", "disability", "large_family", "alqa_mother",
                 "targeted_assistance", "burial", "breadwinner_loss", "job_loss", "work_capacity_loss"}
SPEC_NOTIFICATIONS = {"pension_right", "kandas_expiry", "employment_measures"}
SPEC_CODES = SPEC_BENEFITS | SPEC_NOTIFICATIONS


def test_there_is_one_folder_per_code_of_benefits_md():
    assert len(SPEC_CODES) == 14
    assert {r.code for r in RULES} == SPEC_CODES
    assert {p.name for p in RULES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")} == SPEC_CODES
    assert {r.code for r in RULES if r.kind == "benefit"} == SPEC_BENEFITS


def test_a_benefit_fact_may_name_the_benefit_folders_and_only_them():
    # The feed's vocabulary reads the same folders as the rule engine, by path.
    assert vocabulary.RULES_DIR == RULES_DIR
    assert vocabulary.benefit_codes() == SPEC_BENEFITS


def unreferenced(parameters, names, where):
    """Each dated value without its own legal reference, as 'file: parameter on date'."""
    out = []
    for name in names:
        p = parameters[name]
        refs = p.references or ("",) * len(p.values)  # a Parameter built without references has none
        out += [f"{where}: {name} on {since}" for (since, _), ref in zip(p.values, refs, strict=True)
                if not ref.strip()]
    return out


def test_every_shared_dated_value_carries_its_own_legal_reference():
    shared = shared_parameters()
    missing = unreferenced(shared, shared, RULES_DIR / "parameters.yaml")
    assert not missing, "dated values without their own reference (law, article, date):\n" + "\n".join(missing)


def test_a_value_without_a_reference_is_named_by_file_parameter_and_date(tmp_path):
    from familycard.graph.rules.parameters import load_yaml, parse_parameters
    (tmp_path / "p.yaml").write_text("x:\n  source: s\n  values:\n    2024-01-01: {value: 1, reference: a law}\n"
                                     "    2025-01-01: 2\n", encoding="utf-8")
    params = parse_parameters(load_yaml(tmp_path / "p.yaml"), "p.yaml")
    assert unreferenced(params, params, "p.yaml") == ["p.yaml: x on 2025-01-01"]


def test_benefits_have_amounts_and_notifications_do_not():
    for r in RULES:
        if r.kind == "notification":
            assert r.amount is None and r.periodicity == "notice", r.code
        elif r.code != "burial":  # benefits.md: amount not yet sourced
            assert r.amount, r.code


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
class TestFolder:
    def test_texts_in_every_language(self, rule):
        for lang in LANGS:
            assert rule.title[lang] and rule.not_concerned[lang]
            for c in rule.conditions:
                assert c.text[lang], (c.id, lang)
            for reason, texts in rule.reasons.items():
                assert texts[lang], (reason, lang)
        assert rule.sms_title["kk"] and rule.sms_title["ru"]
        assert rule.sms_lead or rule.kind == "benefit"  # a notice is its lead
        assert rule.legal["basis"] and rule.legal["note"]

    def test_parameters_are_dated_with_a_source(self, rule):
        for name in rule.own_parameters:
            p = rule.parameters[name]
            assert p.source.strip(), name
            assert all(isinstance(d, dt.date) for d, _ in p.values), name
        missing = unreferenced(rule.parameters, rule.own_parameters, rule.folder / "rule.yaml")
        assert not missing, "dated values without their own reference (law, article, date):\n" + "\n".join(missing)

    def test_formulas_name_only_parameters_and_returned_columns(self, rule):
        returned = set(re.findall(r"\bAS\s+([A-Za-z_][A-Za-z0-9_]*)", rule.cypher))
        known = set(rule.parameters) | returned
        for source in filter(None, (rule.amount, rule.when)):
            assert names_in(source) <= known, f"{source}: unknown {names_in(source) - known}"
        explained = set(re.findall(r"\bAS\s+([A-Za-z_][A-Za-z0-9_]*)", rule.explain_cypher))
        for name, source in rule.explain_values.items():
            assert names_in(source) <= known | explained, name

    def test_every_condition_is_a_column_of_the_explanation_or_the_when(self, rule):
        explained = set(re.findall(r"\bAS\s+([A-Za-z_][A-Za-z0-9_]*)", rule.explain_cypher))
        missing = [c.id for c in rule.conditions if c.id not in explained]
        assert len(missing) <= (1 if rule.when else 0), f"conditions without a column: {missing}"

    def test_queries_use_only_the_parameters_the_runner_gives(self, rule):
        given = set(rule.query_params(dt.date(2026, 11, 25))) | {"iin"}
        for q in (rule.cypher, rule.explain_cypher):
            assert used_params(q) <= given, used_params(q) - given

    def test_cypher_stays_in_the_portable_subset(self, rule):
        for q in (rule.cypher, rule.explain_cypher):
            code = re.sub(r"//[^\n]*", "", q)
            for banned in (r"duration", r"datetime\s*\(", r"\bdate\s*\(", r"elementId", r"\btype\s*\(",
                           r"apoc\.", r"\[\s*\w+\s+IN\s+[^\]]*\|", r"\[\s*\w+\s+IN\s+[^\]]*WHERE",
                           r"\bid\s*\(", r"\bCREATE\b", r"\bMERGE\b", r"\bSET\b", r"\bDELETE\b",
                           r"\w+\s*\[\s*\d+\s*\]"):
                assert not re.search(banned, code, re.I), f"{banned!r} is not portable / not read-only"

    def test_cases_cover_every_boundary_on_both_sides(self, rule):
        cases = load_cases(rule)
        assert len(cases) >= 4, "a handful of cases at least"
        assert any(c.expect for c in cases) and any(not c.expect for c in cases), "cases in and out"
        covered = {b for c in cases for b in c.boundaries}
        assert set(rule.boundaries) <= covered, f"boundaries without a case: {set(rule.boundaries) - covered}"
        assert covered <= set(rule.boundaries), f"cases name unknown boundaries: {covered - set(rule.boundaries)}"
        names = [c.name for c in cases]
        assert len(names) == len(set(names)), "case names are unique sentences"
