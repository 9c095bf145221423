"""A seeded, streaming generator of a realistic registry feed of Kazakh families.

The feed speaks ``records.md`` exactly: ``person``, ``link`` and ``fact`` records, one JSON
object a line. It is built *unit by unit* (a unit is one family, possibly spread over a few
addresses: grandparents, their grown children's homes), so memory stays bounded whatever the
population: besides the current unit the generator keeps only small counters (an IIN serial per
(birth date, sex), an address counter per region).

Reproducible: the same ``(people, seed, as_of, bad_rate, history_months)`` gives the same bytes.
All randomness comes from ``random.Random(seed)`` (and, for the bad lines only, a second
``Random`` derived from the seed, so that ``bad_rate`` never changes the valid part of the feed).

What is in it:

* random realistic units: young couples with children, single parents, divorces, widows,
  elderly couples whose grown children live nearby with their own families (the youngest son
  often at his parents' address: a multigenerational home), kandas (repatriate) families,
  orphans under a grandparent's guardianship; employment, monthly income and social
  contributions, unemployment registrations, disabilities, students, pensions, awards to
  mothers of many children, and benefits already received;
* every ~80th person (first cycle), then every ~1000th, a **boundary scenario** unit from a fixed
  rotation (``SCENARIOS``) built around ``as_of``: for each rule of ``benefits.md`` a case
  that qualifies and one that narrowly does not (windows are those of ``benefits.md``: "the 365
  days up to and including D" is D-364..D, "the 30 days from D" is D..D+29);
* feed-order noise on purpose: a few links before their persons (one at a unit's start, or a
  husband registered at another address whose person record comes with the next unit), and
  corrections (the same thing again with a later ``recorded_at``: a death date added, a job's
  end, a disability extended, a move, a divorce), some placed *before* the older version;
* with ``bad_rate`` > 0, extra deliberately bad lines (see ``BAD_CLASSES``), each breaking a
  ``records.md`` rule by itself or against the valid graph; they never reuse a valid record's
  identity, and the valid part of the feed is byte-identical whatever ``bad_rate``.

``GenerateStats.records`` counts the valid records (corrections included); bad lines are
counted apart in ``bad_lines``; the file has ``records + bad_lines`` lines.

The generator is one class joined from its parts: ``units.Builder`` (the unit under
construction), ``households`` (the random units), ``facts`` (their registry facts),
``scenarios`` (the boundary cases), ``bad_lines``; this module holds the entry points, the
generator's state and the stream (feed order, corrections placed, the last unit trimmed).
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from familycard.dates import add_years, month_len
from familycard.synthetic.bad_lines import BadLines
from familycard.synthetic.facts import LifeFacts
from familycard.synthetic.households import Households
from familycard.synthetic.names import REGION_CODES, employer_bin
from familycard.synthetic.parameters import UNIT_MIX, pm_on, ym
from familycard.synthetic.scenarios import SCENARIOS, Scenarios
from familycard.synthetic.units import Member, Unit

__all__ = ["GenerateStats", "generate_feed", "write_feed"]

_FIRST_CYCLE_STEP = 80   # persons between scenario units until the rotation has run once
# ... and afterwards: one boundary unit in 1 000 persons. Each unit holds a few in-cases and poor homes,
# so at one in 250 they were 3.8 % of the people but a third of a year's offers and most of the
# targeted-assistance homes (20 k people, as of 2026-11-25): more than the country has.
_STEP = 1000
_MAX_CYCLES = 2000       # boundary dates are fixed: cap their use of one date's IIN serials


# --- public API -----------------------------------------------------------------------------

@dataclass
class GenerateStats:
    people: int = 0       # distinct persons (exactly as asked)
    records: int = 0      # valid records, corrections included (a corrected person has 2 records)
    bad_lines: int = 0    # deliberately bad extra lines
    by_kind: dict[str, int] = field(default_factory=dict)
    by_fact_type: dict[str, int] = field(default_factory=dict)


def generate_feed(people: int, seed: int, as_of: dt.date, bad_rate: float = 0.0,
                  history_months: int = 12) -> Iterator[dict]:
    """Yield the feed's records (dicts) in feed order; exactly ``people`` person records.

    A bad line that is not JSON at all is yielded as a ``RawLine`` (a str) to write as is.
    """
    yield from _Generator(people, seed, as_of, bad_rate, history_months).records()


def write_feed(out: TextIO, people: int, seed: int, as_of: dt.date, bad_rate: float = 0.0,
               history_months: int = 12, progress: Callable[[int], None] | None = None) -> GenerateStats:
    """Write the feed as JSON Lines to ``out``; ``progress(people_done)`` is called now and then."""
    gen = _Generator(people, seed, as_of, bad_rate, history_months)
    gen.progress = progress
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    write = out.write
    buf: list[str] = []
    for rec in gen.records():
        buf.append(rec if isinstance(rec, str) else dumps(rec))
        if len(buf) >= 2000:
            buf.append("")
            write("\n".join(buf))
            buf.clear()
    if buf:
        buf.append("")
        write("\n".join(buf))
    if progress is not None:
        progress(gen.stats.people)
    return gen.stats


# --- the generator ---------------------------------------------------------------------------

class _Generator(Households, LifeFacts, Scenarios, BadLines):
    def __init__(self, people: int, seed: int, as_of: dt.date, bad_rate: float, history_months: int):
        if people < 0:
            raise ValueError("people must be >= 0")
        if not 0.0 <= bad_rate <= 1.0:
            raise ValueError("bad_rate must be within 0..1")
        self.people = people
        self.D = as_of
        self.rng = random.Random(seed)
        self.bad_rate = bad_rate
        self.bad_rng = random.Random(seed * 1_000_003 + 7919)
        self.history_months = max(0, history_months)
        self.stats = GenerateStats()
        self.progress: Callable[[int], None] | None = None
        self._serials: dict[int, int] = {}
        self._addr_no = {c: 0 for c in REGION_CODES}
        self._pending: list[dict] = []  # a deferred person (and facts) for the next unit
        self._pending_people = 0
        self._sc_next = 30
        self._sc_index = 0
        D = as_of
        self.line = Decimal("0.70") * pm_on(D)
        # the history months, oldest first: (label, first day, last day)
        self.months = []
        for k in range(self.history_months, 0, -1):
            y, m = ym(D, -k)
            self.months.append((f"{y:04d}-{m:02d}", dt.date(y, m, 1), dt.date(y, m, month_len(y, m))))
        r = random.Random(seed ^ 0x5EED)
        self.employers = [employer_bin(r) for _ in range(3000)]

    # ---- the stream ----
    def records(self) -> Iterator[dict]:
        last_progress = 0
        while self.stats.people < self.people:
            if self._sc_index < _MAX_CYCLES * len(SCENARIOS) and self.stats.people >= self._sc_next:
                name = SCENARIOS[self._sc_index % len(SCENARIOS)]
                u = Unit(name)
                getattr(self, "_sc_" + name)(u)
                if name != "targeted":  # its two homes sit on the line on purpose
                    self._poor_homes(u, u.people, kept=0.0, scenario=True)
                self._sc_index += 1
                step = _FIRST_CYCLE_STEP if self._sc_index < len(SCENARIOS) else _STEP
                self._sc_next = self.stats.people + step
            else:
                u = self._random_unit()
            yield from self._emit(u)
            if self.progress is not None and self.stats.people - last_progress >= 10_000:
                last_progress = self.stats.people
                self.progress(last_progress)

    def _count(self, rec: dict) -> None:
        st = self.stats
        st.records += 1
        k = rec["kind"]
        st.by_kind[k] = st.by_kind.get(k, 0) + 1
        if k == "fact":
            t = rec["type"]
            st.by_fact_type[t] = st.by_fact_type.get(t, 0) + 1

    def _person_records(self, p: Member) -> tuple[dict, dict | None]:
        """The person's (final) record, and an older version when the unit carries a correction."""
        rng, D = self.rng, self.D
        rec = {"kind": "person", "source": "GBD_FL", "recorded_at": "", "iin": p.iin, "surname": p.surname,
               "given_name": p.given}
        if p.patr:
            rec["patronymic"] = p.patr
        rec["birth_date"] = p.birth.isoformat()
        rec["sex"] = p.sex
        if p.death is not None:
            rec["death_date"] = p.death.isoformat()
        if p.addr is not None:
            rec["address_id"] = p.addr
        if p.phone:
            rec["phone"] = p.phone
        if p.iban:
            rec["bank_account"] = p.iban
        if p.cit is not None:
            rec["citizenship"] = p.cit
        day = p.rec_day or self._rday(p.birth, 1, 20)
        if p.rec_day is None and rng.random() < 0.3 and day < D:
            day = day + dt.timedelta(days=rng.randint(0, (D - day).days))
        parent = p.mother or p.father
        if parent is not None and p.addr != parent.addr:  # registered at their own address as adults
            day = min(D, max(day, add_years(p.birth, 18) + dt.timedelta(days=rng.randint(0, 2000))))
        old = None
        if p.corr is not None and not p.deferred:
            kind, arg = p.corr
            if kind == "death" and p.death is not None and day < p.death:
                old = dict(rec)
                del old["death_date"]
                old["recorded_at"] = self._ts(day)
                day = min(D, p.death + dt.timedelta(days=rng.randint(1, 15)))
            elif kind == "move" and day < D:
                old = dict(rec)
                old["address_id"] = arg
                old["recorded_at"] = self._ts(day)
                day = day + dt.timedelta(days=rng.randint(1, (D - day).days))
        if p.death is not None and old is None:
            day = max(day, min(D, p.death + dt.timedelta(days=rng.randint(1, 15))))
        rec["recorded_at"] = self._ts(day)
        return rec, old

    def _emit(self, u: Unit) -> Iterator[dict]:
        budget = self.people - self.stats.people
        out: list = self._pending
        n_pend = self._pending_people
        self._pending, self._pending_people = [], 0
        own = [p for p in u.people if not p.deferred]
        deferred = [p for p in u.people if p.deferred]
        trimmed = False
        if n_pend + len(u.people) >= budget:  # the last unit: no deferral, trim it to size
            own = own + deferred
            deferred = []
            for p in own:
                p.deferred = False
            if len(own) > budget - n_pend:
                own = own[:max(0, budget - n_pend)]
                trimmed = True
        keep = {p.iin for p in own}
        dset = {p.iin for p in deferred}
        persons: list[dict] = []
        for p in own:
            rec, old = self._person_records(p)
            if old is None:
                persons.append(rec)
            elif self.rng.random() < 0.35:  # the correction arrives before the older version
                u.early_persons.append(rec)
                persons.append(old)
            else:
                persons.append(old)
                u.late.append(rec)
        for p in deferred:  # a husband registered elsewhere: his record comes with the next unit
            self._pending.append(self._person_records(p)[0])
        self._pending_people = len(deferred)
        for part in (u.early, u.early_persons, persons, u.early_links, u.links, u.early_facts, u.facts, u.late):
            for r in part:
                k = r["kind"]
                if k == "fact":
                    if r["iin"] in dset:
                        self._pending.append(r)
                        continue
                    if trimmed and r["iin"] not in keep:
                        continue
                elif k == "link":
                    if trimmed and (r["from"] not in keep or r["to"] not in keep):
                        continue
                out.append(r)
        self.stats.people += n_pend + len(own)
        for r in out:
            self._count(r)
        if self.bad_rate > 0:
            bad = self._bad_lines(u, own, out)
            out.extend(bad)
            self.stats.bad_lines += len(bad)
        return iter(out)

    # ---- random units ----
    def _random_unit(self) -> Unit:
        rng = self.rng
        u = Unit()
        r = rng.random()
        kind = next((k for cum, k in UNIT_MIX if r < cum), "family")
        if kind == "single":
            self._unit_single(u)
        elif kind == "family":
            self._unit_family(u)
        elif kind == "elderly":
            self._unit_elderly(u)
        elif kind == "elderly_alone":
            self._unit_elderly(u, alone=True)
        elif kind == "kandas":
            self._unit_kandas(u)
        else:
            self._unit_orphans(u)
        self._attributes(u)
        self._household_benefits(u)
        self._noise(u)
        return u

    # ---- noise: corrections and early links ----
    def _noise(self, u: Unit) -> None:
        rng = self.rng
        for p in u.people:
            if p.fixed or p.deferred:
                continue
            if p.death is not None and rng.random() < 0.3:
                p.corr = ("death", None)
            elif p.death is None and p.addr is not None and rng.random() < 0.012:
                p.corr = ("move", self._addr(p.region))
        if u.links and rng.random() < 0.04:
            i = rng.randrange(len(u.links))
            u.early.append(u.links.pop(i))
