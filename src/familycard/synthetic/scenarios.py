"""The boundary scenarios: for each rule of benefits.md a unit built around ``as_of`` with a case
that qualifies and one that narrowly does not. ``SCENARIOS`` is their rotation in the feed.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING

from familycard.dates import add_months, add_years, age, month_len
from familycard.synthetic.names import KANDAS_REGIONS
from familycard.synthetic.parameters import DAY, latest, pension_date, ym, youngest_aged
from familycard.synthetic.units import Builder, Member, Unit


class Scenarios(Builder):
    """The boundary scenarios: ``_sc_<name>`` builds the unit of each name in ``SCENARIOS``."""

    def _sc_addr(self) -> tuple[str, str]:
        region = self._region()
        return self._addr(region), region

    def _sc_adult(self, u: Unit, born: dt.date, sex: str, addr: str, region: str, **kw) -> Member:
        p = self._person(u, born, sex, addr, region, fixed=True, **kw)
        if age(born, self.D) >= 16:
            p.phone = self._phone()
        if age(born, self.D) >= 18:
            p.iban = self._iban()
        return p

    def _sc_family(self, u: Unit, kids: list[tuple[dt.date, str]], *, father: bool = True,
                   addr: str | None = None, region: str | None = None, mother_age_at_first: float = 26.0
                   ) -> tuple[Member, Member | None, list[Member]]:
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

    def _sc_months(self, u: Unit, p: Member, months: list[tuple[int, int]], salary: int,
                   contribution: bool = True) -> None:
        for y, m in months:
            first = dt.date(y, m, 1)
            last = dt.date(y, m, month_len(y, m))
            self._month_facts(u, p, f"{y:04d}-{m:02d}", first, last, salary, contribution)

    def _sc_job(self, u: Unit, p: Member, start: dt.date, end: dt.date | None) -> None:
        self._fact(u, p, "employment", start, end, rec_day=self._rday(end or start, 0, 5),
                   employer_bin=self.rng.choice(self.employers))

    def _yrs(self, y: float) -> dt.date:
        return self.D - self._days(y)

    def _sc_birth_window(self, u: Unit) -> None:
        D = self.D
        # in: born 364 days before D (the 365 days up to and including D); out: 365 days before
        self._sc_family(u, [(D - dt.timedelta(days=364), "M"), (self._yrs(3.2), "F")])
        self._sc_family(u, [(D - dt.timedelta(days=365), "F")])
        # born on D itself: in; the mother has no bank account (a caseworker's list)
        m, _, _ = self._sc_family(u, [(D, "M"), (self._yrs(2.5), "M")], father=False)
        m.iban = None

    def _sc_twins(self, u: Unit) -> None:
        D = self.D
        tw = D - dt.timedelta(days=120)
        # twins after two children: the lower IIN is birth order 3, the other 4 (63 MCI)
        self._sc_family(u, [(self._yrs(6.1), "F"), (self._yrs(3.4), "M"), (tw, "M"), (tw, "M")])
        # already received: a one-off birth benefit dated after the birth; childcare being paid
        b = D - dt.timedelta(days=40)
        m, _, _ = self._sc_family(u, [(b, "F")])
        self._benefit(u, m, "birth", b + dt.timedelta(days=20))
        self._benefit(u, m, "childcare_1_5", b + dt.timedelta(days=25), add_months(b, 18) - DAY)

    def _sc_childcare_18m(self, u: Unit) -> None:
        D = self.D
        b_in = latest(lambda b: add_months(b, 18), D, add_months(D, -18)) + DAY  # turns 18 months after D
        # in: D is before the 18-month day (normally tomorrow); out: turned 18 months today
        self._sc_family(u, [(b_in, "F"), (self._yrs(4.5), "M")])
        self._sc_family(u, [(b_in - DAY, "M")])

    def _sc_childcare_carer(self, u: Unit) -> None:
        D = self.D
        b = D - dt.timedelta(days=240)
        m, _, _ = self._sc_family(u, [(b, "M")])            # out: the mother is employed (insured)
        self._sc_job(u, m, b - self._days(3), None)
        self._sc_months(u, m, [ym(D, -k) for k in range(1, 4)], 310_000)
        m2, _, _ = self._sc_family(u, [(b, "F")])           # in: her job ended before the birth
        self._sc_job(u, m2, b - self._days(4), b - dt.timedelta(days=30))
        # the mother died: the father (not employed) is the carer; also burial, breadwinner_loss
        b3 = D - dt.timedelta(days=300)
        m3, _, _ = self._sc_family(u, [(b3, "F"), (self._yrs(5), "M")])
        m3.death = D - dt.timedelta(days=200)
        m3.corr = ("death", None)

    def _sc_disabled_child(self, u: Unit) -> None:
        D = self.D
        _, _, (older, younger) = self._sc_family(u, [(self._yrs(10.3), "M"), (self._yrs(7.2), "F")])
        # in: covering D (valid_to = D, inclusive); out: re-examination was due yesterday
        self._fact(u, younger, "disability", D - dt.timedelta(days=700), D, group="child")
        self._fact(u, older, "disability", D - dt.timedelta(days=730), D - DAY, group="child")

    def _sc_disability_age18(self, u: Unit) -> None:
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

    def _sc_disability_dead(self, u: Unit) -> None:
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

    def _large(self, u: Unit, boundary: tuple[dt.date, str], **kw) -> tuple[Member, Member | None, list[Member]]:
        kids = [boundary, (self._yrs(14.6), "F"), (self._yrs(11.1), "M"), (self._yrs(7.4), "F")]
        return self._sc_family(u, kids, mother_age_at_first=24.5, **kw)

    def _sc_large_family_18(self, u: Unit) -> None:
        D = self.D
        t18 = youngest_aged(D, 18)
        self._large(u, (t18 + DAY, "M"))   # in: the eldest is still 17 -> 4 dependants
        self._large(u, (t18, "M"))         # out: the eldest turned 18 -> 3

    def _sc_large_family_student(self, u: Unit) -> None:
        D = self.D
        b19 = self._yrs(19.4)
        start = dt.date(b19.year + 18, 9, 1)
        _, _, (s1, *_r) = self._large(u, (b19, "F"))
        self._fact(u, s1, "student", start, D + dt.timedelta(days=400))        # in: a student aged 19
        _, _, (s2, *_r) = self._large(u, (b19 - dt.timedelta(days=3), "M"))
        self._fact(u, s2, "student", start, D - DAY)                           # out: studies ended yesterday

    def _sc_large_family_address(self, u: Unit) -> None:
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

    def _sc_alqa(self, u: Unit) -> None:
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

    def _sc_alqa_out(self, u: Unit) -> None:
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

    def _sc_targeted(self, u: Unit) -> None:
        D = self.D
        months = [ym(D, -k) for k in (3, 2, 1)]
        limit = self.line * 3 * 4  # 4 members, 3 months
        ceil = int(limit.to_integral_value(rounding=ROUND_CEILING))
        for total in (ceil - 1, ceil):  # in: just below the line; out: at or just above it
            _, f, _ = self._sc_family(u, [(self._yrs(8.5), "M"), (self._yrs(4.2), "F")])
            self._sc_job(u, f, D - self._days(4), None)
            base = total // 3
            for i, (y, mo) in enumerate(months):
                amt = base + (total - base * 3 if i == 2 else 0)
                self._sc_months(u, f, [(y, mo)], amt)

    def _sc_burial(self, u: Unit) -> None:
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

    def _sc_breadwinner(self, u: Unit) -> None:
        D = self.D
        for days in (200, 365):   # in: father died D-200; out: D-365 (outside the 365 days up to D)
            kids = [(self._yrs(20.5), "M"), (self._yrs(10.2), "F"), (self._yrs(6.3), "M")]
            _, f, _ = self._sc_family(u, kids, mother_age_at_first=21)
            f.death = D - dt.timedelta(days=days)

    def _sc_orphans(self, u: Unit) -> None:
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

    def _sc_job_loss(self, u: Unit) -> None:
        D = self.D

        def worker(addr, region, sex, days, n_months, gap=False):
            p = self._sc_adult(u, self._yrs(self.rng.uniform(28, 50)), sex, addr, region)
            vf = D - dt.timedelta(days=days)
            mlist = [ym(vf, -k) for k in range(1, n_months + 2 if gap else n_months + 1)]
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

    def _sc_employment_measures(self, u: Unit) -> None:
        D = self.D
        t16 = youngest_aged(D, 16)
        for b in (t16, t16 + DAY):  # in: aged 16; out: still 15
            _, _, (c,) = self._sc_family(u, [(b, "M")])
            self._fact(u, c, "unemployed", D - dt.timedelta(days=5), None)
        # out: the youngest man who has reached pension age by D; in: one day younger
        b_out = latest(lambda x: pension_date(x, "M"), D, add_years(D, -63))
        for b in (b_out, b_out + DAY):
            p = self._sc_adult(u, b, "M", *self._sc_addr())
            self._fact(u, p, "unemployed", D - dt.timedelta(days=40), None)

    def _sc_work_capacity(self, u: Unit) -> None:
        D = self.D
        for days, pct, n in ((100, 30, 6), (100, 29, 6), (100, 40, 5), (365, 50, 12), (364, 30, 6)):
            p = self._sc_adult(u, self._yrs(self.rng.uniform(30, 55)), "MF"[n % 2], *self._sc_addr())
            vf = D - dt.timedelta(days=days)
            months = [ym(vf, -k) for k in range(1, n + 1)]
            self._sc_job(u, p, vf - self._days(4), vf - DAY)
            self._sc_months(u, p, months, self.rng.randint(200, 500) * 1000)
            self._fact(u, p, "disability", vf, vf + dt.timedelta(days=729), group="3",
                       work_capacity_loss_percent=pct)

    def _sc_pension(self, u: Unit) -> None:
        D = self.D

        def born_for(target: dt.date, sex: str) -> dt.date:
            """Latest birth date reaching pension age on or before target."""
            return latest(lambda x: pension_date(x, sex), target, add_years(target, -63 if sex == "M" else -61))

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

    def _sc_kandas(self, u: Unit) -> None:
        D = self.D
        addr = self._addr(region := self.rng.choice(KANDAS_REGIONS))
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
