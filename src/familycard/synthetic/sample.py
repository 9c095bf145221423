"""What a day of changes knows of the stored population: a seeded sample of its persons (by IIN
endings), their kin, links and facts, read in a few bulk queries sorted before use (engines return
rows in any order); and the candidate pools (lists sorted by IIN) each kind of change draws from.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from familycard.dates import add_years, age
from familycard.graph import model
from familycard.graph.store import Store
from familycard.schema.vocabulary import FACT_TYPES
from familycard.synthetic.parameters import pension_date

_MIN_SAMPLE = 5000     # persons read at least (all of a smaller population)
_PER_CHANGE = 8        # ... and this many per change asked for
# LadybugDB answers `UNWIND $keys AS k MATCH (p:Person {iin: k})-[...]` with a scan (30-300 ms at
# 100 k people, whatever the number of keys) but `MATCH (p:Person {iin: $k})-[...]` with a key
# lookup (< 1 ms): few keys are read one query each, many in large UNWIND chunks.
_CHUNK = 50_000        # keys per UNWIND query
_ONE_BY_ONE = 32       # up to this many keys: one query a key
BIRTH_DAYS = 10        # births are on day or up to this many days before
AWARD_RANK = {"kumis_alqa": 1, "altyn_alqa": 2, "maternal_glory_2": 2, "mother_heroine": 3, "maternal_glory_1": 3}

_PERSON_COLS = ", ".join(f"p.{c} AS {c}" for c in model.PERSON.names)
_FACT_COLS = ", ".join(f"f.{c} AS {c}" for c in model.FACT.names)
_LINK_COLS = ("l.since AS since, l.until AS until, l.source AS source, l.recorded_at AS recorded_at, "
              "l.extra AS extra")
_WHO_COLS = "{v}.iin AS iin, {v}.birth_date AS birth_date, {v}.sex AS sex, {v}.death_date AS death_date, " \
            "{v}.address_id AS address_id"
_FACT_TYPES_READ = tuple(t for t in FACT_TYPES if t not in ("income", "contribution"))


# --- what the sample knows about a person ------------------------------------------------------

@dataclass(slots=True)
class Who:
    iin: str
    birth: dt.date
    sex: str
    death: dt.date | None
    addr: str | None

    def alive(self, on: dt.date) -> bool:
        return self.death is None or self.death > on


@dataclass(slots=True)
class Kin:
    who: Who
    until: dt.date | None


def sorted_rows(rows: list[dict], *keys: str) -> list[dict]:
    return sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in keys))


class Sample:
    """The store's persons a day of changes is about; its state is set by ``changes._DayOfChanges``."""
    store: Store
    day: dt.date
    count: int
    rng: random.Random

    # ---- reading ----
    def _read_keys(self, body: str, keys: Sequence[str], **params) -> list[dict]:
        """Rows of ``body`` (a query naming the key KEY) for every key."""
        rows: list[dict] = []
        keys = sorted(set(keys))
        if len(keys) <= _ONE_BY_ONE:
            one = body.replace("KEY", "$k")
            for k in keys:
                rows.extend(self.store.read(one, {"k": k, **params}))
            return rows
        many = "UNWIND $keys AS k " + body.replace("KEY", "k")
        for i in range(0, len(keys), _CHUNK):
            rows.extend(self.store.read(many, {"keys": keys[i:i + _CHUNK], **params}))
        return rows

    def _who(self, r: dict) -> Who:
        w = self.people.get(r["iin"])
        if w is None:
            w = Who(r["iin"], r["birth_date"], r["sex"], r["death_date"], r["address_id"])
            self.people[w.iin] = w
        return w

    def _read(self) -> None:
        store, rng, day = self.store, self.rng, self.day
        [tot] = store.read("MATCH (p:Person) RETURN count(p) AS n, max(p.recorded_at) AS last")
        if tot["last"] is not None and tot["last"].date() > day:
            raise ValueError(f"the store holds person records of {tot['last'].date().isoformat()}, "
                             f"after {day.isoformat()}: a day of changes must come after the data")
        target = max(_MIN_SAMPLE, _PER_CHANGE * self.count)
        ret = f"RETURN {_WHO_COLS.format(v='p')}"
        if tot["n"] <= target:
            rows = store.read(f"MATCH (p:Person) {ret}")
        else:
            k = min(100, math.ceil(100 * target / tot["n"]))
            endings = sorted(rng.sample([f"{i:02d}" for i in range(100)], k))
            rows = store.read(f"MATCH (p:Person) WHERE right(p.iin, 2) IN $endings {ret}", {"endings": endings})
        self.people: dict[str, Who] = {}
        sample = [self._who(r) for r in sorted_rows(rows, "iin")]
        self.sample = [p for p in sample if p.alive(day)]
        keys = [p.iin for p in self.sample]
        self.pending_iins = set()
        for r in store.read("MATCH (q:Pending) RETURN q.from_iin AS f, q.to_iin AS t"):
            self.pending_iins.update(x for x in (r["f"], r["t"]) if x)
        # what new IINs (births of the last days) and new addresses must not reuse
        self.born_since = day - dt.timedelta(days=BIRTH_DAYS)
        self.taken_iins = {r["iin"] for r in store.read(
            "MATCH (p:Person) WHERE p.birth_date >= $lo RETURN p.iin AS iin", {"lo": self.born_since})}
        self.taken_addrs = {r["id"] for r in store.read(
            "MATCH (a:Address) WHERE right(a.id, 7) >= '8000000' RETURN a.id AS id")}

        # spouses (every link, ended or not), children, parents, guardianships, facts
        self.spouses: dict[str, list[dict]] = {}
        for r in sorted_rows(self._read_keys(
                f"MATCH (a:Person {{iin: KEY}})-[l:SPOUSE_OF]-(b:Person) "
                f"RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, {_LINK_COLS}", keys), "a", "iin"):
            other = self._who(r)
            lo, hi = sorted((r["a"], other.iin))
            self.spouses.setdefault(r["a"], []).append(
                {"type": "SPOUSE_OF", "from": lo, "to": hi, "other": other, **{
                    c: r[c] for c in ("since", "until", "source", "recorded_at", "extra")}})
        self.children: dict[str, list[Kin]] = {}
        for r in sorted_rows(self._read_keys(
                f"MATCH (a:Person {{iin: KEY}})-[l:PARENT_OF]->(b:Person) "
                f"RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, l.until AS until", keys), "a", "iin"):
            self.children.setdefault(r["a"], []).append(Kin(self._who(r), r["until"]))
        self._read_parents([p.iin for p in self.sample if add_years(p.birth, 18) > day])  # minors: orphans, carers
        self.guardians: dict[str, list[dict]] = {}   # ward -> links (of the sample's wards and guardians)
        for direction in ("in", "out"):
            pat = ("(a:Person {iin: KEY})<-[l:GUARDIAN_OF]-(b:Person)" if direction == "in"
                   else "(a:Person {iin: KEY})-[l:GUARDIAN_OF]->(b:Person)")
            for r in sorted_rows(self._read_keys(
                    f"MATCH {pat} RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, {_LINK_COLS}",
                    keys), "a", "iin"):
                b = self._who(r)
                frm, to = (b.iin, r["a"]) if direction == "in" else (r["a"], b.iin)
                link = {"type": "GUARDIAN_OF", "from": frm, "to": to,
                        **{c: r[c] for c in ("since", "until", "source", "recorded_at", "extra")}}
                if not any(g["from"] == frm for g in self.guardians.get(to, ())):
                    self.guardians.setdefault(to, []).append(link)
        self.facts: dict[str, list[dict]] = {}
        self.fact_keys: set[str] = set()
        for r in sorted_rows(self._read_keys(
                f"MATCH (p:Person {{iin: KEY}})-[:HAS_FACT]->(f:Fact) "
                f"WHERE f.type IN $types RETURN {_FACT_COLS}", keys, types=list(_FACT_TYPES_READ)), "key"):
            self.facts.setdefault(r["iin"], []).append(r)
            self.fact_keys.add(r["key"])
        self._pools()

    def _income_pools(self) -> None:
        """Whose income the day reports (a seeded subset of the earners, and of those without a
        job for informal income), with their stored income and contributions of the last three
        reported months: read in one go."""
        rng = self.rng
        n = self.count // 4 + 20
        earners, workless = self.pool["earners"], self.pool["workless"]
        self.income_pool = sorted(rng.sample(earners, min(n, len(earners))), key=lambda p: p.iin)
        self.informal_pool = sorted(rng.sample(workless, min(n // 5 + 5, len(workless))), key=lambda p: p.iin)
        y, m = self.month
        m0y, m0 = divmod(y * 12 + m - 1 - 2, 12)
        self.monthly = {}
        for r in sorted_rows(self._read_keys(
                f"MATCH (p:Person {{iin: KEY}})-[:HAS_FACT]->(f:Fact) "
                f"WHERE f.type IN $types AND f.month >= $m0 RETURN {_FACT_COLS}",
                [p.iin for p in self.income_pool + self.informal_pool], types=["income", "contribution"],
                m0=f"{m0y:04d}-{m0 + 1:02d}"), "key"):
            self.monthly.setdefault(r["iin"], []).append(r)
            self.fact_keys.add(r["key"])

    def _read_parents(self, keys: Sequence[str]) -> None:
        todo = [k for k in keys if k not in self._parents_cache]
        for k in todo:
            self._parents_cache[k] = []
        for r in sorted_rows(self._read_keys(
                f"MATCH (a:Person {{iin: KEY}})<-[l:PARENT_OF]-(b:Person) "
                f"RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, l.until AS until", todo), "a", "iin"):
            self._parents_cache[r["a"]].append(Kin(self._who(r), r["until"]))

    def _parents(self, iin: str) -> list[Kin]:
        if iin not in self._parents_cache:
            self._read_parents([iin])
        return self._parents_cache[iin]

    def _full(self, iins: Sequence[str]) -> dict[str, dict]:
        """The stored person records (every Person property)."""
        todo = sorted({i for i in iins if i not in self._full_cache})
        if todo:
            for i in range(0, len(todo), _CHUNK):
                for r in self.store.read(f"UNWIND $keys AS k MATCH (p:Person {{iin: k}}) RETURN {_PERSON_COLS}",
                                         {"keys": todo[i:i + _CHUNK]}):
                    self._full_cache[r["iin"]] = r
        return {i: self._full_cache[i] for i in iins if i in self._full_cache}

    # ---- candidate pools (lists sorted by IIN) ----
    def _open(self, iin: str, ftype: str, on: dt.date | None = None) -> list[dict]:
        """The person's facts of a type covering ``on`` (default: day)."""
        on = on or self.day
        return [f for f in self.facts.get(iin, ()) if f["type"] == ftype and f["valid_from"] <= on
                and (f["valid_to"] is None or f["valid_to"] >= on)]

    def _spouse_now(self, iin: str, on: dt.date | None = None) -> list[dict]:
        on = on or self.day
        return [s for s in self.spouses.get(iin, ()) if (s["until"] is None or s["until"] > on)
                and s["other"].alive(on)]

    def _pools(self) -> None:
        day = self.day
        P: dict[str, list[Who]] = {k: [] for k in (
            "mothers", "elderly", "parents_of_minors", "adults", "movers", "minors", "orphans",
            "single_f", "single_m", "young", "many_children", "employed", "workless", "pension_age",
            "earners", "kandas_free")}
        self.ages = {}
        self.pension_day: dict[str, dt.date] = {}
        for p in self.sample:
            a = age(p.birth, day)
            self.ages[p.iin] = a
            pd = pension_date(p.birth, p.sex) if a >= 55 else None
            if pd is not None:
                self.pension_day[p.iin] = pd
            kids = [k for k in self.children.get(p.iin, ()) if k.until is None or k.until > day]
            if p.sex == "F" and 18 <= a <= 44:
                P["mothers"].append(p)
            if a >= 68:
                P["elderly"].append(p)
            if 20 <= a <= 60 and any(k.who.alive(day) and age(k.who.birth, day) < 18 for k in kids):
                P["parents_of_minors"].append(p)
            if a >= 18:
                P["adults"].append(p)
                if p.addr:
                    P["movers"].append(p)
                if a <= 70 and not self._open(p.iin, "kandas"):
                    P["kandas_free"].append(p)
            elif a >= 1:
                P["minors"].append(p)
                if (not any(k.who.alive(day) and (k.until is None or k.until > day) for k in self._parents(p.iin))
                        and not any(g["until"] is None or g["until"] > day for g in self.guardians.get(p.iin, ()))):
                    P["orphans"].append(p)  # no living parent, no guardian
            if 20 <= a <= 50 and not self._spouse_now(p.iin):
                P["single_f" if p.sex == "F" else "single_m"].append(p)
            if 17 <= a <= 22:
                P["young"].append(p)
            if p.sex == "F" and a >= 25 and len(kids) >= 6:
                best = max((AWARD_RANK[f["name"]] for f in self.facts.get(p.iin, ()) if f["type"] == "award"),
                           default=0)
                if best < (3 if len(kids) >= 10 else 2 if len(kids) >= 7 else 1):
                    P["many_children"].append(p)  # a higher award is due
            working_age = a >= 18 and (pd is None or pd > day)
            if working_age and self._open(p.iin, "employment"):
                P["employed"].append(p)
                P["earners"].append(p)
            elif working_age and a <= 58:
                P["workless"].append(p)
            if pd is not None and pd <= day:
                if not any(f["type"] == "pension" for f in self.facts.get(p.iin, ())):
                    P["pension_age"].append(p)
                elif self._open(p.iin, "pension"):
                    P["earners"].append(p)
        self.pool = P
        by_addr: dict[str, list[Who]] = {}
        for p in self.sample:
            if p.addr:
                by_addr.setdefault(p.addr, []).append(p)
        self.by_addr = by_addr
        self.addresses = sorted(by_addr)
        couples = {}
        for iin in sorted(self.spouses):
            for s in self._spouse_now(iin):
                if self.people[iin].alive(day):
                    couples[(s["from"], s["to"])] = s
        self.couples = [couples[k] for k in sorted(couples)]
        # disabilities due for re-examination, kandas statuses running
        self.reexaminations = [f for p in self.sample for f in self.facts.get(p.iin, ())
                               if f["type"] == "disability" and f["valid_to"] is not None
                               and abs((f["valid_to"] - day).days) <= 90]
        self.open_kandas = [f for p in self.sample for f in self._open(p.iin, "kandas")]
        self.open_guardianships = sorted(
            (g for links in self.guardians.values() for g in links if g["until"] is None),
            key=lambda g: (g["from"], g["to"]))
