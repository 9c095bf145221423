"""The forward calendar: on the data in the store alone, the rights that begin, end or change
amount on each day of (start, start + days].

It equals a dry-run sweep of each of those days compared with the day before (a right is
(iin, benefit, subject); ``ends`` carries the day before's amount, ``amount`` the new one),
without sweeping once a day. Every date a rule's Cypher receives ($as_of and each date bound)
moves forward with the day, so a comparison of a stored date x with a bound b can only flip on
a day d with x in [b(d-1), b(d)] (``comparisons``). Each day, each rule is run again, on d-1
and on d, only from the first nodes near the owners of such dates (their kin within the rule's
``scope_hops``, their homes: ``sweep.scope.of_persons``, the incremental sweep's scope), and
the two compared. A day on which a value the rule uses in another way changes (a parameter
taking effect on 1 January, the list of months of a ``months_window``) is a full run of that
rule on d-1 and d. A day that concerns no one for a rule runs nothing.

Rules over monthly income windows (a ``month_start`` or ``months_window`` bound) move with data
not yet reported, so they are forecast within the start's calendar month only
(``Forecast.monthly_until``).
"""
from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from familycard.dates import month_len
from familycard.graph.lookahead.batched import batched_cypher, entitlements, run_batched
from familycard.graph.lookahead.comparisons import DateUse, date_use, owners_query
from familycard.graph.rules import Entitlement, Rule, load_rules, run_rule, scope_label, used_params
from familycard.graph.store import OutOfMemory, Store
from familycard.graph.sweep import scope as scopes

__all__ = ["CHANGES", "Forecast", "ForecastChange", "changes_between", "forecast", "monthly", "rights"]

BEGINS, ENDS, AMOUNT = "begins", "ends", "amount"
CHANGES = (BEGINS, ENDS, AMOUNT)


@dataclass(frozen=True)
class ForecastChange:
    date: dt.date
    change: str                 # one of CHANGES
    iin: str
    benefit: str
    subject: str | None
    amount_kzt: int | None      # begins/amount: the amount from that day; ends: the day before's

    def record(self) -> dict[str, Any]:
        """The JSON line of `familycard forecast --json`."""
        return {"date": self.date.isoformat(), "change": self.change, "iin": self.iin,
                "benefit": self.benefit, "subject": self.subject, "amount_kzt": self.amount_kzt}


@dataclass
class Forecast:
    start: dt.date
    days: int
    changes: list[ForecastChange] = field(default_factory=list)  # sorted by date, benefit, iin, subject, change
    monthly_until: dt.date | None = None   # income-window rules forecast up to and including this day
    monthly_rules: tuple[str, ...] = ()    # those rules' codes
    seconds: float = 0.0
    rule_seconds: dict[str, float] = field(default_factory=dict)  # each rule's share of ``seconds``
    rule_runs: dict[str, str] = field(default_factory=dict)       # each rule's runs, e.g. "41 scoped, 1 full"

    def line(self) -> str:
        return (f"forecast {self.start.isoformat()} + {self.days} days: {len(self.changes):,} changes "
                f"in {self.seconds:.1f} s")


#: a right: (iin, benefit, subject)
Right = tuple[str, str, "str | None"]
_MONTHLY_BOUNDS = ("month_start", "months_window")


def monthly(rule: Rule) -> bool:
    """A rule over monthly income windows: one of its bounds is a calendar month's."""
    return any(k in spec for spec in rule.bounds.values() for k in _MONTHLY_BOUNDS)


def rights(found: Iterable[Entitlement]) -> dict[Right, int | None]:
    """Each right found and its amount. A right found twice on a day (two registrations that
    overlap) counts once, with the amount of its earliest event (then the smallest amount)."""
    out: dict[Right, tuple] = {}
    for e in found:
        k = (e.iin, e.benefit, e.subject)
        rank = (e.event or dt.date.min, -1 if e.amount_kzt is None else e.amount_kzt)
        if k not in out or rank < out[k][0]:
            out[k] = (rank, e.amount_kzt)
    return {k: v[1] for k, v in out.items()}


def changes_between(day: dt.date, before: Mapping[Right, int | None],
                    after: Mapping[Right, int | None]) -> list[ForecastChange]:
    """What differs from the day before (``before``) to ``day`` (``after``)."""
    out = [ForecastChange(day, BEGINS, *k, a) for k, a in after.items() if k not in before]
    out += [ForecastChange(day, ENDS, *k, a) for k, a in before.items() if k not in after]
    out += [ForecastChange(day, AMOUNT, *k, a) for k, a in after.items() if k in before and before[k] != a]
    return out


def _sort_key(c: ForecastChange) -> tuple:
    return (c.date, c.benefit, c.iin, c.subject or "", c.change)


class _Plan:
    """One rule over the window: what it receives each day, and which days concern whom."""

    def __init__(self, rule: Rule, start: dt.date, last: dt.date):
        self.rule = rule
        self.runs = ""
        self.use: DateUse = date_use(rule)
        names = used_params(rule.cypher)
        self.days = [start + dt.timedelta(days=i) for i in range(1, (last - start).days + 1)]
        self.params = {d: {k: v for k, v in rule.query_params(d).items() if k in names}
                       for d in [start] + self.days}
        # The days a parameter of the rule's ``amount`` or ``when`` takes a new value (a value dated
        # that day but equal to the day before's, as the minimum wage's yearly restatements of
        # 85 000, changes nothing), each worked out once for the window.
        self.formula_days = {since for n in self.use.formula for since, _ in rule.parameters[n].values
                             if start < since <= last
                             and self._value(n, since) != self._value(n, since - dt.timedelta(days=1))}

    def full(self, d: dt.date) -> bool:
        """A day on which a value the query receives other than as a compared date changes."""
        before, after = self.params[d - dt.timedelta(days=1)], self.params[d]
        return any(before.get(n) != after.get(n) for n in self.use.opaque | (set(after) - set(self.use.compared)))

    def formula_day(self, d: dt.date) -> bool:
        """A day on which a parameter of the rule's ``amount`` or ``when`` takes a new value."""
        return d in self.formula_days

    def _value(self, name: str, d: dt.date):
        p = self.rule.parameters[name]
        return p.at(d) if d >= p.values[0][0] else None

    def intervals(self, d: dt.date):
        """(table, property, lo, hi): the stored dates whose comparisons may flip on ``d``."""
        before, after = self.params[d - dt.timedelta(days=1)], self.params[d]
        for name, stored in self.use.compared.items():
            lo, hi = before[name], after[name]
            if lo == hi:
                continue
            lo, hi = min(lo, hi), max(lo, hi)
            for table, prop in stored:
                yield table, prop, lo, hi


class _Dates:
    """The stored dates the window's intervals cover, per (table, property), sorted, with the
    persons each concerns: read once for the whole window, one query per property."""

    def __init__(self, store: Store, wanted: Mapping[tuple[str, str], list[tuple[dt.date, dt.date]]]):
        self.index: dict[tuple[str, str], tuple[list[dt.date], list[tuple[str, ...]]]] = {}
        for (table, prop), spans in wanted.items():
            merged: list[list[dt.date]] = []
            for lo, hi in sorted(spans):
                if merged and lo <= merged[-1][1] + dt.timedelta(days=1):
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            params = {f"{e}{i}": v for i, span in enumerate(merged) for e, v in zip(("lo", "hi"), span, strict=True)}
            rows = sorted((r["x"], r["a"], r.get("b")) for r in store.read(owners_query(table, prop, len(merged)),
                                                                              params))
            self.index[(table, prop)] = ([x for x, _, _ in rows], [tuple(p for p in (a, b) if p) for _, a, b in rows])

    def owners(self, table: str, prop: str, lo: dt.date, hi: dt.date) -> set[str]:
        xs, who = self.index[(table, prop)]
        return {p for ps in who[bisect_left(xs, lo):bisect_right(xs, hi)] for p in ps}


#: first-node keys in one batched run at most (the entries' lists, all days together): at 1 M
#: people, 200 000 filled LadybugDB's buffer pool in one run ("the buffer pool is full")
BATCH_KEYS = 50_000


def _persons(plan: _Plan, dates: _Dates) -> dict[dt.date, set[str]]:
    """Each scoped day's persons: the owners of the stored dates its bounds pass."""
    out = {}
    for d in plan.days:
        if not plan.full(d):
            persons = set().union(*(dates.owners(*iv) for iv in plan.intervals(d)))
            if persons:
                out[d] = persons
    return out


def _hashable(row: Mapping[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in row.items()))


def _run(store: Store, plan: _Plan, persons: dict[dt.date, set[str]], kin: scopes.Kin) -> list[ForecastChange]:
    """One rule over its days (see the module's doc). A day on which the query receives a new
    value is two whole runs. A day on which only its amount's parameters change (1 January) is
    one: its rows on d are those of d-1 but for the first nodes the day's dates concern, whose
    rows on d-1 and d the batched run gives. The other days: scoped pairs, batched."""
    rule = plan.rule
    label = scope_label(rule)
    out: list[ForecastChange] = []
    scoped: list[tuple[dt.date, list[str]]] = []
    whole: dict[dt.date, list[dict[str, Any]]] = {}   # formula days: the query's rows on the day
    full = 0
    for d in plan.days:
        if plan.full(d):
            full += 1
            before = rights(run_rule(store, rule, d - dt.timedelta(days=1)))
            out += changes_between(d, before, rights(run_rule(store, rule, d)))
            store.after_rule()
            continue
        if plan.formula_day(d):
            whole[d] = store.read(rule.cypher, rule.query_params(d))
            store.after_rule()
        keys: list[str] = []
        if d in persons:
            depth = rule.scope_hops if label == "Person" else 0
            keys = scopes.of_persons(store, persons[d], depth, kin=kin).keys_for(rule)
        if keys or d in whole:
            scoped.append((d, keys))
    query = batched_cypher(rule) if any(k for _, k in scoped) else ""
    chunk: list[tuple[dt.date, list[str]]] = []
    for i, (d, keys) in enumerate(scoped):
        chunk.append((d, keys))
        if i + 1 == len(scoped) or sum(len(k) for _, k in chunk) + len(scoped[i + 1][1]) > BATCH_KEYS // 2:
            entries = [e for day, keys in chunk for e in ((day - dt.timedelta(days=1), keys), (day, keys))]
            rows = _batched_rows(store, rule, entries, query, plan.params) if query else [[] for _ in entries]
            store.after_rule()  # LadybugDB keeps what a batch's joins took of its buffer pool until reopened
            for j, (day, _) in enumerate(chunk):
                prev, rows_before, rows_after = day - dt.timedelta(days=1), rows[2 * j], rows[2 * j + 1]
                if day in whole:
                    # the day's rows less its scoped first nodes' (a multiset), and theirs the day before
                    left = Counter(_hashable(r) for r in rows_after)
                    rest = []
                    for r in whole[day]:
                        h = _hashable(r)
                        if left[h]:
                            left[h] -= 1
                        else:
                            rest.append(r)
                    rows_before, rows_after = rest + rows_before, whole[day]
                out += changes_between(day, rights(entitlements(rule, prev, rows_before)),
                                       rights(entitlements(rule, day, rows_after)))
            chunk = []
    plan.runs = (f"{sum(1 for _, k in scoped if k)} days scoped ({sum(len(k) for _, k in scoped):,} first nodes), "
                 f"{len(whole)} days whole once (a parameter of the amount), {full} days whole twice")
    return out


def _batched_rows(store: Store, rule: Rule, entries: list, query: str, params) -> list[list[dict[str, Any]]]:
    """``run_batched``, in halves when the engine runs out of memory: by days, then by first nodes
    (a scoped run's rows are per first node, so the halves' rows add up to the whole's). At 1 M
    people large_family's batch of 50 000 first nodes over three kin links filled LadybugDB's
    buffer pool."""
    try:
        return run_batched(store, rule, entries, query, params)
    except OutOfMemory:
        store.after_rule()
        if len(entries) > 1:
            h = len(entries) // 2
            return (_batched_rows(store, rule, entries[:h], query, params)
                    + _batched_rows(store, rule, entries[h:], query, params))
        (day, keys), = entries
        if len(keys) < 2:
            raise
        h = len(keys) // 2
        first, second = (_batched_rows(store, rule, [(day, part)], query, params) for part in (keys[:h], keys[h:]))
        return [first[0] + second[0]]


def forecast(store: Store, start: dt.date, days: int, codes: list[str] | None = None) -> Forecast:
    """The rights that begin, end or change amount on each day of (start, start + days] (see
    the module's doc); ``codes``: those rules only."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"forecast: {days!r} days: give a whole number of days, 1 or more")
    t = time.perf_counter()
    end = start + dt.timedelta(days=days)
    month_end = start.replace(day=month_len(start.year, start.month))
    rules = load_rules(codes)
    plans = [_Plan(r, start, min(end, month_end) if monthly(r) else end) for r in rules]
    result = Forecast(start, days)
    result.monthly_rules = tuple(r.code for r in rules if monthly(r))
    result.monthly_until = month_end if result.monthly_rules else None

    wanted: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for plan in plans:
        for d in plan.days:
            if not plan.full(d):
                for table, prop, lo, hi in plan.intervals(d):
                    wanted.setdefault((table, prop), []).append((lo, hi))
    dates = _Dates(store, wanted)

    persons = [_persons(plan, dates) for plan in plans]
    kin = scopes.Kin(store)  # every day's kin rings and homes, read in a few queries
    for plan, days in zip(plans, persons, strict=True):
        kin.read(set().union(*days.values()), plan.rule.scope_hops)
    for plan, days in zip(plans, persons, strict=True):
        t_rule = time.perf_counter()
        result.changes += _run(store, plan, days, kin)
        store.after_rule()  # what the rule's runs took of the engine's memory (LadybugStore)
        result.rule_seconds[plan.rule.code] = time.perf_counter() - t_rule
        result.rule_runs[plan.rule.code] = plan.runs
    result.changes.sort(key=_sort_key)
    result.seconds = time.perf_counter() - t
    return result
