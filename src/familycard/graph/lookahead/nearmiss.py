"""Near misses: people who would be entitled on a day but for one missing or blocking record,
with what is missing. Each kind says what one record would change."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from familycard.graph.store import Store

__all__ = ["MISSING_KINDS", "NearMiss", "near_misses"]

#: kind -> what it means, in a sentence (the README, the CLI's help and the API's enum use these)
MISSING_KINDS: dict[str, str] = {
    "student_fact": "a child of 18-22 without a student fact; one record would count them for a large family",
    "contribution_month": "5 of the 6 contribution months needed",
    "income_above_line": "household income per person within 5 % above the assistance line",
    "phone": "a right already found, but no phone to offer it by SMS",
    "bank_account": "a right already found, but no valid bank account to pay it to",
    "reexamination_due": "a disability whose re-examination (valid_to) falls within 30 days",
}


@dataclass(frozen=True)
class NearMiss:
    iin: str
    benefit: str
    subject: str | None
    missing: str               # a key of MISSING_KINDS
    detail: str                # English, names the record and its values (no phone or account in it)

    def record(self) -> dict[str, Any]:
        """The JSON line of `familycard nearmiss --json`."""
        return {"iin": self.iin, "benefit": self.benefit, "subject": self.subject,
                "missing": self.missing, "detail": self.detail}


def near_misses(store: Store, as_of: dt.date, kinds: list[str] | None = None) -> list[NearMiss]:
    """Sorted by benefit, missing, iin, subject."""
    raise NotImplementedError("issue 19: near misses")
