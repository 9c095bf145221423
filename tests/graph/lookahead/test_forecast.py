"""The forward calendar (`familycard forecast`): equal, day by day, to a dry-run sweep of each day
compared with the day before, on both engines, on generated populations; the monthly-income
rules only within the start's month; the CLI's JSON lines and its errors."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.lookahead import forecast
from familycard.graph.lookahead.comparisons import date_use
from familycard.graph.rules import load_rules
from familycard.graph.sweep import sweep
from familycard.synthetic import write_feed

# The Neo4j half runs with the scenarios (CI runs both): the default run keeps its 15 minutes.
pytestmark = pytest.mark.scenario_on_neo4j


def _population(store, people: int, seed: int, as_of: dt.date) -> None:
    buf = io.StringIO()
    write_feed(buf, people=people, seed=seed, as_of=as_of)
    assert ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", as_of).rejected == 0


def _state(day: dt.date) -> dict:
    """(iin, benefit, subject) -> amount, of the dry-run sweep of ``day`` (a right found twice
    that day: its earliest event's amount)."""
    out: dict = {}
    for e in sorted(sweep(_state.store, day).entitlements,
                    key=lambda e: (e.event or dt.date.min, -1 if e.amount_kzt is None else e.amount_kzt)):
        out.setdefault((e.iin, e.benefit, e.subject), e.amount_kzt)
    return out


def _swept(store, start: dt.date, days: int, monthly: set[str], monthly_until: dt.date) -> list[dict]:
    """What sweeping every day and comparing it with the day before finds: the contract's lines."""
    _state.store = store
    lines, before = [], _state(start)
    for i in range(1, days + 1):
        day = start + dt.timedelta(days=i)
        after = _state(day)
        for k in before.keys() | after.keys():
            if k[1] in monthly and day > monthly_until:
                continue
            if k not in before:
                change, amount = "begins", after[k]
            elif k not in after:
                change, amount = "ends", before[k]
            elif before[k] != after[k]:
                change, amount = "amount", after[k]
            else:
                continue
            lines.append({"date": day.isoformat(), "change": change, "iin": k[0], "benefit": k[1],
                          "subject": k[2], "amount_kzt": amount})
        before = after
    return sorted(lines, key=lambda r: (r["date"], r["benefit"], r["iin"], r["subject"] or "", r["change"]))


# Each test sweeps every day of its window on each engine: the cost of the proof, not of the forecast
# (the 1 January window on Neo4j: 10 minutes on 2 busy cores, so a scenario there; LadybugDB 1 minute).
@pytest.mark.timeout(900)
@pytest.mark.parametrize("start, days, people, seed", [
    pytest.param(dt.date(2025, 12, 10), 28, 1500, 3,  # 1 January: mci and pm take new values; a month's end
                 marks=pytest.mark.scenario_on_neo4j),
    (dt.date(2026, 11, 18), 18, 1200, 11),  # a month's end, the monthly rules up to 30 November
])
def test_the_forecast_is_every_days_dry_run_compared_with_the_day_before(store, start, days, people, seed,
                                                                        monkeypatch):
    _population(store, people, seed, start)
    # LadybugStore reopens after each rule of a sweep (its buffer pool at millions of people):
    # seconds a sweep on a busy machine, nothing the result depends on
    monkeypatch.setattr(store, "after_rule", lambda: None)
    fc = forecast(store, start, days)
    monthly = {r.code for r in load_rules() if any("month_start" in b or "months_window" in b
                                                     for b in r.bounds.values())}
    assert set(fc.monthly_rules) == monthly == {"targeted_assistance", "job_loss", "work_capacity_loss"}
    assert fc.monthly_until == dt.date(start.year, start.month, 30 if start.month == 11 else 31)
    got = [c.record() for c in fc.changes]
    assert got == _swept(store, start, days, monthly, fc.monthly_until)
    kinds = {(r["change"], r["benefit"]) for r in got}
    # the window holds what the calendar does: rights ending and beginning, amounts changing on 1 January
    assert {c for c, _ in kinds} >= {"begins", "ends"}, kinds
    if start.month == 12:
        assert {r["benefit"] for r in got if r["change"] == "amount" and r["date"] == "2026-01-01"} >= {
            "birth", "large_family"}
    assert all(start < dt.date.fromisoformat(r["date"]) <= fc.monthly_until for r in got if r["benefit"] in monthly)


def test_one_rule_and_a_bad_number_of_days(store):
    _population(store, 300, 5, dt.date(2026, 11, 25))
    fc = forecast(store, dt.date(2026, 11, 25), 10, ["kandas_expiry"])
    assert fc.monthly_rules == () and fc.monthly_until is None
    assert {c.benefit for c in fc.changes} <= {"kandas_expiry"}
    for bad in (0, -3, 1.5, True):
        with pytest.raises(ValueError, match=f"{bad!r} days: give a whole number of days, 1 or more"):
            forecast(store, dt.date(2026, 11, 25), bad)


def test_the_comparisons_a_rule_makes_are_read_off_its_cypher():
    burial = date_use(load_rules(["burial"])[0])
    assert dict(burial.compared) == {"as_of": {("Person", "death_date"), ("PARENT_OF", "until")},
                                     "died_since": {("Person", "death_date")},
                                     "adult_born_by": {("Person", "birth_date")}}
    job_loss = date_use(load_rules(["job_loss"])[0])
    assert {"months", "min_contribution_months"} <= job_loss.opaque  # UNWIND $months; a count compared
    assert job_loss.formula == {"job_loss_rate"}
    # conservative: a date compared through arithmetic, or on a name whose label is not known
    rule = load_rules(["kandas_expiry"])[0]
    odd = dataclasses.replace(rule, cypher=rule.cypher.replace("k.valid_to <= $ends_by", "k.valid_to <= $ends_by + 0")
                              .replace("p.death_date > $as_of", "x.death_date > $as_of"))
    use = date_use(odd)
    assert {"ends_by", "as_of"} <= use.opaque and not use.compared


def test_the_cli_prints_the_contracts_json_lines_and_refuses_a_bad_number_of_days(tmp_path):
    from cli.test_main import mother_of_four, run

    m, kids = mother_of_four(tmp_path)
    # her eldest turns 18 on 2027-11-26: 3 dependants left, no large-family benefit from that day
    r = run(["forecast", "--from", "2027-11-20", "--days", "10", "--json", "--rule", "large_family"], tmp_path)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    assert lines == [{"date": "2027-11-26", "change": "ends", "iin": m["iin"], "benefit": "large_family",
                      "subject": None, "amount_kzt": 69330}]
    assert "forecast 2027-11-20 + 10 days: 1 changes" in r.stderr.decode()
    r = run(["forecast", "--from", "2026-11-25", "--days", "40"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "targeted_assistance" in r.stderr.decode() and "forecast up to 2026-11-30 only" in r.stderr.decode()
    for bad, message in (("0", "0 days: give 1 to 366"), ("x", "'x' is not a number of days"),
                         ("400", "400 days: give 1 to 366")):
        r = run(["forecast", "--days", bad], tmp_path)
        assert r.returncode == 2 and message in r.stderr.decode(), r.stderr


def test_a_batch_the_engine_has_no_memory_for_is_run_in_halves(store, monkeypatch):
    """At 1 M people large_family's batch filled LadybugDB's buffer pool: a batch the engine
    refuses for memory is run again in halves (days, then first nodes), and the forecast is the
    same as in one piece."""
    import importlib

    from familycard.graph.store import OutOfMemory

    module = importlib.import_module("familycard.graph.lookahead.forecast")  # the package's name is the function

    _population(store, 600, 3, dt.date(2026, 11, 25))
    whole = forecast(store, dt.date(2026, 11, 25), 40, ["large_family", "pension_right"])
    real, sizes = module.run_batched, []

    def small_memory(store, rule, entries, query, params):
        keys = sum(len(k) for _, k in entries)
        sizes.append(keys)
        if keys > 3:
            raise OutOfMemory("Buffer manager exception: the buffer pool is full (a test's)")
        return real(store, rule, entries, query, params)

    monkeypatch.setattr(module, "run_batched", small_memory)
    halves = forecast(store, dt.date(2026, 11, 25), 40, ["large_family", "pension_right"])
    assert max(sizes) > 3 and halves.changes == whole.changes and whole.changes
