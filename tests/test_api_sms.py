"""The SMS reply webhook: authenticated, validated, idempotent on the provider's id."""
from __future__ import annotations

import datetime as dt

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from familycard.api.app import create_app
from familycard.graph.gateways import FileGateway
from familycard.graph.ingest import ingest_lines
from familycard.graph.sms import send_outbox
from familycard.graph.sweep import daily_sweep
from familycard.settings import Settings
from feedmaker import iban, lines, link, person

AS_OF = dt.date(2026, 11, 25)
PHONE = "+77011234567"


@pytest.fixture
def client(ladybug_store, tmp_path):
    mother = person("1995-03-01", "F", phone=PHONE, bank_account=iban("1250000000000000"), address_id="A1")
    baby = person("2026-11-01", "M", address_id="A1")
    ingest_lines(ladybug_store, lines(mother, baby, link("PARENT_OF", mother, baby)), "feed", AS_OF)
    t0 = dt.datetime(2026, 11, 25, 4)
    daily_sweep(ladybug_store, AS_OF, ["birth"], now=lambda: t0)
    with FileGateway(tmp_path / "sms.jsonl") as gw:
        send_outbox(ladybug_store, gw, now=lambda: t0)
    settings = Settings(data_dir=tmp_path, webhook_token=SecretStr("s3cret"))
    with TestClient(create_app(settings, store=ladybug_store)) as c:
        yield c


AUTH = {"Authorization": "Bearer s3cret"}


def test_consent_by_webhook_and_a_redelivery_changes_nothing(client):
    body = {"from": "8 701 123 45 67", "text": "Иә", "id": "prov-77", "at": "2026-11-25T10:00:00+05:00"}
    r = client.post("/sms/inbound", json=body, headers=AUTH)
    assert r.status_code == 200 and r.json()["outcome"] == "consented" and r.json()["payment_orders"] == 1
    again = client.post("/sms/inbound", json=body, headers=AUTH)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"


def test_form_encoded_replies_are_accepted(client):
    r = client.post("/sms/inbound", data={"from": "+77770000009", "text": "да"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["outcome"] == "unknown_number"


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer wrong"}, 401)])
def test_without_the_token_nothing_is_read(client, headers, status):
    r = client.post("/sms/inbound", json={"from": PHONE, "text": "да"}, headers=headers)
    assert r.status_code == status


@pytest.mark.parametrize("body, where", [
    ({"text": "да"}, "'from'"), ({"from": PHONE}, "'text'"),
    ({"from": PHONE, "text": "да", "at": "yesterday"}, "'at': 'yesterday'"),
])
def test_a_bad_body_is_refused_naming_the_field(client, body, where):
    r = client.post("/sms/inbound", json=body, headers=AUTH)
    assert r.status_code == 422 and where in r.json()["error"]


@pytest.mark.parametrize("token", [None, SecretStr(""), SecretStr("  ")])
def test_the_webhook_is_closed_without_a_configured_token(ladybug_store, tmp_path, token):
    with TestClient(create_app(Settings(data_dir=tmp_path, webhook_token=token), store=ladybug_store)) as c:
        r = c.post("/sms/inbound", json={"from": PHONE, "text": "да"}, headers={"Authorization": "Bearer "})
    assert r.status_code == 503 and "FAMILYCARD_WEBHOOK_TOKEN" in r.json()["error"]


def test_a_refusal_by_webhook_can_be_taken_back_the_same_day(client):
    no = client.post("/sms/inbound", json={"from": PHONE, "text": "Не согласна", "id": "prov-1",
                                           "at": "2026-11-25T10:00:00+05:00"}, headers=AUTH)
    assert no.status_code == 200 and no.json()["outcome"] == "refused"
    yes = client.post("/sms/inbound", json={"from": PHONE, "text": "Иә, келісемін, рахмет", "id": "prov-2",
                                            "at": "2026-11-25T18:00:00+05:00"}, headers=AUTH)
    assert yes.status_code == 200 and yes.json()["outcome"] == "consented" and yes.json()["payment_orders"] == 1


def test_a_negated_yes_by_webhook_consents_nothing(client):
    r = client.post("/sms/inbound", json={"from": PHONE, "text": "не да", "id": "prov-3", "at": "2026-11-25T10:00:00+05:00"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["outcome"] == "clarify"


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00",
                                "1999-12-31T23:59:59Z", "2999-01-01T00:00:00+05:00"])
def test_a_reply_time_outside_a_sane_window_is_refused_naming_the_field_not_a_crash(client, at):
    """Times at the datetime limits overflowed converting to UTC: 500."""
    r = client.post("/sms/inbound", json={"from": PHONE, "text": "да", "at": at}, headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == f"'at': '{at}' is not between 2000-01-01 and a day from now (UTC)"


def test_a_body_past_the_apis_cap_is_refused_before_it_is_read_whole(ladybug_store, tmp_path):
    settings = Settings(data_dir=tmp_path, webhook_token=SecretStr("s3cret"), max_body_bytes=1000)
    with TestClient(create_app(settings, store=ladybug_store)) as c:
        big = {"from": PHONE, "text": "да" + " " * 2000}
        r = c.post("/sms/inbound", json=big, headers=AUTH)
        assert r.status_code == 413 and r.json()["error"] == "the request body is larger than 1000 bytes"

        def chunks():  # no content-length: counted as it arrives
            yield b'{"from": "+77011234567", "text": "'
            for _ in range(20):
                yield b" " * 100
            yield b'"}'
        r = c.post("/sms/inbound", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 413
        small = c.post("/sms/inbound", data={"from": "+77770000009", "text": "да"}, headers=AUTH)
        assert small.status_code == 200 and small.json()["outcome"] == "unknown_number"
