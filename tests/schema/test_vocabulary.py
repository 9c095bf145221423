"""The feed contract's words: a benefit fact names a benefit folder, whichever folders there are."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from familycard.schema import vocabulary
from familycard.schema.records import RecordError, parse_record
from feedmaker import fact, person

TODAY = dt.date(2026, 11, 25)
MOTHER = person("1990-03-01", "F")
PACKAGE_RULES = vocabulary.RULES_DIR


def benefit_fact(code: str) -> dict:
    return fact(MOTHER, "benefit", "2026-01-01", source="MIO", benefit=code)


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """A copy of the rule folders, which the feed's vocabulary then reads instead of the package's."""
    copy = tmp_path / "rules"
    shutil.copytree(vocabulary.RULES_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(vocabulary, "RULES_DIR", copy)
    return copy


def test_a_code_without_a_folder_is_refused():
    with pytest.raises(RecordError, match="benefit: \"school_meals\" is not a benefit code from benefits.md"):
        parse_record(benefit_fact("school_meals"), TODAY)


def test_a_new_benefit_folder_makes_its_code_a_benefit_a_feed_may_name(rules_dir):
    assert "school_meals" not in vocabulary.benefit_codes(PACKAGE_RULES)
    (rules_dir / "school_meals").mkdir()
    (rules_dir / "school_meals" / "rule.yaml").write_text("code: school_meals\nkind: benefit\n", encoding="utf-8")
    rec = parse_record(benefit_fact("school_meals"), TODAY)
    assert rec.props["benefit"] == "school_meals"
    assert parse_record(benefit_fact("birth"), TODAY).props["benefit"] == "birth"  # the others still count


def test_a_removed_benefit_folder_is_no_longer_a_benefit_code(rules_dir):
    shutil.rmtree(rules_dir / "burial")
    with pytest.raises(RecordError, match='"burial" is not a benefit code'):
        parse_record(benefit_fact("burial"), TODAY)


def test_a_notification_folder_or_a_folder_without_rule_yaml_is_not_a_benefit(rules_dir):
    (rules_dir / "notes").mkdir()  # no rule.yaml: not a rule folder (graph/rules/__init__.py)
    assert vocabulary.benefit_codes() == vocabulary.benefit_codes(PACKAGE_RULES)
    for code in ("pension_right", "kandas_expiry", "employment_measures", "notes"):
        with pytest.raises(RecordError, match="is not a benefit code") as e:
            parse_record(benefit_fact(code), TODAY)
        assert e.value.field == "benefit"


def test_the_vocabulary_is_what_the_errors_list():
    with pytest.raises(RecordError) as e:
        parse_record(fact(MOTHER, "award", "2026-01-01", name="gold_star"), TODAY)
    assert str(e.value) == f"name: \"gold_star\" is not an award ({', '.join(vocabulary.AWARD_NAMES)})"
    with pytest.raises(RecordError) as e:
        parse_record({**benefit_fact("birth"), "type": "pet"}, TODAY)
    assert f"unknown fact type \"pet\" ({', '.join(vocabulary.FACT_TYPES)})" in str(e.value)


def test_the_schema_does_not_import_the_graph():
    import subprocess
    import sys
    code = ("import sys, familycard.schema.records, familycard.schema.values; "
            "print(sorted(m for m in sys.modules if m.startswith('familycard.graph')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
