"""The audit trail's rows: every state change of a right's records as an ``Event``, keyed so that
the same change recorded twice is one event (``history`` tells them).

A right is (code, recipient, subject, the event that started it). Its offer, messages,
assignment, payment orders, worklist tasks and audit events are all keyed from it, so that a
rerun (after a crash, or by mistake) finds what it would create and creates nothing twice.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from familycard.graph.store import Tx
from familycard.graph.store.writes import insert_new


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def event(ref: str, kind: str, at: dt.datetime, iin: str | None, cause: str, detail: str = "",
          seq: str = "", entered_by: str | None = None) -> dict:
    """An audit event row; its key makes the same change recorded twice one event.
    ``entered_by``: who typed in the answer that made it (given in person), else None."""
    return {"key": f"{ref}#{kind}{'#' + seq if seq else ''}", "iin": iin, "kind": kind, "at": at,
            "cause": cause, "ref": ref, "detail": detail, "entered_by": entered_by}


def record_events(tx: Tx, events: list[dict]) -> None:
    insert_new(tx, "Event", events)

