"""Every SMS the system sends, for every rule, with the longest realistic values (a long given
name, the largest amounts, two-digit offer numbers), within its budget of parts; and every
reply an SMS quotes reads as it says."""
from __future__ import annotations

import re

import pytest

from familycard.graph.rules import RuleError, load_rules
from familycard.graph.rules.folders import _sms
from familycard.graph.sms.length import MAX_PARTS, UCS2, measure, sms_parts
from familycard.graph.sms.replies import CONSENT, REFUSAL, parse_reply
from familycard.graph.sms.texts import (
    FLOW_PARTS,
    NAMED_OFFER_PARTS,
    OFFER_PARTS,
    budget,
    clarify_parts,
    clarify_text,
    flow_text,
    offer_text,
    recipient_name,
    refused_text,
)

RULES = load_rules()
ANSWERED = [r for r in RULES if r.answers]
# More than any amount a rule gives (job loss, 0.45 of an average income, reaches 10 million
# tenge only for incomes above 22 million a month), and a given name cut at its longest.
AMOUNT = 9_999_999
NAME = recipient_name("Айгүлжаназаркүлмариямгүл", "Серікова")
NUMBER = 99  # an offer's number on its phone: one or two digits
FLOW = ("consented", "too_late", "too_late_final", "withdrawn", "ended")


def _names_both(rule, text):
    assert rule.sms_title["kk"] in text and rule.sms_title["ru"] in text, (rule.code, text)


def _fits(text, parts):
    m = measure(text)
    assert m.encoding == UCS2 and m.parts <= parts, (m, text)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_an_offer_fits_two_parts_numbered_or_not_and_three_when_it_names_its_recipient(rule):
    amount = AMOUNT if rule.kind == "benefit" else None
    plain = offer_text(rule, amount, None)
    _fits(plain, OFFER_PARTS)
    if rule.kind == "benefit":
        _names_both(rule, plain)
        assert "9\u00a0999\u00a0999 ₸" in plain and (("айына/в месяц" in plain) == (rule.periodicity == "monthly"))
    else:
        assert rule.sms_lead["kk"] in plain and rule.sms_lead["ru"] in plain
    if rule.answers:
        assert "72 сағ/ч" in plain and "иә/да (1)" in plain and "жоқ/нет (2)" in plain
        numbered = offer_text(rule, amount, NUMBER)
        _fits(numbered, OFFER_PARTS)
        assert f"«{NUMBER} иә/да»" in numbered and "(1)" not in numbered
        named = offer_text(rule, amount, NUMBER, NAME)
        _fits(named, NAMED_OFFER_PARTS)
        assert named.startswith(f"Алушы/Получатель: {NAME}\n")
        assert budget("offer", named=True) == NAMED_OFFER_PARTS and budget("offer") == OFFER_PARTS


def test_a_birth_offer_as_most_mothers_get_it_takes_two_parts():
    birth = load_rules(["birth"])[0]
    assert sms_parts(offer_text(birth, 164_350, None)) == 2  # 38 MCI: a first, second or third child


@pytest.mark.parametrize("rule", ANSWERED, ids=lambda r: r.code)
def test_every_reply_to_a_citizen_fits_two_parts(rule):
    for name in FLOW:
        text = flow_text(name, rule)
        _fits(text, FLOW_PARTS)
        _names_both(rule, text)
        assert budget(name) == FLOW_PARTS
    for number in (None, NUMBER):
        text = refused_text(rule, number)
        _fits(text, budget("refused"))
        _names_both(rule, text)
    one = clarify_text([(1, rule)])
    _fits(one, budget("clarify", offers=1))
    _names_both(rule, one)
    _fits(flow_text("no_offer"), budget("polite"))
    assert "1414" in flow_text("withdrawn", rule) and "1414" in flow_text("ended", rule)
    assert "1414" in flow_text("no_offer")


@pytest.mark.parametrize("offers", range(2, 9))
def test_a_clarifying_sms_listing_n_offers_takes_at_most_n_plus_2_parts(offers):
    longest = sorted(ANSWERED, key=lambda r: -len(r.sms_title["kk"] + r.sms_title["ru"]))
    listed = [longest[i % len(longest)] for i in range(offers)]
    many = clarify_text([(NUMBER - i, r) for i, r in enumerate(listed)])
    shared = clarify_text([(NUMBER - i, r, NAME) for i, r in enumerate(listed)])
    assert budget("clarify", offers=offers) == clarify_parts(offers) == offers + 2 <= MAX_PARTS
    for text in (many, shared):
        _fits(text, clarify_parts(offers))
        for i, r in enumerate(listed):
            assert f"{NUMBER - i} — " in text
            _names_both(r, text)
    assert "«все да»" in many and "все да" not in shared and NAME in shared


def test_every_reply_an_sms_quotes_reads_as_it_says():
    texts = [offer_text(r, AMOUNT, n, who) for r in ANSWERED for n in (None, 7) for who in (None, NAME)]
    texts += [refused_text(r, n) for r in ANSWERED for n in (None, 7)]
    texts += [clarify_text([(7, r), (8, r)]) for r in ANSWERED] + [clarify_text([(7, r, NAME), (8, r, "Б.")])
                                                                   for r in ANSWERED]
    quoted = {q for t in texts for q in re.findall(r"«([^»]+)»", t)}
    assert quoted >= {"7 иә/да", "7 жоқ/нет", "иә/да", "1 иә/да", "2 жоқ/нет", "барлығы иә", "все да"}
    for q in quoted:
        reply = parse_reply(q)
        assert reply is not None, q
        verdicts = {v for _, v in reply.answers}
        assert verdicts == ({REFUSAL} if re.search("жоқ|нет", q) else {CONSENT}), q
        numbers = [int(n) for n in re.findall(r"\d+", q)]
        assert [n for n, _ in reply.answers if n is not None] == numbers, q


def test_a_rule_folder_without_a_short_sms_title_or_a_notice_without_its_text_is_refused():
    with pytest.raises(RuleError, match="sms title"):
        _sms({"lead": {"kk": "a", "ru": "b"}}, "benefit", "x/rule.yaml")
    with pytest.raises(RuleError, match="sms lead is missing"):
        _sms({"title": {"kk": "a", "ru": "b"}}, "notification", "x/rule.yaml")
    with pytest.raises(RuleError, match="must have 'title'"):
        _sms({"kk": "old form", "ru": "старая форма"}, "benefit", "x/rule.yaml")
