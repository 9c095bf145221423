"""Offers: each right the sweep finds is offered once (and once more after a lapse).

A right already offered, consented, refused or expired is never offered again; a right whose
offer lapsed (no answer in 72 hours) is offered a second and last time. A right whose offer was
withdrawn (it no longer held: see ``recheck``) and that the rules find again is offered anew,
as a new round of the same offer. Each offer queues one
SMS; a recipient without a usable phone goes on the caseworkers' worklist instead.
Everything a chunk of offers needs (offer, SMS, worklist task, audit events) is written in one
transaction, so a crash leaves each right either fully offered or not at all.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from familycard.graph.flow import trail
from familycard.graph.rules import Entitlement, Rule, load_rules
from familycard.graph.sms.phones import normalise_phone
from familycard.graph.sms.texts import offer_text, recipient_name, sms_parts
from familycard.graph.store import Store, Tx, writes

OPEN, NOTIFIED, CONSENTED, REFUSED, LAPSED, EXPIRED = "open", "notified", "consented", "refused", "lapsed", "expired"
WITHDRAWN = "withdrawn"
#: Every status an offer can have (model.OFFER): the API's OfferStatus enum is made from it.
STATUSES = (OPEN, NOTIFIED, CONSENTED, REFUSED, LAPSED, EXPIRED, WITHDRAWN)


REPLY_WINDOW = dt.timedelta(hours=72)
# A refusal can be taken back this long after it was made (a consent then reopens the offer):
# a refusal is final, and one typed in haste must not cost a right.
TAKE_BACK_WINDOW = dt.timedelta(hours=24)


@dataclass
class OfferSummary:
    offered: int = 0      # new offers (first attempt)
    reoffered: int = 0    # second attempts after a lapse
    already: int = 0      # rights offered before: nothing done
    queued_sms: int = 0
    worklisted: int = 0   # no usable phone: a caseworker's task instead of an SMS
    lapsed: int = 0
    expired: int = 0
    withdrawn: int = 0    # open offers whose right no longer holds
    by_code: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def line(self) -> str:
        return (f"offers: {self.offered:,} new, {self.reoffered:,} offered again, {self.already:,} already offered; "
                f"{self.queued_sms:,} SMS queued, {self.worklisted:,} to the worklist; "
                f"{self.lapsed:,} lapsed, {self.expired:,} expired, {self.withdrawn:,} withdrawn")


def usable_phone(raw: str | None) -> str | None:
    """The number an offer's SMS goes to (E.164), or None: no phone in the registry, or not a
    Kazakh mobile; then the offer goes to the worklist instead (``phone_reason`` says why)."""
    return normalise_phone(raw) if raw else None


def phone_reason(raw: str | None) -> str | None:
    """Why an offer to this registry phone cannot go by SMS (a worklist reason: no_phone,
    invalid_phone), or None when it can. Near misses (graph/lookahead) ask the same."""
    if not raw:
        return "no_phone"
    return None if usable_phone(raw) else "invalid_phone"


def seq(attempt: int, round_: int | None) -> str:
    """What keys an attempt's SMS and events: the attempt, and the round after a withdrawal."""
    return f"{attempt}r{round_}" if round_ else str(attempt)


def _json(inputs) -> str:
    return json.dumps(inputs, default=str, sort_keys=True, ensure_ascii=False)


def lapse(tx: Tx, now: dt.datetime, phone: str | None = None) -> list[dict]:
    """Offers unanswered past their deadline (all, or one phone's) lapse on their first attempt
    and expire on their second; returns them (key, iin, code, attempt, status)."""
    rows = tx.run("MATCH (o:Offer) WHERE o.status = 'open' AND o.deadline IS NOT NULL AND o.deadline < $now "
                  + ("AND o.phone = $phone " if phone else "")
                  + "RETURN o.key AS key, o.iin AS iin, o.code AS code, o.attempt AS attempt, o.deadline AS deadline, "
                    "o.round AS round",
                  {"now": now, **({"phone": phone} if phone else {})})
    events = []
    for r in rows:
        r["status"] = LAPSED if r["attempt"] == 1 else EXPIRED
        events.append(trail.event(r["key"], r["status"], r["deadline"], r["iin"], "no answer within 72 hours",
                                 "offered once more at the next sweep" if r["status"] == LAPSED else "final",
                                 seq=seq(r["attempt"], r["round"])))
    writes.patch(tx, "Offer", [{"key": r["key"], "status": r["status"]} for r in rows])
    trail.record_events(tx, events)
    return rows


def lapse_overdue(store: Store, now: dt.datetime) -> tuple[int, int]:
    """``lapse`` for every phone, in its own transaction; returns (lapsed, expired)."""
    rows = store.transaction(lambda tx: lapse(tx, now))
    return sum(r["status"] == LAPSED for r in rows), sum(r["status"] == EXPIRED for r in rows)


def record_offers(store: Store, entitlements: Iterable[Entitlement], as_of: dt.date, now: dt.datetime,
                  cause: str, progress: Callable[[int], None] | None = None,
                  batch: int = writes.CHUNK) -> OfferSummary:
    """Offer every right not offered yet (and lapsed ones once more); see the module doc."""
    summary = OfferSummary()
    rules = rules_by_code()
    by_key: dict[str, Entitlement] = {}
    for e in entitlements:
        by_key.setdefault(e.key, e)
    if not by_key:
        return summary
    # Only the offers of the rights found (not every offer ever made): a day's sweep reads
    # what it needs, however long the history grows.
    known = {}
    for part in writes.chunks(sorted(by_key), 50_000):
        known.update({r["key"]: r for r in store.read(
            "UNWIND $keys AS k MATCH (o:Offer {key: k}) RETURN o.key AS key, o.status AS status, o.attempt AS attempt, "
            "o.round AS round",
            {"keys": part})})
    todo = []
    for k, e in by_key.items():
        cur = known.get(k)
        if cur is None or (cur["status"] == LAPSED and cur["attempt"] == 1) or cur["status"] == WITHDRAWN:
            todo.append((k, e, cur))
        else:
            summary.already += 1
    if not todo:
        return summary
    persons = {r["iin"]: r for r in store.read(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin, p.phone AS phone, "
        "p.given_name AS given_name, p.surname AS surname",
        {"keys": sorted({e.iin for _, e, _ in todo})})}
    # Short numbers are per phone (replies come from a phone), among its open offers and the
    # refusals it may still take back ("2 иә" must find the refused offer, not a new one).
    phones = {}
    for _, e, _ in todo:
        raw = (persons.get(e.iin) or {}).get("phone")
        phones[e.iin] = (raw, usable_phone(raw))
    used: dict[str, set[int]] = defaultdict(set)
    recipients: dict[str, set[str]] = defaultdict(set)  # whose open offers each phone carries
    wanted = sorted({p for _, p in phones.values() if p})
    for part in writes.chunks(wanted, 50_000):
        for r in store.read("UNWIND $phones AS ph MATCH (o:Offer) WHERE o.phone = ph AND o.number IS NOT NULL "
                            "AND (o.status = 'open' OR (o.status = 'refused' AND o.answered_at >= $since)) "
                            "RETURN o.phone AS phone, o.number AS number, o.iin AS iin, o.status AS status",
                            {"phones": part, "since": now - TAKE_BACK_WINDOW}):
            used[r["phone"]].add(r["number"])
            if r["status"] == OPEN:
                recipients[r["phone"]].add(r["iin"])

    plans = []
    for k, e, cur in todo:
        rule = rules[e.benefit]
        raw_phone, phone = phones[e.iin]
        number = None
        if phone and rule.answers:
            number = next(n for n in range(1, len(used[phone]) + 2) if n not in used[phone])
            used[phone].add(number)
            recipients[phone].add(e.iin)
        plans.append((k, e, cur, rule, raw_phone, phone, number))
    # One phone, several people: each SMS says whose offer it is (consent is the recipient's).
    names = {e.iin: recipient_name(persons[e.iin].get("given_name"), persons[e.iin].get("surname"))
             for _, e, _, _, _, phone, number in plans if number is not None and len(recipients[phone]) > 1}

    done = 0
    for chunk in writes.chunks(plans, batch):
        out = store.transaction(lambda tx, c=chunk: _write(tx, c, as_of, now, cause, used, names))
        for attr in ("offered", "reoffered", "queued_sms", "worklisted"):
            setattr(summary, attr, getattr(summary, attr) + out[attr])
        for code, n in out["by_code"].items():
            summary.by_code[code] += n
        done += len(chunk)
        summary.already += out["already"]  # offered by another sweep meanwhile
        if progress:
            progress(done)
    return summary


def _write(tx: Tx, plans: list, as_of: dt.date, now: dt.datetime, cause: str,
           used: dict[str, set[int]], names: dict[str, str]) -> dict:
    out = {"offered": 0, "reoffered": 0, "queued_sms": 0, "worklisted": 0, "by_code": defaultdict(int)}
    new_offers, again, messages, tasks, events = [], [], [], [], []
    for k, e, cur, rule, raw_phone, phone, number in plans:
        # A withdrawn right found again starts over: attempt 1 of a new round.
        anew = cur is not None and cur["status"] == WITHDRAWN
        attempt = 1 if cur is None or anew else 2
        round_ = (cur["round"] or 0) + 1 if anew else (cur["round"] or 0) if cur else 0
        status = OPEN if rule.answers else NOTIFIED
        several = number is not None and len(used[phone]) > 1
        row = {"key": k, "code": e.benefit, "iin": e.iin, "subject": e.subject, "event": e.event,
               "amount_kzt": e.amount_kzt, "periodicity": rule.periodicity, "inputs": _json(e.inputs),
               "first_as_of": as_of, "as_of": as_of, "attempt": attempt, "status": status,
               "number": number, "phone": phone, "offered_at": now, "sent_at": None, "deadline": None,
               "answered_at": None, "clarified": 0, "reason": None, "round": round_}
        if cur is None:
            new_offers.append(row)
            out["offered"] += 1
        else:
            again.append({c: row[c] for c in ("key", "amount_kzt", "inputs", "as_of", "attempt", "status",
                                              "number", "phone", "offered_at", "sent_at", "deadline",
                                              "answered_at", "clarified", "reason", "round")})
            out["reoffered"] += 1
        out["by_code"][e.benefit] += 1
        events.append(trail.event(k, "offered", now, e.iin, cause,
                                 f"attempt {attempt}" + (f", {e.amount_kzt} KZT" if e.amount_kzt is not None else ""),
                                 seq=seq(attempt, round_)))
        if phone:
            mkey = f"offer|{k}|{seq(attempt, round_)}"
            text = offer_text(rule, e.amount_kzt, number if several else None, names.get(e.iin) if several else None)
            messages.append({"key": mkey, "direction": "out", "kind": "offer", "phone": phone, "iin": e.iin,
                             "offers": k, "text": text, "status": "queued", "created_at": now, "attempts": 0,
                             "parts": sms_parts(text)})
            events.append(trail.event(mkey, "queued", now, e.iin, f"offer {k}"))
            out["queued_sms"] += 1
        else:
            reason = phone_reason(raw_phone)
            detail = "no phone in the registry" if reason == "no_phone" else \
                f"phone '{raw_phone}' is not a Kazakh mobile number"
            tasks.append({"key": f"{k}|{reason}" + (f"|r{round_}" if round_ else ""), "iin": e.iin, "code": e.benefit,
                          "ref": k, "reason": reason, "detail": detail, "status": "open", "created_at": now})
            events.append(trail.event(k, "worklisted", now, e.iin, detail, reason))
            out["worklisted"] += 1
    # Counted from what was written: a chunk run again after a conflict with another sweep
    # (Store.transaction) finds that sweep's offers stored, and they count as already offered.
    made = {r["key"] for r in writes.insert_new(tx, "Offer", new_offers)}
    writes.patch(tx, "Offer", again)
    out["queued_sms"] = len(writes.insert_new(tx, "Message", messages))
    out["worklisted"] = len(writes.insert_new(tx, "Task", tasks))
    trail.record_events(tx, events)
    out["already"] = len(new_offers) - len(made)
    out["offered"] -= out["already"]
    for r in new_offers:
        if r["key"] not in made:
            out["by_code"][r["code"]] -= 1
    return out


def deadline_from(sent_at: dt.datetime) -> dt.datetime:
    return sent_at + REPLY_WINDOW


def rules_by_code() -> dict[str, Rule]:
    return {r.code: r for r in load_rules()}


#: The columns of ``list_offers``' rows, in the order a listing shows them.
LIST_FIELDS = ("key", "iin", "benefit", "subject", "status", "phone", "number", "amount_kzt", "deadline")


def list_offers(store: Store, *, status: str | None = None, benefit: str | None = None, iin: str | None = None,
                sent: bool = False, limit: int = 100) -> list[dict]:
    """Offers as the sweep made them, in key order, filtered (``sent``: only those whose SMS went
    out); each row holds ``LIST_FIELDS``. The WHERE is made of fixed clauses; values are parameters."""
    where, params = [], {}
    for name, column, value in (("status", "status", status), ("benefit", "code", benefit), ("iin", "iin", iin)):
        if value is not None:
            where.append(f"o.{column} = ${name}")
            params[name] = value
    if sent:
        where.append("o.sent_at IS NOT NULL")
    return store.read(
        "MATCH (o:Offer) " + (f"WHERE {' AND '.join(where)} " if where else "")
        + "RETURN o.key AS key, o.iin AS iin, o.code AS benefit, o.subject AS subject, o.status AS status, "
          "o.phone AS phone, o.number AS number, o.amount_kzt AS amount_kzt, o.deadline AS deadline "
          f"ORDER BY o.key LIMIT {int(limit)}", params)


def answerable_offer(store: Store) -> dict | None:
    """An open offer whose SMS went out, with an amount, to someone with a bank account: one a
    consent turns into a payment order (the demo answers it); monthly rights first. Its key,
    phone, number and recipient's IIN, or None."""
    rows = store.read(
        "MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL AND o.amount_kzt IS NOT NULL "
        "MATCH (p:Person {iin: o.iin}) WHERE p.bank_account IS NOT NULL "
        "RETURN o.key AS key, o.phone AS phone, o.number AS number, o.iin AS iin "
        "ORDER BY o.periodicity DESC, o.key LIMIT 1")
    return rows[0] if rows else None


def open_offers_on(store: Store, phone: str) -> int:
    """How many offers are open on ``phone``: a reply to more than one must name the offer's number."""
    return store.read("MATCH (x:Offer) WHERE x.phone = $p AND x.status = 'open' RETURN count(x) AS n",
                      {"p": phone})[0]["n"]
