"""Replies and sweeps: the flow's two entry points a person (or a system) may trigger."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.errors import InvalidInput
from familycard.api.permissions import ADMIN, CASEWORK, mask_phone_for
from familycard.graph.inbox import receive
from familycard.graph.offers import rules_by_code
from familycard.graph.sweep import SweepError, daily_sweep


MAX_REASON = 500


@strawberry.input(description="A citizen's answer to their offers, given in person (at an office, on the "
                              "phone) and typed in by staff. SMS the gateway delivers come in through "
                              "POST /sms/inbound, never through here.")
class SmsReplyInput:
    from_: str = strawberry.field(name="from", description="The citizen's phone the offers were sent to.")
    text: str = strawberry.field(description="The answer, as an SMS would say it (\"Иә\", \"1 иә, 2 жоқ\").")
    reason: str = strawberry.field(description="Why it is entered by staff rather than sent by SMS (e.g. \"came "
                                               "to the office with her ID card\"): kept in the offer's history.")
    id: str | None = strawberry.field(default=None, description="An id of this entry: the same id again "
                                                                "changes nothing.")


@strawberry.type
class OfferDecision:
    offer_id: strawberry.ID
    decision: str = strawberry.field(description="consent | refusal | withdrawn (consented, but the right no longer held)")


@strawberry.type(description="What a reply did.")
class ReplyReceived:
    outcome: str = strawberry.field(description="consented | refused | decided | clarify | unclear_again | no_offer "
                                                "| unknown_number | duplicate")
    phone: str
    decisions: list[OfferDecision]
    replies_queued: int
    payment_orders: int
    reason: str


ReplyResult = Annotated[ReplyReceived | InvalidInput, strawberry.union("ReplyResult")]


@strawberry.type(description="What a sweep found and offered.")
class SweepReport:
    as_of: dt.date
    mode: str = strawberry.field(description="full | incremental | partial (some benefits only)")
    found: int
    offered: int
    offered_again: int
    already_offered: int
    sms_queued: int
    worklisted: int
    lapsed: int
    expired: int
    withdrawn: int = strawberry.field(description="open offers whose right no longer held: withdrawn, with the "
                                                  "citizen told and a caseworker's task")
    seconds: float


SweepResult = Annotated[SweepReport | InvalidInput, strawberry.union("SweepResult")]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[CASEWORK],
                         description="A citizen's answer given in person, entered by staff: recorded as entered by "
                                     "the caller, now, with the reason; the citizen gets the usual confirmation SMS.")
    async def receive_sms_reply(self, info: Info, input: SmsReplyInput) -> ReplyResult:
        if not input.from_.strip():
            return InvalidInput(message="from: the sender's phone is required", field="from")
        if input.id is not None and len(input.id) > 200:
            return InvalidInput(message="id: at most 200 characters", field="id")
        reason = " ".join(input.reason.split())
        if not reason:
            return InvalidInput(message="reason: say why the answer is entered by staff (given in person)",
                                field="reason")
        if len(reason) > MAX_REASON:
            return InvalidInput(message=f"reason: at most {MAX_REASON} characters", field="reason")
        who = info.context.principal
        out = await run_in_threadpool(lambda: receive(info.context.store, input.from_, input.text, None, input.id,
                                                      entered_by=f"{who.role} {who.subject}", reason=reason))
        ids = info.context.ids
        return ReplyReceived(outcome=out.outcome, phone=mask_phone_for(out.phone, info.context.role) or "",
                             decisions=[OfferDecision(offer_id=strawberry.ID(ids.seal(k, "o_")), decision=v)
                                        for k, v in sorted(out.decisions.items())],
                             replies_queued=len(out.answered_with), payment_orders=out.orders, reason=out.reason)

    @strawberry.mutation(permission_classes=[ADMIN],
                         description="The day's sweep (as `familycard sweep`): finds rights and offers new ones. "
                                     "Large populations belong to the CLI: this runs within the request timeout.")
    async def run_sweep(self, info: Info, as_of: dt.date, benefits: list[str] | None = None,
                        incremental: bool = False) -> SweepResult:
        unknown = [b for b in benefits or () if b not in rules_by_code()]
        if unknown:
            return InvalidInput(message=f"benefits: '{unknown[0]}' is not one of {', '.join(rules_by_code())}",
                                field="benefits")
        try:
            d = await run_in_threadpool(lambda: daily_sweep(info.context.store, as_of, benefits, incremental=incremental))
        except SweepError as e:
            return InvalidInput(message=str(e), field="incremental")
        o = d.offers
        return SweepReport(as_of=as_of, mode=d.mode, found=len(d.result.entitlements), offered=o.offered,
                           offered_again=o.reoffered, already_offered=o.already, sms_queued=o.queued_sms,
                           worklisted=o.worklisted, lapsed=o.lapsed, expired=o.expired, withdrawn=o.withdrawn,
                           seconds=round(d.result.seconds, 3))
