"""Dated parameters: a value holds from its date until the next (OpenFisca style).

Shared ones (MCI, PM, MW, pension ages) live in ``rules/parameters.yaml``; a rule's own
coefficients live in its ``rule.yaml``. Every parameter names its source. YAML numbers are read
as decimals from their text, so ``5.76`` never passes through a binary float.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from familycard.graph.rules.formula import Table, to_decimal

__all__ = ["Parameter", "ParameterError", "in_force", "load_yaml", "parse_parameters"]


class ParameterError(ValueError):
    """A parameter that cannot be used. ``name``: the parameter; ``value``: the bad value (a
    date that is not one, the day it has no value on)."""

    def __init__(self, message: str, *, name: str | None = None, value: Any = None):
        super().__init__(message)
        self.name = name
        self.value = value


class _DecimalLoader(yaml.SafeLoader):
    pass


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_DecimalLoader)  # noqa: S506 (a SafeLoader subclass)


@dataclass(frozen=True)
class Parameter:
    name: str
    title: str
    unit: str
    source: str
    values: tuple[tuple[dt.date, Any], ...]  # sorted by date
    note: str = ""
    # the legal reference of each value (law, article, date that set it), in the order of
    # ``values``; "" where the YAML gives none (then ``source`` stands for it)
    references: tuple[str, ...] = ()

    def at(self, day: dt.date) -> Any:
        """The value in force on ``day``."""
        current = None
        for since, value in self.values:
            if since <= day:
                current = value
        if current is None:
            raise ParameterError(f"parameter '{self.name}' has no value on {day} "
                                 f"(its first value is from {self.values[0][0]})", name=self.name, value=day)
        return current

    def since(self, day: dt.date) -> dt.date:
        return max(s for s, _ in self.values if s <= day)

    def replaced(self, day: dt.date, value: Any, key: Any = None, reference: str = "") -> Parameter:
        """This parameter with the value in force on ``day`` replaced (from that value's date to
        the next one's), or only its entry ``key`` when the value is a table (a bracket). For
        what-if runs and near misses; a key the table does not have is a ParameterError naming
        the keys it has."""
        self.at(day)  # no value on that day: the same error
        i = max(i for i, (s, _) in enumerate(self.values) if s <= day)
        since, old = self.values[i]
        if key is not None:
            if not isinstance(old, Table):
                raise ParameterError(f"parameter '{self.name}' is a single value, not a table: set it without "
                                     f"[{key}]", name=self.name, value=key)
            k = Decimal(str(key)) if old.numeric else str(key)
            if k not in old.entries:
                raise ParameterError(f"parameter '{self.name}' has no entry [{key}] on {day} (it has: "
                                     f"{', '.join(str(e) for e in old.entries)})", name=self.name, value=key)
            value = Table(old.name, {**old.entries, k: _number(value)})
        elif isinstance(old, Table):
            raise ParameterError(f"parameter '{self.name}' is a table: set one entry, e.g. "
                                 f"{self.name}[{next(iter(old.entries))}]", name=self.name, value=value)
        else:
            value = _number(value)
        values = self.values[:i] + ((since, value),) + self.values[i + 1:]
        refs = list(self.references) + [""] * (len(self.values) - len(self.references))
        refs[i] = reference
        return replace(self, values=values, references=tuple(refs))

    def reference_at(self, day: dt.date) -> str:
        """The legal reference of the value in force on ``day`` (the parameter's ``source`` where
        that value has none of its own)."""
        self.at(day)  # no value on that day: the same error
        i = max(i for i, (s, _) in enumerate(self.values) if s <= day)
        return (self.references[i] if i < len(self.references) else "") or self.source


def _number(value: Any) -> Decimal:
    """A replacement value: a decimal, from its text (never through a binary float)."""
    try:
        number = Decimal(str(value).strip().replace("_", "")) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or isinstance(value, (bool, float)):
        raise ParameterError(f"'{value}' is not a decimal number", value=value)
    return number


def in_force(parameters: Mapping[str, Parameter], day: dt.date) -> dict[str, Any]:
    """The value of each parameter on ``day``; those whose first date is later are left out."""
    return {n: p.at(day) for n, p in parameters.items() if day >= p.values[0][0]}


def parse_parameters(raw: Mapping[str, Any], where: str) -> dict[str, Parameter]:
    params = {}
    for name, spec in (raw or {}).items():
        if not isinstance(spec, Mapping) or "values" not in spec or "source" not in spec:
            raise ParameterError(f"{where}: parameter '{name}' needs 'values' and 'source'", name=name, value=spec)
        values = []
        for since, value in spec["values"].items():
            if not isinstance(since, dt.date):
                raise ParameterError(f"{where}: parameter '{name}': '{since}' is not a date", name=name, value=since)
            reference = ""
            # OpenFisca's form: {value: ..., reference: "the law, article and date that set it"}
            if isinstance(value, Mapping) and set(value) <= {"value", "reference"} and "value" in value:
                reference = str(value.get("reference") or "")
                value = value["value"]
            if isinstance(value, Mapping):
                value = Table(name, value)
            else:
                value = to_decimal(value)
            values.append((since, value, reference))
        if not values:
            raise ParameterError(f"{where}: parameter '{name}' has no values", name=name)
        values.sort(key=lambda v: v[0])
        params[name] = Parameter(name, str(spec.get("title", name)), str(spec.get("unit", "")),
                                 str(spec["source"]), tuple((d, v) for d, v, _ in values),
                                 str(spec.get("note", "")), tuple(r for _, _, r in values))
    return params
