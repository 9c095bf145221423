"""Tasks closed by hand stay as the caseworker left them, on both engines."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from familycard.graph.flow.orders import issue_orders
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


def test_a_payment_that_still_waits_opens_again_a_task_closed_before_its_month_but_not_one_closed_in_it(store):
    """A caseworker closed "no account" ("she will bring one"); none came. December's payment
    run opens it again, saying who closed it and why; a task closed in December stays closed
    (a rerun of the month must not undo the day's work), and a new cause makes a new task."""
    def wanted(k: str) -> dict:
        return {"key": k, "code": "childcare_1_5", "iin": "900101400017", "subject": None,
                "periodicity": "monthly", "amount_kzt": Decimal("45000.00")}

    store.transaction(lambda tx: writes.insert_new(tx, "Task", [
        _task("nov|no_account") | {"ref": "nov"}, _task("dec|no_account") | {"ref": "dec"}]))
    close_task(store, "nov|no_account", "she will bring an account", "caseworker key:ann", dt.datetime(2026, 11, 20))
    close_task(store, "dec|no_account", "called: opening one", "caseworker key:bob", dt.datetime(2026, 12, 2))
    at = dt.datetime(2026, 12, 5, 4, 0)
    orders, worklisted = store.transaction(
        lambda tx: issue_orders(tx, [wanted("nov"), wanted("dec"), wanted("new")], "2026-12", at, "test"))
    assert (orders, worklisted) == (0, 2)  # nov opened again, new made; dec left as bob closed it
    tasks = _read(store)
    assert tasks["nov|no_account"] | {"key": None} == {"key": None, "status": "open", "closed_at": None,
                                                       "closed_by": None, "note": None}
    assert tasks["dec|no_account"]["status"] == CLOSED and tasks["dec|no_account"]["closed_by"] == "caseworker key:bob"
    assert tasks["new|no_account"]["status"] == "open"
    detail = store.read("MATCH (t:Task {key: 'nov|no_account'}) RETURN t.detail AS d")[0]["d"]
    assert detail == ("no bank account in the registry; open again 2026-12-05: closed 2026-11-20 by caseworker "
                      "key:ann (she will bring an account), the cause is still there")
    # The first moment of December in Kazakhstan is 30 November 19:00 UTC: closed just before, opened again.
    close_task(store, "nov|no_account", "again", "caseworker key:ann", dt.datetime(2026, 11, 30, 18, 59))
    store.transaction(lambda tx: issue_orders(tx, [wanted("nov")], "2026-12", at, "test"))
    assert _read(store)["nov|no_account"]["status"] == "open"
