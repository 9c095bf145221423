"""What a caller may be told when something goes wrong.

Expected failures of a mutation (bad input, an unknown name, a refused query) are values of
the result union, not errors. Everything raised is masked ("Unexpected error", with an id
in the server's log) unless it is a ``PublicError``: no stack trace or Cypher leaves the
server.

Every error carries ``extensions.code``, so that a client can tell its own mistakes from the
server's without reading messages. The names are Apollo Server's where it has one (clients
and their tooling know them); the limits add their own.
"""
from __future__ import annotations

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError

# The request is the caller's mistake: nothing ran.
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
BAD_USER_INPUT = "BAD_USER_INPUT"
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
BAD_REQUEST = "BAD_REQUEST"
# Who calls.
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
# The server's side (masked: the log has the trace under the error's ref).
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

#: Codes of a request refused before anything ran: with
#: ``application/graphql-response+json`` they are answered with 400 and no ``data``.
REQUEST_ERRORS = frozenset({GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, INTROSPECTION_DISABLED,
                            OPERATION_RESOLUTION_FAILURE, BAD_USER_INPUT, QUERY_TOO_LARGE, BAD_REQUEST})


class PublicError(Exception):
    """An error whose message is meant for the caller (permission, bad argument)."""

    def __init__(self, message: str, code: str = BAD_USER_INPUT):
        super().__init__(message)
        self.code = code


def code_of(error: GraphQLError) -> str:
    """The error's ``extensions.code``: its own if it has one (the limits, permissions and
    the request checks set theirs where they refuse), else what it is."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(error.original_error, PublicError):
        return error.original_error.code
    if isinstance(error, GraphQLSyntaxError):
        # graphql-core's limits (tokens, nesting) stop the parser: the query is too large, not malformed
        return QUERY_TOO_LARGE if error.message.endswith("Parsing aborted.") else GRAPHQL_PARSE_FAILED
    # What is left is the server's: a resolver's masked error, a null for a non-null field.
    return INTERNAL_SERVER_ERROR


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
