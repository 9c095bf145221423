"""Relay-style cursor connections for every list that can grow.

Cursors are opaque (base64 of an offset): a client passes ``after`` back as it got it.
``first`` is capped (``FAMILYCARD_MAX_PAGE``); a bad cursor or size is a clear error, and so is
an offset past ``MAX_OFFSET`` (a 30-digit one overflowed the stores' SKIP: "Unexpected error").
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry
from strawberry.types import Info

from familycard.api.errors import PublicError

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type(description="Where a page is in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow: ask again with "
                                                       "`after: endCursor`.")
    has_previous_page: bool = strawberry.field(description="True when this page does not start at the first item.")
    start_cursor: str | None = strawberry.field(description="The first item's cursor; null on an empty page.")
    end_cursor: str | None = strawberry.field(description="The last item's cursor (pass it as `after` for the "
                                                          "next page); null on an empty page.")


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque: pass it as `after` to get the items that follow this one.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list that can grow (a Relay connection): `first` items after "
                             "the cursor `after`.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items, in the list's order.")
    page_info: PageInfo = strawberry.field(description="Whether there are more, and the cursors to get them.")
    total_count: int = strawberry.field(description="How many there are in all, across every page.")


#: The arguments of every connection.
First = Annotated[int | None, strawberry.argument(
    description="How many items at most (0 to FAMILYCARD_MAX_PAGE, 100 by default); all up to that when "
                "left out.")]
After = Annotated[str | None, strawberry.argument(
    description="A cursor this API gave out (`pageInfo.endCursor`, an edge's `cursor`): the page starts "
                "after it; from the first item when left out.")]


MAX_OFFSET = 1_000_000_000  # no list this API serves comes near it


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


@dataclass(frozen=True)
class Page:
    skip: int
    limit: int


def page(info: Info, first: int | None, after: str | None) -> Page:
    """The slice a (first, after) pair asks for; errors name the bad argument."""
    cap = info.context.settings.max_page
    size = cap if first is None else first
    if size < 0 or size > cap:
        raise PublicError(f"first: {first} is not between 0 and {cap}")
    skip = 0
    if after is not None:
        try:
            tag, _, n = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
            if tag != "o" or not (n.isascii() and n.isdigit()):
                raise ValueError
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise PublicError(f"after: '{after[:40]}' is not a cursor this API gave out") from None
        if len(n) > len(str(MAX_OFFSET)) or int(n) >= MAX_OFFSET:
            raise PublicError(f"after: cursor '{after[:40]}' is at offset {n[:20]}{'…' if len(n) > 20 else ''}; "
                              f"no list this API serves goes past {MAX_OFFSET}")
        skip = int(n) + 1
    return Page(skip, size)


def connection(items: Sequence[R], total: int, p: Page, node: Callable[[R], T]) -> Connection[T]:
    """A connection from the page's items (already sliced: ``items`` starts at ``p.skip``)."""
    edges = [Edge(cursor=_cursor(p.skip + i), node=node(x)) for i, x in enumerate(items[:p.limit])]
    return Connection(edges=edges, total_count=total, page_info=PageInfo(
        has_next_page=p.skip + len(edges) < total, has_previous_page=p.skip > 0,
        start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None))


def from_list(items: Sequence[R], p: Page, node: Callable[[R], T]) -> Connection[T]:
    """A connection over a list held whole (one person's facts, offers, payments)."""
    return connection(items[p.skip:p.skip + p.limit], len(items), p, node)
