"""Saved queries, their versions, their runs and their results."""
from __future__ import annotations

import datetime as dt

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.enums import ParameterType, Role, SavedQueryStatus
from familycard.api.relay import SAVED_QUERY, After, Connection, First, Node, connection, global_id, page
from familycard.api.types import JSON, enum_of, json_value
from familycard.graph import saved_queries as sq

# A value of a result row as JSON, by the typed fields' rules (types.py).
jsonable = json_value


@strawberry.type(description="A declared parameter of a saved query: the Cypher reads it as `$name`.")
class QueryParameter:
    name: str = strawberry.field(description="Its name, as `$name` in the Cypher and a key of a run's `arguments`.")
    type: ParameterType = strawberry.field(description="What a run's argument must be.")
    required: bool = strawberry.field(description="True when every run must give it.")
    default: JSON | None = strawberry.field(description="For an optional one: its value when a run leaves it out.")
    description: str = strawberry.field(description="What it means, as its author wrote it.")


@strawberry.type(description="One run of a saved query, as the run log keeps it.")
class QueryRun:
    at: dt.datetime = strawberry.field(description="When it ran (UTC).")
    actor: str = strawberry.field(description="Who ran it: `key:<name>` for an API key, else the token's subject.")
    role: Role = strawberry.field(description="The caller's role then (auditor or admin).")
    name: str = strawberry.field(description="The saved query's name.")
    version: int | None = strawberry.field(description="The version run; null when the name was not found.")
    arguments: JSON = strawberry.field(description="The arguments it was run with, an object by parameter name.")
    rows: int = strawberry.field(description="Rows returned (at most the row cap).")
    truncated: bool = strawberry.field(description="True when there were more rows than the cap.")
    ms: int = strawberry.field(description="How long it ran, milliseconds.")
    error: str | None = strawberry.field(description="Why it failed (refused, too long, a bad argument); null when "
                                                     "it ran.")


def query_run(r: dict) -> QueryRun:
    return QueryRun(at=r["at"], actor=r["actor"], role=enum_of(Role, r["role"]), name=r["name"], version=r["version"],
                    arguments=r["parameters"], rows=r["rows"] or 0, truncated=bool(r["truncated"]),
                    ms=r["ms"] or 0, error=r["error"])


@strawberry.type(description="Named Cypher with declared parameters, by its author, in versions; it runs "
                             "read-only.")
class SavedQuery(Node):
    name: str = strawberry.field(description="Its name: lower case, digits and _, 3 to 64 characters.")
    version: int = strawberry.field(description="This version's number, from 1.")
    cypher: str = strawberry.field(description="The read-only Cypher it runs.")
    parameters: list[QueryParameter] = strawberry.field(description="Its declared parameters.")
    description: str = strawberry.field(description="What it is for, as its author wrote it.")
    author: str = strawberry.field(description="Who saved this version (`key:<name>` or a token's subject).")
    created_at: dt.datetime = strawberry.field(description="When this version was saved (UTC).")
    status: SavedQueryStatus = strawberry.field(description="Whether this version is the one in use.")

    @strawberry.field(description="Every version, oldest first (an old one can still be run by number).")
    async def versions(self, info: Info) -> list[SavedQuery]:
        return [saved_query(info, q) for q in await run_in_threadpool(sq.versions, info.context.store, self.name)]

    @strawberry.field(description="Its runs, newest first.")
    async def runs(self, info: Info, first: First = None, after: After = None) -> Connection[QueryRun]:
        p = page(info, first, after)
        rows, total = await run_in_threadpool(lambda: sq.runs(info.context.store, self.name, skip=p.skip,
                                                              limit=p.limit))
        return connection(rows, total, p, query_run)


def saved_query_key(name: str, version: int) -> str:
    return f"{version}|{name}"


def saved_query(info: Info, q: sq.SavedQuery) -> SavedQuery:
    return SavedQuery(id=global_id(info, SAVED_QUERY, saved_query_key(q.name, q.version)), name=q.name,
                      version=q.version, cypher=q.cypher,
                      parameters=[QueryParameter(name=p.name, type=enum_of(ParameterType, p.type), required=p.required,
                                                 default=jsonable(p.default), description=p.description)
                                  for p in q.parameters],
                      description=q.description, author=q.author, created_at=q.created_at,
                      status=enum_of(SavedQueryStatus, q.status))


@strawberry.type(description="What a run returned: at most the row cap, and whether there was more.")
class QueryResult:
    name: str = strawberry.field(description="The saved query's name.")
    version: int = strawberry.field(description="The version that ran.")
    columns: list[str] = strawberry.field(description="The names the Cypher's RETURN gives, in its order.")
    rows: JSON = strawberry.field(description="A list of objects, one per row, keyed by column. Values as in the "
                                              "typed fields: date-times UTC with `Z`, dates YYYY-MM-DD, amounts "
                                              "numbers. IINs, phones and accounts are masked as for the caller's "
                                              "role; every person a row shows is in the access log.")
    row_count: int = strawberry.field(description="How many rows `rows` holds.")
    truncated: bool = strawberry.field(description="True when there were more rows than the cap "
                                                   "(FAMILYCARD_QUERY_MAX_ROWS): only the first are here.")
    ms: int = strawberry.field(description="How long it ran, milliseconds.")
