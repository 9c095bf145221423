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
* every ~80th person (first cycle), then every ~250th, a **boundary scenario** unit from a fixed
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
"""
from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import TextIO

from familycard.dates import add_months, add_years, age, month_len
from familycard.schema.iin import check_digit, make_iin

__all__ = ["GenerateStats", "RawLine", "generate_feed", "write_feed", "SCENARIOS", "BAD_CLASSES",
           "pension_date"]

DAY = dt.timedelta(days=1)

# --- reference data -----------------------------------------------------------------------

# Regions: ISO-like code, name, population (thousands, 2024) -> address weighting.
REGIONS = (
    ("AST", "Astana", 1420), ("ALA", "Almaty", 2230), ("SHY", "Shymkent", 1230),
    ("ABA", "Abai", 610), ("AKM", "Akmola", 790), ("AKT", "Aktobe", 930),
    ("ALM", "Almaty region", 1530), ("ATY", "Atyrau", 700), ("ZAP", "West Kazakhstan", 690),
    ("ZHA", "Jambyl", 1220), ("ZHT", "Jetisu", 700), ("KAR", "Karaganda", 1140),
    ("KUS", "Kostanay", 830), ("KZY", "Kyzylorda", 830), ("MAN", "Mangystau", 790),
    ("PAV", "Pavlodar", 750), ("SEV", "North Kazakhstan", 530), ("YUZ", "Turkistan", 2130),
    ("ULY", "Ulytau", 220), ("VOS", "East Kazakhstan", 730),
)
_REGION_CODES = tuple(r[0] for r in REGIONS)
_REGION_CUM = tuple(math.fsum(r[2] for r in REGIONS[:i + 1]) for i in range(len(REGIONS)))
# Wages relative to the national median.
_WAGE = {"AST": 1.35, "ALA": 1.35, "ATY": 1.6, "MAN": 1.4, "ULY": 1.15, "AKT": 1.05, "KAR": 1.05,
         "PAV": 1.0, "SHY": 0.85, "YUZ": 0.75, "ZHA": 0.8, "ZHT": 0.8, "KZY": 0.85}
_KANDAS_REGIONS = ("YUZ", "ALM", "MAN", "AKM", "ABA", "KAR", "PAV", "SEV", "KUS", "ZHT")
_KANDAS_FROM = ("CN", "MN", "UZ", "TM", "RU", "KG")

# Male surname forms; the female form adds "а" (-ов/-ова, -ев/-ева, -ин/-ина).
SURNAMES = (
    "Ахметов", "Омаров", "Сулейменов", "Нұрланов", "Искаков", "Жумабаев", "Тулегенов", "Касымов",
    "Бекмуханбетов", "Кенжебаев", "Абенов", "Байжанов", "Мухамеджанов", "Ержанов", "Есенов",
    "Садыков", "Турсынов", "Смагулов", "Калиев", "Жаксылыков", "Ибраев", "Маратов", "Серикбаев",
    "Амангельдиев", "Оспанов", "Мусин", "Рахимов", "Байтурсынов", "Жунусов", "Кудайбергенов",
    "Утегенов", "Абдрахманов", "Бейсенов", "Жакупов", "Сарсенбаев", "Нургалиев", "Каримов",
    "Альжанов", "Тасмагамбетов", "Ермеков", "Дюсенов", "Шайхин", "Исин", "Әбдіров",
)
MALE_NAMES = (
    "Нұрлан", "Ерлан", "Асқар", "Серік", "Бауыржан", "Ержан", "Дәурен", "Марат", "Қанат", "Айдос",
    "Әлібек", "Нұрсұлтан", "Дастан", "Ерболат", "Бақытжан", "Жандос", "Арман", "Темірлан",
    "Алихан", "Әлинұр", "Ислам", "Нұрасыл", "Санжар", "Мирас", "Рустем", "Талғат", "Мұрат",
    "Ғалым", "Жомарт", "Ербол", "Азамат", "Ильяс", "Тимур", "Данияр", "Әділет", "Бекзат", "Олжас",
    "Еркебұлан", "Мақсат", "Аян", "Амир", "Медет", "Ринат", "Бекжан",
)
FEMALE_NAMES = (
    "Айгүл", "Гүлнар", "Динара", "Жанар", "Сәуле", "Айжан", "Мәдина", "Әйгерім", "Ақмарал",
    "Назерке", "Аружан", "Жансая", "Дана", "Томирис", "Айша", "Гүлмира", "Раушан", "Баян",
    "Жұлдыз", "Ләззат", "Салтанат", "Камила", "Дариға", "Меруерт", "Әсел", "Ботагөз", "Шолпан",
    "Айнұр", "Ақбота", "Жібек", "Іңкәр", "Әсем", "Анель", "Алина", "Самал", "Зарина", "Гүлжан",
    "Күләш", "Нұргүл", "Мөлдір", "Балжан",
)
_PHONE_PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
_BANK_CODES = ("601", "722", "965", "998", "826", "914", "948", "886", "551", "832")

SOURCE = {"disability": "CBDI", "employment": "ESP", "contribution": "GFSS", "income": "KGD",
          "unemployed": "ESP", "award": "MIO", "kandas": "MIO", "student": "NOBD", "pension": "ENPF"}
# `benefit` facts may come from any registry: the insurance fund pays its own, akimats the rest.
_BENEFIT_SOURCE = {"job_loss": "GFSS", "work_capacity_loss": "GFSS", "childcare_1_5": "GFSS"}

# Dated parameters of benefits.md (copied here only to place the poverty-line households).
_PM = ((dt.date(2024, 1, 1), 43407), (dt.date(2025, 1, 1), 46228), (dt.date(2026, 1, 1), 50851))
MW = 85000
CONTRIBUTION_RATE = Decimal("0.05")  # social contributions: 5 % of income, base capped at 7 MW
_BASE_DAY = dt.date(2008, 1, 1)  # registries digitised: older events are recorded from then on

_FIRST_CYCLE_STEP = 80   # persons between scenario units until the rotation has run once
_STEP = 250              # ... and afterwards
_MAX_CYCLES = 2000       # boundary dates are fixed: cap their use of one date's IIN serials


# --- dates ----------------------------------------------------------------------------------

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


def _latest(f: Callable[[dt.date], dt.date], target: dt.date, guess: dt.date) -> dt.date:
    """The latest birth date b with f(b) <= target (f non-decreasing)."""
    b = guess
    while f(b) > target:
        b -= DAY
    while f(b + DAY) <= target:
        b += DAY
    return b


def youngest_aged(on: dt.date, years: int) -> dt.date:
    """The latest birth date of someone aged at least ``years`` on ``on`` (turned it today, or so)."""
    return _latest(lambda b: add_years(b, years), on, add_years(on, -years))


def _iban_check(bban: str) -> int:
    """ISO 13616 check digits of a Kazakh IBAN (K=20, Z=35; digits-only BBAN)."""
    return 98 - int(bban + "203500") % 97


def _pm_on(d: dt.date) -> int:
    v = _PM[0][1]
    for since, pm in _PM:
        if since <= d:
            v = pm
    return v


def _ym(d: dt.date, k: int = 0) -> tuple[int, int]:
    y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
    return y, m + 1


# --- public API -----------------------------------------------------------------------------

class RawLine(str):
    """A deliberately non-JSON bad line, yielded by ``generate_feed`` as is (written verbatim)."""


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


# --- the unit under construction -------------------------------------------------------------

class _P:
    __slots__ = ("iin", "surname", "given", "patr", "birth", "sex", "death", "addr", "region",
                 "phone", "iban", "cit", "mother", "father", "kids", "fixed", "deferred", "corr",
                 "jobs", "pension_kzt", "informal_kzt", "rec_day", "student", "disabled", "employed_now")

    def __init__(self) -> None:
        self.death = self.mother = self.father = self.corr = self.rec_day = None
        self.phone = self.iban = None
        self.cit = "KZ"
        self.kids: list[_P] = []
        self.jobs: list[tuple[dt.date, dt.date | None, int]] = []
        self.fixed = self.deferred = self.student = self.disabled = self.employed_now = False
        self.pension_kzt = self.informal_kzt = 0


class _Unit:
    __slots__ = ("people", "links", "facts", "early", "early_persons", "early_links",
                 "early_facts", "late", "scenario", "early_link_ids")

    def __init__(self, scenario: str | None = None) -> None:
        self.people: list[_P] = []
        self.links: list[dict] = []
        self.facts: list[dict] = []
        self.early: list[dict] = []          # links moved before the unit's persons
        self.early_persons: list[dict] = []  # corrections placed before the older version
        self.early_links: list[dict] = []
        self.early_facts: list[dict] = []
        self.late: list[dict] = []           # corrections after everything else
        self.scenario = scenario
        self.early_link_ids: set[int] = set()


# --- the generator ---------------------------------------------------------------------------

class _Generator:
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
        self._addr_no = {c: 0 for c in _REGION_CODES}
        self._pending: list[dict] = []  # a deferred person (and facts) for the next unit
        self._pending_people = 0
        self._sc_next = 30
        self._sc_index = 0
        D = as_of
        self.line = Decimal("0.70") * _pm_on(D)
        # the history months, oldest first: (label, first day, last day)
        self.months = []
        for k in range(self.history_months, 0, -1):
            y, m = _ym(D, -k)
            self.months.append((f"{y:04d}-{m:02d}", dt.date(y, m, 1), dt.date(y, m, month_len(y, m))))
        r = random.Random(seed ^ 0x5EED)
        self.employers = [self._make_bin(r) for _ in range(3000)]

    # ---- small helpers ----
    @staticmethod
    def _make_bin(r: random.Random) -> str:
        while True:
            first11 = f"{r.randint(0, 25):02d}{r.randint(1, 12):02d}4{r.choice('0001')}{r.randrange(100000):05d}"
            d = check_digit(first11)
            if d is not None:
                return first11 + str(d)

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
        return self.rng.choices(_REGION_CODES, cum_weights=_REGION_CUM)[0]

    def _addr(self, region: str) -> str:
        n = self._addr_no[region] + self.rng.randint(1, 3)
        self._addr_no[region] = n
        return f"KZ-{region}-{n:07d}"

    def _phone(self) -> str:
        return f"+7{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def _iban(self) -> str:
        bban = self.rng.choice(_BANK_CODES) + f"{self.rng.randrange(10 ** 13):013d}"
        return f"KZ{_iban_check(bban):02d}{bban}"

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
        if event < _BASE_DAY:
            d = _BASE_DAY + dt.timedelta(days=self.rng.randint(0, 1500))
        else:
            d = event + dt.timedelta(days=self.rng.randint(lo, hi))
        return min(d, self.D)

    def _days(self, years: float) -> dt.timedelta:
        return dt.timedelta(days=int(years * 365.25))

    # ---- persons ----
    def _person(self, u: _Unit, born: dt.date, sex: str, addr: str | None, region: str, *,
                root: str | None = None, father_name: str | None = None, kazakh_style: bool | None = None,
                fixed: bool = False) -> _P:
        rng = self.rng
        p = _P()
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

    def _child(self, u: _Unit, mother: _P | None, father: _P | None, born: dt.date, sex: str,
               addr: str | None, region: str, fixed: bool = False) -> _P:
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

    def _parent_of(self, u: _Unit, par: _P, c: _P) -> None:
        par.kids.append(c)
        u.links.append({"kind": "link", "source": "ZAGS", "recorded_at": self._ts(self._rday(c.birth, 1, 25)),
                        "type": "PARENT_OF", "from": par.iin, "to": c.iin})

    def _spouse(self, u: _Unit, a: _P, b: _P, since: dt.date, until: dt.date | None = None,
                correction: bool = False) -> None:
        rec = {"kind": "link", "source": "ZAGS", "recorded_at": "", "type": "SPOUSE_OF",
               "from": a.iin, "to": b.iin, "since": since.isoformat()}
        if until is None:
            rec["recorded_at"] = self._ts(self._rday(since))
            u.links.append(rec)
            return
        rec["until"] = until.isoformat()
        rec["recorded_at"] = self._ts(self._rday(until))
        if correction and since >= _BASE_DAY:
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

    def _pair(self, u: _Unit, section: str, old: dict, new: dict) -> None:
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

    def _fact(self, u: _Unit, p: _P, ftype: str, vf: dt.date, vt: dt.date | None = None,
              rec_day: dt.date | None = None, **fields) -> dict:
        rec = {"kind": "fact", "source": SOURCE[ftype], "recorded_at": self._ts(rec_day or self._rday(vf)),
               "iin": p.iin, "type": ftype, "valid_from": vf.isoformat()}
        if vt is not None:
            rec["valid_to"] = vt.isoformat()
        rec.update(fields)
        u.facts.append(rec)
        return rec

    def _benefit(self, u: _Unit, p: _P, code: str, vf: dt.date, vt: dt.date | None = None) -> None:
        if vf > self.D:
            return
        rec = {"kind": "fact", "source": _BENEFIT_SOURCE.get(code, "MIO"),
               "recorded_at": self._ts(self._rday(vf, 0, 5)), "iin": p.iin, "type": "benefit",
               "valid_from": vf.isoformat()}
        if vt is not None:
            rec["valid_to"] = vt.isoformat()
        rec["benefit"] = code
        u.facts.append(rec)

    def _month_facts(self, u: _Unit, p: _P, label: str, first: dt.date, last: dt.date, income: int,
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
        s = _WAGE.get(region, 0.9) * math.exp(rng.gauss(math.log(240_000), 0.45))
        if rng.random() < 0.08:
            s *= 0.45  # part time
        return max(40_000, int(s / 100) * 100)

    # ---- the stream ----
    def records(self) -> Iterator[dict]:
        last_progress = 0
        while self.stats.people < self.people:
            if self._sc_index < _MAX_CYCLES * len(SCENARIOS) and self.stats.people >= self._sc_next:
                name = SCENARIOS[self._sc_index % len(SCENARIOS)]
                u = _Unit(name)
                getattr(self, "_sc_" + name)(u)
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

    def _person_records(self, p: _P) -> tuple[dict, dict | None]:
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

    def _emit(self, u: _Unit) -> Iterator[dict]:
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
    def _random_unit(self) -> _Unit:
        rng = self.rng
        u = _Unit()
        r = rng.random()
        if r < 0.06:
            self._unit_single(u)
        elif r < 0.58:
            self._unit_family(u)
        elif r < 0.84:
            self._unit_elderly(u)
        elif r < 0.965:
            self._unit_elderly(u, alone=True)
        elif r < 0.99:
            self._unit_kandas(u)
        else:
            self._unit_orphans(u)
        self._attributes(u)
        self._household_benefits(u)
        self._noise(u)
        return u

    def _birth_for_age(self, lo: float, hi: float) -> dt.date:
        return self.D - dt.timedelta(days=self.rng.randint(int(lo * 365.25), int(hi * 365.25)))

    def _unit_single(self, u: _Unit) -> None:
        region = self._region()
        sex = "M" if self.rng.random() < 0.55 else "F"
        self._person(u, self._birth_for_age(18, 36), sex, self._addr(region), region)

    def _unit_family(self, u: _Unit) -> None:
        region = self._region()
        mb = self._birth_for_age(19.5, 60)
        anchor = self._person(u, mb, "F", self._addr(region), region)
        self._family(u, anchor, 0)

    def _unit_elderly(self, u: _Unit, alone: bool = False) -> None:
        """An old couple (or widow) with their grown children's families; or without them in the feed."""
        region = self._region()
        mb = self.D - self._days(self.rng.triangular(60, 94, 62))
        anchor = self._person(u, mb, "F", self._addr(region), region)
        self._family(u, anchor, 0, elderly=True, n=0 if alone else None)

    def _n_children(self, elderly: bool) -> int:
        r = self.rng.random()
        table = ((0.05, 0), (0.27, 1), (0.57, 2), (0.79, 3), (0.89, 4), (0.935, 5), (0.96, 6),
                 (0.977, 7), (0.988, 8), (0.995, 9), (1.0, 10)) if not elderly else \
            ((0.03, 0), (0.12, 1), (0.30, 2), (0.52, 3), (0.70, 4), (0.81, 5), (0.88, 6),
             (0.93, 7), (0.96, 8), (0.985, 9), (1.0, 10))
        for cum, n in table:
            if r < cum:
                return n
        return 2

    def _schedule(self, mb: dt.date, fb: dt.date | None, n: int) -> list[dt.date]:
        rng, D = self.rng, self.D
        if n == 0:
            return []
        if n >= 6:
            first, gap = rng.gauss(21.5, 1.8), (548, 913)
        elif n >= 4:
            first, gap = rng.gauss(23, 2.5), (548, 1278)
        else:
            first, gap = rng.gauss(24.5, 3.5), (548, 1826)
        t = mb + self._days(min(37.0, max(18.3, first)))
        lo = add_years(mb, 18) + DAY
        hi = min(add_years(mb, 44), D - DAY)
        if fb is not None:
            lo = max(lo, add_years(fb, 18) + DAY)
            hi = min(hi, add_years(fb, 45) - DAY)
        t = max(t, lo)
        out: list[dt.date] = []
        while len(out) < n and t <= hi:
            out.append(t)
            if len(out) < n and rng.random() < 0.015:
                out.append(t)  # twins
            t += dt.timedelta(days=rng.randint(*gap))
        return out

    def _family(self, u: _Unit, anchor: _P, depth: int, elderly: bool = False, n: int | None = None) -> None:
        """Give ``anchor`` a spouse (or an ex, or none) and children; grown children may leave."""
        rng, D = self.rng, self.D
        region, addr = anchor.region, anchor.addr
        a = age(anchor.birth, D)
        if n is None:
            n = self._n_children(elderly)
        if a < 26 and rng.random() < 0.35:
            n = 0 if rng.random() < 0.5 else n
        if anchor.sex == "F":
            mb, fb = anchor.birth, anchor.birth - self._days(rng.gauss(3.0, 2.8))
        else:
            fb, mb = anchor.birth, anchor.birth + self._days(rng.gauss(3.0, 2.8))
            mb = min(mb, add_years(D, -19))
        fb = min(fb, add_years(D, -19))
        kids = self._schedule(mb, fb, n)
        if kids:
            lo, hi = add_years(kids[-1], -45) + DAY, add_years(kids[0], -18) - DAY
            if anchor.sex == "F":
                fb = min(max(fb, lo), hi)
            else:
                mb = min(max(mb, lo), hi)
        # the partner
        r = rng.random()
        status = "married"
        if depth == 0 and not elderly:
            if kids and r < 0.07:
                status = "divorced"
            elif kids and r < 0.12:
                status = "single"
            elif kids and r < 0.135:
                status = "widowed"
            elif not kids and a > 40 and r < 0.5:
                status = "single"
        elif depth > 0 and r < 0.06 and kids:
            status = "divorced"
        marriage_lo = max(add_years(mb, 18), add_years(fb, 18))
        if kids:
            since = kids[0] - dt.timedelta(days=rng.randint(120, 1100))
        else:
            since = marriage_lo + dt.timedelta(days=rng.randint(0, max(0, min(3000, (D - DAY - marriage_lo).days))))
        since = min(max(since, marriage_lo), D - DAY)
        partner = None
        if anchor.sex == "F":
            mother = anchor
            father = None
            if status != "single":
                if status in ("married", "widowed"):
                    paddr, pregion = addr, region
                else:
                    pregion = region if rng.random() < 0.8 else self._region()
                    paddr = self._addr(pregion)
                father = self._person(u, fb, "M", paddr, pregion)
                partner = father
                if status == "married" and rng.random() < 0.72:
                    mother.surname = father.surname + "а"
        else:
            father = anchor
            mother = self._person(u, mb, "F", addr, region)
            partner = mother
            if rng.random() < 0.72:
                mother.surname = father.surname + "а"
        # children
        kid_objs: list[_P] = []
        for born in kids:
            sex = "M" if rng.random() < 0.512 else "F"
            c = self._child(u, mother, father, born, sex, addr, region)
            kid_objs.append(c)
        if partner is not None:
            until = None
            if status == "divorced":
                lo_u = (kids[-1] if kids else since) + dt.timedelta(days=200)
                if lo_u < D - DAY:
                    until = lo_u + dt.timedelta(days=rng.randint(0, max(0, (D - DAY - lo_u).days)))
                    until = min(until, D - DAY)
                else:
                    status = "married"
                    partner.addr = addr
            self._spouse(u, mother, father, since, until, correction=rng.random() < 0.3)
            if status == "widowed":
                lo_d = max(kids[-1] if kids else since, add_years(partner.birth, 20))
                if lo_d < D - DAY:
                    partner.death = lo_d + dt.timedelta(days=rng.randint(0, (D - DAY - lo_d).days))
        # elderly: deaths of the old couple
        for p in (mother, father):
            if p is None or p.death is not None:
                continue
            pa = age(p.birth, D)
            if pa >= 50:
                q = 0.02 if pa < 60 else 0.08 if pa < 70 else 0.2 if pa < 80 else 0.45 if pa < 90 else 0.75
                if p.sex == "M":
                    q = min(0.9, q * 1.5)
                if rng.random() < q:
                    lo_d = max(add_years(p.birth, 50), kids[-1] if kids else p.birth, D - self._days(20))
                    years = rng.expovariate(1 / 5.5)
                    death = D - DAY - self._days(years)
                    if death >= lo_d:
                        p.death = death
            elif pa >= 22 and depth == 0 and rng.random() < 0.004 and kids:
                lo_d = max(kids[-1], D - self._days(3))
                if lo_d < D - DAY:
                    p.death = lo_d + dt.timedelta(days=rng.randint(0, (D - DAY - lo_d).days))
        # the youngest son (kenzhe) often stays with his parents, with his own family
        sons = [c for c in kid_objs if c.sex == "M" and age(c.birth, D) >= 23]
        kenzhe = sons[-1] if sons and depth == 0 and rng.random() < 0.45 else None
        for c in kid_objs:
            ca = age(c.birth, D)
            if ca < 18:
                continue
            if c is kenzhe:
                self._family(u, c, depth + 1)
                continue
            # grown children leave when they marry; a few live alone
            marry = depth == 0 and ca >= 21 and rng.random() < min(0.9, (ca - 19) / 9)
            if not marry and rng.random() < (0.82 if ca < 30 else 0.6):
                continue
            c.region = region if rng.random() < 0.75 else self._region()
            c.addr = self._addr(c.region)
            if marry:
                self._family(u, c, depth + 1)
        # awards for mothers of many children
        self._awards(u, mother)
        # a husband registered in another region: his person record comes with the next unit
        if (status == "married" and father is not None and not father.fixed and father.death is None
                and self.people - self.stats.people > 400 and rng.random() < 0.004):
            father.deferred = True
            father.region = self._region()
            father.addr = self._addr(father.region)

    def _awards(self, u: _Unit, mother: _P | None) -> None:
        if mother is None or len(mother.kids) < 6:
            return
        rng, D = self.rng, self.D
        kids = sorted(c.birth for c in mother.kids)
        n = len(kids)
        if kids[6 - 1] < dt.date(1991, 1, 1) and n >= 7:
            name = "maternal_glory_1" if n >= 9 else "maternal_glory_2"
            day = add_years(kids[min(n, 9) - 1], 1) + dt.timedelta(days=rng.randint(30, 400))
            if day < dt.date(1992, 1, 1) and rng.random() < 0.8:
                self._fact(u, mother, "award", day, name=name)
            return
        if n >= 10 and rng.random() < 0.5:
            name, k = "mother_heroine", 10
        elif n >= 7:
            name, k = "altyn_alqa", 7
        else:
            name, k = "kumis_alqa", 6
        day = max(add_years(kids[k - 1], 1), dt.date(1996, 1, 1)) + dt.timedelta(days=rng.randint(30, 600))
        if day <= D and (mother.death is None or day < mother.death) and rng.random() < 0.88:
            self._fact(u, mother, "award", day, name=name)
            if mother.death is None and rng.random() < 0.75:
                self._benefit(u, mother, "alqa_mother", day + dt.timedelta(days=rng.randint(10, 60)))

    def _unit_kandas(self, u: _Unit) -> None:
        rng, D = self.rng, self.D
        region = rng.choice(_KANDAS_REGIONS)
        mb = self._birth_for_age(22, 55)
        anchor = self._person(u, mb, "F", self._addr(region), region)
        self._family(u, anchor, 1)  # depth 1: no grown children's families
        if rng.random() < 0.4:  # a grandmother came too
            gm_b = min(mb - self._days(rng.uniform(20, 35)), add_years(D, -60))
            gm_b = max(gm_b, add_years(mb, -45) + DAY)
            if gm_b <= add_years(mb, -18) - DAY:
                gm = self._person(u, gm_b, "F", anchor.addr, region)
                self._parent_of(u, gm, anchor)
                anchor.mother = gm
        arrival = D - dt.timedelta(days=rng.randint(0, 1600))
        country = rng.choice(_KANDAS_FROM)
        for p in u.people:
            if p.birth > arrival or p.death is not None and p.death <= arrival:
                continue
            vf = arrival + dt.timedelta(days=rng.randint(0, 40))
            if vf > D:
                vf = D
            vt = add_years(vf, 1) - DAY
            if vt < D and rng.random() < 0.35:  # extended once
                self._fact(u, p, "kandas", vf, vt)
                vf = vt + DAY
                vt = add_years(vf, 1) - DAY
            self._fact(u, p, "kandas", vf, vt)
            p.rec_day = min(D, arrival + dt.timedelta(days=rng.randint(0, 20)))
            if vt >= D:
                r = rng.random()
                p.cit = None if r < 0.5 else "KZ" if r < 0.7 else country
            else:
                p.cit = "KZ"

    def _unit_orphans(self, u: _Unit) -> None:
        """Children whose mother died (and father died or is unknown), in a grandmother's care."""
        rng, D = self.rng, self.D
        region = self._region()
        addr = self._addr(region)
        mb = self._birth_for_age(24, 42)
        gm = self._person(u, mb - self._days(rng.uniform(19, 30)), "F", addr, region)
        mother = self._person(u, mb, "F", addr, region)
        self._parent_of(u, gm, mother)
        mother.mother = gm
        kids = [k for k in self._schedule(mb, None, rng.randint(1, 3)) if k > D - self._days(16)]
        if not kids:
            span = min(15.0, age(mb, D) - 19.5)
            kids = [D - self._days(rng.uniform(0.5, span))]
        father = None
        if rng.random() < 0.5:
            fb = min(mb - self._days(rng.uniform(0, 6)), add_years(kids[0], -19))
            fb = max(fb, add_years(kids[-1], -44))
            father = self._person(u, fb, "M", addr, region)
            self._spouse(u, mother, father, max(add_years(mb, 18), add_years(fb, 18),
                                                kids[0] - dt.timedelta(days=400)))
        objs = [self._child(u, mother, father, k, rng.choice("MF"), addr, region) for k in kids]
        lo = max(kids[-1], D - self._days(6))
        mother.death = lo + dt.timedelta(days=rng.randint(0, max(0, (D - DAY - lo).days)))
        last = mother.death
        if father is not None:
            father.death = kids[-1] + dt.timedelta(days=rng.randint(0, max(0, (D - DAY - kids[-1]).days)))
            last = max(last, father.death)
        since = min(D, last + dt.timedelta(days=rng.randint(20, 120)))
        for c in objs:
            u.links.append({"kind": "link", "source": "MIO", "recorded_at": self._ts(self._rday(since, 0, 10)),
                            "type": "GUARDIAN_OF", "from": gm.iin, "to": c.iin, "since": since.isoformat()})

    # ---- attributes of persons ----
    def _attributes(self, u: _Unit) -> None:
        rng, D = self.rng, self.D
        small_child_mothers = {id(c.mother) for c in u.people
                               if c.mother is not None and c.birth > D - dt.timedelta(days=1100)}
        for p in u.people:
            if p.fixed:
                continue
            a = age(p.birth, D)
            dead = p.death is not None
            if dead:
                da = age(p.birth, p.death)
                pd = pension_date(p.birth, p.sex)
                if pd < p.death and rng.random() < 0.9:
                    self._fact(u, p, "pension", min(pd + dt.timedelta(days=rng.randint(0, 40)), p.death),
                               p.death)
                elif 20 <= da and p.death > D - dt.timedelta(days=400) and rng.random() < 0.6:
                    start = p.death - self._days(rng.uniform(0.5, 10))
                    p.jobs.append((start, p.death, self._salary(p.region)))
                    self._fact(u, p, "employment", start, p.death, employer_bin=rng.choice(self.employers))
                    self._history(u, p)
                if da >= 16 and rng.random() < 0.6:
                    p.iban = self._iban()
                if da >= 16 and rng.random() < 0.6:
                    p.phone = self._phone()
                continue
            pd = pension_date(p.birth, p.sex)
            # student
            if 17 <= a <= 23:
                q = (0.1, 0.45, 0.45, 0.45, 0.42, 0.3, 0.12)[a - 17]
                if rng.random() < q:
                    start = dt.date(p.birth.year + (17 if a == 17 else 18), 9, 1)
                    if start <= D:
                        end = dt.date(start.year + 4, 6, 30)
                        self._fact(u, p, "student", start, end)
                        p.student = end >= D
            # disability
            q = 0.012 if a < 18 else 0.02 if a < 40 else 0.045 if a < 60 else 0.08
            if rng.random() < q:
                self._disability(u, p, a)
            # work
            if 18 <= a and D < pd:
                q = 0.72 if p.sex == "M" else 0.56
                if p.student:
                    q = 0.15
                if id(p) in small_child_mothers:
                    q = 0.4
                if p.disabled:
                    q *= 0.4
                if rng.random() < q:
                    self._employ(u, p, a)
                elif not p.student and rng.random() < 0.14:
                    self._unemployed(u, p, a)
                elif rng.random() < 0.35:  # self-employed or informal: taxed income, no contributions
                    p.informal_kzt = int(rng.uniform(50_000, 220_000) / 100) * 100
                    self._history(u, p)
            # pension
            if pd <= D:
                q = 0.8 if pd > D - dt.timedelta(days=365) else 0.97
                if rng.random() < q:
                    vf = pd + dt.timedelta(days=rng.randint(0, 40))
                    if vf <= D:
                        self._fact(u, p, "pension", vf)
                        p.pension_kzt = int(math.exp(rng.gauss(math.log(135_000), 0.25)) / 100) * 100
                        self._history(u, p)
            # contacts
            pq = 0.0 if a < 10 else 0.35 if a < 16 else 0.94 if a < 75 else 0.75
            if rng.random() < pq:
                p.phone = self._phone()
            bq = 0.03 if a < 14 else 0.25 if a < 18 else 0.97 if (p.jobs or p.pension_kzt) else 0.8
            if rng.random() < bq:
                p.iban = self._iban()

    def _disability(self, u: _Unit, p: _P, a: int) -> None:
        rng, D = self.rng, self.D
        if a < 18:
            group, pct = "child", None
        else:
            r = rng.random()
            group = "1" if r < 0.12 else "2" if r < 0.57 else "3"
            lo, hi = {"1": (80, 100), "2": (60, 79), "3": (25, 59)}[group]
            pct = rng.randint(lo, hi) if rng.random() < 0.85 else None
        earliest = max(p.birth + dt.timedelta(days=60), D - dt.timedelta(days=3000))
        if earliest > D:
            return
        vf = earliest + dt.timedelta(days=rng.randint(0, (D - earliest).days))
        permanent = group in ("1", "2") and a >= 55 and rng.random() < 0.5
        fields = {"group": group}
        if pct is not None:
            fields["work_capacity_loss_percent"] = pct
        vt = None if permanent else vf + dt.timedelta(days=rng.choice((365, 730)) - 1)
        if group == "child":
            vt = min(vt, add_years(p.birth, 18) - DAY)
        if vt is not None and vt < D and rng.random() < 0.7:  # re-examined and extended
            self._fact(u, p, "disability", vf, vt, **fields)
            vf = vt + DAY
            vt = vf + dt.timedelta(days=729)
            if group == "child":
                vt = min(vt, add_years(p.birth, 18) - DAY)
            if vf > vt:
                return
        if vt is not None and vt >= D and rng.random() < 0.08 and vf < D - dt.timedelta(days=30):
            # a correction: first recorded with an earlier re-examination date, then extended
            old_vt = vf + dt.timedelta(days=rng.randint(30, (D - vf).days))
            old = {"kind": "fact", "source": "CBDI", "recorded_at": self._ts(self._rday(vf, 0, 10)),
                   "iin": p.iin, "type": "disability", "valid_from": vf.isoformat(), "valid_to": old_vt.isoformat(),
                   **fields}
            new_day = min(D, old_vt - dt.timedelta(days=rng.randint(0, 20)))
            if new_day > dt.date.fromisoformat(old["recorded_at"][:10]):
                new = dict(old, valid_to=vt.isoformat(), recorded_at=self._ts(new_day))
                self._pair(u, "fact", old, new)
            else:
                self._fact(u, p, "disability", vf, vt, **fields)
        else:
            self._fact(u, p, "disability", vf, vt, **fields)
        if vt is None or vt >= D:
            p.disabled = True

    def _employ(self, u: _Unit, p: _P, a: int) -> None:
        rng, D = self.rng, self.D
        adult = add_years(p.birth, 18)
        r = rng.random()
        if r < 0.1:
            start = D - dt.timedelta(days=rng.randint(20, 400))  # a recent hire: fewer months
        else:
            start = D - self._days(min(a - 18, rng.expovariate(1 / 6)))
        start = max(start, adult)
        sal = self._salary(p.region)
        if start > D - dt.timedelta(days=400) and rng.random() < 0.4 and start - adult > dt.timedelta(days=800):
            prev_end = start - dt.timedelta(days=rng.randint(1, 200))
            prev_start = max(adult, prev_end - self._days(rng.uniform(0.5, 6)))
            p.jobs.append((prev_start, prev_end, int(sal * 0.9 / 100) * 100))
            self._job_fact(u, p, prev_start, prev_end)
        end = None
        p.jobs.append((start, end, sal))
        p.employed_now = True
        self._job_fact(u, p, start, end)
        self._history(u, p)

    def _job_fact(self, u: _Unit, p: _P, start: dt.date, end: dt.date | None) -> None:
        rng = self.rng
        fields = {"employer_bin": rng.choice(self.employers)}
        if end is not None and start >= _BASE_DAY and rng.random() < 0.3:
            old_day = self._rday(start, 0, 10)
            new_day = self._rday(end, 0, 10)
            if old_day < new_day:
                old = {"kind": "fact", "source": "ESP", "recorded_at": self._ts(old_day), "iin": p.iin,
                       "type": "employment", "valid_from": start.isoformat(), **fields}
                new = {"kind": "fact", "source": "ESP", "recorded_at": self._ts(new_day), "iin": p.iin,
                       "type": "employment", "valid_from": start.isoformat(), "valid_to": end.isoformat(),
                       **fields}
                self._pair(u, "fact", old, new)
                return
        self._fact(u, p, "employment", start, end, rec_day=self._rday(end if end else start, 0, 10),
                   **fields)

    def _unemployed(self, u: _Unit, p: _P, a: int) -> None:
        rng, D = self.rng, self.D
        if a < 18:
            return
        days = rng.randint(0, 35) if rng.random() < 0.3 else rng.randint(36, 420)
        vf = D - dt.timedelta(days=days)
        vt = None
        if days > 180 and rng.random() < 0.5:
            vt = min(D - DAY, vf + dt.timedelta(days=rng.randint(60, 180)))
        adult = add_years(p.birth, 18)
        if rng.random() < 0.75:
            end = vf - dt.timedelta(days=rng.randint(1, 60))
            start = max(adult, end - self._days(rng.uniform(0.3, 8)))
            if start < end:
                p.jobs.append((start, end, self._salary(p.region)))
                self._job_fact(u, p, start, end)
                self._history(u, p)
        self._fact(u, p, "unemployed", vf, vt)
        if vt is None and vf > D - dt.timedelta(days=30) and len(p.jobs) and rng.random() < 0.3:
            self._benefit(u, p, "job_loss", vf + dt.timedelta(days=rng.randint(5, 20)))

    def _history(self, u: _Unit, p: _P) -> None:
        """Monthly income (and contributions for wages) over the history months."""
        rng = self.rng
        for label, first, last in self.months:
            inc = 0
            contrib = False
            for start, end, sal in p.jobs:
                lo = max(start, first)
                hi = last if end is None else min(end, last)
                if lo <= hi:
                    frac = ((hi - lo).days + 1) / ((last - first).days + 1)
                    if frac >= 0.2:
                        inc += int(sal * frac * rng.uniform(0.96, 1.08))
                        contrib = True
            if p.pension_kzt and first >= pension_date(p.birth, p.sex):
                inc += p.pension_kzt
            if p.informal_kzt and rng.random() < 0.6:  # irregular
                inc += int(p.informal_kzt * rng.uniform(0.7, 1.3))
            if inc <= 0 or (contrib and rng.random() < 0.03):  # a month's gap
                continue
            self._month_facts(u, p, label, first, last, inc, contribution=contrib and rng.random() > 0.01)

    # ---- benefits already received, per household ----
    def _household_benefits(self, u: _Unit) -> None:
        rng, D = self.rng, self.D
        alive = [p for p in u.people if p.death is None and not p.fixed]
        for p in alive:
            a = age(p.birth, D)
            m = p.mother if p.mother is not None and p.mother.death is None else p.father
            if m is not None and m.death is not None:
                m = None
            if a < 2 and m is not None:
                if p.birth > D - dt.timedelta(days=365) and rng.random() < 0.65:
                    self._benefit(u, m, "birth", p.birth + dt.timedelta(days=rng.randint(5, 40)))
                if add_months(p.birth, 18) > D and not m.employed_now and rng.random() < 0.6:
                    self._benefit(u, m, "childcare_1_5", p.birth + dt.timedelta(days=rng.randint(20, 60)),
                                  add_months(p.birth, 18) - DAY)
            if p.disabled:
                if a < 18 and m is not None:
                    if rng.random() < 0.75:
                        self._benefit(u, m, "disabled_child_carer", D - dt.timedelta(days=rng.randint(20, 300)))
                        self._benefit(u, m, "disability", D - dt.timedelta(days=rng.randint(20, 300)))
                elif a >= 18 and rng.random() < 0.8:
                    self._benefit(u, p, "disability", D - dt.timedelta(days=rng.randint(20, 300)))
            dep = [c for c in p.kids if c.death is None and c.addr == p.addr and p.addr is not None
                   and (age(c.birth, D) < 18 or (c.student and age(c.birth, D) < 23))]
            if p.sex == "F" and len(dep) >= 4 and rng.random() < 0.65:
                self._benefit(u, p, "large_family", D - dt.timedelta(days=rng.randint(30, 900)))
        for p in u.people:
            if p.death is not None and p.death > D - dt.timedelta(days=365) and not p.fixed:
                heirs = [k for k in p.kids if k.death is None and age(k.birth, D) >= 18]
                if heirs and rng.random() < 0.5:
                    self._benefit(u, heirs[0], "burial", p.death + dt.timedelta(days=rng.randint(3, 30)),
                                  None)
        # targeted assistance: a household under the poverty line often already receives it
        by_addr: dict[str, list[_P]] = {}
        for p in alive:
            if p.addr is not None:
                by_addr.setdefault(p.addr, []).append(p)
        lo_m = _ym(D, -3)
        if not self.months:
            return
        for members in by_addr.values():
            total = 0
            for p in members:
                for _start, end, sal in p.jobs:
                    if end is None or end >= dt.date(lo_m[0], lo_m[1], 1):
                        total += sal * 3
                total += (p.pension_kzt + p.informal_kzt) * 3
            if Decimal(total) / 3 / len(members) < self.line and rng.random() < 0.3:
                eldest = min(members, key=lambda q: (q.birth, q.iin))
                if age(eldest.birth, D) >= 18:
                    qy, qm = D.year, (D.month - 1) // 3 * 3 + 1
                    first = dt.date(qy, qm, 1)
                    self._benefit(u, eldest, "targeted_assistance", first,
                                  add_months(first, 3) - DAY)

    # ---- noise: corrections and early links ----
    def _noise(self, u: _Unit) -> None:
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

    # ---- bad lines ----
    def _bad_lines(self, u: _Unit, own: list[_P], valid: list[dict]) -> list:
        br = self.bad_rng
        n = sum(1 for _ in range(len(valid)) if br.random() < self.bad_rate)
        out = []
        persons = [r for r in valid if r.get("kind") == "person"]
        facts = [r for r in valid if r.get("kind") == "fact"]
        links = [r for r in valid if r.get("kind") == "link"]
        used: set[tuple] = set()  # a bad link never repeats another's identity (one line, one rejection)
        for _ in range(n):
            cls = br.choice(BAD_CLASSES)
            out.append(_make_bad(self, cls, own, persons, links, facts, u, used))
        return out

    def _bad_iin(self, born: dt.date | None = None, sex: str | None = None) -> tuple[str, dt.date, str]:
        """A valid IIN no valid person has: born in the 1800s (century digits 1/2)."""
        br = self.bad_rng
        while True:
            b = dt.date(br.randint(1850, 1899), br.randint(1, 12), br.randint(1, 28))
            s = sex or br.choice("MF")
            v = make_iin(b, s, br.randrange(10000))
            if v:
                return v, b, s

    # ---- boundary scenarios ----
    def _sc_addr(self) -> tuple[str, str]:
        region = self._region()
        return self._addr(region), region

    def _sc_adult(self, u: _Unit, born: dt.date, sex: str, addr: str, region: str, **kw) -> _P:
        p = self._person(u, born, sex, addr, region, fixed=True, **kw)
        if age(born, self.D) >= 16:
            p.phone = self._phone()
        if age(born, self.D) >= 18:
            p.iban = self._iban()
        return p

    def _sc_family(self, u: _Unit, kids: list[tuple[dt.date, str]], *, father: bool = True,
                   addr: str | None = None, region: str | None = None, mother_age_at_first: float = 26.0
                   ) -> tuple[_P, _P | None, list[_P]]:
        """A mother (and father) at one address with children born on the given days."""
        rng, D = self.rng, self.D
        if addr is None:
            addr, region = self._sc_addr()
        births = sorted(b for b, _ in kids)
        mb = births[0] - self._days(mother_age_at_first)
        mb = max(mb, add_years(births[-1], -43))
        mb = min(mb, add_years(births[0], -19))
        mother = self._sc_adult(u, mb, "F", addr, region)
        f = None
        if father:
            fb = mb - dt.timedelta(days=rng.randint(300, 1500))
            if births:
                fb = max(fb, add_years(births[-1], -44))
            f = self._sc_adult(u, fb, "M", addr, region)
            mother.surname = f.surname + "а"
            since = (births[0] if births else D) - dt.timedelta(days=rng.randint(200, 700))
            self._spouse(u, mother, f, max(since, add_years(mb, 19)))
        objs = []
        for b, s in sorted(kids, key=lambda t: t[0]):
            c = self._child(u, mother, f, b, s, addr, region, fixed=True)
            if age(b, D) >= 16:
                c.phone = self._phone()
            objs.append(c)
        return mother, f, objs

    def _sc_months(self, u: _Unit, p: _P, months: list[tuple[int, int]], salary: int,
                   contribution: bool = True) -> None:
        for y, m in months:
            first = dt.date(y, m, 1)
            last = dt.date(y, m, month_len(y, m))
            self._month_facts(u, p, f"{y:04d}-{m:02d}", first, last, salary, contribution)

    def _sc_job(self, u: _Unit, p: _P, start: dt.date, end: dt.date | None) -> None:
        self._fact(u, p, "employment", start, end, rec_day=self._rday(end or start, 0, 5),
                   employer_bin=self.rng.choice(self.employers))

    def _yrs(self, y: float) -> dt.date:
        return self.D - self._days(y)

    def _sc_birth_window(self, u: _Unit) -> None:
        D = self.D
        # in: born 364 days before D (the 365 days up to and including D); out: 365 days before
        self._sc_family(u, [(D - dt.timedelta(days=364), "M"), (self._yrs(3.2), "F")])
        self._sc_family(u, [(D - dt.timedelta(days=365), "F")])
        # born on D itself: in; the mother has no bank account (a caseworker's list)
        m, _, _ = self._sc_family(u, [(D, "M"), (self._yrs(2.5), "M")], father=False)
        m.iban = None

    def _sc_twins(self, u: _Unit) -> None:
        D = self.D
        tw = D - dt.timedelta(days=120)
        # twins after two children: the lower IIN is birth order 3, the other 4 (63 MCI)
        self._sc_family(u, [(self._yrs(6.1), "F"), (self._yrs(3.4), "M"), (tw, "M"), (tw, "M")])
        # already received: a one-off birth benefit dated after the birth; childcare being paid
        b = D - dt.timedelta(days=40)
        m, _, _ = self._sc_family(u, [(b, "F")])
        self._benefit(u, m, "birth", b + dt.timedelta(days=20))
        self._benefit(u, m, "childcare_1_5", b + dt.timedelta(days=25), add_months(b, 18) - DAY)

    def _sc_childcare_18m(self, u: _Unit) -> None:
        D = self.D
        b_in = _latest(lambda b: add_months(b, 18), D, add_months(D, -18)) + DAY  # turns 18 months after D
        # in: D is before the 18-month day (normally tomorrow); out: turned 18 months today
        self._sc_family(u, [(b_in, "F"), (self._yrs(4.5), "M")])
        self._sc_family(u, [(b_in - DAY, "M")])

    def _sc_childcare_carer(self, u: _Unit) -> None:
        D = self.D
        b = D - dt.timedelta(days=240)
        m, _, _ = self._sc_family(u, [(b, "M")])            # out: the mother is employed (insured)
        self._sc_job(u, m, b - self._days(3), None)
        self._sc_months(u, m, [_ym(D, -k) for k in range(1, 4)], 310_000)
        m2, _, _ = self._sc_family(u, [(b, "F")])           # in: her job ended before the birth
        self._sc_job(u, m2, b - self._days(4), b - dt.timedelta(days=30))
        # the mother died: the father (not employed) is the carer; also burial, breadwinner_loss
        b3 = D - dt.timedelta(days=300)
        m3, _, _ = self._sc_family(u, [(b3, "F"), (self._yrs(5), "M")])
        m3.death = D - dt.timedelta(days=200)
        m3.corr = ("death", None)

    def _sc_disabled_child(self, u: _Unit) -> None:
        D = self.D
        _, _, (older, younger) = self._sc_family(u, [(self._yrs(10.3), "M"), (self._yrs(7.2), "F")])
        # in: covering D (valid_to = D, inclusive); out: re-examination was due yesterday
        self._fact(u, younger, "disability", D - dt.timedelta(days=700), D, group="child")
        self._fact(u, older, "disability", D - dt.timedelta(days=730), D - DAY, group="child")

    def _sc_disability_age18(self, u: _Unit) -> None:
        D = self.D
        t18 = youngest_aged(D, 18)      # turned 18 on D (or the nearest day that makes it so)
        n18 = t18 + DAY                 # still 17: turns 18 after D
        vf = D - dt.timedelta(days=200)
        _, _, (a,) = self._sc_family(u, [(t18, "M")], father=False)
        self._fact(u, a, "disability", vf, D + dt.timedelta(days=500), group="3", work_capacity_loss_percent=40)
        my, _, (c,) = self._sc_family(u, [(n18, "M")], father=False)
        self._fact(u, c, "disability", vf, D + dt.timedelta(days=500), group="3", work_capacity_loss_percent=40)
        self._fact(u, my, "disability", D - dt.timedelta(days=600), D, group="2", work_capacity_loss_percent=70)
        _, _, (b,) = self._sc_family(u, [(n18, "F")], father=False)
        self._fact(u, b, "disability", D - dt.timedelta(days=900), add_years(n18, 18) - DAY, group="child")
        mw, _, (d,) = self._sc_family(u, [(t18, "F")], father=False)
        self._fact(u, d, "disability", D - dt.timedelta(days=900), D + dt.timedelta(days=30), group="child")
        self._fact(u, mw, "disability", D - dt.timedelta(days=600), D - DAY, group="2", work_capacity_loss_percent=70)

    def _sc_disability_dead(self, u: _Unit) -> None:
        D = self.D
        addr, region = self._sc_addr()
        old = self._sc_adult(u, self._yrs(71.3), "M", addr, region)
        wife = self._sc_adult(u, self._yrs(68.9), "F", addr, region)
        wife.surname = old.surname + "а"
        self._spouse(u, old, wife, self._yrs(46))
        son = self._child(u, wife, old, self._yrs(44.6), "M", addr, region, fixed=True)
        son.phone, son.iban = self._phone(), self._iban()
        self._fact(u, old, "disability", D - dt.timedelta(days=400), None, group="1", work_capacity_loss_percent=90)
        old.death = D - dt.timedelta(days=10)   # dead recipient: offered nothing (burial goes to the wife)
        old.corr = ("death", None)
        self._fact(u, son, "disability", D - dt.timedelta(days=300), D + dt.timedelta(days=400), group="2",
                   work_capacity_loss_percent=65)
        self._benefit(u, son, "disability", D - dt.timedelta(days=280))  # already receiving
        for p in (old, wife):
            self._fact(u, p, "pension", pension_date(p.birth, p.sex) + dt.timedelta(days=10))

    def _large(self, u: _Unit, boundary: tuple[dt.date, str], **kw) -> tuple[_P, _P | None, list[_P]]:
        kids = [boundary, (self._yrs(14.6), "F"), (self._yrs(11.1), "M"), (self._yrs(7.4), "F")]
        return self._sc_family(u, kids, mother_age_at_first=24.5, **kw)

    def _sc_large_family_18(self, u: _Unit) -> None:
        D = self.D
        t18 = youngest_aged(D, 18)
        self._large(u, (t18 + DAY, "M"))   # in: the eldest is still 17 -> 4 dependants
        self._large(u, (t18, "M"))         # out: the eldest turned 18 -> 3

    def _sc_large_family_student(self, u: _Unit) -> None:
        D = self.D
        b19 = self._yrs(19.4)
        start = dt.date(b19.year + 18, 9, 1)
        _, _, (s1, *_r) = self._large(u, (b19, "F"))
        self._fact(u, s1, "student", start, D + dt.timedelta(days=400))        # in: a student aged 19
        _, _, (s2, *_r) = self._large(u, (b19 - dt.timedelta(days=3), "M"))
        self._fact(u, s2, "student", start, D - DAY)                           # out: studies ended yesterday

    def _sc_large_family_address(self, u: _Unit) -> None:
        D = self.D
        # out: the fourth child lives with the grandmother at another address
        m, f, kids = self._large(u, (self._yrs(15.8), "M"))
        gaddr, gregion = self._sc_addr()
        gm = self._sc_adult(u, m.birth - self._days(24), "F", gaddr, gregion)
        self._parent_of(u, gm, m)
        m.mother = gm
        kids[2].addr, kids[2].region = gaddr, gregion
        # out: already receives large_family
        m2, _, _ = self._large(u, (self._yrs(16.2), "F"))
        self._benefit(u, m2, "large_family", D - dt.timedelta(days=400))
        # in: the mother died years ago: the father is the recipient
        m3, _, _ = self._large(u, (self._yrs(13.3), "F"))
        m3.death = D - self._days(3)

    def _sc_alqa(self, u: _Unit) -> None:
        D = self.D
        kids = [(self._yrs(y), "MF"[i % 2]) for i, y in enumerate((21.2, 19.0, 16.9, 14.1, 12.0, 9.6, 7.3))]
        m, _, _ = self._sc_family(u, kids, mother_age_at_first=22)
        self._fact(u, m, "award", D - self._days(5.5), name="altyn_alqa")       # in
        addr, region = self._sc_addr()
        h = self._sc_adult(u, self._yrs(79.5), "F", addr, region)
        self._fact(u, h, "award", dt.date(1988, 5, 20) if D.year > 1990 else D, name="mother_heroine")  # in
        self._fact(u, h, "pension", pension_date(h.birth, "F"))
        w = self._sc_adult(u, self._yrs(47.2), "F", *self._sc_addr())
        self._fact(u, w, "award", D, rec_day=D, name="kumis_alqa")              # in: awarded on D

    def _sc_alqa_out(self, u: _Unit) -> None:
        D = self.D
        kids = [(self._yrs(y), "MF"[i % 2]) for i, y in enumerate((17.5, 15.2, 12.8, 10.0, 7.7, 5.1))]
        m, _, _ = self._sc_family(u, kids, mother_age_at_first=23)
        self._fact(u, m, "award", D - self._days(3), name="kumis_alqa")
        self._benefit(u, m, "alqa_mother", D - self._days(2.9))                    # out: already receives
        addr, region = self._sc_addr()
        g = self._sc_adult(u, self._yrs(81.1), "F", addr, region)
        self._fact(u, g, "award", dt.date(1986, 3, 8) if D.year > 1990 else D - DAY, name="maternal_glory_2")
        g.death = D - dt.timedelta(days=40)                                        # out: dead
        caddr, cregion = self._sc_addr()
        son = self._child(u, g, None, g.birth + self._days(27), "M", caddr, cregion, fixed=True)
        son.phone, son.iban = self._phone(), self._iban()

    def _sc_targeted(self, u: _Unit) -> None:
        D = self.D
        months = [_ym(D, -k) for k in (3, 2, 1)]
        limit = self.line * 3 * 4  # 4 members, 3 months
        ceil = int(limit.to_integral_value(rounding=ROUND_CEILING))
        for total in (ceil - 1, ceil):  # in: just below the line; out: at or just above it
            _, f, _ = self._sc_family(u, [(self._yrs(8.5), "M"), (self._yrs(4.2), "F")])
            self._sc_job(u, f, D - self._days(4), None)
            base = total // 3
            for i, (y, mo) in enumerate(months):
                amt = base + (total - base * 3 if i == 2 else 0)
                self._sc_months(u, f, [(y, mo)], amt)

    def _sc_burial(self, u: _Unit) -> None:
        D = self.D
        for days, corr in ((364, True), (365, False)):   # in: death D-364; out: D-365
            addr, region = self._sc_addr()
            h = self._sc_adult(u, self._yrs(77.7), "M", addr, region)
            w = self._sc_adult(u, self._yrs(74.2), "F", addr, region)
            w.surname = h.surname + "а"
            self._spouse(u, h, w, self._yrs(52))
            h.death = D - dt.timedelta(days=days)
            if corr:
                h.corr = ("death", None)
        # a widow dies: the eldest living adult child is the recipient
        addr, region = self._sc_addr()
        wd = self._sc_adult(u, self._yrs(82.4), "F", addr, region)
        hb = self._sc_adult(u, self._yrs(84.9), "M", addr, region)
        self._spouse(u, wd, hb, self._yrs(60))
        hb.death = self._yrs(12)
        wd.death = D - dt.timedelta(days=60)
        for y in (55.3, 50.8):
            a2, r2 = self._sc_addr()
            c = self._child(u, wd, hb, self._yrs(y), "F" if y > 52 else "M", a2, r2, fixed=True)
            c.phone, c.iban = self._phone(), self._iban()
        # divorced: the ex-wife is not the recipient, the son is
        addr, region = self._sc_addr()
        dv = self._sc_adult(u, self._yrs(66.0), "M", addr, region)
        ex = self._sc_adult(u, self._yrs(63.5), "F", *self._sc_addr())
        self._spouse(u, dv, ex, self._yrs(40), self._yrs(12))
        son = self._child(u, ex, dv, self._yrs(35.5), "M", addr, region, fixed=True)
        son.phone, son.iban = self._phone(), self._iban()
        dv.death = D - dt.timedelta(days=90)

    def _sc_breadwinner(self, u: _Unit) -> None:
        D = self.D
        for days in (200, 365):   # in: father died D-200; out: D-365 (outside the 365 days up to D)
            kids = [(self._yrs(20.5), "M"), (self._yrs(10.2), "F"), (self._yrs(6.3), "M")]
            _, f, _ = self._sc_family(u, kids, mother_age_at_first=21)
            f.death = D - dt.timedelta(days=days)

    def _sc_orphans(self, u: _Unit) -> None:
        D = self.D
        addr, region = self._sc_addr()
        gm = self._sc_adult(u, self._yrs(63.2), "F", addr, region)
        m = self._sc_adult(u, self._yrs(37.1), "F", addr, region)
        self._parent_of(u, gm, m)
        m.mother = gm
        f = self._sc_adult(u, self._yrs(39.0), "M", addr, region)
        self._spouse(u, m, f, self._yrs(14))
        kids = [self._child(u, m, f, self._yrs(y), s, addr, region, fixed=True)
                for y, s in ((12.3, "M"), (8.8, "F"))]
        f.death = self._yrs(4)
        m.death = D - dt.timedelta(days=150)
        since = D - dt.timedelta(days=120)
        for c in kids:
            u.links.append({"kind": "link", "source": "MIO", "recorded_at": self._ts(since + DAY),
                            "type": "GUARDIAN_OF", "from": gm.iin, "to": c.iin, "since": since.isoformat()})

    def _sc_job_loss(self, u: _Unit) -> None:
        D = self.D

        def worker(addr, region, sex, days, n_months, gap=False):
            p = self._sc_adult(u, self._yrs(self.rng.uniform(28, 50)), sex, addr, region)
            vf = D - dt.timedelta(days=days)
            mlist = [_ym(vf, -k) for k in range(1, n_months + 2 if gap else n_months + 1)]
            if gap:
                del mlist[2]  # one month without contributions in between
            end = vf - dt.timedelta(days=3)
            self._sc_job(u, p, end - self._days(3), end)
            self._sc_months(u, p, mlist, self.rng.randint(180, 420) * 1000)
            self._fact(u, p, "unemployed", vf, None)
            return p

        a1, r1 = self._sc_addr()
        worker(a1, r1, "M", 29, 6, gap=True)  # in: registered D-29, 6 months with a gap
        worker(a1, r1, "F", 30, 6)            # out: registered D-30
        a2, r2 = self._sc_addr()
        worker(a2, r2, "M", 10, 5)            # out: 5 contribution months
        worker(a2, r2, "F", 31, 8)            # out for job_loss, in for employment_measures
        a3, r3 = self._sc_addr()
        p = self._sc_adult(u, self._yrs(41.5), "M", a3, r3)
        self._fact(u, p, "unemployed", D - dt.timedelta(days=200), D - DAY)  # ended yesterday: out

    def _sc_employment_measures(self, u: _Unit) -> None:
        D = self.D
        t16 = youngest_aged(D, 16)
        for b in (t16, t16 + DAY):  # in: aged 16; out: still 15
            _, _, (c,) = self._sc_family(u, [(b, "M")])
            self._fact(u, c, "unemployed", D - dt.timedelta(days=5), None)
        # out: the youngest man who has reached pension age by D; in: one day younger
        b_out = _latest(lambda x: pension_date(x, "M"), D, add_years(D, -63))
        for b in (b_out, b_out + DAY):
            p = self._sc_adult(u, b, "M", *self._sc_addr())
            self._fact(u, p, "unemployed", D - dt.timedelta(days=40), None)

    def _sc_work_capacity(self, u: _Unit) -> None:
        D = self.D
        for days, pct, n in ((100, 30, 6), (100, 29, 6), (100, 40, 5), (365, 50, 12), (364, 30, 6)):
            p = self._sc_adult(u, self._yrs(self.rng.uniform(30, 55)), "MF"[n % 2], *self._sc_addr())
            vf = D - dt.timedelta(days=days)
            months = [_ym(vf, -k) for k in range(1, n + 1)]
            self._sc_job(u, p, vf - self._days(4), vf - DAY)
            self._sc_months(u, p, months, self.rng.randint(200, 500) * 1000)
            self._fact(u, p, "disability", vf, vf + dt.timedelta(days=729), group="3",
                       work_capacity_loss_percent=pct)

    def _sc_pension(self, u: _Unit) -> None:
        D = self.D

        def born_for(target: dt.date, sex: str) -> dt.date:
            """Latest birth date reaching pension age on or before target."""
            return _latest(lambda x: pension_date(x, sex), target, add_years(target, -63 if sex == "M" else -61))

        in29 = D + dt.timedelta(days=29)
        pairs = (("M", born_for(in29, "M")), ("F", born_for(in29, "F") + DAY),   # in / out
                 ("F", born_for(in29, "F")), ("M", born_for(in29, "M") + DAY))   # in / out
        for i in (0, 2):
            addr, region = self._sc_addr()
            (s1, b1), (s2, b2) = pairs[i], pairs[i + 1]
            a = self._sc_adult(u, b1, s1, addr, region)
            b = self._sc_adult(u, b2, s2, addr, region)
            self._spouse(u, a, b, self._yrs(38))
        # reached it in the 365 days before D (in) vs 366 days before (out); one with a pension
        lo = D - dt.timedelta(days=365)
        b_in = born_for(lo - DAY, "M") + DAY   # earliest birth reaching pension age on/after D-365
        self._sc_adult(u, b_in, "M", *self._sc_addr())
        self._sc_adult(u, b_in - DAY, "M", *self._sc_addr())
        p = self._sc_adult(u, born_for(D - dt.timedelta(days=100), "F"), "F", *self._sc_addr())
        self._fact(u, p, "pension", pension_date(p.birth, "F"))

    def _sc_kandas(self, u: _Unit) -> None:
        D = self.D
        addr = self._addr(region := self.rng.choice(_KANDAS_REGIONS))
        gm = self._sc_adult(u, self._yrs(66), "F", addr, region)
        m, f, (c,) = self._sc_family(u, [(self._yrs(9.4), "F")], addr=addr, region=region)
        self._parent_of(u, gm, f)
        f.mother = gm
        for p, vt in ((f, D + dt.timedelta(days=29)), (m, D + dt.timedelta(days=30)), (c, D), (gm, D - DAY)):
            vf = add_years(vt + DAY, -1)
            self._fact(u, p, "kandas", vf, vt)
            p.cit = None if p is f else "CN" if p is m else "KZ"


SCENARIOS = (
    "birth_window", "twins", "childcare_18m", "childcare_carer", "disabled_child", "disability_age18",
    "disability_dead", "large_family_18", "large_family_student", "large_family_address", "alqa",
    "alqa_out", "targeted", "burial", "breadwinner", "orphans", "job_loss", "employment_measures",
    "work_capacity", "pension", "kandas",
)

BAD_CLASSES = (
    "iin_check_digit", "iin_date", "iin_sex", "impossible_date", "death_before_birth", "bad_iban",
    "bad_phone", "unknown_kind", "unknown_fact_type", "missing_field", "garbage", "self_link",
    "parent_younger", "parent_under_12", "cycle", "third_parent",
)


def _make_bad(g: _Generator, cls: str, own: list[_P], persons: list[dict], links: list[dict],
              facts: list[dict], u: _Unit, used: set[tuple]) -> dict | RawLine:
    br = g.bad_rng
    D = g.D
    base = dict(br.choice(persons)) if persons else {
        "kind": "person", "source": "GBD_FL", "recorded_at": f"{D.isoformat()}T09:00:00Z",
        "surname": "Ахметов", "given_name": "Нұрлан", "address_id": "KZ-AST-0000001", "citizenship": "KZ"}
    base.pop("death_date", None)

    def fresh(p: dict) -> dict:
        """The person under an IIN no valid record uses (born in the 1800s)."""
        iin, b, s = g._bad_iin(sex=p.get("sex"))
        p["iin"], p["birth_date"], p["sex"] = iin, b.isoformat(), s
        return p

    alive = [p for p in own if p.death is None]
    if cls == "iin_check_digit":
        if links and br.random() < 0.3:
            r = dict(br.choice(links))
            v = r["to"]
            r["to"] = v[:11] + str((int(v[11]) + br.randint(1, 9)) % 10)
            return r
        p = fresh(base)
        p["iin"] = p["iin"][:11] + str((int(p["iin"][11]) + br.randint(1, 9)) % 10)
        return p
    if cls == "iin_date":
        p = fresh(base)
        p["birth_date"] = (dt.date.fromisoformat(p["birth_date"]) + dt.timedelta(days=br.randint(1, 400))).isoformat()
        return p
    if cls == "iin_sex":
        p = fresh(base)
        p["sex"] = "F" if p["sex"] == "M" else "M"
        return p
    if cls == "impossible_date":
        if facts and br.random() < 0.5:
            r = dict(br.choice(facts))
            r["valid_from"] = f"{min(D.year, 2026)}-02-30"
            r.pop("valid_to", None)
            return r
        p = fresh(base)
        p["death_date"] = f"{D.year - 1}-02-30"
        return p
    if cls == "death_before_birth":
        p = fresh(base)
        p["death_date"] = (dt.date.fromisoformat(p["birth_date"]) - dt.timedelta(days=br.randint(1, 3000))).isoformat()
        return p
    if cls == "bad_iban":
        p = fresh(base)
        bban = f"{br.choice(_BANK_CODES)}{br.randrange(10 ** 13):013d}"
        cd = _iban_check(bban)
        bad = br.choice([x for x in range(100) if (x - cd) % 97])  # digits that cannot pass mod-97
        p["bank_account"] = f"KZ{bad:02d}{bban}"
        return p
    if cls == "bad_phone":
        p = fresh(base)
        ph = f"{br.randrange(10 ** 9):09d}"
        p["phone"] = br.choice((f"+7{ph}", f"8{ph}7", f"+7 {ph[:3]} {ph[3:6]} {ph[6:]}7", f"+77{ph}12"))
        return p
    if cls == "unknown_kind":
        r = dict(base)
        r["kind"] = br.choice(("household", "address", "Person", "relation", ""))
        return r
    if cls == "unknown_fact_type":
        if facts:
            r = dict(br.choice(facts))
        else:
            r = {"kind": "fact", "source": "KGD", "recorded_at": base["recorded_at"], "iin": g._bad_iin()[0],
                 "valid_from": D.isoformat()}
        r["type"] = br.choice(("salary", "allowance", "pensioner", "Disability", "marriage"))
        return r
    if cls == "missing_field":
        r = br.random()
        if r < 0.4:
            p = fresh(base)
            del p[br.choice(("surname", "given_name", "birth_date", "sex", "iin"))]
            return p
        if r < 0.7 and links:
            lk = dict(br.choice(links))
            del lk[br.choice(("type", "from", "to"))]
            return lk
        if facts:
            f = dict(br.choice(facts))
            del f[br.choice(("iin", "type", "valid_from"))]
            return f
        p = fresh(base)
        del p["recorded_at"]
        return p
    if cls == "garbage":
        iin = g._bad_iin()[0]
        return RawLine(br.choice((
            '{"kind": "person", "iin": "' + iin[:7],
            "person;" + iin + ";Ахметов;Нұрлан;1990-01-01;M",
            "<html><body>502 Bad Gateway</body></html>",
            '{"kind": "fact", "iin": "' + iin + '", "type": "income",}',
            "\ufeffNULL",
            "{'kind': 'link', 'type': 'PARENT_OF'}",
        )))
    # relational classes: need persons of this unit; fall back to a self-link, then to garbage
    def parent_of(a: str, b: str) -> dict:
        used.add(("PARENT_OF", a, b))
        return _link(g, "PARENT_OF", a, b)

    if cls == "parent_younger" and len(own) >= 2:
        pairs = [(a, b) for a in own for b in own if b.birth < a.birth  # a younger than b
                 and ("PARENT_OF", a.iin, b.iin) not in used]
        if pairs:
            a, b = br.choice(pairs)
            return parent_of(a.iin, b.iin)
    if cls == "parent_under_12" and len(own) >= 2:
        pairs = [(a, b) for a in own for b in own
                 if a is not b and a.birth <= b.birth < add_years(a.birth, 12)
                 and ("PARENT_OF", a.iin, b.iin) not in used]
        if pairs:
            a, b = br.choice(pairs)
            return parent_of(a.iin, b.iin)
    if cls == "cycle":
        ks = {p.iin for p in own}
        cand = [r for r in links if r["type"] == "PARENT_OF" and r["from"] in ks and r["to"] in ks
                and ("PARENT_OF", r["to"], r["from"]) not in used]
        if cand:
            r = br.choice(cand)
            return parent_of(r["to"], r["from"])
    if cls == "third_parent":
        ks = {p.iin for p in own}
        early = {(r["from"], r["to"]) for r in u.early}
        for c in sorted(own, key=lambda p: p.iin):
            m, f = c.mother, c.father
            if (m is None or f is None or m.death is not None or f.death is not None or m.deferred
                    or f.deferred or m.iin not in ks or f.iin not in ks
                    or (m.iin, c.iin) in early or (f.iin, c.iin) in early):
                continue
            # a living adult at least 18 years older, not a parent nor a descendant of the child
            cands = [p for p in alive if p is not m and p is not f and add_years(p.birth, 18) <= c.birth
                     and p.iin in ks and not _descends(p, c) and ("PARENT_OF", p.iin, c.iin) not in used]
            if cands:
                p = br.choice(cands)
                return parent_of(p.iin, c.iin)
    selfs = [(t, p.iin) for p in own for t in ("PARENT_OF", "SPOUSE_OF", "GUARDIAN_OF")
             if (t, p.iin, p.iin) not in used]
    if selfs:
        t, iin = br.choice(selfs)
        used.add((t, iin, iin))
        return _link(g, t, iin, iin)
    return RawLine(f"{g._bad_iin()[0]}\tPARENT_OF\t{g._bad_iin()[0]}")


def _descends(p: _P, c: _P) -> bool:
    """Whether p is c or a descendant of c (within the unit)."""
    stack, seen = [c], set()
    while stack:
        x = stack.pop()
        if x is p:
            return True
        if id(x) in seen:
            continue
        seen.add(id(x))
        stack.extend(x.kids)
    return False


def _link(g: _Generator, ltype: str, a: str, b: str) -> dict:
    return {"kind": "link", "source": "MIO" if ltype == "GUARDIAN_OF" else "ZAGS",
            "recorded_at": f"{g.D.isoformat()}T1{g.bad_rng.randint(0, 3)}:00:00Z", "type": ltype,
            "from": a, "to": b}
