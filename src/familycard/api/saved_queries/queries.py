from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.pagination import Connection, connection, page
from familycard.api.permissions import AUDIT
from familycard.api.saved_queries.types import QueryRun, SavedQuery, query_run, saved_query
from familycard.graph import saved_queries as sq


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[AUDIT], description="The current saved queries, by name.")
    async def saved_queries(self, info: Info, first: int | None = None,
                            after: str | None = None) -> Connection[SavedQuery]:
        p = page(info, first, after)
        found, total = await run_in_threadpool(lambda: sq.list_current(info.context.store, skip=p.skip, limit=p.limit))
        return connection(found, total, p, saved_query)

    @strawberry.field(permission_classes=[AUDIT], description="A saved query: its current version, or the one named.")
    async def saved_query(self, info: Info, name: str, version: int | None = None) -> SavedQuery | None:
        q = await run_in_threadpool(sq.get, info.context.store, name, version)
        return saved_query(q) if q else None

    @strawberry.field(permission_classes=[AUDIT], description="The run log of every saved query, newest first.")
    async def query_runs(self, info: Info, name: str | None = None, first: int | None = None,
                         after: str | None = None) -> Connection[QueryRun]:
        p = page(info, first, after)
        rows, total = await run_in_threadpool(lambda: sq.runs(info.context.store, name, skip=p.skip, limit=p.limit))
        return connection(rows, total, p, query_run)
