"""Near misses on both engines: for each kind, a family one record away from a right (in) and
one just out (entitled already, or more than one record away), as the caseworker reads them."""
from __future__ import annotations

import datetime as dt

import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.lookahead import MISSING_KINDS, near_misses
from familycard.graph.rules import load_rules
from familycard.graph.store import writes
from familycard.graph.sweep import sweep
from feedmaker import fact, iban, lines, link, person

# The Neo4j half runs with the scenarios (CI runs both): the default run keeps its 15 minutes.
pytestmark = pytest.mark.scenario_on_neo4j

AS_OF = dt.date(2026, 11, 25)
PHONE = "+77011234567"
ACCOUNT = iban("1250000000000000")
LANDLINE = "+77172123456"           # Astana landline: not a mobile, the flow cannot text it
# the shape of a Kazakh IBAN, its check digits wrong: ingest refuses it, but a store loaded before
# that check (or by hand) may hold one, and the flow then sends the payment to the worklist
BAD_IBAN = "KZ00125000000000000A"


def _reachable(**kw) -> dict:
    """Phone and account: only the kind tested shows up for this person."""
    return {"phone": PHONE, "bank_account": ACCOUNT, **kw}


def _income(p: dict, months: tuple[str, ...], amounts: tuple[int, ...]) -> list[dict]:
    return [fact(p, "income", f"{m}-01", source="KGD", month=m, amount_kzt=a)
            for m, a in zip(months, amounts, strict=True)]


WINDOW = ("2026-08", "2026-09", "2026-10")   # targeted assistance on 2026-11-25: Aug-Oct 2026


def _rich(*people: dict) -> list[dict]:
    """Incomes far above the assistance line: no targeted assistance in these households."""
    return [r for p in people for r in _income(p, WINDOW, (2_000_000,) * 3)]


def _contributions(p: dict, months: list[str]) -> list[dict]:
    return [fact(p, "contribution", f"{m}-01", source="GFSS", month=m, amount_kzt=20_000) for m in months]


def _family(mother_kw: dict, address: str, births: list[str], student: str | None = None) -> tuple[dict, list, list]:
    """A mother at ``address`` with children born on ``births`` at her home; ``student``: the
    birth date of the child given a student fact covering the day."""
    mother = person("1975-03-04", "F", address_id=address, **_reachable(**mother_kw))
    kids = [person(b, "M", address_id=address) for b in births]
    recs = [mother, *kids, *(link("PARENT_OF", mother, k) for k in kids), *_rich(mother)]
    for k in kids:
        if k["birth_date"] == student:
            recs.append(fact(k, "student", "2025-09-01", source="NOBD", valid_to="2027-06-30"))
    return mother, kids, recs


@pytest.fixture
def people(store):
    feed, who = [], {}

    # student_fact: 3 children under 18 and one of 19 not a student: one record away (in)
    m, kids, recs = _family({}, "S1", ["2010-01-01", "2012-02-02", "2014-03-03", "2007-05-20"])
    feed += recs
    who["student_in"], who["student_child"] = m["iin"], kids[3]["iin"]
    # 3 under 18, and two of 19 and 21 not students: a record for either would do (in, one line)
    m, kids, recs = _family({}, "S5", ["2010-01-01", "2012-02-02", "2014-03-03", "2007-05-20", "2005-01-10"])
    feed += recs
    who["student_either"], who["student_either_kids"] = m["iin"], sorted([kids[3]["iin"], kids[4]["iin"]])
    # a widower with 3 children under 18 (their mother dead) and his new wife's son of 19 at
    # home: a student record would give her a dependant at her home, and the right to her (the
    # rule's mother first), not to him; she would have one child: no near miss for either (out)
    dad = person("1974-01-01", "M", address_id="S6", **_reachable())
    dead = person("1976-01-01", "F", address_id="S6", death_date="2020-01-01")
    wife = person("1984-01-01", "F", address_id="S6", **_reachable())
    kids = [person(b, "M", address_id="S6") for b in ("2010-01-01", "2012-02-02", "2014-03-03", "2007-05-20")]
    feed += [dad, dead, wife, *kids, *_rich(dad, wife), *(link("PARENT_OF", dad, k) for k in kids),
             *(link("PARENT_OF", dead, k) for k in kids[:3]), link("PARENT_OF", wife, kids[3])]
    who["student_father"], who["student_father_wife"] = dad["iin"], wife["iin"]
    # the same with the 19-year-old a student: entitled, no near miss (out)
    m, _, recs = _family({}, "S2", ["2010-01-01", "2012-02-02", "2014-03-03", "2007-05-20"], student="2007-05-20")
    feed += recs
    who["student_entitled"] = m["iin"]
    # 2 under 18 and a non-student of 19: two records away (out)
    m, _, recs = _family({}, "S3", ["2010-01-01", "2012-02-02", "2007-05-20"])
    feed += recs
    who["student_two_short"] = m["iin"]
    # 3 under 18 and one of 23: a student record would not count them (out)
    m, _, recs = _family({}, "S4", ["2010-01-01", "2012-02-02", "2014-03-03", "2003-05-20"])
    feed += recs
    who["student_too_old"] = m["iin"]

    # contribution_month: registered 2026-11-10; the 24 months before November 2026
    for name, n in (("months_5", 5), ("months_6", 6), ("months_4", 4)):
        p = person("1988-06-01", "M", address_id=f"C{n}", **_reachable())
        feed += [p, fact(p, "unemployed", "2026-11-10", source="ESP"),
                 *_contributions(p, [f"2026-{k:02d}" for k in range(11 - n, 11)]), *_rich(p)]
        who[name] = p["iin"]
    # work capacity lost (40 %) established 2026-10-01, 5 contribution months before October (in)
    p = person("1980-06-01", "M", address_id="W1", **_reachable())
    feed += [p, fact(p, "disability", "2026-10-01", source="CBDI", group="3", work_capacity_loss_percent=40),
             *_contributions(p, [f"2026-{k:02d}" for k in range(5, 10)]), *_rich(p)]
    who["wcl_5"] = p["iin"]

    # income_above_line on 2026-11-25: line 0.7 × 50 851 = 35 595.70 a person a month; 5 % above
    # it is 37 375.485. One-person households.
    for name, amounts in (("income_in", (37_375, 37_375, 37_376)),        # 37 375.33: in
                          ("income_out", (37_377, 37_377, 37_376)),       # 37 376.67 > 37 376.485: out
                          ("income_at_line", (35_596, 35_596, 35_596)),   # 35 596.00, just above: in
                          ("income_below", (30_000, 30_000, 30_000))):    # below: entitled, out
        p = person("1970-01-01", "M", address_id=f"I-{name}", **_reachable())
        feed += [p, *_income(p, WINDOW, amounts)]
        who[name] = p["iin"]

    # phone, bank_account: mothers of a baby born this month (birth, one-off; childcare, monthly)
    for name, kw in (("reachable", {}), ("no_phone", {"phone": None}), ("landline", {"phone": LANDLINE}),
                     ("no_account", {"bank_account": None}), ("bad_iban", {})):
        m, (baby,), recs = _family(kw, f"B-{name}", ["2026-11-01"])
        feed += [{k: v for k, v in r.items() if v is not None} for r in recs]
        who[name], who[f"{name}_baby"] = m["iin"], baby["iin"]
    # an unemployed person without an account: job_loss is paid (in), the employment-measures
    # notice is not (out)
    p = person("1990-02-02", "F", address_id="N1", phone=PHONE)
    feed += [p, fact(p, "unemployed", "2026-11-10", source="ESP"),
             *_contributions(p, [f"2026-{k:02d}" for k in range(1, 11)]), *_rich(p)]
    who["notice_no_account"] = p["iin"]

    # reexamination_due: adults with group 2 until D + 30 (in), D + 31 (out), open-ended (out)
    for name, until in (("due_30", "2026-12-25"), ("due_31", "2026-12-26"), ("due_never", None),
                        ("due_today", "2026-11-25")):
        p = person("1970-01-01", "M", address_id=f"D-{name}", **_reachable())
        feed += [p, fact(p, "disability", "2024-01-01", source="CBDI", group="2",
                         **({"valid_to": until} if until else {})), *_rich(p)]
        who[name] = p["iin"]
    # a disabled child (group `child` until D + 20) through the mother: both rights due (in)
    m, (child,), recs = _family({}, "D-child", ["2015-04-04"])
    feed += [*recs, fact(child, "disability", "2023-01-01", source="CBDI", group="child", valid_to="2026-12-15")]
    who["carer"], who["disabled_child"] = m["iin"], child["iin"]
    # the adult whose group 2 ends in 10 days but whose group 3 runs on: the right holds (out)
    p = person("1970-01-01", "M", address_id="D-two", **_reachable())
    feed += [p, fact(p, "disability", "2024-01-01", source="CBDI", group="2", valid_to="2026-12-05"),
             fact(p, "disability", "2024-02-01", source="CBDI", group="3"), *_rich(p)]
    who["due_other_runs_on"] = p["iin"]

    summary = ingest_lines(store, lines(*feed), "nearmiss", AS_OF)
    assert (summary.rejected, summary.pending) == (0, 0), summary
    store.transaction(lambda tx: writes.patch(tx, "Person", [{"iin": who["bad_iban"], "bank_account": BAD_IBAN}]))
    return who


def _got(store, kind: str, who: dict) -> dict[tuple[str, str, str | None], str]:
    """This kind's near misses of the test's people: (iin, benefit, subject) -> detail."""
    mine = {v for v in who.values() if isinstance(v, str)}
    found = near_misses(store, AS_OF, [kind])
    assert all(m.missing == kind for m in found)
    return {(m.iin, m.benefit, m.subject): m.detail for m in found if m.iin in mine}


def test_student_fact_one_child_short_with_a_non_student_of_19_at_home(store, people):
    got = _got(store, "student_fact", people)
    assert set(got) == {(people["student_in"], "large_family", None), (people["student_either"], "large_family", None)}
    older, younger = people["student_either_kids"]   # IINs begin with the birth date: 050110…, 070520…
    assert got[(people["student_either"], "large_family", None)] == (
        f"3 dependent children at home, 4 needed: children {older} (aged 21), {younger} (aged 19) live at home "
        f"without a student fact covering 2026-11-25; a student record for one of them would make 4")
    assert got[(people["student_in"], "large_family", None)] == (
        f"3 dependent children at home, 4 needed: child {people['student_child']} (aged 19) lives at home without "
        f"a student fact covering 2026-11-25; a student record would make 4")
    # the one record, added: she is entitled, and no longer a near miss
    ingest_lines(store, lines(fact(people["student_child"], "student", "2026-09-01", source="NOBD",
                                   valid_to="2027-06-30")), "student", AS_OF)
    assert people["student_in"] in {e.iin for e in sweep(store, AS_OF, ["large_family"]).entitlements}
    assert set(_got(store, "student_fact", people)) == {(people["student_either"], "large_family", None)}


def test_contribution_month_five_of_six_for_each_rule_that_counts_them(store, people):
    got = _got(store, "contribution_month", people)
    assert set(got) == {(people["months_5"], "job_loss", None), (people["wcl_5"], "work_capacity_loss", None)}
    assert got[(people["months_5"], "job_loss", None)] == (
        "contributions in 5 of the 24 calendar months before the month of the registration date, 2026-11-10; "
        "6 needed: one more month's contribution record would make it")
    # 6 of 6 is entitled, 4 of 6 is two records away: neither is a near miss
    found = {e.iin for e in sweep(store, AS_OF, ["job_loss"]).entitlements}
    assert people["months_6"] in found and people["months_5"] not in found and people["months_4"] not in found


def test_the_rules_that_count_contribution_months_are_found_from_their_parameters():
    """Not by name: each rule whose query tests min_contribution_months."""
    from familycard.graph.rules.run import used_params

    assert sorted(r.code for r in load_rules() if "min_contribution_months" in used_params(r.cypher)) == [
        "job_loss", "work_capacity_loss"]


def test_income_above_line_within_5_percent_and_not_one_tenge_more(store, people):
    got = _got(store, "income_above_line", people)
    assert set(got) == {(people["income_in"], "targeted_assistance", None),
                        (people["income_at_line"], "targeted_assistance", None)}
    assert got[(people["income_in"], "targeted_assistance", None)] == (
        "household of 1: 37 375.33 tenge per person a month against a line of 35 595.70 tenge "
        "(5.00 % above, at most 5 %)")
    assert people["income_below"] in {e.iin for e in sweep(store, AS_OF, ["targeted_assistance"]).entitlements}


def test_phone_for_each_right_found_whose_recipient_cannot_be_texted(store, people):
    got = _got(store, "phone", people)
    for who, why in (("no_phone", "no phone in the registry"),
                     ("landline", "the registry's phone is not a Kazakh mobile")):
        for code in ("birth", "childcare_1_5"):
            assert got[(people[who], code, people[f"{who}_baby"])] == (
                f"{why}: the offer would go to a caseworker, not by SMS")
    assert {k[0] for k in got} == {people["no_phone"], people["landline"]}   # a right with a phone is out


def test_bank_account_for_each_paid_right_whose_recipient_has_no_valid_account(store, people):
    got = _got(store, "bank_account", people)
    for who, why in (("no_account", "no bank account in the registry"),
                     ("bad_iban", "the registry's bank account is not a valid Kazakh IBAN")):
        for code in ("birth", "childcare_1_5"):
            assert got[(people[who], code, people[f"{who}_baby"])] == f"{why}: a consent would not be paid"
    # job_loss is paid: in; the employment-measures notice is not (no amount): out
    assert (people["notice_no_account"], "job_loss", None) in got
    assert (people["notice_no_account"], "employment_measures", None) not in got
    assert {k[0] for k in got} == {people["no_account"], people["bad_iban"], people["notice_no_account"]}


def test_reexamination_due_within_30_days_inclusive(store, people):
    got = _got(store, "reexamination_due", people)
    assert set(got) == {(people["due_30"], "disability", None), (people["due_today"], "disability", None),
                        (people["carer"], "disability", people["disabled_child"]),
                        (people["carer"], "disabled_child_carer", people["disabled_child"])}
    assert got[(people["due_30"], "disability", None)] == (
        "the disability (group 2) is recorded until 2026-12-25, 30 days after 2026-11-25: "
        "without a re-examination record the right ends then")
    assert got[(people["carer"], "disabled_child_carer", people["disabled_child"])] == (
        f"the disability of {people['disabled_child']} (group child) is recorded until 2026-12-15, 20 days after "
        f"2026-11-25: without a re-examination record the right ends then")


def test_all_kinds_sorted_and_no_detail_shows_a_phone_or_an_account(store, people):
    found = near_misses(store, AS_OF)
    assert found == sorted(found, key=lambda m: (m.benefit, m.missing, m.iin, m.subject or ""))
    assert {m.missing for m in found} == set(MISSING_KINDS)
    for m in found:
        assert set(m.record()) == {"iin", "benefit", "subject", "missing", "detail"}
        for secret in (PHONE, PHONE[2:], LANDLINE, LANDLINE[2:], ACCOUNT, BAD_IBAN, "KZ"):
            assert secret not in m.detail, (m, secret)
    with pytest.raises(ValueError, match="unknown near-miss kind 'phones' \\(known: student_fact, "):
        near_misses(store, AS_OF, ["phones"])


def test_the_rights_derived_from_the_relaxed_runs_are_the_rules_own(store, people):
    """near_misses does not run a relaxed rule a second time as it is: its rights (amounts too)
    are the relaxed rows that pass the rule's filter and decide. The same as a run of the rule."""
    from familycard.graph.lookahead.nearmiss import _Found
    from familycard.graph.rules import run_rule

    rules = {r.code: r for r in load_rules()}
    found = _Found(store, AS_OF, rules, set(MISSING_KINDS))
    for code in ("large_family", "job_loss", "work_capacity_loss", "targeted_assistance"):
        assert found._by_code[code] == run_rule(store, rules[code], AS_OF), code
    assert [e.record() for e in found.all()] == [e.record() for e in sweep(store, AS_OF).entitlements]
