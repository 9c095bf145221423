"""What the flow made of a right: the offer, its history, the assignment, the payments."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

import strawberry
from strawberry.types import Info

from familycard.api.benefits.types import Benefit, benefit
from familycard.api.permissions import mask_account, mask_iin, mask_phone_for
from familycard.graph.offers import rules_by_code


def _money(v: int | None) -> Decimal | None:
    return Decimal(v) if v is not None else None


@strawberry.type(description="One step in an offer's life: offered, sent, consented, lapsed…")
class OfferEvent:
    kind: str
    at: dt.datetime
    cause: str
    detail: str


@strawberry.type(description="A right offered by SMS: open | notified | consented | refused | lapsed | expired | "
                              "withdrawn (it no longer held when re-checked).")
class Offer:
    id: strawberry.ID = strawberry.field(description="The right: benefit, recipient, subject, event.")
    status: str
    attempt: int
    number: int | None = strawberry.field(description="Its number in the recipient's SMS (\"2 иә\").")
    amount_kzt: Decimal | None
    periodicity: str
    event: dt.date | None
    first_found_on: dt.date
    last_found_on: dt.date
    recipient_iin: str
    subject_iin: str | None
    phone: str | None
    offered_at: dt.datetime | None
    sent_at: dt.datetime | None
    deadline: dt.datetime | None
    answered_at: dt.datetime | None
    reason: str | None = strawberry.field(description="Why it was withdrawn: the conditions that failed when the "
                                                      "right was re-checked, as `explain` words them.")
    _code: strawberry.Private[str]
    _key: strawberry.Private[str]
    _iin: strawberry.Private[str]

    @strawberry.field
    def benefit(self) -> Benefit:
        return benefit(rules_by_code()[self._code])

    @strawberry.field(description="The offer's state changes (offered, consented, lapsed…), in the order they "
                                  "happened; its SMS show in `sentAt`.")
    async def history(self, info: Info) -> list[OfferEvent]:
        rows = await info.context.loaders.events.load(self._iin)  # the recipient's: one read for all their offers
        return [OfferEvent(kind=r["kind"], at=r["at"], cause=r["cause"] or "", detail=r["detail"] or "")
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
    return Offer(id=strawberry.ID(info.context.ids.seal(r["key"], "o_")),
                 status=r["status"], attempt=r["attempt"], number=r["number"],
                 amount_kzt=_money(r["amount_kzt"]), periodicity=r["periodicity"], event=r["event"],
                 first_found_on=r["first_as_of"], last_found_on=r["as_of"],
                 recipient_iin=mask_iin(r["iin"], role), subject_iin=mask_iin(r["subject"], role),
                 phone=mask_phone_for(r["phone"], role), offered_at=r["offered_at"], sent_at=r["sent_at"],
                 deadline=r["deadline"], answered_at=r["answered_at"], reason=r.get("reason"), _code=r["code"],
                 _key=r["key"],
                 _iin=r["iin"])


@strawberry.type(description="A consented right: what is paid, from when, until when.")
class Assignment:
    status: str
    periodicity: str
    amount_kzt: Decimal | None
    assigned_on: dt.date
    ended_on: dt.date | None
    end_reason: str | None = strawberry.field(description="Why it ended: the conditions that failed when the right "
                                                          "was re-checked before a month's payment.")
    event: dt.date | None
    subject_iin: str | None
    _code: strawberry.Private[str]

    @strawberry.field
    def benefit(self) -> Benefit:
        return benefit(rules_by_code()[self._code])


def assignment(info: Info, r: Mapping[str, Any]) -> Assignment:
    return Assignment(status=r["status"], periodicity=r["periodicity"], amount_kzt=_money(r["amount_kzt"]),
                      assigned_on=r["assigned_on"], ended_on=r["ended_on"], end_reason=r.get("reason"),
                      event=r["event"],
                      subject_iin=mask_iin(r["subject"], info.context.role), _code=r["code"])


@strawberry.type(description="A payment order: one per right and month (once for one-off benefits).")
class Payment:
    order_id: str
    month: str
    amount_kzt: Decimal
    bank_account: str | None
    status: str
    created_at: dt.datetime
    _code: strawberry.Private[str]

    @strawberry.field
    def benefit(self) -> Benefit:
        return benefit(rules_by_code()[self._code])


def payment(info: Info, r: Mapping[str, Any]) -> Payment:
    return Payment(order_id=r["order_id"], month=r["month"], amount_kzt=Decimal(r["amount_kzt"]),
                   bank_account=mask_account(r["bank_account"], info.context.role), status=r["status"],
                   created_at=r["created_at"], _code=r["code"])
