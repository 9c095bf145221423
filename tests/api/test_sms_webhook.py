"""The SMS reply webhook: authenticated, validated, idempotent on the provider's id."""
from __future__ import annotations

import datetime as dt

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from familycard.api.app import create_app
from familycard.dates import utcnow
from familycard.graph.flow.history import history, render
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.ingest import ingest_lines
from familycard.graph.sms.gateways import FileGateway
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
    r = client.post("/sms/inbound", json={"from": PHONE, "text": "не да", "id": "prov-3",
                                          "at": "2026-11-25T10:00:00+05:00"}, headers=AUTH)
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


# --- answers given in person, typed in by staff ------------------------------------------------

CASEWORKER_KEY = "key-of-ann"
STAFF_REPLY = """mutation($from: String!, $reason: String!) {
  receiveSmsReply(input: {from: $from, text: "Иә", reason: $reason}) {
    __typename ... on ReplyReceived { outcome paymentOrders } ... on InvalidInput { field message } } }"""


@pytest.fixture
def staff_client(store, tmp_path):
    mother = person("1995-03-01", "F", phone=PHONE, bank_account=iban("1250000000000000"), address_id="A1")
    baby = person("2026-11-01", "M", address_id="A1")
    ingest_lines(store, lines(mother, baby, link("PARENT_OF", mother, baby)), "feed", AS_OF)
    t0 = utcnow() - dt.timedelta(hours=1)  # staff enter answers now: the offer must still be open
    daily_sweep(store, AS_OF, ["birth"], now=lambda: t0)
    with FileGateway(tmp_path / "sms.jsonl") as gw:
        send_outbox(store, gw, now=lambda: t0)
    settings = Settings(data_dir=tmp_path, webhook_token=SecretStr("s3cret"),
                        api_keys={"ann": {"role": "caseworker", "key": CASEWORKER_KEY}})
    with TestClient(create_app(settings, store=store)) as c:
        yield c, mother


def _staff(client, **variables):
    r = client.post("/graphql", json={"query": STAFF_REPLY, "variables": {"from": PHONE, **variables}},
                    headers={"Authorization": f"Bearer {CASEWORKER_KEY}"})
    return r.json()


def test_an_answer_a_caseworker_enters_is_recorded_as_theirs_not_as_the_citizens_sms(staff_client, store):
    client, mother = staff_client
    assert _staff(client, reason="  ")["data"]["receiveSmsReply"] == {
        "__typename": "InvalidInput", "field": "reason",
        "message": "reason: say why the answer is entered by staff (given in person)"}
    r = client.post("/graphql", json={"query": 'mutation { receiveSmsReply(input: {from: "PHONE", text: "Иә"}) '
                                               '{ __typename } }'.replace("PHONE", PHONE)},
                    headers={"Authorization": f"Bearer {CASEWORKER_KEY}"})
    assert "reason" in r.json()["errors"][0]["message"]  # the schema requires one
    out = _staff(client, reason="came to the office with her ID card")["data"]["receiveSmsReply"]
    assert (out["outcome"], out["paymentOrders"]) == ("CONSENTED", 1)
    [m] = store.read("MATCH (m:Message) WHERE m.direction = 'in' RETURN m.channel AS channel, "
                     "m.entered_by AS entered_by, m.reason AS reason")
    assert m == {"channel": "staff", "entered_by": "caseworker key:ann",
                 "reason": "came to the office with her ID card"}
    consent = [e for e in history(store, mother["iin"]) if e["kind"] in ("replied", "consented")]
    assert {e["cause"] for e in consent} == {
        "entered by caseworker key:ann: answer given in person (came to the office with her ID card): 'Иә'"}
    assert "SMS from" not in render(history(store, mother["iin"])).split("consented")[1]


def test_a_reply_the_gateway_delivers_is_recorded_as_an_sms(staff_client, store):
    client, mother = staff_client
    r = client.post("/sms/inbound", json={"from": PHONE, "text": "Иә", "id": "prov-1"}, headers=AUTH)
    assert r.json()["outcome"] == "consented"
    [m] = store.read("MATCH (m:Message) WHERE m.direction = 'in' RETURN m.channel AS channel, "
                     "m.entered_by AS entered_by, m.reason AS reason")
    assert m == {"channel": "sms", "entered_by": None, "reason": None}
    [e] = [e for e in history(store, mother["iin"]) if e["kind"] == "consented"]
    assert e["cause"] == "SMS from +7 701 *** ** 67: 'Иә'"


def test_a_staff_entry_without_a_reason_is_refused_by_the_inbox_itself(ladybug_store):
    with pytest.raises(ValueError, match="needs a reason"):
        receive(ladybug_store, PHONE, "Иә", entered_by="caseworker ann")


def test_a_store_made_before_staff_entries_gets_their_columns_when_opened(tmp_path):
    import ladybug

    from familycard.graph import model
    from familycard.graph.store import dialect
    from familycard.graph.store.ladybug import DB_FILE, LadybugStore

    old = model.Table("Message", tuple(c for c in model.MESSAGE.columns
                                       if c[0] not in ("channel", "entered_by", "reason")))
    (tmp_path / "g").mkdir()
    db = ladybug.Database(str(tmp_path / "g" / DB_FILE))
    conn = ladybug.Connection(db)
    conn.execute(dialect.ladybug_ddl([old])[0])
    conn.execute("CREATE (:Message {key: 'in|x', direction: 'in'})")
    del conn, db
    with LadybugStore(tmp_path / "g") as s:
        s.setup_schema()
        assert s.read("MATCH (m:Message) RETURN m.key AS key, m.channel AS channel") == [
            {"key": "in|x", "channel": None}]
        s.setup_schema()  # and again: nothing left to add
