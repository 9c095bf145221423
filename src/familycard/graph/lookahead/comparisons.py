"""Which stored dates a rule compares with which of its date parameters: what the forward
calendar reads off a rule's Cypher to know whom a day's bounds concern.

Every date a rule's Cypher receives (``$as_of`` and each date bound) is a non-decreasing
function of the day. A comparison ``v.prop <op> $b`` of a stored date x can therefore change
its truth between day d-1 and day d only if x lies in [b(d-1), b(d)] (inclusive: that covers
strict and non-strict operators alike). This module finds those comparisons statically, from
the rule's text: ``<var>.<prop> <op> $param`` or ``$param <op> <var>.<prop>``, the variable's
label (or link types) from the patterns that bind it.

It is conservative: a parameter used anywhere else (``UNWIND $months``, ``$cap * members``,
``$p + 1``, a comparison on a variable whose label it cannot tell or on a property that is not
a stored date of the family graph) is *opaque*: a day on which its value changes is a full
run of the rule, not a scoped one.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from familycard.graph import model
from familycard.graph.rules import Rule

__all__ = ["DateUse", "date_use", "owners_query", "ATTRIBUTABLE"]

#: Tables whose stored dates the calendar can trace to persons: a person's own, a fact's owner
#: (through HAS_FACT), a link's two ends.
ATTRIBUTABLE = ("Person", "Fact", *model.LINK_TABLES)

_OP = r"(<=|>=|<>|=|<|>)"
_ARITH = r"[-+*/%.\[]"
_LEFT = re.compile(rf"\b(\w+)\.(\w+)\s*{_OP}\s*\$(\w+)\b(?!\s*{_ARITH})")
_RIGHT = re.compile(rf"\$(\w+)\s*{_OP}\s*(\w+)\.(\w+)\b(?!\s*{_ARITH})")
_ANY = re.compile(r"\$(\w+)\b")
_NODE = re.compile(r"\((\w+):(\w+)")
_LINK = re.compile(r"\[(\w+):([\w|]+)")
_NAME = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class DateUse:
    """One rule's use of its parameters, as the calendar needs it."""
    compared: Mapping[str, frozenset[tuple[str, str]]]  # date parameter -> {(table, stored date property)}
    opaque: frozenset[str]      # Cypher parameters used otherwise: a change of value is a full run
    formula: frozenset[str]     # the rule's parameters its `amount` and `when` name

    def cypher_params(self) -> frozenset[str]:
        return frozenset(self.compared) | self.opaque


def _text(cypher: str) -> str:
    return "\n".join(line for line in cypher.split("\n") if not line.lstrip().startswith("//"))


def _labels(text: str) -> dict[str, set[str]]:
    """Each variable's labels or link types over the whole query (every UNION part, every
    subquery: a name bound twice counts as each)."""
    out: dict[str, set[str]] = {}
    for var, label in _NODE.findall(text):
        out.setdefault(var, set()).add(label)
    for var, types in _LINK.findall(text):
        out.setdefault(var, set()).update(types.split("|"))
    return out


def _date_column(table: str, prop: str) -> bool:
    t = model.TABLES.get(table)
    return t is not None and dict(t.columns).get(prop) == model.DATE


def date_use(rule: Rule) -> DateUse:
    text = _text(rule.cypher)
    labels = _labels(text)
    total: dict[str, int] = {}
    for p in _ANY.findall(text):
        total[p] = total.get(p, 0) + 1
    seen: dict[str, int] = {}
    compared: dict[str, set[tuple[str, str]]] = {}
    bad: set[str] = set()
    hits = [(m.group(4), m.group(1), m.group(2)) for m in _LEFT.finditer(text)]
    hits += [(m.group(1), m.group(3), m.group(4)) for m in _RIGHT.finditer(text)
             if not re.search(rf"{_ARITH}\s*$", text[:m.start()])]
    for param, var, prop in hits:
        seen[param] = seen.get(param, 0) + 1
        tables = labels.get(var)
        if not tables or not all(t in ATTRIBUTABLE and _date_column(t, prop) for t in tables):
            bad.add(param)
            continue
        compared.setdefault(param, set()).update((t, prop) for t in tables)
    opaque = bad | {p for p, n in total.items() if seen.get(p, 0) < n}
    formula = {n for src in (rule.amount, rule.when) if src for n in _NAME.findall(src) if n in rule.parameters}
    return DateUse(MappingProxyType({p: frozenset(c) for p, c in compared.items() if p not in opaque}),
                   frozenset(opaque), frozenset(formula))


def owners_query(table: str, prop: str, ranges: int) -> str:
    """The persons who own a stored date ``table.prop`` within any of ``ranges`` intervals
    ``$lo<i>..$hi<i>`` (inclusive): rows (a, x), and b: a link's other end."""
    def within(v: str) -> str:
        return " OR ".join(f"({v}.{prop} >= $lo{i} AND {v}.{prop} <= $hi{i})" for i in range(ranges))

    if table == "Person":
        return f"MATCH (p:Person) WHERE {within('p')} RETURN p.iin AS a, p.{prop} AS x"
    if table == "Fact":
        return (f"MATCH (p:Person)-[:HAS_FACT]->(f:Fact) WHERE {within('f')} "
                f"RETURN p.iin AS a, f.{prop} AS x")
    if table in model.LINK_TABLES:
        return (f"MATCH (p:Person)-[l:{table}]->(q:Person) WHERE {within('l')} "
                f"RETURN p.iin AS a, q.iin AS b, l.{prop} AS x")
    raise ValueError(f"stored dates of {table!r}: the calendar traces only {', '.join(ATTRIBUTABLE)}")
