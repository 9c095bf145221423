"""The HTTP app. For now: the SMS provider's reply webhook (the GraphQL API joins it later)."""
from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from familycard.api.sms import inbound
from familycard.settings import Settings


def create_app(settings: Settings, store=None) -> Starlette:
    """The app; it opens the store on startup unless one is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: Starlette):
        own = store is None
        if own:
            from familycard.graph.store import open_store

            app.state.store = open_store(settings)
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    app = Starlette(routes=[Route("/sms/inbound", inbound, methods=["POST"])], lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    return app
