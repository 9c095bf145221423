"""The random units: a single adult, a family, an old couple with their grown children's homes,
a kandas family, orphans in a grandmother's care; their children, marriages, deaths and awards.
"""
from __future__ import annotations

import datetime as dt

from familycard.dates import add_years, age
from familycard.synthetic.names import KANDAS_FROM, KANDAS_REGIONS
from familycard.synthetic.parameters import (
    AWARDED,
    BASE_DAY,
    CHILDREN_ELDERLY,
    CHILDREN_YOUNG,
    DAY,
    DEAD_BY_AGE,
    ELDERLY_AGE,
    RECEIVED,
)
from familycard.synthetic.units import Builder, Member, Unit


class Households(Builder):
    """The random units' people and links (population._Generator._random_unit picks the kind)."""

    def _birth_for_age(self, lo: float, hi: float) -> dt.date:
        return self.D - dt.timedelta(days=self.rng.randint(int(lo * 365.25), int(hi * 365.25)))

    def _unit_single(self, u: Unit) -> None:
        region = self._region()
        sex = "M" if self.rng.random() < 0.55 else "F"
        self._person(u, self._birth_for_age(18, 36), sex, self._addr(region), region)

    def _unit_family(self, u: Unit) -> None:
        region = self._region()
        mb = self._birth_for_age(19.5, 60)
        anchor = self._person(u, mb, "F", self._addr(region), region)
        self._family(u, anchor, 0)

    def _unit_elderly(self, u: Unit, alone: bool = False) -> None:
        """An old couple (or widow) with their grown children's families; or without them in the feed."""
        region = self._region()
        mb = self.D - self._days(self.rng.triangular(*ELDERLY_AGE))
        anchor = self._person(u, mb, "F", self._addr(region), region)
        self._family(u, anchor, 0, elderly=True, n=0 if alone else None)

    def _n_children(self, elderly: bool) -> int:
        r = self.rng.random()
        for cum, n in CHILDREN_ELDERLY if elderly else CHILDREN_YOUNG:
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

    def _at_least_19(self, born: dt.date) -> dt.date:
        """A spouse drawn younger than 19 is made 19 to 21, spread by the drawn date itself (no
        draw of its own, so the rest of the population stays as it was). Made exactly 19, they
        all shared one birthday: 2,105 women born 2007-11-25 in 1 M people, and at 5 M that day
        ran out of IIN serials (about 9,000 a day and sex)."""
        latest = add_years(self.D, -19)
        return born if born <= latest else latest - dt.timedelta(days=born.toordinal() % 730)

    def _family(self, u: Unit, anchor: Member, depth: int, elderly: bool = False, n: int | None = None) -> None:
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
            mb = self._at_least_19(mb)
        fb = self._at_least_19(fb)
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
        kid_objs: list[Member] = []
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
                q = next(q for upto, q in DEAD_BY_AGE if pa < upto)
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

    def _awards(self, u: Unit, mother: Member | None) -> None:
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
                if mother.death is None and rng.random() < RECEIVED["alqa_mother"]:
                    self._benefit(u, mother, "alqa_mother", BASE_DAY + dt.timedelta(days=rng.randint(0, 3000)))
            return
        if n >= 10 and rng.random() < 0.5:
            name, k = "mother_heroine", 10
        elif n >= 7:
            name, k = "altyn_alqa", 7
        else:
            name, k = "kumis_alqa", 6
        day = max(add_years(kids[k - 1], 1), dt.date(1996, 1, 1)) + dt.timedelta(days=rng.randint(30, 600))
        if day <= D and (mother.death is None or day < mother.death) and rng.random() < AWARDED:
            self._fact(u, mother, "award", day, name=name)
            if mother.death is None and rng.random() < RECEIVED["alqa_mother"]:
                self._benefit(u, mother, "alqa_mother", day + dt.timedelta(days=rng.randint(10, 60)))

    def _unit_kandas(self, u: Unit) -> None:
        rng, D = self.rng, self.D
        region = rng.choice(KANDAS_REGIONS)
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
        country = rng.choice(KANDAS_FROM)
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

    def _unit_orphans(self, u: Unit) -> None:
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
