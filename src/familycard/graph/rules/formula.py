"""Amount formulas and extra conditions from rule.yaml, evaluated in decimal arithmetic.

A formula is a Python-syntax expression over the rule's parameters (resolved for the day) and
the columns its Cypher returned, e.g. ``mci * birth_mci[birth_order]``. Only arithmetic,
comparisons, ``x if c else y``, ``and/or/not``, ``min``/``max``, ``None`` and table look-ups
are allowed: it is data, and is parsed, never ``eval``-ed. Any operand that is None makes the
result None (an amount that cannot be known stays null rather than becoming zero).
"""
from __future__ import annotations

import ast
import decimal
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

__all__ = ["FormulaError", "Table", "evaluate", "names_in", "to_decimal", "whole_tenge"]


class FormulaError(ValueError):
    """A formula that cannot be read or evaluated. ``formula``: its source, where known;
    ``name``: the name or table at fault; ``value``: the bad value (a key, a float)."""

    def __init__(self, message: str, *, formula: str | None = None, name: str | None = None, value: Any = None):
        super().__init__(message)
        self.formula = formula
        self.name = name
        self.value = value


class Table:
    """A parameter that maps a key to a value: brackets over numbers ("4 and more": the largest
    threshold not above the key) or exact string keys (a disability group, an award)."""

    def __init__(self, name: str, entries: Mapping[Any, Any]):
        self.name = name
        self.numeric = all(isinstance(k, (int, Decimal)) and not isinstance(k, bool) for k in entries)
        self.entries = {(Decimal(k) if self.numeric else str(k)): to_decimal(v) for k, v in entries.items()}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, list):  # awards: one value per key, e.g. for max(...)
            return [self[k] for k in key]
        if key is None:
            return None
        if not self.numeric:
            if str(key) not in self.entries:
                raise FormulaError(f"{self.name}: no value for '{key}' (known: {', '.join(self.entries)})",
                                   name=self.name, value=key)
            return self.entries[str(key)]
        k = Decimal(key)
        fitting = [t for t in self.entries if t <= k]
        if not fitting:
            raise FormulaError(f"{self.name}: no bracket for {key} (the lowest starts at {min(self.entries)})",
                               name=self.name, value=key)
        return self.entries[max(fitting)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and other.entries == self.entries

    def __repr__(self) -> str:
        return f"Table({self.name}, {self.entries})"


def to_decimal(v: Any) -> Any:
    if isinstance(v, float):
        raise FormulaError(f"binary float {v!r} in money arithmetic; write it as a decimal string", value=v)
    if isinstance(v, bool) or v is None or isinstance(v, (Decimal, Table, str, list)):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, Mapping):
        return Table("table", v)
    return v


def whole_tenge(amount: Decimal | None) -> int | None:
    """benefits.md: rounded to whole tenge, halves up."""
    if amount is None:
        return None
    return int(Decimal(amount).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP))


_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}
_CMPOPS = {ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
           ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}
_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


@lru_cache(maxsize=256)
def _parse(source: str) -> ast.Expression:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise FormulaError(f"formula {source!r}: {e.msg}", formula=source) from None
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.Compare, ast.IfExp,
                               ast.BoolOp, ast.And, ast.Or, ast.Not, ast.Name, ast.Load, ast.Constant,
                               ast.Subscript, ast.Call, ast.List, ast.Tuple)) or type(node) in _BINOPS \
            or type(node) in _CMPOPS
        if isinstance(node, ast.Call):
            ok = isinstance(node.func, ast.Name) and node.func.id in ("min", "max") and not node.keywords
        if isinstance(node, ast.Constant):
            ok = node.value is None or isinstance(node.value, (int, str, bool))
            if isinstance(node.value, float):
                raise FormulaError(f"formula {source!r}: write {node.value} as a decimal string, e.g. "
                                   f"'{node.value}' (binary floats never touch money)", formula=source,
                                   value=node.value)
        if not ok:
            raise FormulaError(f"formula {source!r}: {type(node).__name__} is not allowed", formula=source)
    return tree


def names_in(source: str) -> set[str]:
    """The names a formula reads (for the rule folder check)."""
    return {n.id for n in ast.walk(_parse(source)) if isinstance(n, ast.Name) and n.id not in ("min", "max")}


def evaluate(source: str, names: Mapping[str, Any]) -> Any:
    with decimal.localcontext(_CONTEXT):
        return _eval(_parse(source).body, names, source)


def _eval(node: ast.AST, names: Mapping[str, Any], src: str) -> Any:
    if isinstance(node, ast.Constant):
        v = node.value
        return Decimal(v) if isinstance(v, str) and _is_number(v) else to_decimal(v)
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise FormulaError(f"formula {src!r}: unknown name '{node.id}'", formula=src, name=node.id)
        v = names[node.id]
        return to_decimal(v) if not isinstance(v, Table) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, names, src), _eval(node.right, names, src)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Div) and b == 0:
            return None
        return _BINOPS[type(node.op)](a, b)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, names, src)
        if isinstance(node.op, ast.Not):
            return None if v is None else not v
        return None if v is None else -v
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names, src)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, names, src)
            if left is None or right is None:
                return None
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        vals = [_eval(v, names, src) for v in node.values]
        if isinstance(node.op, ast.And):
            return False if any(v is False for v in vals) else (None if None in vals else all(vals))
        return True if any(v is True for v in vals) else (None if None in vals else any(vals))
    if isinstance(node, ast.IfExp):
        test = _eval(node.test, names, src)
        return _eval(node.body if test else node.orelse, names, src)
    if isinstance(node, ast.Subscript):
        table = _eval(node.value, names, src)
        key = _eval(node.slice, names, src)
        if not isinstance(table, Table):
            raise FormulaError(f"formula {src!r}: only tables can be indexed", formula=src, value=table)
        return table[key]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, names, src) for e in node.elts]
    if isinstance(node, ast.Call):
        args = [_eval(a, names, src) for a in node.args]
        if len(args) == 1 and isinstance(args[0], list):
            args = args[0]
        if any(a is None for a in args) or not args:
            return None
        return (min if node.func.id == "min" else max)(args)
    raise FormulaError(f"formula {src!r}: cannot evaluate {type(node).__name__}", formula=src)


def _is_number(s: str) -> bool:
    try:
        Decimal(s)
        return True
    except decimal.InvalidOperation:
        return False
