"""The outbox sender: queued SMS out through a gateway, at least once, never twice in effect.

A batch is read, handed to the gateway, then marked sent in one transaction (with the offers'
72-hour deadlines and the audit events). A crash between the two sends the batch again with
the same idempotency keys, which the gateway (a provider, or the file gateway) recognises as
resends: the citizen gets each SMS once.

Two senders at once (a cron job and a manual run) never hand the same message to the gateway:
each claims its batch (a lease per message, ``graph/store/leases.py``) in a transaction before the
call, skips what another sender holds, and lets go in the transaction that marks the batch
sent. A sender killed mid-batch leaves its claims until they expire (at once for a dead pid on
the same host); the next run then sends those messages again, as above.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from familycard import dates
from familycard.graph.flow import trail
from familycard.graph.flow.offers import deadline_from
from familycard.graph.sms.gateways import Gateway, GatewayError, OutgoingSms, Sent
from familycard.graph.sms.length import sms_parts
from familycard.graph.store import Store, Tx, leases, writes

BATCH = 500


SENDER = "1414"  # the ministry's short number: offers come from it, replies go to it


@dataclass
class SendSummary:
    sent: int = 0
    resent: int = 0       # the gateway already had them (a rerun after a crash)
    failed: int = 0       # refused for good by the gateway: on the worklist
    left: int = 0         # still queued (the gateway is down: the next run retries)
    parts: int = 0        # the parts of the SMS sent that the gateway did not have: what is paid for
    error: str | None = None

    def line(self) -> str:
        s = (f"SMS: {self.sent:,} sent ({self.resent:,} of them resends the gateway already had), "
             f"{self.parts:,} parts paid for, {self.failed:,} failed")
        if self.left:
            s += f", {self.left:,} still queued"
        return s + (f"; gateway: {self.error}" if self.error else "")


def queued(store: Store, limit: int) -> list[dict]:
    return store.read(
        "MATCH (m:Message) WHERE m.status = 'queued' AND m.direction = 'out' "
        "RETURN m.key AS key, m.phone AS phone, m.text AS text, m.iin AS iin, m.kind AS kind, "
        "m.offers AS offers, m.attempts AS attempts, m.parts AS parts ORDER BY m.key LIMIT $n", {"n": limit})


def send_outbox(store: Store, gateway: Gateway, now: Callable[[], dt.datetime] = dates.utcnow,
                limit: int | None = None, batch: int = BATCH,
                progress: Callable[[int], None] | None = None,
                owner: leases.Owner | None = None, claim_ttl: float = leases.TTL_S) -> SendSummary:
    owner = owner or leases.this_process()
    with leases.Heartbeat(store, owner, claim_ttl):
        return _send(store, gateway, now, limit, batch, progress, owner, claim_ttl)


def _send(store: Store, gateway: Gateway, now: Callable[[], dt.datetime], limit: int | None, batch: int,
          progress: Callable[[int], None] | None, owner: leases.Owner, claim_ttl: float) -> SendSummary:
    summary = SendSummary()
    while limit is None or summary.sent + summary.failed < limit:
        n = batch if limit is None else min(batch, limit - summary.sent - summary.failed)
        found, rows = _claim_batch(store, n, owner, claim_ttl)
        if not found:
            break
        if not rows:
            continue  # another sender claimed them first: the next read skips them
        msgs = [OutgoingSms(r["key"], SENDER, r["phone"], r["text"]) for r in rows]
        failed_key = error = None
        try:
            results = gateway.send_many(msgs)
        except GatewayError as e:
            results = list(e.sent)
            error = summary.error = str(e)
            if e.permanent and e.key:
                failed_key = e.key
        by_key = {r["key"]: r for r in rows}
        store.transaction(partial(_mark, owner=owner, rows=by_key, results=results, failed_key=failed_key,
                                  error=error, at=now()))
        summary.sent += len(results)
        summary.resent += sum(1 for s in results if s.duplicate)
        # counted when queued; a message queued before parts were counted is counted now
        summary.parts += sum(by_key[s.key]["parts"] or sms_parts(by_key[s.key]["text"])
                             for s in results if not s.duplicate)
        summary.failed += failed_key is not None
        if progress:
            progress(summary.sent + summary.failed)
        if error and failed_key is None:
            break  # transient trouble that outlasted the retries: leave the rest queued
        if not results and failed_key is None:
            break
    summary.left = store.read("MATCH (m:Message) WHERE m.status = 'queued' AND m.direction = 'out' "
                              "RETURN count(m) AS n")[0]["n"]
    return summary


CLAIM = "sms|"  # a message's claim: the lease key is this and the message's key


def _claim_batch(store: Store, n: int, owner: leases.Owner, ttl: float) -> tuple[bool, list[dict]]:
    """Up to ``n`` queued messages no other live sender holds, claimed for ``owner``: (whether
    any was found, the rows claimed). Lease times are the real clock's, whatever ``now`` says."""
    at = dates.utcnow()
    others = {r["key"] for r in store.read(
        "MATCH (l:Lease) WHERE l.job = 'sms' AND l.owner <> $me AND l.expires_at > $now "
        "RETURN l.key AS key, l.host AS host, l.pid AS pid", {"me": owner.token, "now": at})
        if leases.alive(r["host"], r["pid"])}
    rows = [r for r in queued(store, n + len(others)) if CLAIM + r["key"] not in others][:n]
    if not rows:
        return False, []

    def still_queued(tx: Tx, keys: list[str]) -> set[str]:
        return {CLAIM + r["key"] for r in tx.run(
            "UNWIND $keys AS k MATCH (m:Message {key: k}) WHERE m.status = 'queued' RETURN m.key AS key",
            {"keys": [k[len(CLAIM):] for k in keys]})}

    got, _ = store.transaction(lambda tx: leases.claim_in(tx, [CLAIM + r["key"] for r in rows], "sms", owner,
                                                          ttl, dates.utcnow(), still_queued))
    mine = set(got)
    return True, [r for r in rows if CLAIM + r["key"] in mine]


def _mark(tx: Tx, owner: leases.Owner, rows: dict[str, dict], results: list[Sent], failed_key: str | None,
          error: str | None, at: dt.datetime) -> None:
    """Record what the gateway said of the batch and let go of its claims, in one transaction."""
    msgs, offers, events, tasks = [], [], [], []
    for s in results:
        r = rows[s.key]
        msgs.append({"key": s.key, "status": "sent", "sent_at": at, "attempts": (r["attempts"] or 0) + 1,
                     "provider_id": s.provider_id, "error": None})
        events.append(trail.event(s.key, "sent", at, r["iin"], f"SMS {r['kind']} to the gateway",
                                 "a resend the gateway already had" if s.duplicate else ""))
        if r["kind"] == "offer":
            offers.append({"key": r["offers"], "sent_at": at, "deadline": deadline_from(at)})
    if failed_key:
        r = rows[failed_key]
        msgs.append({"key": failed_key, "status": "failed", "sent_at": None,
                     "attempts": (r["attempts"] or 0) + 1, "provider_id": None, "error": error})
        events.append(trail.event(failed_key, "failed", at, r["iin"], "the SMS gateway refused the message",
                                 error or ""))
        for ref in filter(None, (r["offers"] or "").split(",")):
            tasks.append({"key": f"{ref}|sms_failed", "iin": r["iin"], "code": ref.split("|")[0], "ref": ref,
                          "reason": "sms_failed", "detail": error, "status": "open", "created_at": at})
    # The deadline runs from the offer SMS of the current attempt, set once.
    if offers:
        current = {r["key"] for r in tx.run(
            "UNWIND $keys AS k MATCH (o:Offer {key: k}) WHERE o.sent_at IS NULL RETURN o.key AS key",
            {"keys": [o["key"] for o in offers]})}
        offers = [o for o in offers if o["key"] in current]
    writes.patch(tx, "Message", msgs)
    writes.patch(tx, "Offer", offers)
    writes.insert_new(tx, "Task", tasks)
    trail.record_events(tx, events)
    leases.release_in(tx, owner, [CLAIM + k for k in rows])
