"""Relay's conventions: global ids (``Node``, opaque and sealed: ``node``, ``ids``) and cursor
connections for every list that can grow (``pagination``)."""
from familycard.api.relay.ids import Ids
from familycard.api.relay.node import (
    ASSIGNMENT,
    BENEFIT,
    CITIZEN,
    OFFER,
    PAYMENT,
    PREFIXES,
    SAVED_QUERY,
    TASK,
    Node,
    global_id,
    unseal,
)
from familycard.api.relay.pagination import After, Connection, Edge, First, Page, PageInfo, connection, from_list, page

__all__ = [
    "ASSIGNMENT",
    "BENEFIT",
    "CITIZEN",
    "OFFER",
    "PAYMENT",
    "PREFIXES",
    "SAVED_QUERY",
    "TASK",
    "After",
    "Connection",
    "Edge",
    "First",
    "Ids",
    "Node",
    "Page",
    "PageInfo",
    "connection",
    "from_list",
    "global_id",
    "page",
    "unseal",
]
