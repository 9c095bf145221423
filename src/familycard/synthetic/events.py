"""The kinds of change a day brings (``CHANGE_WEIGHTS``' names): ``_ev_<kind>`` draws one event from
the sample's pools and returns its records, or [] when it found no candidate.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from familycard.dates import add_months, add_years, age, month_len
from familycard.schema.records import link_key
from familycard.synthetic.day_records import DayRecords, Later
from familycard.synthetic.names import FEMALE_NAMES, MALE_NAMES, employer_bin
from familycard.synthetic.parameters import BENEFIT_SOURCE, CONTRIBUTION_RATE, DAY, MW
from familycard.synthetic.sample import AWARD_RANK, BIRTH_DAYS, Kin, Who


class Events(DayRecords):
    """One method a kind of change, ``_ev_<kind>``, and what they share."""

    def _ev_birth(self) -> list[dict]:
        rng, day = self.rng, self.day
        born = day - dt.timedelta(days=min(rng.randint(0, BIRTH_DAYS), rng.randint(0, BIRTH_DAYS)))

        def ok(m: Who) -> bool:
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
        out: list[dict | Later] = []
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
            who = Who(iin, born, sex, None, m.addr)
            self.people[iin] = who
            self.children.setdefault(m.iin, []).append(Kin(who, None))
        self.parents_today.add(m.iin)
        if father is not None:
            self.parents_today.add(father.iin)
        return out

    def _child(self, iin: str, born: dt.date, sex: str, given: str, kazakh: bool, ts: str,
               mother: Who, father: Who | None) -> Later:
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

        return Later((mother.iin,) + ((father.iin,) if father else ()), make)

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

    def _related(self, a: Who, b: Who) -> bool:
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

        def ok(c: Who) -> bool:
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
            def jobs(p: Who) -> list[dict]:
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

        def name_for(p: Who) -> str | None:
            n = len(self.children.get(p.iin, ()))
            name = ("mother_heroine" if n >= 10 and rng.random() < 0.5 else "altyn_alqa") if n >= 7 else "kumis_alqa"
            have = [AWARD_RANK[f["name"]] for f in self.facts.get(p.iin, ()) if f["type"] == "award"]
            return name if not have or max(have) < AWARD_RANK[name] else None

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
