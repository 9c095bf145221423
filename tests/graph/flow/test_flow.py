"""From entitlement to payment on both engines: offers, SMS, replies, lapses, assignment,
payment orders, worklist and audit, as a citizen and a caseworker see them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from familycard.graph.bank.payment_files import validate_pain001
from familycard.graph.flow.history import history
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.flow.payments import pay_month
from familycard.graph.flow.worklist import open_tasks, render
from familycard.graph.ingest import ingest_lines
from familycard.graph.rules import load_rules
from familycard.graph.sms.gateways import FileGateway
from familycard.graph.sms.length import sms_parts
from familycard.graph.sms.texts import NAMED_OFFER_PARTS, OFFER_PARTS, budget, offer_text, recipient_name
from familycard.graph.store import writes
from familycard.graph.sweep import daily_sweep
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
    offer, answer = birth["text"].split("\n")
    rule = load_rules(["birth"])[0]
    # one short kk+ru form: both titles, the amount, how to answer by number, the deadline
    assert offer == f"{rule.sms_title['kk']} / {rule.sms_title['ru']}: 164\u00a0350 ₸."  # 38 MCI of 2026
    assert answer == "Жауап/ответ: «1 иә/да», «1 жоқ/нет», 72 сағ/ч."
    # a numbered offer never asks for a bare digit: "2" beside "1" is how "1 2" replies happen
    assert "(1)" not in birth["text"] and "(2)" not in birth["text"]
    # within 2 parts, and the outbox says how many it cost
    parts = {r["key"]: r["parts"] for r in store.read("MATCH (m:Message) WHERE m.direction = 'out' "
                                                      "RETURN m.key AS key, m.parts AS parts")}
    assert all(parts[m["key"]] == sms_parts(m["text"]) <= OFFER_PARTS for m in mine)
    assert sms_parts(birth["text"]) == 2 and sent.parts == sum(sms_parts(m["text"]) for m in _sms_lines(tmp_path))
    # one person on this phone: no name in the SMS
    assert not any("Алушы" in m["text"] or "Получатель" in m["text"] for m in mine)
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
    store.transaction(lambda tx: writes.patch(tx, "Message", [
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
    # no offer is open any more: a further "да" takes the refusal back (24 hours), then nothing is left
    assert receive(store, PHONE, "да", at=at + dt.timedelta(minutes=9)).outcome == "consented"
    assert receive(store, PHONE, "да", at=at + dt.timedelta(minutes=10)).outcome == "no_offer"


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


def test_every_sms_out_records_the_parts_it_is_paid_for_within_its_kinds_budget(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    replies = [("Да", "clarify"), ("1 жоқ", "refused"), ("1 иә", "consented"), ("2 иә", "consented"),
               ("да", "no_offer")]
    for i, (text, outcome) in enumerate(replies):
        assert receive(store, PHONE, text, at=at + dt.timedelta(minutes=i)).outcome == outcome, text
    assert receive(store, "+77021234567", "иә емес", at=at).outcome == "clarify"
    late = receive(store, "+77021234567", "1 иә", at=T0 + dt.timedelta(hours=80))
    assert late.outcome == "no_offer" and late.answered_with
    out = store.read("MATCH (m:Message) WHERE m.direction = 'out' RETURN m.key AS key, m.kind AS kind, "
                     "m.text AS text, m.parts AS parts, m.offers AS offers ORDER BY m.key")
    assert {m["kind"] for m in out} == {"offer", "clarify", "refused", "consented", "polite", "too_late"}
    for m in out:
        assert m["parts"] == sms_parts(m["text"]), m["key"]
        assert m["parts"] <= budget(m["kind"], offers=len(m["offers"].split(","))), m
    # the clarifying SMS to two numbered offers: 3 parts, where the one before took 11
    ask = next(m for m in out if m["kind"] == "clarify" and m["text"].count(" — ") == 2)
    assert ask["parts"] == 3
    sent = _send(store, tmp_path, at=T0 + dt.timedelta(hours=81))
    assert sent.sent == len(out) - 4 and sent.parts == sum(m["parts"] for m in out if m["kind"] != "offer")
    assert f"{sent.parts} parts paid for" in sent.line()


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
        from familycard.graph.sms.gateways import GatewayError, Sent
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


def _text(store, key):
    return store.read("MATCH (m:Message {key: $k}) RETURN m.text AS t", {"k": key})[0]["t"]


def _status(store, iin):
    return {o["code"]: o["status"] for o in _offers(store, iin)}


def test_one_two_from_a_mother_with_two_open_offers_refuses_nothing_and_asks_which(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    for i, text in enumerate(("1 2", "12", "1,2")):
        out = receive(store, PHONE, text, at=at + dt.timedelta(minutes=i))
        assert out.outcome in ("clarify", "unclear_again") and out.decisions == {}
    assert _status(store, family["mother"]) == {"birth": "open", "childcare_1_5": "open"}
    assert "refused" not in [e["kind"] for e in history(store, family["mother"])]
    # words make it clear: both named offers are consented
    both = receive(store, PHONE, "1 2 иә", at=at + dt.timedelta(minutes=5))
    assert both.outcome == "consented" and both.orders == 2
    assert _status(store, family["mother"]) == {"birth": "consented", "childcare_1_5": "consented"}


def test_a_negated_yes_consents_nothing(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    out = receive(store, "+77021234567", "иә емес", at=T0 + dt.timedelta(hours=1))
    assert out.outcome == "clarify" and out.decisions == {}
    assert set(_status(store, family["no_account"]).values()) == {"open"}


def test_a_refusal_taken_back_within_24_hours_reopens_and_consents_and_history_shows_both(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    no = receive(store, PHONE, "1 жоқ", at=at)
    assert no.outcome == "refused"
    confirmation = _text(store, no.answered_with[0])
    # offer 2 is still open, so a bare "иә" would be ambiguous: the SMS says "1 иә" (or "1 да")
    assert confirmation.endswith("Қайтару/отменить (24 сағ/ч): «1 иә/да».")
    yes = receive(store, PHONE, "1 иә", at=at + dt.timedelta(hours=20))
    assert yes.outcome == "consented" and yes.orders == 1
    assert _status(store, family["mother"]) == {"birth": "consented", "childcare_1_5": "open"}
    birth = [e for e in history(store, family["mother"]) if e["ref"].startswith("birth|")]
    kinds = [e["kind"] for e in birth]
    assert kinds.index("refused") < kinds.index("reopened") < kinds.index("consented") < kinds.index("assigned")
    assert store.read("MATCH (a:Assignment) RETURN a.code AS code") == [{"code": "birth"}]


def test_after_24_hours_a_refusal_stands(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    receive(store, PHONE, "1 жоқ", at=at)
    late = receive(store, PHONE, "1 иә", at=at + dt.timedelta(hours=24, minutes=1))
    assert late.outcome == "clarify" and late.reason == "number 1 is not an open offer"
    assert _status(store, family["mother"]) == {"birth": "refused", "childcare_1_5": "open"}
    assert store.read("MATCH (a:Assignment) RETURN count(a) AS n")[0]["n"] == 0


def test_a_lone_refusal_is_taken_back_by_a_bare_yes(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    assert receive(store, PHONE, "все жоқ", at=at).outcome == "refused"
    # two refusals to take back: a bare "иә" could mean either, so only numbers do it
    assert receive(store, PHONE, "иә", at=at + dt.timedelta(hours=1)).outcome == "no_offer"
    assert receive(store, PHONE, "2 иә", at=at + dt.timedelta(hours=2)).outcome == "consented"
    assert _status(store, family["mother"]) == {"birth": "refused", "childcare_1_5": "consented"}


SHARED_PHONE = "+77051112233"


@pytest.fixture
def shared(store):
    """Two mothers of two households with one phone between them (sisters, say), each with a
    baby: birth and childcare for each, four offers to one phone."""
    aigul = person("1995-03-01", "F", phone=SHARED_PHONE, bank_account=iban("1250000000000010"), address_id="B1")
    gulnar = person("1990-07-15", "F", phone=SHARED_PHONE, bank_account=iban("1250000000000011"),
                    address_id="B2", given_name="Гүлнар", surname="Ахметова")
    baby_a = person("2026-11-02", "M", address_id="B1")
    baby_g = person("2026-11-03", "F", address_id="B2")
    feed = [aigul, gulnar, baby_a, baby_g, link("PARENT_OF", aigul, baby_a), link("PARENT_OF", gulnar, baby_g)]
    feed += [fact(m, "income", f"2026-{k:02d}-01", source="KGD", month=f"2026-{k:02d}", amount_kzt=900_000)
             for m in (aigul, gulnar) for k in range(5, 13)]
    assert ingest_lines(store, lines(*feed), "shared", AS_OF).rejected == 0
    return {"Айгүл С.": aigul["iin"], "Гүлнар А.": gulnar["iin"]}


def _shared_offers(store):
    return store.read("MATCH (o:Offer) WHERE o.phone = $p RETURN o.key AS key, o.iin AS iin, o.code AS code, "
                      "o.number AS number, o.status AS status ORDER BY o.number", {"p": SHARED_PHONE})


def test_a_shared_phone_names_each_recipient_and_all_yes_consents_nothing_but_numbers_do(store, shared, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    offers = _shared_offers(store)
    assert len(offers) == 4 and {o["iin"] for o in offers} == set(shared.values())
    name_of = {iin: name for name, iin in shared.items()}
    for m in (m for m in _sms_lines(tmp_path) if m["to"] == SHARED_PHONE):
        o = next(o for o in offers if o["key"] in m["key"])
        assert m["text"].startswith(f"Алушы/Получатель: {name_of[o['iin']]}\n")
        assert f"«{o['number']} иә/да»" in m["text"] and not any(iin in m["text"] for iin in shared.values())
        assert sms_parts(m["text"]) <= NAMED_OFFER_PARTS

    at = T0 + dt.timedelta(hours=1)
    everyone = receive(store, SHARED_PHONE, "барлығы иә", at=at)
    assert everyone.outcome == "clarify" and everyone.decisions == {}
    assert {o["status"] for o in _shared_offers(store)} == {"open"}
    ask = _text(store, everyone.answered_with[0])
    for o in offers:
        assert f"{o['number']} — {name_of[o['iin']]}: " in ask
    assert ask.count("\n") == len(offers) + 1 and sms_parts(ask) <= budget("clarify", offers=len(offers))
    assert "барлығы" not in ask and "все да" not in ask

    mine = next(o for o in offers if o["iin"] == shared["Айгүл С."] and o["code"] == "birth")
    hers = next(o for o in offers if o["iin"] == shared["Гүлнар А."] and o["code"] == "childcare_1_5")
    out = receive(store, SHARED_PHONE, f"{mine['number']} иә, {hers['number']} иә", at=at + dt.timedelta(minutes=3))
    assert out.outcome == "consented" and set(out.decisions) == {mine["key"], hers["key"]}
    assert {o["key"] for o in _shared_offers(store) if o["status"] == "consented"} == {mine["key"], hers["key"]}
    # history says the phone was shared; a caseworker is asked to confirm who answered
    consents = [e for iin in shared.values() for e in history(store, iin) if e["kind"] == "consented"]
    assert len(consents) == 2 and all("phone shared by 2 recipients" in e["detail"] for e in consents)
    tasks = open_tasks(store, "shared_phone")
    assert {(t["iin"], t["right"]) for t in tasks} == {(mine["iin"], mine["key"]), (hers["iin"], hers["key"])}
    assert "shared_phone" in render(tasks) and "confirm who answered" in render(tasks)


def test_a_phone_with_one_recipient_works_as_before_and_history_says_so(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    out = receive(store, PHONE, "все да", at=T0 + dt.timedelta(hours=1))
    assert out.outcome == "consented" and len(out.decisions) == 2
    consents = [e for e in history(store, family["mother"]) if e["kind"] == "consented"]
    assert len(consents) == 2 and all("phone serves 1 recipient" in e["detail"] for e in consents)
    assert open_tasks(store, "shared_phone") == []


def test_every_numbered_offer_sms_with_a_long_name_fits_the_budget_and_never_asks_for_a_bare_digit():
    name = recipient_name("Айгүлжаназаркүлмариямгүл", "серікова")
    assert name == "Айгүлжаназаркүл С."
    for rule in load_rules():
        if rule.answers:
            text = offer_text(rule, 1_234_567, 12, name)
            assert sms_parts(text) <= NAMED_OFFER_PARTS, (rule.code, len(text))
            assert sms_parts(offer_text(rule, 1_234_567, 12)) <= OFFER_PARTS, rule.code
            assert "(1)" not in text and "(2)" not in text, rule.code  # "reply 1 or 2" beside "12"
            assert "«12 иә/да»" in text and "«12 жоқ/нет»" in text, rule.code


def test_a_refusal_that_can_be_taken_back_keeps_its_number_from_new_offers(store, family, tmp_path):
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    assert receive(store, PHONE, "1 жоқ", at=at).outcome == "refused"
    # a second baby is registered the same day: its offers must not be "№1", which "1 иә" takes back
    twin = person("2026-11-01", "F", address_id="A1", recorded_at="2026-11-25T06:00:00Z")
    assert ingest_lines(store, lines(twin, link("PARENT_OF", family["mother"], twin,
                                                recorded_at="2026-11-25T06:00:00Z")), "twin", AS_OF).rejected == 0
    _sweep(store, at + dt.timedelta(hours=1))
    numbers = {o["number"] for o in _offers(store, family["mother"]) if o["status"] == "open"}
    assert 1 not in numbers and len(numbers) >= 2
    back = receive(store, PHONE, "1 иә", at=at + dt.timedelta(hours=2))
    assert back.outcome == "consented" and len(back.decisions) == 1
    assert next(iter(back.decisions)).startswith(f"birth|{family['mother']}|{family['baby']}|")


def test_the_offers_listing_filters_and_the_offer_a_demo_answers_is_one_a_consent_pays(store, family, tmp_path):
    from familycard.graph.flow.offers import LIST_FIELDS, answerable_offer, list_offers, open_offers_on

    _sweep(store)
    assert answerable_offer(store) is None  # no SMS out yet: nothing anyone could have answered
    _send(store, tmp_path)
    everyone = list_offers(store)
    assert len(everyone) == 6 and [r["key"] for r in everyone] == sorted(r["key"] for r in everyone)
    assert all(tuple(r) == LIST_FIELDS for r in everyone)
    assert len(list_offers(store, sent=True)) == 4  # the mother without a phone got no SMS
    mine = list_offers(store, iin=family["mother"], status="open")
    assert {(r["benefit"], r["phone"], r["number"]) for r in mine} == {("birth", PHONE, 1), ("childcare_1_5", PHONE, 2)}
    assert len(list_offers(store, benefit="birth")) == 3 and list_offers(store, limit=0) == []
    picked = answerable_offer(store)  # the mother without an account is not picked: no order could follow
    assert picked["iin"] == family["mother"] and picked["phone"] == PHONE and picked["key"] in {r["key"] for r in mine}
    assert open_offers_on(store, PHONE) == 2
    receive(store, PHONE, "1 иә", at=T0 + dt.timedelta(hours=1))
    assert open_offers_on(store, PHONE) == 1 and open_offers_on(store, "+77000000000") == 0
