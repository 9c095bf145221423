"""Aliases and scalars the API's modules share.

How values leave the API, in one place for the typed fields and the rows of saved queries alike:

- A date-time is an instant in UTC, written with its offset: ``2026-12-07T11:24:50.058900Z``.
  Both stores keep times as naive UTC (dates.utcnow), so a naive value is UTC; a browser read
  the old offset-less text as its own local time, five hours off in Kazakhstan. An argument
  must carry its offset too (``Z`` or ``+05:00``): a bare time would be a guess.
- A Decimal (money, in tenge) is a JSON number, not a string: JavaScript reads it as a number
  and it is exact: a whole amount is written as an integer (exact in a double up to 2^53), one
  with decimals as the shortest text that reads back as the same double, which is its own
  text for 15 significant digits (every amount with tiyn below 10 trillion tenge). A Decimal
  that would not read back as itself is refused, never rounded.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, NewType, TypeVar

import strawberry

from familycard.api.errors import PublicError
from familycard.settings import Role

__all__ = ["Role", "JSON", "SCALARS", "datetime_text", "decimal_number", "json_value", "enum_of",
           "UNKNOWN"]

# Rows of a saved query, and a saved query's arguments: whatever JSON the Cypher returns.
JSON = NewType("JSON", Any)


def datetime_text(v: dt.datetime) -> str:
    """An instant as ISO 8601 in UTC with ``Z``; a naive one is UTC (the stores' convention)."""
    if v.tzinfo is not None:
        v = v.astimezone(dt.UTC).replace(tzinfo=None)
    return v.isoformat() + "Z"


class BadValue(PublicError, ValueError):
    """An argument a scalar cannot read: the caller's mistake, told as such (not masked).
    ``scalar``: the scalar that could not read it (DateTime, Date, Decimal); ``value``: the
    argument as given."""

    def __init__(self, message: str, *, scalar: str, value: Any):
        super().__init__(message)
        self.scalar = scalar
        self.value = value


def _parse_datetime(v: Any) -> dt.datetime:
    if not isinstance(v, str):
        raise BadValue(f"DateTime: expected an ISO 8601 text such as '2026-12-07T10:00:00+05:00', got {v!r:.40}",
                       scalar="DateTime", value=v)
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        raise BadValue(f"DateTime '{v[:40]}': not an ISO 8601 date-time such as "
                         f"'2026-12-07T10:00:00+05:00'", scalar="DateTime", value=v) from None
    if t.tzinfo is None:
        raise BadValue(f"DateTime '{v[:40]}': give the offset (Z for UTC, +05:00 for Kazakhstan time)",
                       scalar="DateTime", value=v)
    return t


def _parse_date(v: Any) -> dt.date:
    if isinstance(v, str) and len(v) == 10:
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise BadValue(f"Date {str(v)[:40]!r}: not a day YYYY-MM-DD such as '2026-11-25'", scalar="Date", value=v)


_EXACT_LIMIT = Decimal(2 ** 53)


def decimal_number(v: Decimal) -> int | float:
    """A Decimal as the JSON number a client reads back as exactly this value (an int when it
    is whole); ValueError when no double holds it."""
    if not v.is_finite():
        raise ValueError(f"{v} is not a number JSON can carry")
    if v == v.to_integral_value():
        if abs(v) <= _EXACT_LIMIT:
            return int(v)
    else:
        f = float(v)
        if Decimal(repr(f)) == v:
            return f
    raise ValueError(f"{v} cannot be written exactly as a JSON number (a double holds 15 significant digits)")


def _parse_decimal(v: Any) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise BadValue(f"Decimal: expected a number, got {v!r:.40}", scalar="Decimal", value=v)
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise BadValue(f"Decimal '{str(v)[:40]}': not a number", scalar="Decimal", value=v) from None
    if not d.is_finite():
        raise BadValue(f"Decimal '{str(v)[:40]}': not a finite number", scalar="Decimal", value=v)
    return d


def json_value(v: Any) -> Any:
    """A value of a saved query's row as JSON, by the same rules as the typed fields: date-times
    in UTC with ``Z``, dates ISO, Decimals as exact numbers."""
    if isinstance(v, dt.datetime):
        return datetime_text(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return decimal_number(v)
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    return v


SCALARS = {
    JSON: strawberry.scalar(name="JSON", description="Any JSON value (the rows of a saved query, its arguments). "
                                                     "Date-times in it are UTC with `Z`, amounts are numbers, as in "
                                                     "the typed fields.",
                            serialize=lambda v: v, parse_value=lambda v: v),
    dt.date: strawberry.scalar(
        name="Date", description="A day, ISO 8601 `YYYY-MM-DD`: no time, no zone (a birth date, the day a rule "
                                 "judges; \"today\" is the day in Kazakhstan).",
        serialize=lambda v: v.isoformat(), parse_value=_parse_date),
    dt.datetime: strawberry.scalar(
        name="DateTime", description="An instant, ISO 8601 with its offset. The API writes UTC with `Z` "
                                     "(`2026-12-07T11:24:50.058900Z`, microseconds when there are any); an "
                                     "argument must carry its offset (`Z`, or `+05:00` for Kazakhstan time).",
        serialize=datetime_text, parse_value=_parse_datetime),
    Decimal: strawberry.scalar(
        name="Decimal", description="An exact amount in tenge, as a JSON number (never a string): whole "
                                    "tenge are integers; with tiyn, at most 15 significant digits, so that "
                                    "a double (JavaScript's number) reads it back exactly.",
        serialize=decimal_number, parse_value=_parse_decimal),
}


# --- enums ---------------------------------------------------------------------------------

#: The value a stored status reads as when this version of familycard does not know it (written
#: by a newer version, or by hand): the item is still listed, and the log says which value.
UNKNOWN = "UNKNOWN"
_UNKNOWN_TEXT = ("A value this version of familycard does not know (stored by a newer version): "
                 "the item is shown anyway.")

E = TypeVar("E", bound=Enum)
_warned: set[tuple[str, str]] = set()


def api_enum(name: str, values: Iterable[str], descriptions: Mapping[str, str], description: str,
             unknown: bool = False) -> type[Enum]:
    """A GraphQL enum whose members are ``values`` (where the flow or the rules define them),
    upper-cased as GraphQL names them; each needs its description here, so a value added
    there without one fails at import (and in the tests), never drifts silently."""
    values = tuple(values)
    missing = [v for v in values if v not in descriptions]
    extra = [v for v in descriptions if v not in values]
    if missing or extra:
        raise RuntimeError(f"enum {name}: describe {missing} / drop {extra} (the values are defined elsewhere)")
    members = {v.upper(): strawberry.enum_value(v, description=descriptions[v]) for v in values}
    if unknown:
        members[UNKNOWN] = strawberry.enum_value(UNKNOWN, description=_UNKNOWN_TEXT)
    return strawberry.enum(Enum(name, {k: m for k, m in members.items()}), description=description)


def enum_of(cls: type[E], raw: str | None) -> E | None:
    """The member for a stored value; UNKNOWN (and a warning, once per value) for one this
    version does not know, so one odd row does not fail a whole list."""
    if raw is None:
        return None
    try:
        return cls(raw)
    except ValueError:
        if UNKNOWN not in cls.__members__:
            raise
        if (cls.__name__, raw) not in _warned:
            _warned.add((cls.__name__, raw))
            logging.getLogger("familycard.api").warning("%s: stored value %r is not one this version knows; "
                                                        "shown as UNKNOWN", cls.__name__, raw[:40])
        return cls[UNKNOWN]
