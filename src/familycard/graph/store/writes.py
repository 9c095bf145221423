"""Writing flow records: create nodes known to be new, insert only what is not stored yet, patch
some properties of existing nodes, in chunks.

These are the only writes outside ingest and the store's own schema: the sweep, the SMS flow,
payments, saved queries and the access log all write through them, so a rerun finds what it
would create and creates nothing twice.
"""
from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import Any

from familycard.graph import model
from familycard.graph.store import dialect
from familycard.graph.store.base import Store, Tx

CHUNK = 5_000


def chunks(rows: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def patch(tx: Tx, table: str, rows: list[Mapping[str, Any]]) -> None:
    """Set some properties of existing nodes: every row has the key and the same columns."""
    if not rows:
        return
    t = model.TABLES[table]
    cols = [c for c in rows[0] if c != t.key]
    tx.run(dialect.patch_statement(t, cols, [c for c in cols if all(r[c] is None for r in rows)]),
           {"rows": [dict(r) for r in rows]})


def existing(tx_or_store: Tx | Store, table: str, keys: Iterable[str]) -> set[str]:
    keys = sorted(set(keys))
    if not keys:
        return set()
    t = model.TABLES[table]
    run = tx_or_store.run if hasattr(tx_or_store, "run") else tx_or_store.read
    q = f"UNWIND $keys AS k MATCH (n:{t.name} {{{t.key}: k}}) RETURN n.{t.key} AS key"
    return {r["key"] for r in run(q, {"keys": keys})}


def insert_new(tx: Tx, table: str, rows: list[dict]) -> list[dict]:
    """Insert the rows whose keys are not stored yet (LadybugDB's COPY must never meet a
    stored key); returns the rows inserted."""
    t = model.TABLES[table]
    seen = existing(tx, table, (r[t.key] for r in rows))
    fresh, keys = [], set()
    for r in rows:
        if r[t.key] not in seen and r[t.key] not in keys:
            keys.add(r[t.key])
            fresh.append(r)
    create(tx, table, fresh)
    return fresh


def create(tx: Tx, table: str, rows: list[dict]) -> None:
    """Create nodes known to be new, in statements (see ``dialect.create_statement``); a
    column a row leaves out is null. A node a person owns (``model.OWNER_LINKS``) is created
    with its link from that person."""
    steps = create_steps(table, rows)
    try:
        step = next(steps)
        while True:
            step = steps.send(tx.run(*step))
    except StopIteration:
        pass


def create_steps(table: str, rows: list[dict]) -> Generator[tuple[str, dict], list[dict], None]:
    """The statements of ``create``, for a caller that runs them its own way (the API awaits
    each one): yields (statement, parameters) and is sent each statement's rows back."""
    t = model.TABLES[table]
    link = model.OWNER_LINKS.get(table)
    for part in chunks(rows, 2_000):
        full = [{c: r.get(c) for c in t.names} for r in part]
        made: set = set()
        owned = [r for r in full if link is not None and r["iin"] is not None]
        if owned:
            made = {r["key"] for r in (yield dialect.create_owned_statement(t, link, null_columns(t, owned)),
                                       {"rows": owned})}
        bare = [r for r in full if r[t.key] not in made]  # no owner, or one the graph does not hold
        if bare:
            yield dialect.create_statement(t, null_columns(t, bare)), {"rows": bare}


def null_columns(table: model.Table, rows: list[dict]) -> list[str]:
    """The columns no row has a value in (written as literal NULLs: see ``dialect.patch_statement``)."""
    return [c for c in table.names if all(r.get(c) is None for r in rows)]


