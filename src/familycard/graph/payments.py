"""Assignment and payment orders.

Consent assigns the right (a dated Assignment) and issues its first payment order; one-off
benefits are paid once, monthly ones once a month while the right lasts. Every order is
re-checked first (``recheck``): at consent for the day, by ``pay_month`` for the month's first
day; a right that no longer holds is ended with its reason, and the amount is the day's. An
order is keyed by the right and the period ("once" or the month), so no rerun can pay twice.
A recipient without a valid bank account gets a caseworker's task instead, and the order is
issued once the account is there.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from familycard.graph import flow
from familycard.graph.model import ACTIVE, ORDERED
from familycard.graph.payment_files import Payer, PaymentOrder, pain001_xml, register_csv
from familycard.graph.rules import load_rules, run_rule
from familycard.graph.store import Store, Tx
from familycard.schema.values import is_kz_iban, mask_account, month_parts


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


def _period(periodicity: str, month: str) -> str:
    return "once" if periodicity == "one_off" else month


def _person_rows(tx: Tx, iins: Iterable[str]) -> dict[str, dict]:
    return {r["iin"]: r for r in tx.run(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin, p.bank_account AS bank_account, "
        "p.surname AS surname, p.given_name AS given_name, p.patronymic AS patronymic",
        {"keys": sorted(set(iins))})}


def _name(p: dict) -> str:
    return " ".join(x for x in (p.get("surname"), p.get("given_name"), p.get("patronymic")) if x)


def issue_orders(tx: Tx, wanted: list[dict], month: str, at: dt.datetime, cause: str) -> tuple[int, int]:
    """Orders for ``wanted`` (rows with key = the assignment, code, iin, subject, periodicity,
    amount_kzt) for ``month``, skipping those already issued; recipients without a valid
    account go to the worklist. Returns (orders issued, sent to the worklist)."""
    wanted = [w for w in wanted if w["amount_kzt"]]
    if not wanted:
        return 0, 0
    keys = {w["key"]: f"{w['key']}|{_period(w['periodicity'], month)}" for w in wanted}
    done = flow.existing(tx, "Payment", keys.values())
    persons = _person_rows(tx, (w["iin"] for w in wanted))
    orders, tasks, events, closed = [], [], [], []
    for w in wanted:
        pkey = keys[w["key"]]
        if pkey in done:
            continue
        p = persons.get(w["iin"]) or {}
        account = p.get("bank_account")
        if not is_kz_iban(account):
            reason = "no_account" if not account else "invalid_account"
            tasks.append({"key": f"{w['key']}|{reason}", "iin": w["iin"], "code": w["code"], "ref": w["key"],
                          "reason": reason, "status": "open", "created_at": at,
                          "detail": "no bank account in the registry" if not account
                          else f"bank account '{account}' is not a valid Kazakh IBAN"})
            events.append(flow.event(w["key"], "worklisted", at, w["iin"], tasks[-1]["detail"], reason))
            continue
        oid = flow.order_id(pkey)
        orders.append({"key": pkey, "order_id": oid, "assignment": w["key"], "code": w["code"], "iin": w["iin"],
                       "subject": w["subject"], "month": month, "amount_kzt": w["amount_kzt"],
                       "bank_account": account, "name": _name(p), "status": ORDERED, "created_at": at})
        to = mask_account(account, "ends")  # the audit trail: enough to tell two apart, not to use
        events.append(flow.event(pkey, "paid", at, w["iin"], cause,
                                 f"payment order {oid}: {w['amount_kzt']} KZT to {to} for {month}"))
        closed += [f"{w['key']}|no_account", f"{w['key']}|invalid_account"]
    flow.insert_new(tx, "Payment", orders)
    fresh = flow.insert_new(tx, "Task", tasks)
    still_open = flow.existing(tx, "Task", closed)
    if still_open:
        flow.patch(tx, "Task", [{"key": k, "status": "closed", "closed_at": at} for k in sorted(still_open)])
    flow.record_events(tx, events)
    return len(orders), len(fresh)


def assign(tx: Tx, offer: dict, at: dt.datetime, cause: str) -> tuple[int, int]:
    """Consent: the dated assignment and the first payment order (of the consent month)."""
    day = flow.local_day(at)
    row = {"key": offer["key"], "code": offer["code"], "iin": offer["iin"], "subject": offer["subject"],
           "event": offer["event"], "periodicity": offer["periodicity"], "amount_kzt": offer["amount_kzt"],
           "assigned_on": day, "assigned_at": at, "status": ACTIVE, "ended_on": None}
    if flow.insert_new(tx, "Assignment", [row]):
        flow.record_events(tx, [flow.event(offer["key"], "assigned", at, offer["iin"], cause,
                                           f"from {day.isoformat()}")])
    return issue_orders(tx, [row], month_of(day), at, f"consent to {offer['key']}")


@dataclass
class PaySummary:
    month: str
    ordered: int = 0
    worklisted: int = 0
    ended: int = 0
    orders: int = 0          # orders of the month in the register
    total_kzt: int = 0
    files: list[Path] = field(default_factory=list)

    def line(self) -> str:
        files = ", ".join(str(f) for f in self.files)
        n = lambda x: f"{x:,}".replace(",", " ")  # noqa: E731
        return (f"{self.month}: {n(self.ordered)} new payment orders, {n(self.worklisted)} to the worklist, "
                f"{n(self.ended)} rights ended; register: {n(self.orders)} orders, "
                f"{n(self.total_kzt)} KZT" + (f" → {files}" if files else ""))


def pay_month(store: Store, month: str, out_dir: Path | None, payer: Payer = Payer(),  # noqa: B008 - Payer is frozen: one shared default is safe
              now: Callable[[], dt.datetime] = flow.utcnow, batch: int = 2_000) -> PaySummary:
    """Issue the month's orders (one-offs not yet ordered, monthly rights that still hold on
    the month's first day) and write the month's register (CSV) and pain.001 file."""
    first, last = parse_month(month)
    summary = PaySummary(month)
    active = store.read(
        "MATCH (a:Assignment) WHERE a.status = 'active' AND a.assigned_on <= $last "
        "RETURN a.key AS key, a.code AS code, a.iin AS iin, a.subject AS subject, a.event AS event, "
        "a.periodicity AS periodicity, a.amount_kzt AS amount_kzt, a.assigned_on AS assigned_on "
        "ORDER BY a.key", {"last": last})
    wanted, ended = _still_held(store, active, month, first)
    at = now()
    for chunk in flow.chunks(wanted, batch):
        o, w = store.transaction(lambda tx, c=chunk: issue_orders(tx, c, month, at, f"payments for {month}"))
        summary.ordered += o
        summary.worklisted += w
    if ended:
        from familycard.graph.recheck import end_rights
        store.transaction(lambda tx: end_rights(tx, ended, at, month))
        summary.ended = len(ended)
    orders = month_orders(store, month)
    summary.orders = len(orders)
    summary.total_kzt = sum(o.amount_kzt for o in orders)
    if out_dir is not None and orders:
        summary.files = write_register(orders, month, out_dir, payer, store)
    return summary


def _still_held(store: Store, active: list[dict], month: str, first: dt.date) -> tuple[list[dict], list[dict]]:
    """The assignments to order for ``month``, re-checked, at the amount of the day; and those
    to end, with the reason. Orders already issued are left alone. A monthly right is paid for
    a month it still holds in: the rule, re-run on the first day (or the assignment day, in the
    month it was assigned) for everyone at once, and per person for those it no longer finds
    (the reason in words). A one-off not yet paid (waiting for an account) is re-checked for
    the day it was assigned. An ended right that no longer holds even for its assignment day
    (a registry corrected what it was granted on) is told to the citizen and a caseworker."""
    from familycard.graph import recheck  # it assigns through this module

    period = {a["key"]: f"{a['key']}|{_period(a['periodicity'], month)}" for a in active}
    done = flow.existing(store, "Payment", period.values())
    wanted, ended = [], []
    holds: dict[tuple[str, dt.date], dict[str, int | None]] = {}
    for a in active:
        if period[a["key"]] in done or (a["periodicity"] == "one_off" and not a["amount_kzt"]):
            continue
        day = max(first, a["assigned_on"])
        if a["periodicity"] == "monthly":
            if (a["code"], day) not in holds:
                rule = load_rules([a["code"]])[0]
                holds[(a["code"], day)] = {e.key: e.amount_kzt for e in run_rule(store, rule, day)}
            if a["key"] in holds[(a["code"], day)]:
                wanted.append({**a, "amount_kzt": holds[(a["code"], day)][a["key"]]})
                continue
        v = recheck.check(store, a, day if a["periodicity"] == "monthly" else a["assigned_on"])
        if v.holds:
            wanted.append({**a, "amount_kzt": v.amount_kzt})
            continue
        told = a["periodicity"] == "one_off" or day == a["assigned_on"] or \
            not recheck.check(store, a, a["assigned_on"]).holds
        ended.append({**a, "ended_on": day, "reason": v.reason, "told": told})
    return wanted, ended


def month_orders(store: Store, month: str) -> list[PaymentOrder]:
    return [PaymentOrder(order_id=r["order_id"], iin=r["iin"], name=r["name"], bank_account=r["bank_account"],
                         amount_kzt=r["amount_kzt"], benefit=r["code"], month=r["month"], subject=r["subject"])
            for r in store.read(
                "MATCH (p:Payment) WHERE p.month = $m RETURN p.order_id AS order_id, p.iin AS iin, p.name AS name, "
                "p.bank_account AS bank_account, p.amount_kzt AS amount_kzt, p.code AS code, p.month AS month, "
                "p.subject AS subject ORDER BY p.order_id", {"m": month})]


def write_register(orders: list[PaymentOrder], month: str, out_dir: Path, payer: Payer, store: Store) -> list[Path]:
    """The month's register and pain.001, written whole or not at all (a temporary file
    renamed), and the same bytes on every rerun: the message id and dates come from the orders."""
    out_dir.mkdir(parents=True, exist_ok=True)
    created = store.read("MATCH (p:Payment) WHERE p.month = $m RETURN max(p.created_at) AS at", {"m": month})[0]["at"]
    first, _ = parse_month(month)
    execution = max(first, flow.local_day(created))
    message_id = f"FC{month.replace('-', '')}" + flow.digest(*(o.order_id for o in orders))[:16].upper()
    files = [(out_dir / f"payments-{month}.csv", register_csv(orders, month=month)),
             (out_dir / f"pain001-{month}.xml", pain001_xml(orders, payer=payer, message_id=message_id,
                                                            created_at=created, execution_date=execution))]
    for path, data in files:
        tmp = path.with_suffix(path.suffix + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    return [p for p, _ in files]
