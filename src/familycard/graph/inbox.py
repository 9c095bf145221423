"""Replies in: an SMS from a citizen, read against the open offers of that phone.

Consent assigns (and orders the first payment); refusal records it; an answer that says
nothing useful gets one clarifying SMS per offer attempt and the clock runs on; a reply from
an unknown number, or with no offer waiting, is logged and answered politely (once a day per
phone, so an auto-responder cannot start an SMS ping-pong). A reply after its offer's deadline
lapses the offer there and then. Each reply is handled in one transaction, and the same
delivery twice (a webhook retried by the provider) is recognised by its id and changes nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from familycard.graph import flow
from familycard.graph.offers import CONSENTED, REFUSED, lapse, rules_by_code
from familycard.graph.payments import assign
from familycard.graph.phones import mask_phone, normalise_phone
from familycard.graph.replies import CONSENT, parse_reply, resolve
from familycard.graph.store import Store, Tx
from familycard.graph.texts import clarify_text, flow_text


@dataclass
class ReplyOutcome:
    outcome: str   # consented | refused | decided (both) | clarify | unclear_again | no_offer | unknown_number | duplicate
    phone: str
    decisions: dict[str, str] = field(default_factory=dict)  # offer key → consent | refusal
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
    at = at or flow.utcnow()
    e164 = normalise_phone(phone) or phone.strip()
    ident = f"id:{message_id}" if message_id else flow.digest(e164, at.isoformat(), text)
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
    offers = tx.run(
        "MATCH (o:Offer) WHERE o.phone = $p AND o.status = 'open' "
        "RETURN o.key AS key, o.code AS code, o.iin AS iin, o.subject AS subject, o.event AS event, "
        "o.periodicity AS periodicity, o.amount_kzt AS amount_kzt, o.number AS number, o.attempt AS attempt, "
        "o.clarified AS clarified ORDER BY o.number", {"p": phone})
    iin = offers[0]["iin"] if offers else None
    result = ReplyOutcome("", phone)

    if not offers:
        known = tx.run("MATCH (p:Person) WHERE p.phone = $p RETURN p.iin AS iin LIMIT 1", {"p": phone})
        iin = known[0]["iin"] if known else None
        result.outcome = "no_offer" if known else "unknown_number"
        if late:
            for o in late:
                name = "too_late" if o["attempt"] == 1 else "too_late_final"
                replies.append((f"late|{o['key']}|{o['attempt']}", name, flow_text(name, rules[o["code"]]), o["key"]))
        else:
            replies.append((f"polite|{phone}|{flow.local_day(at).isoformat()}", "polite", flow_text("no_offer"), ""))
    else:
        by_number = {o["number"]: o for o in offers}
        res = resolve(parse_reply(text), sorted(by_number))
        result.reason = res.reason
        if res.unclear:
            fresh = [o for o in offers if not o["clarified"]]
            if fresh:
                result.outcome = "clarify"
                listing = [(o["number"], rules[o["code"]]) for o in offers]
                ck = "clarify|" + flow.digest(*sorted(f"{o['key']}#{o['attempt']}" for o in offers))
                replies.append((ck, "clarify", clarify_text(listing), ",".join(o["key"] for o in offers)))
                flow.patch(tx, "Offer", [{"key": o["key"], "clarified": 1} for o in fresh])
            else:
                result.outcome = "unclear_again"  # one clarifying SMS only: logged, not answered
        else:
            patches = []
            for n, verdict in sorted(res.decisions.items()):
                o = by_number[n]
                status = CONSENTED if verdict == CONSENT else REFUSED
                result.decisions[o["key"]] = verdict
                patches.append({"key": o["key"], "status": status, "answered_at": at})
                events.append(flow.event(o["key"], status, at, o["iin"], who, f"attempt {o['attempt']}"))
                name = "consented" if status == CONSENTED else "refused"
                replies.append((f"{name}|{o['key']}", name, flow_text(name, rules[o["code"]]), o["key"]))
            flow.patch(tx, "Offer", patches)
            for n, verdict in sorted(res.decisions.items()):
                if verdict == CONSENT:
                    result.orders += assign(tx, by_number[n], at, who)[0]
            kinds = set(res.decisions.values())
            result.outcome = "decided" if len(kinds) > 1 else ("consented" if CONSENT in kinds else "refused")

    messages = [{"key": key, "direction": "in", "kind": "reply", "phone": phone, "iin": iin,
                 "offers": ",".join(o["key"] for o in offers), "text": text, "status": "received",
                 "created_at": at, "outcome": result.outcome, **via}]
    events.append(flow.event(key, "replied", at, iin, who, result.outcome + (f": {result.reason}" if result.reason else "")))
    for rkey, kind, body, refs in replies:
        messages.append({"key": rkey, "direction": "out", "kind": kind, "phone": phone, "iin": iin, "offers": refs,
                         "text": body, "status": "queued", "created_at": at, "attempts": 0})
    fresh = flow.insert_new(tx, "Message", messages)
    result.answered_with = [m["key"] for m in fresh if m["direction"] == "out"]
    events += [flow.event(m["key"], "queued", at, iin, f"reply to {key}") for m in fresh if m["direction"] == "out"]
    flow.record_events(tx, events)
    return result
