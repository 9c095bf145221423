"""Tasks closed by hand stay as the caseworker left them, on both engines."""
from __future__ import annotations

import datetime as dt

import pytest

from familycard.graph.flow.worklist import CLOSED, TaskError, close_gone, close_task
from familycard.graph.store import writes

T0 = dt.datetime(2026, 12, 1, 9, 0)


def _task(key: str, status: str = "open") -> dict:
    return {"key": key, "iin": "900101400017", "code": "birth", "ref": f"birth|{key}", "reason": "no_account",
            "detail": "no bank account in the registry", "status": status, "created_at": T0}


def _read(store) -> dict:
    return {r["key"]: r for r in store.read("MATCH (t:Task) RETURN t.key AS key, t.status AS status, "
                                            "t.closed_at AS closed_at, t.closed_by AS closed_by, t.note AS note")}


def test_the_flow_closes_what_is_open_and_leaves_a_task_closed_by_hand_as_it_was(store):
    store.transaction(lambda tx: writes.insert_new(tx, "Task", [_task("a"), _task("b")]))
    by_hand = close_task(store, "a", "the account is being opened", "caseworker key:ann", T0 + dt.timedelta(hours=1))
    assert (by_hand["status"], by_hand["closed_by"]) == (CLOSED, "caseworker key:ann")
    later = T0 + dt.timedelta(days=3)
    store.transaction(lambda tx: close_gone(tx, ["a", "b", "c"], later))  # the order went out: both moot
    tasks = _read(store)
    assert tasks["a"] == {"key": "a", "status": CLOSED, "closed_at": T0 + dt.timedelta(hours=1),
                          "closed_by": "caseworker key:ann", "note": "the account is being opened"}
    assert tasks["b"] == {"key": "b", "status": CLOSED, "closed_at": later, "closed_by": None, "note": None}
    with pytest.raises(TaskError, match="^the task is closed on 2026-12-04 09:00 UTC: only an open task"):
        close_task(store, "b", "x", "caseworker key:ann", later)
    with pytest.raises(TaskError, match="^there is no such task$"):
        close_task(store, "nope", "x", "caseworker key:ann", later)
