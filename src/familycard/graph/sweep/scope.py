"""The incremental sweep's scope: whom the records ingested since a moment can concern.

Every ingest batch logs the persons whose record, links or facts it changed, and the
addresses people moved out of (``Change``). A rule's result for a first node of its query
(a child, a deceased person, a household address, ...) depends only on that node's kin within
the rule's ``scope_hops`` links (and, for a household, on who lives there), so re-running each
rule from the changed persons' kin rings finds every right a full sweep would find among them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from familycard.graph.rules import Rule, scope_label
from familycard.graph.store import Store

_KIN = ("UNWIND $keys AS k MATCH (p:Person {iin: k})-[:PARENT_OF|SPOUSE_OF|GUARDIAN_OF]-(q:Person) "
        "RETURN DISTINCT q.iin AS iin")


@dataclass
class Scope:
    since: dt.datetime
    changed: set[str] = field(default_factory=set)        # persons an ingest touched
    rings: list[set[str]] = field(default_factory=list)   # rings[k]: persons within k kin links
    addresses: set[str] = field(default_factory=set)      # households touched (old and new homes)

    def keys_for(self, rule: Rule) -> list[str]:
        if scope_label(rule) == "Address":
            return sorted(self.addresses)
        return sorted(self.rings[min(rule.scope_hops, len(self.rings) - 1)])

    def line(self) -> str:
        sizes = ", ".join(f"{len(r):,}" for r in self.rings[1:])
        return (f"changed since {self.since.isoformat(sep=' ')}: {len(self.changed):,} persons "
                f"(kin rings {sizes}), {len(self.addresses):,} households")


def compute(store: Store, since: dt.datetime, depth: int) -> Scope:
    """The scope of everything ingested after ``since`` (the ``Change`` rows), ``depth`` kin links deep."""
    changed, left = set(), set()
    for r in store.read("MATCH (c:Change) WHERE c.at > $since RETURN DISTINCT c.iin AS iin, c.address_id AS a",
                        {"since": since}):
        if r["iin"]:
            changed.add(r["iin"])
        if r["a"]:
            left.add(r["a"])
    return of_persons(store, changed, depth, since=since, left=left)


def of_persons(store: Store, persons: set[str], depth: int, *, since: dt.datetime = dt.datetime.min,
               left: set[str] = frozenset()) -> Scope:
    """The scope of a given set of persons (the forward calendar's: those whose stored dates a
    day's bounds pass): their kin rings up to ``depth`` links and their homes, plus ``left``
    (addresses someone moved out of)."""
    scope = Scope(since, set(persons))
    ring = set(scope.changed)
    scope.rings.append(set(ring))
    frontier = set(ring)
    for _ in range(depth):
        if frontier:
            nxt = {r["iin"] for r in store.read(_KIN, {"keys": sorted(frontier)})} - ring
        else:
            nxt = set()
        ring |= nxt
        scope.rings.append(set(ring))
        frontier = nxt
    homes = {r["a"] for r in store.read(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) WHERE p.address_id IS NOT NULL RETURN DISTINCT p.address_id AS a",
        {"keys": sorted(scope.changed)})} if scope.changed else set()
    scope.addresses = {a for a in homes | set(left) if a}
    return scope
