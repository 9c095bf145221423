"""What the flow made of a right: the offer, its history, the assignment, the payments."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from familycard.api.benefits import Benefit, benefit
from familycard.api.enums import AssignmentStatus, EventKind, OfferStatus, PaymentStatus, Periodicity
from familycard.api.errors import PublicError
from familycard.api.permissions import mask_account, mask_iin, mask_phone_for, shown_to
from familycard.api.relay import ASSIGNMENT, OFFER, PAYMENT, Node, global_id
from familycard.api.types import enum_of
from familycard.graph.flow.offers import rules_by_code

_IIN = shown_to("iin")


def status_filter(where: str, status: OfferStatus | None) -> str | None:
    """The stored value a status argument filters by; UNKNOWN names no value, so it is refused."""
    if status is OfferStatus.UNKNOWN:
        raise PublicError(f"{where}: UNKNOWN is how a status this version does not know is shown; "
                          f"it cannot be filtered on")
    return status.value if status is not None else None


def _money(v: int | None) -> Decimal | None:
    return Decimal(v) if v is not None else None


@strawberry.type(description="One step in an offer's life: offered, sent, consented, lapsed…")
class OfferEvent:
    kind: EventKind = strawberry.field(description="What happened.")
    at: dt.datetime = strawberry.field(description="When (UTC).")
    cause: str = strawberry.field(description="What made it happen: the sweep of a day, an SMS (phone masked), "
                                              "an answer entered by staff (by whom, why).")
    detail: str = strawberry.field(description="More about it (the attempt, the conditions that failed); may be "
                                               "empty.")
    entered_by: str | None = strawberry.field(description="Who typed it in, for an answer given in person; null "
                                                          "otherwise.")


@strawberry.type(description="A right offered to a citizen by SMS (or told, for a notice), and what became of "
                             "it: `status`, `history`.")
class Offer(Node):
    id: strawberry.ID = strawberry.field(description="The right (benefit, recipient, subject, event), sealed: the "
                                                     "same offer has the same id in every response; never an IIN.")
    status: OfferStatus = strawberry.field(description="Where it is.")
    attempt: int = strawberry.field(description="1 for the first offer, 2 for the one after it lapsed.")
    number: int | None = strawberry.field(description="Its number in the recipient's SMS (\"2 иә\").")
    amount_kzt: Decimal | None = strawberry.field(description="What it pays, tenge, as found (a month's amount for "
                                                              "a monthly benefit); null for a notice.")
    periodicity: Periodicity = strawberry.field(description="How often it pays.")
    event: dt.date | None = strawberry.field(description="The day of the event that started the right (a birth, "
                                                         "a death); null for a right without one.")
    first_found_on: dt.date = strawberry.field(description="The day a sweep first found the right.")
    last_found_on: dt.date = strawberry.field(description="The latest day a sweep found it again.")
    recipient_iin: str = strawberry.field(description="Whom it is offered to. " + _IIN)
    subject_iin: str | None = strawberry.field(description="Whom it is about, when that is someone else (the child, "
                                                           "the deceased); null otherwise. " + _IIN)
    phone: str | None = strawberry.field(description="The phone the SMS went to; null when there was none (then a "
                                                     "caseworker's task). " + shown_to("phone"))
    offered_at: dt.datetime | None = strawberry.field(description="When it was made (UTC).")
    sent_at: dt.datetime | None = strawberry.field(description="When its SMS left (UTC); null until then.")
    deadline: dt.datetime | None = strawberry.field(description="Until when an answer counts (UTC; 72 hours after "
                                                                "the SMS left); null for a notice or an unsent one.")
    answered_at: dt.datetime | None = strawberry.field(description="When the citizen answered (UTC); null until "
                                                                   "then.")
    reason: str | None = strawberry.field(description="Why it was withdrawn: the conditions that failed when the "
                                                      "right was re-checked, as `explain` words them.")
    _code: strawberry.Private[str]
    _key: strawberry.Private[str]
    _iin: strawberry.Private[str]

    @strawberry.field(description="What is offered, paid or assigned.")
    def benefit(self, info: Info) -> Benefit:
        return benefit(info, rules_by_code()[self._code])

    @strawberry.field(description="The offer's state changes (offered, consented, lapsed…), in the order they "
                                  "happened; its SMS show in `sentAt`.")
    async def history(self, info: Info) -> list[OfferEvent]:
        rows = await info.context.loaders.events.load(self._iin)  # the recipient's: one read for all their offers
        return [OfferEvent(kind=enum_of(EventKind, r["kind"]), at=r["at"], cause=r["cause"] or "",
                           detail=r["detail"] or "", entered_by=r.get("entered_by"))
                for r in rows if r["ref"] == self._key]


def note_subjects(info: Info, rows: Iterable[Mapping[str, Any]], fields: Iterable[str], prefix: str = "") -> None:
    """An offer or assignment shows its subject too (the child a birth benefit is about):
    logged under the subject's own IIN when `subjectIin` is asked for."""
    shown = [prefix + f for f in fields if f.endswith("subjectIin")]
    if shown:
        for r in rows:
            if r.get("subject"):
                info.context.access.note(r["subject"], shown)


def offer(info: Info, r: Mapping[str, Any]) -> Offer:
    role = info.context.role
    # A right's key holds IINs: sealed, like a citizen's id, for everyone.
    return Offer(id=global_id(info, OFFER, r["key"]),
                 status=enum_of(OfferStatus, r["status"]), attempt=r["attempt"], number=r["number"],
                 amount_kzt=_money(r["amount_kzt"]), periodicity=enum_of(Periodicity, r["periodicity"]),
                 event=r["event"], first_found_on=r["first_as_of"], last_found_on=r["as_of"],
                 recipient_iin=mask_iin(r["iin"], role), subject_iin=mask_iin(r["subject"], role),
                 phone=mask_phone_for(r["phone"], role), offered_at=r["offered_at"], sent_at=r["sent_at"],
                 deadline=r["deadline"], answered_at=r["answered_at"], reason=r.get("reason"), _code=r["code"],
                 _key=r["key"],
                 _iin=r["iin"])


@strawberry.type(description="A consented right: what is paid, from when, until when.")
class Assignment(Node):
    status: AssignmentStatus = strawberry.field(description="Whether it is still paid.")
    periodicity: Periodicity = strawberry.field(description="How often it pays.")
    amount_kzt: Decimal | None = strawberry.field(description="What it paid when assigned, tenge (each month's order "
                                                              "is recomputed: see `payments`).")
    assigned_on: dt.date = strawberry.field(description="The day of consent, in Kazakhstan: paid from then.")
    ended_on: dt.date | None = strawberry.field(description="The day it ended; null while active.")
    end_reason: str | None = strawberry.field(description="Why it ended: the conditions that failed when the right "
                                                          "was re-checked before a month's payment.")
    event: dt.date | None = strawberry.field(description="The day of the event that started the right; null for "
                                                         "a right without one.")
    subject_iin: str | None = strawberry.field(description="Whom it is about, when that is someone else; null "
                                                           "otherwise. " + _IIN)
    _code: strawberry.Private[str]

    @strawberry.field(description="What is offered, paid or assigned.")
    def benefit(self, info: Info) -> Benefit:
        return benefit(info, rules_by_code()[self._code])


def assignment(info: Info, r: Mapping[str, Any]) -> Assignment:
    return Assignment(id=global_id(info, ASSIGNMENT, r["key"]), status=enum_of(AssignmentStatus, r["status"]),
                      periodicity=enum_of(Periodicity, r["periodicity"]), amount_kzt=_money(r["amount_kzt"]),
                      assigned_on=r["assigned_on"], ended_on=r["ended_on"], end_reason=r.get("reason"),
                      event=r["event"],
                      subject_iin=mask_iin(r["subject"], info.context.role), _code=r["code"])


@strawberry.type(description="A payment order: one per right and month (once for one-off benefits).")
class Payment(Node):
    order_id: str = strawberry.field(description="The order's id in the payment file for the bank (32 "
                                                 "letters and digits).")
    month: str = strawberry.field(description="The month it pays, YYYY-MM (for a one-off benefit, the month it was "
                                              "ordered).")
    amount_kzt: Decimal = strawberry.field(description="The amount ordered, tenge.")
    bank_account: str | None = strawberry.field(description="The IBAN it was ordered to. " + shown_to("bank_account"))
    status: PaymentStatus = strawberry.field(description="Where the order is.")
    created_at: dt.datetime = strawberry.field(description="When the order was made (UTC).")
    _code: strawberry.Private[str]

    @strawberry.field(description="What is offered, paid or assigned.")
    def benefit(self, info: Info) -> Benefit:
        return benefit(info, rules_by_code()[self._code])


def payment(info: Info, r: Mapping[str, Any]) -> Payment:
    return Payment(id=global_id(info, PAYMENT, r["key"]), order_id=r["order_id"], month=r["month"],
                   amount_kzt=Decimal(r["amount_kzt"]), bank_account=mask_account(r["bank_account"], info.context.role),
                   status=enum_of(PaymentStatus, r["status"]), created_at=r["created_at"], _code=r["code"])
