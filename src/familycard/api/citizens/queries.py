from __future__ import annotations

from typing import Annotated

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


#: How a query names its person: by IIN or by opaque id, exactly one of them.
Iin = Annotated[str | None, strawberry.argument(description="The person's IIN, 12 digits (or give `id`).")]
CitizenId = Annotated[strawberry.ID | None, strawberry.argument(
    description="The person's opaque `id`, as a Citizen or a family graph gave it (or give `iin`).")]


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SIGNED_IN],
                      description="One person, by IIN or by id; null if no one is registered under it.")
    async def citizen(self, info: Info, iin: Iin = None, id: CitizenId = None) -> Citizen | None:
        row = await info.context.loaders.person.load(await resolve_iin(info, iin, id))
        return citizen(info, row) if row else None
