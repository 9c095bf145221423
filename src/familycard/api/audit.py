"""The access log: every read of a person's card, who read it, when, and which fields.

Append-only: rows are only ever created (``Access`` nodes, one per person a response showed,
with the union of the fields shown), never updated or deleted by familycard. They are
written before the response leaves; if they cannot be written, the response carries no data.
Admins query it through ``accessLog``.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, AsyncIterator, Iterable

from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from familycard.graph import flow
from familycard.graph.store import Store

log = logging.getLogger("familycard.api")

if TYPE_CHECKING:
    from familycard.api.auth import Principal


def _paths(selections: Iterable, prefix: str = "") -> Iterable[str]:
    for s in selections:
        if isinstance(s, SelectedField):
            if s.name.startswith("__"):
                continue
            name = prefix + s.name
            if s.selections:
                yield from _paths(s.selections, name + ".")
            else:
                yield name
        elif isinstance(s, (InlineFragment, FragmentSpread)):
            yield from _paths(s.selections, prefix)


def selected_fields(info: Info) -> tuple[str, ...]:
    """The fields asked for under the current field, as dotted paths (``facts.edges.node.type``)."""
    return tuple(sorted(set(_paths(info.selected_fields[0].selections))))


@dataclass
class AccessRecorder:
    """Collects, during one request, whose data it shows."""
    principal: "Principal | None"
    request_id: str
    operation: str = ""
    shown: dict[str, set[str]] = field(default_factory=dict)

    def note(self, iin: str, fields: Iterable[str]) -> None:
        self.shown.setdefault(iin, set()).update(fields)

    def rows(self, at: dt.datetime) -> list[dict]:
        p = self.principal
        return [{"key": f"{at:%Y%m%dT%H%M%S%f}|{self.request_id}|{iin}", "at": at,
                 "actor": p.subject if p else "anonymous", "role": p.role if p else "",
                 "iin": iin, "fields": ",".join(sorted(fields)), "operation": self.operation,
                 "request": self.request_id}
                for iin, fields in sorted(self.shown.items())]


def write(store: Store, rows: list[dict]) -> None:
    store.transaction(lambda tx: flow.create(tx, "Access", rows))


class AccessLogExtension(SchemaExtension):
    """Writes what the request showed before the response leaves; no log, no data."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context.context
        rec: AccessRecorder = ctx.access
        rec.operation = self.execution_context.operation_name or _top_fields(self.execution_context)
        if not rec.shown:
            return
        try:
            await run_in_threadpool(write, ctx.store, rec.rows(flow.utcnow()))
        except Exception:  # noqa: BLE001 - whatever it was, the data must not leave unlogged
            log.exception("access log not written (request %s)", rec.request_id)
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [GraphQLError("the access log could not be written, so nothing is shown; "
                                              "try again later")]


def _top_fields(ec) -> str:
    try:
        return ",".join(sel.name.value for sel in ec.graphql_document.definitions[0].selection_set.selections)
    except (AttributeError, IndexError):
        return ""


def query(store: Store, *, iin: str | None, actor: str | None, since: dt.datetime | None,
          until: dt.datetime | None, skip: int, limit: int) -> tuple[list[dict], int]:
    """The log, newest first, filtered by whose card, who read it and when."""
    where, params = [], {"skip": skip, "limit": limit}
    # Fixed clauses chosen by which filters are set; the values are parameters.
    for clause, name, value in (("a.iin = $iin", "iin", iin), ("a.actor = $actor", "actor", actor),
                                ("a.at >= $since", "since", since), ("a.at < $until", "until", until)):
        if value is not None:
            where.append(clause)
            params[name] = value
    cond = f"WHERE {' AND '.join(where)} " if where else ""
    total = store.read(f"MATCH (a:Access) {cond}RETURN count(a) AS n", params)[0]["n"]
    rows = store.read(f"MATCH (a:Access) {cond}RETURN a.key AS key, a.at AS at, a.actor AS actor, a.role AS role, "
                      f"a.iin AS iin, a.fields AS fields, a.operation AS operation, a.request AS request "
                      f"ORDER BY a.at DESC, a.key DESC SKIP $skip LIMIT $limit", params)
    return rows, total
