"""The rule engine's pieces: decimal formulas, dated parameters, date bounds (calendar rules of
benefits.md), and the runner's refusal of bad rule folders."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from familycard.graph.rules import RULES_DIR, RuleError, load_rules, shared_parameters
from familycard.graph.rules.bounds import BoundError, compute_bounds, reach_date
from familycard.graph.rules.formula import FormulaError, Table, evaluate, whole_tenge
from familycard.graph.rules.parameters import ParameterError

D = dt.date


class TestFormula:
    def test_decimal_arithmetic_rounds_half_up_to_whole_tenge(self):
        assert whole_tenge(evaluate("mci * k", {"mci": 4325, "k": Decimal("8.90")})) == 38493  # 38 492.5
        assert whole_tenge(Decimal("81870.11")) == 81870
        assert whole_tenge(Decimal("-0.5")) == -1 and whole_tenge(None) is None

    def test_no_binary_float_ever_touches_money(self):
        with pytest.raises(FormulaError, match="decimal string"):
            evaluate("0.45 * x", {"x": 1})
        with pytest.raises(FormulaError, match="binary float"):
            evaluate("x", {"x": 0.1})
        assert evaluate("'0.45' * x", {"x": 100}) == Decimal("45.00")

    def test_unknown_names_and_code_are_refused(self):
        with pytest.raises(FormulaError, match="unknown name 'y'"):
            evaluate("x + y", {"x": 1})
        for bad in ("__import__('os')", "x.real", "open('f')", "[a for a in x]", "lambda: 1"):
            with pytest.raises(FormulaError):
                evaluate(bad, {"x": 1})

    def test_a_missing_value_makes_the_amount_unknown_not_zero(self):
        assert evaluate("x * 2", {"x": None}) is None
        assert evaluate("a / b", {"a": 1, "b": 0}) is None
        assert evaluate("max(0, a - b)", {"a": 5, "b": 7}) == 0

    def test_tables_are_brackets_over_numbers_and_exact_over_words(self):
        birth = Table("birth_mci", {1: 38, 4: 63})
        assert [evaluate("t[n]", {"t": birth, "n": n}) for n in (1, 3, 4, 9)] == [38, 38, 63, 63]
        groups = Table("g", {"1": Decimal("2.2"), "child": Decimal("1.61")})
        assert evaluate("t[g]", {"t": groups, "g": "child"}) == Decimal("1.61")
        assert evaluate("max(t[a])", {"t": Table("a", {"kumis": Decimal("6.40"), "altyn": Decimal("7.40")}),
                                      "a": ["kumis", "altyn"]}) == Decimal("7.40")
        with pytest.raises(FormulaError, match="no value for 'x'"):
            evaluate("t[g]", {"t": groups, "g": "x"})


class TestParameters:
    def test_a_value_holds_from_its_date_until_the_next(self):
        mci = shared_parameters()["mci"]
        assert mci.at(D(2025, 12, 31)) == 3932 and mci.at(D(2026, 1, 1)) == 4325
        with pytest.raises(ParameterError, match="no value on 2023-12-31"):
            mci.at(D(2023, 12, 31))

    def test_yaml_numbers_are_read_as_decimals(self):
        rule = load_rules(["childcare_1_5"])[0]
        assert rule.parameters["childcare_mci"].at(D(2026, 1, 1))[4] == Decimal("8.90")


class TestBounds:
    def test_windows_of_n_days_up_to_and_including_the_day(self):
        b = compute_bounds({"since": {"days": -364}}, D(2026, 11, 25), {})
        assert b["since"] == D(2025, 11, 26)

    def test_18_months_uses_the_last_day_when_the_day_does_not_exist(self):
        # born 2024-08-31: 18 months on 2026-02-28 (no 31 February)
        b = compute_bounds({"x": {"reached": {"months": 18}}}, D(2026, 2, 28), {})
        assert b["x"] == D(2024, 8, 31)
        b = compute_bounds({"x": {"reached": {"months": 18}}}, D(2026, 2, 27), {})
        assert b["x"] == D(2024, 8, 27)

    def test_born_on_29_february_turns_a_year_older_on_1_march(self):
        b = compute_bounds({"x": {"reached": {"years": 18}}}, D(2026, 2, 28), {})
        assert b["x"] == D(2008, 2, 28)  # born 2008-02-29 is still 17 on 2026-02-28
        b = compute_bounds({"x": {"reached": {"years": 18}}}, D(2026, 3, 1), {})
        assert b["x"] == D(2008, 3, 1)

    def test_womens_pension_age_is_the_one_in_force_in_the_year_reached(self):
        women = shared_parameters()["pension_age_women"]
        assert reach_date(D(1966, 7, 10), women) == D(2027, 7, 10)   # 61 in 2027
        assert reach_date(D(1967, 3, 10), women) == D(2028, 9, 10)   # 61½ in 2028
        assert reach_date(D(1967, 9, 10), women) == D(2029, 9, 10)   # 61½ would fall in 2029, where 62 holds
        assert reach_date(D(1970, 1, 1), women) == D(2033, 1, 1)     # 63 from 2031
        assert reach_date(D(1963, 5, 5), shared_parameters()["pension_age_men"]) == D(2026, 5, 5)

    def test_month_windows_for_the_insurance_lookback(self):
        b = compute_bounds({"m": {"months_window": {"from_days": -29, "lookback_months": 24}}}, D(2026, 3, 1), {})
        assert [m["first_day"] for m in b["m"]] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
        assert b["m"][0]["lookback_from"] == D(2024, 1, 1) and b["m"][1]["last_day"] == D(2026, 2, 28)


class TestFolders:
    def _copy(self, tmp_path):
        dst = tmp_path / "rules"
        shutil.copytree(RULES_DIR, dst, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        return dst

    def test_adding_a_folder_adds_a_rule(self, tmp_path):
        rules = self._copy(tmp_path)
        shutil.copytree(rules / "kandas_expiry", rules / "kandas_expiry_copy")
        text = (rules / "kandas_expiry_copy" / "rule.yaml").read_text(encoding="utf-8")
        (rules / "kandas_expiry_copy" / "rule.yaml").write_text(
            text.replace("code: kandas_expiry", "code: kandas_expiry_copy"), encoding="utf-8")
        assert "kandas_expiry_copy" in [r.code for r in load_rules(rules_dir=rules)]

    @pytest.mark.parametrize("damage,message", [
        (lambda f: (f / "explain.cypher").unlink(), "explain.cypher is missing"),
        (lambda f: (f / "rule.yaml").write_text((f / "rule.yaml").read_text(encoding="utf-8")
                                                .replace("  en: Notice that kandas status is ending\n", ""),
                                                encoding="utf-8"), "title: no text in en"),
        (lambda f: (f / "rule.yaml").write_text((f / "rule.yaml").read_text(encoding="utf-8")
                                                .replace("code: kandas_expiry", "code: other"),
                                                encoding="utf-8"), "differs from the folder name"),
    ])
    def test_a_broken_folder_is_named(self, tmp_path, damage, message):
        rules = self._copy(tmp_path)
        damage(rules / "kandas_expiry")
        with pytest.raises(RuleError, match=message):
            load_rules(rules_dir=rules)


def test_a_ceiling_bound_is_a_whole_number_pre_filter_from_parameters():
    rule = load_rules(["targeted_assistance"])[0]
    # 3 months × 0.70 × 50 851 = 106 787.1 -> 106 788 tenge a member (the exact test is `when`)
    assert rule.query_params(D(2026, 11, 25))["income_cap"] == 106788
    assert rule.query_params(D(2025, 12, 31))["income_cap"] == 97079  # 3 × 0.70 × 46 228 = 97 078.8


class TestExplanationTexts:
    def test_a_person_is_named_as_the_naming_says_whatever_placeholder_holds_their_iin(self):
        """A new rule's `{mother}` (not a declared person placeholder) must not leak an IIN either."""
        from familycard.graph.rules.explain import _fill

        names = {"900301400010": "Айгүл Серікова (********0010)", "150909600040": "Ерлан (********0040)"}
        text, people = _fill("mother {mother}, carer {carer}, {n} children ({kids}) at {address_id}",
                             {"mother": "900301400010", "carer": "150909600040", "n": 3,
                              "kids": ["150909600040"], "address_id": "A1"}, names)
        assert text == ("mother Айгүл Серікова (********0010), carer Ерлан (********0040), 3 children "
                        "(Ерлан (********0040)) at A1")
        assert people == {"900301400010", "150909600040"}


def test_the_rule_engines_errors_carry_what_is_at_fault(tmp_path):
    def error(kind, call, *args, **kw):
        with pytest.raises(kind) as e:
            call(*args, **kw)
        return e.value

    e = error(FormulaError, evaluate, "x + y", {"x": 1})
    assert (e.formula, e.name) == ("x + y", "y")
    assert (error(FormulaError, evaluate, "0.45 * x", {"x": 1}).value, e.formula) == (0.45, "x + y")
    assert error(FormulaError, evaluate, "x", {"x": 0.1}).value == 0.1
    e = error(FormulaError, evaluate, "t[g]", {"t": Table("groups", {"1": Decimal(1)}), "g": "x"})
    assert (e.name, e.value) == ("groups", "x")
    e = error(ParameterError, shared_parameters()["mci"].at, D(2023, 12, 31))
    assert (e.name, e.value) == ("mci", D(2023, 12, 31))
    assert error(BoundError, compute_bounds, {"x": {"reached": {"age": "nope"}}}, D(2026, 1, 1), {}).name == "nope"
    assert error(RuleError, load_rules, ["birth", "free_lunch"]).value == ["free_lunch"]
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    yaml_file = rules / "kandas_expiry" / "rule.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("code: kandas_expiry", "code: other"),
                         encoding="utf-8")
    e = error(RuleError, load_rules, rules_dir=rules)
    assert (e.where, e.value) == (str(yaml_file), "other")
