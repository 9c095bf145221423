"""The caseworkers' worklist: rights that cannot go on by themselves.

A recipient without a usable phone cannot be offered by SMS, one without a valid bank account
cannot be paid, an SMS the gateway refused for good needs a person, an answer from a phone
that carries offers for several people needs someone to confirm who answered, and a right
that no longer held when re-checked (a registry corrected itself) needs a call; each is a Task, kept
open until the cause goes away, never dropped. A caseworker may close one by hand, with a note
(``close_task``); an answer given in person closes its offer's tasks about reaching the citizen
(``close_offer_tasks``). Either way the task keeps who closed it, when and why.
"""
from __future__ import annotations

import datetime as dt

from familycard.dates import LOCAL
from familycard.graph.store import Store, Tx, writes

OPEN, CLOSED = "open", "closed"
#: Every status a task can have (model.TASK): the API's TaskStatus enum is made from it.
STATUSES = (OPEN, CLOSED)
#: A task's row as the API and the CLI read it.
FIELDS = ("key", "iin", "code", "ref", "reason", "detail", "status", "created_at", "closed_at", "closed_by", "note")
#: The tasks an answer given in person makes moot: they were about reaching the citizen.
REACHING = ("no_phone", "invalid_phone", "sms_failed")

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


# The reasons in the console's three languages (REASONS is the English, for the CLI).
REASON_TEXTS = {
    "no_phone": {"kk": "тізілімде телефон жоқ: жеке ұсыну керек",
                 "ru": "в реестре нет телефона: предложить лично"},
    "invalid_phone": {"kk": "тізілімдегі телефон қазақстандық ұялы нөмір емес: жеке ұсыну керек",
                      "ru": "телефон в реестре не казахстанский мобильный: предложить лично"},
    "sms_failed": {"kk": "SMS шлюзі хабарламаны қабылдамады", "ru": "SMS-шлюз отклонил сообщение"},
    "no_account": {"kk": "келісім алынды, бірақ банк шоты жоқ: төлем күтуде",
                   "ru": "согласие получено, но нет банковского счёта: выплата ждёт"},
    "invalid_account": {"kk": "келісім алынды, бірақ банк шоты жарамды IBAN емес: төлем күтуде",
                        "ru": "согласие получено, но счёт не является действительным IBAN: выплата ждёт"},
    "shared_phone": {"kk": "бірнеше адамға ұсыныс келген телефоннан жауап берілді: кім жауап бергенін нақтылау керек",
                     "ru": "ответ с телефона, на который пришли предложения нескольким людям: уточнить, кто ответил"},
    "withdrawn": {"kk": "қайта тексергенде құқық расталмады: ұсыныс қайтарылды, азаматқа 1414-ке хабарласу айтылды",
                  "ru": "при повторной проверке право не подтвердилось: предложение отозвано, гражданину "
                        "сообщили позвонить в 1414"},
    "ended": {"kk": "қайта тексергенде құқық расталмады: төлемдер тоқтатылды, азаматқа 1414-ке хабарласу айтылды",
              "ru": "при повторной проверке право не подтвердилось: выплаты прекращены, гражданину сообщили "
                    "позвонить в 1414"},
}
assert REASON_TEXTS.keys() == REASONS.keys()


class TaskError(ValueError):
    """A task that cannot be closed (none with that key, or closed already): the message says which."""


def _row(tx: Tx, key: str) -> dict | None:
    rows = tx.run("MATCH (t:Task {key: $k}) RETURN " + ", ".join(f"t.{f} AS {f}" for f in FIELDS), {"k": key})
    return rows[0] if rows else None


def close_task(store: Store, key: str, note: str, by: str, at: dt.datetime) -> dict:
    """A caseworker closes an open task by hand: status, when, who (``by``) and their note, in
    one transaction; returns the task's row. Raises ``TaskError`` for a task that is not open."""
    def run(tx: Tx) -> dict:
        t = _row(tx, key)
        if t is None:
            raise TaskError("there is no such task")
        if t["status"] != OPEN:
            how = f" on {t['closed_at']:%Y-%m-%d %H:%M} UTC" if t["closed_at"] else ""
            raise TaskError(f"the task is {t['status']}{how}" + (f" by {t['closed_by']}" if t["closed_by"] else "")
                            + ": only an open task can be closed")
        writes.patch(tx, "Task", [{"key": key, "status": CLOSED, "closed_at": at, "closed_by": by, "note": note}])
        return {**t, "status": CLOSED, "closed_at": at, "closed_by": by, "note": note}
    return store.transaction(run)


def close_gone(tx: Tx, keys: list[str], at: dt.datetime) -> None:
    """Close those of these tasks that are still open: their cause went away. One closed by
    hand keeps its time, who and note."""
    keys = sorted(set(keys))
    if keys:
        still = tx.run("UNWIND $keys AS k MATCH (t:Task {key: k}) WHERE t.status = $open RETURN t.key AS key",
                       {"keys": keys, "open": OPEN})
        writes.patch(tx, "Task", [{"key": r["key"], "status": CLOSED, "closed_at": at}
                                  for r in sorted(still, key=lambda r: r["key"])])


def open_again(tx: Tx, tasks: list[dict], at: dt.datetime, closed_before: dt.datetime) -> list[str]:
    """Tasks (rows as the flow makes them) whose cause is still there: made if new, and opened
    again if closed before ``closed_before`` (the month being paid began), by hand or by the
    flow: a caseworker closed "no account" with "she will bring one" and none came, and the
    payment waited with no task, month after month. One closed this month stays closed (a rerun
    of the month's payments would undo the caseworker's work of the day). The closing's who and
    note go into the detail. Returns the keys made or opened again."""
    fresh = [t["key"] for t in writes.insert_new(tx, "Task", tasks)]
    old = sorted({t["key"] for t in tasks} - set(fresh))
    closed = tx.run("UNWIND $keys AS k MATCH (t:Task {key: k}) WHERE t.status = $closed AND t.closed_at < $before "
                    "RETURN t.key AS key, t.closed_at AS closed_at, t.closed_by AS closed_by, t.note AS note",
                    {"keys": old, "closed": CLOSED, "before": closed_before}) if old else []
    detail = {t["key"]: t["detail"] for t in tasks}
    writes.patch(tx, "Task", [
        {"key": r["key"], "status": OPEN, "closed_at": None, "closed_by": None, "note": None,
         "detail": f"{detail[r['key']]}; open again {at:%Y-%m-%d}: closed {r['closed_at']:%Y-%m-%d}"
                   + (f" by {r['closed_by']} ({r['note']})" if r["closed_by"] else "") + ", the cause is still there"}
        for r in sorted(closed, key=lambda r: r["key"])])
    return fresh + [r["key"] for r in closed]


def close_offer_tasks(tx: Tx, offer_key: str, reasons: tuple[str, ...], at: dt.datetime, by: str,
                      note: str) -> list[str]:
    """Close an offer's open tasks of these reasons (an answer given in person makes them moot);
    returns their keys."""
    keys = [r["key"] for r in tx.run("MATCH (t:Task) WHERE t.ref = $ref AND t.status = $open AND t.reason IN $reasons "
                                     "RETURN t.key AS key", {"ref": offer_key, "open": OPEN, "reasons": list(reasons)})]
    writes.patch(tx, "Task", [{"key": k, "status": CLOSED, "closed_at": at, "closed_by": by, "note": note}
                              for k in sorted(keys)])
    return keys


def open_tasks(store: Store, reason: str | None = None) -> list[dict]:
    return tasks(store, reason)


def tasks(store: Store, reason: str | None = None, status: str = OPEN) -> list[dict]:
    """The tasks of a status (open: the worklist), oldest first, with their person's name and address."""
    if reason is not None and reason not in REASONS:
        raise ValueError(f"reason '{reason}': expected one of {', '.join(REASONS)}")
    if status not in STATUSES:
        raise ValueError(f"status '{status}': expected one of {', '.join(STATUSES)}")
    return store.read(
        "MATCH (t:Task) WHERE t.status = $status " + ("AND t.reason = $reason " if reason else "") +
        "OPTIONAL MATCH (p:Person {iin: t.iin}) "
        "RETURN t.key AS key, t.created_at AS since, t.reason AS reason, t.code AS benefit, t.iin AS iin, "
        "p.surname AS surname, p.given_name AS given_name, p.address_id AS address_id, t.ref AS right, "
        "t.detail AS detail, t.status AS status, t.closed_at AS closed_at, t.closed_by AS closed_by, "
        "t.note AS note ORDER BY t.created_at, t.key", {"status": status} | ({"reason": reason} if reason else {}))


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
        if t.get("status") == CLOSED:  # by hand (who, why), or when its cause went away
            when = t["closed_at"].replace(tzinfo=dt.UTC).astimezone(LOCAL) if t["closed_at"] else None
            lines.append(f"{'':<17} closed{f' {when:%Y-%m-%d %H:%M}' if when else ''}"
                         + (f" by {t['closed_by']}: {t['note']}" if t["closed_by"] else ": its cause went away"))
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t["reason"]] = counts.get(t["reason"], 0) + 1
    state = tasks[0].get("status") or OPEN
    lines.append(f"{len(tasks):,} {state}: " + ", ".join(f"{n:,} {r} ({REASONS.get(r, r)})"
                                                        for r, n in sorted(counts.items())))
    return "\n".join(lines)
