"""``node(id:)``: any object with a global id, fetched again through the same path, the same
permission, the same masking and the same access log as the query that first showed it, so
that it opens no way around a role:

| id of        | may read it     | as                                                   |
|--------------|-----------------|------------------------------------------------------|
| Citizen      | signed in       | `citizen(id:)`: the read logged under the person     |
| Offer        | signed in       | a card's `offers`: logged under recipient (+subject) |
| Assignment   | signed in       | a card's `assignments`: logged likewise              |
| Payment      | signed in       | a card's `payments`: logged under the recipient      |
| SavedQuery   | auditor, admin  | `savedQuery(name:, version:)`                        |
| Task         | staff           | `worklist`: logged under the task's person           |
| Benefit      | everyone        | `benefits`                                           |

An id that this API did not give out is an error (as for ``citizen(id:)``); one that names
something no longer stored is null.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.permission import BasePermission
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.benefits import benefit
from familycard.api.citizens import citizen
from familycard.api.errors import PublicError
from familycard.api.offers import assignment, note_subjects, offer, payment
from familycard.api.permissions import AUDIT, SIGNED_IN, STAFF
from familycard.api.relay import Node
from familycard.api.relay import node as ids
from familycard.api.saved_queries import saved_query
from familycard.api.worklist import task
from familycard.graph import saved_queries as sq
from familycard.graph.cards import task as task_row
from familycard.graph.flow.offers import rules_by_code


def _require(info: Info, permission: type[BasePermission] | None) -> None:
    """The permission class the type's own query uses, applied the same way (its message and
    its code: UNAUTHENTICATED or FORBIDDEN)."""
    if permission is None:
        return
    check = permission()
    if not check.has_permission(None, info):
        check.on_unauthorized()


def _recipient(key: str) -> str:
    # A right's key (and so an offer's, an assignment's, a payment's) is code|iin|subject|event[|period]
    # (graph/rules/rule.right_key); the key came out of a sealed id, so it is ours.
    return key.split("|")[1]


async def _citizen(info: Info, key: str) -> Node | None:
    row = await info.context.loaders.person.load(key)
    return citizen(info, row) if row else None


def _of_card(loader: str, make: Callable[[Info, Mapping[str, Any]], Node], subjects: bool):
    async def find(info: Info, key: str) -> Node | None:
        iin = _recipient(key)
        rows = await getattr(info.context.loaders, loader).load(iin)
        row = next((r for r in rows if r["key"] == key), None)
        if row is None:
            return None
        fields = selected_fields(info)
        info.context.access.note(iin, fields)  # the recipient's card was read
        if subjects:
            note_subjects(info, [row], fields)
        return make(info, row)
    return find


async def _saved_query(info: Info, key: str) -> Node | None:
    version, _, name = key.partition("|")
    q = await run_in_threadpool(sq.get, info.context.store, name, int(version))
    return saved_query(info, q) if q else None


async def _task(info: Info, key: str) -> Node | None:
    row = await task_row(info.context.store, key)
    if row is None:
        return None
    info.context.access.note(row["iin"], selected_fields(info))
    return task(info, row)


async def _benefit(info: Info, key: str) -> Node | None:
    rule = rules_by_code().get(key)
    return benefit(info, rule) if rule else None


_FIND: dict[str, tuple[type[BasePermission] | None, Callable[[Info, str], Awaitable[Node | None]]]] = {
    ids.CITIZEN: (SIGNED_IN, _citizen),
    ids.OFFER: (SIGNED_IN, _of_card("offers", offer, subjects=True)),
    ids.ASSIGNMENT: (SIGNED_IN, _of_card("assignments", assignment, subjects=True)),
    ids.PAYMENT: (SIGNED_IN, _of_card("payments", payment, subjects=False)),
    ids.SAVED_QUERY: (AUDIT, _saved_query),
    ids.BENEFIT: (None, _benefit),
    ids.TASK: (STAFF, _task),
}


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id (Relay): a Citizen, Offer, Assignment, Payment, "
                                  "SavedQuery, Task or Benefit, with the masking and access log of the query that "
                                  "shows it. Null when it is no longer stored; an error for an id this API did not "
                                  "give out. Roles: those of the query that shows the type: signed in for a Citizen, "
                                  "Offer, Assignment or Payment (a card's), auditor or admin for a SavedQuery, staff "
                                  "for a Task; a Benefit is public.")
    async def node(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="An `id` this API gave out, as it gave it.")]) -> Node | None:
        found = ids.unseal(info, str(id))
        if found is None:
            raise PublicError(f"id '{str(id)[:40]}' is not an id this API gave out")
        prefix, key = found
        permission, find = _FIND[prefix]
        _require(info, permission)
        return await find(info, key)
