"""The family card of one person as a reader sees it (``familycard card``, the demo): who they
are, their kin, their household and their facts, each with the registry and date it came from.

Read with the API's reads (``people.card_now``): one read of a card for the CLI and the API.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from familycard.dates import age
from familycard.graph.cards.people import card_now, persons_now
from familycard.graph.store import Store

#: The parts of the API's card a reader's card shows.
_PARTS = ("relations", "household", "facts")


def family_card(store: Store, iin: str) -> dict[str, Any] | None:
    """{"person": row, "relations": [...], "household": [...], "facts": [...]} as ``people.card``
    gives them, the household without the person; None if no such person."""
    card = card_now(store, iin, _PARTS)
    if card is None:
        return None
    # The API's household is everyone at the address; the reader's, the others living there.
    card["household"] = [r for r in card["household"] if r["iin"] != iin]
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
        lines.append(f"  {r['relation']:<8} {_who(r, today)}{span}  "
                     f"({r['link_source']}, {r['link_recorded_at']:%Y-%m-%d})")
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
    return {k: " ".join(x for x in (r["surname"], r["given_name"]) if x)
            for k, r in persons_now(store, iins).items()}


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
