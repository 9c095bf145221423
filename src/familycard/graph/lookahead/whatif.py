"""What-if: today's dry run with some dated parameters replaced (``NAME=VALUE``, a bracket
entry as ``large_family_mci[5]``): every right that differs, and per benefit the gains, losses,
amount changes and the monthly and one-off cost before and after. It equals the dry run with the
same values edited into the rule files."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from familycard.graph.rules import Entitlement, Rule, RuleError, load_rules, run_rule, used_params
from familycard.graph.rules.bounds import BoundError
from familycard.graph.rules.formula import FormulaError, Table, names_in
from familycard.graph.rules.parameters import Parameter, ParameterError
from familycard.graph.store import Store
from familycard.graph.sweep import sweep

__all__ = ["BenefitCost", "WhatIf", "WhatIfChange", "WhatIfError", "parse_settings", "what_if"]

GAINS, LOSES, AMOUNT = "gains", "loses", "amount"


class WhatIfError(ValueError):
    """A setting that cannot be applied. ``name``: the parameter as written; ``value``: the bad
    value; ``valid``: the names (or bracket keys) that would be accepted."""

    def __init__(self, message: str, *, name: str | None = None, value: Any = None,
                 valid: tuple[str, ...] = ()):
        super().__init__(message)
        self.name = name
        self.value = value
        self.valid = valid


@dataclass(frozen=True)
class WhatIfChange:
    iin: str
    benefit: str
    subject: str | None
    change: str                  # gains | loses | amount
    before_kzt: int | None
    after_kzt: int | None

    def record(self) -> dict[str, Any]:
        """The JSON line of `familycard whatif --json`."""
        return {"iin": self.iin, "benefit": self.benefit, "subject": self.subject, "change": self.change,
                "before_kzt": self.before_kzt, "after_kzt": self.after_kzt}


@dataclass(frozen=True)
class BenefitCost:
    benefit: str
    periodicity: str             # monthly | one_off | notice (rules.PERIODICITIES)
    gains: int
    losses: int
    amount_changes: int
    before_kzt: int              # the sum of the rights' amounts before (a month's, for monthly ones)
    after_kzt: int

    @property
    def difference_kzt(self) -> int:
        return self.after_kzt - self.before_kzt

    def record(self) -> dict[str, Any]:
        return {"benefit": self.benefit, "periodicity": self.periodicity, "gains": self.gains,
                "losses": self.losses, "amount_changes": self.amount_changes, "before_kzt": self.before_kzt,
                "after_kzt": self.after_kzt, "difference_kzt": self.difference_kzt}


@dataclass
class WhatIf:
    as_of: dt.date
    settings: Mapping[str, Decimal]        # as parsed: name (with [key]) -> value
    references: Mapping[str, str]          # name -> the legal reference of the value replaced
    changes: list[WhatIfChange] = field(default_factory=list)   # sorted by benefit, iin, subject
    costs: list[BenefitCost] = field(default_factory=list)      # one per benefit with a change, rule order
    seconds: float = 0.0

    def monthly(self) -> tuple[int, int]:
        """Monthly cost before and after, over the monthly benefits."""
        rows = [c for c in self.costs if c.periodicity == "monthly"]
        return sum(c.before_kzt for c in rows), sum(c.after_kzt for c in rows)

    def one_off(self) -> tuple[int, int]:
        rows = [c for c in self.costs if c.periodicity == "one_off"]
        return sum(c.before_kzt for c in rows), sum(c.after_kzt for c in rows)


# NAME or NAME[KEY] = VALUE. ASCII only: Python's Decimal would read Arabic-Indic digits too.
_ITEM = re.compile(r"([a-z][a-z0-9_]*)(?:\[([A-Za-z0-9_.]+)\])?")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# No parameter comes near it (the largest is the minimum wage); a bigger value is a typo, and
# a huge one would only make the date and money arithmetic fail further on.
LARGEST = Decimal(10) ** 9


def parse_settings(items: Iterable[str]) -> dict[str, Decimal]:
    """``["mci=4500", "large_family_mci[5]=21"]`` -> {name: Decimal}; a malformed item is a
    WhatIfError naming it. Names are checked against the parameters by ``what_if``."""
    out: dict[str, Decimal] = {}
    for item in items:
        text = str(item)
        if len(text) > 200:
            raise WhatIfError(f"setting '{text[:40]}…' is {len(text)} characters long: expected NAME=VALUE",
                              value=text[:40])
        name, eq, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name:
            raise WhatIfError(f"setting '{text}' is not NAME=VALUE (e.g. mci=4500 or large_family_mci[5]=21)",
                              value=text)
        m = _ITEM.fullmatch(name)
        if m is None:
            raise WhatIfError(f"setting '{text}': '{name}' is not a parameter name (lower-case letters, digits "
                              f"and _, a table entry as name[key])", name=name, value=text)
        key = f"{m.group(1)}[{m.group(2)}]" if m.group(2) is not None else m.group(1)
        if key in out:
            raise WhatIfError(f"setting '{text}': {key} is given twice", name=key, value=value)
        out[key] = _value(key, value)
    if not out:
        raise WhatIfError("no setting given: --set NAME=VALUE (e.g. mci=4500)")
    return out


def _value(name: str, text: str) -> Decimal:
    if text.startswith("-") and _DECIMAL.fullmatch(text[1:]):
        raise WhatIfError(f"{name}={text}: a negative amount or threshold is refused", name=name, value=text)
    if not _DECIMAL.fullmatch(text):
        raise WhatIfError(f"{name}={text}: '{text}' is not a decimal number (digits, and a point: 5.76)",
                          name=name, value=text)
    value = Decimal(text)
    if value >= LARGEST:
        raise WhatIfError(f"{name}={text}: too large (no parameter reaches {LARGEST:,})", name=name, value=text)
    return value


def what_if(store: Store, as_of: dt.date, settings: Mapping[str, Decimal],
            codes: list[str] | None = None) -> WhatIf:
    """Today's dry run (``sweep``) and, for each rule a setting reaches, the rule again with the
    values replaced: every right that differs, and the cost per benefit. A rule reaches a
    parameter through its query's parameters (``$name``, or a date bound computed from it: the
    pension age), or its ``amount`` or ``when`` formula. A rule whose query receives the same
    parameters and whose ``when`` is unchanged finds the same rows: where only its amount
    formula reads a changed value, the amounts are recomputed from the rows the dry run kept
    (``Entitlement.inputs``), so an MCI change costs little beyond the dry run itself."""
    started = time.perf_counter()
    try:
        rules = load_rules(codes)
    except RuleError as e:
        raise WhatIfError(str(e), value=e.value) from None
    known = _parameters(load_rules())
    changed, references = _replace(known, as_of, settings)
    before = sweep(store, as_of, rules=rules).entitlements
    after: list[Entitlement] = []
    by_rule: dict[str, list[Entitlement]] = {}
    for e in before:
        by_rule.setdefault(e.benefit, []).append(e)
    for rule in rules:
        mine = by_rule.get(rule.code, [])
        new = rule.with_parameters(changed)
        try:
            after += _rerun(store, rule, new, as_of, mine, set(changed))
        except (FormulaError, BoundError, ArithmeticError) as e:
            raise _inconsistent(e, rule, new, as_of, settings, set(changed)) from None
    result = WhatIf(as_of, dict(settings), references)
    result.changes, result.costs = _compare(rules, before, after)
    result.seconds = time.perf_counter() - started
    return result


def _parameters(rules: Iterable[Rule]) -> dict[str, Parameter]:
    """Every dated parameter: the shared ones and each rule's own."""
    out: dict[str, Parameter] = {}
    for rule in rules:
        out.update(rule.parameters)
    return out


def _replace(known: Mapping[str, Parameter], as_of: dt.date,
             settings: Mapping[str, Decimal]) -> tuple[dict[str, Parameter], dict[str, str]]:
    """The parameters with the settings' values in force on ``as_of``, and the legal reference
    of each value replaced; a setting that names nothing, or a value a rule cannot take, is a
    WhatIfError naming what would be accepted."""
    names = tuple(sorted(known))
    cypher_names = set().union(*(used_params(r.cypher) for r in load_rules()))
    changed: dict[str, Parameter] = {}
    references: dict[str, str] = {}
    seen: dict[tuple[str, Any], str] = {}
    for setting, value in settings.items():
        m = _ITEM.fullmatch(setting)
        name, key = (m.group(1), m.group(2)) if m else (setting, None)
        if name not in known:
            near = difflib.get_close_matches(name[:60], names, n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            shown = f"'{name}'" if m else repr(name[:60] + ("…" if len(name) > 60 else ""))  # any text, via the API
            raise WhatIfError(f"unknown parameter {shown}{hint} (parameters: {', '.join(names)})",
                              name=setting, value=value, valid=names)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise WhatIfError(f"{setting}: '{value}' is not a decimal number", name=setting, value=value)
        if value < 0:
            raise WhatIfError(f"{setting}={value}: a negative amount or threshold is refused", name=setting,
                              value=value)
        if value >= LARGEST:
            raise WhatIfError(f"{setting}={value}: too large (no parameter reaches {LARGEST:,})", name=setting,
                              value=value)
        param = changed.get(name, known[name])
        try:
            old = param.at(as_of)
        except ParameterError as e:
            raise WhatIfError(f"{setting}: {e}", name=setting, value=value) from None
        entries = tuple(str(k) for k in old.entries) if isinstance(old, Table) else ()
        # the same entry written twice (large_family_mci[5] and [5.0]): the last would silently win
        canon = (name, Decimal(key) if key is not None and isinstance(old, Table) and old.numeric
                 and _DECIMAL.fullmatch(key) else key)
        if canon in seen:
            raise WhatIfError(f"{setting}: the same value as {seen[canon]} is given twice", name=setting, value=value)
        seen[canon] = setting
        if name in cypher_names and key is None and value != int(value):
            raise WhatIfError(f"{setting}={value}: '{name}' is compared in the rules' queries and must be a whole "
                              f"number", name=setting, value=value)
        try:
            changed[name] = param.replaced(as_of, value, key)
        except ParameterError as e:
            raise WhatIfError(f"{setting}: {e}", name=setting, value=value, valid=entries) from None
        references[setting] = known[name].reference_at(as_of)
    return changed, references


def _rerun(store: Store, rule: Rule, new: Rule, as_of: dt.date, before: list[Entitlement],
           changed: set[str]) -> list[Entitlement]:
    """The rule's rights with the changed parameters (``new``); ``before``: the dry run's."""
    if new is rule:
        return before
    used = used_params(rule.cypher)
    old_q, new_q = rule.query_params(as_of), new.query_params(as_of)
    query = any(old_q.get(n) != new_q.get(n) for n in used)
    when = rule.when is not None and bool(names_in(rule.when) & changed)
    if query or when:
        found = run_rule(store, new, as_of)
        store.after_rule()
        return found
    if rule.amount is None or not names_in(rule.amount) & changed:
        return before  # it reads the changed parameter nowhere that matters today
    out = []
    for e in before:
        row = {**e.inputs, "iin": e.iin, "subject": e.subject, "event": e.event}
        _, amount = new.decide(as_of, row)
        out.append(Entitlement(e.iin, e.benefit, e.as_of, e.subject, amount, e.event, e.inputs))
    return out


def _inconsistent(e: Exception, rule: Rule, new: Rule, as_of: dt.date, settings: Mapping[str, Decimal],
                  changed: set[str]) -> WhatIfError:
    """The rule failed with the values set: name the settings that reach it and, for a table
    with no bracket (a threshold below a table's first bracket), the table's brackets."""
    mine = [f"{s}={v}" for s, v in settings.items() if _name(s) in changed and _name(s) in new.parameters]
    table = new.parameters.get(getattr(e, "name", None) or "")
    valid: tuple[str, ...] = ()
    detail = str(e)
    if table is not None and isinstance(getattr(e, "value", None), (int, Decimal)):
        entries = table.at(as_of)
        if isinstance(entries, Table):
            valid = tuple(str(k) for k in entries.entries)
            detail = (f"{table.name} has no bracket for {e.value} (its brackets: {', '.join(valid)}): "
                      f"a threshold must not fall below {valid[0]}")
    return WhatIfError(f"{', '.join(mine) or 'the settings'} cannot be applied to the rule {rule.code} "
                       f"as of {as_of.isoformat()}: {detail}", name=mine[0].split("=")[0] if mine else None,
                       value=getattr(e, "value", None), valid=valid)


def _name(setting: str) -> str:
    """The parameter a setting names (``large_family_mci`` of ``large_family_mci[5]``)."""
    return setting.split("[", 1)[0]


def _compare(rules: list[Rule], before: list[Entitlement],
             after: list[Entitlement]) -> tuple[list[WhatIfChange], list[BenefitCost]]:
    """Every right that differs (by its right key) and, per benefit with one, the counts and costs."""
    old = {e.key: e for e in before}
    new = {e.key: e for e in after}
    changes = []
    for key in old.keys() | new.keys():
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and a.amount_kzt == b.amount_kzt:
            continue
        e = a or b
        kind = GAINS if a is None else LOSES if b is None else AMOUNT
        changes.append(WhatIfChange(e.iin, e.benefit, e.subject, kind, a.amount_kzt if a else None,
                                    b.amount_kzt if b else None))
    changes.sort(key=lambda c: (c.benefit, c.iin, c.subject or "", c.change, c.before_kzt or 0))
    counts: dict[tuple[str, str], int] = {}
    for c in changes:
        counts[c.benefit, c.change] = counts.get((c.benefit, c.change), 0) + 1
    totals: dict[tuple[str, int], int] = {}
    for side, found in enumerate((before, after)):
        for e in found:
            totals[e.benefit, side] = totals.get((e.benefit, side), 0) + (e.amount_kzt or 0)
    costs = [BenefitCost(r.code, r.periodicity, counts.get((r.code, GAINS), 0), counts.get((r.code, LOSES), 0),
                         counts.get((r.code, AMOUNT), 0), totals.get((r.code, 0), 0), totals.get((r.code, 1), 0))
             for r in rules if any((r.code, k) in counts for k in (GAINS, LOSES, AMOUNT))]
    return changes, costs
