"""The registries and the law as the synthetic data needs them: which registry sends which fact,
the dated parameters of benefits.md, pension age, and the date arithmetic that places boundary cases.
Shared by the population and the day of changes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from familycard.dates import add_months, add_years

DAY = dt.timedelta(days=1)

SOURCE = {"disability": "CBDI", "employment": "ESP", "contribution": "GFSS", "income": "KGD",
          "unemployed": "ESP", "award": "MIO", "kandas": "MIO", "student": "NOBD", "pension": "ENPF"}
# `benefit` facts may come from any registry: the insurance fund pays its own, akimats the rest.
BENEFIT_SOURCE = {"job_loss": "GFSS", "work_capacity_loss": "GFSS", "childcare_1_5": "GFSS"}

# Dated parameters of benefits.md (copied here only to place the poverty-line households).
_PM = ((dt.date(2024, 1, 1), 43407), (dt.date(2025, 1, 1), 46228), (dt.date(2026, 1, 1), 50851))
MW = 85000
CONTRIBUTION_RATE = Decimal("0.05")  # social contributions: 5 % of income, base capped at 7 MW
BASE_DAY = dt.date(2008, 1, 1)  # registries digitised: older events are recorded from then on


def _pension_months_in_force(year: int, sex: str) -> int:
    if sex == "M" or year >= 2031:
        return 756
    return {2028: 738, 2029: 744, 2030: 750}.get(year, 732 if year <= 2027 else 756)


def pension_date(born: dt.date, sex: str) -> dt.date:
    """The day a person reaches pension age (benefits.md: men 63; women 61 .. 63 by year)."""
    if sex == "M":
        return add_years(born, 63)
    for months in (732, 738, 744, 750, 756):
        d = add_years(born, months // 12) if months % 12 == 0 else add_months(born, months)
        if months >= _pension_months_in_force(d.year, "F"):
            return d
    return add_years(born, 63)


def latest(f: Callable[[dt.date], dt.date], target: dt.date, guess: dt.date) -> dt.date:
    """The latest birth date b with f(b) <= target (f non-decreasing)."""
    b = guess
    while f(b) > target:
        b -= DAY
    while f(b + DAY) <= target:
        b += DAY
    return b


def youngest_aged(on: dt.date, years: int) -> dt.date:
    """The latest birth date of someone aged at least ``years`` on ``on`` (turned it today, or so)."""
    return latest(lambda b: add_years(b, years), on, add_years(on, -years))


def pm_on(d: dt.date) -> int:
    v = _PM[0][1]
    for since, pm in _PM:
        if since <= d:
            v = pm
    return v


def ym(d: dt.date, k: int = 0) -> tuple[int, int]:
    y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
    return y, m + 1
