"""Batched reads of people and what the flow knows of them: the API's loaders call these, and
the CLI's family card is read with them too (``card_now``).

Every function takes many keys and costs one store call per kind of thing, whatever the
number of keys: one GraphQL response that shows fifty people asks the store once per kind,
not fifty times. Each kind is a ``Part``: a pattern from one person ``p`` (by IIN; a
household from an address) and the columns it returns. ``Store.read_keyed`` runs a part for
all the keys in the way the engine serves fastest, and ``card`` reads several parts of one
person at once (on Neo4j in one statement: each statement there costs a round trip and
1-2 ms of server CPU). What the flow made for a person (offers, assignments, payments, audit
events) hangs from them by a link (``model.OWNER_LINKS``), never looked up by a property:
LadybugDB has no secondary indexes, and such a lookup scanned the whole table for every card.

Each read is written once, as steps: a generator that yields the store calls it needs
(``_Ask``) and is sent their rows. The API awaits them in its event loop, through the store's
``aread`` calls (see ``Store.aread`` for why not a worker thread); the CLI, which has no loop,
runs the same steps with the blocking calls (the ``*_now`` functions).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from familycard.graph import model
from familycard.graph.flow.history import told_order
from familycard.graph.store import Params, Row, Store, dialect

T = TypeVar("T")

PERSON_FIELDS = ("iin", "surname", "given_name", "patronymic", "birth_date", "sex", "death_date",
                 "address_id", "phone", "bank_account", "citizenship", "source", "recorded_at")
_FACT_FIELDS = ("key", "type", "valid_from", "valid_to", "disability_group", "work_capacity_loss_percent",
                "employer_bin", "month", "amount_kzt", "name", "benefit", "source", "recorded_at")
_OFFER_FIELDS = ("key", "code", "iin", "subject", "event", "amount_kzt", "periodicity", "first_as_of", "as_of",
                 "attempt", "status", "number", "phone", "offered_at", "sent_at", "deadline", "answered_at", "reason")
_ASSIGNMENT_FIELDS = ("key", "code", "iin", "subject", "event", "periodicity", "amount_kzt", "assigned_on",
                      "assigned_at", "status", "ended_on", "reason")
_PAYMENT_FIELDS = ("key", "order_id", "assignment", "code", "iin", "subject", "month", "amount_kzt",
                   "bank_account", "name", "status", "created_at")
_EVENT_FIELDS = ("key", "iin", "kind", "at", "cause", "ref", "detail", "entered_by")
_LINK_FIELDS = (("since", "l.since"), ("until", "l.until"), ("link_source", "l.source"),
                ("link_recorded_at", "l.recorded_at"))

# (link type, whether the link points at the person) -> the relation as seen from the person
RELATION = {
    ("PARENT_OF", True): "parent", ("PARENT_OF", False): "child",
    ("SPOUSE_OF", True): "spouse", ("SPOUSE_OF", False): "spouse",
    ("GUARDIAN_OF", True): "guardian", ("GUARDIAN_OF", False): "ward",
}
_LINK_TYPES = "|".join(sorted({t for t, _ in RELATION}))


@dataclass(frozen=True)
class Part:
    """One kind of thing about a person: ``pattern`` goes from ``(p)``; ``columns`` are
    (name, expression) pairs. ``anchor`` is how the key finds ``p`` when the part is read on
    its own (a household is read by address)."""
    pattern: str
    columns: tuple[tuple[str, str], ...]
    anchor: str = "(p:Person {iin: $key})"

    def by_key(self) -> str:
        """The part for one key (``$key``), each row with its key as ``of``."""
        cols = ", ".join(f"{expr} AS {name}" for name, expr in self.columns)
        return f"MATCH {self.anchor}{self.pattern} RETURN $key AS of, {cols}"

    def collected(self) -> str:
        """The part as a list of maps, inside a statement that has matched ``p`` (Neo4j)."""
        cols = ", ".join(f"{name}: {expr}" for name, expr in self.columns)
        return f"COLLECT {{ MATCH (p){self.pattern} RETURN {{{cols}}} AS row }}"


def _fields(var: str, names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((n, f"{var}.{n}") for n in names)


def _cols(var: str, fields: Sequence[str]) -> str:
    return ", ".join(f"{var}.{f} AS {f}" for f in fields)


def _owned(label: str) -> str:
    return model.OWNER_LINKS[label].name


@cache
def _parts(link_type_function: str) -> dict[str, Part]:
    kin = _fields("q", PERSON_FIELDS) + _LINK_FIELDS + (("link_type", dialect.rel_type(link_type_function, "l")),)
    return {
        # Two parts for kin (links out of, links into the person), each over every link type.
        "kin_out": Part(f"-[l:{_LINK_TYPES}]->(q:Person)", kin),
        "kin_in": Part(f"<-[l:{_LINK_TYPES}]-(q:Person)", kin),
        # From the person in a card; from the address (the key) when read on its own. Two
        # MATCHes: within one pattern Cypher uses a link once, which would leave the person out.
        "household": Part("-[:LIVES_AT]->(a:Address) MATCH (a)<-[:LIVES_AT]-(q:Person)", _fields("q", PERSON_FIELDS)),
        "facts": Part("-[:HAS_FACT]->(x:Fact)", _fields("x", _FACT_FIELDS)),
        "offers": Part(f"-[:{_owned('Offer')}]->(x:Offer)", _fields("x", _OFFER_FIELDS)),
        "assignments": Part(f"-[:{_owned('Assignment')}]->(x:Assignment)", _fields("x", _ASSIGNMENT_FIELDS)),
        "payments": Part(f"-[:{_owned('Payment')}]->(x:Payment)", _fields("x", _PAYMENT_FIELDS)),
        "events": Part(f"-[:{_owned('Event')}]->(x:Event)", _fields("x", _EVENT_FIELDS)),
    }


_HOUSEHOLD = Part("<-[:LIVES_AT]-(q:Person)", _fields("q", PERSON_FIELDS), anchor="(a:Address {id: $key})")
_PERSON = Part("", _fields("p", PERSON_FIELDS))


def _sorted(rows: list[Row], order: Sequence[str]) -> list[Row]:
    return sorted(rows, key=lambda r: tuple((r[f] is None, r[f] if r[f] is not None else 0) for f in order))


def _kin(out_rows: Iterable[Row], in_rows: Iterable[Row]) -> list[Row]:
    rows = []
    for inward, part in ((False, out_rows), (True, in_rows)):
        for r in part:
            r["inward"] = inward
            r["relation"] = RELATION[(r["link_type"], inward)]
            rows.append(r)
    rows.sort(key=lambda r: (r["relation"], r["birth_date"] or dt.date.min, r["iin"]))
    return rows


# How each part's rows are put in order for the API: facts oldest first (monthly ones in month
# order), offers newest first by the day they were found, payments newest month first, audit
# events in the order they happened, a household by birth date.
_FINISH = {
    "household": lambda rows: sorted(rows, key=lambda r: (r["birth_date"] or dt.date.min, r["iin"])),
    "facts": lambda rows: _sorted(rows, ("valid_from", "type", "month", "key")),
    "offers": lambda rows: _sorted(rows, ("first_as_of", "code", "key"))[::-1],
    "assignments": lambda rows: _sorted(rows, ("assigned_at", "key")),
    "payments": lambda rows: _sorted(rows, ("month", "key"))[::-1],
    "events": lambda rows: sorted(rows, key=told_order),
}


def _unique(keys: Iterable[str | None]) -> list[str]:
    return sorted({k for k in keys if k})


@dataclass(frozen=True)
class _Ask:
    """One store call a read needs: ``query`` for each of ``keys`` (``Store.read_keyed``), or
    else once with ``params``."""
    query: str
    keys: Sequence[Any] | None = None
    params: Params = None

    def now(self, store: Store) -> list[Row]:
        if self.keys is not None:
            return store.read_keyed(self.query, self.keys)
        return store.read(self.query, self.params)

    async def later(self, store: Store) -> list[Row]:
        if self.keys is not None:
            return await store.aread_keyed(self.query, self.keys)
        return await store.aread(self.query, self.params)


#: A read's steps: yields the store calls it needs, is sent their rows, returns its result.
_Steps = Generator[_Ask, list[Row], T]


def _run_now(store: Store, steps: _Steps[T]) -> T:
    """A read's steps, with the store's blocking calls (a caller without an event loop)."""
    rows: Any = None
    try:
        while True:
            rows = steps.send(rows).now(store)
    except StopIteration as done:
        return done.value


async def _run(store: Store, steps: _Steps[T]) -> T:
    """A read's steps, awaited in the event loop (see ``Store.aread``)."""
    rows: Any = None
    try:
        while True:
            rows = await steps.send(rows).later(store)
    except StopIteration as done:
        return done.value


def _read(part: Part, keys: list[str]) -> _Steps[dict[str, list[Row]]]:
    out: dict[str, list[Row]] = {k: [] for k in keys}
    if keys:
        for r in (yield _Ask(part.by_key(), keys=keys)):
            out[r.pop("of")].append(r)
    return out


async def _per_person(store: Store, name: str, iins: Iterable[str]) -> dict[str, list[Row]]:
    found = await _run(store, _read(_parts(store.link_type_function)[name], _unique(iins)))
    return {k: _FINISH[name](rows) for k, rows in found.items()}


def _persons(iins: Iterable[str | None]) -> _Steps[dict[str, Row]]:
    return {k: rows[0] for k, rows in (yield from _read(_PERSON, _unique(iins))).items() if rows}


async def persons(store: Store, iins: Iterable[str]) -> dict[str, Row]:
    """The stored persons among ``iins``, by IIN (absent ones are left out)."""
    return await _run(store, _persons(iins))


def persons_now(store: Store, iins: Iterable[str | None]) -> dict[str, Row]:
    """``persons`` with the store's blocking calls (the CLI); empty IINs are left out."""
    return _run_now(store, _persons(iins))


async def relations(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """Each person's kin: the relation as seen from them, the kin's person fields and the
    link's dates and provenance; ordered by relation, birth date, IIN."""
    keys = _unique(iins)
    parts = _parts(store.link_type_function)
    out, inn = await _run(store, _read(parts["kin_out"], keys)), await _run(store, _read(parts["kin_in"], keys))
    return {k: _kin(out[k], inn[k]) for k in keys}


async def households(store: Store, address_ids: Iterable[str]) -> dict[str, list[Row]]:
    """Who is registered at each address, by birth date."""
    found = await _run(store, _read(_HOUSEHOLD, _unique(address_ids)))
    return {k: _FINISH["household"](rows) for k, rows in found.items()}


async def facts(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """Each person's registry facts, oldest first (monthly ones in month order)."""
    return await _per_person(store, "facts", iins)


async def offers(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """The offers made to each person (as recipient), newest first by the day they were found."""
    return await _per_person(store, "offers", iins)


async def assignments(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    return await _per_person(store, "assignments", iins)


async def payments(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """Payment orders to each person, newest month first."""
    return await _per_person(store, "payments", iins)


async def events(store: Store, iins: Iterable[str]) -> dict[str, list[Row]]:
    """The audit events about each person (their offers', SMS', assignments' and payments'
    state changes), in the order they happened; ``ref`` says whose."""
    return await _per_person(store, "events", iins)


#: What ``card`` can read: ``relations`` (both kin parts), ``household`` and the per-person parts.
CARD_PARTS = ("relations", "household", "facts", "offers", "assignments", "payments", "events")


async def card(store: Store, iin: str, wanted: Iterable[str]) -> dict[str, Any] | None:
    """One person and the ``wanted`` parts of their card (``CARD_PARTS``), as the functions
    above give them: {"person": row, "relations": [...], "household": [...], ...}; None if no
    such person. One statement where the store reads a card in one
    (``Store.card_in_one_statement``), else one key lookup a part."""
    return await _run(store, _card(store, iin, wanted))


def card_now(store: Store, iin: str, wanted: Iterable[str]) -> dict[str, Any] | None:
    """``card`` with the store's blocking calls (the CLI)."""
    return _run_now(store, _card(store, iin, wanted))


def _card(store: Store, iin: str, wanted: Iterable[str]) -> _Steps[dict[str, Any] | None]:
    wanted = [w for w in CARD_PARTS if w in set(wanted)]
    parts = _parts(store.link_type_function)
    names = [n for w in wanted for n in (("kin_out", "kin_in") if w == "relations" else (w,))]
    if store.card_in_one_statement:
        cols = ", ".join(f"{parts[n].collected()} AS {n}" for n in names)
        person = ", ".join(f"{expr} AS {name}" for name, expr in _PERSON.columns)
        rows = yield _Ask(f"MATCH (p:Person {{iin: $iin}}) RETURN {person}{', ' + cols if cols else ''}",
                          params={"iin": iin})
        if not rows:
            return None
        got = {n: [dict(r) for r in rows[0].pop(n)] for n in names}
        person_row = rows[0]
    else:
        found = yield from _persons([iin])
        if iin not in found:
            return None
        person_row = found[iin]
        got = {}
        for n in names:
            if n != "household":
                got[n] = (yield from _read(parts[n], [iin]))[iin]
            else:  # by address, as ``households`` reads it
                address = person_row["address_id"]
                got[n] = (yield from _read(_HOUSEHOLD, [address]))[address] if address else []
    out: dict[str, Any] = {"person": person_row}
    for w in wanted:
        out[w] = _kin(got["kin_out"], got["kin_in"]) if w == "relations" else _FINISH[w](got[w])
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


async def family_graph(store: Store, iin: str, hops: int, max_persons: int = 500) -> FamilyGraph | None:
    """Breadth first, one batched call per hop (at most ``hops`` + 2 store calls), each link
    once, in its stored direction. Beyond ``max_persons`` no one is added (``truncated``)."""
    found = await persons(store, [iin])
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
        kin = await relations(store, frontier)
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


async def find_offers(store: Store, *, code: str | None = None, status: str | None = None,
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
    total = (await store.aread(f"{head}{cond}RETURN count(o) AS n", params))[0]["n"]
    rows = await store.aread(f"{head}{cond}RETURN {_cols('o', _OFFER_FIELDS)} "
                      f"ORDER BY o.first_as_of DESC, o.key SKIP $skip LIMIT $limit", params)
    return rows, total
