from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.citizens import CitizenId, Iin, resolve_iin
from familycard.api.errors import PublicError
from familycard.api.families.types import FamilyCard, FamilyGraph, family_graph
from familycard.api.permissions import SIGNED_IN
from familycard.graph.cards import people

MAX_HOPS = 3

# The card's parts (people.CARD_PARTS) each field of a FamilyCard reads about its person.
_PART_OF_FIELD = {"relations": ("relations",), "dependants": ("relations",), "household": ("household",),
                  "person.facts": ("facts",), "offers": ("offers",), "offers.edges.node.history": ("events",),
                  "assignments": ("assignments",), "payments": ("payments",)}


def _parts_asked(fields: tuple[str, ...]) -> set[str]:
    return {part for path in fields for prefix, parts in _PART_OF_FIELD.items()
            if path == prefix or path.startswith(prefix + ".") for part in parts}

MAX_GRAPH_PERSONS = 500


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SIGNED_IN],
                      description="A person's family card, by IIN or by id; null if no one is registered under it. "
                                  "Reading it is logged under the person, whatever part is asked for.")
    async def family_card(self, info: Info, iin: Iin = None, id: CitizenId = None) -> FamilyCard | None:
        key = await resolve_iin(info, iin, id)
        fields = selected_fields(info)
        # The person and every part of the card the query asks for in one store call (one
        # statement on Neo4j); the card's resolvers then find them in the request's loaders.
        found = await people.card(info.context.store, key, _parts_asked(fields))
        if found is None:
            return None
        loaders, row = info.context.loaders, found.pop("person")
        loaders.person.prime(key, row)
        for part, rows in found.items():
            if part != "household":
                getattr(loaders, part).prime(key, rows)
            elif row["address_id"]:
                loaders.household.prime(row["address_id"], rows)
        # The card is the person's, whatever part of it is asked for (payments alone, say);
        # the people it shows are logged again under their own IINs as they are shown.
        info.context.access.note(key, fields)
        return FamilyCard(_iin=key, _row=row)

    @strawberry.field(permission_classes=[SIGNED_IN],
                      description=f"People within `hops` (1 to {MAX_HOPS}) kinship links of a person, for drawing "
                                  f"(at most {MAX_GRAPH_PERSONS}); null if no one is registered under it.")
    async def family_graph(self, info: Info, iin: Iin = None, id: CitizenId = None,
                           hops: Annotated[int, strawberry.argument(
                               description=f"How many kinship links away to go, 1 to {MAX_HOPS}.")] = 2
                           ) -> FamilyGraph | None:
        if not 1 <= hops <= MAX_HOPS:
            raise PublicError(f"hops: {hops} is not between 1 and {MAX_HOPS}")
        key = await resolve_iin(info, iin, id)
        g = await people.family_graph(info.context.store, key, hops, MAX_GRAPH_PERSONS)
        return family_graph(info, g) if g else None
