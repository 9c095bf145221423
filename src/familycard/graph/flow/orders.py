"""Assignments and payment orders: what a consent writes (the dated assignment and the first
order) and what each month's run issues, keyed so that a rerun issues nothing twice."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from familycard import dates
from familycard.graph.flow import trail
from familycard.graph.flow.worklist import close_gone, open_again
from familycard.graph.model import ACTIVE, ORDERED
from familycard.graph.store import Tx, writes
from familycard.schema.values import is_kz_iban, mask_account, month_parts


def order_id(payment_key: str) -> str:
    """A payment order's id for banks: ISO 20022 allows 35 characters, [A-Za-z0-9] is safest."""
    return "FC" + hashlib.sha256(payment_key.encode()).hexdigest()[:30].upper()


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """'2026-11' → (first day, last day); a clear error otherwise."""
    ym = month_parts(text)
    if ym is None:
        raise ValueError(f"month '{text}': expected YYYY-MM, e.g. 2026-11")
    first = dt.date(*ym, 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_of(periodicity: str, month: str) -> str:
    return "once" if periodicity == "one_off" else month


def _person_rows(tx: Tx, iins: Iterable[str]) -> dict[str, dict]:
    return {r["iin"]: r for r in tx.run(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin, p.bank_account AS bank_account, "
        "p.surname AS surname, p.given_name AS given_name, p.patronymic AS patronymic",
        {"keys": sorted(set(iins))})}


def _name(p: dict) -> str:
    return " ".join(x for x in (p.get("surname"), p.get("given_name"), p.get("patronymic")) if x)


def account_reason(account: str | None) -> str | None:
    """Why a payment order cannot go to this registry account (a worklist reason: no_account,
    invalid_account), or None when it can: a Kazakh IBAN whose check digits hold. Near misses
    (graph/lookahead) ask the same."""
    if is_kz_iban(account):
        return None
    return "no_account" if not account else "invalid_account"


def needs_order(amount_kzt) -> bool:
    """Whether a right is paid by order: one with an amount (a notice or a zero amount is not)."""
    return bool(amount_kzt)


def issue_orders(tx: Tx, wanted: list[dict], month: str, at: dt.datetime, cause: str) -> tuple[int, int]:
    """Orders for ``wanted`` (rows with key = the assignment, code, iin, subject, periodicity,
    amount_kzt) for ``month``, skipping those already issued; recipients without a valid
    account go to the worklist. Returns (orders issued, sent to the worklist)."""
    wanted = [w for w in wanted if needs_order(w["amount_kzt"])]
    if not wanted:
        return 0, 0
    keys = {w["key"]: f"{w['key']}|{period_of(w['periodicity'], month)}" for w in wanted}
    done = writes.existing(tx, "Payment", keys.values())
    persons = _person_rows(tx, (w["iin"] for w in wanted))
    orders, tasks, events, closed = [], [], [], []
    for w in wanted:
        pkey = keys[w["key"]]
        if pkey in done:
            continue
        p = persons.get(w["iin"]) or {}
        account = p.get("bank_account")
        reason = account_reason(account)
        if reason:
            tasks.append({"key": f"{w['key']}|{reason}", "iin": w["iin"], "code": w["code"], "ref": w["key"],
                          "reason": reason, "status": "open", "created_at": at,
                          "detail": "no bank account in the registry" if not account
                          else f"bank account '{account}' is not a valid Kazakh IBAN"})
            events.append(trail.event(w["key"], "worklisted", at, w["iin"], tasks[-1]["detail"], reason))
            continue
        oid = order_id(pkey)
        orders.append({"key": pkey, "order_id": oid, "assignment": w["key"], "code": w["code"], "iin": w["iin"],
                       "subject": w["subject"], "month": month, "amount_kzt": w["amount_kzt"],
                       "bank_account": account, "name": _name(p), "status": ORDERED, "created_at": at})
        to = mask_account(account, "ends")  # the audit trail: enough to tell two apart, not to use
        events.append(trail.event(pkey, "paid", at, w["iin"], cause,
                                  f"payment order {oid}: {w['amount_kzt']} KZT to {to} for {month}"))
        closed += [f"{w['key']}|no_account", f"{w['key']}|invalid_account"]
    writes.insert_new(tx, "Payment", orders)
    y, m = month_parts(month)
    # the month began in Kazakhstan: its first moment in UTC, as closed_at is kept
    began = dt.datetime(y, m, 1, tzinfo=dates.LOCAL).astimezone(dt.UTC).replace(tzinfo=None)
    waiting = open_again(tx, tasks, at, began)
    close_gone(tx, closed, at)
    trail.record_events(tx, events)
    return len(orders), len(waiting)


def assign(tx: Tx, offer: dict, at: dt.datetime, cause: str) -> tuple[int, int]:
    """Consent: the dated assignment and the first payment order (of the consent month)."""
    day = dates.local_day(at)
    row = {"key": offer["key"], "code": offer["code"], "iin": offer["iin"], "subject": offer["subject"],
           "event": offer["event"], "periodicity": offer["periodicity"], "amount_kzt": offer["amount_kzt"],
           "assigned_on": day, "assigned_at": at, "status": ACTIVE, "ended_on": None}
    if writes.insert_new(tx, "Assignment", [row]):
        trail.record_events(tx, [trail.event(offer["key"], "assigned", at, offer["iin"], cause,
                                           f"from {day.isoformat()}")])
    return issue_orders(tx, [row], month_of(day), at, f"consent to {offer['key']}")
