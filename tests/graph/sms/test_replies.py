"""A citizen's SMS answer to 1414 read as consent or refusal, and nothing assigned on a guess."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from familycard.graph.sms import replies
from familycard.graph.sms.replies import (
    ALL,
    CONSENT,
    REFUSAL,
    Reply,
    parse_reply,
    resolve,
    skeleton,
    vocabulary,
)

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
    case("10 да", (10, C), id="two-digit offer number"),
    case("да 1", (1, C), id="answer word before number"),
    case("Нет 2, да 3", (2, R), (3, C), id="answer words before numbers throughout"),
    case("1 да 1 да", (1, C), id="a repeated identical pair counts once"),
    case("1 HET", (1, R), id="number then look-alike no"),
    case("1 2 иә", (1, C), (2, C), id="two numbers then one answer word answer both"),
    case("1, 2 да", (1, C), (2, C), id="two numbers with a comma then yes"),
    case("1 и 2 да", (1, C), (2, C), id="numbers joined by and then yes"),
    case("иә 1 2 жоқ 3", (1, C), (2, C), (3, R), id="answer words before groups of numbers"),
    case("2 отказываюсь", (2, R), id="number then a refusal sentence"),
    case("да 1 2", (1, C), (2, C), id="an answer word before two numbers answers both"),
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
]

UNCLEAR = [
    case("", id="empty text"),
    case("   ", id="only spaces"),
    case("!!!", id="only punctuation"),
    case("👍", id="only an emoji"),
    case("ок", id="ok is not in the vocabulary"),
    case("ok", id="Latin ok is not in the vocabulary"),
    case("y", id="single letter y is not in the vocabulary"),
    case("не знаю", id="unknown words"),
    case("да нет", id="yes and no contradict"),
    case("1 да 1 нет", id="contradictory answers for the same offer"),
    case("3", id="a lone digit other than 1 or 2"),
    case("01", id="a zero-padded digit is not an answer"),
    case("1 да 2", id="a dangling number"),
    case("1 2 3", id="three digits do not pair up"),
    case("1 все", id="a digit before all is not an answer"),
    case("1 2", id="two digits are numbers without an answer, never offer 1 refused"),
    case("2 1", id="two digits the other way round are no answer either"),
    case("12", id="a two-digit run is a number without an answer"),
    case("1,2", id="numbers with a comma and no answer word"),
    case("1 1 2 2", id="four digits are not offer-answer pairs"),
    case("все 1", id="a digit after all is not an answer"),
    case("all 2", id="all then digit 2 refuses nothing"),
    case("иә емес", id="Kazakh yes negated is not consent"),
    case("не да", id="Russian yes negated is not consent"),
    case("not yes", id="English yes negated is not consent"),
    case("жоқ емес", id="a negated refusal is not a refusal"),
    case("рахмет", id="thanks alone is not consent"),
    case("спасибо", id="Russian thanks alone is not consent"),
    case("и", id="a connector alone says nothing"),
    case("все", id="all without an answer"),
    case("все все", id="all twice"),
    case("все да 1 нет", id="all mixed with a numbered answer"),
    case("все да нет", id="all with contradictory answers"),
    case("１", id="a fullwidth digit"),
    case("½", id="a vulgar fraction is not two digits"),
    case("+77011234567", id="a phone number is not an answer"),
    case("дай", id="a word that merely starts with yes"),
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


POLITE_AND_SENTENCES = [
    case("Иә, рахмет", C, id="Kazakh yes with thanks"),
    case("келісемін", C, id="Kazakh I agree"),
    case("Мен келісемін!", C, id="Kazakh I agree with the pronoun"),
    case("келіспеймін", R, id="Kazakh I do not agree"),
    case("согласен", C, id="Russian agree masculine"),
    case("Согласна", C, id="Russian agree feminine"),
    case("не согласна", R, id="Russian do not agree is a refusal"),
    case("Я не согласен", R, id="Russian I do not agree with the pronoun"),
    case("отказываюсь", R, id="Russian I refuse"),
    case("Нет, спасибо", R, id="Russian no thanks"),
    case("yes please", C, id="English yes please"),
    case("no thanks", R, id="English no thanks"),
    case("да да", C, id="a repeated yes is one yes"),
    case("Дааа!!!", C, id="a stretched yes"),
    case("нетт", R, id="a doubled letter in no"),
    case("ia", C, id="Kazakh yes in Latin letters"),
    case("iya", C, id="Kazakh yes in Latin letters with y"),
    case("da", C, id="Russian yes in Latin letters"),
    case("net", R, id="Russian no in Latin letters"),
    case("zhok", R, id="Kazakh no in Latin letters"),
    case("lf", C, id="Russian yes typed with the Latin layout on"),
    case("don't want", R, id="an English refusal with an apostrophe"),
    case("ага", C, id="colloquial Russian yes"),
]


@pytest.mark.parametrize(("text", "expected"), POLITE_AND_SENTENCES)
def test_common_forms_with_politeness_repetition_and_transliteration(text, expected):
    (verdict,) = expected
    assert parse_reply(text) == Reply(((None, verdict),), False, text)


def test_no_two_words_of_different_meaning_share_a_skeleton():
    # vocabulary() raises on a clash; a clash across kinds would make a reading depend on order
    words = vocabulary()
    assert len(words) >= 100


def test_a_clash_in_the_word_list_is_refused_naming_both_entries(tmp_path, monkeypatch):
    bad = tmp_path / "words.yaml"
    bad.write_text("consent: [да]\nrefusal: [дa]\n", encoding="utf-8")  # the second has a Latin a
    monkeypatch.setattr(replies, "WORDS_FILE", bad)
    replies.vocabulary.cache_clear()
    try:
        with pytest.raises(ValueError, match="refusal entry 'дa' reads like consent entry 'да'"):
            replies.vocabulary()
    finally:
        replies.vocabulary.cache_clear()


def test_an_unquoted_yes_in_the_word_list_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "words.yaml"
    bad.write_text("consent: [yes]\n", encoding="utf-8")  # YAML reads it as true
    monkeypatch.setattr(replies, "WORDS_FILE", bad)
    replies.vocabulary.cache_clear()
    try:
        with pytest.raises(ValueError, match="consent entry True is not a string"):
            replies.vocabulary()
    finally:
        replies.vocabulary.cache_clear()


def test_kazakh_letters_and_look_alikes_share_a_skeleton():
    assert skeleton("иә") == skeleton("иа") == skeleton("ИA")
    assert skeleton("жоқ") == skeleton("жок") == skeleton("ЖOK")
    assert skeleton("барлығы") == skeleton("барлыгы")
    assert skeleton("нет") == skeleton("HET") == skeleton("НЕТ")
    assert skeleton("yes") == skeleton("уеs") == skeleton("YES")


def test_the_vocabulary_keeps_the_words_of_the_spec():
    kinds = {k[0]: v for k, v in vocabulary().items() if len(k) == 1}
    for word in ("иә", "ия", "да", "yes"):
        assert kinds[skeleton(word)] == CONSENT, word
    for word in ("жоқ", "нет", "no"):
        assert kinds[skeleton(word)] == REFUSAL, word
    for word in ("барлығы", "все", "all"):
        assert kinds[skeleton(word)] == ALL, word


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
    pytest.param("2 1", [1, 2], {}, True, "reply not understood", id="two digits decide nothing"),
    pytest.param("1 2", [1, 2, 3], {}, True, "reply not understood",
                 id="one two with three open offers refuses nothing and clarifies"),
    pytest.param("1 2 иә", [1, 2, 3], {1: C, 2: C}, False, None, id="one two yes consents both named offers"),
    pytest.param("все да", [1, 2, 3, 4], {}, True, "all from a phone shared by several recipients (4 open offers)",
                 id="all from a shared phone decides nothing"),
    pytest.param("1 иә, 4 иә", [1, 2, 3, 4], {1: C, 4: C}, False, None,
                 id="numbered answers from a shared phone decide exactly those"),
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


SHARED = {"all from a shared phone decides nothing", "numbered answers from a shared phone decide exactly those"}


@pytest.mark.parametrize(("text", "open_numbers", "decisions", "unclear", "reason"), RESOLVE)
def test_resolve(request, text, open_numbers, decisions, unclear, reason):
    shared = request.node.callspec.id in SHARED
    res = resolve(parse_reply(text), open_numbers, shared=shared)
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


# resolve(text, open, refusals to take back) -> (decisions, unclear)
TAKE_BACK = [
    pytest.param("иә", [], [3], {3: C}, False, id="a bare yes with only a recent refusal takes it back"),
    pytest.param("3 да", [1], [3], {3: C}, False, id="a numbered yes takes back that refusal"),
    pytest.param("иә", [1], [3], {}, True, id="a bare yes with an open offer and a recent refusal is unclear"),
    pytest.param("жоқ", [1], [3], {1: R}, False, id="a bare no can only mean the open offer"),
    pytest.param("3 жоқ", [1], [3], {}, True, id="refusing a refused offer again is unclear"),
    pytest.param("жоқ", [], [3], {}, True, id="a no with only a recent refusal decides nothing"),
    pytest.param("все да", [], [1, 2], {}, True, id="all never takes refusals back"),
    pytest.param("1 да", [1], [1], {1: C}, False, id="an open offer's number wins over a refused one"),
]


@pytest.mark.parametrize(("text", "open_numbers", "back", "decisions", "unclear"), TAKE_BACK)
def test_a_consent_takes_back_a_recent_refusal_and_nothing_else_does(text, open_numbers, back, decisions, unclear):
    res = resolve(parse_reply(text), open_numbers, retractable=back)
    assert (res.decisions, res.unclear) == (decisions, unclear)


# The table: replies as people write them (tests/data/replies.yaml), with their readings.
TABLE = yaml.safe_load((Path(__file__).parents[2] / "data" / "replies.yaml").read_text(encoding="utf-8"))["cases"]


def expected_reading(expect: str) -> dict[int, str] | None:
    """"consent 1 2; refusal 3" -> {1: consent, 2: consent, 3: refusal}; "clarify" -> None."""
    if expect.strip() == "clarify":
        return None
    out: dict[int, str] = {}
    for part in expect.split(";"):
        verdict, *numbers = part.split()
        assert verdict in (CONSENT, REFUSAL) and numbers, expect
        out.update({int(n): verdict for n in numbers})
    return out


def test_the_table_has_at_least_200_replies_each_once():
    keys = [(r["text"], tuple(r.get("open", [1])), tuple(r.get("back", [])), r.get("shared", False)) for r in TABLE]
    assert len(TABLE) >= 200 and len(set(keys)) == len(keys)


@pytest.mark.parametrize("row", TABLE, ids=[f"{r['text']!r} with open {r.get('open', [1])}"
                                             + (f" back {r['back']}" if r.get("back") else "")
                                             + (" shared" if r.get("shared") else "") for r in TABLE])
def test_the_table_of_real_replies_reads_as_expected(row):
    res = resolve(parse_reply(row["text"]), row.get("open", [1]), retractable=row.get("back", []),
                  shared=row.get("shared", False))
    want = expected_reading(row["expect"])
    assert (None if res.unclear else res.decisions) == want, res.reason
