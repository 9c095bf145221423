"""The generated population weighs each rule as Kazakhstan does: births, deaths, disability,
pensioners, registered unemployed, large families, awarded mothers and targeted-assistance
households per person, and the share of existing rights already received, each within ±20 % of
the national figure the generator is calibrated to (``synthetic.parameters.CALIBRATION``).

The shares are measured here from the feed itself (last writer wins, the words of benefits.md),
not from the generator's draws, so a generator that drifts from its parameters fails.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from decimal import Decimal
from functools import cache

import pytest

from familycard.synthetic import write_feed
from familycard.synthetic.parameters import CALIBRATION, pm_on
from synthetic.test_population import instant, same_thing

D = dt.date(2026, 11, 25)
PEOPLE = 30_000
TOLERANCE = 0.20


def shares(text: str, as_of: dt.date) -> dict[str, float]:
    """The calibrated shares of a feed, as benefits.md's words define them on ``as_of``."""
    latest: dict[tuple, dict] = {}
    for line in text.splitlines():
        r = json.loads(line)
        k = same_thing(r)
        prev = latest.get(k)
        if prev is None or instant(r["recorded_at"]) > instant(prev["recorded_at"]):
            latest[k] = r
    day = as_of.isoformat()
    year_ago = (as_of - dt.timedelta(days=365)).isoformat()
    persons = {r["iin"]: r for r in latest.values() if r["kind"] == "person"}
    alive = {i for i, p in persons.items() if not p.get("death_date") or p["death_date"] > day}
    facts: dict[str, list[dict]] = defaultdict(list)
    kids: dict[str, list[str]] = defaultdict(list)
    for r in latest.values():
        if r["kind"] == "fact":
            facts[r["iin"]].append(r)
        elif r["kind"] == "link" and r["type"] == "PARENT_OF" and not (r.get("until") and r["until"] <= day):
            kids[r["from"]].append(r["to"])

    def covering(iin: str, ftype: str, **fields) -> list[dict]:
        return [f for f in facts[iin] if f["type"] == ftype and f["valid_from"] <= day
                and (not f.get("valid_to") or f["valid_to"] >= day)
                and all(f.get(k) == v for k, v in fields.items())]

    def age(iin: str) -> int:
        b = dt.date.fromisoformat(persons[iin]["birth_date"])
        return as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))

    n = len(alive)
    per_1000 = 1000 / n
    births = sum(year_ago < p["birth_date"] <= day for p in persons.values())
    deaths = sum(bool(p.get("death_date")) and year_ago < p["death_date"] <= day for p in persons.values())
    # rights that stand on a stock (not a window), and whether a `benefit` fact shows them received
    entitled: list[bool] = []
    disabled = 0
    for i in alive:
        dis = covering(i, "disability")
        if dis:
            disabled += 1
            if age(i) >= 18:
                entitled.append(bool(covering(i, "benefit", benefit="disability")))
    awarded = [i for i in alive if any(f["type"] == "award" and f["valid_from"] <= day for f in facts[i])]
    entitled += [bool(covering(i, "benefit", benefit="alqa_mother")) for i in awarded]
    homes: dict[str, list[str]] = defaultdict(list)
    for i in alive:
        if persons[i].get("address_id"):
            homes[persons[i]["address_id"]].append(i)
    large = 0
    for members in homes.values():
        here = set(members)
        for m in members:
            dep = [c for c in kids[m] if c in here
                   and (age(c) < 18 or (age(c) < 23 and covering(c, "student")))]
            if len(dep) >= 4:  # the family is counted once, at the mother (or the father)
                large += 1
                entitled.append(any(covering(x, "benefit", benefit="large_family") for x in members))
                break
    # targeted assistance: per-person income over the 3 months before as_of's month below the line
    months = set()
    for k in (1, 2, 3):
        y, m = divmod(as_of.year * 12 + as_of.month - 1 - k, 12)
        months.add(f"{y:04d}-{m + 1:02d}")
    line = Decimal("0.70") * pm_on(as_of)
    poor = 0
    for members in homes.values():
        if all(age(m) < 18 for m in members):
            continue  # no eldest aged 18+ to be offered it
        total = sum(f["amount_kzt"] for m in members for f in facts[m]
                    if f["type"] == "income" and f["month"] in months)
        if Decimal(total) / 3 / len(members) < line:
            poor += 1
            entitled.append(any(covering(m, "benefit", benefit="targeted_assistance") for m in members))
    return {
        "births_per_1000": births * per_1000,
        "deaths_per_1000": deaths * per_1000,
        "disability_share": disabled / n,
        "pensioner_share": sum(bool(covering(i, "pension")) for i in alive) / n,
        "registered_unemployed_share": sum(bool(covering(i, "unemployed")) for i in alive) / n,
        "large_families_per_1000": large * per_1000,
        "awarded_mothers_per_1000": len(awarded) * per_1000,
        "targeted_assistance_households_per_1000": poor * per_1000,
        "rights_already_received_share": sum(entitled) / len(entitled),
    }


@cache
def _measured() -> dict[str, float]:
    out = io.StringIO()
    write_feed(out, PEOPLE, 11, D)
    return shares(out.getvalue(), D)


@pytest.mark.parametrize("name", sorted(CALIBRATION))
def test_share_within_20_percent_of_its_national_figure(name):
    """Each of births per 1 000, deaths per 1 000, the disability share, the pensioner share, the
    registered unemployed share, large families per 1 000, awarded mothers per 1 000,
    targeted-assistance households per 1 000 and the share of rights already received is within
    ±20 % of the target the generator reads from the same parameters."""
    target = CALIBRATION[name].target
    got = _measured()[name]
    assert abs(got - target) <= TOLERANCE * target, \
        f"{name}: {got:.4g}, target {target:.4g} ({CALIBRATION[name].source})"


def test_every_calibrated_figure_is_measured_and_names_its_source():
    assert set(CALIBRATION) == set(_measured())
    for name, c in CALIBRATION.items():
        assert c.target > 0 and c.source.strip(), name
