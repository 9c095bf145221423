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
        "RETURN DISTINCT p.iin AS p, q.iin AS iin")
_HOME = ("UNWIND $keys AS k MATCH (p:Person {iin: k}) WHERE p.address_id IS NOT NULL "
         "RETURN DISTINCT p.iin AS p, p.address_id AS a")


class Kin:
    """Persons' kin (one link away) and homes, read from the store once each, in one query per
    batch of persons not read yet: many scopes over the same persons (the forward calendar's,
    one per rule and day) read them once."""

    def __init__(self, store: Store):
        self.store = store
        self._kin: dict[str, set[str]] = {}
        self._home: dict[str, str | None] = {}

    def kin(self, persons: set[str]) -> set[str]:
        new = sorted(persons - self._kin.keys())
        if new:
            for p in new:
                self._kin[p] = set()
            for r in self.store.read(_KIN, {"keys": new}):
                self._kin[r["p"]].add(r["iin"])
        return set().union(*(self._kin[p] for p in persons))

    def homes(self, persons: set[str]) -> set[str]:
        new = sorted(persons - self._home.keys())
        if new:
            for p in new:
                self._home[p] = None
            for r in self.store.read(_HOME, {"keys": new}):
                self._home[r["p"]] = r["a"]
        return {self._home[p] for p in persons if self._home[p]}

    def read(self, persons: set[str], depth: int) -> None:
        """Read ahead: the kin rings of ``persons`` up to ``depth`` links and their homes."""
        ring, frontier = set(persons), set(persons)
        for _ in range(depth):
            frontier = self.kin(frontier) - ring if frontier else set()
            ring |= frontier
        self.homes(set(persons))


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
               left: set[str] = frozenset(), kin: Kin | None = None) -> Scope:
    """The scope of a given set of persons (the forward calendar's: those whose stored dates a
    day's bounds pass): their kin rings up to ``depth`` links and their homes, plus ``left``
    (addresses someone moved out of). ``kin``: what earlier scopes read (else read here)."""
    kin = kin or Kin(store)
    scope = Scope(since, set(persons))
    ring = set(scope.changed)
    scope.rings.append(set(ring))
    frontier = set(ring)
    for _ in range(depth):
        nxt = kin.kin(frontier) - ring if frontier else set()
        ring |= nxt
        scope.rings.append(set(ring))
        frontier = nxt
    homes = kin.homes(scope.changed) if scope.changed else set()
    scope.addresses = {a for a in homes | set(left) if a}
    return scope
