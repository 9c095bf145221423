"""How values look to a frontend, on both engines: date-times with their offset, amounts as
exact JSON numbers (in typed fields and saved-query rows alike), enums made from where their
values are defined, and Relay's `node(id:)` with the same roles, masking and access log as
the type's own query."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from api.family import ACCOUNT
from familycard.api import enums
from familycard.api.app import create_app
from familycard.api.types import UNKNOWN, decimal_number, json_value
from familycard.graph import model, rules, saved_queries, sweep
from familycard.graph.cards import people
from familycard.graph.flow import history, inbox, offers
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.sms.gateways import FileGateway
from familycard.schema import vocabulary
from familycard.settings import ROLES
from servers import gql, settings_for


@pytest.fixture
def client(store, family, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        yield c


def _consented(client, store, tmp_path) -> dict:
    """A birth offer to the mother, consented: an offer, an assignment and a payment order."""
    gql(client, """mutation { runSweep(asOf: "2026-11-25", benefits: ["birth"]) { __typename } }""", "admin")
    with FileGateway(tmp_path / "sms.jsonl") as gw:
        send_outbox(store, gw)
    out = gql(client, """mutation { receiveSmsReply(input: {from: "+77011234567", text: "Иә", id: "t-1",
      reason: "at the office"}) { ... on ReplyReceived { outcome decisions { offerId decision } } } }""",
              "caseworker")["data"]["receiveSmsReply"]
    assert out["outcome"] == "CONSENTED", out
    return out


CARD_IDS = """query($iin: String!) { familyCard(iin: $iin) { person { id }
  offers { edges { node { id status periodicity amountKzt deadline benefit { id kind periodicity } } } }
  assignments { id status periodicity amountKzt }
  payments { edges { node { id status amountKzt bankAccount createdAt } } } } }"""


# --- date-times ---------------------------------------------------------------------------

def test_date_times_are_utc_with_z_in_fields_and_saved_query_rows(client, family):
    q = """query($iin: String!) { citizen(iin: $iin) { recordedAt facts { edges { node { recordedAt } } } } }"""
    c = gql(client, q, "admin", iin=family.mother["iin"])["data"]["citizen"]
    # the feed said 2026-01-10T09:00:00Z; a browser's Date reads this text as that instant
    assert c["recordedAt"] == "2026-01-10T09:00:00Z"
    assert {e["node"]["recordedAt"] for e in c["facts"]["edges"]} == {"2026-01-10T09:00:00Z"}
    save = gql(client, """mutation { saveQuery(input: {name: "recorded", cypher:
      "MATCH (p:Person) WHERE p.iin = $iin RETURN p.recorded_at AS at, p.birth_date AS born",
      parameters: [{name: "iin", type: STRING}]}) { __typename ... on SavedQuery { createdAt } } }""", "auditor")
    created = save["data"]["saveQuery"]["createdAt"]
    assert created.endswith("Z") and abs(dt.datetime.fromisoformat(created) - dt.datetime.now(dt.UTC)) \
        < dt.timedelta(minutes=5)
    rows = gql(client, """mutation($a: JSON) { runSavedQuery(name: "recorded", arguments: $a) {
      ... on QueryResult { rows } } }""", "auditor", a={"iin": family.mother["iin"]})["data"]["runSavedQuery"]["rows"]
    assert rows == [{"at": "2026-01-10T09:00:00Z", "born": "1990-03-01"}]  # the same text as the typed field


def test_a_date_time_argument_needs_its_offset_and_kazakhstan_time_is_converted(client, family):
    gql(client, "query($iin: String!) { citizen(iin: $iin) { givenName } }", "frontend", iin=family.mother["iin"])
    q = "query($since: DateTime) { accessLog(since: $since) { totalCount edges { node { at } } } }"
    bare = gql(client, '{ accessLog(since: "2026-12-07T10:00:00") { totalCount } }', "admin")
    assert "give the offset (Z for UTC, +05:00 for Kazakhstan time)" in bare["errors"][0]["message"]
    assert bare.get("data") is None
    local = dt.timezone(dt.timedelta(hours=5))
    before = (dt.datetime.now(local) - dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    after = (dt.datetime.now(local) + dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    assert before.endswith("+05:00")
    # read as UTC, "an hour ago in Astana" would be four hours ahead: nothing would be found
    found = gql(client, q, "admin", since=before)["data"]["accessLog"]
    assert found["totalCount"] == 1 and found["edges"][0]["node"]["at"].endswith("Z")
    assert gql(client, q, "admin", since=after)["data"]["accessLog"]["totalCount"] == 0
    # a day that is not one is named, not "Unexpected error"
    day = gql(client, "query($iin: String!) { familyCard(iin: $iin) { dependants(asOf: \"2026-13-01\") { id } } }",
              "frontend", iin=family.mother["iin"])
    assert "Date '2026-13-01': not a day YYYY-MM-DD" in day["errors"][0]["message"]


# --- amounts --------------------------------------------------------------------------------

def test_amounts_are_exact_json_numbers_in_fields_and_saved_query_rows(client, store, family, tmp_path):
    q = "query($iin: String!) { citizen(iin: $iin) { facts(type: INCOME) { edges { node { amountKzt } } } } }"
    facts = gql(client, q, "auditor", iin=family.mother["iin"])["data"]["citizen"]["facts"]["edges"]
    assert [e["node"]["amountKzt"] for e in facts] == [300001, 300002, 300003]  # numbers, not "300001"
    _consented(client, store, tmp_path)
    card = gql(client, CARD_IDS, "admin", iin=family.mother["iin"])["data"]["familyCard"]
    pay = card["payments"]["edges"][0]["node"]["amountKzt"]
    assert isinstance(pay, int) and pay > 0 and card["assignments"][0]["amountKzt"] == pay
    gql(client, """mutation { saveQuery(input: {name: "paid", cypher:
      "MATCH (p:Payment) RETURN p.amount_kzt AS amount, sum(p.amount_kzt) AS total"}) { __typename } }""", "auditor")
    rows = gql(client, """mutation { runSavedQuery(name: "paid") { ... on QueryResult { rows } } }""",
               "auditor")["data"]["runSavedQuery"]["rows"]
    assert rows == [{"amount": pay, "total": pay}]  # a LadybugDB sum (a Decimal) too


def test_one_rule_for_decimals_exact_or_refused():
    assert decimal_number(Decimal("42500")) == 42500 and isinstance(decimal_number(Decimal("42500")), int)
    assert decimal_number(Decimal("12345.67")) == 12345.67
    assert decimal_number(Decimal("9999999999999.99")) == 9999999999999.99  # 15 digits: to the tiyn
    assert decimal_number(Decimal(2 ** 53)) == 2 ** 53
    # 16 digits (at 2^53/100 a double's step is 1/64 tenge): refused, not rounded
    for bad in (Decimal(2 ** 53 + 1), Decimal("90071992547409.91"), Decimal("0.12345678901234567891"), Decimal("NaN")):
        with pytest.raises(ValueError):
            decimal_number(bad)
    assert json_value({"a": [Decimal("1.50"), dt.datetime(2026, 12, 7, 11, 24, 50, 58900)]}) == \
        {"a": [1.5, "2026-12-07T11:24:50.058900Z"]}
    aware = dt.datetime(2026, 12, 7, 16, 24, 50, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert json_value(aware) == "2026-12-07T11:24:50Z"


# --- enums ----------------------------------------------------------------------------------

@pytest.mark.parametrize("enum, values", [
    (enums.OfferStatus, offers.STATUSES), (enums.PaymentStatus, model.PAYMENT_STATUSES),
    (enums.AssignmentStatus, model.ASSIGNMENT_STATUSES), (enums.Relation, set(people.RELATION.values())),
    (enums.BenefitKind, rules.KINDS), (enums.Periodicity, rules.PERIODICITIES),
    (enums.SavedQueryStatus, saved_queries.STATUSES), (enums.SweepMode, sweep.MODES),
    (enums.ReplyOutcome, inbox.OUTCOMES), (enums.Decision, inbox.DECISIONS),
    (enums.ParameterType, saved_queries.TYPES), (enums.FactType, vocabulary.FACT_TYPES), (enums.Role, ROLES),
    (enums.EventKind, history.KINDS)])
def test_each_enum_is_made_from_where_its_values_are_defined(enum, values):
    assert {m.value for m in enum if m.name != UNKNOWN} == set(values)
    assert all(m.name == m.value.upper() for m in enum if m.name != UNKNOWN)


def test_enums_are_answered_and_a_string_for_an_enum_is_refused(client, store, family, tmp_path):
    out = _consented(client, store, tmp_path)
    assert out["decisions"][0]["decision"] == "CONSENT"
    card = gql(client, CARD_IDS, "caseworker", iin=family.mother["iin"])["data"]["familyCard"]
    o = card["offers"]["edges"][0]["node"]
    assert (o["status"], o["periodicity"], o["benefit"]["kind"], o["benefit"]["periodicity"]) == \
        ("CONSENTED", "ONE_OFF", "BENEFIT", "ONE_OFF")
    assert o["deadline"].endswith("Z")
    assert (card["assignments"][0]["status"], card["payments"]["edges"][0]["node"]["status"]) == ("ACTIVE", "ORDERED")
    quoted = gql(client, """{ offers(filter: {status: "consented"}) { totalCount } }""", "auditor")
    assert "OfferStatus" in quoted["errors"][0]["message"]
    rel = gql(client, "query($iin: String!) { familyCard(iin: $iin) { relations(relation: SPOUSE) { relation } } }",
              "frontend", iin=family.mother["iin"])["data"]["familyCard"]["relations"]
    assert rel == [{"relation": "SPOUSE"}]


def test_an_unknown_stored_status_is_shown_as_unknown_and_the_list_still_comes(client, store, family, tmp_path):
    _consented(client, store, tmp_path)
    store.write("MATCH (o:Offer) SET o.status = 'paused_by_v9'")
    listed = gql(client, "{ offers { totalCount edges { node { status benefit { code } } } } }", "auditor")
    assert "errors" not in listed, listed
    assert [e["node"]["status"] for e in listed["data"]["offers"]["edges"]] == ["UNKNOWN"]
    refused = gql(client, "{ offers(filter: {status: UNKNOWN}) { totalCount } }", "auditor")
    assert "filter.status: UNKNOWN is how a status this version does not know is shown" in \
        refused["errors"][0]["message"]


# --- node -----------------------------------------------------------------------------------

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Citizen { iin givenName phone bankAccount }
  ... on Offer { offerStatus: status recipientIin phone }
  ... on Assignment { assignmentStatus: status subjectIin }
  ... on Payment { amountKzt bankAccount }
  ... on SavedQuery { name version }
  ... on Benefit { code kind } } }"""


def _ids(client, store, family, tmp_path) -> dict[str, str]:
    _consented(client, store, tmp_path)
    card = gql(client, CARD_IDS, "admin", iin=family.mother["iin"])["data"]["familyCard"]
    gql(client, """mutation { saveQuery(input: {name: "people", cypher: "MATCH (p:Person) RETURN count(p) AS n"}) {
      __typename } }""", "auditor")
    q = gql(client, """{ savedQuery(name: "people") { id } }""", "auditor")["data"]["savedQuery"]
    offer = card["offers"]["edges"][0]["node"]
    return {"Citizen": card["person"]["id"], "Offer": offer["id"], "Assignment": card["assignments"][0]["id"],
            "Payment": card["payments"]["edges"][0]["node"]["id"], "SavedQuery": q["id"],
            "Benefit": offer["benefit"]["id"]}


def test_node_fetches_every_kind_again_by_its_id_which_reveals_no_iin(client, store, family, tmp_path):
    ids = _ids(client, store, family, tmp_path)
    assert len(set(ids.values())) == len(ids)
    for typename, gid in ids.items():
        assert family.mother["iin"] not in gid and family.mother["iin"][:6] not in gid
        got = gql(client, NODE, "admin", id=gid)
        assert "errors" not in got, got
        assert (got["data"]["node"]["__typename"], got["data"]["node"]["id"]) == (typename, gid)
    assert gql(client, NODE, "admin", id=ids["Payment"])["data"]["node"]["bankAccount"] == ACCOUNT
    assert gql(client, NODE, None, id=ids["Benefit"])["data"]["node"] == {
        "__typename": "Benefit", "id": ids["Benefit"], "code": "birth", "kind": "BENEFIT"}


def test_node_applies_the_types_own_roles_and_masking(client, store, family, tmp_path):
    ids = _ids(client, store, family, tmp_path)
    # a frontend may not read saved queries: not through node either
    forbidden = gql(client, NODE, "frontend", id=ids["SavedQuery"])
    assert forbidden["data"]["node"] is None and forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for kind in ("Citizen", "Offer", "Assignment", "Payment"):
        anonymous = gql(client, NODE, None, id=ids[kind])
        assert anonymous["data"]["node"] is None
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", kind
    masked = "********" + family.mother["iin"][-4:]
    person = gql(client, NODE, "frontend", id=ids["Citizen"])["data"]["node"]
    assert (person["iin"], person["phone"], person["bankAccount"]) == (masked, "+7 701 *** ** 67", "KZ••")
    offer = gql(client, NODE, "frontend", id=ids["Offer"])["data"]["node"]
    assert (offer["recipientIin"], offer["phone"]) == (masked, "+7 701 *** ** 67")
    assert gql(client, NODE, "caseworker", id=ids["Payment"])["data"]["node"]["bankAccount"] == \
        "•" * 16 + ACCOUNT[-4:]
    # made up, or one type's id passed off as another's: refused, nobody decoded
    for bad in ("o_AAAA", "c_" + ids["Offer"][2:], "o_" + ids["Citizen"][2:], "x", family.mother["iin"]):
        err = gql(client, NODE, "admin", id=bad)
        assert err["data"]["node"] is None and "is not an id this API gave out" in err["errors"][0]["message"], bad


def test_a_person_read_through_node_is_in_the_access_log(client, store, family, tmp_path):
    ids = _ids(client, store, family, tmp_path)
    log = """query($iin: String) { accessLog(iin: $iin) { totalCount edges { node { actor fields operation } } } }"""
    before = gql(client, log, "admin", iin=family.mother["iin"])["data"]["accessLog"]["totalCount"]
    gql(client, "query ByNode($id: ID!) { node(id: $id) { ... on Citizen { iin phone } } }", "frontend",
        id=ids["Citizen"])
    gql(client, "query OfferByNode($id: ID!) { node(id: $id) { ... on Offer { status } } }", "frontend",
        id=ids["Offer"])
    rows = gql(client, log, "admin", iin=family.mother["iin"])["data"]["accessLog"]
    assert rows["totalCount"] == before + 2
    newest, older = rows["edges"][0]["node"], rows["edges"][1]["node"]
    assert older == {"actor": "key:frontend-app", "fields": ["iin", "phone"], "operation": "ByNode"}
    assert newest == {"actor": "key:frontend-app", "fields": ["status"], "operation": "OfferByNode"}


def test_an_argument_a_scalar_cannot_read_is_the_errors_value():
    from familycard.api.types import BadValue, _parse_date, _parse_datetime, _parse_decimal

    for parse, scalar, bad in [(_parse_datetime, "DateTime", "2026-12-07T10:00:00"), (_parse_datetime, "DateTime", 7),
                               (_parse_date, "Date", "2026-13-01"), (_parse_decimal, "Decimal", "12,5"),
                               (_parse_decimal, "Decimal", "Infinity"), (_parse_decimal, "Decimal", True)]:
        with pytest.raises(BadValue) as e:
            parse(bad)
        assert (e.value.scalar, e.value.value, e.value.code) == (scalar, bad, "BAD_USER_INPUT")
