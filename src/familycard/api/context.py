"""The typed context every resolver gets: who calls, the store, the request's loaders."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from familycard.api.access_log import AccessLog, AccessRecorder
from familycard.api.auth import Principal
from familycard.api.loaders import Loaders
from familycard.api.relay import Ids
from familycard.api.types import Role
from familycard.graph.store import Store
from familycard.settings import Settings


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    store: Store
    ids: Ids
    principal: Principal | None
    loaders: Loaders
    access: AccessRecorder
    access_log: AccessLog
    request_id: str

    @property
    def role(self) -> Role:
        # Resolvers that show personal data are guarded by a permission, so a principal is there.
        assert self.principal is not None
        return self.principal.role


def make_context(request: Request, response: Response, principal: Principal | None) -> Context:
    state = request.app.state
    # The server names each request (the access log's keys hang on it); the caller's own id is
    # kept beside it, cleaned and bounded (it was stored verbatim, and made the rows' keys).
    request_id = uuid.uuid4().hex
    caller = _CALLER_ID.sub("", request.headers.get("x-request-id", ""))[:64]
    return Context(request=request, response=response, settings=state.settings, store=state.store,
                   ids=state.ids, principal=principal, loaders=Loaders.for_request(state.store),
                   access=AccessRecorder(principal, request_id, caller), access_log=state.access_log,
                   request_id=request_id)


_CALLER_ID = re.compile(r"[^A-Za-z0-9._:/+=-]")
