"""A caseworker's task: why, about whom, for which right, and what became of it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.benefits import Benefit, Texts, benefit, texts
from familycard.api.citizens import Citizen, citizen
from familycard.api.enums import TaskReason, TaskStatus
from familycard.api.offers import Offer, note_subjects, offer
from familycard.api.permissions import mask_text
from familycard.api.relay import TASK, Node, global_id
from familycard.api.types import enum_of
from familycard.graph.flow.offers import rules_by_code
from familycard.graph.flow.worklist import REASON_TEXTS, REASONS


@strawberry.type(description="Something a caseworker must do for a right that cannot go on by itself (no phone, "
                             "no valid account, an SMS refused, …): open until its cause goes away or a "
                             "caseworker closes it.")
class Task(Node):
    id: strawberry.ID = strawberry.field(description="Sealed like every id: never an IIN; `closeTask` takes it.")
    reason: TaskReason = strawberry.field(description="Why it is on the worklist.")
    reason_text: Texts = strawberry.field(description="The reason in words, in Kazakh, Russian and English.")
    detail: str = strawberry.field(description="What the flow knew when it made the task (the phone or account "
                                               "at fault, the conditions that failed), masked as the caller's "
                                               "role sees IINs, phones and accounts; may be empty.")
    status: TaskStatus = strawberry.field(description="Open, or closed.")
    created_at: dt.datetime = strawberry.field(description="When it was made (UTC).")
    closed_at: dt.datetime | None = strawberry.field(description="When it was closed (UTC); null while open.")
    closed_by: str | None = strawberry.field(description="Who closed it by hand (`closeTask`, or an answer given in "
                                                         "person); null while open or when its cause went away.")
    note: str | None = strawberry.field(description="The note it was closed with by hand; null otherwise.")
    _code: strawberry.Private[str]
    _iin: strawberry.Private[str]
    _ref: strawberry.Private[str | None]

    @strawberry.field(description="The benefit of the right it is about.")
    def benefit(self, info: Info) -> Benefit:
        return benefit(info, rules_by_code()[self._code])

    @strawberry.field(description="The person it is about (the right's recipient); null if no longer registered.")
    async def citizen(self, info: Info) -> Citizen | None:
        row = await info.context.loaders.person.load(self._iin)
        return citizen(info, row) if row else None

    @strawberry.field(description="The offer of the right it is about (`answerOffer` takes its id); null for a "
                                  "task about something else.")
    async def offer(self, info: Info) -> Offer | None:
        rows = await info.context.loaders.offers.load(self._iin)  # the recipient's: one read for all their offers
        row = next((r for r in rows if r["key"] == self._ref), None)
        if row is None:
            return None
        fields = selected_fields(info)
        info.context.access.note(self._iin, fields)
        note_subjects(info, [row], fields)
        return offer(info, row)


def task(info: Info, r: Mapping[str, Any]) -> Task:
    """The Task a resolver returns; the caller notes the person in the access log."""
    words = {**REASON_TEXTS.get(r["reason"], {}), "en": REASONS.get(r["reason"], r["reason"] or "")}
    return Task(id=global_id(info, TASK, r["key"]), reason=enum_of(TaskReason, r["reason"]),
                reason_text=texts(words), detail=mask_text(r["detail"], info.context.role) or "",
                status=enum_of(TaskStatus, r["status"]), created_at=r["created_at"], closed_at=r["closed_at"],
                closed_by=r["closed_by"], note=r["note"], _code=r["code"], _iin=r["iin"], _ref=r["ref"])
