"""Deliberately bad lines (``BAD_CLASSES``), each breaking a records.md rule by itself or against
the valid graph. Drawn from a ``Random`` of their own, so that ``bad_rate`` never changes the
valid part of the feed; they never reuse a valid record's identity.
"""
from __future__ import annotations

import datetime as dt

from familycard.dates import add_years
from familycard.schema.iin import make_iin
from familycard.synthetic.names import BANK_CODES, iban_check
from familycard.synthetic.units import Builder, Member, Unit


class RawLine(str):
    """A deliberately non-JSON bad line, yielded by ``generate_feed`` as is (written verbatim)."""


BAD_CLASSES = (
    "iin_check_digit", "iin_date", "iin_sex", "impossible_date", "death_before_birth", "bad_iban",
    "bad_phone", "unknown_kind", "unknown_fact_type", "missing_field", "garbage", "self_link",
    "parent_younger", "parent_under_12", "cycle", "third_parent",
)


class BadLines(Builder):
    """A unit's bad lines, each of a class drawn from ``BAD_CLASSES``."""

    def _bad_lines(self, u: Unit, own: list[Member], valid: list[dict]) -> list:
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


def _make_bad(g: BadLines, cls: str, own: list[Member], persons: list[dict], links: list[dict],
              facts: list[dict], u: Unit, used: set[tuple]) -> dict | RawLine:
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
        bban = f"{br.choice(BANK_CODES)}{br.randrange(10 ** 13):013d}"
        cd = iban_check(bban)
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


def _descends(p: Member, c: Member) -> bool:
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


def _link(g: BadLines, ltype: str, a: str, b: str) -> dict:
    return {"kind": "link", "source": "MIO" if ltype == "GUARDIAN_OF" else "ZAGS",
            "recorded_at": f"{g.D.isoformat()}T1{g.bad_rng.randint(0, 3)}:00:00Z", "type": ltype,
            "from": a, "to": b}
