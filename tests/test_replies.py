"""A citizen's SMS answer to 1414 read as consent or refusal, and nothing assigned on a guess."""
from __future__ import annotations

import itertools

import pytest

from familycard.graph.replies import ALL, CONSENT, REFUSAL, VOCABULARY, Reply, parse_reply, resolve, skeleton

C, R = CONSENT, REFUSAL


def case(text: str, *expected, id: str):
    return pytest.param(text, expected, id=id)


# A bare answer: answers == ((None, verdict),)
BARE = [
    case("иә", C, id="Kazakh yes is consent"),
    case("ия", C, id="Kazakh yes spelled ия is consent"),
    case("иа", C, id="Kazakh yes typed without ә is consent"),
    case("да", C, id="Russian yes is consent"),
    case("yes", C, id="English yes is consent"),
    case("1", C, id="digit 1 is consent"),
    case("жоқ", R, id="Kazakh no is refusal"),
    case("жок", R, id="Kazakh no typed without қ is refusal"),
    case("нет", R, id="Russian no is refusal"),
    case("no", R, id="English no is refusal"),
    case("2", R, id="digit 2 is refusal"),
    case("ДА", C, id="upper case Russian yes is consent"),
    case("Иә", C, id="capitalised Kazakh yes is consent"),
    case("ИӘ", C, id="upper case Kazakh yes is consent"),
    case("ЖОҚ", R, id="upper case Kazakh no is refusal"),
    case("YES", C, id="upper case English yes is consent"),
    case("No", R, id="capitalised English no is refusal"),
    case("Да.", C, id="a full stop after yes is ignored"),
    case("Нет!!!", R, id="exclamation marks after no are ignored"),
    case("  да  ", C, id="surrounding spaces are ignored"),
    case("«Да»", C, id="guillemets around yes are ignored"),
    case('"yes"', C, id="quotes around yes are ignored"),
    case("да 👍", C, id="an emoji after yes is ignored"),
    case("1️⃣", C, id="keycap emoji 1 is consent"),
    case("... нет ...", R, id="punctuation-only tokens around no are ignored"),
    case("д\u200bа", C, id="a zero-width space inside a word is dropped, not a split"),
    case("дa", C, id="Russian yes with a Latin a is consent"),
    case("Дa", C, id="capitalised Russian yes with a Latin a is consent"),
    case("HET", R, id="Russian no in Latin capitals is refusal"),
    case("HeT", R, id="Russian no mixing Latin capitals and a Latin e is refusal"),
    case("нeт", R, id="Russian no with a Latin e is refusal"),
    case("yеs", C, id="English yes with a Cyrillic е is consent"),
    case("иa", C, id="Kazakh yes with a Latin a is consent"),
    case("иə", C, id="Kazakh yes with a Latin schwa is consent"),
    case("жоk", R, id="Kazakh no with a Latin k is refusal"),
    case("nо", R, id="English no with a Cyrillic о is refusal"),
]

NUMBERED = [
    case("1 да", (1, C), id="number then Russian yes"),
    case("1.да", (1, C), id="number full stop yes"),
    case("1-да", (1, C), id="number dash yes"),
    case("1:иә", (1, C), id="number colon Kazakh yes"),
    case("1да", (1, C), id="number glued to yes"),
    case("#2 нет", (2, R), id="hash number then no"),
    case("№2 нет", (2, R), id="numero sign number then no"),
    case("3) жоқ", (3, R), id="list-style number then Kazakh no"),
    case("1 да 2 нет", (1, C), (2, R), id="two numbered answers"),
    case("1 иә, 3 жоқ", (1, C), (3, R), id="two numbered Kazakh answers with a comma"),
    case("1 иә\n3 жоқ\n2 yes", (1, C), (3, R), (2, C), id="three numbered answers on separate lines"),
    case("2 1", (2, C), id="two digits are offer then answer digit consent"),
    case("1 2", (1, R), id="two digits are offer then answer digit refusal"),
    case("1 1 2 2", (1, C), (2, R), id="four digits are two offer-answer pairs"),
    case("10 да", (10, C), id="two-digit offer number"),
    case("да 1", (1, C), id="answer word before number"),
    case("Нет 2, да 3", (2, R), (3, C), id="answer words before numbers throughout"),
    case("1 да 1 да", (1, C), id="a repeated identical pair counts once"),
    case("1 HET", (1, R), id="number then look-alike no"),
]

ALL_CASES = [
    case("все да", C, id="Russian all then yes"),
    case("Все, да!", C, id="Russian all then yes with punctuation"),
    case("барлығы иә", C, id="Kazakh all then yes"),
    case("барлыгы жок", R, id="Kazakh all then no typed without Kazakh letters"),
    case("all yes", C, id="English all then yes"),
    case("ALL NO", R, id="English all then no in capitals"),
    case("да все", C, id="yes then Russian all"),
    case("нет все", R, id="no then Russian all"),
    case("всё да", C, id="Russian all written with ё"),
    case("все 1", C, id="all then answer digit 1"),
    case("all 2", R, id="all then answer digit 2"),
]

UNCLEAR = [
    case("", id="empty text"),
    case("   ", id="only spaces"),
    case("!!!", id="only punctuation"),
    case("👍", id="only an emoji"),
    case("ок", id="ok is not in the vocabulary"),
    case("ok", id="Latin ok is not in the vocabulary"),
    case("y", id="single letter y is not in the vocabulary"),
    case("ага", id="colloquial yes is not in the vocabulary"),
    case("не знаю", id="unknown words"),
    case("да, спасибо", id="yes with an unknown word"),
    case("нет, не надо", id="no with unknown words"),
    case("да нет", id="yes and no contradict"),
    case("да да", id="a repeated bare answer is outside the grammar"),
    case("1 да 1 нет", id="contradictory answers for the same offer"),
    case("3", id="a lone digit other than 1 or 2"),
    case("01", id="a zero-padded digit is not an answer"),
    case("1 да 2", id="a dangling number"),
    case("да 1 2", id="answer word before a number then a dangling number"),
    case("1 2 3", id="three digits do not pair up"),
    case("1 все", id="a digit before all is not an answer"),
    case("все", id="all without an answer"),
    case("все все", id="all twice"),
    case("все да 1 нет", id="all mixed with a numbered answer"),
    case("все да нет", id="all with contradictory answers"),
    case("１", id="a fullwidth digit"),
    case("½", id="a vulgar fraction is not two digits"),
    case("+77011234567", id="a phone number is not an answer"),
    case("дай", id="a word that merely starts with yes"),
    case("нетт", id="repeated letters are not tolerated"),
]


@pytest.mark.parametrize(("text", "expected"), BARE)
def test_bare_answers(text, expected):
    (verdict,) = expected
    assert parse_reply(text) == Reply(((None, verdict),), False, text)


@pytest.mark.parametrize(("text", "expected"), NUMBERED)
def test_numbered_answers(text, expected):
    assert parse_reply(text) == Reply(tuple(expected), False, text)


@pytest.mark.parametrize(("text", "expected"), ALL_CASES)
def test_all_answers(text, expected):
    (verdict,) = expected
    assert parse_reply(text) == Reply(((None, verdict),), True, text)


@pytest.mark.parametrize(("text", "expected"), UNCLEAR)
def test_unclear_replies(text, expected):
    assert parse_reply(text) is None


def test_no_two_words_of_different_meaning_share_a_skeleton():
    for (a, ma), (b, mb) in itertools.combinations(VOCABULARY.items(), 2):
        assert ma == mb or skeleton(a) != skeleton(b), (a, b)


def test_kazakh_letters_and_look_alikes_share_a_skeleton():
    assert skeleton("иә") == skeleton("иа") == skeleton("ИA")
    assert skeleton("жоқ") == skeleton("жок") == skeleton("ЖOK")
    assert skeleton("барлығы") == skeleton("барлыгы")
    assert skeleton("нет") == skeleton("HET") == skeleton("НЕТ")
    assert skeleton("yes") == skeleton("уеs") == skeleton("YES")


def test_vocabulary_is_exactly_the_spec():
    assert {w for w, m in VOCABULARY.items() if m == CONSENT} == {"иә", "ия", "да", "yes", "1"}
    assert {w for w, m in VOCABULARY.items() if m == REFUSAL} == {"жоқ", "нет", "no", "2"}
    assert {w for w, m in VOCABULARY.items() if m == ALL} == {"барлығы", "все", "all"}


def test_the_original_text_is_kept():
    assert parse_reply(" Да! ").text == " Да! "


# resolve(text, open offers) -> (decisions, unclear, reason or None to skip checking it)
RESOLVE = [
    pytest.param("да", [7], {7: C}, False, None, id="bare yes with one open offer decides it"),
    pytest.param("нет", [7], {7: R}, False, None, id="bare no with one open offer decides it"),
    pytest.param("1", [7], {7: C}, False, None, id="bare digit 1 with one open offer is consent"),
    pytest.param("2", [7], {7: R}, False, None, id="bare digit 2 with one open offer is refusal"),
    pytest.param("2", [1], {1: R}, False, None, id="bare digit 2 with offer 1 open is refusal, not offer 2"),
    pytest.param("1 да", [1], {1: C}, False, None, id="numbered answer naming the one open offer"),
    pytest.param("3 да", [1], {}, True, "number 3 is not an open offer",
                 id="numbered answer naming another offer with one open"),
    pytest.param("да", [1, 2, 3], {}, True, "bare answer with 3 open offers",
                 id="bare answer with several open offers is unclear"),
    pytest.param("1", [1, 2], {}, True, "bare answer with 2 open offers",
                 id="bare digit with several open offers is unclear"),
    pytest.param("1 да 2 нет", [1, 2, 3], {1: C, 2: R}, False, None,
                 id="numbered answers decide only the offers they name"),
    pytest.param("2 1", [1, 2], {2: C}, False, None, id="offer then answer digit"),
    pytest.param("1 да 5 нет", [1, 2, 3], {}, True, "number 5 is not an open offer",
                 id="one number not open leaves the whole reply undecided"),
    pytest.param("5 да 6 нет", [1, 2], {}, True, "numbers 5, 6 are not open offers",
                 id="several numbers not open"),
    pytest.param("все да", [1, 2, 3], {1: C, 2: C, 3: C}, False, None, id="all yes decides every open offer"),
    pytest.param("барлығы жоқ", [4, 9], {4: R, 9: R}, False, None, id="all no refuses every open offer"),
    pytest.param("all yes", [4], {4: C}, False, None, id="all yes with one open offer"),
    pytest.param("да", [], {}, True, "no open offer", id="no open offers"),
    pytest.param("все да", [], {}, True, "no open offer", id="all with no open offers"),
    pytest.param("не знаю", [1], {}, True, "reply not understood", id="unclear text with an open offer"),
    pytest.param("да", [3, 3], {3: C}, False, None, id="a repeated open number counts once"),
]


@pytest.mark.parametrize(("text", "open_numbers", "decisions", "unclear", "reason"), RESOLVE)
def test_resolve(text, open_numbers, decisions, unclear, reason):
    res = resolve(parse_reply(text), open_numbers)
    assert (res.decisions, res.unclear) == (decisions, unclear)
    if reason is not None:
        assert res.reason == reason
    assert res.reason


def test_resolve_none_reply():
    res = resolve(None, [1, 2])
    assert res.unclear and res.decisions == {}


def test_resolve_rejects_mixed_bare_and_numbered_answers():
    res = resolve(Reply(((None, C), (1, R)), False, "made up"), [1, 2])
    assert res.unclear and res.decisions == {}
