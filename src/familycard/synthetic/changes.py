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

The day is one class joined from its parts: ``sample`` (what is read of the store, and the
candidate pools), ``day_records`` (the day's state and the records it writes), ``events`` (one
method a kind of change); this module holds the entry points and the stream.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import TextIO

from familycard.graph.store import Store
from familycard.synthetic.day_records import Later
from familycard.synthetic.events import Events
from familycard.synthetic.sample import Kin

__all__ = ["changes_for_day", "write_changes", "CHANGE_WEIGHTS"]

# How often each kind of event is drawn (an event writes 1-4 records; income writes 2). Births, deaths,
# marriages and divorces keep the country's proportions, 18 : 7 : 6 : 2.3 a year per 1 000 people
# (stat.gov.kz, Bureau of National Statistics, demographic statistics 2023-2024; approximate; the births
# and deaths are synthetic.parameters.CALIBRATION's). The other kinds are weighted for the rules they
# exercise (a day is a test of the incremental sweep, so each rule's facts change every day), not for
# their national frequency: kandas statuses, awards and guardianships are rarer in the country.
CHANGE_WEIGHTS: dict[str, float] = {
    "income": 16.0, "birth": 4.0, "death": 1.6, "move": 3.5, "disability": 6.0, "unemployed": 5.0,
    "student": 4.0, "pension": 3.0, "benefit": 6.0, "kandas": 3.0, "award": 1.5, "marriage": 1.3,
    "divorce": 0.5, "guardianship": 2.0, "noop": 2.0,
}

_MAX_MISSES = 25       # consecutive failed draws of one kind before it is given up


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


# --- the day ---------------------------------------------------------------------------------

class _DayOfChanges(Events):
    def __init__(self, store: Store, day: dt.date, count: int, seed: int):
        self.store, self.day, self.count = store, day, count
        self.rng = random.Random(f"familycard.changes:{seed}:{day.isoformat()}")
        self.t0 = dt.datetime.combine(day, dt.time(20, 0))
        self.t_end = dt.datetime.combine(day, dt.time(23, 59, 59))
        y, m = divmod(day.year * 12 + day.month - 2, 12)
        self.month = (y, m + 1)  # the month before day's month: the one income is reported for
        self.records: list[dict | Later] = []
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
        self._parents_cache: dict[str, list[Kin]] = {}

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
        rows = self._full(sorted({i for r in self.records if isinstance(r, Later) for i in r.need}))
        out = []
        for r in self.records:
            if isinstance(r, Later):
                if r.done is None:
                    r.done = r.make(rows) or {}
                r = r.done
            if r:
                out.append(dict(r))
        return out
