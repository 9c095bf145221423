"""Who is calling: a bearer token, either a signed JWT or an API key from the settings.

JWT: HS256 with ``FAMILYCARD_JWT_SECRET``, audience ``FAMILYCARD_JWT_AUDIENCE``, claims
``sub`` (who), ``role`` (one of the four) and ``exp`` (required). API keys: named in
``FAMILYCARD_API_KEYS``, each with its role; the subject is ``key:<name>``.
"""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

import jwt

from familycard.api.types import Role
from familycard.dates import aware_utcnow
from familycard.settings import ROLES, Settings


class AuthError(Exception):
    """The token was given but is not acceptable; the message says why (never the token).
    ``kind`` is RFC 6750's error code: the header is malformed, or the token is not good;
    ``claim`` the token's claim at fault (exp, aud, role, ...) and ``value`` its bad value,
    where there is one (a role; never a secret)."""

    def __init__(self, message: str, kind: str = "invalid_token", *, claim: str | None = None,
                 value: object = None):
        super().__init__(message)
        self.kind = kind
        self.claim = claim
        self.value = value


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role

    @property
    def acting(self) -> str:
        """How the flow's records name who acted ("caseworker key:ann"): an answer entered, a
        task closed."""
        return f"{self.role} {self.subject}"


def authenticate(header: str | None, settings: Settings) -> Principal | None:
    """The principal of an ``Authorization`` header; None without one."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be 'Bearer <token>'", "invalid_request")
    token = token.strip()
    if token.count(".") == 2:
        return _from_jwt(token, settings)
    return _from_api_key(token, settings)


def _from_api_key(token: str, settings: Settings) -> Principal:
    found = None
    for name, key in settings.api_keys.items():
        # Compare with every key (no early exit): timing tells nothing about which matched.
        if hmac.compare_digest(token.encode(), key.key.get_secret_value().encode()):
            found = Principal(f"key:{name}", key.role)
    if found is None:
        raise AuthError("unknown API key")
    return found


def _from_jwt(token: str, settings: Settings) -> Principal:
    if settings.jwt_secret is None:
        raise AuthError("JWTs are not accepted here: no FAMILYCARD_JWT_SECRET is configured")
    try:
        claims = jwt.decode(token, settings.jwt_secret.get_secret_value(), algorithms=["HS256"],
                            audience=settings.jwt_audience, options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise AuthError("the token has expired", claim="exp") from None
    except jwt.InvalidAudienceError:
        raise AuthError(f"the token is not for audience '{settings.jwt_audience}'", claim="aud") from None
    except jwt.MissingRequiredClaimError as e:
        raise AuthError(f"the token has no '{e.claim}' claim", claim=e.claim) from None
    except jwt.InvalidTokenError:
        raise AuthError("the token's signature or format is invalid") from None
    role = claims.get("role")
    if role not in ROLES:
        raise AuthError(f"the token's role {role!r} is not one of {', '.join(ROLES)}", claim="role", value=role)
    return Principal(str(claims["sub"]), role)


def issue_token(settings: Settings, subject: str, role: Role, ttl: dt.timedelta,
                now: dt.datetime | None = None) -> str:
    """A JWT for ``subject`` with ``role`` (the CLI's `familycard token`, the demo, tests)."""
    if settings.jwt_secret is None:
        raise AuthError("set FAMILYCARD_JWT_SECRET to issue tokens")
    if role not in ROLES:
        raise AuthError(f"role {role!r} is not one of {', '.join(ROLES)}", claim="role", value=role)
    now = now or aware_utcnow()  # with its zone: timestamp() of a naive time is local
    return jwt.encode({"sub": subject, "role": role, "aud": settings.jwt_audience,
                       "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp())},
                      settings.jwt_secret.get_secret_value(), algorithm="HS256")
