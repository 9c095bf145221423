"""``viewer``: who the server takes the caller to be, for each kind of token; refused without one
or with one it does not accept; nothing read, so nothing in the access log."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from familycard.api.app import create_app
from familycard.api.auth import issue_token
from servers import KEYS, gql, settings_for

VIEWER = "{ viewer { role subject } }"


@pytest.fixture
def client(store, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        yield c


@pytest.mark.parametrize("role", list(KEYS))
def test_an_api_key_is_told_its_role_and_its_name_never_the_key(client, role):
    body = gql(client, VIEWER, role)
    assert body == {"data": {"viewer": {"role": role.upper(), "subject": f"key:{role}-app"}}}
    assert KEYS[role] not in str(body)


def test_a_jwt_is_told_its_role_and_its_subject_as_issued(client, tmp_path):
    token = issue_token(settings_for(tmp_path), "ann.k", "auditor", dt.timedelta(hours=1))
    assert gql(client, VIEWER, token=token)["data"] == {"viewer": {"role": "AUDITOR", "subject": "ann.k"}}


def test_without_a_token_or_with_one_the_server_does_not_accept_it_is_refused(client, tmp_path):
    anonymous = gql(client, VIEWER)
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    expired = issue_token(settings_for(tmp_path), "ann", "caseworker", dt.timedelta(hours=1),
                          now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    for bad in ("not-a-key", expired):
        r = client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401 and bad not in r.text
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_asking_who_one_is_shows_no_one_so_logs_no_one(client):
    gql(client, VIEWER, "caseworker")
    log = gql(client, "{ accessLog { totalCount } }", "admin")
    assert log["data"]["accessLog"]["totalCount"] == 0
