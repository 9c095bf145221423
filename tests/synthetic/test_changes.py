"""A day of changes for an existing population (synthetic/changes.py): valid, landing whole, as mixed
as the rules need, and reproducible."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from functools import lru_cache

import pytest

from familycard.dates import add_years, age
from familycard.graph import model
from familycard.graph.ingest import ingest_lines
from familycard.graph.store.snapshot import counts
from familycard.schema.iin import make_iin, parse_iin
from familycard.schema.records import parse_record, parse_recorded_at
from familycard.synthetic import changes as changes_mod
from familycard.synthetic import changes_for_day, generate_feed, write_changes
from familycard.synthetic import sample as sample_mod
from feedmaker import lines, link, person

AS_OF = dt.date(2026, 11, 25)
DAY1 = AS_OF + dt.timedelta(days=1)
DAY2 = AS_OF + dt.timedelta(days=2)
PEOPLE = 2000
_PERSON = ", ".join(f"p.{c} AS {c}" for c in model.PERSON.names)


@lru_cache(maxsize=2)
def _population(people: int) -> tuple[bytes, ...]:
    return tuple(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in generate_feed(people, 11, AS_OF))


def _load(store, people: int = PEOPLE) -> None:
    s = ingest_lines(store, _population(people), "population.jsonl", AS_OF)
    assert s.rejected == 0 and s.pending == 0


def _jsonl(recs: list[dict]) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in recs]


def _stored(store, recs: list[dict], day: dt.date) -> dict:
    """What the store holds, before the day's ingest, about the things the records name."""
    iins = sorted({r["iin"] for r in recs if r["kind"] == "person"})
    persons = {r["iin"]: r for r in store.read(f"UNWIND $keys AS k MATCH (p:Person {{iin: k}}) RETURN {_PERSON}",
                                               {"keys": iins})}
    fkeys = sorted({parse_record(r, day).key for r in recs if r["kind"] == "fact"})
    facts = {r["key"] for r in store.read(
        "UNWIND $keys AS k MATCH (f:Fact {key: k}) RETURN f.key AS key", {"keys": fkeys})}
    links = set()
    for t in ("PARENT_OF", "SPOUSE_OF", "GUARDIAN_OF"):
        froms = sorted({parse_record(r, day).from_iin for r in recs if r["kind"] == "link" and r["type"] == t})
        links |= {(t, r["f"], r["t"]) for r in store.read(
            f"UNWIND $keys AS k MATCH (a:Person {{iin: k}})-[:{t}]->(b:Person) RETURN a.iin AS f, b.iin AS t",
            {"keys": froms})}
    return {"persons": persons, "facts": facts, "links": links}


def _kind(rec: dict, stored: dict) -> str:
    if rec["kind"] == "person":
        old = stored["persons"].get(rec["iin"])
        if old is None:
            return "birth"
        if rec.get("death_date") and old["death_date"] is None:
            return "death"
        if rec.get("address_id") != old["address_id"]:
            return "move"
        return "person_same"
    if rec["kind"] == "link":
        return f"{rec['type']}+until" if rec.get("until") else rec["type"]
    return rec["type"]


def _apply_day(store, day: dt.date, count: int, seed: int) -> tuple[list[dict], dict, Counter]:
    recs = list(changes_for_day(store, day, count, seed))
    stored = _stored(store, recs, day)
    mix = Counter(_kind(r, stored) for r in recs)
    before = counts(store)
    s = ingest_lines(store, _jsonl(recs), f"{day}.jsonl", day)
    assert [str(x) for x in s.rejections] == []
    assert (s.read, s.rejected, s.pending) == (len(recs), 0, 0)
    after = counts(store)
    # counts grew by exactly the things that were not stored before
    parsed = [parse_record(r, day) for r in recs]
    new_persons = {p.key for p in parsed if p.kind == "person"} - set(stored["persons"])
    new_facts = {p.key for p in parsed if p.kind == "fact"} - stored["facts"]
    new_links = Counter(t for t, a, b in {(p.type, p.from_iin, p.to_iin) for p in parsed if p.kind == "link"}
                        - stored["links"])
    assert after["Person"] - before["Person"] == len(new_persons)
    assert after["Fact"] - before["Fact"] == len(new_facts) == after["HAS_FACT"] - before["HAS_FACT"]
    for t in ("PARENT_OF", "SPOUSE_OF", "GUARDIAN_OF"):
        assert after[t] - before[t] == new_links[t], t
    assert after["LIVES_AT"] == after["Person"] - store.read(
        "MATCH (p:Person) WHERE p.address_id IS NULL RETURN count(p) AS n")[0]["n"]
    return recs, stored, mix


def test_a_day_of_changes_lands_whole_and_covers_the_rules(ladybug_store):
    store = ladybug_store
    _load(store)
    last = store.read("MATCH (p:Person) RETURN max(p.recorded_at) AS t")[0]["t"]
    recs, stored, mix = _apply_day(store, DAY1, 300, seed=3)
    assert 290 <= len(recs) <= 310
    # every record is of the day, later than anything stored, from a registry of records.md
    for r in recs:
        t = parse_recorded_at(r["recorded_at"])
        assert t.date() == DAY1 and t > last
        assert r["source"] in ("GBD_FL", "ZAGS", "CBDI", "GFSS", "KGD", "ESP", "NOBD", "ENPF", "MIO")
    for k in ("birth", "death", "move", "PARENT_OF", "SPOUSE_OF", "disability", "unemployed", "income",
              "contribution", "student", "pension", "benefit", "kandas"):
        assert mix[k] > 0, (k, mix)
    assert mix["income"] > max(mix["birth"], mix["death"])  # the bulk of a day: monthly income

    by_iin = {r["iin"]: r for r in recs if r["kind"] == "person"}
    rows = {r["iin"]: r for r in store.read(
        f"UNWIND $keys AS k MATCH (p:Person {{iin: k}}) OPTIONAL MATCH (p)-[:LIVES_AT]->(a:Address) "
        f"RETURN {_PERSON}, a.id AS home", {"keys": sorted(by_iin)})}
    for iin, r in by_iin.items():
        kind = _kind(r, stored)
        got = rows[iin]
        if kind == "death":
            assert got["death_date"] == dt.date.fromisoformat(r["death_date"]) <= DAY1
        if kind == "move":
            assert got["address_id"] == got["home"] == r["address_id"] != stored["persons"][iin]["address_id"]
        if kind != "birth":
            # the whole stored record was sent again: only the changed field (and provenance) differ
            old = stored["persons"][iin]
            changed = {c for c in model.PERSON.names if got[c] != old[c]}
            assert changed <= {"death_date", "address_id", "recorded_at", "digest"}, (kind, changed)
            assert "recorded_at" in changed
            if kind == "person_same":
                assert changed == {"recorded_at", "digest"}

    # births: a valid IIN of its own, a mother aged 18-45 at the birth, the mother's address
    parents = {}
    for r in store.read("UNWIND $keys AS k MATCH (m:Person)-[:PARENT_OF]->(c:Person {iin: k}) "
                        "RETURN c.iin AS c, m.sex AS sex, m.birth_date AS born, m.address_id AS addr, "
                        "m.iin AS iin", {"keys": [i for i, r in by_iin.items() if _kind(r, stored) == "birth"]}):
        parents.setdefault(r["c"], []).append(r)
    births = [r for r in recs if r["kind"] == "person" and _kind(r, stored) == "birth"]
    same_iin: dict[str, list[dict]] = {}
    for r in births:
        same_iin.setdefault(r["iin"], []).append(r)
    # two newborns never share an IIN; a record twice is the day's "noop" (the same record again)
    assert births and all(rs == [rs[0]] * len(rs) for rs in same_iin.values())
    for r in births:
        born = dt.date.fromisoformat(r["birth_date"])
        assert parse_iin(r["iin"]) == (born, r["sex"])
        assert DAY1 - dt.timedelta(days=10) <= born <= DAY1
        [mother] = [p for p in parents[r["iin"]] if p["sex"] == "F"]
        assert 18 <= age(mother["born"], born) <= 45
        assert r.get("address_id") == mother["addr"]
        assert all(add_years(p["born"], 12) <= born for p in parents[r["iin"]])

    # a divorce ends the stored marriage
    for r in recs:
        if r["kind"] == "link" and r["type"] == "SPOUSE_OF" and r.get("until"):
            a, b = sorted((r["from"], r["to"]))
            [row] = store.read("MATCH (a:Person {iin: $a})-[l:SPOUSE_OF]->(b:Person {iin: $b}) RETURN l.until AS u",
                               {"a": a, "b": b})
            assert row["u"] == dt.date.fromisoformat(r["until"])


def test_a_bigger_day_has_every_kind_of_change(ladybug_store):
    _load(ladybug_store)
    recs, stored, mix = _apply_day(ladybug_store, DAY1, 1200, seed=5)
    for k in ("birth", "death", "move", "person_same", "PARENT_OF", "SPOUSE_OF", "SPOUSE_OF+until", "GUARDIAN_OF",
              "disability", "employment", "unemployed", "income", "contribution", "student", "pension", "award",
              "kandas", "benefit"):
        assert mix[k] > 0, (k, mix)
    assert {r["benefit"] for r in recs if r["kind"] == "fact" and r["type"] == "benefit"} >= {
        "disability", "birth", "childcare_1_5", "targeted_assistance"}
    assert {r["group"] for r in recs if r["kind"] == "fact" and r["type"] == "disability"} == {"1", "2", "3", "child"}
    # a few records twice the same: unchanged on ingest
    texts = Counter(json.dumps(r, sort_keys=True) for r in recs)
    assert any(n > 1 for n in texts.values())


def test_same_seed_same_lines_and_the_next_day_follows(ladybug_store):
    store = ladybug_store
    _load(store)
    a, b, c = io.StringIO(), io.StringIO(), io.StringIO()
    n = write_changes(store, a, DAY1, 200, seed=9)
    assert write_changes(store, b, DAY1, 200, seed=9) == n
    assert a.getvalue() == b.getvalue() and a.getvalue().count("\n") == n
    write_changes(store, c, DAY1, 200, seed=10)
    assert c.getvalue() != a.getvalue()
    s = ingest_lines(store, a.getvalue().encode().splitlines(keepends=True), "day1", DAY1)
    assert s.rejected == 0
    # the next day, on the grown population: later again, and still valid
    recs2, _, _ = _apply_day(store, DAY2, 200, seed=9)
    assert all(r["recorded_at"] > "2026-11-26T23:59:59Z" and r["recorded_at"].startswith("2026-11-27") for r in recs2)
    # a day before the stored data is refused
    with pytest.raises(ValueError, match="after"):
        list(changes_for_day(store, AS_OF - dt.timedelta(days=1), 10, seed=1))


def test_both_engines_give_the_same_day_from_the_same_population(store, other_ladybug):
    """Rows come back in any order: sorted before sampling, the day is the same on either engine."""
    _load(store, 300)  # small: a Neo4j ingest is the slow part
    _load(other_ladybug, 300)
    mine = list(changes_for_day(store, DAY1, 100, seed=4))
    assert len(mine) >= 95
    assert mine == list(changes_for_day(other_ladybug, DAY1, 100, seed=4))
    s = ingest_lines(store, _jsonl(mine), "day1", DAY1)
    assert (s.rejected, s.pending) == (0, 0)


def test_a_large_population_is_sampled_by_iin_endings(ladybug_store, monkeypatch):
    """Above the sample size only persons whose IIN ends in a seeded set of endings are read."""
    _load(ladybug_store)
    monkeypatch.setattr(sample_mod, "_MIN_SAMPLE", 300)
    monkeypatch.setattr(sample_mod, "_PER_CHANGE", 1)
    recs = list(changes_for_day(ladybug_store, DAY1, 120, seed=2))
    assert recs == list(changes_for_day(ladybug_store, DAY1, 120, seed=2))
    gen = changes_mod._DayOfChanges(ladybug_store, DAY1, 120, 2)
    gen._read()
    endings = {p.iin[-2:] for p in gen.sample}
    assert 0 < len(gen.sample) < PEOPLE * 0.4 and 10 <= len(endings) <= 15  # 15 of 100 endings asked
    # those the day is about come from the sample; a few are their kin (a spouse moving along,
    # the mother of a sampled child receiving a benefit)
    stored = _stored(ladybug_store, recs, DAY1)
    touched = {r["iin"] for r in recs if r["kind"] == "fact"} | {
        r["iin"] for r in recs if r["kind"] == "person" and r["iin"] in stored["persons"]}
    inside = sum(i[-2:] in endings for i in touched)
    assert len(touched) >= 40 and inside >= 0.8 * len(touched)
    s = ingest_lines(ladybug_store, _jsonl(recs), "day1", DAY1)
    assert (s.rejected, s.pending) == (0, 0)


def test_new_iins_avoid_stored_and_waiting_ones(ladybug_store):
    """Every serial of one birth date taken but three, one of those awaited by a pending link."""
    born = DAY1
    taken, free = [], []
    for serial in range(1, 10000):
        v = make_iin(born, "F", serial)
        if v:
            (free if serial in (17, 5003, 9998) else taken).append(v)
    assert len(free) == 3
    mother = person("1990-02-03", "F", address_id="KZ-AST-0000001")
    recs = [mother] + [person(born.isoformat(), "F", iin=v, recorded_at="2026-11-26T09:00:00Z") for v in taken]
    recs.append(link("PARENT_OF", mother, free[0]))  # waits for a person with that IIN
    s = ingest_lines(ladybug_store, lines(*recs), "taken", DAY1)
    assert (s.rejected, s.pending) == (0, 1)
    gen = changes_mod._DayOfChanges(ladybug_store, DAY1, 10, 1)
    gen._read()
    got = {gen._new_iin(born, "F"), gen._new_iin(born, "F")}
    assert got == set(free[1:])
