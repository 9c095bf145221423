from __future__ import annotations

import strawberry
from strawberry.types import Info

from familycard.api.citizens.types import Citizen, citizen
from familycard.api.errors import PublicError
from familycard.api.permissions import SIGNED_IN
from familycard.schema.iin import IINError, parse_iin


async def resolve_iin(info: Info, iin: str | None, id: strawberry.ID | None) -> str:
    """The IIN a query names, by IIN or by opaque id (exactly one of them)."""
    if (iin is None) == (id is None):
        raise PublicError("give either iin or id")
    if id is not None:
        found = info.context.ids.decode(str(id))
        if found is None:
            raise PublicError(f"id '{str(id)[:40]}' is not a citizen id this API gave out")
        return found
    try:
        parse_iin(iin)
    except IINError as e:
        raise PublicError(str(e)) from None
    return iin


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SIGNED_IN], description="One person, by IIN or by id.")
    async def citizen(self, info: Info, iin: str | None = None, id: strawberry.ID | None = None) -> Citizen | None:
        row = await info.context.loaders.person.load(await resolve_iin(info, iin, id))
        return citizen(info, row) if row else None
