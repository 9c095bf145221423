"""Which operation a request runs, and with which variables: settled before anything runs.

Left to strawberry, a document of two operations sent without ``operationName`` ran the
first (the spec refuses it: GetOperation), and a variable that does not fit its type
(null for ``String!``, ``"x"`` for ``Int``, an unknown input field) was reported with
graphql-core's own error inside, which the masking took for the server's: "Unexpected
error (ref …)" and a traceback in the log for the caller's typo. Here both are the caller's
mistake, said in graphql-core's words (which name the variable and where in it).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from graphql.execution.values import get_variable_values

from familycard.api.errors import BAD_USER_INPUT, OPERATION_RESOLUTION_FAILURE

MAX_VARIABLE_ERRORS = 20  # a list of 10 000 bad items is told about its first ones, not 10 000 times


def request_errors(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                   variables: Mapping[str, Any] | None, hide_suggestions: bool) -> list[GraphQLError]:
    """Why the request cannot run as sent (empty: it can). ``document`` is valid."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) > 1:
            named = [op.name.value[:100] for op in operations if op.name]
            names = ", ".join(named[:5]) + (", …" if len(named) > 5 else "")
            return [GraphQLError(f"the document has {len(operations)} operations ({names}); name the one to "
                                 "run in operationName", extensions={"code": OPERATION_RESOLUTION_FAILURE})]
        chosen = operations[0] if operations else None
    else:
        chosen = next((op for op in operations if op.name and op.name.value == operation_name), None)
    if chosen is None:
        return [no_operation(operation_name)]
    coerced = get_variable_values(schema, chosen.variable_definitions or (), dict(variables or {}),
                                  max_errors=MAX_VARIABLE_ERRORS, hide_suggestions=hide_suggestions)
    if not isinstance(coerced, list):
        return []
    # Fresh errors without the one inside: the caller's, shown as they are, never masked.
    return [GraphQLError(e.message, nodes=e.nodes, extensions={"code": BAD_USER_INPUT}) for e in coerced]


def no_operation(name: str | None) -> GraphQLError:
    """The error for a document without the operation asked for (or without any)."""
    what = "no operation to run" if name is None else f"no operation named '{name[:100]}'"
    return GraphQLError(f"the document has {what}", extensions={"code": OPERATION_RESOLUTION_FAILURE})
