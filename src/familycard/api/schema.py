"""The one GraphQL schema: each domain's queries and mutations, merged.

``sdl()`` is the contract frontends build against: `schema/schema.graphql` is its export and
a test fails when the two drift apart (`familycard schema > src/familycard/schema/schema.graphql`).
"""
from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from familycard.api import (
    admin,
    benefits,
    citizens,
    families,
    limits,
    lookahead,
    nodes,
    offers,
    registry,
    saved_queries,
    viewer,
    worklist,
)
from familycard.api.access_log import AccessLogExtension
from familycard.api.types import SCALARS
from familycard.settings import Settings

SDL_PATH = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"

Query = merge_types("Query", (benefits.Query, citizens.Query, families.Query, offers.Query, worklist.Query,
                             lookahead.Query, saved_queries.Query, admin.Query, nodes.Query, viewer.Query))
Mutation = merge_types("Mutation", (registry.Mutation, offers.Mutation, worklist.Mutation, saved_queries.Mutation))
Query.__strawberry_definition__.description = (
    "What can be read. Every field but `benefits` (and `node` for a Benefit) needs a bearer token; each says "
    "which roles may use it, and personal data is masked as the caller's role sees it (README, \"Roles and "
    "personal data\").")
Mutation.__strawberry_definition__.description = (
    "What can be changed; each mutation says which roles may run it. Expected failures are members of its "
    "result union (`InvalidInput`, `NotFound`, `Refused`), not errors.")



def _say_who(root: type) -> None:
    """Each field of a root type tells who may use it, from its permission class (so the text and
    the check cannot disagree)."""
    for f in root.__strawberry_definition__.fields:
        roles = [r for p in f.permission_classes for r in getattr(p, "roles", ())]
        who = f"Roles: {', '.join(roles)}." if roles else "Public: no token needed."
        if "Roles:" not in (f.description or ""):  # one that says it itself (`node`: per type)
            f.description = f"{f.description} {who}" if f.description else who


_say_who(Query)
_say_who(Mutation)


class _Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # Unexpected errors are logged with their ref (and trace) where they are masked
        # (limits/extensions.py, _MaskErrors); the rest are the caller's mistakes, not the server's.
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
    schema = strawberry.Schema(query=Query, mutation=Mutation, config=StrawberryConfig(scalar_map=SCALARS))
    return schema.as_str() + "\n"
