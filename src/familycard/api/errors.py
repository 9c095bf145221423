"""What a caller may be told when something goes wrong.

Expected failures of a mutation (bad input, an unknown name, a refused query) are values of
the result union, not errors. Everything raised is masked ("Unexpected error", with an id
in the server's log) unless it is a ``PublicError``: no stack trace or Cypher leaves the
server.
"""
from __future__ import annotations

import strawberry


class PublicError(Exception):
    """An error whose message is meant for the caller (permission, bad argument)."""


@strawberry.type(description="The input is wrong; `field` names where (a path into the input), if known.")
class InvalidInput:
    message: str = strawberry.field(description="What is wrong and where, for a person to read.")
    field: str | None = strawberry.field(default=None, description="The input field at fault (`reason`, "
                                                                   "`arguments`), if one is.")


@strawberry.type(description="What was asked for does not exist.")
class NotFound:
    message: str = strawberry.field(description="What was not found.")


@strawberry.type(description="The store refused the operation (a saved query that writes, runs too long…).")
class Refused:
    message: str = strawberry.field(description="Why it was refused (busy, too long, a write).")
