"""What-if (`what_if`): on a generated population, on LadybugDB and on a real Neo4j, it must
equal the dry run with the same values edited into a copy of the rule files; only the rules a
setting reaches run again; what cannot be applied is a WhatIfError naming what would be."""
from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal

import pytest
import yaml

from engines import engine_store
from familycard.graph.ingest import ingest_lines
from familycard.graph.lookahead import whatif
from familycard.graph.lookahead.whatif import WhatIfError, parse_settings, what_if
from familycard.graph.rules import RULES_DIR, load_rules
from familycard.graph.rules.parameters import load_yaml
from familycard.graph.sweep import sweep
from familycard.synthetic import write_feed

# The Neo4j half runs with the scenarios (CI runs both): the default run keeps its 15 minutes.
pytestmark = pytest.mark.scenario_on_neo4j

AS_OF = dt.date(2026, 11, 25)
PEOPLE = 1500


@pytest.fixture(scope="module", params=["ladybug", "neo4j"])
def population(request, tmp_path_factory):
    """One generated population per engine for the whole module (it only reads)."""
    store = engine_store(request, tmp_path_factory, "whatif")
    buf = io.StringIO()
    write_feed(buf, people=PEOPLE, seed=7, as_of=AS_OF)
    assert ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", AS_OF).rejected == 0
    yield store
    store.close()


# ------------------------------------------------------------------- the oracle: edited rule files

class _Dumper(yaml.SafeDumper):
    pass


# A decimal back as the YAML float it was read from (load_yaml reads floats as decimals).
_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def edited_rules(tmp_path, settings: dict[str, str]):
    """The rule folders copied to ``tmp_path`` with each setting's value in force on AS_OF
    edited into its YAML (parameters.yaml for a shared one, the rule's rule.yaml for its own),
    and loaded from there."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for setting, value in settings.items():
        name, _, key = setting.rstrip("]").partition("[")
        files = [folder / "parameters.yaml"] + sorted(folder.glob("*/rule.yaml"))
        for path in files:
            doc = load_yaml(path)
            params = doc if path.name == "parameters.yaml" else doc.get("parameters") or {}
            if name not in params:
                continue
            values = params[name]["values"]
            since = max(d for d in values if d <= AS_OF)
            holder, slot = (values[since], "value") if isinstance(values[since], dict) and "value" in values[since] \
                else (values, since)
            if key:
                table = holder[slot]
                k = next(k for k in table if str(k) == key)
                table[k] = Decimal(value)
            else:
                holder[slot] = Decimal(value)
            path.write_text(yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
            break
        else:
            raise AssertionError(f"{name}: in no rule file")
    return load_rules(rules_dir=folder)


_DRY_RUN: dict = {}  # the store's plain dry run, once per engine


def expected(store, rules_after):
    """The changes and per-benefit costs from two plain dry runs, the rule files' and the edited ones'."""
    if store not in _DRY_RUN:
        _DRY_RUN[store] = sweep(store, AS_OF).entitlements
    before = _DRY_RUN[store]
    after = sweep(store, AS_OF, rules=rules_after).entitlements
    old = {(e.benefit, e.iin, e.subject, e.event): e.amount_kzt for e in before}
    new = {(e.benefit, e.iin, e.subject, e.event): e.amount_kzt for e in after}
    changes = set()
    for k in old.keys() | new.keys():
        if k not in new:
            changes.add((k[0], k[1], k[2], "loses", old[k], None))
        elif k not in old:
            changes.add((k[0], k[1], k[2], "gains", None, new[k]))
        elif old[k] != new[k]:
            changes.add((k[0], k[1], k[2], "amount", old[k], new[k]))
    touched = {c[0] for c in changes}
    costs = {}
    for r in rules_after:
        if r.code in touched:
            mine = [c for c in changes if c[0] == r.code]
            costs[r.code] = (r.periodicity, sum(c[3] == "gains" for c in mine), sum(c[3] == "loses" for c in mine),
                             sum(c[3] == "amount" for c in mine),
                             sum(e.amount_kzt or 0 for e in before if e.benefit == r.code),
                             sum(e.amount_kzt or 0 for e in after if e.benefit == r.code))
    return changes, costs


# each setting, and the rules that run again for it: only those a setting reaches; a rule whose
# amount alone reads it is recomputed from the dry run's rows (mci, a bracket), not run again
CASES = {
    "a shared parameter": ({"mci": "4500"}, []),
    "a rule's bracket entry": ({"large_family_mci[5]": "21"}, []),
    "a threshold in a rule's query": ({"large_family_min_children": "5"}, ["large_family"]),
    "a shared threshold": ({"min_contribution_months": "3"}, ["job_loss", "work_capacity_loss"]),
    "pension age, through a date bound": ({"pension_age_women": "60"}, ["employment_measures", "pension_right"]),
    # pm: targeted assistance's income cap (a bound) and its when; the others' amounts only
    "two at once": ({"pm": "55000", "large_family_per_child_from": "6"}, ["targeted_assistance"]),
}


@pytest.mark.parametrize(("settings", "reruns"), CASES.values(), ids=CASES.keys())
def test_what_if_equals_the_dry_run_with_the_values_edited_into_the_rule_files(population, settings, reruns,
                                                                               tmp_path, monkeypatch):
    ran = []

    def counted(store, rule, as_of, *a, **kw):
        ran.append(rule.code)
        return run_rule(store, rule, as_of, *a, **kw)

    run_rule = whatif.run_rule
    monkeypatch.setattr(whatif, "run_rule", counted)
    got = what_if(population, AS_OF, parse_settings(f"{k}={v}" for k, v in settings.items()))
    assert sorted(ran) == reruns
    changes, costs = expected(population, edited_rules(tmp_path, settings))
    assert changes, "the population must show the setting's effect"
    assert {(c.benefit, c.iin, c.subject, c.change, c.before_kzt, c.after_kzt) for c in got.changes} == changes
    assert len(got.changes) == len(changes)
    assert {c.benefit: (c.periodicity, c.gains, c.losses, c.amount_changes, c.before_kzt, c.after_kzt)
            for c in got.costs} == costs
    assert got.changes == sorted(got.changes, key=lambda c: (c.benefit, c.iin, c.subject or "", c.change,
                                                             c.before_kzt or 0))
    order = [r.code for r in load_rules()]
    assert [c.benefit for c in got.costs] == sorted((c.benefit for c in got.costs), key=order.index)
    for c in got.costs:
        assert c.difference_kzt == c.after_kzt - c.before_kzt
        assert c.periodicity != "notice" or c.before_kzt == c.after_kzt == 0
    assert set(got.references) == set(settings)
    assert all(got.references.values())


def test_the_json_shapes_and_the_monthly_and_one_off_totals(population):
    got = what_if(population, AS_OF, {"mci": Decimal("4500")})
    assert all(set(c.record()) == {"iin", "benefit", "subject", "change", "before_kzt", "after_kzt"}
               for c in got.changes)
    assert {c.benefit for c in got.costs} >= {"birth", "large_family"}
    monthly = [c for c in got.costs if c.periodicity == "monthly"]
    assert got.monthly() == (sum(c.before_kzt for c in monthly), sum(c.after_kzt for c in monthly))
    birth = next(c for c in got.costs if c.benefit == "birth")
    assert got.one_off() == (birth.before_kzt, birth.after_kzt)
    # a higher MCI raises every amount it enters, and nobody gains or loses a right by it
    assert all(c.change == "amount" and c.after_kzt > c.before_kzt for c in got.changes)


def test_a_rule_not_asked_for_is_not_run_and_shows_no_change(population):
    got = what_if(population, AS_OF, {"mci": Decimal("4500")}, ["birth"])
    assert {c.benefit for c in got.changes} == {"birth"} and [c.benefit for c in got.costs] == ["birth"]
    with pytest.raises(WhatIfError, match="unknown rule 'no_such_rule'"):
        what_if(population, AS_OF, {"mci": Decimal("4500")}, ["no_such_rule"])


def test_a_threshold_below_a_tables_first_bracket_names_the_parameter_and_the_brackets(population):
    with pytest.raises(WhatIfError) as e:
        what_if(population, AS_OF, {"large_family_min_children": Decimal(3)})
    msg = str(e.value)
    assert "large_family_min_children=3" in msg and "large_family_mci has no bracket for 3" in msg
    assert "4, 5, 6, 7" in msg and e.value.valid == ("4", "5", "6", "7")
    assert e.value.name == "large_family_min_children"


# ------------------------------------------------------------------- errors found before any run

@pytest.mark.parametrize(("items", "message"), [
    (["mci"], "'mci' is not NAME=VALUE"),
    (["=5"], "is not NAME=VALUE"),
    (["MCI=5"], "'MCI' is not a parameter name"),
    (["mci[=5"], "is not a parameter name"),
    (["mci=abc"], "'abc' is not a decimal number"),
    (["mci=4,5"], "'4,5' is not a decimal number"),
    (["mci=1e3"], "'1e3' is not a decimal number"),
    (["mci=NaN"], "'NaN' is not a decimal number"),
    (["mci=\u0664\u0665"], "is not a decimal number"),        # Arabic-Indic digits: Decimal would read them
    (["mci="], "'' is not a decimal number"),
    (["mci=-5"], "a negative amount or threshold is refused"),
    (["large_family_mci[5]=-1"], "a negative amount or threshold is refused"),
    (["mci=10000000000"], "too large"),
    (["mci=4500", "mci = 4600"], "mci is given twice"),
    ([], "no setting given"),
    (["mci=" + "9" * 300], "characters long"),
])
def test_a_malformed_setting_is_refused_naming_it(items, message):
    with pytest.raises(WhatIfError, match=message):
        parse_settings(items)


def test_settings_are_parsed_as_decimals_from_their_text():
    got = parse_settings(["mci=4500", " large_family_mci[5] = 20.15 ", "disability_pm[child]=1.7"])
    assert got == {"mci": Decimal("4500"), "large_family_mci[5]": Decimal("20.15"),
                   "disability_pm[child]": Decimal("1.7")}
    assert all(type(v) is Decimal for v in got.values())
    assert str(got["large_family_mci[5]"]) == "20.15"


@pytest.mark.parametrize(("settings", "message", "valid"), [
    ({"mcl": "4500"}, "unknown parameter 'mcl'; did you mean 'mci'\\?", "names"),
    ({"large_famly_mci[5]": "21"}, "did you mean 'large_family_mci'", "names"),
    ({"no_such_thing": "1"}, "unknown parameter 'no_such_thing' \\(parameters: alqa_mci, birth_mci", "names"),
    ({"large_family_mci[3]": "15"}, "has no entry \\[3\\] on 2026-11-25 \\(it has: 4, 5, 6, 7\\)",
     ("4", "5", "6", "7")),
    ({"disability_pm[4]": "1"}, "it has: 1, 2, 3, child", ("1", "2", "3", "child")),
    ({"large_family_mci": "21"}, "is a table: set one entry, e.g. large_family_mci\\[4\\]", ("4", "5", "6", "7")),
    ({"mci[5]": "21"}, "'mci' is a single value, not a table", ()),
    ({"large_family_min_children": "4.5"}, "compared in the rules' queries and must be a whole number", ()),
    ({"large_family_mci[5]": "21", "large_family_mci[5.0]": "22"}, "given twice", ()),
])
def test_a_setting_that_names_nothing_or_no_entry_is_refused_naming_the_valid_ones(settings, message, valid):
    with pytest.raises(WhatIfError, match=message) as e:
        what_if(None, AS_OF, {k: Decimal(v) for k, v in settings.items()})  # refused before the store is read
    if valid == "names":
        assert "mci" in e.value.valid and list(e.value.valid) == sorted(e.value.valid)
        assert {"pension_age_women", "large_family_min_children", "birth_mci"} <= set(e.value.valid)
    else:
        assert e.value.valid == valid


def test_a_value_that_is_not_a_finite_non_negative_decimal_is_refused_even_past_parse_settings():
    for bad, message in ((Decimal("-1"), "negative"), (Decimal("NaN"), "not a decimal"), (4500.0, "not a decimal"),
                         (Decimal("1E+20"), "too large")):
        with pytest.raises(WhatIfError, match=message):
            what_if(None, AS_OF, {"mci": bad})


def test_a_parameter_with_no_value_on_the_day_is_refused():
    with pytest.raises(WhatIfError, match="poverty_line_share.*has no value on 2023-09-01"):
        what_if(None, dt.date(2023, 9, 1), {"poverty_line_share": Decimal("0.8")})


def test_a_name_given_past_parse_settings_is_shown_cut_and_quoted():
    with pytest.raises(WhatIfError, match=r"unknown parameter 'mci\\n") as e:
        what_if(None, AS_OF, {"mci\n" + "x" * 500: Decimal(1)})
    assert len(str(e.value)) < 700 and "x" * 61 not in str(e.value)
