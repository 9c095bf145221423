"""The registries and the law as the synthetic data needs them: which registry sends which fact,
the dated parameters of benefits.md, pension age, and the date arithmetic that places boundary cases.
Shared by the population and the day of changes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
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


# --- calibration: the national figures the generated population is made to show ---------------------
# Each target is what tests/synthetic/test_calibration.py measures in a generated feed (within ±20 %);
# the generator's knobs that produce it are set beside it below. People = the living persons on as_of.

@dataclass(frozen=True)
class Figure:
    target: float   # the share the generated population should show
    what: str       # how it is counted
    source: str     # the published figure and who published it ("approximate" where it is)


_KZ = 20.2  # million people in the Digital Family Card (seed article, Ministry of Labour and Social Protection)

CALIBRATION: dict[str, Figure] = {
    "births_per_1000": Figure(
        18.0, "persons born in the 365 days up to as_of, per 1 000 living people",
        "crude birth rate about 18 per 1 000 in 2024 (about 366 k births): stat.gov.kz, Bureau of National "
        "Statistics, demographic statistics; approximate"),
    "deaths_per_1000": Figure(
        7.0, "deaths in the 365 days up to as_of, per 1 000 living people",
        "crude death rate about 7 per 1 000 in 2023-2024 (about 135-140 k deaths a year): stat.gov.kz, "
        "Bureau of National Statistics, demographic statistics; approximate"),
    "disability_share": Figure(
        0.036, "living people with a disability fact covering as_of",
        "about 730 k persons with a disability, 3.6 % of the population: Ministry of Labour and Social "
        "Protection; approximate"),
    "pensioner_share": Figure(
        0.11, "living people with a pension fact covering as_of",
        "about 2.2-2.3 M age-pension recipients, 11 % of the population: Ministry of Labour and Social "
        "Protection; approximate"),
    "registered_unemployed_share": Figure(
        0.0066, "living people with an unemployed fact covering as_of",
        "132.2 k registered unemployed at the end of 2022 (1.4 % of the labour force) over ~20 M people: "
        "Agency for Strategic Planning and Reforms (Bureau of National Statistics), answer to a "
        "parliamentary inquiry, May 2023"),
    "large_families_per_1000": Figure(
        611.5 / _KZ, "homes where a parent lives with 4 or more dependent children, per 1 000 living people",
        "611.5 k large families in 2025 over 20.2 M people: Ministry of Labour and Social Protection "
        "(issue 17)"),
    "awarded_mothers_per_1000": Figure(
        250 / _KZ, "living women with an award fact (Altyn/Kumis alqa, Mother heroine, Maternal glory), "
        "per 1 000 living people",
        "about 250 k awarded mothers receive the alqa benefit: Ministry of Labour and Social Protection "
        "(issue 17); approximate"),
    "targeted_assistance_households_per_1000": Figure(
        78.1 / _KZ, "homes whose per-person income over the 3 months before as_of's month is below the "
        "poverty line (benefits.md's targeted_assistance), per 1 000 living people",
        "78.1 k families received targeted social assistance at the end of 2024: Ministry of Labour and "
        "Social Protection (issue 17)"),
    "rights_already_received_share": Figure(
        0.95, "of the standing rights (adult disability, alqa, large family, targeted assistance), the "
        "share a benefit fact shows already received",
        "chosen so that a year of daily sweeps offers about 2 % of people, as the seed article reports "
        "(397.8 k SMS since the start of 2025 over 20.2 M people, Ministry of Labour and Social Protection)"),
}

# --- the generator's knobs, each beside the figure it is tuned to (tuned at 40-100 k people, seeds 3, 11) ---

# What kind of unit a random unit is, cumulative: a single adult, a family (mother 19.5-60), an old
# couple with their grown children's homes, an old person alone (children not in the feed), a kandas
# family, orphans. The old units carry the pensioner share (0.11) and the deaths (7 per 1 000); kandas
# families are 0.4 % of units: some 10-20 k repatriates arrive a year, under 1 per 1 000 people (Ministry
# of Labour and Social Protection, approximate), and each status ends within the year (a kandas_expiry
# notice; at 1 % of units they were 2.4 notices per 1 000 people a year).
UNIT_MIX = ((0.035, "single"), (0.535, "family"), (0.725, "elderly"), (0.986, "elderly_alone"),
            (0.99, "kandas"), (1.0, "orphans"))

# The age of an old unit's woman (triangular: low, high, mode): with the pension ages of benefits.md,
# 11 % of people draw a pension (pensioner_share).
ELDERLY_AGE = (60, 94, 65)

# The chance that a parent of 50 or more in a unit has died (some time in the last years, most of them
# recently), by age (under 60, 70, 80, 90, older); men's is 1.5 times it: 7 deaths a year per 1 000 people.
DEAD_BY_AGE = ((60, 0.015), (70, 0.06), (80, 0.15), (90, 0.34), (200, 0.6))

# The chance a mother of 6 or more children (born since 1991) has her pendant or order: about 250 k
# awarded mothers, 12 per 1 000 people.
AWARDED = 0.75

# Children a mother has (cumulative probability, number). The young table's mean is 3.1, the total
# fertility rate (about 3.0 in 2023: stat.gov.kz, Bureau of National Statistics, approximate); its 4-or-more
# tail (34 %) gives the large families (611.5 k, 30 per 1 000 people) and with them the births (18 per 1 000).
CHILDREN_YOUNG = ((0.04, 0), (0.16, 1), (0.39, 2), (0.63, 3), (0.80, 4), (0.89, 5), (0.935, 6),
                  (0.962, 7), (0.978, 8), (0.99, 9), (1.0, 10))
CHILDREN_ELDERLY = ((0.03, 0), (0.12, 1), (0.30, 2), (0.52, 3), (0.70, 4), (0.81, 5), (0.88, 6),
                    (0.93, 7), (0.96, 8), (0.985, 9), (1.0, 10))

# The chance of a disability drawn in the last 8 years, by age (under 18, under 40, under 60, older):
# with the re-examinations that end some, 3.6 % of people hold one on as_of (disability_share).
DISABILITY_BY_AGE = ((18, 0.031), (40, 0.052), (60, 0.117), (200, 0.21))

# A working-age person without a job registers as unemployed with this chance (registered_unemployed_share,
# 0.66 %: 132.2 k registered at the end of 2022).
UNEMPLOYED_Q = 0.038

# A home under the poverty line stays there with this chance; otherwise an adult of it without income in
# some month gets an informal income, or else its main earner's income is raised (78.1 k families receive
# targeted assistance: 3.9 per 1 000 people; without this, 66 homes per 1 000 were under the line).
POOR_HOME_KEPT = 0.05

# The share of each right a household already receives (a `benefit` fact, records.md), so that a year of
# daily sweeps offers about 2 % of people (rights_already_received_share): what the seed article's
# 397.8 k SMS leave to be offered (measured: 2.4-2.8 % at 20 k people, see the commit; the notices that
# no benefit fact answers, employment measures, pension age and kandas expiry, are 1.2-1.4 % of it). The
# shares of the one-offs and of job loss are the project's assumption, not a published figure.
RECEIVED = {"disability": 0.95, "disabled_child_carer": 0.95, "large_family": 0.95, "alqa_mother": 0.95,
            "targeted_assistance": 0.9, "birth": 0.9, "childcare_1_5": 0.9, "burial": 0.85, "breadwinner_loss": 0.85,
            "work_capacity_loss": 0.8, "job_loss": 0.5}
