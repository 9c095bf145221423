"""The sweep: every rule run for one day, the entitlements found, timed per rule.

``sweep`` reads only (the dry run). ``daily_sweep`` is the real one: it lapses offers left
unanswered, runs the rules (all persons, or incrementally: only from what changed since the
last sweep of the day), withdraws the open offers whose right it no longer finds (``recheck``)
and records an offer and an SMS for each right not offered yet.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from familycard import dates
from familycard.graph.flow.offers import OfferSummary, lapse_overdue, record_offers
from familycard.graph.flow.recheck import withdraw_vanished
from familycard.graph.rules import Entitlement, Rule, load_rules, run_rule
from familycard.graph.store import Store, writes
from familycard.graph.sweep import scope as scopes
from familycard.graph.sweep.scope import Scope

__all__ = ["RuleRun", "SweepResult", "sweep", "daily_sweep", "DailySweep", "SweepError", "last_sweep"]


class SweepError(ValueError):
    """A sweep that cannot run as asked; the message says why and what to do. ``as_of``: the
    day it was asked for."""

    def __init__(self, message: str, *, as_of: dt.date | None = None):
        super().__init__(message)
        self.as_of = as_of


#: What a sweep covered: every rule and person, only what changed since the last one, or some rules only.
FULL, INCREMENTAL, PARTIAL = "full", "incremental", "partial"
MODES = (FULL, INCREMENTAL, PARTIAL)

@dataclass(frozen=True)
class RuleRun:
    code: str
    found: int
    seconds: float
    total_kzt: int  # the sum of known amounts


@dataclass
class SweepResult:
    as_of: dt.date
    entitlements: list[Entitlement] = field(default_factory=list)
    runs: list[RuleRun] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(e.benefit for e in self.entitlements)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    def line(self) -> str:
        return (f"as of {self.as_of}: {len(self.entitlements):,} entitlements from {len(self.runs)} rules "
                f"in {self.seconds:.1f} s")


def sweep(store: Store, as_of: dt.date, codes: Iterable[str] | None = None,
          on_rule: Callable[[RuleRun], None] | None = None, scope: Scope | None = None, *,
          rules: Iterable[Rule] | None = None) -> SweepResult:
    """Run the rules (all, or the named codes) for ``as_of``; entitlements sorted by rule order,
    recipient and subject. With ``scope``, each rule runs from the scope's keys only. ``rules``:
    these rules instead of the rule folders' (``codes`` then unused): a what-if's, or rules
    loaded from another folder (``load_rules(rules_dir=...)``)."""
    rules = list(rules) if rules is not None else load_rules(list(codes) if codes is not None else None)
    result = SweepResult(as_of)
    # What a killed sweep wrote of its scope (Store.scope_set) must not stand for this one's, nor
    # stay in the store past the next sweep of any kind.
    store.clear_scope()
    try:
        for rule in rules:
            t = time.perf_counter()
            found = run_rule(store, rule, as_of, scope.keys_for(rule) if scope is not None else None)
            store.after_rule()
            run = RuleRun(rule.code, len(found), time.perf_counter() - t,
                          sum(e.amount_kzt for e in found if e.amount_kzt is not None))
            result.entitlements += found
            result.runs.append(run)
            if on_rule:
                on_rule(run)
    finally:
        if scope is not None:
            store.clear_scope()
    return result


@dataclass
class DailySweep:
    result: SweepResult
    offers: OfferSummary
    mode: str                 # one of MODES
    scope: Scope | None = None

    def line(self) -> str:
        head = f"{self.mode} sweep: " + self.result.line()
        return head + ("\n" + self.scope.line() if self.scope else "") + "\n" + self.offers.line()


def last_sweep(store: Store, as_of: dt.date, full_only: bool = False) -> dict | None:
    """The latest completed sweep of ``as_of`` (full or incremental), or None."""
    rows = store.read(
        "MATCH (s:SweepRun) WHERE s.as_of = $d AND s.mode IN $modes "
        "RETURN s.started_at AS started_at, s.mode AS mode ORDER BY s.started_at DESC LIMIT 1",
        {"d": as_of, "modes": ["full"] if full_only else ["full", "incremental"]})
    return rows[0] if rows else None


def daily_sweep(store: Store, as_of: dt.date, codes: Iterable[str] | None = None, *,
                incremental: bool = False, changed_since: dt.datetime | None = None,
                now: Callable[[], dt.datetime] = dates.utcnow,
                on_rule: Callable[[RuleRun], None] | None = None,
                progress: Callable[[int], None] | None = None, batch: int = writes.CHUNK) -> DailySweep:
    """The real sweep of ``as_of`` (see the module doc).

    Incremental (``incremental``, or an explicit ``changed_since``): only the rules' first
    nodes near what changed since the last sweep of the same day (or ``changed_since``) are
    re-run. Rights that arise from the calendar alone (a birthday, a window closing) need a
    full sweep of the day, so an incremental one is refused until a full one has run.
    """
    started = now()
    codes = list(codes) if codes is not None else None
    scope = None
    mode = PARTIAL if codes is not None else FULL
    if incremental or changed_since is not None:
        if last_sweep(store, as_of, full_only=True) is None:
            raise SweepError(f"no full sweep of {as_of.isoformat()} has run yet: an incremental sweep only adds "
                             f"what changed since; run 'familycard sweep --as-of {as_of.isoformat()}' first",
                             as_of=as_of)
        since = changed_since or last_sweep(store, as_of)["started_at"]
        rules = load_rules(codes)
        scope = scopes.compute(store, since, max(r.scope_hops for r in rules))
        mode = INCREMENTAL
    lapsed, expired = lapse_overdue(store, started)
    result = sweep(store, as_of, codes, on_rule, scope)
    cause = f"{mode} sweep of {as_of.isoformat()}"
    # Before offering: a withdrawn offer frees its short number for the day's new ones.
    withdrawn = withdraw_vanished(store, result.entitlements, load_rules(codes), as_of, started, cause, scope)
    offers = record_offers(store, result.entitlements, as_of, started, cause, progress, batch)
    offers.lapsed, offers.expired, offers.withdrawn = lapsed, expired, withdrawn
    store.transaction(lambda tx: tx.insert("SweepRun", [{
        "key": f"{as_of.isoformat()}|{started.isoformat()}|{mode}|{uuid.uuid4().hex[:8]}", "as_of": as_of, "mode": mode,
        "since": scope.since if scope else None, "started_at": started, "finished_at": now(),
        "found": len(result.entitlements), "offered": offers.offered + offers.reoffered}]))
    return DailySweep(result, offers, mode, scope)
