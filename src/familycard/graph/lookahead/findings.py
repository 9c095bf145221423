"""Data-quality findings: contradictions between registries that a caseworker should clear,
each with the persons involved.

Each kind is one or two whole-graph reads (no per-person loop): the engine filters and groups,
Python finishes what portable Cypher cannot say (a month compared with a death date, 300 days
before a birth, kinship within a group of account holders). Nothing quadratic: duplicates are
grouped by name and birth date, shared accounts by account, and only the few holders of one
account are checked against each other.

What a finding says: the persons it is about (``iins``) and, in ``detail``, the dates and
record names that make the contradiction. Never a phone, a bank account or a name (a
duplicate's detail says which fields agree, not what they hold); a child alone names the child,
not the neighbours registered elsewhere in the building.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from familycard.dates import add_years
from familycard.graph.rules.bounds import latest_birth_reaching
from familycard.graph.store import Row, Store

__all__ = ["FINDING_KINDS", "DataFinding", "FindingKind", "findings", "ADULT_YEARS", "FATHER_DAYS"]

#: A person is an adult from their 18th birthday on (the day itself counts).
ADULT_YEARS = 18
#: A father may die up to this many days before the birth (the presumption of paternity of the
#: Marriage and Family Code, art. 56: a child born within 300 days of the husband's death).
FATHER_DAYS = 300


@dataclass(frozen=True)
class FindingKind:
    code: str
    title: str          # a short English title
    why: str            # why it matters, one sentence
    clears: str         # what record clears it, one sentence


def _kind(code: str, title: str, why: str, clears: str) -> tuple[str, FindingKind]:
    return code, FindingKind(code, title, why, clears)


#: every kind, in the order `familycard findings` reports them
FINDING_KINDS: dict[str, FindingKind] = dict([
    _kind("two_open_spouses", "Two open marriages",
          "A living person has SPOUSE_OF links to two living persons, both open on the day, so "
          "household and survivor rules count two spouses where the law allows one.",
          "ZAGS records the earlier marriage's end (`until`), or corrects the link that was never a marriage."),
    _kind("dead_receiving", "Benefit after death",
          "A `benefit` fact still covers days after its receiver's death, so money may be paid to no one "
          "and rules that skip people already receiving it skip them wrongly.",
          "The paying body records the benefit's end (`valid_to` on or before the death), or GBD_FL "
          "corrects a wrong death date."),
    _kind("income_after_death", "Income after death",
          "KGD reports income for a month after the month of death: either the death date or the income "
          "is wrong, and household income rules count it.",
          "KGD withdraws or corrects the month's income record, or GBD_FL corrects the death date."),
    _kind("possible_duplicate_person", "Possible duplicate person",
          "Two or more IINs share surname, given name, patronymic and birth date: one person may be "
          "counted twice (two households, two rights) or a child credited to the wrong parent.",
          "GBD_FL confirms they are different people or merges the records (links and facts moved to one IIN)."),
    _kind("child_alone", "Child registered without an adult",
          "A living child under 18 is registered at an address where no living adult is registered, so "
          "no household rule finds a parent or guardian to offer the child's rights to.",
          "The child's registration is moved to the parent's or guardian's address, or the adult's "
          "registration (or a wrong death date) is corrected."),
    _kind("shared_bank_account", "Bank account shared by non-kin",
          "One bank account is registered for persons who are not parent, child, spouse, guardian or "
          "ward of each other, nor kin through one person between them: payments for one may reach another.",
          "GBD_FL (from the bank) corrects the account of the person it does not belong to, or ZAGS/MIO "
          "records the missing kinship or guardianship link."),
    _kind("parent_died_before_birth", "Parent died before the birth",
          f"A mother died before her child's birth, or a father more than {FATHER_DAYS} days before it: "
          "the link or one of the dates is wrong, and survivor and family rules follow it.",
          "ZAGS corrects the PARENT_OF link, or GBD_FL corrects the death or birth date."),
    _kind("employed_and_unemployed", "Employed and unemployed",
          "An `employment` and an `unemployed` fact both cover the day: unemployment and job-loss rules "
          "and the employment centre count a person who is at work.",
          "ESP ends the employment (`valid_to`) or the unemployed registration, whichever is out of date."),
    _kind("order_after_death", "Payment order after death",
          "A payment order was issued for a month after its recipient's month of death: money went, or "
          "is going, to a dead person's account.",
          "The assignment is ended and the order recalled with the bank; or GBD_FL corrects a wrong death date."),
])


@dataclass(frozen=True)
class DataFinding:
    kind: str                   # a key of FINDING_KINDS
    iins: tuple[str, ...]       # the persons involved, sorted; only those the finding is about
    detail: str                 # English; dates and record names, no phone or account

    def record(self) -> dict[str, Any]:
        """The JSON line of `familycard findings --json`."""
        return {"kind": self.kind, "iins": list(self.iins), "detail": self.detail}


# --------------------------------------------------------------------------------- helpers

_ALIVE = "({v}.death_date IS NULL OR {v}.death_date > $d)"
_COVERS = "{v}.valid_from <= $d AND ({v}.valid_to IS NULL OR {v}.valid_to >= $d)"  # valid_to inclusive
_LINK_OPEN = "({v}.since IS NULL OR {v}.since <= $d) AND ({v}.until IS NULL OR {v}.until > $d)"


def _alive(v: str) -> str:
    return _ALIVE.format(v=v)


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else "open-ended"


def _month(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _quoted(text: str) -> str:
    """A feed's free text (an address code) in double quotes, control characters escaped."""
    return json.dumps(text, ensure_ascii=False)


def _finding(kind: str, iins: Iterable[str], detail: str) -> DataFinding:
    return DataFinding(kind, tuple(sorted(set(iins))), detail)


def _months(months: list[str]) -> str:
    months = sorted(set(months))
    return months[0] if len(months) == 1 else f"{len(months)} months, {months[0]} to {months[-1]}"


# --------------------------------------------------------------------------------- the kinds

def _two_open_spouses(store: Store, d: dt.date) -> list[DataFinding]:
    # A SPOUSE_OF is stored once, from the lower IIN to the higher: each open link is read once,
    # in its stored direction (Neo4j scans the links by type; the undirected pattern from every
    # person expanded all their links, 7x the store reads), and counted for both of its ends.
    rows = store.read(
        f"MATCH (a:Person)-[s:SPOUSE_OF]->(b:Person) WHERE {_LINK_OPEN.format(v='s')} "
        f"AND {_alive('a')} AND {_alive('b')} "
        "UNWIND [{p: a.iin, q: b.iin}, {p: b.iin, q: a.iin}] AS e "
        "WITH e.p AS iin, count(*) AS n, collect({iin: e.q, since: s.since, source: s.source}) AS spouses "
        "WHERE n > 1 RETURN iin, spouses", {"d": d})
    out = []
    for r in rows:
        spouses = sorted(r["spouses"], key=lambda s: (s["since"] or dt.date.min, s["iin"]))
        links = "; ".join(f"with {s['iin']} since {s['since'].isoformat() if s['since'] else 'an unknown date'} "
                          f"({s['source']})" for s in spouses)
        out.append(_finding("two_open_spouses", [r["iin"], *(s["iin"] for s in spouses)],
                            f"{r['iin']} has {len(spouses)} SPOUSE_OF links open on {d.isoformat()}: {links}"))
    return out


def _by_iin(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """The rows by their person's IIN, in the order read."""
    by: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by[r["iin"]].append(r)
    return by


def _dead_receiving(store: Store, d: dt.date) -> list[DataFinding]:
    rows = store.read(
        "MATCH (f:Fact) WHERE f.type = 'benefit' MATCH (p:Person)-[:HAS_FACT]->(f) "
        "WHERE p.death_date IS NOT NULL AND p.death_date <= $d "
        "AND (f.valid_to IS NULL OR f.valid_to > p.death_date) "
        "RETURN p.iin AS iin, p.death_date AS died, f.benefit AS benefit, f.valid_from AS valid_from, "
        "f.valid_to AS valid_to, f.source AS source", {"d": d})
    by = _by_iin(rows)
    out = []
    for iin, facts in by.items():
        facts.sort(key=lambda r: (r["valid_from"], r["benefit"] or ""))
        what = "; ".join(f"benefit fact '{r['benefit']}' ({r['source']}) from {r['valid_from'].isoformat()} "
                         f"to {_iso(r['valid_to'])}" for r in facts)
        out.append(_finding("dead_receiving", [iin], f"died {facts[0]['died'].isoformat()}; {what}"))
    return out


def _income_after_death(store: Store, d: dt.date) -> list[DataFinding]:
    # An income fact's valid_from is the first day of its month (records.md; ingest checks it),
    # so "a month after the month of death" is exactly valid_from after the death date. Read
    # from the dead (a few in a hundred) and every fact of theirs that begins after the death,
    # the type checked here: with `f.type = 'income'` in the query Neo4j planned from the
    # Fact(type) index (all 564 k income facts of a 100 k-people graph, 1.1 M store reads, 3.9 s),
    # and a WITH to stop it made LadybugDB join all facts (3 s against 0.03 s).
    rows = [r for r in store.read(
        "MATCH (p:Person) WHERE p.death_date IS NOT NULL AND p.death_date <= $d "
        "MATCH (p)-[:HAS_FACT]->(f:Fact) WHERE f.valid_from > p.death_date "
        "RETURN p.iin AS iin, p.death_date AS died, f.type AS type, f.month AS month, f.source AS source",
        {"d": d}) if r["type"] == "income"]
    by = _by_iin(rows)
    return [_finding("income_after_death", [iin],
                     f"died {rs[0]['died'].isoformat()}; income reported for {_months([r['month'] for r in rs])} "
                     f"({', '.join(sorted({r['source'] for r in rs}))})")
            for iin, rs in by.items()]


def _possible_duplicate_person(store: Store, d: dt.date) -> list[DataFinding]:
    # Grouped by the engine: one pass over persons, no pairs.
    rows = store.read(
        "MATCH (p:Person) WHERE p.birth_date <= $d "
        "WITH p.surname AS s, p.given_name AS g, coalesce(p.patronymic, '') AS pa, p.birth_date AS b, "
        "count(*) AS n, collect(p.iin) AS iins WHERE n > 1 RETURN b AS born, iins", {"d": d})
    return [_finding("possible_duplicate_person", r["iins"],
                     f"{len(r['iins'])} IINs with the same surname, given name, patronymic and birth date "
                     f"{r['born'].isoformat()}")
            for r in rows]


def adult_born_by(d: dt.date) -> dt.date:
    """The latest birth date of a person who is an adult on ``d`` (the rules' bound)."""
    return latest_birth_reaching(lambda b: add_years(b, ADULT_YEARS), d)


def _child_alone(store: Store, d: dt.date) -> list[DataFinding]:
    params = {"d": d, "adult": adult_born_by(d)}
    living = f"{_alive('p')} AND p.birth_date <= $d"
    rows = store.read(
        f"MATCH (a:Address)<-[:LIVES_AT]-(p:Person) WHERE {living} "
        "WITH a, sum(CASE WHEN p.birth_date <= $adult THEN 1 ELSE 0 END) AS adults WHERE adults = 0 "
        f"MATCH (a)<-[:LIVES_AT]-(p:Person) WHERE {living} "
        "RETURN a.id AS address, p.iin AS iin, p.birth_date AS born", params)
    return [_finding("child_alone", [r["iin"]],
                     f"born {r['born'].isoformat()}, registered at address {_quoted(r['address'])} where no living "
                     f"adult is registered on {d.isoformat()}")
            for r in rows]


def _kin_of(store: Store, iins: list[str]) -> dict[str, set[str]]:
    """Each person's parents, children, spouses, guardians and wards (links open or ended)."""
    out: dict[str, set[str]] = {k: set() for k in iins}
    for arrow in ("-[:PARENT_OF|SPOUSE_OF|GUARDIAN_OF]->", "<-[:PARENT_OF|SPOUSE_OF|GUARDIAN_OF]-"):
        for r in store.read_keyed(f"MATCH (p:Person {{iin: $key}}){arrow}(q:Person) RETURN $key AS of, "
                                  "q.iin AS kin", iins):
            out[r["of"]].add(r["kin"])
    return out


def kin_groups(members: list[str], kin: dict[str, set[str]]) -> list[set[str]]:
    """``members`` split into groups of kin: two are kin when one is linked to the other, or
    both to one same person (siblings, grandparent and grandchild, in-laws, step-parents)."""
    parent = {m: m for m in members}

    def root(m: str) -> str:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for i, a in enumerate(members):
        for b in members[i + 1:]:  # the holders of one account: a handful
            if b in kin[a] or a in kin[b] or kin[a] & kin[b]:
                parent[root(a)] = root(b)
    groups: dict[str, set[str]] = defaultdict(set)
    for m in members:
        groups[root(m)].add(m)
    return list(groups.values())


def _shared_bank_account(store: Store, d: dt.date) -> list[DataFinding]:
    # The account never leaves the engine: grouped there, only the holders come back.
    rows = store.read(
        "MATCH (p:Person) WHERE p.bank_account IS NOT NULL AND p.bank_account <> '' "
        "WITH p.bank_account AS account, count(*) AS n, collect(p.iin) AS iins WHERE n > 1 RETURN iins", {})
    groups = [sorted(set(r["iins"])) for r in rows]
    kin = _kin_of(store, sorted({i for g in groups for i in g}))
    out = []
    for members in groups:
        parts = kin_groups(members, kin)
        if len(parts) > 1:
            out.append(_finding(
                "shared_bank_account", members,
                f"one bank account is registered for {len(members)} persons in {len(parts)} groups with no "
                "kinship between them (no parent, child, spouse, guardian or ward link, nor one person between)"))
    return out


def _parent_died_before_birth(store: Store, d: dt.date) -> list[DataFinding]:
    rows = store.read(
        "MATCH (p:Person) WHERE p.death_date IS NOT NULL MATCH (p)-[:PARENT_OF]->(c:Person) "
        "WHERE c.birth_date > p.death_date AND c.birth_date <= $d "
        "RETURN p.iin AS parent, p.sex AS sex, p.death_date AS died, c.iin AS child, c.birth_date AS born",
        {"d": d})
    out = []
    for r in rows:
        gap = (r["born"] - r["died"]).days
        if r["sex"] == "F" or gap > FATHER_DAYS:
            who = "mother" if r["sex"] == "F" else "father"
            out.append(_finding("parent_died_before_birth", [r["parent"], r["child"]],
                                f"{who} {r['parent']} died {r['died'].isoformat()}, {gap} days before the birth of "
                                f"{r['child']} on {r['born'].isoformat()}"))
    return out


def _employed_and_unemployed(store: Store, d: dt.date) -> list[DataFinding]:
    rows = store.read(
        f"MATCH (u:Fact) WHERE u.type = 'unemployed' AND {_COVERS.format(v='u')} "
        "MATCH (p:Person)-[:HAS_FACT]->(u) MATCH (p)-[:HAS_FACT]->(e:Fact) "
        f"WHERE e.type = 'employment' AND {_COVERS.format(v='e')} "
        "RETURN p.iin AS iin, u.valid_from AS unemployed_from, u.source AS u_source, "
        "e.valid_from AS employed_from, e.source AS e_source", {"d": d})
    by = _by_iin(rows)
    out = []
    for iin, rs in by.items():
        unemployed = sorted({(r["unemployed_from"], r["u_source"]) for r in rs})
        employed = sorted({(r["employed_from"], r["e_source"]) for r in rs})
        out.append(_finding("employed_and_unemployed", [iin],
                            f"on {d.isoformat()}: registered unemployed since "
                            + ", ".join(f"{f.isoformat()} ({s})" for f, s in unemployed)
                            + "; employed since " + ", ".join(f"{f.isoformat()} ({s})" for f, s in employed)))
    return out


def _order_after_death(store: Store, d: dt.date) -> list[DataFinding]:
    # Payment.month is 'YYYY-MM' (the month paid for; a one-off's month of issue): compared here.
    rows = store.read(
        "MATCH (p:Person) WHERE p.death_date IS NOT NULL AND p.death_date <= $d "
        "MATCH (p)-[:HAS_PAYMENT]->(x:Payment) "
        "RETURN p.iin AS iin, p.death_date AS died, x.order_id AS order_id, x.code AS code, x.month AS month",
        {"d": d})
    by = _by_iin(r for r in rows if r["month"] and r["month"] > _month(r["died"]))
    out = []
    for iin, rs in by.items():
        rs.sort(key=lambda r: (r["month"], r["code"], r["order_id"]))
        orders = "; ".join(f"{r['order_id']} ({r['code']}, {r['month']})" for r in rs)
        out.append(_finding("order_after_death", [iin],
                            f"died {rs[0]['died'].isoformat()}; {len(rs)} payment order{'s' * (len(rs) > 1)} "
                            f"for a later month: {orders}"))
    return out


_FIND: dict[str, Callable[[Store, dt.date], list[DataFinding]]] = {
    "two_open_spouses": _two_open_spouses,
    "dead_receiving": _dead_receiving,
    "income_after_death": _income_after_death,
    "possible_duplicate_person": _possible_duplicate_person,
    "child_alone": _child_alone,
    "shared_bank_account": _shared_bank_account,
    "parent_died_before_birth": _parent_died_before_birth,
    "employed_and_unemployed": _employed_and_unemployed,
    "order_after_death": _order_after_death,
}
assert tuple(_FIND) == tuple(FINDING_KINDS)


def findings(store: Store, as_of: dt.date, kinds: list[str] | None = None) -> list[DataFinding]:
    """Sorted by kind (FINDING_KINDS order), then iins."""
    wanted = list(FINDING_KINDS) if not kinds else list(kinds)
    unknown = sorted(set(wanted) - set(FINDING_KINDS))
    if unknown:
        raise ValueError(f"unknown finding kind {', '.join(map(repr, unknown))} "
                         f"(known: {', '.join(FINDING_KINDS)})")
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    found: list[DataFinding] = []
    for kind in sorted(set(wanted), key=order.__getitem__):
        found += _FIND[kind](store, as_of)
    return sorted(found, key=lambda f: (order[f.kind], f.iins, f.detail))
