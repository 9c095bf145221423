from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.enums import OfferStatus
from familycard.api.errors import PublicError
from familycard.api.offers.types import Offer, note_subjects, offer, status_filter
from familycard.api.permissions import STAFF
from familycard.api.relay import After, Connection, First, connection, page
from familycard.graph.cards import people
from familycard.graph.flow.offers import rules_by_code


@strawberry.input(description="Every field narrows the list; none set: all offers.")
class OfferFilter:
    benefit: str | None = strawberry.field(default=None, description="Only this benefit's offers (a `Benefit.code`).")
    status: OfferStatus | None = strawberry.field(default=None, description="Only offers with this status.")
    found_from: dt.date | None = strawberry.field(default=None, description="First found on or after this day.")
    found_to: dt.date | None = strawberry.field(default=None, description="First found on or before this day.")
    address_id: str | None = strawberry.field(default=None, description="Recipients registered at this address.")


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[STAFF],
                      description="Offers across everyone, newest first. Each recipient shown is logged as a "
                                  "card read.")
    async def offers(self, info: Info, filter: Annotated[OfferFilter | None, strawberry.argument(
                         description="What to narrow the list to; all offers when left out.")] = None,
                     first: First = None, after: After = None) -> Connection[Offer]:
        f = filter or OfferFilter()
        if f.benefit is not None and f.benefit not in rules_by_code():
            raise PublicError(f"filter.benefit: '{f.benefit}' is not one of {', '.join(rules_by_code())}")
        p = page(info, first, after)
        rows, total = await people.find_offers(info.context.store, code=f.benefit,
                                               status=status_filter("filter.status", f.status),
                                               found_from=f.found_from, found_to=f.found_to,
                                               address_id=f.address_id, skip=p.skip, limit=p.limit)
        fields = selected_fields(info)
        for r in rows:  # offers name people: each recipient's data shown is logged as a card read
            info.context.access.note(r["iin"], fields)
        note_subjects(info, rows, fields)
        return connection(rows, total, p, lambda r: offer(info, r))
