"""The access log: every read of a person's card, who read it, when, and which fields.

Append-only: rows are only ever created (``Access`` nodes, one per person a response showed,
with the union of the fields shown), never updated or deleted by familycard. They are
written before the response leaves; if they cannot be written, the response carries no data.
Admins query it through ``accessLog``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, SelectionSetNode
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from familycard import dates
from familycard.api.errors import INTERNAL_SERVER_ERROR
from familycard.graph import model
from familycard.graph.store import Store, writes

log = logging.getLogger("familycard.api")

if TYPE_CHECKING:
    from familycard.api.auth import Principal


def _paths(selection_set: SelectionSetNode | None, fragments: dict, prefix: str = "") -> Iterable[str]:
    for s in selection_set.selections if selection_set else ():
        if isinstance(s, FieldNode):
            name = s.name.value
            if name.startswith("__"):
                continue
            if s.selection_set:
                yield from _paths(s.selection_set, fragments, f"{prefix}{name}.")
            else:
                yield prefix + name
        elif isinstance(s, InlineFragmentNode):
            yield from _paths(s.selection_set, fragments, prefix)
        elif isinstance(s, FragmentSpreadNode) and s.name.value in fragments:
            yield from _paths(fragments[s.name.value].selection_set, fragments, prefix)


def selected_fields(info: Info) -> tuple[str, ...]:
    """The fields asked for under the current field, as dotted paths (``facts.edges.node.type``);
    whatever ``@skip``/``@include`` say (logging a field that was not shown is the safe side).
    Read off the query's syntax tree: strawberry's ``selected_fields`` converts the whole
    subtree to its own objects first, which cost more than the rest of a citizen's resolver."""
    raw = info._raw_info
    return tuple(sorted({p for node in raw.field_nodes for p in _paths(node.selection_set, raw.fragments)}))


@dataclass
class AccessRecorder:
    """Collects, during one request, whose data it shows."""
    principal: Principal | None
    request_id: str
    caller_request: str = ""
    operation: str = ""
    shown: dict[str, set[str]] = field(default_factory=dict)

    def note(self, iin: str, fields: Iterable[str]) -> None:
        self.shown.setdefault(iin, set()).update(fields)

    def rows(self, at: dt.datetime) -> list[dict]:
        p = self.principal
        return [{"key": f"{at:%Y%m%dT%H%M%S%f}|{self.request_id}|{iin}", "at": at,
                 "actor": p.subject if p else "anonymous", "role": p.role if p else "",
                 "iin": iin, "fields": ",".join(sorted(fields)), "operation": self.operation,
                 "request": self.request_id, "caller_request": self.caller_request}
                for iin, fields in sorted(self.shown.items())]


class AccessLog:
    """Stores the access rows of requests, those that wait at the same moment together: one
    statement, one commit, for all of them (a commit is most of the cost of a small write:
    ~1 ms in LadybugDB, more in Neo4j). Each request still waits until its own rows are
    stored; if they cannot be, every request of that batch is told so."""

    def __init__(self, store: Store):
        self._store = store
        self._waiting: list[tuple[list[dict], asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def write(self, rows: list[dict]) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((rows, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_waiting())
        await done

    async def _write_waiting(self) -> None:
        # Let the requests that are ready to finish in this turn of the loop join the batch
        # (an in-process store's write does not give the loop back while it runs).
        await asyncio.sleep(0)
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await store_rows(self._store, [r for rows, _ in batch for r in rows])
            except Exception as e:  # noqa: BLE001 - each request of the batch hears of it
                for _, done in batch:
                    if not done.done():  # a request past its time no longer waits
                        done.set_exception(e)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)


async def store_rows(store: Store, rows: list[dict]) -> None:
    """Access rows as nodes, each with the link from the person it is about (``WAS_READ``),
    in the statements ``writes.create`` runs (a person no longer stored: the row still lands),
    each awaited in a transaction of its own."""
    steps = writes.create_steps("Access", rows)
    try:
        step = next(steps)
        while True:
            step = steps.send(await store.awrite(*step))
    except StopIteration:
        pass


MAX_OPERATION = 200  # characters of an operation's name kept in the log


class AccessLogExtension(SchemaExtension):
    """Writes what the request showed before the response leaves; no log, no data."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context.context
        rec: AccessRecorder = ctx.access
        # Bounded: a 200 KB operationName, once per person shown, grew the store by megabytes.
        rec.operation = (self.execution_context.operation_name or _top_fields(self.execution_context))[:MAX_OPERATION]
        if not rec.shown:
            return
        try:
            await ctx.access_log.write(rec.rows(dates.utcnow()))
        except Exception:  # noqa: BLE001 - whatever it was, the data must not leave unlogged
            log.exception("access log not written (request %s)", rec.request_id)
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [GraphQLError("the access log could not be written, so nothing is shown; "
                                              "try again later", extensions={"code": INTERNAL_SERVER_ERROR})]


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
    for clause, name, value in (("a.actor = $actor", "actor", actor),
                                ("a.at >= $since", "since", since), ("a.at < $until", "until", until)):
        if value is not None:
            where.append(clause)
            params[name] = value
    cond = f"WHERE {' AND '.join(where)} " if where else ""
    head = "MATCH (a:Access) "
    if iin is not None:  # whose card: through the person's link (no scan of the whole log)
        params["iin"] = iin
        head = f"MATCH (:Person {{iin: $iin}})-[:{model.OWNER_LINKS['Access'].name}]->(a:Access) "
    total = store.read(f"{head}{cond}RETURN count(a) AS n", params)[0]["n"]
    rows = store.read(f"{head}{cond}RETURN a.key AS key, a.at AS at, a.actor AS actor, a.role AS role, "
                      f"a.iin AS iin, a.fields AS fields, a.operation AS operation, a.request AS request, "
                      f"a.caller_request AS caller_request "
                      f"ORDER BY a.at DESC, a.key DESC SKIP $skip LIMIT $limit", params)
    return rows, total
