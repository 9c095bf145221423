"""What the steps after the sweep share: keys, the clock, partial updates, audit events.

A right is (code, recipient, subject, the event that started it). Its offer, messages,
assignment, payment orders, worklist tasks and audit events are all keyed from it, so that a
rerun (after a crash, or by mistake) finds what it would create and creates nothing twice.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from familycard.dates import LOCAL, local_day, utcnow  # noqa: F401 - the flow's clock, used as flow.*
from familycard.graph.store import Tx
from familycard.graph.store.writes import insert_new

REPLY_WINDOW = dt.timedelta(hours=72)
# A refusal can be taken back this long after it was made (a consent then reopens the offer):
# a refusal is final, and one typed in haste must not cost a right.
TAKE_BACK_WINDOW = dt.timedelta(hours=24)
SENDER = "1414"


def order_id(payment_key: str) -> str:
    """A payment order's id for banks: ISO 20022 allows 35 characters, [A-Za-z0-9] is safest."""
    return "FC" + hashlib.sha256(payment_key.encode()).hexdigest()[:30].upper()


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def event(ref: str, kind: str, at: dt.datetime, iin: str | None, cause: str, detail: str = "",
          seq: str = "") -> dict:
    """An audit event row; its key makes the same change recorded twice one event."""
    return {"key": f"{ref}#{kind}{'#' + seq if seq else ''}", "iin": iin, "kind": kind, "at": at,
            "cause": cause, "ref": ref, "detail": detail}


def record_events(tx: Tx, events: list[dict]) -> None:
    insert_new(tx, "Event", events)

