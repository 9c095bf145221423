"""Aliases the API's modules share."""
from __future__ import annotations

from typing import Any, NewType

import strawberry

from familycard.settings import Role

__all__ = ["Role", "JSON", "ROLES", "SCALARS"]

ROLES: tuple[Role, ...] = ("frontend", "caseworker", "auditor", "admin")

# Rows of a saved query, and a saved query's arguments: whatever JSON the Cypher returns.
JSON = NewType("JSON", Any)

SCALARS = {JSON: strawberry.scalar(name="JSON", description="Any JSON value (the rows of a saved query, its "
                                                            "arguments).",
                                   serialize=lambda v: v, parse_value=lambda v: v)}
