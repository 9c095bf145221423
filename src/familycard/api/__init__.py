"""The GraphQL API (strawberry on Starlette): ``create_app`` serves it (GraphQL at /graphql,
/health, the SMS reply webhook), ``build_schema`` and ``sdl`` are its schema, ``issue_token``
signs the bearer tokens it accepts."""
from familycard.api.app import create_app
from familycard.api.auth import AuthError, Principal, authenticate, issue_token
from familycard.api.schema import SDL_PATH, build_schema, sdl

__all__ = [
    "SDL_PATH",
    "AuthError",
    "Principal",
    "authenticate",
    "build_schema",
    "create_app",
    "issue_token",
    "sdl",
]
