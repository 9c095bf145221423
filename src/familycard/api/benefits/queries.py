from __future__ import annotations

import strawberry
from strawberry.types import Info

from familycard.api.benefits.types import Benefit, benefit
from familycard.graph.flow.offers import rules_by_code


@strawberry.type
class Query:
    @strawberry.field(description="Every benefit and notification familycard finds, benefits first.")
    def benefits(self, info: Info) -> list[Benefit]:
        return [benefit(info, r) for r in rules_by_code().values()]
