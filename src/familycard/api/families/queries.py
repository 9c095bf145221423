from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.audit import selected_fields
from familycard.api.citizens.queries import resolve_iin
from familycard.api.errors import PublicError
from familycard.api.families.types import FamilyCard, FamilyGraph, family_graph
from familycard.api.permissions import SIGNED_IN
from familycard.graph import people

MAX_HOPS = 3
MAX_GRAPH_PERSONS = 500


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SIGNED_IN], description="A person's family card, by IIN or by id.")
    async def family_card(self, info: Info, iin: str | None = None, id: strawberry.ID | None = None) -> FamilyCard | None:
        key = await resolve_iin(info, iin, id)
        row = await info.context.loaders.person.load(key)
        if row is None:
            return None
        # The card is the person's, whatever part of it is asked for (payments alone, say);
        # the people it shows are logged again under their own IINs as they are shown.
        info.context.access.note(key, selected_fields(info))
        return FamilyCard(_iin=key, _row=row)

    @strawberry.field(permission_classes=[SIGNED_IN],
                      description=f"People within `hops` (1 to {MAX_HOPS}) kinship links of a person, for drawing.")
    async def family_graph(self, info: Info, iin: str | None = None, id: strawberry.ID | None = None,
                           hops: int = 2) -> FamilyGraph | None:
        if not 1 <= hops <= MAX_HOPS:
            raise PublicError(f"hops: {hops} is not between 1 and {MAX_HOPS}")
        key = await resolve_iin(info, iin, id)
        g = await run_in_threadpool(people.family_graph, info.context.store, key, hops, MAX_GRAPH_PERSONS)
        return family_graph(info, g) if g else None
