"""What a caseworker does on the worklist: close a task with a note, and type in an answer a
citizen gave in person to one offer. Both keep who did it, when and why."""
from __future__ import annotations

import unicodedata
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard import dates
from familycard.api.access_log import selected_fields
from familycard.api.enums import Decision
from familycard.api.errors import InvalidInput
from familycard.api.offers import Offer, note_subjects, offer
from familycard.api.offers.mutations import MAX_REASON
from familycard.api.permissions import CASEWORK
from familycard.api.relay import OFFER, TASK
from familycard.api.worklist.types import Task, task
from familycard.graph.flow.inbox import NotAnswerable, answer
from familycard.graph.flow.worklist import TaskError, close_task

# Bidirectional overrides and isolates (Cf, not Cc) make a note read otherwise than it is
# stored on a screen ("Trojan Source"): refused with the control characters.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_text(value: str, field: str, what: str, limit: int = MAX_REASON) -> str | InvalidInput:
    """A note or reason staff type: trimmed, not empty, at most ``limit`` characters, with no
    control (or bidirectional) characters; else the InvalidInput saying which."""
    text = value.strip()
    if not text:
        return InvalidInput(message=f"{field}: {what}", field=field)
    if len(text) > limit:
        return InvalidInput(message=f"{field}: at most {limit} characters, not {len(text)}", field=field)
    bad = next((i for i, c in enumerate(text) if unicodedata.category(c) == "Cc" or c in _BIDI), None)
    if bad is not None:
        return InvalidInput(message=f"{field}: control character U+{ord(text[bad]):04X} at position {bad + 1}; "
                                    "write it on one line, in plain text", field=field)
    return text


def _key(info: Info, gid: str, prefix: str, field: str, what: str) -> str | InvalidInput:
    """The key a sealed id of this API names, or the InvalidInput saying it is none of ours."""
    key = info.context.ids.unseal(str(gid), prefix)
    if key is None:
        return InvalidInput(message=f"{field}: '{str(gid)[:40]}' is not {what} id this API gave out", field=field)
    return key


@strawberry.input(description="Which task to close, and why.")
class CloseTaskInput:
    task_id: strawberry.ID = strawberry.field(description="The task's `id`, as `worklist` gave it.")
    note: str = strawberry.field(description=f"What was done (\"called her: account corrected at the bank\"): kept "
                                             f"with the task; trimmed, at most {MAX_REASON} characters, one line.")


@strawberry.type(description="The task, closed.")
class TaskClosed:
    task: Task = strawberry.field(description="As it is now: closed, by whom, when, with the note.")


CloseTaskResult = Annotated[TaskClosed | InvalidInput, strawberry.union(
    "CloseTaskResult", description="The closed task, or what is wrong with the input (a task closed already).")]


@strawberry.input(description="A citizen's answer to one offer, given in person (at an office, on the phone) and "
                              "typed in by staff. SMS replies come in through POST /sms/inbound.")
class AnswerOfferInput:
    offer_id: strawberry.ID = strawberry.field(description="The offer's `id` (`Offer.id`, `Task.offer`).")
    decision: Decision = strawberry.field(description="CONSENT or REFUSAL.")
    reason: str = strawberry.field(description="Why it is entered by staff (\"came to the office with her ID card\"): "
                                               f"kept in the offer's history; trimmed, at most {MAX_REASON} "
                                               "characters, one line.")
    id: str | None = strawberry.field(default=None, description="An id of this entry: the same id again changes "
                                                                "nothing.")


@strawberry.type(description="What an answer given in person did.")
class OfferAnswered:
    offer: Offer = strawberry.field(description="The offer as it is now (its history names who entered the answer).")
    decision: Decision = strawberry.field(description="What was decided: WITHDRAWN when a consent found the right no "
                                                      "longer holding.")
    payment_orders: int = strawberry.field(description="Payment orders made at once for a consent.")
    replies_queued: int = strawberry.field(description="SMS queued to tell the citizen (none without a phone).")


AnswerOfferResult = Annotated[OfferAnswered | InvalidInput, strawberry.union(
    "AnswerOfferResult", description="What the answer did, or what is wrong with the input (an offer not open).")]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[CASEWORK],
                         description="Closes an open task with a note; kept with who and when.")
    async def close_task(self, info: Info, input: Annotated[CloseTaskInput, strawberry.argument(
            description="The task and the note.")]) -> CloseTaskResult:
        key = _key(info, input.task_id, TASK, "taskId", "a task")
        if isinstance(key, InvalidInput):
            return key
        note = clean_text(input.note, "note", "say what was done")
        if isinstance(note, InvalidInput):
            return note
        try:
            row = await run_in_threadpool(close_task, info.context.store, key, note, info.context.principal.acting,
                                          dates.utcnow())
        except TaskError as e:
            return InvalidInput(message=f"taskId: {e}", field="taskId")
        info.context.access.note(row["iin"], selected_fields(info))
        return TaskClosed(task=task(info, row))

    @strawberry.mutation(permission_classes=[CASEWORK],
                         description="A consent or refusal the citizen gave in person to one open offer (also one "
                                     "without a phone), typed in by staff: recorded as staff-entered with who and "
                                     "why, never as an SMS reply; a consent re-checks, assigns and issues the order "
                                     "exactly as an SMS consent does. It closes the offer's tasks about reaching "
                                     "the citizen (no phone, invalid phone, SMS failed).")
    async def answer_offer(self, info: Info, input: Annotated[AnswerOfferInput, strawberry.argument(
            description="The offer, the answer, and why staff enter it.")]) -> AnswerOfferResult:
        key = _key(info, input.offer_id, OFFER, "offerId", "an offer")
        if isinstance(key, InvalidInput):
            return key
        if input.decision not in (Decision.CONSENT, Decision.REFUSAL):
            return InvalidInput(message=f"decision: {input.decision.name} is not an answer; give CONSENT or REFUSAL",
                                field="decision")
        reason = clean_text(input.reason, "reason", "say why the answer is entered by staff (given in person)")
        if isinstance(reason, InvalidInput):
            return reason
        if input.id is not None:
            entry = clean_text(input.id, "id", "an empty id; leave it out instead", 200)
            if isinstance(entry, InvalidInput):
                return entry
        try:
            out = await run_in_threadpool(lambda: answer(info.context.store, key, input.decision.value,
                                                         entered_by=info.context.principal.acting, reason=reason,
                                                         entry_id=input.id))
        except NotAnswerable as e:
            return InvalidInput(message=f"offerId: {e}", field="offerId")
        iin = key.split("|")[1]  # a right's key: code|iin|subject|event (graph/rules/rule.right_key)
        row = next(r for r in await info.context.loaders.offers.load(iin) if r["key"] == key)
        fields = selected_fields(info)
        info.context.access.note(iin, fields)
        note_subjects(info, [row], fields)
        return OfferAnswered(offer=offer(info, row), decision=Decision(out.decisions[key]),
                             payment_orders=out.orders, replies_queued=len(out.answered_with))
