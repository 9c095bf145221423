"""A refused token's error names the claim at fault and its bad value, never the token."""
from __future__ import annotations

import datetime as dt

import jwt
import pytest
from pydantic import SecretStr

from familycard.api.auth import AuthError, authenticate, issue_token
from familycard.settings import ROLES, Settings

SECRET = "test-jwt-secret-of-at-least-32-bytes!"


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path, jwt_secret=SecretStr(SECRET), _env_file=None)


def signed(claims: dict) -> str:
    return jwt.encode(claims, SECRET, algorithm="HS256")


def refusal(header: str, settings: Settings) -> AuthError:
    with pytest.raises(AuthError) as e:
        authenticate(header, settings)
    assert header.split(" ", 1)[1] not in str(e.value)  # never the token
    return e.value


def test_the_roles_are_the_settings_ones_in_order():
    assert ROLES == ("frontend", "caseworker", "auditor", "admin")


def test_a_token_with_an_unknown_role_names_the_claim_and_the_role(settings):
    later = int((dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).timestamp())
    e = refusal("Bearer " + signed({"sub": "x", "role": "root", "aud": "familycard", "exp": later}), settings)
    assert str(e) == "the token's role 'root' is not one of frontend, caseworker, auditor, admin"
    assert (e.kind, e.claim, e.value) == ("invalid_token", "role", "root")


def test_an_expired_a_foreign_and_an_incomplete_token_name_their_claim(settings):
    past = int((dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).timestamp())
    later = past + 7200
    assert refusal("Bearer " + signed({"sub": "x", "role": "admin", "aud": "familycard", "exp": past}),
                   settings).claim == "exp"
    assert refusal("Bearer " + signed({"sub": "x", "role": "admin", "aud": "other", "exp": later}),
                   settings).claim == "aud"
    e = refusal("Bearer " + signed({"role": "admin", "aud": "familycard", "exp": later}), settings)
    assert (str(e), e.claim) == ("the token has no 'sub' claim", "sub")


def test_a_malformed_header_or_an_unknown_key_has_no_claim(settings):
    e = refusal("Basic abc", settings)
    assert (e.kind, e.claim, e.value) == ("invalid_request", None, None)
    assert refusal("Bearer not-a-key", settings).claim is None


def test_issuing_a_token_for_an_unknown_role_names_it(settings):
    with pytest.raises(AuthError, match="role 'root' is not one of") as e:
        issue_token(settings, "x", "root", dt.timedelta(hours=1))  # type: ignore[arg-type]
    assert (e.value.claim, e.value.value) == ("role", "root")
    token = issue_token(settings, "x", "auditor", dt.timedelta(hours=1))
    assert authenticate("Bearer " + token, settings).role == "auditor"
