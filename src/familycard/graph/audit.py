"""The audit trail: every state change of the flow (offered, queued, sent, replied, consented,
refused, reopened (a refusal taken back), lapsed, expired, withdrawn, assigned, paid, ended,
worklisted) is an Event with its time and cause, written in the same transaction as the change
itself."""
from __future__ import annotations

from familycard.graph.store import Store


# Every kind of event, in the order the events of one transaction (which share its time) are told.
KINDS = ("offered", "worklisted", "replied", "lapsed", "expired", "reopened", "consented", "refused", "withdrawn",
         "assigned", "paid", "ended", "queued", "sent", "failed")
_ORDER = {k: i for i, k in enumerate(KINDS)}


def history(store: Store, iin: str) -> list[dict]:
    rows = store.read(
        "MATCH (e:Event) WHERE e.iin = $iin RETURN e.at AS at, e.kind AS kind, e.ref AS ref, e.cause AS cause, "
        "e.detail AS detail, e.key AS key", {"iin": iin})
    return sorted(rows, key=told_order)


def told_order(e: dict) -> tuple:
    """Sort key of events: by time, and within one transaction in the order things happen."""
    return e["at"], _ORDER.get(e["kind"], len(_ORDER)), e["key"]


def render(events: list[dict]) -> str:
    lines = []
    for e in events:
        detail = f" ({e['detail']})" if e["detail"] else ""
        lines.append(f"{e['at']:%Y-%m-%d %H:%M:%S} UTC  {e['kind']:<10} {e['ref']}{detail}\n"
                     f"{'':<25}cause: {e['cause']}")
    return "\n".join(lines)
