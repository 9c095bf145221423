"""Replies in: an SMS from a citizen, read against the open offers of that phone.

Consent re-checks the right and assigns it (and orders the first payment), or withdraws the
offer if the right no longer holds (``recheck``); refusal records it, and a consent within 24
hours takes it back (the offer reopens and is consented); an answer that says nothing useful
gets one clarifying SMS per offer attempt and the clock runs on. A phone whose open offers are
for several people is not let to consent "for all", each decision from it says so in the
history and puts a task on the worklist (who answered?). A reply from
an unknown number, or with no offer waiting, is logged and answered politely (once a day per
phone, so an auto-responder cannot start an SMS ping-pong). A reply after its offer's deadline
lapses the offer there and then. Each reply is handled in one transaction, and the same
delivery twice (a webhook retried by the provider) is recognised by its id and changes nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from familycard import dates
from familycard.graph.flow import trail
from familycard.graph.flow.offers import CONSENTED, OPEN, REFUSED, TAKE_BACK_WINDOW, WITHDRAWN, lapse, rules_by_code
from familycard.graph.flow.recheck import confirm
from familycard.graph.flow.worklist import REACHING, close_offer_tasks
from familycard.graph.sms.phones import normalise_phone
from familycard.graph.sms.replies import CONSENT, REFUSAL, parse_reply, resolve
from familycard.graph.sms.texts import clarify_text, flow_text, recipient_name, refused_text, sms_parts
from familycard.graph.store import Store, Tx, writes
from familycard.schema.values import mask_phone

_OFFER_ROW = ("RETURN o.key AS key, o.code AS code, o.iin AS iin, o.subject AS subject, o.event AS event, "
              "o.periodicity AS periodicity, o.amount_kzt AS amount_kzt, o.number AS number, "
              "o.attempt AS attempt, o.clarified AS clarified, o.answered_at AS answered_at ORDER BY o.number")

#: What a reply did: all it answered consented (or all refused), both (decided), it was unclear
#: (one clarifying SMS: clarify; unclear again: logged only), nothing was open for the phone
#: (no_offer: a known citizen; unknown_number), or the same message came again (duplicate).
OUTCOMES = ("consented", "refused", "decided", "clarify", "unclear_again", "no_offer", "unknown_number",
            "duplicate")
#: What it decided for one offer: consent, refusal, or withdrawn (consented, but the right no longer held).
DECISIONS = (CONSENT, REFUSAL, WITHDRAWN)


@dataclass
class ReplyOutcome:
    outcome: str   # one of OUTCOMES
    phone: str
    decisions: dict[str, str] = field(default_factory=dict)  # offer key → one of DECISIONS
    answered_with: list[str] = field(default_factory=list)   # keys of the SMS queued in reply
    orders: int = 0
    reason: str = ""

    def line(self) -> str:
        what = ", ".join(f"{k}: {v}" for k, v in self.decisions.items())
        return f"{mask_phone(self.phone)}: {self.outcome}" + (f" ({what})" if what else "") + \
            (f"; {self.reason}" if self.reason and not what else "") + \
            (f"; {self.orders} payment order(s)" if self.orders else "") + \
            (f"; replied with {len(self.answered_with)} SMS" if self.answered_with else "")


def receive(store: Store, phone: str, text: str, at: dt.datetime | None = None,
            message_id: str | None = None, *, entered_by: str | None = None,
            reason: str | None = None) -> ReplyOutcome:
    """Handle one incoming SMS (see the module doc). ``message_id``: the provider's id, which
    makes a redelivery recognisable; without one, (phone, time, text) is the identity.

    ``entered_by`` (e.g. "caseworker ann"): the answer was given in person and typed in by
    staff, never an SMS the gateway delivered; ``reason`` is then required. Both are kept on
    the Message (channel "staff") and in the history's cause."""
    if entered_by is not None and not (reason or "").strip():
        raise ValueError("an answer entered by staff needs a reason (why it was not an SMS)")
    at = at or dates.utcnow()
    e164 = normalise_phone(phone) or phone.strip()
    ident = f"id:{message_id}" if message_id else trail.digest(e164, at.isoformat(), text)
    key = "in|" + (f"staff|{ident}" if entered_by else ident)  # an SMS and a staff entry never collide
    via = ({"channel": "staff", "entered_by": entered_by, "reason": reason.strip()} if entered_by
           else {"channel": "sms", "entered_by": None, "reason": None})
    return store.transaction(lambda tx: _handle(tx, key, e164, text, at, via))


def _handle(tx: Tx, key: str, phone: str, text: str, at: dt.datetime, via: dict) -> ReplyOutcome:
    seen = tx.run("MATCH (m:Message {key: $k}) RETURN m.outcome AS outcome", {"k": key})
    if seen:
        return ReplyOutcome("duplicate", phone, reason=f"already handled: {seen[0]['outcome']}")
    rules = rules_by_code()
    replies, events = [], []
    who = (f"entered by {via['entered_by']}: answer given in person ({via['reason']}): {text!r}"
           if via["channel"] == "staff" else f"SMS from {mask_phone(phone)}: {text!r}")

    # An offer past its deadline lapses now, whatever the sweep has not yet done.
    late = lapse(tx, at, phone=phone)
    offers = tx.run("MATCH (o:Offer) WHERE o.phone = $p AND o.status = 'open' " + _OFFER_ROW, {"p": phone})
    # Refusals this phone may still take back: a consent to one reopens it.
    back = tx.run("MATCH (o:Offer) WHERE o.phone = $p AND o.status = 'refused' AND o.answered_at >= $since "
                  + _OFFER_ROW, {"p": phone, "since": at - TAKE_BACK_WINDOW})
    people = sorted({o["iin"] for o in offers + back})
    res = resolve(parse_reply(text), [o["number"] for o in offers], retractable=[o["number"] for o in back],
                  shared=len({o["iin"] for o in offers}) > 1) if offers or back else None
    iin = (offers or back)[0]["iin"] if offers or back else None
    result = ReplyOutcome("", phone)

    if not offers and (res is None or res.unclear):
        known = tx.run("MATCH (p:Person) WHERE p.phone = $p RETURN p.iin AS iin LIMIT 1", {"p": phone})
        iin = known[0]["iin"] if known else None
        result.outcome = "no_offer" if known else "unknown_number"
        if late:
            for o in late:
                name = "too_late" if o["attempt"] == 1 else "too_late_final"
                replies.append((f"late|{o['key']}|{o['attempt']}", name, flow_text(name, rules[o["code"]]), o["key"]))
        else:
            replies.append((f"polite|{phone}|{dates.local_day(at).isoformat()}", "polite", flow_text("no_offer"), ""))
    else:
        by_number = {o["number"]: o for o in back} | {o["number"]: o for o in offers}  # an open offer wins
        result.reason = res.reason
        if res.unclear:
            fresh = [o for o in offers if not o["clarified"]]
            if fresh:
                result.outcome = "clarify"
                names = _names(tx, offers)
                listing = [(o["number"], rules[o["code"]], names.get(o["iin"])) for o in offers]
                ck = "clarify|" + trail.digest(*sorted(f"{o['key']}#{o['attempt']}" for o in offers))
                replies.append((ck, "clarify", clarify_text(listing), ",".join(o["key"] for o in offers)))
                writes.patch(tx, "Offer", [{"key": o["key"], "clarified": 1} for o in fresh])
            else:
                result.outcome = "unclear_again"  # one clarifying SMS only: logged, not answered
        else:
            # History says, for every decision, whether the phone served one person or several.
            served = "phone serves 1 recipient" if len(people) == 1 else f"phone shared by {len(people)} recipients"
            tasks = []
            taken_back = {o["key"] for o in back}
            decided = [(by_number[n], verdict) for n, verdict in sorted(res.decisions.items())]
            for o, verdict in decided:
                # how to take a refusal back: by number when a bare "иә" could mean another offer
                number = o["number"] if len(offers) + len(back) > 1 else None
                events += _decide(tx, o, verdict, at, who, f"attempt {o['attempt']}; {served}", via["entered_by"],
                                  o["key"] in taken_back, number, replies, result)
                if len(people) > 1:
                    tasks.append(_shared_phone_task(o, verdict, phone, len(people), at))
                    events.append(trail.event(o["key"], "worklisted", at, o["iin"], tasks[-1]["detail"],
                                              "shared_phone"))
            writes.insert_new(tx, "Task", tasks)
            replies = _confirm(tx, decided, at, who, replies, result)
            kinds = set(res.decisions.values())
            result.outcome = "decided" if len(kinds) > 1 else ("consented" if CONSENT in kinds else "refused")

    _record(tx, {"key": key, "kind": "reply", "phone": phone, "iin": iin, "offers": ",".join(o["key"] for o in offers),
                 "text": text, "outcome": result.outcome, **via},
            at, who, result.outcome + (f": {result.reason}" if result.reason else ""), replies, events, result)
    return result


def _decide(tx: Tx, o: dict, verdict: str, at: dt.datetime, who: str, detail: str, entered_by: str | None,
            taken_back: bool, number: int | None, replies: list, result: ReplyOutcome) -> list[dict]:
    """One offer's answer: its status and time, its events, the SMS confirming it (added to
    ``replies``); a consent is confirmed after (``_confirm``). Returns the events."""
    rules = rules_by_code()
    status = CONSENTED if verdict == CONSENT else REFUSED
    result.decisions[o["key"]] = verdict
    writes.patch(tx, "Offer", [{"key": o["key"], "status": status, "answered_at": at}])
    events = [trail.event(o["key"], "reopened", at, o["iin"], who,
                          f"takes back the refusal of {o['answered_at']:%Y-%m-%d %H:%M} UTC",
                          entered_by=entered_by)] if taken_back else []
    events.append(trail.event(o["key"], status, at, o["iin"], who, detail, entered_by=entered_by))
    if status == CONSENTED:
        replies.append((f"consented|{o['key']}", "consented", flow_text("consented", rules[o["code"]]), o["key"]))
    else:
        replies.append((f"refused|{o['key']}", "refused", refused_text(rules[o["code"]], number), o["key"]))
    return events


def _confirm(tx: Tx, decided: list[tuple[dict, str]], at: dt.datetime, who: str, replies: list,
             result: ReplyOutcome) -> list:
    """The consents re-checked: assigned with their first order, or withdrawn (whose SMS then
    replaces "consented"). Returns the replies."""
    for o, verdict in decided:
        if verdict == CONSENT:
            done = confirm(tx, o, at, who)
            result.orders += done.orders
            if done.reply:
                replies = [done.reply if r[0] == f"consented|{o['key']}" else r for r in replies]
                result.decisions[o["key"]] = WITHDRAWN
    return replies


def _record(tx: Tx, incoming: dict, at: dt.datetime, who: str, said: str, replies: list, events: list[dict],
            result: ReplyOutcome) -> None:
    """The answer as an incoming Message, the SMS queued in reply (to its phone), their events."""
    phone, iin, key = incoming["phone"], incoming["iin"], incoming["key"]
    messages = [{"direction": "in", "status": "received", "created_at": at, **incoming}]
    events.append(trail.event(key, "replied", at, iin, who, said, entered_by=incoming["entered_by"]))
    for rkey, kind, body, refs in replies if phone else ():
        messages.append({"key": rkey, "direction": "out", "kind": kind, "phone": phone, "iin": iin, "offers": refs,
                         "text": body, "status": "queued", "created_at": at, "attempts": 0, "parts": sms_parts(body)})
    fresh = writes.insert_new(tx, "Message", messages)
    result.answered_with = [m["key"] for m in fresh if m["direction"] == "out"]
    events += [trail.event(m["key"], "queued", at, iin, f"reply to {key}") for m in fresh if m["direction"] == "out"]
    trail.record_events(tx, events)


class NotAnswerable(ValueError):
    """An answer in person to an offer that is not open (the message names its status)."""


def answer(store: Store, offer_key: str, decision: str, *, entered_by: str, reason: str,
           at: dt.datetime | None = None, entry_id: str | None = None) -> ReplyOutcome:
    """A citizen's answer to one offer (``decision``: CONSENT or REFUSAL), given in person and
    typed in by staff (``entered_by``, why: ``reason``): the same steps as the answer by SMS
    (``_decide``, ``_confirm``, ``_record``), with the Message on channel "staff", who and why
    on every event, and the offer's tasks about reaching the citizen closed. Works for an offer
    without a phone (no SMS is sent then). The offer must be open, or refused within the
    take-back window for a consent; else ``NotAnswerable``. ``entry_id``: the same id again
    changes nothing (outcome "duplicate")."""
    if decision not in (CONSENT, REFUSAL):
        raise ValueError(f"decision '{decision}': expected {CONSENT} or {REFUSAL}")
    if not reason.strip():
        raise ValueError("an answer entered by staff needs a reason (why it was not an SMS)")
    at = at or dates.utcnow()
    key = "in|person|" + (f"id:{entry_id}" if entry_id else trail.digest(offer_key, at.isoformat(), decision))
    via = {"channel": "staff", "entered_by": entered_by, "reason": reason.strip()}
    return store.transaction(lambda tx: _answer(tx, key, offer_key, decision, at, via))


def _answer(tx: Tx, key: str, offer_key: str, decision: str, at: dt.datetime, via: dict) -> ReplyOutcome:
    seen = tx.run("MATCH (m:Message {key: $k}) RETURN m.outcome AS outcome, m.offers AS offers", {"k": key})
    if seen:
        if seen[0]["offers"] != offer_key:
            raise NotAnswerable("this id was given to an answer to another offer")
        return ReplyOutcome("duplicate", "", {offer_key: seen[0]["outcome"]}, reason="already entered")
    find = "MATCH (o:Offer {key: $k}) RETURN o.status AS status, o.phone AS phone, o.deadline AS deadline, " + \
        _OFFER_ROW.removeprefix("RETURN ")
    rows = tx.run(find, {"k": offer_key})
    if not rows:
        raise NotAnswerable("there is no such offer")
    o = rows[0]
    if o["status"] == OPEN and o["phone"] and o["deadline"] is not None and o["deadline"] < at:
        lapse(tx, at, phone=o["phone"])  # as a late SMS would: past its deadline, it lapses now
        o = tx.run(find, {"k": offer_key})[0]
    taken_back = (o["status"] == REFUSED and decision == CONSENT and o["answered_at"] is not None
                  and o["answered_at"] >= at - TAKE_BACK_WINDOW)
    if o["status"] != OPEN and not taken_back:
        hint = (" (a refusal can be taken back by a consent within 24 hours)" if o["status"] == REFUSED
                and decision == CONSENT else "")
        raise NotAnswerable(f"the offer is {o['status']}: only an open offer can be answered{hint}")
    who = f"entered by {via['entered_by']}: answer given in person ({via['reason']}): {decision}"
    result, replies = ReplyOutcome("", o["phone"] or ""), []
    number = None
    if decision == REFUSAL and o["phone"]:  # as for an SMS: by number when the phone has other offers
        others = tx.run("MATCH (x:Offer) WHERE x.phone = $p AND x.status = $open RETURN count(x) AS n",
                        {"p": o["phone"], "open": OPEN})[0]["n"]
        number = o["number"] if others > 1 else None
    events = _decide(tx, o, decision, at, who, f"attempt {o['attempt']}; answered in person", via["entered_by"],
                     taken_back, number, replies, result)
    close_offer_tasks(tx, offer_key, REACHING, at, via["entered_by"], f"answered in person: {decision}")
    replies = _confirm(tx, [(o, decision)], at, who, replies, result)
    result.outcome = "consented" if decision == CONSENT else "refused"
    _record(tx, {"key": key, "kind": "answer", "phone": o["phone"], "iin": o["iin"], "offers": offer_key,
                 "text": decision, "outcome": result.decisions[offer_key], **via},
            at, who, result.outcome, replies, events, result)
    return result


def _names(tx: Tx, offers: list[dict]) -> dict[str, str]:
    """Recipients' short names (``recipient_name``) when the offers are for more than one."""
    iins = sorted({o["iin"] for o in offers})
    if len(iins) < 2:
        return {}
    rows = tx.run("UNWIND $iins AS k MATCH (p:Person {iin: k}) "
                  "RETURN p.iin AS iin, p.given_name AS given_name, p.surname AS surname", {"iins": iins})
    return {r["iin"]: recipient_name(r["given_name"], r["surname"]) for r in rows}


def _shared_phone_task(offer: dict, verdict: str, phone: str, people: int, at: dt.datetime) -> dict:
    """A caseworker confirms who answered: the phone carries offers for several people."""
    return {"key": f"{offer['key']}|shared_phone", "iin": offer["iin"], "code": offer["code"], "ref": offer["key"],
            "reason": "shared_phone", "status": "open", "created_at": at,
            "detail": f"{verdict} by SMS from {mask_phone(phone)}, a phone with offers for {people} people: "
                      "confirm who answered"}
