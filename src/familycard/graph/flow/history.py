"""The audit trail: every state change of the flow (offered, queued, sent, replied, consented,
refused, reopened (a refusal taken back), lapsed, expired, withdrawn, assigned, paid, ended,
worklisted) is an Event with its time and cause, written in the same transaction as the change
itself."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from familycard import dates
from familycard.graph.flow.worklist import REASONS
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


# --- told to a person (`familycard history`) ----------------------------------------------
# The stored kinds and keys stay as they are (the API and --json read them); a person reads
# words, names and Kazakhstan time.

KIND_WORDS = {
    "offered": "offered", "worklisted": "to the worklist", "replied": "reply received",
    "lapsed": "no answer in 72 h", "expired": "offer expired", "reopened": "refusal taken back",
    "consented": "consented", "refused": "refused", "withdrawn": "offer withdrawn",
    "assigned": "right assigned",
    # A Payment is "ordered" when familycard writes it; nothing yet tells it a bank paid it.
    "paid": "payment order issued",
    "ended": "payments ended", "queued": "SMS queued", "sent": "SMS sent", "failed": "SMS failed",
    "query_deleted": "saved query deleted",
}
_SMS_WORDS = {
    "offer": "offer SMS", "consented": "SMS confirming the consent", "refused": "SMS confirming the refusal",
    "late": "SMS: the answer came too late", "withdrawn": "SMS: offer withdrawn", "ended": "SMS: payments end",
    "clarify": "SMS asking which offer was meant", "polite": "SMS: no offer is waiting",
}
_KEY = re.compile(r"[^\s|(),;:'\"]+(?:\|[^\s|(),;:'\"]*)+")
_TENGE = re.compile(r"\b(\d{4,}) KZT\b")
_UTC_TIME = re.compile(r"\b(\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?) UTC\b")


def render(events: list[dict], names: Mapping[str, str] | None = None,
           titles: Mapping[str, str] | None = None) -> str:
    """The events in words: what happened, to which right (benefit title, subject's name), when
    in Kazakhstan time; keys become words, the IIN only stands beside a name."""
    names = names or {}
    titles = titles if titles is not None else _titles()
    lines = []
    for e in events:
        what = _ref_words(e["ref"], names, titles)
        detail = e["detail"] or ""
        if e["kind"] == "worklisted" and detail in REASONS:  # the task's reason, a key
            detail = REASONS[detail]
        detail = _words(detail, names, titles)
        lines.append(f"{_local(e['at'])}  {KIND_WORDS.get(e['kind'], e['kind']):<21} {what}"
                     + (f" — {detail}" if detail else ""))
        lines.append(f"{'':<28}cause: {_words(e['cause'], names, titles)}")
    return "\n".join(lines)


def iins_in(events: list[dict]) -> set[str]:
    """The IINs named in the events (recipients, subjects): whose names ``render`` wants."""
    found = {e["iin"] for e in events if e.get("iin")}
    for e in events:
        for text in (e["ref"], e["cause"], e["detail"]):
            found.update(re.findall(r"(?<!\d)\d{12}(?!\d)", text or ""))
    return found


def _titles() -> dict[str, str]:
    from familycard.graph.rules import load_rules

    return {r.code: r.title["en"] for r in load_rules()}


def _local(at: dt.datetime) -> str:
    """A stored (naive UTC) time in Kazakhstan time, with its offset: "2026-12-07 00:59:45 +05:00"."""
    t = at.replace(tzinfo=dt.UTC).astimezone(dates.LOCAL)
    return f"{t:%Y-%m-%d %H:%M:%S} {t.isoformat()[-6:]}"


def _who(iin: str, names: Mapping[str, str]) -> str:
    return f"{names[iin]} [{iin}]" if iin in names else iin


def _right_words(parts: list[str], names: Mapping[str, str], titles: Mapping[str, str]) -> str:
    """code|iin|subject|event: the benefit's title, for whom (its subject), from when."""
    code, _iin, subject, event = parts
    out = titles.get(code, code)
    if subject:
        out += f" for {_who(subject, names)}"
    return out + (f", {event}" if event else "")


def _ref_words(ref: str, names: Mapping[str, str], titles: Mapping[str, str]) -> str:
    """A key of the flow (trail and keys: rights, messages, payment orders, replies) in words; any
    other text as it is."""
    parts = ref.split("|")
    if parts[0] in titles and len(parts) in (4, 5):  # a right, or a payment order of it
        right = _right_words(parts[:4], names, titles)
        if len(parts) == 4:
            return right
        return f"{right}, {'one-off' if parts[4] == 'once' else 'for ' + parts[4]}"
    if parts[0] == "in":
        return "the answer entered by staff" if len(parts) > 2 and parts[1] == "staff" else "the SMS received"
    if parts[0] in _SMS_WORDS:
        sms = _SMS_WORDS[parts[0]]
        if len(parts) >= 5 and parts[1] in titles:
            rest = parts[5:]
            attempt = f", attempt {rest[0]}" if parts[0] in ("offer", "late") and rest else ""
            return f"{sms}{attempt} — {_right_words(parts[1:5], names, titles)}"
        return sms
    if ref.startswith("SavedQuery:"):
        return f"saved query {ref.removeprefix('SavedQuery:')}"
    return ref


def _words(text: str, names: Mapping[str, str], titles: Mapping[str, str]) -> str:
    """Free text of an event (cause, detail) with the keys in it as words and UTC times local."""
    text = _KEY.sub(lambda m: _ref_words(m.group(), names, titles), text)
    text = _TENGE.sub(lambda m: f"{int(m[1]):,}".replace(",", " ") + " KZT", text)
    return _UTC_TIME.sub(lambda m: _local(dt.datetime.fromisoformat(m[1])), text)
