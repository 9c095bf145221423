from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated

import strawberry
from strawberry.types import Info

from familycard.api.citizens.types import Citizen, citizen
from familycard.api.errors import PublicError
from familycard.api.permissions import SIGNED_IN, STAFF
from familycard.api.relay import After, Connection, First, connection, page
from familycard.graph.cards import find_people
from familycard.schema.iin import IINError, parse_iin

MAX_NAME = 100
_WILDCARDS = frozenset("*%?_~[]^$.+|\\")


def whole_name(value: str | None, field: str) -> str | None:
    """A name to search by, whole: letters with spaces, hyphens and apostrophes between them
    (as names are registered); a wildcard or any other character is refused, naming it."""
    if value is None:
        return None
    name = " ".join(value.split())
    if not name:
        raise PublicError(f"{field}: empty; give the whole name")
    if len(name) > MAX_NAME:
        raise PublicError(f"{field}: at most {MAX_NAME} characters")
    for i, c in enumerate(name):
        if c in _WILDCARDS:
            raise PublicError(f"{field}: '{c}' at position {i + 1}: no wildcards or patterns; give the whole name")
        if not (unicodedata.category(c).startswith(("L", "M")) or c in " -'’"):
            raise PublicError(f"{field}: character U+{ord(c):04X} at position {i + 1} is not in a name")
    if not re.search(r"\w", name):
        raise PublicError(f"{field}: no letters; give the whole name")
    return name


async def resolve_iin(info: Info, iin: str | None, id: strawberry.ID | None) -> str:
    """The IIN a query names, by IIN or by opaque id (exactly one of them)."""
    if (iin is None) == (id is None):
        raise PublicError("give either iin or id")
    if id is not None:
        found = info.context.ids.decode(str(id))
        if found is None:
            raise PublicError(f"id '{str(id)[:40]}' is not a citizen id this API gave out")
        return found
    try:
        parse_iin(iin)
    except IINError as e:
        raise PublicError(str(e)) from None
    return iin


#: How a query names its person: by IIN or by opaque id, exactly one of them.
Iin = Annotated[str | None, strawberry.argument(description="The person's IIN, 12 digits (or give `id`).")]
CitizenId = Annotated[strawberry.ID | None, strawberry.argument(
    description="The person's opaque `id`, as a Citizen or a family graph gave it (or give `iin`).")]


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SIGNED_IN],
                      description="One person, by IIN or by id; null if no one is registered under it.")
    async def citizen(self, info: Info, iin: Iin = None, id: CitizenId = None) -> Citizen | None:
        row = await info.context.loaders.person.load(await resolve_iin(info, iin, id))
        return citizen(info, row) if row else None

    @strawberry.field(permission_classes=[STAFF],
                      description="Find people: by `iin` (12 digits, whole), or by `surname` and `givenName` "
                                  "(whole names as registered, Cyrillic or Latin, in any case: never part of a "
                                  "name or a pattern), `birthDate` narrowing either. Ordered by surname, given "
                                  "name, birth date, IIN; paged like every list. Every person shown is logged as "
                                  "a card read.")
    async def search_people(self, info: Info,
                            iin: Annotated[str | None, strawberry.argument(
                                description="The whole IIN, 12 digits (or give `surname` and `givenName`).")] = None,
                            surname: Annotated[str | None, strawberry.argument(
                                description="The whole surname (with `givenName`).")] = None,
                            given_name: Annotated[str | None, strawberry.argument(
                                description="The whole given name (with `surname`).")] = None,
                            birth_date: Annotated[dt.date | None, strawberry.argument(
                                description="Only people born on this day.")] = None,
                            first: First = None, after: After = None) -> Connection[Citizen]:
        surname, given_name = whole_name(surname, "surname"), whole_name(given_name, "givenName")
        if iin is not None:
            if surname is not None or given_name is not None:
                raise PublicError("give either iin, or surname and givenName: not both")
            try:
                parse_iin(iin)
            except IINError as e:
                raise PublicError(f"iin: {e}") from None
        elif surname is None or given_name is None:
            raise PublicError("give iin, or both surname and givenName (whole names)")
        p = page(info, first, after)
        rows, total = await find_people(info.context.store, iin=iin, surname=surname, given_name=given_name,
                                        birth_date=birth_date, skip=p.skip, limit=p.limit)
        return connection(rows, total, p, lambda r: citizen(info, r))  # each one shown is logged there
