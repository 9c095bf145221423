"""A unit under construction (one family, possibly over a few addresses) and the ``Builder``: the
generator's draws that add persons, links and facts to it. The kinds of unit, the facts of
their lives, the boundary scenarios and the bad lines are ``Builder``s of their own (households.py,
facts.py, scenarios.py, bad_lines.py), joined in population.py.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from familycard.schema.iin import make_iin
from familycard.synthetic.names import (
    BANK_CODES,
    FEMALE_NAMES,
    MALE_NAMES,
    PHONE_PREFIXES,
    REGION_CODES,
    REGION_CUM,
    SURNAMES,
    WAGE,
    iban_check,
)
from familycard.synthetic.parameters import BASE_DAY, BENEFIT_SOURCE, CONTRIBUTION_RATE, MW, SOURCE

if TYPE_CHECKING:
    from familycard.synthetic.population import GenerateStats


class Member:
    """A person of a unit as drawn; the person record is written from it when the unit is emitted."""
    __slots__ = ("iin", "surname", "given", "patr", "birth", "sex", "death", "addr", "region",
                 "phone", "iban", "cit", "mother", "father", "kids", "fixed", "deferred", "corr",
                 "jobs", "pension_kzt", "informal_kzt", "rec_day", "student", "disabled", "employed_now")

    def __init__(self) -> None:
        self.death = self.mother = self.father = self.corr = self.rec_day = None
        self.phone = self.iban = None
        self.cit = "KZ"
        self.kids: list[Member] = []
        self.jobs: list[tuple[dt.date, dt.date | None, int]] = []
        self.fixed = self.deferred = self.student = self.disabled = self.employed_now = False
        self.pension_kzt = self.informal_kzt = 0


class Unit:
    """One family's persons, links and facts, kept apart by where in the feed they go."""
    __slots__ = ("people", "links", "facts", "early", "early_persons", "early_links",
                 "early_facts", "late", "scenario", "early_link_ids")

    def __init__(self, scenario: str | None = None) -> None:
        self.people: list[Member] = []
        self.links: list[dict] = []
        self.facts: list[dict] = []
        self.early: list[dict] = []          # links moved before the unit's persons
        self.early_persons: list[dict] = []  # corrections placed before the older version
        self.early_links: list[dict] = []
        self.early_facts: list[dict] = []
        self.late: list[dict] = []           # corrections after everything else
        self.scenario = scenario
        self.early_link_ids: set[int] = set()


class Builder:
    """The generator's draws into a unit; its state is set by ``population._Generator``."""
    people: int                  # persons asked for
    stats: GenerateStats
    D: dt.date                   # as_of
    rng: random.Random
    bad_rate: float
    bad_rng: random.Random       # the bad lines' own
    line: Decimal                # the poverty line on as_of (targeted assistance)
    months: list[tuple[str, dt.date, dt.date]]
    employers: list[str]
    _serials: dict[int, int]
    _addr_no: dict[str, int]

    # ---- small helpers ----
    def _iin(self, born: dt.date, sex: str) -> str:
        key = born.toordinal() * 2 + (sex == "F")
        s = self._serials.get(key)
        if s is None:
            s = 1 + (born.toordinal() * 37) % 900
        while True:
            if s > 9999:
                raise RuntimeError(f"IIN serials exhausted for {born} {sex}")
            v = make_iin(born, sex, s)
            s += 1
            if v is not None:
                self._serials[key] = s
                return v

    def _region(self) -> str:
        return self.rng.choices(REGION_CODES, cum_weights=REGION_CUM)[0]

    def _addr(self, region: str) -> str:
        n = self._addr_no[region] + self.rng.randint(1, 3)
        self._addr_no[region] = n
        return f"KZ-{region}-{n:07d}"

    def _phone(self) -> str:
        return f"+7{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def _iban(self) -> str:
        bban = self.rng.choice(BANK_CODES) + f"{self.rng.randrange(10 ** 13):013d}"
        return f"KZ{iban_check(bban):02d}{bban}"

    def _ts(self, day: dt.date) -> str:
        """A recorded_at on ``day`` (never after as_of), 07:00-19:00 Astana time."""
        if day > self.D:
            day = self.D
        s = self.rng.randrange(7200, 50400)
        h, rem = divmod(s, 3600)
        m, sec = divmod(rem, 60)
        if self.rng.random() < 0.1:
            return f"{day.isoformat()}T{h + 5:02d}:{m:02d}:{sec:02d}+05:00"
        return f"{day.isoformat()}T{h:02d}:{m:02d}:{sec:02d}Z"

    def _rday(self, event: dt.date, lo: int = 0, hi: int = 20) -> dt.date:
        """The day a registry recorded an event."""
        if event < BASE_DAY:
            d = BASE_DAY + dt.timedelta(days=self.rng.randint(0, 1500))
        else:
            d = event + dt.timedelta(days=self.rng.randint(lo, hi))
        return min(d, self.D)

    def _days(self, years: float) -> dt.timedelta:
        return dt.timedelta(days=int(years * 365.25))

    # ---- persons ----
    def _person(self, u: Unit, born: dt.date, sex: str, addr: str | None, region: str, *,
                root: str | None = None, father_name: str | None = None, kazakh_style: bool | None = None,
                fixed: bool = False) -> Member:
        rng = self.rng
        p = Member()
        p.birth, p.sex, p.addr, p.region, p.fixed = born, sex, addr, region, fixed
        p.iin = self._iin(born, sex)
        root = root or rng.choice(SURNAMES)
        p.surname = root if sex == "M" else root + "а"
        p.given = rng.choice(MALE_NAMES if sex == "M" else FEMALE_NAMES)
        fn = father_name or rng.choice(MALE_NAMES)
        if kazakh_style is None:
            kazakh_style = rng.random() < (0.35 if born.year < 1975 else 0.6)
        if rng.random() < 0.03:
            p.patr = None
        elif kazakh_style:
            p.patr = fn + ("ұлы" if sex == "M" else "қызы")
        else:
            p.patr = fn + ("ович" if sex == "M" else "овна")
        u.people.append(p)
        return p

    def _child(self, u: Unit, mother: Member | None, father: Member | None, born: dt.date, sex: str,
               addr: str | None, region: str, fixed: bool = False) -> Member:
        if father is not None:
            root = father.surname
        else:
            root = mother.surname[:-1] if mother.surname.endswith("а") else mother.surname
        style = None
        if father is not None and father.patr:
            style = father.patr.endswith(("ұлы", "қызы"))
        c = self._person(u, born, sex, addr, region, root=root,
                         father_name=father.given if father else None, kazakh_style=style, fixed=fixed)
        for par in (mother, father):
            if par is not None:
                self._parent_of(u, par, c)
        c.mother, c.father = mother, father
        return c

    def _parent_of(self, u: Unit, par: Member, c: Member) -> None:
        par.kids.append(c)
        u.links.append({"kind": "link", "source": "ZAGS", "recorded_at": self._ts(self._rday(c.birth, 1, 25)),
                        "type": "PARENT_OF", "from": par.iin, "to": c.iin})

    def _spouse(self, u: Unit, a: Member, b: Member, since: dt.date, until: dt.date | None = None,
                correction: bool = False) -> None:
        rec = {"kind": "link", "source": "ZAGS", "recorded_at": "", "type": "SPOUSE_OF",
               "from": a.iin, "to": b.iin, "since": since.isoformat()}
        if until is None:
            rec["recorded_at"] = self._ts(self._rday(since))
            u.links.append(rec)
            return
        rec["until"] = until.isoformat()
        rec["recorded_at"] = self._ts(self._rday(until))
        if correction and since >= BASE_DAY:
            old_day = self._rday(since, 0, 10)
            new_day = self._rday(until, 1, 20)
            if old_day < new_day:
                old = dict(rec)
                del old["until"]
                old["recorded_at"] = self._ts(old_day)
                rec["recorded_at"] = self._ts(new_day)
                self._pair(u, "link", old, rec)
                return
        u.links.append(rec)

    def _pair(self, u: Unit, section: str, old: dict, new: dict) -> None:
        """A record and its later correction; one in three corrections arrives first."""
        normal = {"person": None, "link": u.links, "fact": u.facts}[section]
        early = {"person": u.early_persons, "link": u.early_links, "fact": u.early_facts}[section]
        if self.rng.random() < 0.35:
            early.append(new)
            if normal is not None:
                normal.append(old)
        else:
            if normal is not None:
                normal.append(old)
            u.late.append(new)

    def _fact(self, u: Unit, p: Member, ftype: str, vf: dt.date, vt: dt.date | None = None,
              rec_day: dt.date | None = None, **fields) -> dict:
        rec = {"kind": "fact", "source": SOURCE[ftype], "recorded_at": self._ts(rec_day or self._rday(vf)),
               "iin": p.iin, "type": ftype, "valid_from": vf.isoformat()}
        if vt is not None:
            rec["valid_to"] = vt.isoformat()
        rec.update(fields)
        u.facts.append(rec)
        return rec

    def _benefit(self, u: Unit, p: Member, code: str, vf: dt.date, vt: dt.date | None = None) -> None:
        if vf > self.D:
            return
        rec = {"kind": "fact", "source": BENEFIT_SOURCE.get(code, "MIO"),
               "recorded_at": self._ts(self._rday(vf, 0, 5)), "iin": p.iin, "type": "benefit",
               "valid_from": vf.isoformat()}
        if vt is not None:
            rec["valid_to"] = vt.isoformat()
        rec["benefit"] = code
        u.facts.append(rec)

    def _month_facts(self, u: Unit, p: Member, label: str, first: dt.date, last: dt.date, income: int,
                     contribution: bool = True) -> None:
        D = self.D
        iin = p.iin
        day = last + dt.timedelta(days=self.rng.randint(5, 25))
        u.facts.append({"kind": "fact", "source": "KGD", "recorded_at": self._ts(min(day, D)), "iin": iin,
                        "type": "income", "valid_from": first.isoformat(), "valid_to": last.isoformat(),
                        "month": label, "amount_kzt": income})
        if contribution:
            base = min(income, 7 * MW)
            amount = int((Decimal(base) * CONTRIBUTION_RATE).quantize(Decimal(1)))
            day = last + dt.timedelta(days=self.rng.randint(1, 20))
            u.facts.append({"kind": "fact", "source": "GFSS", "recorded_at": self._ts(min(day, D)), "iin": iin,
                            "type": "contribution", "valid_from": first.isoformat(), "valid_to": last.isoformat(),
                            "month": label, "amount_kzt": amount})

    def _salary(self, region: str) -> int:
        rng = self.rng
        s = WAGE.get(region, 0.9) * math.exp(rng.gauss(math.log(240_000), 0.45))
        if rng.random() < 0.08:
            s *= 0.45  # part time
        return max(40_000, int(s / 100) * 100)
