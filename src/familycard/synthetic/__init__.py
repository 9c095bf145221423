"""Synthetic registry data: a reproducible population of Kazakh families, and a day of changes to it.

Test and demo data, not the runtime: the graph never imports this package. ``write_feed`` writes
a seeded population as a ``records.md`` feed (``familycard generate``); ``write_changes`` reads a
store already holding one and writes the records the registries would send on a given day
(``familycard changes``). The same arguments give the same bytes.
"""
from familycard.synthetic.bad_lines import BAD_CLASSES, RawLine
from familycard.synthetic.changes import CHANGE_WEIGHTS, changes_for_day, write_changes
from familycard.synthetic.parameters import pension_date
from familycard.synthetic.population import GenerateStats, generate_feed, write_feed
from familycard.synthetic.scenarios import SCENARIOS

__all__ = [
    "BAD_CLASSES",
    "CHANGE_WEIGHTS",
    "SCENARIOS",
    "GenerateStats",
    "RawLine",
    "changes_for_day",
    "generate_feed",
    "pension_date",
    "write_changes",
    "write_feed",
]
