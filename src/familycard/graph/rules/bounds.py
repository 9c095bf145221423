"""Date bounds for a day: all calendar arithmetic of a rule, done here in Python.

A rule's Cypher only compares dates with these. Each bound in ``rule.yaml`` is one of
  ``{days: N}``                       the day D + N
  ``{month_start: N}``                the first day of the month N months from D's month
                                      (``days: -1`` makes it the last day of the month before)
  ``{reached: {years|months: N}}``    the latest birth date of those who have reached that age
  ``{reached: {age: PARAMETER}}``     the same for an age that is a dated parameter (pension age)
                                      (both take ``days: N`` to ask about D + N instead of D)
  ``{months_window: {from_days: A, to_days: B, lookback_months: K}}``
        one map per calendar month touching D+A..D+B: ``first_day``, ``last_day`` of the month
        and ``lookback_from``, the first day of the month K months earlier (for "the K
        calendar months before the month of ...": lookback_from <= day < first_day).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from familycard.dates import add_months, add_years, month_len
from familycard.graph.rules.parameters import Parameter, in_force

__all__ = ["BoundError", "compute_bounds", "reach_date", "latest_birth_reaching"]


class BoundError(ValueError):
    """A date bound that cannot be computed. ``name``: the bound or age parameter at fault;
    ``value``: the bad value (a spec, a birth date)."""

    def __init__(self, message: str, *, name: str | None = None, value: Any = None):
        super().__init__(message)
        self.name = name
        self.value = value


def _anniversary(born: dt.date, years: Decimal) -> dt.date:
    if years == int(years):
        return add_years(born, int(years))
    return add_months(born, int(years * 12))  # 61½ years: 738 months, the month rule


def reach_date(born: dt.date, age: Parameter | Decimal | int) -> dt.date:
    """The day a person born on ``born`` reaches ``age``. For a dated age (pension age), the age
    in force in the year the person would reach it: the first day on which their age is at least
    the age in force on 1 January of that year (before the parameter's first date, its first
    value)."""
    if not isinstance(age, Parameter):
        return _anniversary(born, Decimal(age))
    first = age.values[0]
    for year in range(born.year, born.year + 150):
        jan1 = dt.date(year, 1, 1)
        a = age.at(jan1) if jan1 >= first[0] else first[1]
        r = _anniversary(born, a)
        if r.year <= year:
            return max(r, jan1)
    raise BoundError(f"'{age.name}': never reached from {born}", name=age.name, value=born)


def latest_birth_reaching(reach: Callable[[dt.date], dt.date], day: dt.date) -> dt.date:
    """The latest birth date whose anniversary (``reach``, non-decreasing) is on or before day."""
    lo, hi = day - dt.timedelta(days=366 * 200), day  # reach(lo) <= day; search the last such
    if reach(hi) <= day:
        return hi
    while (hi - lo).days > 1:
        mid = lo + dt.timedelta(days=(hi - lo).days // 2)
        if reach(mid) <= day:
            lo = mid
        else:
            hi = mid
    return lo


def compute_bounds(specs: Mapping[str, Mapping[str, Any]], as_of: dt.date,
                   parameters: Mapping[str, Parameter]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        try:
            out[name] = _bound(spec, as_of, parameters)
        except BoundError:
            raise
        except Exception as e:  # a malformed spec: name it
            raise BoundError(f"bound '{name}' ({dict(spec)}): {e}", name=name, value=dict(spec)) from None
    return out


def _bound(spec: Mapping[str, Any], as_of: dt.date, parameters: Mapping[str, Parameter]) -> Any:
    day = as_of + dt.timedelta(days=int(spec.get("days", 0)))
    if "reached" in spec:
        r = spec["reached"]
        if "years" in r:
            years = Decimal(r["years"])
            reach: Callable[[dt.date], dt.date] = lambda b: _anniversary(b, years)  # noqa: E731
        elif "months" in r:
            months = int(r["months"])
            reach = lambda b: add_months(b, months)  # noqa: E731
        elif "age" in r:
            if r["age"] not in parameters:
                raise BoundError(f"unknown age parameter '{r['age']}'", name=r["age"])
            p = parameters[r["age"]]
            reach = lambda b: reach_date(b, p)  # noqa: E731
        else:
            raise BoundError("'reached' needs years, months or age", value=dict(r))
        return latest_birth_reaching(reach, day)
    if "month_start" in spec:
        return add_months(as_of.replace(day=1), int(spec["month_start"])) + (day - as_of)
    if "months_window" in spec:
        w = spec["months_window"]
        first = as_of + dt.timedelta(days=int(w.get("from_days", 0)))
        last = as_of + dt.timedelta(days=int(w.get("to_days", 0)))
        months, m = [], first.replace(day=1)
        while m <= last:
            months.append({"first_day": m, "last_day": m.replace(day=month_len(m.year, m.month)),
                           "lookback_from": add_months(m, -int(w["lookback_months"]))})
            m = add_months(m, 1)
        return months
    if "ceiling" in spec:
        from familycard.graph.rules.formula import evaluate

        value = evaluate(str(spec["ceiling"]), in_force(parameters, as_of))
        return int(value.to_integral_value(rounding="ROUND_CEILING"))
    if set(spec) <= {"days"}:
        return day
    raise BoundError(f"unknown bound kind {sorted(spec)}", value=dict(spec))
