"""Saved queries, their versions, their runs and their results."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.pagination import Connection, connection, page
from familycard.api.types import JSON
from familycard.graph import saved_queries as sq


def jsonable(v: Any) -> Any:
    """A value of a result row as JSON: dates ISO, decimals as strings (money stays exact)."""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return v


@strawberry.type(description="A declared parameter: STRING, INT, FLOAT, BOOLEAN or DATE (YYYY-MM-DD).")
class QueryParameter:
    name: str
    type: str
    required: bool
    default: JSON | None
    description: str


@strawberry.type(description="One run of a saved query, as the run log keeps it.")
class QueryRun:
    at: dt.datetime
    actor: str
    role: str
    name: str
    version: int | None
    arguments: JSON
    rows: int
    truncated: bool
    ms: int
    error: str | None


def query_run(r: dict) -> QueryRun:
    return QueryRun(at=r["at"], actor=r["actor"], role=r["role"], name=r["name"], version=r["version"],
                    arguments=r["parameters"], rows=r["rows"] or 0, truncated=bool(r["truncated"]),
                    ms=r["ms"] or 0, error=r["error"])


@strawberry.type(description="Named Cypher with declared parameters, by its author, in versions; it runs "
                             "read-only.")
class SavedQuery:
    name: str
    version: int
    cypher: str
    parameters: list[QueryParameter]
    description: str
    author: str
    created_at: dt.datetime
    status: str = strawberry.field(description="current | superseded | deleted")

    @strawberry.field(description="Every version, oldest first (an old one can still be run by number).")
    async def versions(self, info: Info) -> list["SavedQuery"]:
        return [saved_query(q) for q in await run_in_threadpool(sq.versions, info.context.store, self.name)]

    @strawberry.field(description="Its runs, newest first.")
    async def runs(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[QueryRun]:
        p = page(info, first, after)
        rows, total = await run_in_threadpool(lambda: sq.runs(info.context.store, self.name, skip=p.skip,
                                                              limit=p.limit))
        return connection(rows, total, p, query_run)


def saved_query(q: sq.SavedQuery) -> SavedQuery:
    return SavedQuery(name=q.name, version=q.version, cypher=q.cypher,
                      parameters=[QueryParameter(name=p.name, type=p.type, required=p.required,
                                                 default=jsonable(p.default), description=p.description)
                                  for p in q.parameters],
                      description=q.description, author=q.author, created_at=q.created_at, status=q.status)


@strawberry.type(description="What a run returned: at most the row cap, and whether there was more.")
class QueryResult:
    name: str
    version: int
    columns: list[str]
    rows: JSON = strawberry.field(description="A list of objects, one per row, keyed by column. IINs, phones "
                                              "and accounts are masked as for the caller's role.")
    row_count: int
    truncated: bool
    ms: int
