"""Batched reads of people and what the flow knows of them: the API's loaders call these.

Every function takes many keys and costs one store call per kind of thing, whatever the
number of keys: one GraphQL response that shows fifty people asks the store once per kind,
not fifty times. Each read is written for one key (``$key``: a person by IIN, an address by
id) and widens from it along links, so both engines serve it from their key index;
``Store.read_keyed`` runs it for all the keys in the way the engine serves fastest. What the
flow made for a person (offers, assignments, payments, audit events) hangs from them by a
link (``model.OWNER_LINKS``), never looked up by a property: LadybugDB has no secondary
indexes, and such a lookup scanned the whole table for every card.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from familycard.graph import dialect, model
from familycard.graph.audit import told_order
from familycard.graph.store import Row, Store

PERSON_FIELDS = ("iin", "surname", "given_name", "patronymic", "birth_date", "sex", "death_date",
                 "address_id", "phone", "bank_account", "citizenship", "source", "recorded_at")
_PERSON = ", ".join(f"p.{f} AS {f}" for f in PERSON_FIELDS)
_KIN = ", ".join(f"q.{f} AS {f}" for f in PERSON_FIELDS)
_LINK = "l.since AS since, l.until AS until, l.source AS link_source, l.recorded_at AS link_recorded_at"

# (link type, whether the link points at the person) -> the relation as seen from the person
RELATION = {
    ("PARENT_OF", True): "parent", ("PARENT_OF", False): "child",
    ("SPOUSE_OF", True): "spouse", ("SPOUSE_OF", False): "spouse",
    ("GUARDIAN_OF", True): "guardian", ("GUARDIAN_OF", False): "ward",
}
_LINK_TYPES = "|".join(sorted({t for t, _ in RELATION}))


@lru_cache(maxsize=None)
def _relations_queries(engine: str) -> tuple[tuple[bool, str], ...]:
    # Two reads (links out of, links into the person), each over every link type.
    return tuple(
        (inward, f"MATCH (p:Person {{iin: $key}}){'<-' if inward else '-'}[l:{_LINK_TYPES}]{'-' if inward else '->'}"
                 f"(q:Person) RETURN $key AS of, {dialect.rel_type(engine, 'l')} AS link_type, {_KIN}, {_LINK}")
        for inward in (False, True))


_FACT_FIELDS = ("key", "type", "valid_from", "valid_to", "disability_group", "work_capacity_loss_percent",
                "employer_bin", "month", "amount_kzt", "name", "benefit", "source", "recorded_at")
_OFFER_FIELDS = ("key", "code", "iin", "subject", "event", "amount_kzt", "periodicity", "first_as_of", "as_of",
                 "attempt", "status", "number", "phone", "offered_at", "sent_at", "deadline", "answered_at")
_ASSIGNMENT_FIELDS = ("key", "code", "iin", "subject", "event", "periodicity", "amount_kzt", "assigned_on",
                      "assigned_at", "status", "ended_on")
_PAYMENT_FIELDS = ("key", "order_id", "assignment", "code", "iin", "subject", "month", "amount_kzt",
                   "bank_account", "name", "status", "created_at")
_EVENT_FIELDS = ("key", "iin", "kind", "at", "cause", "ref", "detail")


def _cols(var: str, fields: Sequence[str]) -> str:
    return ", ".join(f"{var}.{f} AS {f}" for f in fields)


def _grouped(rows: Iterable[Row], by: str, keys: Iterable[str]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {k: [] for k in keys}
    for r in rows:
        out[r.pop(by)].append(r)
    return out


def _unique(keys: Iterable[str | None]) -> list[str]:
    return sorted({k for k in keys if k})


def persons(store: Store, iins: Iterable[str]) -> dict[str, Row]:
    """The stored persons among ``iins``, by IIN (absent ones are left out)."""
    keys = _unique(iins)
    rows = store.read_keyed(f"MATCH (p:Person {{iin: $key}}) RETURN {_PERSON}", keys) if keys else []
    return {r["iin"]: r for r in rows}


def relations(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """Each person's kin: the relation as seen from them, the kin's person fields and the
    link's dates and provenance; ordered by relation, birth date, IIN."""
    keys = _unique(iins)
    if not keys:
        return {}
    out: dict[str, list[Row]] = {k: [] for k in keys}
    for inward, q in _relations_queries(store.engine):
        for r in store.read_keyed(q, keys):
            of = r.pop("of")
            r["inward"] = inward
            r["relation"] = RELATION[(r["link_type"], inward)]
            out[of].append(r)
    for rows in out.values():
        rows.sort(key=lambda r: (r["relation"], r["birth_date"] or dt.date.min, r["iin"]))
    return out


def households(store: Store, address_ids: Iterable[str]) -> dict[str, list[Row]]:
    """Who is registered at each address, by birth date."""
    keys = _unique(address_ids)
    if not keys:
        return {}
    rows = store.read_keyed(f"MATCH (a:Address {{id: $key}})<-[:LIVES_AT]-(q:Person) RETURN $key AS at, {_KIN}", keys)
    out = _grouped(rows, "at", keys)
    for members in out.values():
        members.sort(key=lambda r: (r["birth_date"] or dt.date.min, r["iin"]))
    return out


def _per_person(store: Store, iins: Iterable[str], link: str, label: str, fields: Sequence[str],
                order: Sequence[str]) -> dict[str, list[Row]]:
    keys = _unique(iins)
    if not keys:
        return {}
    q = f"MATCH (p:Person {{iin: $key}})-[:{link}]->(x:{label}) RETURN $key AS of, {_cols('x', fields)}"
    out = _grouped(store.read_keyed(q, keys), "of", keys)

    def sort_key(r: Row) -> tuple:
        return tuple((r[f] is None, r[f] if r[f] is not None else 0) for f in order)

    for rows in out.values():
        rows.sort(key=sort_key)
    return out


def _owned(label: str) -> str:
    return model.OWNER_LINKS[label].name


def facts(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """Each person's registry facts, oldest first (monthly ones in month order)."""
    return _per_person(store, iins, "HAS_FACT", "Fact", _FACT_FIELDS, ("valid_from", "type", "month", "key"))


def offers(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """The offers made to each person (as recipient), newest first by the day they were found."""
    out = _per_person(store, iins, _owned("Offer"), "Offer", _OFFER_FIELDS, ("first_as_of", "code", "key"))
    return {k: rows[::-1] for k, rows in out.items()}


def assignments(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    return _per_person(store, iins, _owned("Assignment"), "Assignment", _ASSIGNMENT_FIELDS, ("assigned_at", "key"))


def payments(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """Payment orders to each person, newest month first."""
    out = _per_person(store, iins, _owned("Payment"), "Payment", _PAYMENT_FIELDS, ("month", "key"))
    return {k: rows[::-1] for k, rows in out.items()}


def events(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """The audit events about each person (their offers', SMS', assignments' and payments'
    state changes), in the order they happened; ``ref`` says whose."""
    out = _per_person(store, iins, _owned("Event"), "Event", _EVENT_FIELDS, ())
    for evs in out.values():
        evs.sort(key=told_order)
    return out


@dataclass
class FamilyGraph:
    """People within ``hops`` kinship links of a person, and the links among them."""
    root: str
    hops: int
    persons: dict[str, Row] = field(default_factory=dict)
    distance: dict[str, int] = field(default_factory=dict)
    edges: list[Row] = field(default_factory=list)  # type, from, to, since, until, source, recorded_at
    truncated: bool = False


def family_graph(store: Store, iin: str, hops: int, max_persons: int = 500) -> FamilyGraph | None:
    """Breadth first, one batched call per hop (at most ``hops`` + 2 store calls), each link
    once, in its stored direction. Beyond ``max_persons`` no one is added (``truncated``)."""
    found = persons(store, [iin])
    if not found:
        return None
    g = FamilyGraph(iin, hops, dict(found), {iin: 0})
    seen_edges: set[tuple] = set()
    frontier = [iin]
    for depth in range(1, hops + 2):
        if not frontier:
            break
        # The last round adds no one: it finds the links among the outermost people (two
        # spouses both `hops` away), so that the drawing is complete.
        closing = depth > hops
        kin = relations(store, frontier)
        nxt: list[str] = []
        for person in frontier:
            for r in kin.get(person, ()):
                if r["iin"] not in g.persons:
                    if closing:
                        continue
                    if len(g.persons) >= max_persons:
                        g.truncated = True
                        continue
                    g.persons[r["iin"]] = {f: r[f] for f in PERSON_FIELDS}
                    g.distance[r["iin"]] = depth
                    nxt.append(r["iin"])
                ltype = r["link_type"]
                a, b = (r["iin"], person) if r["inward"] else (person, r["iin"])
                if (ltype, a, b) not in seen_edges:
                    seen_edges.add((ltype, a, b))
                    g.edges.append({"type": ltype, "from": a, "to": b, "since": r["since"], "until": r["until"],
                                    "source": r["link_source"], "recorded_at": r["link_recorded_at"]})
        frontier = nxt
    g.edges.sort(key=lambda e: (e["type"], e["from"], e["to"]))
    return g


def find_offers(store: Store, *, code: str | None = None, status: str | None = None,
                found_from: dt.date | None = None, found_to: dt.date | None = None,
                address_id: str | None = None, skip: int = 0, limit: int = 100) -> tuple[list[Row], int]:
    """Offers across everyone, newest first, filtered; with how many match in all.

    The WHERE is assembled from fixed clauses, one per filter that is set; the values are
    always parameters."""
    where, params = [], {"skip": skip, "limit": limit}
    for clause, name, value in (("o.code = $code", "code", code), ("o.status = $status", "status", status),
                                ("o.first_as_of >= $found_from", "found_from", found_from),
                                ("o.first_as_of <= $found_to", "found_to", found_to)):
        if value is not None:
            where.append(clause)
            params[name] = value
    if address_id is not None:  # the recipients registered at that address
        params["address_id"] = address_id
        head = f"MATCH (:Address {{id: $address_id}})<-[:LIVES_AT]-(:Person)-[:{_owned('Offer')}]->(o:Offer) "
    else:
        head = "MATCH (o:Offer) "
    cond = f"WHERE {' AND '.join(where)} " if where else ""
    total = store.read(f"{head}{cond}RETURN count(o) AS n", params)[0]["n"]
    rows = store.read(f"{head}{cond}RETURN {_cols('o', _OFFER_FIELDS)} "
                      f"ORDER BY o.first_as_of DESC, o.key SKIP $skip LIMIT $limit", params)
    return rows, total
