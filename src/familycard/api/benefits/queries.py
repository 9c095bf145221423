from __future__ import annotations

import strawberry

from familycard.api.benefits.types import Benefit, benefit
from familycard.graph.offers import rules_by_code


@strawberry.type
class Query:
    @strawberry.field(description="Every benefit and notification familycard finds (public: no token needed).")
    def benefits(self) -> list[Benefit]:
        return [benefit(r) for r in rules_by_code().values()]
