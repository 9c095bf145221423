"""Data-quality findings: contradictions between registries that a caseworker should clear,
each with the persons involved."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from familycard.graph.store import Store

__all__ = ["FINDING_KINDS", "DataFinding", "FindingKind", "findings"]


@dataclass(frozen=True)
class FindingKind:
    code: str
    title: str          # a short English title
    why: str            # why it matters, one sentence
    clears: str         # what record clears it, one sentence


#: every kind, in the order `familycard findings` reports them (filled by the implementation)
FINDING_KINDS: dict[str, FindingKind] = {}


@dataclass(frozen=True)
class DataFinding:
    kind: str                   # a key of FINDING_KINDS
    iins: tuple[str, ...]       # the persons involved, sorted; only those the finding is about
    detail: str                 # English; dates and record names, no phone or account

    def record(self) -> dict[str, Any]:
        """The JSON line of `familycard findings --json`."""
        return {"kind": self.kind, "iins": list(self.iins), "detail": self.detail}


def findings(store: Store, as_of: dt.date, kinds: list[str] | None = None) -> list[DataFinding]:
    """Sorted by kind (FINDING_KINDS order), then iins."""
    raise NotImplementedError("issue 19: findings")
