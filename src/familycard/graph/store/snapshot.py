"""A canonical, engine-independent picture of the whole graph.

Used to prove that two engines (or a crashed-and-rerun ingest and a clean one) hold the same
graph: every node and link with every property, sorted, as plain Python values.
"""
from __future__ import annotations

from familycard.graph import model
from familycard.graph.store.base import Store


def _props(var: str, table: model.Table) -> str:
    return ", ".join(f"{var}.{c} AS {c}" for c in table.names)


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """The family graph (what the feeds make; not the change log or the benefit flow)."""
    out: dict[str, list[tuple]] = {}
    for t in model.REGISTRY_TABLES:
        rows = store.read(f"MATCH (n:{t.name}) RETURN {_props('n', t)}")
        out[t.name] = sorted(tuple(r[c] for c in t.names) for r in rows)
    for t in model.REL_TABLES:
        fl, tl = model.TABLES[t.from_label], model.TABLES[t.to_label]
        cols = (", " + _props("x", t)) if t.columns else ""
        rows = store.read(f"MATCH (a:{fl.name})-[x:{t.name}]->(b:{tl.name}) "
                          f"RETURN a.{fl.key} AS _from, b.{tl.key} AS _to{cols}")
        out[t.name] = sorted(tuple([r["_from"], r["_to"]] + [r[c] for c in t.names]) for r in rows)
    return out


def counts(store: Store) -> dict[str, int]:
    """How many of each kind: persons, addresses, each link type, each fact type, pending."""
    out = {}
    for t in model.NODE_TABLES:
        if t in (model.CHANGE, model.LEASE):  # a log, as long as the history of ingests; runs in progress
            continue
        out[t.name] = store.read(f"MATCH (n:{t.name}) RETURN count(n) AS n")[0]["n"]
    for t in model.REL_TABLES:
        fl, tl = model.TABLES[t.from_label], model.TABLES[t.to_label]
        out[t.name] = store.read(f"MATCH (:{fl.name})-[x:{t.name}]->(:{tl.name}) RETURN count(x) AS n")[0]["n"]
    for r in store.read("MATCH (f:Fact) RETURN f.type AS type, count(f) AS n ORDER BY type"):
        out[f"Fact:{r['type']}"] = r["n"]
    return out


def holds_anyone(store: Store) -> bool:
    """Whether the graph holds at least one person (a new store, or one never fed, holds no one)."""
    return bool(store.read("MATCH (p:Person) RETURN p.iin AS iin LIMIT 1"))
