"""GraphQL over HTTP, as the spec (graphql.github.io/graphql-over-http) and its clients expect.

strawberry's ASGI view parses the request and runs it; this one answers the way the spec
asks, which strawberry 0.341 does not:

- the answer's media type follows ``Accept``: ``application/graphql-response+json`` when
  asked for (then a request refused before it ran, unparsable, invalid, with variables that
  do not fit, is 400 without ``data``; a server failure before it ran is 500), else
  ``application/json`` (always 200 for a request that could be read, ``data: null``);
  an ``Accept`` with neither is 406;
- queries run by GET too (``?query=…&variables=…``); a mutation by GET is 405 with
  ``Allow: POST``, any method but GET and POST 405 with ``Allow: GET, POST``; a POST must be
  ``application/json`` (415 otherwise, strawberry said 400);
- refusals of the request itself are JSON in the shape of a GraphQL response
  (``{"errors": [{"message", "extensions": {"code"}}]}``), never text/plain;
- every error carries ``extensions.code`` (``errors.code_of``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from familycard.api.errors import BAD_REQUEST, REQUEST_ERRORS, code_of
from familycard.api.limits import no_operation

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
ALLOWED = "GET, POST"


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, by the ``Accept`` header: the one the caller prefers (by
    q, then by order), ``*/*`` and no header meaning JSON; None if it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    best, best_q = None, 0.0
    for part in accept.split(","):
        media, *params = (x.strip() for x in part.split(";"))
        media = media.lower()
        if media in (GRAPHQL_RESPONSE, JSON):
            chosen = media
        elif media in ("*/*", "application/*"):
            chosen = JSON
        else:
            continue
        q = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:  # on a tie, the first listed
            best, best_q = chosen, q
    return best


class Refusal(HTTPException):
    """The request itself is refused (nothing ran): answered as JSON with a code."""

    def __init__(self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None):
        super().__init__(status, message)
        self.code = code
        self.headers = dict(headers or {})


def refusal(status: int, message: str, code: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status,
                        headers=dict(headers or {}))


# strawberry's own refusals (a plain HTTPException): their codes, and what they should say
_STRAWBERRY = {
    400: ("BAD_REQUEST", None, {}),
    404: ("NOT_FOUND", "no query: send one as GET ?query=… or by POST (the GraphiQL page is off: "
                       "FAMILYCARD_GRAPHIQL)", {}),
    405: ("METHOD_NOT_ALLOWED", None, {"Allow": ALLOWED}),
}


class GraphQLView(GraphQL):
    """strawberry's ASGI view, speaking GraphQL over HTTP as the module says."""

    def __init__(self, schema, graphql_ide: str | None):
        super().__init__(schema, graphql_ide=graphql_ide, allow_queries_via_get=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except Refusal as e:
            response = refusal(e.status_code, e.reason, e.code, e.headers)
        except HTTPException as e:
            code, message, headers = _STRAWBERRY.get(e.status_code, (BAD_REQUEST, None, {}))
            response = refusal(e.status_code, message or e.reason, code, headers)
        await response(scope, receive, send)

    # --- reading the request --------------------------------------------------------------

    def parse_json(self, data: str | bytes) -> Any:
        # The stdlib's parser (orjson's read 2**64 as a float: an amount would lose digits),
        # its every failure the caller's: strawberry caught only JSONDecodeError, so 5 000
        # nested [ were a 500 (and so was a body of JSON that is not an object: `5`).
        try:
            return self.decode_json(data)
        except (ValueError, RecursionError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise Refusal(400, f"not JSON: {e}", BAD_REQUEST) from None

    async def parse_http_body(self, request) -> GraphQLRequestData | list[GraphQLRequestData]:
        if negotiate(request.headers.get("accept")) is None:
            raise Refusal(406, f"the answer is {GRAPHQL_RESPONSE} or {JSON}; Accept allows neither "
                               f"('{request.headers.get('accept', '')[:100]}')", "NOT_ACCEPTABLE")
        if request.method == "GET":
            data: object = self.parse_query_params(request.query_params)
        else:
            content_type, params = parse_content_type(request.content_type or "")
            if content_type != JSON:
                raise Refusal(415, f"send the request as {JSON}, not '{content_type[:100] or 'nothing'}'",
                              "UNSUPPORTED_MEDIA_TYPE")
            charset = params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise Refusal(415, f"send the request in UTF-8, not '{charset[:40]}'", "UNSUPPORTED_MEDIA_TYPE")
            data = self.parse_json(await request.get_body())
        if isinstance(data, list):
            self._validate_batch_request(data, protocol="http")
            return [_request_data(item, f"operation {i}: ") for i, item in enumerate(data)]
        return _request_data(data)

    # --- running it -----------------------------------------------------------------------

    async def execute_single(self, request, request_adapter, sub_response, context, root_value,
                             request_data: GraphQLRequestData) -> ExecutionResult:
        # GET runs queries only: strawberry's GET also allows subscriptions (for a
        # multipart protocol we do not serve)
        allowed = {OperationType.QUERY} if request_adapter.method == "GET" else OperationType.from_http("POST")
        try:
            return await self.schema.execute(
                request_data.query, root_value=root_value, variable_values=request_data.variables,
                context_value=context, operation_name=request_data.operation_name,
                allowed_operation_types=allowed, operation_extensions=request_data.extensions)
        except InvalidOperationTypeError as e:
            kind = e.operation_type.value
            raise Refusal(405, f"a {kind} is not run by {request_adapter.method}: send it by POST",
                          "METHOD_NOT_ALLOWED", {"Allow": "POST"}) from None
        except CannotGetOperationTypeError as e:
            return PreExecutionError(data=None, errors=[no_operation(e.operation_name)])
        except MissingQueryError:
            raise Refusal(400, "no query: the request has no 'query'", BAD_REQUEST) from None

    # --- answering ------------------------------------------------------------------------

    async def get_sub_response(self, request: Request) -> Response:
        sub = await super().get_sub_response(request)
        sub.media_type = negotiate(request.headers.get("accept")) or JSON
        request.state.graphql_answer = sub  # process_result sets the status on it
        return sub

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        answer = await super().process_result(request, result)
        if not result.errors:
            return answer
        codes = [code_of(e) for e in result.errors]
        for formatted, code in zip(answer["errors"], codes, strict=True):
            formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
        sub = request.state.graphql_answer
        if sub.media_type == GRAPHQL_RESPONSE and isinstance(result, PreExecutionError):
            # Nothing ran: no `data` at all, and a status that says whose fault it was.
            del answer["data"]
            sub.status_code = 400 if all(c in REQUEST_ERRORS for c in codes) else 500
        return answer

    def create_response(self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
                        sub_response: Response) -> Response:
        if isinstance(response_data, list):
            sub_response.status_code = None  # a batch: each answer says how it went
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = sub_response.media_type
        return response


def _request_data(data: object, where: str = "") -> GraphQLRequestData:
    """One operation of the request, its parameters checked as the spec types them."""
    if not isinstance(data, dict):
        raise Refusal(400, f"{where}the request must be a JSON object with 'query'", BAD_REQUEST)
    for name, types, what in (("query", (str,), "a string"), ("operationName", (str,), "a string"),
                              ("variables", (dict,), "an object"), ("extensions", (dict,), "an object")):
        value = data.get(name)
        if value is not None and not isinstance(value, types):
            raise Refusal(400, f"{where}'{name}' must be {what} or null, not {_json_type(value)}", BAD_REQUEST)
    return GraphQLRequestData(query=data.get("query"), variables=data.get("variables"),
                              operation_name=data.get("operationName"), extensions=data.get("extensions"))


def _json_type(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(value), "something else")
