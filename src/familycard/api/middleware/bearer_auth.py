"""Who is calling, from the ``Authorization`` header (``familycard.api.auth``): the principal,
or None without a header, goes into ``scope["state"]["principal"]`` for the resolvers."""
from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from familycard.api.auth import AuthError, authenticate
from familycard.api.errors import UNAUTHENTICATED
from familycard.api.http import refusal
from familycard.api.middleware._headers import header
from familycard.settings import Settings


class BearerAuthMiddleware:
    """Refuses a token that is sent but not good (401); a request without one goes on
    anonymous, and each field's permission decides what it may see."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings  # the API keys and the JWT secret and audience

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            principal = authenticate(header(scope, "authorization"), self.settings)
        except AuthError as e:
            # RFC 6750 3: how to authenticate, and (a header was sent) why it was not accepted
            await refusal(401, str(e), UNAUTHENTICATED,
                          {"WWW-Authenticate": f'Bearer realm="familycard", error="{e.kind}"'})(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
