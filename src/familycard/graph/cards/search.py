"""Staff's lists across people: a person found by whole name or IIN (``find_people``) and the
caseworkers' tasks (``find_tasks``), a page at a time with how many match in all.

A search by name is an exact match on the whole surname and given name in the forms a
registry writes names in (``name_forms``): never a prefix, a pattern or a wildcard, so it
cannot be used to list people. The forms are parameters of ``IN`` on ``Person.surname``, which
Neo4j seeks in its index (model.INDEXES) and LadybugDB finds in a scan of one column.
"""
from __future__ import annotations

import datetime as dt
import re

from familycard.graph.cards.people import persons
from familycard.graph.flow.worklist import FIELDS as TASK_FIELDS
from familycard.graph.store import Row, Store

_TASK_COLS = ", ".join(f"t.{f} AS {f}" for f in TASK_FIELDS)
_WORD_START = re.compile(r"(^|[\s\-'’])(\w)")


def name_forms(name: str) -> list[str]:
    """The forms of a whole name a registry may hold it in: as given, lower, UPPER, and with each
    part capitalised (``абдуллаева-ким`` → ``Абдуллаева-Ким``; also ``Абдуллаева-ким``), so a
    search is case-insensitive over how names are registered without any pattern match."""
    lower = name.lower()
    title = _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), lower)
    return sorted({name, lower, name.upper(), title, lower[:1].upper() + lower[1:]})


async def find_people(store: Store, *, iin: str | None = None, surname: str | None = None,
                      given_name: str | None = None, birth_date: dt.date | None = None,
                      skip: int = 0, limit: int = 100) -> tuple[list[Row], int]:
    """People by IIN, or by whole surname and given name (either case), ``birth_date`` narrowing;
    ordered by surname, given name, birth date, IIN; one page and how many match in all."""
    params: dict = {}
    if iin is not None:
        where, params["iin"] = ["p.iin = $iin"], iin
    else:
        if surname is None or given_name is None:
            raise ValueError("give an IIN, or a surname and a given name")
        where = ["p.surname IN $surnames", "p.given_name IN $given_names"]
        params |= {"surnames": name_forms(surname), "given_names": name_forms(given_name)}
    if birth_date is not None:
        where.append("p.birth_date = $birth_date")
        params["birth_date"] = birth_date
    # Two steps: the matches' sort keys, then the page's people by key. Projecting every column
    # in the scan cost LadybugDB 118 ms a search at 100 k people against 28 ms for these four
    # (median of 20; bench/search.py).
    found = await store.aread(f"MATCH (p:Person) WHERE {' AND '.join(where)} RETURN p.iin AS iin, "
                              "p.surname AS surname, p.given_name AS given_name, p.birth_date AS birth_date", params)
    found.sort(key=lambda r: (r["surname"], r["given_name"], r["birth_date"] or dt.date.min, r["iin"]))
    keys = [r["iin"] for r in found[skip:skip + limit]]
    rows = await persons(store, keys)
    return [rows[k] for k in keys if k in rows], len(found)


async def find_tasks(store: Store, *, reason: str | None = None, status: str | None = None,
                     code: str | None = None, address_id: str | None = None,
                     skip: int = 0, limit: int = 100) -> tuple[list[Row], int]:
    """Caseworkers' tasks, oldest first, filtered; one page and how many match in all.

    The WHERE is assembled from fixed clauses, one per filter that is set; the values are
    always parameters. By address: the tasks of the people registered there."""
    where, params = [], {"skip": skip, "limit": limit}
    for clause, name, value in (("t.reason = $reason", "reason", reason), ("t.status = $status", "status", status),
                                ("t.code = $code", "code", code)):
        if value is not None:
            where.append(clause)
            params[name] = value
    if address_id is not None:
        params["iins"] = [r["iin"] for r in await store.aread(
            "MATCH (:Address {id: $a})<-[:LIVES_AT]-(p:Person) RETURN p.iin AS iin", {"a": address_id})]
        where.append("t.iin IN $iins")
    cond = f"WHERE {' AND '.join(where)} " if where else ""
    total = (await store.aread(f"MATCH (t:Task) {cond}RETURN count(t) AS n", params))[0]["n"]
    rows = await store.aread(f"MATCH (t:Task) {cond}RETURN {_TASK_COLS} ORDER BY t.created_at, t.key "
                             "SKIP $skip LIMIT $limit", params)
    return rows, total


async def task(store: Store, key: str) -> Row | None:
    """One task by its key."""
    rows = await store.aread(f"MATCH (t:Task {{key: $k}}) RETURN {_TASK_COLS}", {"k": key})
    return rows[0] if rows else None
