"""Replies and sweeps: the flow's two entry points a person (or a system) may trigger."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.enums import Decision, ReplyOutcome, SweepMode
from familycard.api.errors import InvalidInput
from familycard.api.permissions import ADMIN, CASEWORK, mask_phone_for, shown_to
from familycard.api.relay import OFFER, global_id
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.offers import rules_by_code
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


@strawberry.type(description="What a reply decided for one of the offers it answered.")
class OfferDecision:
    offer_id: strawberry.ID = strawberry.field(description="The offer's `id` (as `Offer.id`, `node(id:)`).")
    decision: Decision = strawberry.field(description="What was decided for it.")


@strawberry.type(description="What a reply did.")
class ReplyReceived:
    outcome: ReplyOutcome = strawberry.field(description="What the reply did, as a whole.")
    phone: str = strawberry.field(description="The phone it was taken as from, E.164. " + shown_to("phone"))
    decisions: list[OfferDecision] = strawberry.field(description="Per offer answered; empty when nothing was "
                                                                  "decided.")
    replies_queued: int = strawberry.field(description="SMS queued in answer (a confirmation, a question, a "
                                                       "\"too late\").")
    payment_orders: int = strawberry.field(description="Payment orders made at once for what was consented.")
    reason: str = strawberry.field(description="How the text was read, or why nothing was decided; may be empty.")


ReplyResult = Annotated[ReplyReceived | InvalidInput, strawberry.union(
    "ReplyResult", description="What a reply did, or what is wrong with the input.")]


@strawberry.type(description="What a sweep found and offered.")
class SweepReport:
    as_of: dt.date = strawberry.field(description="The day it judged.")
    mode: SweepMode = strawberry.field(description="What it covered.")
    found: int = strawberry.field(description="Rights found on the day (new or not).")
    offered: int = strawberry.field(description="New offers (first attempts).")
    offered_again: int = strawberry.field(description="Second offers after one lapsed unanswered.")
    already_offered: int = strawberry.field(description="Rights offered before: nothing done.")
    sms_queued: int = strawberry.field(description="SMS queued for sending.")
    worklisted: int = strawberry.field(description="Offers without a usable phone: a caseworker's task each.")
    lapsed: int = strawberry.field(description="Open offers past their deadline on a first attempt: offered again "
                                               "next.")
    expired: int = strawberry.field(description="Open offers past their deadline on the second attempt: final.")
    withdrawn: int = strawberry.field(description="Open offers whose right no longer held: withdrawn, with the "
                                                  "citizen told and a caseworker's task.")
    seconds: float = strawberry.field(description="How long the sweep took, seconds.")


SweepResult = Annotated[SweepReport | InvalidInput, strawberry.union(
    "SweepResult", description="What a sweep did, or what is wrong with its arguments.")]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[CASEWORK],
                         description="A citizen's answer given in person, entered by staff: recorded as entered by "
                                     "the caller, now, with the reason; the citizen gets the usual confirmation SMS.")
    async def receive_sms_reply(self, info: Info, input: Annotated[SmsReplyInput, strawberry.argument(
            description="The answer, whose phone it is for, and why staff enter it.")]) -> ReplyResult:
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
        who = info.context.principal.acting
        out = await run_in_threadpool(lambda: receive(info.context.store, input.from_, input.text, None, input.id,
                                                      entered_by=who, reason=reason))
        return ReplyReceived(outcome=ReplyOutcome(out.outcome),
                             phone=mask_phone_for(out.phone, info.context.role) or "",
                             decisions=[OfferDecision(offer_id=global_id(info, OFFER, k), decision=Decision(v))
                                        for k, v in sorted(out.decisions.items())],
                             replies_queued=len(out.answered_with), payment_orders=out.orders, reason=out.reason)

    @strawberry.mutation(permission_classes=[ADMIN],
                         description="The day's sweep (as `familycard sweep`): finds rights and offers new ones. "
                                     "Large populations belong to the CLI: this runs within the request timeout.")
    async def run_sweep(self, info: Info,
                        as_of: Annotated[dt.date, strawberry.argument(description="The day to judge.")],
                        benefits: Annotated[list[str] | None, strawberry.argument(
                            description="Only these benefits (`Benefit.code`s): a `PARTIAL` sweep; all when left "
                                        "out.")] = None,
                        incremental: Annotated[bool, strawberry.argument(
                            description="Only the people the records ingested since the day's last sweep can "
                                        "concern; needs a full sweep of the day first.")] = False) -> SweepResult:
        unknown = [b for b in benefits or () if b not in rules_by_code()]
        if unknown:
            return InvalidInput(message=f"benefits: '{unknown[0]}' is not one of {', '.join(rules_by_code())}",
                                field="benefits")
        try:
            d = await run_in_threadpool(lambda: daily_sweep(info.context.store, as_of, benefits,
                                                            incremental=incremental))
        except SweepError as e:
            return InvalidInput(message=str(e), field="incremental")
        o = d.offers
        return SweepReport(as_of=as_of, mode=SweepMode(d.mode), found=len(d.result.entitlements), offered=o.offered,
                           offered_again=o.reoffered, already_offered=o.already, sms_queued=o.queued_sms,
                           worklisted=o.worklisted, lapsed=o.lapsed, expired=o.expired, withdrawn=o.withdrawn,
                           seconds=round(d.result.seconds, 3))
