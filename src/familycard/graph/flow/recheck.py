"""Re-checks: only a right that still holds is assigned or paid.

Registries correct themselves every day (a link ended, a death retracted, a benefit found
already paid elsewhere), so an offer made yesterday may name a right that is gone today. The
right's rule is run again, for its recipient and the day (Kazakhstan time), before each step
that would pay: at consent (``confirm``), before each month's order (``pay_month`` calls
``check``), and the daily sweep withdraws open offers whose right it no longer finds
(``withdraw_vanished``), so a consent never arrives for a right already gone.

The check is the rule's own per-person query (its ``explain.cypher``, anchored on the
recipient's key: the tests hold it to agree with the sweep), never a stored result; when the
right does not hold, the reason is its failed conditions as ``familycard explain`` words them.
A right that no longer holds before it is assigned is withdrawn: the offer's status, the
reason, an SMS in Kazakh and Russian (call 1414) and a caseworker's task.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from familycard import dates
from familycard.graph.flow import trail
from familycard.graph.flow.offers import OPEN, WITHDRAWN, rules_by_code, seq
from familycard.graph.flow.orders import assign
from familycard.graph.flow.worklist import close_gone
from familycard.graph.model import ENDED
from familycard.graph.rules import Entitlement, Rule, scope_label
from familycard.graph.rules.explain import Finding, explain_rule
from familycard.graph.sms.phones import normalise_phone
from familycard.graph.sms.texts import flow_text, sms_parts
from familycard.graph.store import Store, Tx, writes

if TYPE_CHECKING:  # the sweep calls in here; only its Scope's type is needed
    from familycard.graph.sweep import scope as scopes

__all__ = ["Verdict", "Consent", "check", "confirm", "withdraw", "withdraw_vanished", "end_rights"]

Reply = tuple[str, str, str, str]  # (message key, kind, text, offer keys), as the inbox queues replies


@dataclass(frozen=True)
class Verdict:
    holds: bool
    amount_kzt: int | None = None   # recomputed for the day (when it holds)
    reason: str = ""                # why not, in words (when it does not)


class _TxReader:
    """A transaction read like a store (``explain_rule`` reads through ``read``)."""

    def __init__(self, tx: Tx):
        self.read = tx.run


def check(db: Store | Tx, right: Mapping, day: dt.date) -> Verdict:
    """Does the right (a row with code, iin, subject, event) hold on ``day``? Its rule, run now
    for the recipient alone."""
    rule = rules_by_code()[right["code"]]
    reader = _TxReader(db) if hasattr(db, "run") else db
    return verdict(rule, right, day, explain_rule(reader, rule, right["iin"], day))


def verdict(rule: Rule, right: Mapping, day: dt.date, findings: list[Finding]) -> Verdict:
    same = [f for f in findings if f.subject == right["subject"] and f.event == right["event"]]
    mine = next((f for f in same if f.iin == right["iin"]), None)
    if mine is not None and mine.entitled:
        return Verdict(True, mine.amount_kzt)
    on = f"on {day.isoformat()}: "
    found = mine or (same[0] if same else None)
    if found is not None:
        failed = [f"✗ {c.text['en']}" for c in found.checks if not c.ok]
        if failed:
            return Verdict(False, reason=on + "; ".join(failed))
        return Verdict(False, reason=on + f"the right now goes to {found.iin}, not to {right['iin']}")
    moved = [f for f in findings if f.subject == right["subject"] and f.concerned and f.event != right["event"]]
    if moved and right["event"] is not None:
        return Verdict(False, reason=on + f"{rule.event or 'the event'} is now {moved[0].event}, "
                                          f"not {right['event'].isoformat()}")
    return Verdict(False, reason=on + f"not concerned: {rule.not_concerned['en']}")


@dataclass
class Consent:
    orders: int = 0
    reply: Reply | None = None   # the right was withdrawn: this SMS instead of "consented"


def confirm(tx: Tx, offer: Mapping, at: dt.datetime, cause: str) -> Consent:
    """Consent to an offer: re-check its right on the day, then assign it and order the first
    payment at the day's amount; or withdraw the offer (see the module doc)."""
    v = check(tx, offer, dates.local_day(at))
    if v.holds:
        return Consent(assign(tx, {**offer, "amount_kzt": v.amount_kzt}, at, cause)[0])
    # The round and phone key the withdrawal's SMS, event and task (the inbox reads neither).
    stored = tx.run("MATCH (o:Offer {key: $k}) RETURN o.round AS round, o.phone AS phone", {"k": offer["key"]})
    row = {**offer, **(stored[0] if stored else {})}
    replies = withdraw(tx, [(row, v.reason)], at, f"re-checked at consent ({cause})", queue=False)
    return Consent(0, replies[0] if replies else None)


def _offer_seq(o: Mapping) -> str:
    return seq(o.get("attempt") or 1, o.get("round"))


def withdraw(tx: Tx, rows: list[tuple[Mapping, str]], at: dt.datetime, cause: str, queue: bool = True) -> list[Reply]:
    """Withdraw offers (row, reason): status and reason, an event, a task, tasks about offering
    it closed, and an SMS to the recipient (queued here, or returned for the inbox to queue)."""
    if not rows:
        return []
    rules = rules_by_code()
    patches, events, tasks, closed, replies, items = [], [], [], [], [], []
    for o, reason in rows:
        k, s = o["key"], _offer_seq(o)
        patches.append({"key": k, "status": WITHDRAWN, "reason": reason})
        events.append(trail.event(k, WITHDRAWN, at, o["iin"], reason, f"{cause}; a caseworker's task opened", seq=s))
        tasks.append({"key": f"{k}|withdrawn|{s}", "iin": o["iin"], "code": o["code"], "ref": k,
                      "reason": "withdrawn", "detail": reason, "status": "open", "created_at": at})
        suffix = f"|r{o['round']}" if o.get("round") else ""
        closed += [f"{k}|no_phone{suffix}", f"{k}|invalid_phone{suffix}"]
        if o.get("phone"):
            replies.append((f"withdrawn|{k}|{s}", WITHDRAWN, flow_text(WITHDRAWN, rules[o["code"]]), k))
            items.append((replies[-1], o["phone"], o["iin"]))
    writes.patch(tx, "Offer", patches)
    writes.insert_new(tx, "Task", tasks)
    close_gone(tx, closed, at)
    if queue:
        _queue(tx, items, at, cause)
    trail.record_events(tx, events)
    return replies


def _queue(tx: Tx, items: list[tuple[Reply, str, str]], at: dt.datetime, cause: str) -> None:
    """Queue SMS (reply, phone, iin) in the outbox, as the inbox and the sweep do."""
    messages = [{"key": mkey, "direction": "out", "kind": kind, "phone": phone, "iin": iin, "offers": refs,
                 "text": text, "status": "queued", "created_at": at, "attempts": 0, "parts": sms_parts(text)}
                for (mkey, kind, text, refs), phone, iin in items]
    fresh = writes.insert_new(tx, "Message", messages)
    trail.record_events(tx, [trail.event(m["key"], "queued", at, m["iin"], cause) for m in fresh])


_OPEN_OFFERS = ("MATCH (o:Offer) WHERE o.status = $open AND o.code IN $codes AND o.as_of <= $d "
                "RETURN o.key AS key, o.code AS code, o.iin AS iin, o.subject AS subject, o.event AS event, "
                "o.phone AS phone, o.attempt AS attempt, o.round AS round")
_ADDRESSES = "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin, p.address_id AS a"


def withdraw_vanished(store: Store, found: Iterable[Entitlement], rules: list[Rule], as_of: dt.date,
                      now: dt.datetime, cause: str, scope: scopes.Scope | None = None) -> int:
    """Withdraw the open offers (of ``rules``, made on or before ``as_of``) whose right the
    sweep did not find: one read of the open offers against the rights found (a set
    difference), then the rule's per-person check for each one missing, for its reason (and
    so that an incremental sweep withdraws only what the rule itself no longer finds). With
    ``scope``, only offers whose recipient or subject the incremental sweep re-ran from.
    Returns how many were withdrawn."""
    keys = {e.key for e in found}
    offers = [o for o in store.read(_OPEN_OFFERS, {"open": OPEN, "codes": [r.code for r in rules], "d": as_of})
              if o["key"] not in keys]
    if scope is not None and offers:
        offers = _in_scope(store, offers, {r.code: r for r in rules}, scope)
    gone = []
    for o in offers:
        v = check(store, o, as_of)
        if not v.holds:
            gone.append((o, v.reason))
    done = 0
    for part in writes.chunks(gone, 1_000):
        done += store.transaction(lambda tx, p=part: _withdraw_still_open(tx, p, now, cause))
    return done


def _withdraw_still_open(tx: Tx, rows: list[tuple[Mapping, str]], at: dt.datetime, cause: str) -> int:
    # A reply may have consented (and been re-checked itself) since the offers were read.
    still = {r["key"] for r in tx.run("UNWIND $keys AS k MATCH (o:Offer {key: k}) WHERE o.status = $open "
                                      "RETURN o.key AS key", {"keys": [o["key"] for o, _ in rows], "open": OPEN})}
    rows = [(o, why) for o, why in rows if o["key"] in still]
    withdraw(tx, rows, at, cause)
    return len(rows)


def _in_scope(store: Store, offers: list[dict], rules: Mapping[str, Rule], scope: scopes.Scope) -> list[dict]:
    homes, keys = {}, {}
    if any(scope_label(rules[o["code"]]) == "Address" for o in offers):
        homes = {r["iin"]: r["a"] for r in store.read(_ADDRESSES, {"keys": sorted({o["iin"] for o in offers})})}
    out = []
    for o in offers:
        rule = rules[o["code"]]
        if scope_label(rule) == "Address":
            if homes.get(o["iin"]) in scope.addresses:
                out.append(o)
        else:
            if rule.code not in keys:
                keys[rule.code] = set(scope.keys_for(rule))
            if {o["iin"], o["subject"]} & keys[rule.code]:
                out.append(o)
    return out


def end_rights(tx: Tx, ended: list[Mapping], at: dt.datetime, month: str) -> None:
    """End assignments (rows with key, code, iin, ended_on, reason, told): status, day and
    reason, an event; and, for a right that no longer holds even on the day it was assigned
    (``told``: a registry corrected what it was granted on), an SMS and a caseworker's task."""
    if not ended:
        return
    rules = rules_by_code()
    writes.patch(tx, "Assignment", [{"key": a["key"], "status": ENDED, "ended_on": a["ended_on"],
                                   "reason": a["reason"]} for a in ended])
    events = [trail.event(a["key"], "ended", at, a["iin"], a["reason"],
                         f"re-checked for {month}" + ("; a caseworker's task opened" if a.get("told") else ""),
                         seq=month) for a in ended]
    told = [a for a in ended if a.get("told")]
    phones = {r["iin"]: r["phone"] for r in tx.run(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin, p.phone AS phone",
        {"keys": sorted({a["iin"] for a in told})})} if told else {}
    tasks, items, closed = [], [], []
    for a in told:
        k = a["key"]
        tasks.append({"key": f"{k}|ended|{month}", "iin": a["iin"], "code": a["code"], "ref": k, "reason": "ended",
                      "detail": a["reason"], "status": "open", "created_at": at})
        closed += [f"{k}|no_account", f"{k}|invalid_account"]
        phone = normalise_phone(phones.get(a["iin"]) or "")
        if phone:
            items.append(((f"ended|{k}|{month}", "ended", flow_text("ended", rules[a["code"]]), k), phone, a["iin"]))
    writes.insert_new(tx, "Task", tasks)
    close_gone(tx, closed, at)
    _queue(tx, items, at, f"right ended for {month}")
    trail.record_events(tx, events)
