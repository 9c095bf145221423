"""The registry facts of a random unit's lives: study, disability, work, monthly income and
contributions, unemployment, pensions, contacts, and the benefits a household already receives.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from familycard.dates import add_months, add_years, age
from familycard.synthetic.parameters import BASE_DAY, DAY, pension_date, ym
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
        if vt is None and vf > D - dt.timedelta(days=30) and len(p.jobs) and rng.random() < 0.3:
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
        by_addr: dict[str, list[Member]] = {}
        for p in alive:
            if p.addr is not None:
                by_addr.setdefault(p.addr, []).append(p)
        lo_m = ym(D, -3)
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
