"""How a day's change becomes feed records: recorded at the event's time and always after the
stored version it replaces; a person, link or fact record carrying the whole stored record with
only the change applied; fresh IINs, addresses and fact keys that nothing stored or written
today has; at most one person record a person a day.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from familycard.schema.iin import make_iin
from familycard.schema.records import fact_key
from familycard.synthetic.names import REGION_CODES
from familycard.synthetic.parameters import SOURCE
from familycard.synthetic.sample import BIRTH_DAYS, Sample, Who

T = TypeVar("T")

_ADDR_RE = re.compile(r"^KZ-([A-Z]{3})-\d+$")
_PERSON_FIELDS = ("iin", "surname", "given_name", "patronymic", "birth_date", "sex", "death_date",
                  "address_id", "phone", "bank_account", "citizenship")


class Later:
    """A person record built at the end of the day, from one bulk read of the stored records
    (``need``: the IINs whose stored records ``make`` uses)."""
    __slots__ = ("need", "make", "done")

    def __init__(self, need: tuple[str, ...], make: Callable[[dict[str, dict]], dict | None]):
        self.need, self.make, self.done = need, make, None


def finish(rec: dict, stored: dict, changes: dict) -> dict:
    """The stored record's unknown fields kept, then the day's changes (None removes a field)."""
    if stored.get("extra"):
        for k, v in json.loads(stored["extra"]).items():
            rec.setdefault(k, v)
    for k, v in changes.items():
        if v is None:
            rec.pop(k, None)
        else:
            rec[k] = iso(v)
    return rec


def iso(v):
    return v.isoformat() if isinstance(v, dt.date) else v


class DayRecords(Sample):
    """The day's state (who changed, which keys are written) and the records it writes."""

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
                rec[name] = iso(v)
        return finish(rec, row, changes)

    def _link_record(self, link: dict, ts: str, **changes) -> dict:
        source = link.get("source") or ("MIO" if link["type"] == "GUARDIAN_OF" else "ZAGS")
        rec: dict = {"kind": "link", "source": source, "recorded_at": ts, "type": link["type"],
                     "from": link["from"], "to": link["to"]}
        for c in ("since", "until"):
            if link.get(c) is not None:
                rec[c] = iso(link[c])
        return finish(rec, link, changes)

    def _fact_record(self, f: dict, ts: str, **changes) -> dict:
        t = f["type"]
        rec: dict = {"kind": "fact", "source": f.get("source") or SOURCE.get(t, "MIO"), "recorded_at": ts,
                     "iin": f["iin"], "type": t, "valid_from": iso(f["valid_from"])}
        if f.get("valid_to") is not None:
            rec["valid_to"] = iso(f["valid_to"])
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
        return finish(rec, f, changes)

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
            raise ValueError(f"births are within {BIRTH_DAYS} days before {self.day}, not on {born}")
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

    def _update(self, iin: str, **changes) -> Later:
        """The person's stored record again, with ``changes``, recorded at this event's time (or
        just after the stored version); dropped in the rare case the day has no such time left."""
        self.updated.add(iin)
        event = self.event

        def make(rows: dict[str, dict]) -> dict | None:
            row = rows.get(iin)
            ts = self._ts(row["recorded_at"], event) if row else None
            return None if ts is None else self._person_record(row, ts, **changes)

        return Later((iin,), make)

    def _move(self, who: Who, addr: str) -> Later:
        who.addr = addr
        return self._update(who.iin, address_id=addr)
