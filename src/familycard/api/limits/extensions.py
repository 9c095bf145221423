"""What keeps one request from hurting the others, or telling too much.

Size limits (tokens while parsing; then fields, depth, aliases and cost of the query with its
fragments expanded, measured in one linear pass: ``sizing``) refuse a query before any
validation rule or resolver runs; batching is
off unless ``FAMILYCARD_MAX_BATCH`` allows a few operations; introspection is off unless
enabled; errors other than ``PublicError`` reach the caller as "Unexpected error" with an id
that finds the trace in the server's log. These are schema extensions, per operation; what
guards the HTTP request itself (body size, bearer token, how many at once, its time) is
``familycard.api.middleware``.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaskErrors, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.permission import StrawberryGraphQLError

from familycard.api.errors import (
    GRAPHQL_VALIDATION_FAILED,
    INTERNAL_SERVER_ERROR,
    INTROSPECTION_DISABLED,
    QUERY_TOO_LARGE,
    PublicError,
)
from familycard.api.limits import sizing
from familycard.api.limits.operations import request_errors
from familycard.settings import Settings

log = logging.getLogger("familycard.api")


def _public(error: GraphQLError) -> bool:
    original = error.original_error
    # No original error: a syntax or validation error about the query itself (limits included).
    return original is None or isinstance(original, (PublicError, StrawberryGraphQLError))


class _MaskErrors(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        ref = uuid.uuid4().hex[:12]
        log.error("error %s at %s", ref, ".".join(map(str, error.path or ())), exc_info=error.original_error)
        return GraphQLError(f"Unexpected error (ref {ref})", nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=None,
                            extensions={"code": INTERNAL_SERVER_ERROR})


class _SizedValidation(ValidationCache):
    """Sizes the query first (fields, depth, aliases, cost: ``sizing``) and refuses it there;
    only a query within the limits meets the validation rules (and their cache); only a
    valid one has its operation and variables checked (``operations``).

    strawberry's depth and alias limiters walked the query with its fragments expanded: a
    1 KB query of fragments each spreading the next twice took 9.4 s at 20 levels and held
    the event loop for minutes at 30 (nothing else answered, not even SIGTERM). Within the
    limits, one rule of the GraphQL spec (fields that share a name must merge) still compares
    fields pairwise: 400 copies of one field (graphql-core gives up on 450) take ~0.9 s to
    validate. So a large query is validated in a worker thread, and the loop goes on serving
    the others (a card's query, ~60 fields, stays in the loop: a thread hop costs more than
    its cached validation)."""

    def __init__(self, sizer: sizing.Sizer):
        super().__init__(maxsize=512)
        self.sizer = sizer

    async def on_validate(self):
        ec = self.execution_context
        try:
            size = self.sizer.check(ec.schema._schema, ec.graphql_document, ec.query)
        except sizing.TooLarge as e:
            ec.pre_execution_errors = [GraphQLError(str(e), extensions={"code": QUERY_TOO_LARGE})]
        else:
            args = (ec.schema._schema, ec.graphql_document, ec.validation_rules)
            if size.fields > INLINE_FIELDS:
                errors = await asyncio.to_thread(self.cached_validate_document, *args)
            else:
                errors = self.cached_validate_document(*args)
            if errors:
                ec.pre_execution_errors = [_coded(e) for e in errors]
            else:
                # strawberry keeps the name it was given as a private field; its public
                # `operation_name` is the first operation's when none was given
                ec.pre_execution_errors = request_errors(
                    ec.schema._schema, ec.graphql_document, ec._provided_operation_name, ec.variables,
                    hide_suggestions=ec.schema.config.disable_field_suggestions)
        yield


def _coded(error: GraphQLError) -> GraphQLError:
    """A validation error with its code (a copy: the cache keeps the errors it returns)."""
    code = INTROSPECTION_DISABLED if error.message.startswith("GraphQL introspection has been disabled") \
        else GRAPHQL_VALIDATION_FAILED
    return GraphQLError(error.message, nodes=error.nodes, source=error.source, positions=error.positions,
                        original_error=error.original_error, extensions={**(error.extensions or {}), "code": code})


INLINE_FIELDS = 250  # a larger query is validated in a worker thread


def extensions(settings: Settings) -> list:
    # Factories: strawberry makes a fresh extension for each request.
    sizer = sizing.Sizer(sizing.Limits(fields=settings.max_fields, aliases=settings.max_aliases,
                                       depth=settings.max_depth, cost=settings.max_cost))
    out: list = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: _MaskErrors(should_mask_error=lambda e: not _public(e)),
        lambda: ParserCache(maxsize=512),
        lambda: _SizedValidation(sizer),
    ]
    if not settings.introspection:
        out.append(DisableIntrospection)
    return out
