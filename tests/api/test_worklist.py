"""The caseworkers' worklist over GraphQL, on both engines: the tasks as each role sees them,
closing one with a note, and an answer a citizen gave in person to one offer (also one without
a phone), which must assign and order exactly as the same consent by SMS does."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from api.family import AS_OF
from familycard.api.app import create_app
from familycard.dates import utcnow
from familycard.graph.flow.inbox import NotAnswerable, answer, receive
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.flow.worklist import CLOSED, open_tasks, render, tasks
from familycard.graph.ingest import ingest_lines
from familycard.graph.sms.gateways import FileGateway
from familycard.graph.store import writes
from feedmaker import iban, lines, link, person
from servers import gql, settings_for

SMS_PHONE, DESK_PHONE = "+77011112233", "+77014445566"
STAFF = "caseworker key:caseworker-app"


class World:
    """Three mothers of a newborn (born the same day, alike in all but phone and account): one
    answers by SMS, one at the office, one has no phone (a NO_PHONE task)."""

    def __init__(self):
        def mother(n: int, **kw) -> tuple[dict, dict]:
            m = person("1994-04-04", "F", address_id=f"W{n}", bank_account=iban(f"12500000000000{n:02d}"), **kw)
            return m, person("2026-11-10", "M", address_id=f"W{n}")
        self.sms, self.sms_baby = mother(1, phone=SMS_PHONE)
        self.desk, self.desk_baby = mother(2, phone=DESK_PHONE)
        self.nophone, self.nophone_baby = mother(3)
        self.records = [self.sms, self.sms_baby, self.desk, self.desk_baby, self.nophone, self.nophone_baby,
                        link("PARENT_OF", self.sms, self.sms_baby), link("PARENT_OF", self.desk, self.desk_baby),
                        link("PARENT_OF", self.nophone, self.nophone_baby)]


@pytest.fixture
def world(store, tmp_path) -> World:
    w = World()
    assert ingest_lines(store, lines(*w.records), "feed", AS_OF).rejected == 0
    return w


@pytest.fixture
def client(store, world, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        swept = gql(c, f'mutation {{ runSweep(asOf: "{AS_OF}", benefits: ["birth"]) {{ '
                       '... on SweepReport { offered smsQueued worklisted } } }', "admin")["data"]["runSweep"]
        assert swept == {"offered": 3, "smsQueued": 2, "worklisted": 1}
        with FileGateway(tmp_path / "sms.jsonl") as gw:
            send_outbox(store, gw)
        yield c


TASKS = """query($filter: TaskFilter, $first: Int) { worklist(filter: $filter, first: $first) {
  totalCount edges { node { id reason reasonText { kk ru en } detail status createdAt closedAt closedBy note
                            benefit { code } citizen { iin givenName } offer { id status phone } } } } }"""
CLOSE = """mutation($id: ID!, $note: String!) { closeTask(input: {taskId: $id, note: $note}) {
  __typename ... on TaskClosed { task { id status closedAt closedBy note reason } }
  ... on InvalidInput { message field } } }"""
ANSWER = """mutation($id: ID!, $decision: Decision!, $reason: String!, $entry: String) {
  answerOffer(input: {offerId: $id, decision: $decision, reason: $reason, id: $entry}) {
    __typename ... on OfferAnswered { decision paymentOrders repliesQueued
                                      offer { id status history { kind cause enteredBy } } }
    ... on InvalidInput { message field } } }"""
CARD = """query($iin: String!) { familyCard(iin: $iin) {
  offers { edges { node { id status history { kind cause detail enteredBy } } } }
  assignments { status periodicity amountKzt assignedOn event benefit { code } }
  payments { edges { node { amountKzt month status benefit { code } } } } } }"""
LOG = """query($iin: String) { accessLog(iin: $iin) { totalCount edges { node { role operation fields } } } }"""


def _tasks(client, role="caseworker", **filter_):
    return gql(client, TASKS, role, filter=filter_ or None)


def _offer_id(client, iin: str) -> str:
    [edge] = gql(client, CARD, "caseworker", iin=iin)["data"]["familyCard"]["offers"]["edges"]
    return edge["node"]["id"]


# --- the list ---------------------------------------------------------------------------------

def test_the_worklist_shows_a_no_phone_task_with_its_person_and_offer_and_logs_the_person(client, world):
    listed = _tasks(client)["data"]["worklist"]
    assert listed["totalCount"] == 1
    t = listed["edges"][0]["node"]
    assert (t["reason"], t["status"], t["benefit"], t["closedAt"], t["closedBy"], t["note"]) == (
        "NO_PHONE", "OPEN", {"code": "birth"}, None, None, None)
    assert t["reasonText"]["en"] == "no phone in the registry: offer in person"
    assert t["reasonText"]["ru"].startswith("в реестре нет телефона") and t["reasonText"]["kk"].startswith("тізілімде")
    assert t["citizen"] == {"iin": world.nophone["iin"], "givenName": "Айгүл"}
    assert t["offer"]["status"] == "OPEN" and t["offer"]["phone"] is None
    assert world.nophone["iin"] not in t["id"] and t["id"].startswith("t_")
    # the person a task shows is in the access log, under the operation that showed her
    log = gql(client, LOG, "admin", iin=world.nophone["iin"])["data"]["accessLog"]
    assert {e["node"]["operation"] for e in log["edges"]} == {"worklist"}
    assert "edges.node.citizen.iin" in log["edges"][0]["node"]["fields"]
    # filters: each narrows; a benefit that is not one is named
    assert _tasks(client, reason="NO_PHONE", addressId="W3", benefit="birth")["data"]["worklist"]["totalCount"] == 1
    for f in ({"reason": "INVALID_PHONE"}, {"addressId": "W1"}, {"benefit": "burial"}, {"status": "CLOSED"}):
        got = _tasks(client, **f)
        assert got.get("data") and got["data"]["worklist"]["totalCount"] == 0, (f, got)
    assert "filter.benefit: 'pony' is not one of" in _tasks(client, benefit="pony")["errors"][0]["message"]
    assert "UNKNOWN" in _tasks(client, reason="UNKNOWN")["errors"][0]["message"]
    assert gql(client, TASKS, "caseworker", first=101)["errors"][0]["message"] == "first: 101 is not between 0 and 100"
    # by its id too, for staff
    again = gql(client, "query($id: ID!) { node(id: $id) { ... on Task { reason citizen { givenName } } } }",
                "auditor", id=t["id"])["data"]["node"]
    assert again == {"reason": "NO_PHONE", "citizen": {"givenName": "Айгүл"}}


@pytest.mark.parametrize("role,code", [("frontend", "FORBIDDEN"), (None, "UNAUTHENTICATED")])
def test_the_worklist_is_staff_only(client, role, code):
    assert _tasks(client, role)["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("role,iin,phone,account", [
    ("caseworker", True, "+77011112233", "'••••••••••••••••0001'"),
    ("auditor", True, "+7 701 *** ** 33", None),
    ("admin", True, "+77011112233", None),
])
def test_a_task_detail_is_masked_as_the_role_sees_iins_phones_and_accounts(client, store, world, role, iin, phone,
                                                                          account):
    """The detail is the flow's text: it can quote a phone, an account, another person's IIN."""
    text = (f"answered by SMS from {SMS_PHONE}; bank account '{world.sms['bank_account']}'; "
            f"the right now goes to {world.desk['iin']}")
    store.transaction(lambda tx: writes.insert_new(tx, "Task", [{
        "key": "test|detail", "iin": world.sms["iin"], "code": "birth", "ref": "none", "reason": "shared_phone",
        "detail": text, "status": "open", "created_at": utcnow()}]))
    [t] = [e["node"] for e in _tasks(client, role, reason="SHARED_PHONE")["data"]["worklist"]["edges"]]
    assert (world.desk["iin"] in t["detail"]) is iin
    assert phone in t["detail"] and (account or f"'{world.sms['bank_account']}'") in t["detail"]
    assert t["offer"] is None  # its ref names no offer


# --- closing a task ---------------------------------------------------------------------------

def test_a_caseworker_closes_a_task_with_a_note_once_and_the_cli_lists_it_no_more(client, store, world):
    [t] = [e["node"] for e in _tasks(client)["data"]["worklist"]["edges"]]
    for role in ("frontend", "auditor"):
        refused = gql(client, CLOSE, role, id=t["id"], note="x")
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    bad = {"": "note: say what was done", "   ": "note: say what was done",
           "line one\nline two": "note: control character U+000A at position 9",
           "ok \u202eevil": "note: control character U+202E at position 4",
           "x" * 501: "note: at most 500 characters, not 501"}
    for note, message in bad.items():
        out = gql(client, CLOSE, "caseworker", id=t["id"], note=note)["data"]["closeTask"]
        assert (out["__typename"], out["field"]) == ("InvalidInput", "note") and out["message"].startswith(message)
    forged = gql(client, CLOSE, "caseworker", id="t_AAAA", note="x")["data"]["closeTask"]
    assert forged == {"__typename": "InvalidInput", "message": "taskId: 't_AAAA' is not a task id this API gave out",
                      "field": "taskId"}
    offer_id = t["offer"]["id"]  # an offer's id is no task's
    assert gql(client, CLOSE, "caseworker", id=offer_id, note="x")["data"]["closeTask"]["field"] == "taskId"

    closed = gql(client, CLOSE, "caseworker", id=t["id"], note="  called her sister: she comes Monday  ")
    task = closed["data"]["closeTask"]["task"]
    assert (task["status"], task["closedBy"], task["note"], task["reason"]) == (
        "CLOSED", STAFF, "called her sister: she comes Monday", "NO_PHONE")
    assert task["closedAt"].endswith("Z")
    again = gql(client, CLOSE, "admin", id=t["id"], note="again")["data"]["closeTask"]
    assert again["__typename"] == "InvalidInput"
    assert again["message"].startswith("taskId: the task is closed on ") and f"by {STAFF}" in again["message"]
    assert _tasks(client)["data"]["worklist"]["totalCount"] == 0
    [shown] = [e["node"] for e in _tasks(client, status="CLOSED")["data"]["worklist"]["edges"]]
    assert (shown["closedBy"], shown["note"]) == (STAFF, "called her sister: she comes Monday")
    assert _tasks(client, status=None)["data"]["worklist"]["totalCount"] == 1
    assert open_tasks(store) == []  # `familycard worklist` lists open tasks: this one is done
    printed = render(tasks(store, status=CLOSED))  # `familycard worklist --closed`
    assert f"by {STAFF}: called her sister: she comes Monday" in printed and "1 closed: 1 no_phone" in printed
    log = gql(client, LOG, "admin", iin=world.nophone["iin"])["data"]["accessLog"]["edges"]
    assert "closeTask" in {e["node"]["operation"] for e in log}


# --- answers given in person ------------------------------------------------------------------

def _same(card: dict) -> tuple:
    """What a consent made, as a person reads it (keys and accounts differ between the mothers)."""
    return card["assignments"], [e["node"] for e in card["payments"]["edges"]]


def test_an_answer_in_person_assigns_and_orders_exactly_as_the_same_consent_by_sms(client, store, world):
    by_sms = receive(store, SMS_PHONE, "Иә")
    assert (by_sms.outcome, by_sms.orders) == ("consented", 1)
    desk = _offer_id(client, world.desk["iin"])
    reason = "  came to the office with her ID card  "
    out = gql(client, ANSWER, "caseworker", id=desk, decision="CONSENT", reason=reason, entry="desk-1")
    answered = out["data"]["answerOffer"]
    assert (answered["decision"], answered["paymentOrders"], answered["repliesQueued"]) == ("CONSENT", 1, 1)
    assert answered["offer"]["status"] == "CONSENTED"

    sms_card = gql(client, CARD, "caseworker", iin=world.sms["iin"])["data"]["familyCard"]
    desk_card = gql(client, CARD, "caseworker", iin=world.desk["iin"])["data"]["familyCard"]
    assert _same(desk_card) == _same(sms_card)
    assert desk_card["assignments"][0]["status"] == "ACTIVE" and len(desk_card["payments"]["edges"]) == 1
    # the history tells who typed it in and why; the SMS consent has no one's name on it
    desk_history = desk_card["offers"]["edges"][0]["node"]["history"]
    sms_history = sms_card["offers"]["edges"][0]["node"]["history"]
    assert [h["kind"] for h in desk_history] == [h["kind"] for h in sms_history] == ["OFFERED", "CONSENTED",
                                                                                    "ASSIGNED"]
    consented = desk_history[1]
    assert consented["enteredBy"] == STAFF
    assert consented["cause"] == (f"entered by {STAFF}: answer given in person (came to the office with her ID "
                                  "card): consent")
    assert "answered in person" in consented["detail"]
    assert [h["enteredBy"] for h in sms_history] == [None, None, None]
    assert sms_history[1]["cause"].startswith("SMS from +7 701 *** ** 33")

    # the same entry again changes nothing; a second answer is refused, naming the status
    again = gql(client, ANSWER, "caseworker", id=desk, decision="CONSENT", reason="again", entry="desk-1")
    assert {k: again["data"]["answerOffer"][k] for k in ("decision", "paymentOrders", "repliesQueued")} == {
        "decision": "CONSENT", "paymentOrders": 0, "repliesQueued": 0}
    assert len(gql(client, CARD, "caseworker", iin=world.desk["iin"])["data"]["familyCard"]["payments"]["edges"]) == 1
    other = gql(client, ANSWER, "caseworker", id=desk, decision="REFUSAL", reason="changed her mind", entry="desk-2")
    assert other["data"]["answerOffer"] == {"__typename": "InvalidInput", "field": "offerId",
                                            "message": "offerId: the offer is consented: only an open offer can be "
                                                       "answered"}
    log = gql(client, LOG, "admin", iin=world.desk["iin"])["data"]["accessLog"]["edges"]
    assert "answerOffer" in {e["node"]["operation"] for e in log}


def test_an_answer_in_person_to_an_offer_without_a_phone_orders_and_closes_its_task(client, store, world):
    [t] = [e["node"] for e in _tasks(client)["data"]["worklist"]["edges"]]
    out = gql(client, ANSWER, "admin", id=t["offer"]["id"], decision="CONSENT", reason="no phone: came in person")
    answered = out["data"]["answerOffer"]
    assert (answered["decision"], answered["paymentOrders"], answered["repliesQueued"]) == ("CONSENT", 1, 0)
    assert [h["kind"] for h in answered["offer"]["history"]] == ["OFFERED", "WORKLISTED", "CONSENTED", "ASSIGNED"]
    assert answered["offer"]["history"][2]["enteredBy"] == "admin key:admin-app"
    assert _tasks(client)["data"]["worklist"]["totalCount"] == 0
    [closed] = [e["node"] for e in _tasks(client, status="CLOSED")["data"]["worklist"]["edges"]]
    assert (closed["closedBy"], closed["note"]) == ("admin key:admin-app", "answered in person: consent")
    card = gql(client, CARD, "caseworker", iin=world.nophone["iin"])["data"]["familyCard"]
    assert card["assignments"][0]["status"] == "ACTIVE" and len(card["payments"]["edges"]) == 1


def test_a_refusal_in_person_can_be_taken_back_and_bad_answers_are_refused_naming_why(client, store, world):
    desk = _offer_id(client, world.desk["iin"])
    for role in ("frontend", "auditor"):
        refused = gql(client, ANSWER, role, id=desk, decision="CONSENT", reason="x")
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    bad = [({"decision": "WITHDRAWN"}, "decision", "decision: WITHDRAWN is not an answer"),
           ({"reason": " "}, "reason", "reason: say why"),
           ({"reason": "at\x1bthe office"}, "reason", "reason: control character U+001B at position 3"),
           ({"reason": "x" * 501}, "reason", "reason: at most 500 characters"),
           ({"id": "o_AAAA"}, "offerId", "offerId: 'o_AAAA' is not an offer id"),
           ({"entry": "a\nb"}, "id", "id: control character")]
    for change, field, message in bad:
        v = {"id": desk, "decision": "CONSENT", "reason": "at the office"} | change
        out = gql(client, ANSWER, "caseworker", **v)["data"]["answerOffer"]
        assert (out["__typename"], out["field"]) == ("InvalidInput", field) and out["message"].startswith(message)

    no = gql(client, ANSWER, "caseworker", id=desk, decision="REFUSAL", reason="does not want it")["data"]
    assert (no["answerOffer"]["decision"], no["answerOffer"]["offer"]["status"]) == ("REFUSAL", "REFUSED")
    assert no["answerOffer"]["repliesQueued"] == 1  # the SMS confirming it, which says how to take it back
    twice = gql(client, ANSWER, "caseworker", id=desk, decision="REFUSAL", reason="again")["data"]["answerOffer"]
    assert twice["message"] == "offerId: the offer is refused: only an open offer can be answered"
    # within 24 hours a consent takes the refusal back, as an SMS consent would
    yes = gql(client, ANSWER, "caseworker", id=desk, decision="CONSENT", reason="changed her mind at the desk")
    back = yes["data"]["answerOffer"]
    assert (back["decision"], back["paymentOrders"], back["offer"]["status"]) == ("CONSENT", 1, "CONSENTED")
    assert [h["kind"] for h in back["offer"]["history"]] == ["OFFERED", "REFUSED", "REOPENED", "CONSENTED",
                                                            "ASSIGNED"]
    assert {h["enteredBy"] for h in back["offer"]["history"][1:4]} == {STAFF}


def test_an_answer_in_person_after_the_deadline_finds_the_offer_lapsed_as_a_late_sms_would(client, store, world):
    [o] = store.read("MATCH (o:Offer) WHERE o.phone = $p RETURN o.key AS key, o.deadline AS deadline",
                     {"p": DESK_PHONE})
    late = o["deadline"] + dt.timedelta(minutes=1)
    with pytest.raises(NotAnswerable, match="^the offer is lapsed: only an open offer can be answered$"):
        answer(store, o["key"], "consent", entered_by=STAFF, reason="came too late", at=late)
    # a refused answer writes nothing, the lapse it found included: the next sweep lapses the offer as ever
    assert store.read("MATCH (o:Offer {key: $k}) RETURN o.status AS s", {"k": o["key"]}) == [{"s": "open"}]
    with pytest.raises(NotAnswerable, match="^there is no such offer$"):
        answer(store, "birth|000000000000||2026-11-10", "consent", entered_by=STAFF, reason="x")
    done = answer(store, o["key"], "refusal", entered_by=STAFF, reason="at the desk", entry_id="e-1")
    assert done.decisions == {o["key"]: "refusal"}
    [other] = store.read("MATCH (o:Offer) WHERE o.phone = $p RETURN o.key AS key", {"p": SMS_PHONE})
    with pytest.raises(NotAnswerable, match="^this id was given to an answer to another offer$"):
        answer(store, other["key"], "refusal", entered_by=STAFF, reason="at the desk", entry_id="e-1")


def test_an_answer_typed_in_by_phone_number_names_who_entered_it_too(client, world):
    reply = """mutation { receiveSmsReply(input: {from: "+77011112233", text: "Иә", reason: "called the hotline"}) {
      __typename } }"""
    assert gql(client, reply, "caseworker")["data"]["receiveSmsReply"]["__typename"] == "ReplyReceived"
    history = gql(client, CARD, "auditor", iin=world.sms["iin"])["data"]["familyCard"]["offers"]["edges"][0]
    assert [(h["kind"], h["enteredBy"]) for h in history["node"]["history"]] == [
        ("OFFERED", None), ("CONSENTED", STAFF), ("ASSIGNED", None)]
