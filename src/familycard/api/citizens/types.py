"""A citizen as the registries describe them, masked for the caller's role."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping

import strawberry
from strawberry.types import Info

from familycard.api.audit import selected_fields
from familycard.api.pagination import Connection, from_list, page
from familycard.api.permissions import mask_account, mask_iin, mask_phone_for


@strawberry.enum
class Sex(Enum):
    F = "F"
    M = "M"


@strawberry.type(description="A dated fact from a registry (disability, employment, income…).")
class Fact:
    type: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    disability_group: str | None = strawberry.field(description="`group` in the feed")
    work_capacity_loss_percent: int | None
    employer_bin: str | None
    month: str | None
    amount_kzt: Decimal | None
    name: str | None
    benefit: str | None
    source: str = strawberry.field(description="The registry it came from.")
    recorded_at: dt.datetime = strawberry.field(description="When that registry recorded it (UTC).")


def _fact(r: Mapping[str, Any]) -> Fact:
    return Fact(type=r["type"], valid_from=r["valid_from"], valid_to=r["valid_to"],
                disability_group=r["disability_group"], work_capacity_loss_percent=r["work_capacity_loss_percent"],
                employer_bin=r["employer_bin"], month=r["month"],
                amount_kzt=Decimal(r["amount_kzt"]) if r["amount_kzt"] is not None else None,
                name=r["name"], benefit=r["benefit"], source=r["source"], recorded_at=r["recorded_at"])


@strawberry.type(description="A person in the population register. `iin`, `phone` and `bankAccount` are "
                             "masked for roles that do not need them (see the README).")
class Citizen:
    id: strawberry.ID = strawberry.field(description="Opaque and stable: follow a relative by it.")
    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: dt.date
    sex: Sex
    alive: bool
    death_date: dt.date | None
    address_id: str | None
    phone: str | None
    bank_account: str | None
    citizenship: str | None
    source: str = strawberry.field(description="The registry the person's record came from.")
    recorded_at: dt.datetime
    _iin: strawberry.Private[str]

    @strawberry.field(description="The person's registry facts, oldest first; `type` filters.")
    async def facts(self, info: Info, type: str | None = None, first: int | None = None,
                    after: str | None = None) -> Connection[Fact]:
        p = page(info, first, after)
        rows = await info.context.loaders.facts.load(self._iin)
        if type is not None:
            rows = [r for r in rows if r["type"] == type]
        return from_list(rows, p, _fact)


def citizen(info: Info, row: Mapping[str, Any], logged: bool = False) -> Citizen:
    """The Citizen a resolver returns; notes the read in the access log (unless ``logged``
    already: a card's own person)."""
    ctx = info.context
    role = ctx.role
    if not logged:
        ctx.access.note(row["iin"], selected_fields(info))
    return Citizen(id=strawberry.ID(ctx.ids.encode(row["iin"])), iin=mask_iin(row["iin"], role),
                   surname=row["surname"], given_name=row["given_name"], patronymic=row.get("patronymic"),
                   birth_date=row["birth_date"], sex=Sex(row["sex"]), alive=row.get("death_date") is None,
                   death_date=row.get("death_date"), address_id=row.get("address_id"),
                   phone=mask_phone_for(row.get("phone"), role), bank_account=mask_account(row.get("bank_account"), role),
                   citizenship=row.get("citizenship"), source=row["source"], recorded_at=row["recorded_at"],
                   _iin=row["iin"])
