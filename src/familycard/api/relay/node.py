"""Global ids (Relay's ``Node``): every object with an id can be fetched again by it alone, so a
client cache (Relay, Apollo, urql) can keep one copy of it and refetch it.

An id is a type's prefix and the object's key sealed with AES-SIV (relay/ids.py): opaque (an
offer's key holds IINs), stable for one ``FAMILYCARD_ID_SECRET`` and unforgeable, and the
prefix is authenticated with it (a citizen's id re-prefixed as an offer's is refused).
A citizen's id is the one the API always gave (``c_``); strawberry's own relay.Node was not
used because its ids are base64 of the type and key: an offer's would show the IIN.
"""
from __future__ import annotations

import strawberry
from strawberry.types import Info

CITIZEN, OFFER, ASSIGNMENT, PAYMENT, SAVED_QUERY, BENEFIT, TASK = "c_", "o_", "a_", "p_", "q_", "b_", "t_"
PREFIXES = (CITIZEN, OFFER, ASSIGNMENT, PAYMENT, SAVED_QUERY, BENEFIT, TASK)


@strawberry.interface(description="An object with a global id: `node(id:)` fetches it again, with the same "
                                  "permissions, masking and access log as the query that first showed it.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global, opaque and stable (for the server's id secret): "
                                                     "it names the object and its type, never an IIN.")


def global_id(info: Info, prefix: str, key: str) -> strawberry.ID:
    ids = info.context.ids
    return strawberry.ID(ids.encode(key) if prefix == CITIZEN else ids.seal(key, prefix))


def unseal(info: Info, gid: str) -> tuple[str, str] | None:
    """(prefix, key) of an id this API gave out, else None."""
    ids = info.context.ids
    for prefix in PREFIXES:
        if gid.startswith(prefix):
            key = ids.decode(gid) if prefix == CITIZEN else ids.unseal(gid, prefix)
            return (prefix, key) if key is not None else None
    return None
