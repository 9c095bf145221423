from __future__ import annotations

import datetime as dt

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api import audit
from familycard.api.pagination import Connection, connection, page
from familycard.api.permissions import ADMIN


@strawberry.type(description="One person whose data one response showed: who read it, when, which fields.")
class AccessRecord:
    at: dt.datetime
    actor: str
    role: str
    iin: str
    fields: list[str]
    operation: str
    request_id: str = strawberry.field(description="The server's id of the request.")
    caller_request_id: str | None = strawberry.field(
        description="The caller's X-Request-Id, if it sent one (letters, digits and ._:/+=- only; 64 at most).")


def _record(r: dict) -> AccessRecord:
    return AccessRecord(at=r["at"], actor=r["actor"], role=r["role"], iin=r["iin"],
                        fields=r["fields"].split(",") if r["fields"] else [], operation=r["operation"] or "",
                        request_id=r["request"], caller_request_id=r.get("caller_request") or None)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[ADMIN], description="Who read whose card, newest first.")
    async def access_log(self, info: Info, iin: str | None = None, actor: str | None = None,
                         since: dt.datetime | None = None, until: dt.datetime | None = None,
                         first: int | None = None, after: str | None = None) -> Connection[AccessRecord]:
        p = page(info, first, after)
        naive = [t.astimezone(dt.timezone.utc).replace(tzinfo=None) if t and t.tzinfo else t for t in (since, until)]
        rows, total = await run_in_threadpool(
            lambda: audit.query(info.context.store, iin=iin, actor=actor, since=naive[0], until=naive[1],
                                skip=p.skip, limit=p.limit))
        return connection(rows, total, p, _record)
