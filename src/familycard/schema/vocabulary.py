"""The words of the feed contract (records.md): link and fact types, award names, registries,
and the benefit codes a ``benefit`` fact may name.

The benefit codes are the rule folders of kind ``benefit`` (benefits.md): adding a benefit is
adding a folder under ``graph/rules/``, and feeds may then say who already receives it. The
folders are read as files, by path: the schema knows nothing of the rule engine (the layering
is schema -> graph, never back).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["LINK_TYPES", "FACT_TYPES", "AWARD_NAMES", "SOURCES", "RULES_DIR", "benefit_codes"]

LINK_TYPES = ("PARENT_OF", "SPOUSE_OF", "GUARDIAN_OF")
FACT_TYPES = (
    "disability", "employment", "contribution", "income", "unemployed",
    "award", "kandas", "student", "pension", "benefit",
)
AWARD_NAMES = ("altyn_alqa", "kumis_alqa", "mother_heroine", "maternal_glory_1", "maternal_glory_2")
SOURCES = ("GBD_FL", "ZAGS", "CBDI", "GFSS", "KGD", "ESP", "NOBD", "ENPF", "MIO")

#: One folder per benefit or notification, each with its rule.yaml (graph/rules/__init__.py).
RULES_DIR = Path(__file__).resolve().parent.parent / "graph" / "rules"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def benefit_codes(rules_dir: Path | None = None) -> frozenset[str]:
    """The codes of the rule folders of kind ``benefit`` under ``rules_dir`` (default: the
    package's own): a notification is not something a person receives."""
    return _benefit_codes(rules_dir or RULES_DIR)


# Read once (per folder): parse_record asks for every `benefit` fact of a feed.
@lru_cache(maxsize=4)
def _benefit_codes(rules_dir: Path) -> frozenset[str]:
    codes = set()
    for rule in rules_dir.glob("*/rule.yaml"):
        with open(rule, encoding="utf-8") as f:
            meta = yaml.load(f, Loader=_Loader)  # noqa: S506 - a SafeLoader
        # The rule loader refuses a folder whose code differs from its name; the name counts here.
        if isinstance(meta, dict) and meta.get("kind") == "benefit":
            codes.add(rule.parent.name)
    return frozenset(codes)
