"""Calendar arithmetic as benefits.md defines it; computed in Python, never in Cypher."""
from __future__ import annotations

import datetime as dt


def month_len(y: int, m: int) -> int:
    return (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.date(y, m, 1)).days


def add_months(d: dt.date, n: int) -> dt.date:
    """Same day of the month n months on, or that month's last day (benefits.md)."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    return dt.date(y, m + 1, min(d.day, month_len(y, m + 1)))


def add_years(d: dt.date, n: int) -> dt.date:
    """The n-th birthday: 29 February turns a year older on 1 March in non-leap years."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return dt.date(d.year + n, 3, 1)


def age(born: dt.date, on: dt.date) -> int:
    """Full years from ``born`` to ``on``."""
    a = on.year - born.year
    return a - 1 if (on.month, on.day) < (born.month, born.day) else a


# Kazakhstan has kept one time zone, UTC+5, since 1 March 2024: "the day" of a sweep, a consent or
# a payment is the day there. Stored times are UTC (naive), like recorded_at.
LOCAL = dt.timezone(dt.timedelta(hours=5))


def utcnow() -> dt.datetime:
    # Microseconds kept: the audit trail is told in the order things happened.
    return aware_utcnow().replace(tzinfo=None)


def aware_utcnow() -> dt.datetime:
    """The same clock with its zone: for what is compared with, or converted to, other zones
    (an HTTP date, a JWT's seconds since the epoch, a gateway's ISO time)."""
    return dt.datetime.now(dt.UTC)


def local_day(at: dt.datetime) -> dt.date:
    """The day in Kazakhstan at a (naive UTC) moment."""
    return at.replace(tzinfo=dt.UTC).astimezone(LOCAL).date()


def local_today() -> dt.date:
    """Today in Kazakhstan: the CLI's default day (the machine's own date is UTC on a server)."""
    return local_day(utcnow())
