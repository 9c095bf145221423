"""Pay only what still holds, on both engines: a registry correction between the offer and the
consent, or between two monthly payment runs (a mother's link to her newborn ended, a death
retracted, a benefit found already paid elsewhere) withdraws the offer or ends the right, with
its reason, one SMS and one caseworker's task; a right that still holds goes on as before."""
from __future__ import annotations

import datetime as dt

import pytest

from familycard import dates
from familycard.graph.flow.history import history
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.payments import pay_month
from familycard.graph.flow.worklist import open_tasks
from familycard.graph.ingest import ingest_lines
from familycard.graph.sms.length import sms_parts
from familycard.graph.sweep import daily_sweep
from feedmaker import fact, iban, lines, link, person

AS_OF = dt.date(2026, 11, 25)
T0 = dt.datetime(2026, 11, 25, 4, 0)  # 09:00 in Astana
PHONE = "+77011234567"
LATER = "2026-11-25T06:00:00Z"         # a registry's correction, recorded after the offer


def _clock(t):
    return lambda: t


def _ingest(store, *records):
    assert ingest_lines(store, lines(*records), "feed", AS_OF).rejected == 0


def _incomes(*people):
    # well above the poverty line: no targeted assistance in these households
    return [fact(p, "income", f"2026-{k:02d}-01", source="KGD", month=f"2026-{k:02d}", amount_kzt=900_000)
            for p in people for k in range(5, 13)]


@pytest.fixture
def births(store):
    """A mother with a phone and an account, a baby born in June and a newborn: a birth grant
    and childcare for each (four offers to one phone)."""
    mother = person("1995-03-01", "F", phone=PHONE, bank_account=iban("1250000000000000"), address_id="A1")
    older = person("2026-06-01", "M", address_id="A1")
    newborn = person("2026-11-01", "F", address_id="A1")
    _ingest(store, mother, older, newborn, link("PARENT_OF", mother, older), link("PARENT_OF", mother, newborn),
            *_incomes(mother))
    return {"mother": mother, "older": older, "newborn": newborn}


@pytest.fixture
def widow(store):
    """A father who died in October, his wife (phone, account) and their son of five: burial
    (a one-off without an amount) and breadwinner loss (monthly), both to her."""
    wife = person("1990-02-02", "F", phone=PHONE, bank_account=iban("1250000000000000"), address_id="B1")
    husband = person("1988-05-05", "M", address_id="B1", death_date="2026-10-15")
    son = person("2021-04-04", "M", address_id="B1")
    _ingest(store, wife, husband, son, link("SPOUSE_OF", husband, wife, since="2015-01-01"),
            link("PARENT_OF", wife, son), link("PARENT_OF", husband, son), *_incomes(wife))
    return {"wife": wife, "husband": husband, "son": son}


def _offer_and_send(store):
    daily_sweep(store, AS_OF, now=_clock(T0))
    # as the gateway would: sent, with the 72-hour clock running
    store.write("MATCH (o:Offer) SET o.sent_at = $t, o.deadline = $d",
                {"t": T0, "d": T0 + dt.timedelta(hours=72)})


def _offers(store):
    return {(r["code"], r["subject"]): r for r in store.read(
        "MATCH (o:Offer) RETURN o.key AS key, o.code AS code, o.subject AS subject, o.status AS status, "
        "o.reason AS reason, o.round AS round, o.attempt AS attempt")}


def _out_sms(store, kind=None):
    return store.read("MATCH (m:Message) WHERE m.direction = 'out' AND m.kind <> 'offer' "
                      + ("AND m.kind = $k " if kind else "") + "RETURN m.kind AS kind, m.offers AS offers, "
                      "m.text AS text, m.phone AS phone, m.parts AS parts ORDER BY m.key",
                      {"k": kind} if kind else None)


def _assignments(store):
    return {(r["code"], r["subject"]): r for r in store.read(
        "MATCH (a:Assignment) RETURN a.code AS code, a.subject AS subject, a.status AS status, "
        "a.reason AS reason, a.amount_kzt AS amount")}


def _payments(store):
    return sorted((r["code"], r["subject"], r["month"]) for r in store.read(
        "MATCH (p:Payment) RETURN p.code AS code, p.subject AS subject, p.month AS month"))


def _end_link(mother, child):
    """The civil registry corrects itself: the child is not hers (the link ends the day after the birth)."""
    ended = (dt.date.fromisoformat(child["birth_date"]) + dt.timedelta(days=1)).isoformat()
    return link("PARENT_OF", mother, child, until=ended, recorded_at=LATER)


def _retract_death(p):
    return person(p["birth_date"], p["sex"], iin=p["iin"], address_id=p["address_id"], recorded_at=LATER)


def test_a_mothers_link_ended_before_her_consent_withdraws_the_newborns_rights_and_pays_the_older_childs(
        store, births):
    _offer_and_send(store)
    assert len(_offers(store)) == 4
    _ingest(store, _end_link(births["mother"], births["newborn"]))
    out = receive(store, PHONE, "барлығы иә", at=T0 + dt.timedelta(hours=2))
    new, old = births["newborn"]["iin"], births["older"]["iin"]
    offers = _offers(store)
    assert {k: o["status"] for k, o in offers.items()} == {
        ("birth", new): "withdrawn", ("childcare_1_5", new): "withdrawn",
        ("birth", old): "consented", ("childcare_1_5", old): "consented"}
    assert "the child's carer" in offers[("birth", new)]["reason"]
    assert out.decisions[offers[("birth", new)]["key"]] == "withdrawn" and out.orders == 2
    # nothing assigned or paid for the newborn; the older child's rights as before
    assert set(_assignments(store)) == {("birth", old), ("childcare_1_5", old)}
    assert _payments(store) == [("birth", old, "2026-11"), ("childcare_1_5", old, "2026-11")]
    # one SMS per withdrawn offer (no "consented" for it), in Kazakh and Russian, pointing to 1414
    sms = {m["offers"]: m for m in _out_sms(store)}
    for code in ("birth", "childcare_1_5"):
        m = sms[offers[(code, new)]["key"]]
        assert m["kind"] == "withdrawn" and "1414" in m["text"]
        assert "құқық расталмады / право не подтверждено" in m["text"] and m["parts"] == sms_parts(m["text"]) == 2
        assert sms[offers[(code, old)]["key"]]["kind"] == "consented"
    assert len(_out_sms(store, "withdrawn")) == 2
    tasks = [t for t in open_tasks(store) if t["reason"] == "withdrawn"]
    assert sorted(t["right"] for t in tasks) == sorted(offers[(c, new)]["key"] for c in ("birth", "childcare_1_5"))
    # history tells the withdrawal with its reason
    told = [e for e in history(store, births["mother"]["iin"]) if e["kind"] == "withdrawn"]
    assert len(told) == 2 and all("the child's carer" in e["cause"] for e in told)


def test_a_death_retracted_before_consent_withdraws_burial_and_breadwinner_loss(store, widow):
    _offer_and_send(store)
    husband = widow["husband"]["iin"]
    assert {k[0] for k in _offers(store)} == {"burial", "breadwinner_loss"}
    _ingest(store, _retract_death(widow["husband"]))
    receive(store, PHONE, "все да", at=T0 + dt.timedelta(hours=2))
    offers = _offers(store)
    assert {k: o["status"] for k, o in offers.items()} == {("burial", husband): "withdrawn",
                                                           ("breadwinner_loss", husband): "withdrawn"}
    assert all("not concerned" in o["reason"] for o in offers.values())
    assert _assignments(store) == {} and _payments(store) == []
    assert [m["kind"] for m in _out_sms(store)] == ["withdrawn", "withdrawn"]
    assert len([t for t in open_tasks(store) if t["reason"] == "withdrawn"]) == 2


def test_a_benefit_already_paid_elsewhere_is_withdrawn_and_the_other_right_in_the_same_reply_is_paid(store, births):
    _offer_and_send(store)
    new, old = births["newborn"]["iin"], births["older"]["iin"]
    # the insurance fund reports it paid a birth grant: the rule counts it against both births
    _ingest(store, fact(births["mother"], "benefit", "2026-11-20", source="GFSS", benefit="birth", recorded_at=LATER))
    receive(store, PHONE, "барлығы иә", at=T0 + dt.timedelta(hours=2))
    offers = _offers(store)
    assert offers[("birth", new)]["status"] == offers[("birth", old)]["status"] == "withdrawn"
    assert "has not received this benefit since the birth" in offers[("birth", new)]["reason"]
    assert offers[("childcare_1_5", new)]["status"] == offers[("childcare_1_5", old)]["status"] == "consented"
    assert _payments(store) == sorted([("childcare_1_5", new, "2026-11"), ("childcare_1_5", old, "2026-11")])
    assert sorted(m["offers"] for m in _out_sms(store, "withdrawn")) == \
        sorted(offers[("birth", x)]["key"] for x in (new, old))
    assert len([t for t in open_tasks(store) if t["reason"] == "withdrawn"]) == 2


def test_the_first_order_is_at_the_amount_of_the_consent_day_not_the_offers(store, births):
    _offer_and_send(store)
    older = births["older"]["iin"]
    key = _offers(store)[("birth", older)]["key"]
    store.write("MATCH (o:Offer {key: $k}) SET o.amount_kzt = 1", {"k": key})  # a stale amount
    receive(store, PHONE, "1 иә", at=T0 + dt.timedelta(hours=2))
    paid = store.read("MATCH (p:Payment) RETURN p.amount_kzt AS a")
    assert len(paid) == 1 and paid[0]["a"] > 1
    assert _assignments(store)[("birth", older)]["amount"] == paid[0]["a"]


def _consent_all_in_november(store):
    _offer_and_send(store)
    receive(store, PHONE, "барлығы иә", at=T0 + dt.timedelta(hours=2))
    assert pay_month(store, "2026-11", None, now=_clock(T0 + dt.timedelta(hours=3))).ordered == 0  # paid at consent


def _ended_once(store, iin, why):
    """The right ended with its reason in the history: one SMS, one task, and a rerun adds none."""
    assert [(m["kind"], m["parts"]) for m in _out_sms(store, "ended")] == [("ended", 2)]
    assert len([t for t in open_tasks(store) if t["reason"] == "ended"]) == 1
    ended = [e for e in history(store, iin) if e["kind"] == "ended"]
    assert len(ended) == 1 and why in ended[0]["cause"]
    again = pay_month(store, "2026-12", None, now=_clock(dt.datetime(2026, 12, 2, 4)))
    assert again.ended == 0 and len(_out_sms(store, "ended")) == 1


def test_a_mothers_link_ended_between_two_pay_runs_ends_that_childcare_and_pays_the_other(store, births):
    _consent_all_in_november(store)
    new, old = births["newborn"]["iin"], births["older"]["iin"]
    _ingest(store, _end_link(births["mother"], births["newborn"]))
    dec = pay_month(store, "2026-12", None, now=_clock(dt.datetime(2026, 12, 1, 4)))
    assert (dec.ended, dec.ordered) == (1, 1)
    a = _assignments(store)
    assert a[("childcare_1_5", new)]["status"] == "ended" and "the child's carer" in a[("childcare_1_5", new)]["reason"]
    assert a[("childcare_1_5", old)]["status"] == "active"
    assert ("childcare_1_5", new, "2026-12") not in _payments(store)
    assert ("childcare_1_5", old, "2026-12") in _payments(store)  # still holds: paid as before
    _ended_once(store, births["mother"]["iin"], "the child's carer")


@pytest.mark.parametrize("correction", ["death_retracted", "paid_elsewhere"])
def test_a_correction_between_two_pay_runs_ends_breadwinner_loss(store, widow, correction):
    _consent_all_in_november(store)
    husband = widow["husband"]["iin"]
    assert _payments(store) == [("breadwinner_loss", husband, "2026-11")]  # burial has no amount to pay
    if correction == "death_retracted":
        _ingest(store, _retract_death(widow["husband"]))
        why = "not concerned"
    else:  # the insurance fund has paid it since November
        _ingest(store, fact(widow["wife"], "benefit", "2026-11-01", source="GFSS", benefit="breadwinner_loss",
                            recorded_at=LATER))
        why = "does not already receive it"
    dec = pay_month(store, "2026-12", None, now=_clock(dt.datetime(2026, 12, 1, 4)))
    assert (dec.ended, dec.ordered) == (1, 0)
    assert _assignments(store)[("breadwinner_loss", husband)]["status"] == "ended"
    assert _payments(store) == [("breadwinner_loss", husband, "2026-11")]
    _ended_once(store, widow["wife"]["iin"], why)


def test_a_monthly_right_that_simply_ran_its_course_ends_without_a_task(store, births):
    _consent_all_in_november(store)
    late = pay_month(store, "2028-06", None, now=_clock(dt.datetime(2028, 6, 1, 4)))
    assert late.ended == 2 and late.ordered == 0
    assert all("18 months" in a["reason"] for a in _assignments(store).values() if a["status"] == "ended")
    assert _out_sms(store, "ended") == [] and not [t for t in open_tasks(store) if t["reason"] == "ended"]


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_the_sweep_withdraws_an_open_offer_whose_right_vanished_and_offers_it_anew_when_it_returns(
        store, births, mode):
    _offer_and_send(store)
    new, old = births["newborn"]["iin"], births["older"]["iin"]
    _ingest(store, _end_link(births["mother"], births["newborn"]))
    at = T0 + dt.timedelta(hours=1)
    s = daily_sweep(store, AS_OF, now=_clock(at), incremental=mode == "incremental")
    assert s.offers.withdrawn == 2 and "2 withdrawn" in s.offers.line()
    offers = _offers(store)
    assert offers[("birth", new)]["status"] == offers[("childcare_1_5", new)]["status"] == "withdrawn"
    assert offers[("birth", old)]["status"] == offers[("childcare_1_5", old)]["status"] == "open"
    assert len(_out_sms(store, "withdrawn")) == 2
    assert len([t for t in open_tasks(store) if t["reason"] == "withdrawn"]) == 2
    # a rerun withdraws nothing twice
    assert daily_sweep(store, AS_OF, now=_clock(at + dt.timedelta(minutes=5))).offers.withdrawn == 0
    assert len(_out_sms(store, "withdrawn")) == 2
    # the consent that follows finds no such offer: nothing is assigned for the newborn
    receive(store, PHONE, "барлығы иә", at=at + dt.timedelta(hours=1))
    assert set(_assignments(store)) == {("birth", old), ("childcare_1_5", old)}
    # the registry takes its correction back: the rights are offered anew, a new round
    link_back = link("PARENT_OF", births["mother"], births["newborn"], recorded_at="2026-11-26T06:00:00Z")
    assert ingest_lines(store, lines(link_back), "feed", AS_OF).rejected == 0
    again = daily_sweep(store, AS_OF + dt.timedelta(days=1), now=_clock(dt.datetime(2026, 11, 26, 4)))
    assert again.offers.reoffered == 2
    offers = _offers(store)
    assert {(offers[(c, new)]["status"], offers[(c, new)]["round"], offers[(c, new)]["attempt"])
            for c in ("birth", "childcare_1_5")} == {("open", 1, 1)}
    sms = store.read("MATCH (m:Message) WHERE m.kind = 'offer' AND m.offers = $k RETURN m.key AS key",
                     {"k": offers[("birth", new)]["key"]})
    assert len(sms) == 2  # the first round's offer SMS and the new round's


def test_a_store_from_before_withdrawals_gets_the_new_columns_when_opened(ladybug_store):
    # as an older familycard left it: Offer without reason and round, Assignment without reason
    for table, column in (("Offer", "reason"), ("Offer", "round"), ("Assignment", "reason")):
        ladybug_store.write(f"ALTER TABLE {table} DROP {column}")
    ladybug_store.write("CREATE (:Offer {key: 'o1', status: 'open'})")
    ladybug_store.setup_schema()
    assert ladybug_store.read("MATCH (o:Offer) RETURN o.key AS k, o.reason AS r, o.round AS n") == \
        [{"k": "o1", "r": None, "n": None}]
    ladybug_store.setup_schema()  # once only
    ladybug_store.write("MATCH (o:Offer {key: 'o1'}) SET o.status = 'withdrawn', o.reason = 'on 2026-11-25: ✗ …'")
    assert ladybug_store.read("MATCH (a:Assignment) RETURN a.reason AS r") == []


def test_an_incremental_sweep_withdraws_only_offers_of_persons_it_re_ran_from(store, births, widow):
    _offer_and_send(store)
    new, husband = births["newborn"]["iin"], widow["husband"]["iin"]
    since = dates.utcnow()  # Change nodes carry the real time of their ingest
    _ingest(store, _end_link(births["mother"], births["newborn"]))
    # a change no ingest logged (so no incremental sweep can know of it): the death is gone
    store.write("MATCH (p:Person {iin: $i}) SET p.death_date = NULL", {"i": husband})
    at = T0 + dt.timedelta(hours=1)
    inc = daily_sweep(store, AS_OF, now=_clock(at), changed_since=since)
    offers = _offers(store)
    assert inc.offers.withdrawn == 2 and offers[("birth", new)]["status"] == "withdrawn"
    assert offers[("burial", husband)]["status"] == offers[("breadwinner_loss", husband)]["status"] == "open"
    full = daily_sweep(store, AS_OF, now=_clock(at + dt.timedelta(minutes=1)))
    assert full.offers.withdrawn == 2
    assert _offers(store)[("burial", husband)]["status"] == "withdrawn"


def test_a_one_off_waiting_for_an_account_is_not_paid_once_a_correction_takes_the_right_away(store):
    mother = person("1995-03-01", "F", phone=PHONE, address_id="A1")  # no bank account yet
    baby = person("2026-11-01", "F", address_id="A1")
    _ingest(store, mother, baby, link("PARENT_OF", mother, baby), *_incomes(mother))
    _offer_and_send(store)
    receive(store, PHONE, "барлығы иә", at=T0 + dt.timedelta(hours=2))
    assert {t["reason"] for t in open_tasks(store)} == {"no_account"} and _payments(store) == []
    # the link is corrected, then the account arrives: the birth grant is not paid after all
    _ingest(store, _end_link(mother, baby),
            {**mother, "bank_account": iban("1250000000000009"), "recorded_at": LATER})
    dec = pay_month(store, "2026-12", None, now=_clock(dt.datetime(2026, 12, 1, 4)))
    assert (dec.ordered, dec.ended) == (0, 2) and _payments(store) == []
    assert {a["status"] for a in _assignments(store).values()} == {"ended"}
    assert sorted(t["reason"] for t in open_tasks(store)) == ["ended", "ended"]  # no_account closed
    assert len(_out_sms(store, "ended")) == 2
