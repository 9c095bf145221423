from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.access_log import query as query_access_log
from familycard.api.enums import Role
from familycard.api.permissions import ADMIN
from familycard.api.relay import After, Connection, First, connection, page
from familycard.api.types import enum_of


@strawberry.type(description="One person whose data one response showed: who read it, when, which fields.")
class AccessRecord:
    at: dt.datetime = strawberry.field(description="When the response that showed the data was made (UTC).")
    actor: str = strawberry.field(description="Who asked: `key:<name>` for an API key, else the token's subject.")
    role: Role = strawberry.field(description="The caller's role then.")
    iin: str = strawberry.field(description="Whose data was shown (in full: only admins read the log).")
    fields: list[str] = strawberry.field(description="The fields shown of that person, as dotted paths under the "
                                                     "field that showed them (`person.phone`, `offers.edges.node."
                                                     "status`; `savedQuery.<name>@<version>.<column>`).")
    operation: str = strawberry.field(description="The operation's name, or its top fields when it had none "
                                                  "(200 characters at most).")
    request_id: str = strawberry.field(description="The server's id of the request.")
    caller_request_id: str | None = strawberry.field(
        description="The caller's X-Request-Id, if it sent one (letters, digits and ._:/+=- only; 64 at most).")


def _record(r: dict) -> AccessRecord:
    return AccessRecord(at=r["at"], actor=r["actor"], role=enum_of(Role, r["role"]), iin=r["iin"],
                        fields=r["fields"].split(",") if r["fields"] else [], operation=r["operation"] or "",
                        request_id=r["request"], caller_request_id=r.get("caller_request") or None)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[ADMIN], description="Who read whose card, newest first.")
    async def access_log(self, info: Info,
                         iin: Annotated[str | None, strawberry.argument(
                             description="Only reads of this person's data (12 digits).")] = None,
                         actor: Annotated[str | None, strawberry.argument(
                             description="Only reads by this caller, as `actor` shows it (`key:portal`).")] = None,
                         since: Annotated[dt.datetime | None, strawberry.argument(
                             description="Only reads at or after this instant (with its offset).")] = None,
                         until: Annotated[dt.datetime | None, strawberry.argument(
                             description="Only reads before this instant (with its offset).")] = None,
                         first: First = None, after: After = None) -> Connection[AccessRecord]:
        p = page(info, first, after)
        naive = [t.astimezone(dt.UTC).replace(tzinfo=None) if t and t.tzinfo else t for t in (since, until)]
        rows, total = await run_in_threadpool(
            lambda: query_access_log(info.context.store, iin=iin, actor=actor, since=naive[0], until=naive[1],
                                   skip=p.skip, limit=p.limit))
        return connection(rows, total, p, _record)
