"""The registry facts of a random unit's lives: study, disability, work, monthly income and
contributions, unemployment, pensions, contacts, and the benefits a household already receives.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from familycard.dates import add_months, add_years, age
from familycard.synthetic.parameters import (
    BASE_DAY,
    CONTRIBUTION_RATE,
    DAY,
    DISABILITY_BY_AGE,
    MW,
    POOR_HOME_KEPT,
    RECEIVED,
    UNEMPLOYED_Q,
    pension_date,
    ym,
)
from familycard.synthetic.units import Builder, Member, Unit


class LifeFacts(Builder):
    """The registry facts drawn for a random unit's people, and the benefits its households receive."""

    # ---- attributes of persons ----
    def _attributes(self, u: Unit) -> None:
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
            q = next(q for upto, q in DISABILITY_BY_AGE if a < upto)
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
                elif not p.student and rng.random() < UNEMPLOYED_Q:
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

    def _disability(self, u: Unit, p: Member, a: int) -> None:
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
            if (pct is not None and pct >= 30 and vf > D - dt.timedelta(days=365)
                    and rng.random() < RECEIVED["work_capacity_loss"]):
                self._benefit(u, p, "work_capacity_loss", vf + dt.timedelta(days=rng.randint(10, 40)))

    def _employ(self, u: Unit, p: Member, a: int) -> None:
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

    def _job_fact(self, u: Unit, p: Member, start: dt.date, end: dt.date | None) -> None:
        rng = self.rng
        fields = {"employer_bin": rng.choice(self.employers)}
        if end is not None and start >= BASE_DAY and rng.random() < 0.3:
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

    def _unemployed(self, u: Unit, p: Member, a: int) -> None:
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
        if vt is None and vf > D - dt.timedelta(days=30) and len(p.jobs) and rng.random() < RECEIVED["job_loss"]:
            self._benefit(u, p, "job_loss", vf + dt.timedelta(days=rng.randint(5, 20)))

    def _history(self, u: Unit, p: Member) -> None:
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
    def _household_benefits(self, u: Unit) -> None:
        rng, D = self.rng, self.D
        alive = [p for p in u.people if p.death is None and not p.fixed]
        self._poor_homes(u, alive)
        for p in alive:
            a = age(p.birth, D)
            m = p.mother if p.mother is not None and p.mother.death is None else p.father
            if m is not None and m.death is not None:
                m = None
            if a < 2 and m is not None:
                if p.birth > D - dt.timedelta(days=365) and rng.random() < RECEIVED["birth"]:
                    self._benefit(u, m, "birth", p.birth + dt.timedelta(days=rng.randint(5, 40)))
                if add_months(p.birth, 18) > D and not m.employed_now and rng.random() < RECEIVED["childcare_1_5"]:
                    self._benefit(u, m, "childcare_1_5", p.birth + dt.timedelta(days=rng.randint(20, 60)),
                                  add_months(p.birth, 18) - DAY)
            if p.disabled:
                if a < 18 and m is not None:
                    if rng.random() < RECEIVED["disabled_child_carer"]:
                        self._benefit(u, m, "disabled_child_carer", D - dt.timedelta(days=rng.randint(20, 300)))
                        self._benefit(u, m, "disability", D - dt.timedelta(days=rng.randint(20, 300)))
                elif a >= 18 and rng.random() < RECEIVED["disability"]:
                    self._benefit(u, p, "disability", D - dt.timedelta(days=rng.randint(20, 300)))
            dep = [c for c in p.kids if c.death is None and c.addr == p.addr and p.addr is not None
                   and (age(c.birth, D) < 18 or (c.student and age(c.birth, D) < 23))]
            if p.sex == "F" and len(dep) >= 4 and rng.random() < RECEIVED["large_family"]:
                self._benefit(u, p, "large_family", D - dt.timedelta(days=rng.randint(30, 900)))
        # the one-offs and the survivors' pension of a death in the last year, to whom benefits.md
        # offers them: burial to the spouse, else the eldest adult child; breadwinner loss to the other parent
        by_iin = {p.iin: p for p in u.people}
        spouses: dict[str, list[tuple[Member, str | None]]] = {}
        for r in (*u.links, *u.early, *u.early_links, *u.late):
            if r["kind"] == "link" and r["type"] == "SPOUSE_OF":
                for a, b in ((r["from"], r["to"]), (r["to"], r["from"])):
                    if b in by_iin:
                        spouses.setdefault(a, []).append((by_iin[b], r.get("until")))
        for p in u.people:
            if p.death is None or p.death <= D - dt.timedelta(days=365) or p.fixed:
                continue
            living = lambda q: q.death is None or q.death > D  # noqa: E731
            wed = [s for s, until in spouses.get(p.iin, ()) if living(s)
                   and (until is None or until >= p.death.isoformat())]
            heirs = sorted((k for k in p.kids if living(k) and age(k.birth, D) >= 18), key=lambda k: (k.birth, k.iin))
            to = wed[0] if wed else heirs[0] if heirs else None
            if to is not None and rng.random() < RECEIVED["burial"]:
                self._benefit(u, to, "burial", p.death + dt.timedelta(days=rng.randint(3, 30)))
            deps = [k for k in p.kids if living(k) and age(k.birth, D) < 18]
            other = [par for k in deps for par in (k.mother, k.father) if par is not None and par is not p
                     and living(par)]
            if other and rng.random() < RECEIVED["breadwinner_loss"]:
                self._benefit(u, other[0], "breadwinner_loss", p.death + dt.timedelta(days=rng.randint(10, 60)))

    def _window_income(self, u: Unit) -> tuple[set[str], dict[str, int]]:
        """Who has income facts in the unit, and each one's income over the 3 months before as_of's
        month (benefits.md's targeted assistance window)."""
        window = {"{:04d}-{:02d}".format(*ym(self.D, -k)) for k in (1, 2, 3)}
        has: set[str] = set()
        income: dict[str, int] = {}
        for f in u.facts:
            if f["type"] == "income":
                has.add(f["iin"])
                if f["month"] in window:
                    income[f["iin"]] = income.get(f["iin"], 0) + f["amount_kzt"]
        return has, income

    def _raise_income(self, u: Unit, p: Member, factor: float) -> None:
        """Scale all of ``p``'s monthly income facts (and the contributions on them) by ``factor``."""
        by_month: dict[str, int] = {}
        for f in u.facts:
            if f["iin"] == p.iin and f["type"] == "income":
                f["amount_kzt"] = int(f["amount_kzt"] * factor)
                by_month[f["month"]] = f["amount_kzt"]
        for f in u.facts:
            if f["iin"] == p.iin and f["type"] == "contribution":
                base = min(by_month[f["month"]], 7 * MW)
                f["amount_kzt"] = int((Decimal(base) * CONTRIBUTION_RATE).quantize(Decimal(1)))
        p.jobs = [(a, b, int(sal * factor)) for a, b, sal in p.jobs]
        p.pension_kzt = int(p.pension_kzt * factor)
        p.informal_kzt = int(p.informal_kzt * factor)

    def _short(self, members: list[Member], income: dict[str, int]) -> float:
        """What a home lacks, over the 3 months, to reach the poverty line (<= 0: nothing)."""
        return float(self.line) * 3 * len(members) - sum(income.get(p.iin, 0) for p in members)

    def _poor_homes(self, u: Unit, people: list[Member], kept: float = POOR_HOME_KEPT,
                    scenario: bool = False) -> None:
        """Most homes under the poverty line (benefits.md's words: the income facts of the 3 months
        before as_of's month) are lifted above it (all but ``kept`` of them); the rest often already
        receive targeted assistance. A scenario's homes are lifted without touching what its cases
        stand on: only persons with no employment, contribution, unemployed or disability fact get
        income, nobody's income is raised, and no benefit is added."""
        rng, D = self.rng, self.D
        if not self.months:
            return
        by_addr: dict[str, list[Member]] = {}
        for p in people:
            if p.addr is not None and (p.death is None or p.death > D):
                by_addr.setdefault(p.addr, []).append(p)
        has, income = self._window_income(u)
        spoken = {f["iin"] for f in u.facts if f["type"] in ("employment", "contribution", "unemployed",
                                                             "disability")} if scenario else set()
        for members in by_addr.values():
            if self._short(members, income) <= 0:
                continue
            eldest = min(members, key=lambda q: (q.birth, q.iin))
            if age(eldest.birth, D) < 18:
                continue
            if rng.random() >= kept:
                need = float(self.line) * 3 * len(members) * rng.uniform(1.1, 1.8)  # the 3 months' total
                # an adult with no income in some of the 3 months gets an informal income for the
                # history months they have none (income facts only: no employment fact, so a mother
                # keeps her childcare right, and no contributions, so no insurance right appears)
                idle = sorted((p for p in members if age(p.birth, D) >= 18 and p.iin not in spoken
                               and p.iin not in income), key=lambda q: (
                    q.sex == "F", q.disabled, q.student, q.birth, q.iin))
                if idle:
                    p = idle[0]
                    amount = max(30_000, int((need - sum(income.get(q.iin, 0) for q in members)) / 3 / 100 + 1) * 100)
                    months = {f["month"] for f in u.facts if f["iin"] == p.iin and f["type"] == "income"}
                    for label, first, last in self.months:
                        if label not in months:
                            self._month_facts(u, p, label, first, last, int(amount * rng.uniform(0.95, 1.1)),
                                              contribution=False)
                    p.informal_kzt = p.informal_kzt or amount
                    has, income = self._window_income(u)
                earners = [p for p in members if income.get(p.iin, 0) > 0]
                if earners and self._short(members, income) > 0 and not scenario:
                    p = max(earners, key=lambda q: (income[q.iin], q.iin))
                    self._raise_income(u, p, (need - sum(income.get(q.iin, 0) for q in members)
                                              + income[p.iin]) / income[p.iin])
                    has, income = self._window_income(u)
                if self._short(members, income) <= 0:
                    continue
            if not scenario and rng.random() < RECEIVED["targeted_assistance"]:
                qy, qm = D.year, (D.month - 1) // 3 * 3 + 1
                first = dt.date(qy, qm, 1)
                self._benefit(u, eldest, "targeted_assistance", first, add_months(first, 3) - DAY)
