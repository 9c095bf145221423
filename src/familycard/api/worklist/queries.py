from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.enums import TaskReason, TaskStatus
from familycard.api.errors import PublicError
from familycard.api.permissions import STAFF
from familycard.api.relay import After, Connection, First, connection, page
from familycard.api.types import UNKNOWN
from familycard.api.worklist.types import Task, task
from familycard.graph.cards import find_tasks
from familycard.graph.flow.offers import rules_by_code


@strawberry.input(description="Every field narrows the list; left out: open tasks of every kind.")
class TaskFilter:
    reason: TaskReason | None = strawberry.field(default=None, description="Only tasks with this reason.")
    status: TaskStatus | None = strawberry.field(default=TaskStatus.OPEN, description="Only tasks with this status "
                                                                                      "(open by default; null: all).")
    address_id: str | None = strawberry.field(default=None, description="Only tasks about people registered at "
                                                                        "this address.")
    benefit: str | None = strawberry.field(default=None, description="Only tasks about this benefit's rights (a "
                                                                     "`Benefit.code`).")


def _value(where: str, member) -> str | None:
    if member is not None and member.name == UNKNOWN:
        raise PublicError(f"{where}: UNKNOWN is how a value this version does not know is shown; it cannot be "
                          f"filtered on")
    return member.value if member is not None else None


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[STAFF],
                      description="Caseworkers' tasks, oldest first (auditors read them; caseworkers and admins "
                                  "also act on them). Each person a task is about is logged as a card read.")
    async def worklist(self, info: Info, filter: Annotated[TaskFilter | None, strawberry.argument(
                           description="What to narrow the list to; open tasks when left out.")] = None,
                       first: First = None, after: After = None) -> Connection[Task]:
        f = filter or TaskFilter()
        if f.benefit is not None and f.benefit not in rules_by_code():
            raise PublicError(f"filter.benefit: '{f.benefit[:40]}' is not one of {', '.join(rules_by_code())}")
        if f.address_id is not None and not 0 < len(f.address_id) <= 100:
            raise PublicError("filter.addressId: between 1 and 100 characters")
        p = page(info, first, after)
        rows, total = await find_tasks(info.context.store, reason=_value("filter.reason", f.reason),
                                       status=_value("filter.status", f.status), code=f.benefit,
                                       address_id=f.address_id, skip=p.skip, limit=p.limit)
        fields = selected_fields(info)
        for r in rows:  # a task shows what is wrong with a person's right: logged as a card read
            info.context.access.note(r["iin"], fields)
        return connection(rows, total, p, lambda r: task(info, r))
