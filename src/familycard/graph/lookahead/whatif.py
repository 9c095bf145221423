"""What-if: today's dry run with some dated parameters replaced (``NAME=VALUE``, a bracket
entry as ``large_family_mci[5]``): every right that differs, and per benefit the gains, losses,
amount changes and the monthly and one-off cost before and after. It equals the dry run with the
same values edited into the rule files."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from familycard.graph.store import Store

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


def parse_settings(items: Iterable[str]) -> dict[str, Decimal]:
    """``["mci=4500", "large_family_mci[5]=21"]`` -> {name: Decimal}; a malformed item is a
    WhatIfError naming it. Names are checked against the parameters by ``what_if``."""
    raise NotImplementedError("issue 19: what-if")


def what_if(store: Store, as_of: dt.date, settings: Mapping[str, Decimal],
            codes: list[str] | None = None) -> WhatIf:
    raise NotImplementedError("issue 19: what-if")
