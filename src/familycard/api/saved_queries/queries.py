from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.permissions import AUDIT
from familycard.api.relay import After, Connection, First, connection, page
from familycard.api.saved_queries.types import QueryRun, SavedQuery, query_run, saved_query
from familycard.graph import saved_queries as sq


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[AUDIT], description="The current saved queries, by name.")
    async def saved_queries(self, info: Info, first: First = None,
                            after: After = None) -> Connection[SavedQuery]:
        p = page(info, first, after)
        found, total = await run_in_threadpool(lambda: sq.list_current(info.context.store, skip=p.skip, limit=p.limit))
        return connection(found, total, p, lambda q: saved_query(info, q))

    @strawberry.field(permission_classes=[AUDIT],
                      description="A saved query: its current version, or the one named; null if there is none.")
    async def saved_query(self, info: Info, name: Annotated[str, strawberry.argument(
                              description="The saved query's name.")],
                          version: Annotated[int | None, strawberry.argument(
                              description="This version; the current one when left out.")] = None
                          ) -> SavedQuery | None:
        q = await run_in_threadpool(sq.get, info.context.store, name, version)
        return saved_query(info, q) if q else None

    @strawberry.field(permission_classes=[AUDIT], description="The run log of every saved query, newest first.")
    async def query_runs(self, info: Info, name: Annotated[str | None, strawberry.argument(
                             description="Only the runs of this saved query.")] = None, first: First = None,
                         after: After = None) -> Connection[QueryRun]:
        p = page(info, first, after)
        rows, total = await run_in_threadpool(lambda: sq.runs(info.context.store, name, skip=p.skip, limit=p.limit))
        return connection(rows, total, p, query_run)
