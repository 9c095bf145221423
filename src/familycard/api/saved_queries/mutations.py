from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard import dates
from familycard.api.enums import ParameterType
from familycard.api.errors import InvalidInput, NotFound, Refused
from familycard.api.permissions import AUDIT, hidden_properties, mask_value
from familycard.api.saved_queries.types import QueryResult, SavedQuery, jsonable, saved_query
from familycard.api.types import JSON
from familycard.graph import saved_queries as sq
from familycard.graph.store import QueryRefused
from familycard.schema.iin import check_digit

# An IIN anywhere in a value: alone, or inside a text ('child ' + p.iin); 12 digits that are
# not part of a longer number, with a valid check digit (a BIN or a count is no person).
_IIN_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def _iins(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        for m in _IIN_IN_TEXT.finditer(value):
            iin = m.group()
            if check_digit(iin[:11]) == int(iin[11]):
                yield iin
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _iins(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _iins(k)
            yield from _iins(v)


def _note_people(ctx, out: sq.RunResult) -> None:
    """Every person a row shows (an IIN in any of its values) goes to the access log, with the
    query and the row's columns as the fields shown, as a card's reader does."""
    for row in out.rows:
        fields = [f"savedQuery.{out.name}@{out.version}.{col}" for col in row]
        for iin in set(_iins(list(row.values()))):
            ctx.access.note(iin, fields)


@strawberry.input(description="A parameter to declare: the Cypher reads it as `$name`.")
class QueryParameterInput:
    name: str = strawberry.field(description="Its name, as `$name` in the Cypher: a letter or _, then letters, "
                                             "digits and _ (64 at most).")
    type: ParameterType = strawberry.field(description="What a run's argument must be.")
    required: bool = strawberry.field(default=True, description="False: a run may leave it out (then `default` "
                                                                "is required).")
    default: JSON | None = strawberry.field(default=None, description="For an optional parameter: its value "
                                                                     "when a run leaves it out (required then).")
    description: str = strawberry.field(default="", description="What it means, for whoever runs the query.")


@strawberry.input(description="A saved query to save: its name, its Cypher, its parameters.")
class SaveQueryInput:
    name: str = strawberry.field(description="Lower case, digits and _, 3 to 64 characters.")
    cypher: str = strawberry.field(description="Read-only Cypher; every $parameter must be declared.")
    parameters: list[QueryParameterInput] = strawberry.field(default_factory=list, description="Its parameters, "
                                                             "each used in the Cypher as `$name`.")
    description: str = strawberry.field(default="", description="What it is for, for the auditors who run it.")


SaveQueryResult = Annotated[SavedQuery | InvalidInput, strawberry.union(
    "SaveQueryResult", description="The version saved (or the current one, when the text is the same), or what is "
                                   "wrong with the input.")]
DeleteQueryResult = Annotated[SavedQuery | NotFound | InvalidInput, strawberry.union(
    "DeleteQueryResult", description="The version marked deleted, or why not.")]
RunQueryResult = Annotated[QueryResult | InvalidInput | NotFound | Refused, strawberry.union(
    "RunQueryResult", description="The rows, or why there are none: a bad argument, no such query, or refused by "
                                  "the store.")]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[AUDIT], description="Save a query: version 1, or the next version "
                                                                 "(the same text again changes nothing).")
    async def save_query(self, info: Info, input: Annotated[SaveQueryInput, strawberry.argument(
            description="The query to save.")]) -> SaveQueryResult:
        params = [{"name": p.name, "type": p.type.value, "required": p.required, "default": p.default,
                   "description": p.description} for p in input.parameters]
        try:
            ctx = info.context
            q = await run_in_threadpool(lambda: sq.save(
                ctx.store, input.name, input.cypher, params, input.description, ctx.principal.subject, dates.utcnow(),
                role=ctx.role, hidden=hidden_properties(ctx.role)))
        except (sq.SavedQueryError, QueryRefused) as e:
            return InvalidInput(message=str(e))
        return saved_query(info, q)

    @strawberry.mutation(permission_classes=[AUDIT], description="Mark a saved query deleted; its versions are "
                                                                 "kept and can still be run by number.")
    async def delete_query(self, info: Info, name: Annotated[str, strawberry.argument(
            description="The saved query's name.")]) -> DeleteQueryResult:
        try:
            q = await run_in_threadpool(sq.delete, info.context.store, name, info.context.principal.subject,
                                        dates.utcnow())
        except sq.SavedQueryNotFound as e:
            return NotFound(message=str(e))
        except sq.SavedQueryError as e:
            return InvalidInput(message=str(e))
        return saved_query(info, q)

    @strawberry.mutation(permission_classes=[AUDIT], description="Run a saved query read-only, with a time limit "
                                                                 "and a row cap; the run is logged.")
    async def run_saved_query(self, info: Info,
                              name: Annotated[str, strawberry.argument(description="The saved query's name.")],
                              version: Annotated[int | None, strawberry.argument(
                                  description="Run this version (even superseded or deleted); the current one "
                                              "when left out.")] = None,
                              arguments: Annotated[JSON | None, strawberry.argument(
                                  description="An object of parameter names to values (a DATE as "
                                              "`\"YYYY-MM-DD\"`).")] = None) -> RunQueryResult:
        ctx = info.context
        if arguments is not None and not isinstance(arguments, dict):
            return InvalidInput(message="arguments: an object of parameter names to values", field="arguments")
        try:
            out = await run_in_threadpool(lambda: sq.run(
                ctx.store, name, arguments or {}, actor=ctx.principal.subject, role=ctx.role, now=dates.utcnow(),
                # never past the request's own limit: no run goes on after its caller heard 504
                version=version, timeout_s=min(ctx.settings.query_timeout_s, ctx.settings.request_timeout_s),
                max_rows=ctx.settings.query_max_rows, max_bytes=ctx.settings.query_max_bytes,
                hidden=hidden_properties(ctx.role)))
        except QueryRefused as e:
            return Refused(message=str(e))
        except sq.SavedQueryNotFound as e:  # logged as a run too: someone tried
            return NotFound(message=str(e))
        except sq.SavedQueryError as e:
            return InvalidInput(message=str(e), field="arguments" if "parameter" in str(e) else None)
        _note_people(ctx, out)
        try:
            rows = [mask_value(jsonable(r), ctx.role) for r in out.rows]
        except ValueError as e:  # a Decimal no JSON number holds exactly: refused, not rounded
            return Refused(message=f"a value of the result: {e}")
        return QueryResult(name=out.name, version=out.version, columns=out.columns, rows=rows,
                           row_count=out.row_count, truncated=out.truncated, ms=out.ms)
