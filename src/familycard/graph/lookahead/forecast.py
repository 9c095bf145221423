"""The forward calendar: on the data in the store alone, the rights that begin, end or change
amount on each day of (start, start + days].

It equals a dry-run sweep of each of those days compared with the day before, without sweeping
once a day: the days on which a rule's outcome can change are derived from its date bounds
(a birthday reaching 18, 23 or pension age, a window closing, a fact's end, a parameter taking
effect), and only the persons those dates concern are run again. Rules over monthly income
windows move with data not yet reported, so they are forecast within the start's calendar
month only (``Forecast.monthly_until``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from familycard.graph.store import Store

__all__ = ["CHANGES", "Forecast", "ForecastChange", "forecast"]

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

    def line(self) -> str:
        return (f"forecast {self.start.isoformat()} + {self.days} days: {len(self.changes):,} changes "
                f"in {self.seconds:.1f} s")


def forecast(store: Store, start: dt.date, days: int, codes: list[str] | None = None) -> Forecast:
    raise NotImplementedError("issue 19: forecast")
