"""A day of changes for an existing population: the feed the registries send in one day.

Used to test and benchmark the incremental sweep (after an ingest only the persons the new
records touch, and their kin, are re-evaluated; the result must equal a full sweep). Given a
store already holding a population (``population.py``'s, or any other), ``changes_for_day``
reads a sample of its persons and yields about ``count`` records of ``records.md`` dated on
``day`` (``recorded_at`` from ``day`` 20:00Z on, always later than the stored version of
anything it replaces), a mix covering everything the rules of ``benefits.md`` look at:

* ``birth``: a new child (a fresh valid IIN for its birth date and sex, born on ``day`` or in
  the 10 days before; now and then twins) with ``PARENT_OF`` from a living woman aged 18-45
  and, when she has a current spouse, from him; registered at the mother's address;
* ``death``: a person's full record again with ``death_date`` (mostly the elderly, a quarter
  parents of minors: burial, breadwinner loss); a pension closes on the death day now and then;
* ``move``: a person's full record with a new ``address_id``, a new address or another
  household's; sometimes the spouse and the minor children at the same address move too;
* ``marriage`` (``SPOUSE_OF``, sometimes the wife moves to the husband's address), ``divorce``
  (the stored link again with ``until``; the husband often moves out), ``guardianship`` (a
  ``GUARDIAN_OF`` to a minor, preferably an orphan, from a grandparent or a housemate; or the
  end of one);
* facts: ``disability`` (groups 1/2/3 with or without ``work_capacity_loss_percent``, ``child``
  under 18; or a re-examination moving a stored ``valid_to``), ``unemployed`` (a job lost: the
  employment ends and a registration starts; a registration without a job; a deregistration,
  often with a new job), monthly ``income`` and ``contribution`` for the month before
  ``day``'s month (wages, pensions, informal income), ``student`` (a new one for 17-22 year
  olds, or studies ending), ``award`` for mothers of 6 or more children, ``kandas`` (a new
  status, or one ending within 30 days), ``pension`` at pension age, ``benefit`` (already
  receiving: disability, disabled-child carer, job loss, childcare, birth, alqa, targeted
  assistance);
* ``noop``: a record of the same day sent again (unchanged on ingest), or a person's record
  re-sent as stored (a new ``recorded_at``, no value changed).

A person gets at most one person record a day, so "last writer wins" never has to choose
within the day. An updated person record carries the whole stored record (unknown fields
kept in ``extra`` included) with the one field changed, since a person record replaces the
stored one whole; the same holds for a corrected link or fact.

``count`` is a target: the day stops at the first event that reaches it (an event writes
1-4 records), and a population too small for a kind of change gets none of it. A ``day``
before the stored person records is refused (``ValueError``).

Deterministic: the same store contents, ``day``, ``count`` and ``seed`` give the same records
in the same order, on either engine. Every query result is sorted before use (engines return
rows in any order), candidates are drawn from lists sorted by IIN, and all randomness comes
from one ``random.Random`` seeded with ``(seed, day)`` (a string seed: not salted per process).

New IINs: a birth draws a random serial for its (birth date, sex) and walks up to the first one
that gives a valid check digit (``schema.iin.make_iin``) and is not held by a stored person
(all persons born in the birth window are read once), by a waiting ``Pending`` link or fact,
or by another birth of the day. New addresses are numbered from 8 000 000 up (the generator's
count from 1 per region), checked likewise against the stored addresses in that range.

Scale: the sample is every person whose IIN ends in one of a seeded set of two-digit endings,
about ``max(5000, 8 * count)`` persons (all of a smaller population). Only the sample and its
kin are read, in a few bulk queries; the stored records that updated person records repeat
are read in one query at the end. 1 000 changes from 100 000 people take about 1.5 s on
LadybugDB.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO, TypeVar

from familycard.dates import add_months, add_years, age, month_len
from familycard.graph import model
from familycard.graph.store import Store
from familycard.schema.iin import make_iin
from familycard.schema.records import fact_key, link_key
from familycard.synthetic.names import FEMALE_NAMES, MALE_NAMES, REGION_CODES, employer_bin
from familycard.synthetic.parameters import BENEFIT_SOURCE, CONTRIBUTION_RATE, DAY, MW, SOURCE, pension_date

__all__ = ["changes_for_day", "write_changes", "CHANGE_WEIGHTS"]

T = TypeVar("T")

# How often each kind of event is drawn (an event writes 1-4 records; income writes 2).
CHANGE_WEIGHTS: dict[str, float] = {
    "income": 16.0, "birth": 4.0, "death": 3.5, "move": 3.5, "disability": 6.0, "unemployed": 5.0,
    "student": 4.0, "pension": 3.0, "benefit": 6.0, "kandas": 3.0, "award": 1.5, "marriage": 2.5,
    "divorce": 1.5, "guardianship": 2.0, "noop": 2.0,
}

_MIN_SAMPLE = 5000     # persons read at least (all of a smaller population)
_PER_CHANGE = 8        # ... and this many per change asked for
# LadybugDB answers `UNWIND $keys AS k MATCH (p:Person {iin: k})-[...]` with a scan (30-300 ms at
# 100 k people, whatever the number of keys) but `MATCH (p:Person {iin: $k})-[...]` with a key
# lookup (< 1 ms): few keys are read one query each, many in large UNWIND chunks.
_CHUNK = 50_000        # keys per UNWIND query
_ONE_BY_ONE = 32       # up to this many keys: one query a key
_MAX_MISSES = 25       # consecutive failed draws of one kind before it is given up
_BIRTH_DAYS = 10       # births are on day or up to this many days before
_ADDR_RE = re.compile(r"^KZ-([A-Z]{3})-\d+$")
_AWARD_RANK = {"kumis_alqa": 1, "altyn_alqa": 2, "maternal_glory_2": 2, "mother_heroine": 3, "maternal_glory_1": 3}

_PERSON_FIELDS = ("iin", "surname", "given_name", "patronymic", "birth_date", "sex", "death_date",
                  "address_id", "phone", "bank_account", "citizenship")
_PERSON_COLS = ", ".join(f"p.{c} AS {c}" for c in model.PERSON.names)
_FACT_COLS = ", ".join(f"f.{c} AS {c}" for c in model.FACT.names)
_LINK_COLS = ("l.since AS since, l.until AS until, l.source AS source, l.recorded_at AS recorded_at, "
              "l.extra AS extra")
_WHO_COLS = "{v}.iin AS iin, {v}.birth_date AS birth_date, {v}.sex AS sex, {v}.death_date AS death_date, " \
            "{v}.address_id AS address_id"
_FACT_TYPES_READ = tuple(t for t in model.FACT_TYPES if t not in ("income", "contribution"))


# --- public API -------------------------------------------------------------------------------

def changes_for_day(store: Store, day: dt.date, count: int, seed: int) -> Iterator[dict]:
    """Yield about ``count`` feed records (dicts, records.md) a registry would send on ``day``.

    Fewer when the population is too small to give more (an empty store gives none).
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    yield from _DayOfChanges(store, day, count, seed).build()


def write_changes(store: Store, out: TextIO, day: dt.date, count: int, seed: int) -> int:
    """Write the day's changes as JSON Lines to ``out``; return the number of lines written."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    n = 0
    for rec in changes_for_day(store, day, count, seed):
        out.write(dumps(rec))
        out.write("\n")
        n += 1
    return n


# --- what the sample knows about a person ------------------------------------------------------

@dataclass(slots=True)
class _Who:
    iin: str
    birth: dt.date
    sex: str
    death: dt.date | None
    addr: str | None

    def alive(self, on: dt.date) -> bool:
        return self.death is None or self.death > on


@dataclass(slots=True)
class _Kin:
    who: _Who
    until: dt.date | None


class _Later:
    """A person record built at the end of the day, from one bulk read of the stored records
    (``need``: the IINs whose stored records ``make`` uses)."""
    __slots__ = ("need", "make", "done")

    def __init__(self, need: tuple[str, ...], make: Callable[[dict[str, dict]], dict | None]):
        self.need, self.make, self.done = need, make, None


def _finish(rec: dict, stored: dict, changes: dict) -> dict:
    """The stored record's unknown fields kept, then the day's changes (None removes a field)."""
    if stored.get("extra"):
        for k, v in json.loads(stored["extra"]).items():
            rec.setdefault(k, v)
    for k, v in changes.items():
        if v is None:
            rec.pop(k, None)
        else:
            rec[k] = _iso(v)
    return rec


def _iso(v):
    return v.isoformat() if isinstance(v, dt.date) else v


def _sorted_rows(rows: list[dict], *keys: str) -> list[dict]:
    return sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in keys))


class _DayOfChanges:
    def __init__(self, store: Store, day: dt.date, count: int, seed: int):
        self.store, self.day, self.count = store, day, count
        self.rng = random.Random(f"familycard.changes:{seed}:{day.isoformat()}")
        self.t0 = dt.datetime.combine(day, dt.time(20, 0))
        self.t_end = dt.datetime.combine(day, dt.time(23, 59, 59))
        y, m = divmod(day.year * 12 + day.month - 2, 12)
        self.month = (y, m + 1)  # the month before day's month: the one income is reported for
        self.records: list[dict | _Later] = []
        self.event = 0
        # the day's state: who already has a person record, who dies, what is written
        self.updated: set[str] = set()
        self.dying: set[str] = set()
        self.wed: set[str] = set()
        self.parents_today: set[str] = set()
        self.income_done: set[str] = set()
        self.guarded: set[str] = set()
        self.pensioned: set[str] = set()
        self.keys: set[str] = set()
        self.fact_today: set[tuple[str, str]] = set()  # (iin, type): one new or corrected fact a type a day
        self.noops = 0
        self.new_iins: set[str] = set()
        self.new_addrs: set[str] = set()
        self.monthly: dict[str, list[dict]] | None = None
        self._benefits: list[tuple] | None = None
        self._full_cache: dict[str, dict] = {}
        self._parents_cache: dict[str, list[_Kin]] = {}

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

    def _who(self, r: dict) -> _Who:
        w = self.people.get(r["iin"])
        if w is None:
            w = _Who(r["iin"], r["birth_date"], r["sex"], r["death_date"], r["address_id"])
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
        self.people: dict[str, _Who] = {}
        sample = [self._who(r) for r in _sorted_rows(rows, "iin")]
        self.sample = [p for p in sample if p.alive(day)]
        keys = [p.iin for p in self.sample]
        self.pending_iins = set()
        for r in store.read("MATCH (q:Pending) RETURN q.from_iin AS f, q.to_iin AS t"):
            self.pending_iins.update(x for x in (r["f"], r["t"]) if x)
        # what new IINs (births of the last days) and new addresses must not reuse
        self.born_since = day - dt.timedelta(days=_BIRTH_DAYS)
        self.taken_iins = {r["iin"] for r in store.read(
            "MATCH (p:Person) WHERE p.birth_date >= $lo RETURN p.iin AS iin", {"lo": self.born_since})}
        self.taken_addrs = {r["id"] for r in store.read(
            "MATCH (a:Address) WHERE right(a.id, 7) >= '8000000' RETURN a.id AS id")}

        # spouses (every link, ended or not), children, parents, guardianships, facts
        self.spouses: dict[str, list[dict]] = {}
        for r in _sorted_rows(self._read_keys(
                f"MATCH (a:Person {{iin: KEY}})-[l:SPOUSE_OF]-(b:Person) "
                f"RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, {_LINK_COLS}", keys), "a", "iin"):
            other = self._who(r)
            lo, hi = sorted((r["a"], other.iin))
            self.spouses.setdefault(r["a"], []).append(
                {"type": "SPOUSE_OF", "from": lo, "to": hi, "other": other, **{
                    c: r[c] for c in ("since", "until", "source", "recorded_at", "extra")}})
        self.children: dict[str, list[_Kin]] = {}
        for r in _sorted_rows(self._read_keys(
                f"MATCH (a:Person {{iin: KEY}})-[l:PARENT_OF]->(b:Person) "
                f"RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, l.until AS until", keys), "a", "iin"):
            self.children.setdefault(r["a"], []).append(_Kin(self._who(r), r["until"]))
        self._read_parents([p.iin for p in self.sample if add_years(p.birth, 18) > day])  # minors: orphans, carers
        self.guardians: dict[str, list[dict]] = {}   # ward -> links (of the sample's wards and guardians)
        for direction in ("in", "out"):
            pat = ("(a:Person {iin: KEY})<-[l:GUARDIAN_OF]-(b:Person)" if direction == "in"
                   else "(a:Person {iin: KEY})-[l:GUARDIAN_OF]->(b:Person)")
            for r in _sorted_rows(self._read_keys(
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
        for r in _sorted_rows(self._read_keys(
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
        for r in _sorted_rows(self._read_keys(
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
        for r in _sorted_rows(self._read_keys(
                f"MATCH (a:Person {{iin: KEY}})<-[l:PARENT_OF]-(b:Person) "
                f"RETURN a.iin AS a, {_WHO_COLS.format(v='b')}, l.until AS until", todo), "a", "iin"):
            self._parents_cache[r["a"]].append(_Kin(self._who(r), r["until"]))

    def _parents(self, iin: str) -> list[_Kin]:
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
        P: dict[str, list[_Who]] = {k: [] for k in (
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
                best = max((_AWARD_RANK[f["name"]] for f in self.facts.get(p.iin, ()) if f["type"] == "award"),
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
        by_addr: dict[str, list[_Who]] = {}
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

    # ---- small helpers ----
    def _pick(self, pool: Sequence[T], ok: Callable[[T], bool], tries: int = 12) -> T | None:
        if not pool:
            return None
        for _ in range(tries):
            c = self.rng.choice(pool)
            if ok(c):
                return c
        return None

    def _free(self, iin: str) -> bool:
        """No person record of this person yet today, and not dying today."""
        return iin not in self.updated and iin not in self.dying

    def _movable(self, iin: str) -> bool:
        """Free, and no child born today (a newborn is registered at the mother's address)."""
        return self._free(iin) and iin not in self.parents_today and iin not in self.new_iins

    def _ts(self, stored: dt.datetime | None = None, event: int | None = None) -> str | None:
        """An event's recorded_at on day, later than ``stored``; None when the day has no such time."""
        t = min(self.t0 + dt.timedelta(seconds=self.event if event is None else event), self.t_end)
        if stored is not None and stored >= t:
            t = stored.replace(microsecond=0) + dt.timedelta(seconds=1)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t <= self.t_end else None

    def _days_back(self, hi: int) -> dt.date:
        return self.day - dt.timedelta(days=self.rng.randint(0, hi))

    def _person_record(self, row: dict, ts: str, **changes) -> dict:
        rec: dict = {"kind": "person", "source": "GBD_FL", "recorded_at": ts}
        for name in _PERSON_FIELDS:
            v = row.get(name)
            if v is not None and v != "":
                rec[name] = _iso(v)
        return _finish(rec, row, changes)

    def _link_record(self, link: dict, ts: str, **changes) -> dict:
        source = link.get("source") or ("MIO" if link["type"] == "GUARDIAN_OF" else "ZAGS")
        rec: dict = {"kind": "link", "source": source, "recorded_at": ts, "type": link["type"],
                     "from": link["from"], "to": link["to"]}
        for c in ("since", "until"):
            if link.get(c) is not None:
                rec[c] = _iso(link[c])
        return _finish(rec, link, changes)

    def _fact_record(self, f: dict, ts: str, **changes) -> dict:
        t = f["type"]
        rec: dict = {"kind": "fact", "source": f.get("source") or SOURCE.get(t, "MIO"), "recorded_at": ts,
                     "iin": f["iin"], "type": t, "valid_from": _iso(f["valid_from"])}
        if f.get("valid_to") is not None:
            rec["valid_to"] = _iso(f["valid_to"])
        if t == "disability":
            rec["group"] = f["disability_group"]
            if f.get("work_capacity_loss_percent") is not None:
                rec["work_capacity_loss_percent"] = f["work_capacity_loss_percent"]
        elif t == "employment":
            rec["employer_bin"] = f["employer_bin"]
        elif t in ("income", "contribution"):
            rec["month"], rec["amount_kzt"] = f["month"], f["amount_kzt"]
        elif t == "award":
            rec["name"] = f["name"]
        elif t == "benefit":
            rec["benefit"] = f["benefit"]
        return _finish(rec, f, changes)

    def _new_fact(self, iin: str, ftype: str, vf: dt.date, vt: dt.date | None = None,
                  source: str | None = None, **fields) -> dict | None:
        """A fact on a thing neither stored (as far as the sample knows) nor written today."""
        disc = fields.get("month") or fields.get("name") or fields.get("benefit")
        key = fact_key(iin, ftype, vf, disc)
        what = (iin, ftype if ftype != "benefit" else f"benefit:{disc}")
        if key in self.keys or key in self.fact_keys or what in self.fact_today:
            return None
        self.keys.add(key)
        self.fact_today.add(what)
        rec = {"kind": "fact", "source": source or SOURCE[ftype], "recorded_at": self._ts(), "iin": iin,
               "type": ftype, "valid_from": vf.isoformat()}
        if vt is not None:
            rec["valid_to"] = vt.isoformat()
        rec.update(fields)
        return rec

    def _correct_fact(self, f: dict, **changes) -> dict | None:
        """A stored fact again, with some fields changed (a later recorded_at wins)."""
        what = (f["iin"], f["type"] if f["type"] != "benefit" else f"benefit:{f['benefit']}")
        if f["key"] in self.keys or (what in self.fact_today and f["type"] not in ("income", "contribution")):
            return None
        ts = self._ts(f["recorded_at"])
        if ts is None:
            return None
        self.keys.add(f["key"])
        self.fact_today.add(what)
        return self._fact_record(f, ts, **changes)

    def _new_iin(self, born: dt.date, sex: str) -> str:
        """A valid IIN for this birth date and sex that no stored, waiting or new person has."""
        if born < self.born_since:
            raise ValueError(f"births are within {_BIRTH_DAYS} days before {self.day}, not on {born}")
        s = self.rng.randrange(1, 10000)
        for _ in range(9999):
            v = make_iin(born, sex, s)
            s = s % 9999 + 1
            if v and v not in self.new_iins and v not in self.pending_iins and v not in self.taken_iins:
                self.new_iins.add(v)
                return v
        raise RuntimeError(f"no free IIN serial for {born} {sex}")

    def _new_address(self, near: str | None) -> str:
        """An address code no stored person has (its number above every generated one)."""
        m = _ADDR_RE.match(near or "")
        region = m.group(1) if m and self.rng.random() < 0.85 else self.rng.choice(REGION_CODES)
        while True:
            a = f"KZ-{region}-{self.rng.randint(8_000_000, 9_999_999):07d}"
            if a not in self.new_addrs and a not in self.taken_addrs:
                self.new_addrs.add(a)
                return a

    def _salary(self) -> int:
        return max(40_000, int(math.exp(self.rng.gauss(math.log(240_000), 0.45)) / 100) * 100)

    def _update(self, iin: str, **changes) -> _Later:
        """The person's stored record again, with ``changes``, recorded at this event's time (or
        just after the stored version); dropped in the rare case the day has no such time left."""
        self.updated.add(iin)
        event = self.event

        def make(rows: dict[str, dict]) -> dict | None:
            row = rows.get(iin)
            ts = self._ts(row["recorded_at"], event) if row else None
            return None if ts is None else self._person_record(row, ts, **changes)

        return _Later((iin,), make)

    def _move(self, who: _Who, addr: str) -> _Later:
        who.addr = addr
        return self._update(who.iin, address_id=addr)

    # ---- the stream ----
    def build(self) -> list[dict]:
        if self.count == 0:
            return []
        self._read()
        if not self.sample:
            return []
        weights = dict(CHANGE_WEIGHTS)
        misses: Counter[str] = Counter()
        while len(self.records) < self.count and weights:
            names = list(weights)
            kind = self.rng.choices(names, weights=[weights[n] for n in names])[0]
            self.event += 1
            recs = [r for r in getattr(self, "_ev_" + kind)() if r is not None]
            if recs:
                misses[kind] = 0
                self.records.extend(recs)
            else:
                misses[kind] += 1
                if misses[kind] >= _MAX_MISSES:
                    del weights[kind]
        rows = self._full(sorted({i for r in self.records if isinstance(r, _Later) for i in r.need}))
        out = []
        for r in self.records:
            if isinstance(r, _Later):
                if r.done is None:
                    r.done = r.make(rows) or {}
                r = r.done
            if r:
                out.append(dict(r))
        return out

    # ---- events: each returns its records, or [] when it found no candidate ----
    def _ev_birth(self) -> list[dict]:
        rng, day = self.rng, self.day
        born = day - dt.timedelta(days=min(rng.randint(0, _BIRTH_DAYS), rng.randint(0, _BIRTH_DAYS)))

        def ok(m: _Who) -> bool:
            return (self._free(m.iin) and m.iin not in self.parents_today and 18 <= age(m.birth, born) <= 45
                    and all(k.who.birth <= born - dt.timedelta(days=300) for k in self.children.get(m.iin, ())))

        m = self._pick(self.pool["mothers"], ok)
        if m is None:
            return []
        father = None
        for s in self._spouse_now(m.iin, born):
            f = s["other"]
            if (f.sex == "M" and f.iin not in self.dying and f.iin not in self.parents_today
                    and add_years(f.birth, 18) <= born):
                father = f
                break
        out: list[dict | _Later] = []
        for _ in range(2 if rng.random() < 0.02 else 1):
            sex = "M" if rng.random() < 0.512 else "F"
            iin = self._new_iin(born, sex)
            given = rng.choice(MALE_NAMES if sex == "M" else FEMALE_NAMES)
            kazakh = rng.random() < 0.6  # patronymic style when the father's does not say
            ts = self._ts()
            child = self._child(iin, born, sex, given, kazakh, ts, m, father)
            links = [{"kind": "link", "source": "ZAGS", "recorded_at": ts, "type": "PARENT_OF",
                      "from": par.iin, "to": iin} for par in (m, father) if par is not None]
            for lk in links:
                self.keys.add(link_key("PARENT_OF", lk["from"], lk["to"]))
            # a link may come before its person (records.md): now and then it does
            out.extend(links + [child] if rng.random() < 0.1 else [child] + links)
            who = _Who(iin, born, sex, None, m.addr)
            self.people[iin] = who
            self.children.setdefault(m.iin, []).append(_Kin(who, None))
        self.parents_today.add(m.iin)
        if father is not None:
            self.parents_today.add(father.iin)
        return out

    def _child(self, iin: str, born: dt.date, sex: str, given: str, kazakh: bool, ts: str,
               mother: _Who, father: _Who | None) -> _Later:
        """The newborn's person record: surname and patronymic from the parents' stored records."""
        addr = mother.addr

        def make(rows: dict[str, dict]) -> dict | None:
            mrow, frow = rows.get(mother.iin), rows.get(father.iin) if father else None
            if frow is not None:
                root = frow["surname"]
            elif mrow is not None:
                sn = mrow["surname"]
                root = sn[:-1] if sn.endswith(("ова", "ева", "ина", "ына")) else sn
            else:
                return None
            surname = root + "а" if sex == "F" and root.endswith(("ов", "ев", "ин", "ын")) else root
            rec = {"kind": "person", "source": "GBD_FL", "recorded_at": ts, "iin": iin, "surname": surname,
                   "given_name": given}
            if frow is not None:
                fp = frow.get("patronymic") or ""
                kz = fp.endswith(("ұлы", "қызы")) if fp else kazakh
                rec["patronymic"] = frow["given_name"] + (("ұлы" if sex == "M" else "қызы") if kz
                                                          else ("ович" if sex == "M" else "овна"))
            rec["birth_date"] = born.isoformat()
            rec["sex"] = sex
            if addr:
                rec["address_id"] = addr
            rec["citizenship"] = "KZ"
            return rec

        return _Later((mother.iin,) + ((father.iin,) if father else ()), make)

    def _ev_death(self) -> list[dict]:
        rng = self.rng
        pool = self.pool["parents_of_minors"] if rng.random() < 0.25 else self.pool["elderly"]
        p = self._pick(pool, lambda p: self._free(p.iin) and p.iin not in self.parents_today
                       and p.iin not in self.wed and p.iin not in self.guarded)
        if p is None:
            return []
        died = max(p.birth, self._days_back(6))
        self.dying.add(p.iin)
        p.death = died
        out: list = [self._update(p.iin, death_date=died)]
        pensions = [f for f in self._open(p.iin, "pension") if f["valid_to"] is None and f["valid_from"] <= died]
        if pensions and rng.random() < 0.5:  # the pension fund closes the pension
            out.append(self._correct_fact(pensions[0], valid_to=died))
        return out

    def _ev_move(self) -> list[dict]:
        rng, day = self.rng, self.day
        p = self._pick(self.pool["movers"], lambda p: self._movable(p.iin) and p.addr is not None)
        if p is None:
            return []
        group = [p]
        if rng.random() < 0.4:  # the family moves together
            for s in self._spouse_now(p.iin):
                o = s["other"]
                if o.addr == p.addr and self._movable(o.iin):
                    group.append(o)
            for k in self.children.get(p.iin, ()):
                c = k.who
                if c.alive(day) and c.addr == p.addr and age(c.birth, day) < 18 and self._movable(c.iin):
                    group.append(c)
        if rng.random() < 0.35 and len(self.addresses) > 1:
            addr = rng.choice(self.addresses)  # into another household's home
            if addr == p.addr:
                return []
        else:
            addr = self._new_address(p.addr)
        return [self._move(w, addr) for w in group]

    def _related(self, a: _Who, b: _Who) -> bool:
        near = {k.who.iin for k in self.children.get(a.iin, ())} | {k.who.iin for k in self._parents(a.iin)}
        return b.iin in near or any(s["other"].iin == b.iin for s in self.spouses.get(a.iin, ()))

    def _ev_marriage(self) -> list[dict]:
        rng = self.rng
        free = lambda p: self._free(p.iin) and p.iin not in self.wed  # noqa: E731
        w = self._pick(self.pool["single_f"], free)
        if w is None:
            return []
        h = self._pick(self.pool["single_m"], lambda h: free(h) and abs((h.birth - w.birth).days) <= 12 * 366
                       and (h.addr is None or h.addr != w.addr) and not self._related(w, h))
        if h is None:
            return []
        since = self._days_back(6)
        lo, hi = sorted((w.iin, h.iin))
        self.keys.add(link_key("SPOUSE_OF", lo, hi))
        self.wed.update((w.iin, h.iin))
        rec = {"kind": "link", "source": "ZAGS", "recorded_at": self._ts(), "type": "SPOUSE_OF",
               "from": h.iin, "to": w.iin, "since": since.isoformat()}
        for a, b in ((w, h), (h, w)):
            self.spouses.setdefault(a.iin, []).append({"type": "SPOUSE_OF", "from": lo, "to": hi, "other": b,
                                                       "since": since, "until": None})
        out = [rec]
        if h.addr and self._movable(w.iin) and rng.random() < 0.5:  # she moves to his home
            out.append(self._move(w, h.addr))
        return out

    def _ev_divorce(self) -> list[dict]:
        rng, day = self.rng, self.day

        def ok(s: dict) -> bool:
            a, b = self.people[s["from"]], self.people[s["to"]]
            return (all(x.iin not in self.wed and x.iin not in self.dying and x.alive(day) for x in (a, b))
                    and link_key("SPOUSE_OF", a.iin, b.iin) not in self.keys)

        s = self._pick(self.couples, ok)
        if s is None:
            return []
        ts = self._ts(s["recorded_at"])
        if ts is None:
            return []
        until = self._days_back(10)
        if s["since"] is not None and until < s["since"]:
            until = s["since"]
        a, b = self.people[s["from"]], self.people[s["to"]]
        self.keys.add(link_key("SPOUSE_OF", a.iin, b.iin))
        self.wed.update((a.iin, b.iin))
        out = [self._link_record(s, ts, until=until)]
        for x, y in ((a, b), (b, a)):  # both sides see the marriage ended
            for sp in self.spouses.get(x.iin, ()):
                if sp["other"] is y:
                    sp["until"] = until
        husband = a if a.sex == "M" else b
        wife = b if husband is a else a
        if husband.addr and husband.addr == wife.addr and self._movable(husband.iin) and rng.random() < 0.6:
            addr = (rng.choice(self.addresses) if rng.random() < 0.3 and self.addresses
                    else self._new_address(husband.addr))
            if addr != husband.addr:
                out.append(self._move(husband, addr))
        return out

    def _ev_guardianship(self) -> list[dict]:
        rng, day = self.rng, self.day
        if rng.random() < 0.25 and self.open_guardianships:
            g = self._pick(self.open_guardianships,
                           lambda g: link_key("GUARDIAN_OF", g["from"], g["to"]) not in self.keys)
            if g is None:
                return []
            ts = self._ts(g["recorded_at"])
            until = self._days_back(5)
            if g["since"] is not None and until < g["since"]:
                until = g["since"]
            if ts is None:
                return []
            self.keys.add(link_key("GUARDIAN_OF", g["from"], g["to"]))
            g["until"] = until
            return [self._link_record(g, ts, until=until)]
        pool = self.pool["orphans"] if self.pool["orphans"] and rng.random() < 0.5 else self.pool["minors"]

        def ok(c: _Who) -> bool:
            return (c.iin not in self.guarded and c.iin not in self.dying
                    and not any(g["until"] is None or g["until"] > day for g in self.guardians.get(c.iin, ())))

        c = self._pick(pool, ok)
        if c is None:
            return []
        parents = {k.who.iin for k in self._parents(c.iin)}
        self._read_parents(sorted(parents))
        able = lambda g: (g.alive(day) and g.iin not in self.dying and g.iin != c.iin  # noqa: E731
                          and g.iin not in parents and 25 <= age(g.birth, day) <= 80)
        cands = sorted({k.who.iin: k.who for par in sorted(parents) for k in self._parents(par) if able(k.who)}.items())
        if not cands and c.addr:
            cands = [(h.iin, h) for h in self.by_addr.get(c.addr, ()) if able(h)]
        if cands:
            g = rng.choice(cands)[1]
        else:
            g = self._pick(self.pool["adults"], able)
            if g is None:
                return []
        key = link_key("GUARDIAN_OF", g.iin, c.iin)
        if key in self.keys or any(x["from"] == g.iin for x in self.guardians.get(c.iin, ())):
            return []
        self.keys.add(key)
        self.guarded.add(c.iin)
        return [{"kind": "link", "source": "MIO", "recorded_at": self._ts(), "type": "GUARDIAN_OF",
                 "from": g.iin, "to": c.iin, "since": self._days_back(10).isoformat()}]

    def _ev_disability(self) -> list[dict]:
        rng, day = self.rng, self.day
        r = rng.random()
        if r < 0.25:  # a re-examination: extended, or ended
            f = self._pick(self.reexaminations, lambda f: f["key"] not in self.keys and f["iin"] not in self.dying)
            if f is None:
                return []
            p = self.people[f["iin"]]
            if rng.random() < 0.75:
                vt = f["valid_to"] + dt.timedelta(days=rng.choice((365, 730)))
                if f["disability_group"] == "child":
                    vt = min(vt, add_years(p.birth, 18) - DAY)
            else:
                vt = max(f["valid_from"], day - DAY)
            if vt == f["valid_to"] or vt < f["valid_from"]:
                return []
            return [self._correct_fact(f, valid_to=vt)]
        if r < 0.45:
            p = self._pick(self.pool["minors"], lambda p: p.iin not in self.dying)
        elif r < 0.75:
            p = self._pick(self.pool["employed"], lambda p: p.iin not in self.dying)  # work capacity loss
        else:
            p = self._pick(self.pool["adults"], lambda p: p.iin not in self.dying)
        if p is None:
            return []
        vf = max(self._days_back(20), p.birth + dt.timedelta(days=60))
        if vf > day or self._open(p.iin, "disability"):
            return []
        a = age(p.birth, day)
        fields: dict = {}
        if a < 18:
            fields["group"] = "child"
            vt = min(vf + dt.timedelta(days=rng.choice((365, 730)) - 1), add_years(p.birth, 18) - DAY)
            if vt < vf:
                return []
        else:
            x = rng.random()
            group = "1" if x < 0.12 else "2" if x < 0.57 else "3"
            fields["group"] = group
            if rng.random() < 0.85:
                lo, hi = {"1": (80, 100), "2": (60, 79), "3": (25, 59)}[group]
                fields["work_capacity_loss_percent"] = rng.randint(lo, hi)
            permanent = group in ("1", "2") and a >= 55 and rng.random() < 0.5
            vt = None if permanent else vf + dt.timedelta(days=rng.choice((365, 730)) - 1)
        return [self._new_fact(p.iin, "disability", vf, vt, **fields)]

    def _ev_unemployed(self) -> list[dict]:
        rng, day = self.rng, self.day
        r = rng.random()
        if r < 0.5:  # a job lost: the employment ends, a registration starts
            def jobs(p: _Who) -> list[dict]:
                return [f for f in self._open(p.iin, "employment")
                        if f["valid_to"] is None and f["key"] not in self.keys]

            p = self._pick(self.pool["employed"], lambda p: p.iin not in self.dying
                           and not self._open(p.iin, "unemployed") and (p.iin, "employment") not in self.fact_today
                           and (p.iin, "unemployed") not in self.fact_today and bool(jobs(p)))
            if p is None:
                return []
            job = jobs(p)[-1]
            end = max(job["valid_from"], day - dt.timedelta(days=rng.randint(3, 25)))
            vf = min(day, end + dt.timedelta(days=rng.randint(1, 10)))
            reg = self._new_fact(p.iin, "unemployed", vf)
            if reg is None:
                return []
            return [self._correct_fact(job, valid_to=end), reg]
        if r < 0.75:  # registered without a job
            p = self._pick(self.pool["workless"], lambda p: p.iin not in self.dying
                           and not self._open(p.iin, "unemployed") and not self._open(p.iin, "employment"))
            if p is None:
                return []
            return [self._new_fact(p.iin, "unemployed", self._days_back(3))]
        # deregistered: often a new job
        regs = [f for p in self.pool["workless"] for f in self._open(p.iin, "unemployed", day - DAY)
                if f["valid_to"] is None]
        f = self._pick(regs, lambda f: f["key"] not in self.keys and f["iin"] not in self.dying)
        if f is None:
            return []
        out = [self._correct_fact(f, valid_to=day - DAY)]
        if rng.random() < 0.6:
            out.append(self._new_fact(f["iin"], "employment", day, employer_bin=employer_bin(self.rng)))
        return out

    def _ev_income(self) -> list[dict]:
        rng = self.rng
        y, m = self.month
        first, last = dt.date(y, m, 1), dt.date(y, m, month_len(y, m))
        label = f"{y:04d}-{m:02d}"
        if self.monthly is None:
            self._income_pools()
        informal = rng.random() < 0.15
        pool = self.informal_pool if informal else self.income_pool
        p = self._pick(pool, lambda p: p.iin not in self.income_done)
        if p is None:
            return []
        self.income_done.add(p.iin)
        monthly = self.monthly.get(p.iin, [])
        stored = {(f["type"], f["month"]): f for f in monthly}
        incomes = sorted((f["month"], f["amount_kzt"]) for f in monthly
                         if f["type"] == "income" and f["month"] != label)
        employed = bool(self._open(p.iin, "employment", last)) and not informal
        if informal:
            amount = int(rng.uniform(30_000, 150_000) / 100) * 100
        elif incomes:
            amount = int(incomes[-1][1] * rng.uniform(0.96, 1.08))
        else:
            amount = self._salary()
        out = []
        for ftype, amt in (("income", amount), ("contribution", None)):
            if ftype == "contribution":
                if not employed:
                    break
                amt = int((Decimal(min(amount, 7 * MW)) * CONTRIBUTION_RATE).quantize(Decimal(1)))
            old = stored.get((ftype, label))
            if old is not None:  # a correction of the month already reported
                rec = self._correct_fact(old, amount_kzt=amt)
            else:
                rec = self._new_fact(p.iin, ftype, first, last, month=label, amount_kzt=amt)
            if rec is not None:
                out.append(rec)
        return out

    def _ev_student(self) -> list[dict]:
        rng, day = self.rng, self.day
        if rng.random() < 0.25:  # studies end
            open_ = [f for p in self.pool["young"] for f in self._open(p.iin, "student")]
            f = self._pick(open_, lambda f: f["key"] not in self.keys and f["iin"] not in self.dying)
            if f is None:
                return []
            return [self._correct_fact(f, valid_to=max(f["valid_from"], self._days_back(10)))]
        start_year = day.year if day.month >= 9 else day.year - 1
        vf = dt.date(start_year, 9, 1)
        p = self._pick(self.pool["young"], lambda p: p.iin not in self.dying and not self._open(p.iin, "student")
                       and age(p.birth, vf) >= 16)
        if p is None:
            return []
        return [self._new_fact(p.iin, "student", vf, dt.date(start_year + 4, 6, 30))]

    def _ev_award(self) -> list[dict]:
        rng = self.rng

        def name_for(p: _Who) -> str | None:
            n = len(self.children.get(p.iin, ()))
            name = ("mother_heroine" if n >= 10 and rng.random() < 0.5 else "altyn_alqa") if n >= 7 else "kumis_alqa"
            have = [_AWARD_RANK[f["name"]] for f in self.facts.get(p.iin, ()) if f["type"] == "award"]
            return name if not have or max(have) < _AWARD_RANK[name] else None

        p = self._pick(self.pool["many_children"],
                       lambda p: p.iin not in self.dying and p.iin not in self.parents_today)
        if p is None:
            return []
        name = name_for(p)
        if name is None:
            return []
        rec = self._new_fact(p.iin, "award", self._days_back(14), name=name)
        return [rec] if rec else []

    def _ev_kandas(self) -> list[dict]:
        rng, day = self.rng, self.day
        r = rng.random()
        if r < 0.5:  # a status shortened or found to end within 30 days
            f = self._pick(self.open_kandas, lambda f: f["key"] not in self.keys and f["iin"] not in self.dying)
            if f is not None:
                vt = max(f["valid_from"], day + dt.timedelta(days=rng.randint(0, 29)))
                if vt != f["valid_to"]:
                    return [self._correct_fact(f, valid_to=vt)]
        p = self._pick(self.pool["kandas_free"], lambda p: p.iin not in self.dying)
        if p is None:
            return []
        if r < 0.75:  # a status granted a year ago, recorded late, ending soon
            vt = day + dt.timedelta(days=rng.randint(0, 29))
            vf = add_years(vt + DAY, -1)
        else:  # a new arrival: the person and the minor children at the same address
            vf = self._days_back(10)
            vt = add_years(vf, 1) - DAY
        if vf < p.birth:
            return []
        out = [self._new_fact(p.iin, "kandas", vf, vt)]
        for k in self.children.get(p.iin, ()):
            c = k.who
            if (c.alive(day) and c.addr == p.addr and c.birth <= vf and age(c.birth, day) < 18
                    and c.iin not in self.dying):
                out.append(self._new_fact(c.iin, "kandas", vf, vt))
        return [r for r in out if r is not None]

    def _ev_pension(self) -> list[dict]:
        p = self._pick(self.pool["pension_age"], lambda p: p.iin not in self.dying and p.iin not in self.pensioned)
        if p is None:
            return []
        self.pensioned.add(p.iin)
        vf = max(self.pension_day[p.iin], self._days_back(30))
        return [self._new_fact(p.iin, "pension", vf)]

    def _benefit_options(self) -> list[tuple]:
        """(code, recipient, earliest valid_from, valid_to) a benefit fact could name, sorted."""
        day = self.day
        out = []
        q0 = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        for p in self.sample:
            a = self.ages[p.iin]
            mother = None
            if a < 18:
                alive = [k.who for k in self._parents(p.iin) if k.who.alive(day)]
                mother = next((x for x in alive if x.sex == "F"), alive[0] if alive else None)
            for f in self._open(p.iin, "disability"):
                since = max(f["valid_from"], day - dt.timedelta(days=60))
                if a >= 18:
                    out.append(("disability", p.iin, since, None))
                elif mother is not None:
                    out.append(("disabled_child_carer", mother.iin, since, None))
                    out.append(("disability", mother.iin, since, None))
            for f in self._open(p.iin, "unemployed"):
                if f["valid_from"] >= day - dt.timedelta(days=30):
                    out.append(("job_loss", p.iin, f["valid_from"], None))
            for f in self.facts.get(p.iin, ()):
                if f["type"] == "award" and f["valid_from"] <= day:
                    out.append(("alqa_mother", p.iin, f["valid_from"], None))
            if p.sex == "F":
                for k in self.children.get(p.iin, ()):
                    c = k.who
                    if c.alive(day) and add_months(c.birth, 18) > day:
                        out.append(("childcare_1_5", p.iin, c.birth, add_months(c.birth, 18) - DAY))
                    if c.birth > day - dt.timedelta(days=365):
                        out.append(("birth", p.iin, c.birth, None))
        for addr in self.addresses[::10]:
            adults = [p for p in self.by_addr[addr] if self.ages[p.iin] >= 18]
            if adults:
                eldest = min(adults, key=lambda p: (p.birth, p.iin))
                out.append(("targeted_assistance", eldest.iin, q0, add_months(q0, 3) - DAY))
        return sorted(out, key=lambda o: (o[0], o[1], o[2]))

    def _ev_benefit(self) -> list[dict]:
        rng, day = self.rng, self.day
        if self._benefits is None:
            self._benefits = self._benefit_options()
        o = self._pick(self._benefits, lambda o: o[1] not in self.dying)
        if o is None:
            return []
        code, iin, lo, vt = o
        vf = lo if code == "targeted_assistance" else min(day, lo + dt.timedelta(days=rng.randint(5, 40)))
        rec = self._new_fact(iin, "benefit", vf, vt, source=BENEFIT_SOURCE.get(code, "MIO"), benefit=code)
        return [rec] if rec else []

    def _ev_noop(self) -> list[dict]:
        rng = self.rng
        if self.noops > self.count // 40:
            return []
        self.noops += 1
        if self.records and rng.random() < 0.5:  # the same record twice: unchanged on ingest
            return [rng.choice(self.records)]  # copied when the day is written out
        p = self._pick(self.sample, lambda p: self._free(p.iin))
        if p is None:
            return []
        return [self._update(p.iin)]
