"""The family card of one person: who they are, their kin, their household and their facts.

Portable Cypher only (both engines), all values with the registry and date they came from.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from familycard.dates import age
from familycard.graph.store import Store

_PERSON = ("p.iin AS iin, p.surname AS surname, p.given_name AS given_name, p.patronymic AS patronymic, "
           "p.birth_date AS birth_date, p.sex AS sex, p.death_date AS death_date, p.address_id AS address_id, "
           "p.phone AS phone, p.bank_account AS bank_account, p.citizenship AS citizenship, "
           "p.source AS source, p.recorded_at AS recorded_at")
_KIN = ("q.iin AS iin, q.surname AS surname, q.given_name AS given_name, q.birth_date AS birth_date, "
        "q.sex AS sex, q.death_date AS death_date, q.address_id AS address_id")
_LINK = "l.since AS since, l.until AS until, l.source AS source, l.recorded_at AS recorded_at"

# (relation as seen from the person, query)
_RELATIONS = (
    ("parent", f"MATCH (q:Person)-[l:PARENT_OF]->(p:Person {{iin: $iin}}) RETURN {_KIN}, {_LINK}"),
    ("child", f"MATCH (p:Person {{iin: $iin}})-[l:PARENT_OF]->(q:Person) RETURN {_KIN}, {_LINK}"),
    ("spouse", f"MATCH (p:Person {{iin: $iin}})-[l:SPOUSE_OF]->(q:Person) RETURN {_KIN}, {_LINK}"),
    ("spouse", f"MATCH (q:Person)-[l:SPOUSE_OF]->(p:Person {{iin: $iin}}) RETURN {_KIN}, {_LINK}"),
    ("guardian", f"MATCH (q:Person)-[l:GUARDIAN_OF]->(p:Person {{iin: $iin}}) RETURN {_KIN}, {_LINK}"),
    ("ward", f"MATCH (p:Person {{iin: $iin}})-[l:GUARDIAN_OF]->(q:Person) RETURN {_KIN}, {_LINK}"),
)


def family_card(store: Store, iin: str) -> dict[str, Any] | None:
    found = store.read(f"MATCH (p:Person {{iin: $iin}}) RETURN {_PERSON}", {"iin": iin})
    if not found:
        return None
    card: dict[str, Any] = {"person": found[0], "relations": [], "household": [], "facts": []}
    for relation, q in _RELATIONS:
        for r in store.read(q, {"iin": iin}):
            card["relations"].append({"relation": relation, **r})
    card["relations"].sort(key=lambda r: (r["relation"], r["birth_date"], r["iin"]))
    card["household"] = sorted(store.read(
        f"MATCH (p:Person {{iin: $iin}})-[:LIVES_AT]->(a:Address)<-[:LIVES_AT]-(q:Person) "
        f"WHERE q.iin <> $iin RETURN {_KIN}", {"iin": iin}), key=lambda r: (r["birth_date"], r["iin"]))
    card["facts"] = store.read(
        "MATCH (p:Person {iin: $iin})-[:HAS_FACT]->(f:Fact) RETURN f.type AS type, f.valid_from AS valid_from, "
        "f.valid_to AS valid_to, f.disability_group AS disability_group, "
        "f.work_capacity_loss_percent AS work_capacity_loss_percent, f.employer_bin AS employer_bin, "
        "f.month AS month, f.amount_kzt AS amount_kzt, f.name AS name, f.benefit AS benefit, "
        "f.source AS source, f.recorded_at AS recorded_at ORDER BY valid_from, type, month", {"iin": iin})
    return card


def _who(r: dict, today: dt.date) -> str:
    name = f"{r['surname']} {r['given_name']}"
    life = f"{r['birth_date']}"
    if r.get("death_date"):
        life += f"–{r['death_date']} (died)"
    else:
        life += f", {age(r['birth_date'], today)} y"
    return f"{name} [{r['iin']}] {r['sex']}, {life}"


def render_card(card: dict[str, Any], today: dt.date) -> str:
    p = card["person"]
    lines = [f"Family card: {_who(p, today)}",
             f"  address {p['address_id'] or '—'}; phone {p['phone'] or '—'}; account {p['bank_account'] or '—'}"
             f"  (from {p['source']}, recorded {p['recorded_at']:%Y-%m-%d})"]
    for r in card["relations"]:
        span = ""
        if r["since"] or r["until"]:
            span = f" {r['since'] or '…'}–{r['until'] or ''}"
        lines.append(f"  {r['relation']:<8} {_who(r, today)}{span}  ({r['source']}, {r['recorded_at']:%Y-%m-%d})")
    if card["household"]:
        lines.append(f"  household at {p['address_id']}: " + "; ".join(
            f"{r['given_name']} {r['birth_date'].year}" for r in card["household"]))
    facts: dict[str, list[dict]] = {}
    for f in card["facts"]:
        facts.setdefault(f["type"], []).append(f)
    for ftype, fs in facts.items():
        if ftype in ("income", "contribution"):
            total = sum(f["amount_kzt"] for f in fs)
            lines.append(f"  {ftype:<12} {len(fs)} months {fs[0]['month']}..{fs[-1]['month']}, "
                         f"{total:,} KZT in all ({fs[0]['source']})")
            continue
        for f in fs:
            detail = next((f"{k}={f[k]}" for k in ("disability_group", "name", "benefit", "employer_bin")
                           if f.get(k)), "")
            if f.get("work_capacity_loss_percent") is not None:
                detail += f" loss={f['work_capacity_loss_percent']}%"
            lines.append(f"  {ftype:<12} {f['valid_from']}..{f['valid_to'] or ''} {detail}"
                         f"  ({f['source']}, {f['recorded_at']:%Y-%m-%d})")
    return "\n".join(lines)


def names(store: Store, iins) -> dict[str, str]:
    """"Surname Given-name" of each of ``iins`` the graph knows, for tables a person reads
    (one key lookup an IIN: what each engine serves fastest, ``Store.read_keyed``)."""
    keys = sorted({i for i in iins if i})
    if not keys:
        return {}
    rows = store.read_keyed("MATCH (p:Person {iin: $key}) RETURN p.iin AS iin, p.surname AS surname, "
                            "p.given_name AS given_name", keys)
    return {r["iin"]: " ".join(x for x in (r["surname"], r["given_name"]) if x) for r in rows}


def example_iins(store: Store) -> list[str]:
    """Whose family cards show the graph best (the demo prints them): the two living mothers with
    the most children, then the youngest grandchild who lives with a living grandparent."""
    rows = store.read(
        "MATCH (p:Person)-[:PARENT_OF]->(c:Person) WHERE p.sex = 'F' AND p.death_date IS NULL "
        "WITH p, count(c) AS n ORDER BY n DESC, p.iin LIMIT 2 RETURN p.iin AS iin")
    rows += store.read(
        "MATCH (g:Person)-[:PARENT_OF]->(p:Person)-[:PARENT_OF]->(c:Person) "
        "WHERE g.address_id = c.address_id AND g.death_date IS NULL "
        "RETURN c.iin AS iin ORDER BY c.birth_date DESC, c.iin LIMIT 1")
    return [r["iin"] for r in rows]
