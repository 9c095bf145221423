"""The caseworkers' worklist: rights that cannot go on by themselves.

A recipient without a usable phone cannot be offered by SMS, one without a valid bank account
cannot be paid, an SMS the gateway refused for good needs a person, an answer from a phone
that carries offers for several people needs someone to confirm who answered, and a right
that no longer held when re-checked (a registry corrected itself) needs a call; each is a Task, kept
open until the cause goes away, never dropped.
"""
from __future__ import annotations

import datetime as dt

from familycard.dates import LOCAL
from familycard.graph.store import Store

REASONS = {
    "no_phone": "no phone in the registry: offer in person",
    "invalid_phone": "the registry's phone is not a Kazakh mobile: offer in person",
    "sms_failed": "the SMS gateway refused the message",
    "no_account": "consented, but no bank account: payment waits",
    "invalid_account": "consented, but the bank account is not a valid IBAN: payment waits",
    "shared_phone": "answered from a phone with offers for several people: confirm who answered",
    "withdrawn": "the right no longer held when re-checked: offer withdrawn, the citizen was told to call 1414",
    "ended": "the right no longer held when re-checked: payments stopped, the citizen was told to call 1414",
}


def open_tasks(store: Store, reason: str | None = None) -> list[dict]:
    if reason is not None and reason not in REASONS:
        raise ValueError(f"reason '{reason}': expected one of {', '.join(REASONS)}")
    return store.read(
        "MATCH (t:Task) WHERE t.status = 'open' " + ("AND t.reason = $reason " if reason else "") +
        "OPTIONAL MATCH (p:Person {iin: t.iin}) "
        "RETURN t.key AS key, t.created_at AS since, t.reason AS reason, t.code AS benefit, t.iin AS iin, "
        "p.surname AS surname, p.given_name AS given_name, p.address_id AS address_id, t.ref AS right, "
        "t.detail AS detail ORDER BY t.created_at, t.key", {"reason": reason} if reason else None)


def render(tasks: list[dict]) -> str:
    if not tasks:
        return "the worklist is empty"
    # `since` is stored in UTC; a caseworker reads Kazakhstan time.
    lines = [f"{'since, +05:00':<17} {'reason':<16} {'benefit':<22} {'IIN':<13} {'name':<28} address"]
    for t in tasks:
        name = " ".join(x for x in (t["surname"], t["given_name"]) if x)
        since = t["since"].replace(tzinfo=dt.UTC).astimezone(LOCAL)
        lines.append(f"{since:%Y-%m-%d %H:%M} {t['reason']:<16} {t['benefit']:<22} {t['iin']:<13} "
                     f"{name[:28]:<28} {t['address_id'] or '—'}")
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t["reason"]] = counts.get(t["reason"], 0) + 1
    lines.append(f"{len(tasks):,} open: " + ", ".join(f"{n:,} {r} ({REASONS[r]})" for r, n in sorted(counts.items())))
    return "\n".join(lines)
