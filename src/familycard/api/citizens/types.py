"""A citizen as the registries describe them, masked for the caller's role."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.enums import FactType
from familycard.api.errors import PublicError
from familycard.api.permissions import mask_account, mask_iin, mask_phone_for, shown_to
from familycard.api.relay import After, Connection, First, Node, from_list, page
from familycard.api.types import enum_of


@strawberry.enum(description="Sex as the population register records it.")
class Sex(Enum):
    F = strawberry.enum_value("F", description="Female.")
    M = strawberry.enum_value("M", description="Male.")


@strawberry.type(description="A dated fact from a registry (disability, employment, income…): `type` says "
                             "which, and which of the other fields it fills (records.md).")
class Fact:
    type: FactType = strawberry.field(description="What it is about; it says which of the other fields it fills.")
    valid_from: dt.date | None = strawberry.field(description="The first day it holds.")
    valid_to: dt.date | None = strawberry.field(description="The last day it holds; null: still holds.")
    disability_group: str | None = strawberry.field(description="For `DISABILITY`: the group, 1, 2, 3 or child "
                                                                "(`group` in the feed).")
    work_capacity_loss_percent: int | None = strawberry.field(description="For `DISABILITY`: the loss of capacity "
                                                                          "to work, 0 to 100 %, if assessed.")
    employer_bin: str | None = strawberry.field(description="For `EMPLOYMENT`: the employer's BIN (12 digits; a "
                                                            "company's, not a person's: not masked).")
    month: str | None = strawberry.field(description="For `CONTRIBUTION` and `INCOME`: the month, YYYY-MM.")
    amount_kzt: Decimal | None = strawberry.field(description="For `CONTRIBUTION` and `INCOME`: the month's amount, "
                                                              "tenge.")
    name: str | None = strawberry.field(description="For `AWARD`: which (altyn_alqa, kumis_alqa, mother_heroine, "
                                                    "maternal_glory_1, maternal_glory_2).")
    benefit: str | None = strawberry.field(description="For `BENEFIT`: the code of a benefit another agency "
                                                       "already pays (benefits.md).")
    source: str = strawberry.field(description="The registry it came from.")
    recorded_at: dt.datetime = strawberry.field(description="When that registry recorded it (UTC).")


def _fact(r: Mapping[str, Any]) -> Fact:
    return Fact(type=enum_of(FactType, r["type"]), valid_from=r["valid_from"], valid_to=r["valid_to"],
                disability_group=r["disability_group"], work_capacity_loss_percent=r["work_capacity_loss_percent"],
                employer_bin=r["employer_bin"], month=r["month"],
                amount_kzt=Decimal(r["amount_kzt"]) if r["amount_kzt"] is not None else None,
                name=r["name"], benefit=r["benefit"], source=r["source"], recorded_at=r["recorded_at"])


@strawberry.type(description="A person in the population register. `iin`, `phone` and `bankAccount` are "
                             "masked for roles that do not need them (see the README).")
class Citizen(Node):
    id: strawberry.ID = strawberry.field(description="Opaque and stable: follow a relative by it (`citizen(id:)`, "
                                                     "`familyCard(id:)`, `familyGraph(id:)`, `node(id:)`); never "
                                                     "an IIN.")
    iin: str = strawberry.field(description="The individual identification number, 12 digits. " + shown_to("iin"))
    surname: str = strawberry.field(description="Surname, as registered.")
    given_name: str = strawberry.field(description="Given name, as registered.")
    patronymic: str | None = strawberry.field(description="Patronymic, if the person has one.")
    birth_date: dt.date = strawberry.field(description="Date of birth.")
    sex: Sex = strawberry.field(description="Sex.")
    alive: bool = strawberry.field(description="False once a death is registered (`deathDate`).")
    death_date: dt.date | None = strawberry.field(description="Date of death; null while alive.")
    address_id: str | None = strawberry.field(description="The registered address's id (people at the same one are "
                                                          "a `household`); null if none is registered.")
    phone: str | None = strawberry.field(description="Mobile phone offers are sent to, E.164 (`+77011234567`); null "
                                                     "if none. " + shown_to("phone"))
    bank_account: str | None = strawberry.field(description="IBAN benefits are paid to; null if none. "
                                                            + shown_to("bank_account"))
    citizenship: str | None = strawberry.field(description="Citizenship, an ISO 3166 country code (`KZ`).")
    source: str = strawberry.field(description="The registry the person's record came from.")
    recorded_at: dt.datetime = strawberry.field(description="When that registry recorded this version of the "
                                                            "person (UTC).")
    _iin: strawberry.Private[str]

    @strawberry.field(description="The person's registry facts, oldest first; `type` filters.")
    async def facts(self, info: Info, type: Annotated[FactType | None, strawberry.argument(
                        description="Only facts of this type (`INCOME`, `DISABILITY`…).")] = None, first: First = None,
                    after: After = None) -> Connection[Fact]:
        p = page(info, first, after)
        rows = await info.context.loaders.facts.load(self._iin)
        if type is FactType.UNKNOWN:
            raise PublicError("type: UNKNOWN is how a fact type this version does not know is shown; it cannot be "
                              "filtered on")
        if type is not None:
            rows = [r for r in rows if r["type"] == type.value]
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
                   phone=mask_phone_for(row.get("phone"), role),
                   bank_account=mask_account(row.get("bank_account"), role),
                   citizenship=row.get("citizenship"), source=row["source"], recorded_at=row["recorded_at"],
                   _iin=row["iin"])
