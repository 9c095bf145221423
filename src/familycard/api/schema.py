"""The one GraphQL schema: each domain's queries and mutations, merged.

``sdl()`` is the contract frontends build against: `schema/schema.graphql` is its export and
a test fails when the two drift apart (`familycard schema > src/familycard/schema/schema.graphql`).
"""
from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from familycard.api import limits
from familycard.api.admin import queries as admin
from familycard.api.audit import AccessLogExtension
from familycard.api.benefits import queries as benefits
from familycard.api.citizens import queries as citizens
from familycard.api.families import queries as families
from familycard.api.offers import mutations as offer_mutations
from familycard.api.offers import queries as offers
from familycard.api.registry import mutations as registry
from familycard.api.saved_queries import mutations as saved_mutations
from familycard.api.saved_queries import queries as saved
from familycard.api.types import SCALARS
from familycard.settings import Settings

SDL_PATH = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"

Query = merge_types("Query", (benefits.Query, citizens.Query, families.Query, offers.Query, saved.Query, admin.Query))
Mutation = merge_types("Mutation", (registry.Mutation, offer_mutations.Mutation, saved_mutations.Mutation))


class _Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # Unexpected errors are logged with their ref (and trace) where they are masked
        # (limits._MaskErrors); the rest are the caller's mistakes, not the server's.
        return None


def build_schema(settings: Settings) -> strawberry.Schema:
    return _Schema(
        query=Query, mutation=Mutation,
        extensions=[*limits.extensions(settings), AccessLogExtension],
        config=StrawberryConfig(
            batching_config={"max_operations": settings.max_batch} if settings.max_batch > 0 else None,
            # "Did you mean …?" would describe a schema whose introspection is off.
            disable_field_suggestions=not settings.introspection, scalar_map=SCALARS))


def sdl() -> str:
    return strawberry.Schema(query=Query, mutation=Mutation, config=StrawberryConfig(scalar_map=SCALARS)).as_str() + "\n"
