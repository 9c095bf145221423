"""The sweep: every rule run for one day, the entitlements found, timed per rule.

This is the dry run: it reads only. Recording offers and queueing SMS builds on it.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from familycard.graph.rules import Entitlement, Rule, load_rules, run_rule
from familycard.graph.store import Store

__all__ = ["RuleRun", "SweepResult", "sweep"]


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
          on_rule: Callable[[RuleRun], None] | None = None) -> SweepResult:
    """Run the rules (all, or the named codes) for ``as_of``; entitlements sorted by rule order,
    recipient and subject."""
    rules: list[Rule] = load_rules(list(codes) if codes is not None else None)
    result = SweepResult(as_of)
    for rule in rules:
        t = time.perf_counter()
        found = run_rule(store, rule, as_of)
        run = RuleRun(rule.code, len(found), time.perf_counter() - t,
                      sum(e.amount_kzt for e in found if e.amount_kzt is not None))
        result.entitlements += found
        result.runs.append(run)
        if on_rule:
            on_rule(run)
    return result
