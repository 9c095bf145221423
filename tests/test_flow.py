"""From entitlement to payment on both engines: offers, SMS, replies, lapses, assignment,
payment orders, worklist and audit, as a citizen and a caseworker see them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from familycard.graph import flow
from familycard.graph.audit import history
from familycard.graph.gateways import FileGateway
from familycard.graph.inbox import receive
from familycard.graph.ingest import ingest_lines
from familycard.graph.payment_files import validate_pain001
from familycard.graph.payments import pay_month
from familycard.graph.rules import load_rules
from familycard.graph.sms import send_outbox
from familycard.graph.sweep import daily_sweep
from familycard.graph.worklist import open_tasks
from feedmaker import fact, iban, lines, link, person

AS_OF = dt.date(2026, 11, 25)
T0 = dt.datetime(2026, 11, 25, 4, 0)  # 09:00 in Astana
PHONE = "+77011234567"


@pytest.fixture
def family(store):
    """A mother with a phone and an account and a baby born this month (birth + childcare:
    two offers to one phone); a mother without a phone; a mother without an account."""
    mother = person("1995-03-01", "F", phone=PHONE, bank_account=iban("1250000000000000"), address_id="A1")
    baby = person("2026-11-01", "M", address_id="A1")
    no_phone = person("1996-04-02", "F", address_id="A2", bank_account=iban("1250000000000001"))
    baby2 = person("2026-10-20", "F", address_id="A2")
    no_account = person("1994-05-03", "F", phone="+77021234567", address_id="A3")
    baby3 = person("2026-10-10", "M", address_id="A3")
    feed = [mother, baby, no_phone, baby2, no_account, baby3,
            link("PARENT_OF", mother, baby), link("PARENT_OF", no_phone, baby2),
            link("PARENT_OF", no_account, baby3)]
    # incomes well above the poverty line: no targeted assistance in these households
    feed += [fact(m, "income", f"2026-{k:02d}-01", source="KGD", month=f"2026-{k:02d}", amount_kzt=900_000)
             for m in (mother, no_phone, no_account) for k in range(5, 13)]
    summary = ingest_lines(store, lines(*feed), "family", AS_OF)
    assert summary.rejected == 0
    return {"mother": mother["iin"], "baby": baby["iin"], "no_phone": no_phone["iin"],
            "no_account": no_account["iin"]}


def _clock(t):
    return lambda: t


def _offers(store, iin=None):
    return store.read("MATCH (o:Offer) " + ("WHERE o.iin = $iin " if iin else "") +
                      "RETURN o.key AS key, o.code AS code, o.status AS status, o.number AS number, "
                      "o.attempt AS attempt, o.deadline AS deadline ORDER BY o.key", {"iin": iin} if iin else None)


def _flow_state(store):
    out = {}
    for label in ("Offer", "Message", "Assignment", "Payment", "Task", "Event"):
        out[label] = sorted(json.dumps(r["n"], default=str, sort_keys=True)
                            for r in store.read(f"MATCH (n:{label}) RETURN n.key AS n"))
    return out


def _sweep(store, at=T0, as_of=AS_OF):
    return daily_sweep(store, as_of, now=_clock(at))


def _send(store, tmp_path, at=T0):
    with FileGateway(tmp_path / "sms.jsonl") as gw:
        return send_outbox(store, gw, now=_clock(at))


def _sms_lines(tmp_path):
    return [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]


def test_each_right_is_offered_once_and_a_rerun_of_the_day_changes_nothing(store, family):
    first = _sweep(store)
    assert first.offers.offered == 6  # birth + childcare for each of the three babies
    before = _flow_state(store)
    again = _sweep(store, T0 + dt.timedelta(hours=1))
    assert again.offers.offered == 0 and again.offers.already == 6
    after = _flow_state(store)
    assert after == before
    mine = _offers(store, family["mother"])
    assert [(o["code"], o["status"], o["number"]) for o in mine] == [("birth", "open", 1), ("childcare_1_5", "open", 2)]


def test_offer_sms_is_in_kazakh_and_russian_from_1414_with_its_number_and_amount(store, family, tmp_path):
    _sweep(store)
    sent = _send(store, tmp_path)
    assert sent.sent == 4 and sent.failed == 0  # the mother without a phone gets none
    mine = [m for m in _sms_lines(tmp_path) if m["to"] == PHONE]
    assert {m["from"] for m in mine} == {"1414"}
    birth = next(m for m in mine if "offer|birth|" in m["key"])
    kk, ru = birth["text"].split("\n")
    rule = load_rules(["birth"])[0]
    assert kk.startswith("№1. ") and "«1 иә»" in kk and rule.title["kk"] in kk
    assert ru.startswith("№1. ") and "«1 да»" in ru and rule.title["ru"] in ru and "₸" in ru
    # deadline: 72 hours from the SMS
    assert all(o["deadline"] == T0 + dt.timedelta(hours=72) for o in _offers(store, family["mother"]))


def test_no_phone_puts_the_right_on_the_worklist_not_in_the_bin(store, family):
    _sweep(store)
    tasks = open_tasks(store)
    assert {(t["iin"], t["reason"]) for t in tasks} == {(family["no_phone"], "no_phone")}
    assert {o["status"] for o in _offers(store, family["no_phone"])} == {"open"}


def test_a_crash_after_the_gateway_took_the_batch_resends_it_without_a_second_sms(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    # As if the process died after the gateway call and before marking: back to queued.
    store.transaction(lambda tx: flow.patch(tx, "Message", [
        {"key": r["key"], "status": "queued"} for r in store.read("MATCH (m:Message) RETURN m.key AS key")]))
    again = _send(store, tmp_path)
    assert again.sent == 4 and again.resent == 4
    keys = [m["key"] for m in _sms_lines(tmp_path)]
    assert len(keys) == len(set(keys)) == 4


def test_numbered_consent_assigns_and_orders_the_payment_and_a_refusal_is_recorded(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=3)
    out = receive(store, "8 701 123 45 67", "1 иә", at=at)
    assert out.outcome == "consented" and out.orders == 1
    a = store.read("MATCH (a:Assignment) RETURN a.code AS code, a.assigned_on AS day, a.status AS status")
    assert a == [{"code": "birth", "day": dt.date(2026, 11, 25), "status": "active"}]
    p = store.read("MATCH (p:Payment) RETURN p.month AS month, p.amount_kzt AS amount, p.iin AS iin, p.key AS key")
    assert len(p) == 1 and p[0]["iin"] == family["mother"] and p[0]["month"] == "2026-11" and p[0]["amount"] > 0
    assert p[0]["key"].endswith("|once")
    out2 = receive(store, PHONE, "2 ЖОҚ!", at=at + dt.timedelta(minutes=5))
    assert out2.outcome == "refused"
    assert {o["code"]: o["status"] for o in _offers(store, family["mother"])} == \
        {"birth": "consented", "childcare_1_5": "refused"}
    # no offer is open any more: a further "да" gets the polite answer
    assert receive(store, PHONE, "да", at=at + dt.timedelta(minutes=9)).outcome == "no_offer"


def test_a_bare_answer_to_two_offers_gets_one_clarifying_sms_listing_them(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    first = receive(store, PHONE, "Да", at=at)
    assert first.outcome == "clarify" and len(first.answered_with) == 1
    text = store.read("MATCH (m:Message {key: $k}) RETURN m.text AS t", {"k": first.answered_with[0]})[0]["t"]
    assert "1 —" in text and "2 —" in text and "«все да»" in text
    second = receive(store, PHONE, "ну да", at=at + dt.timedelta(minutes=1))
    assert second.outcome == "unclear_again" and second.answered_with == []
    # then "все да" answers both
    third = receive(store, PHONE, "все да", at=at + dt.timedelta(minutes=2))
    assert third.outcome == "consented" and len(third.decisions) == 2


def test_a_reply_from_an_unknown_number_is_logged_and_answered_politely_once_a_day(store, family):
    at = T0 + dt.timedelta(hours=1)
    a = receive(store, "+77770000001", "да", at=at)
    b = receive(store, "+77770000001", "да?", at=at + dt.timedelta(minutes=1))
    assert a.outcome == b.outcome == "unknown_number"
    assert len(a.answered_with) == 1 and b.answered_with == []
    assert store.read("MATCH (m:Message) WHERE m.direction = 'in' RETURN count(m) AS n")[0]["n"] == 2


def test_the_same_delivery_twice_changes_nothing(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=2)
    receive(store, PHONE, "1 да", at=at, message_id="prov-1")
    before = _flow_state(store)
    again = receive(store, PHONE, "1 да", at=at, message_id="prov-1")
    assert again.outcome == "duplicate"
    assert _flow_state(store) == before


def test_no_answer_in_72_hours_lapses_then_one_more_offer_then_never_again(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    day3 = T0 + dt.timedelta(hours=72, minutes=1)
    s = _sweep(store, day3, AS_OF + dt.timedelta(days=3))
    # the no-phone mother's offers were never sent, so they have no clock to run out
    assert (s.offers.lapsed, s.offers.reoffered, s.offers.offered) == (4, 4, 0)
    assert {(o["status"], o["attempt"]) for o in _offers(store, family["mother"])} == {("open", 2)}
    resent = _send(store, tmp_path, day3)
    assert resent.sent == 4 and resent.resent == 0  # new messages: a second offer is a new SMS
    day6 = day3 + dt.timedelta(hours=72, minutes=1)
    s2 = _sweep(store, day6, AS_OF + dt.timedelta(days=6))
    assert (s2.offers.expired, s2.offers.reoffered, s2.offers.offered) == (4, 0, 0)
    s3 = _sweep(store, day6 + dt.timedelta(days=1), AS_OF + dt.timedelta(days=7))
    assert (s3.offers.reoffered, s3.offers.offered) == (0, 0)
    assert {o["status"] for o in _offers(store, family["mother"])} == {"expired"}
    kinds = [e["kind"] for e in history(store, family["mother"])]
    assert kinds.count("offered") == 4 and kinds.count("lapsed") == 2 and kinds.count("expired") == 2


def test_a_reply_after_the_deadline_is_too_late_and_lapses_the_offer(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    late = receive(store, PHONE, "1 да", at=T0 + dt.timedelta(hours=73))
    assert late.outcome == "no_offer" and len(late.answered_with) == 2  # one "too late" per offer
    assert {o["status"] for o in _offers(store, family["mother"])} == {"lapsed"}
    assert store.read("MATCH (a:Assignment) RETURN count(a) AS n")[0]["n"] == 0


def test_consent_without_a_bank_account_waits_on_the_worklist_until_the_account_comes(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    out = receive(store, "+77021234567", "все иә", at=at)
    assert out.outcome == "consented" and out.orders == 0
    assert {t["reason"] for t in open_tasks(store) if t["iin"] == family["no_account"]} == {"no_account"}
    # the registry sends the account; the next payment run issues the orders and closes the task
    rec = store.read("MATCH (p:Person {iin: $i}) RETURN p.birth_date AS b", {"i": family["no_account"]})[0]
    fixed = person(rec["b"].isoformat(), "F", iin=family["no_account"], phone="+77021234567", address_id="A3",
                   bank_account=iban("1250000000000002"), recorded_at="2026-11-25T10:00:00Z")
    assert ingest_lines(store, lines(fixed), "fix", AS_OF).rejected == 0
    paid = pay_month(store, "2026-11", None, now=_clock(at + dt.timedelta(hours=2)))
    assert paid.ordered == 2
    assert not [t for t in open_tasks(store) if t["iin"] == family["no_account"]]


def test_monthly_benefit_is_paid_each_month_once_and_one_offs_only_once(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    receive(store, PHONE, "все да", at=T0 + dt.timedelta(hours=1))
    nov = pay_month(store, "2026-11", tmp_path / "pay", now=_clock(T0 + dt.timedelta(hours=2)))
    assert (nov.ordered, nov.orders) == (0, 2)  # both ordered at consent
    dec = pay_month(store, "2026-12", tmp_path / "pay", now=_clock(dt.datetime(2026, 12, 1, 4)))
    assert (dec.ordered, dec.orders) == (1, 1)  # childcare again; birth was paid once
    again = pay_month(store, "2026-12", tmp_path / "pay", now=_clock(dt.datetime(2026, 12, 2, 4)))
    assert again.ordered == 0 and again.orders == 1
    xml = (tmp_path / "pay" / "pain001-2026-12.xml").read_bytes()
    validate_pain001(xml)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "pay" / "payments-2026-12.csv").read_text(encoding="utf-8"))))
    assert [(r["benefit"], r["iin"], r["month"]) for r in rows] == [("childcare_1_5", family["mother"], "2026-12")]
    first_bytes = xml
    pay_month(store, "2026-12", tmp_path / "pay", now=_clock(dt.datetime(2026, 12, 3, 4)))
    assert (tmp_path / "pay" / "pain001-2026-12.xml").read_bytes() == first_bytes  # a rerun writes the same file


def test_a_monthly_right_that_no_longer_holds_ends_and_is_not_paid(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    receive(store, PHONE, "2 да", at=T0 + dt.timedelta(hours=1))  # childcare (monthly)
    # 18 months later the right has ended
    late = pay_month(store, "2028-06", None, now=_clock(dt.datetime(2028, 6, 1, 4)))
    assert late.ended == 1 and late.ordered == 0
    assert store.read("MATCH (a:Assignment) RETURN a.status AS s, a.ended_on AS e") == \
        [{"s": "ended", "e": dt.date(2028, 6, 1)}]


def test_history_tells_the_story_in_order(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    receive(store, PHONE, "1 иә", at=T0 + dt.timedelta(hours=1))
    kinds = [e["kind"] for e in history(store, family["mother"])]
    assert kinds[:2] == ["offered", "offered"] or kinds[0] == "offered"
    for k in ("offered", "queued", "sent", "replied", "consented", "assigned", "paid"):
        assert k in kinds
    assert kinds.index("sent") < kinds.index("replied") < kinds.index("assigned") <= kinds.index("paid")


class _RefusesOne:
    """A gateway that refuses one message for good and takes every other."""
    name = "refuses-one"

    def __init__(self, bad: str):
        self.bad = bad

    def send_many(self, messages):
        from familycard.graph.gateways import GatewayError, Sent
        done = []
        for m in messages:
            if m.key == self.bad:
                raise GatewayError(f"400 for {m.key}", permanent=True, key=m.key, sent=done)
            done.append(Sent(m.key, None, False))
        return done

    def close(self):
        pass


def test_a_message_refused_for_good_does_not_stop_the_rest_of_the_outbox(store, family):
    _sweep(store)
    keys = [r["k"] for r in store.read("MATCH (m:Message) RETURN m.key AS k ORDER BY m.key")]
    summary = send_outbox(store, _RefusesOne(keys[0]), now=_clock(T0), batch=1)
    assert (summary.sent, summary.failed, summary.left) == (len(keys) - 1, 1, 0)
    assert {t["reason"] for t in open_tasks(store)} >= {"sms_failed"}
