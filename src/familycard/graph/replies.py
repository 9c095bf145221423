"""A citizen's SMS reply to 1414, read as consent or refusal to the offers open for that phone.

Pure functions, no I/O. ``parse_reply`` reads the text alone; ``resolve`` applies it to the
offers that are open for that phone. Both are conservative: a benefit must never be assigned
on a guess, so anything outside the small grammar below is "unclear" and costs one clarifying
SMS instead.

Grammar, on tokens split at whitespace, punctuation and digit/letter boundaries:
  a) one answer:             "да", "Иә!", "1", "2"
  b) number + answer pairs:  "1 да", "1 иә, 3 жоқ", "#2 нет", "1.да", "2 1" (offer 2, consent);
                             or answer + number, words only: "да 1", "иә 1 жоқ 3"
  c) all + answer:           "все да", "барлығы иә", "all yes", "да все", "all 1"
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

CONSENT = "consent"
REFUSAL = "refusal"
ALL = "all"

# The whole vocabulary; extend it here. Spelling variants ("иа", "жок", "барлыгы", "HET",
# "дa" with a Latin a) need no entry: they share a skeleton with a word below.
VOCABULARY: dict[str, str] = {
    "иә": CONSENT, "ия": CONSENT, "да": CONSENT, "yes": CONSENT, "1": CONSENT,
    "жоқ": REFUSAL, "нет": REFUSAL, "no": REFUSAL, "2": REFUSAL,
    "барлығы": ALL, "все": ALL, "all": ALL,
}

# Latin capitals that look like Cyrillic ones; mapped before case folding because H, B, T, M
# only look alike in capitals ("HET" is "НЕТ", but a lowercase h looks like Kazakh һ).
_UPPER = str.maketrans("ABCEHIKMOPTXY", "АВСЕНІКМОРТХУ")
# Lowercase look-alikes, then letters typed without a Kazakh keyboard (ә→а, қ→к, ...),
# and ё→е as Russian writers do. Everything lands on the Cyrillic member of its class.
_LOWER = str.maketrans({
    "a": "а", "c": "с", "e": "е", "i": "і", "k": "к", "o": "о", "p": "р", "x": "х", "y": "у",
    "h": "х",  # looks like Kazakh һ, which folds to х below
    "ə": "а",  # Latin schwa, common stand-in for ә
    "ә": "а", "қ": "к", "ғ": "г", "ө": "о", "ұ": "у", "ү": "у", "ң": "н", "һ": "х",
    "ё": "е",
})

# ASCII digit runs, or runs of other word characters: splits "1да" and drops punctuation and
# emoji. Non-ASCII digits ("１", "½") fall in the second class and so stay unknown words.
_TOKEN = re.compile(r"[0-9]+|[^\W0-9_]+")


def skeleton(token: str) -> str:
    """One spelling per look-alike class, so "дa", "HET", "жок", "иа" meet their vocabulary word."""
    return token.translate(_UPPER).casefold().translate(_LOWER)


_MEANING: dict[str, str] = {skeleton(w): m for w, m in VOCABULARY.items()}


@dataclass(frozen=True)
class Reply:
    answers: tuple[tuple[int | None, str], ...]  # (offer number, or None when not numbered; verdict)
    all: bool  # the reply said "all": answers is then one (None, verdict)
    text: str  # the original text


@dataclass(frozen=True)
class Resolution:
    decisions: dict[int, str]  # offer number -> verdict
    unclear: bool  # True: send one clarifying SMS, nothing is decided
    reason: str


class _Token(NamedTuple):
    kind: str  # "num" for a digit run, else the word's meaning: CONSENT, REFUSAL or ALL
    raw: str
    number: int = 0  # a digit run's value


def _tokens(text: str) -> list[_Token] | None:
    # "№" (numero) is punctuation here; format characters (zero-width spaces, direction marks)
    # are invisible and some phones insert them mid-word.
    text = "".join(c for c in unicodedata.normalize("NFC", text.replace("№", " "))
                   if unicodedata.category(c) != "Cf")
    out: list[_Token] = []
    for raw in _TOKEN.findall(text):
        if raw.isascii() and raw.isdigit():
            out.append(_Token("num", raw, int(raw)))
            continue
        meaning = _MEANING.get(skeleton(raw))
        if meaning is None:
            return None  # an unknown word: never guess around it
        out.append(_Token(meaning, raw))
    return out


def _answer(tok: _Token, digits: bool) -> str | None:
    """The verdict a token gives, if it is an answer; digits 1/2 count only when ``digits``."""
    if tok.kind in (CONSENT, REFUSAL):
        return tok.kind
    if tok.kind == "num" and digits:
        return _MEANING.get(tok.raw)  # exactly "1" or "2": "01" is not an answer
    return None


def _pairs(toks: list[_Token], number_first: bool) -> list[tuple[int, str]] | None:
    if not toks or len(toks) % 2:
        return None
    out: list[tuple[int, str]] = []
    for i in range(0, len(toks), 2):
        num, ans = (toks[i], toks[i + 1]) if number_first else (toks[i + 1], toks[i])
        # Answer before number only as a word: "1 2" is always offer 1, answer 2.
        verdict = _answer(ans, digits=number_first)
        if num.kind != "num" or verdict is None:
            return None
        out.append((num.number, verdict))
    return out


def parse_reply(text: str) -> Reply | None:
    """The reply's answers, or None when it says nothing we may act on."""
    toks = _tokens(text or "")
    if not toks:
        return None
    if len(toks) == 1:
        verdict = _answer(toks[0], digits=True)
        return Reply(((None, verdict),), False, text) if verdict else None
    if len(toks) == 2 and ALL in (toks[0].kind, toks[1].kind):
        # "все да", "да все", "all 1"; a digit before "all" is not read as an answer.
        verdict = _answer(toks[1], digits=True) if toks[0].kind == ALL else _answer(toks[0], digits=False)
        return Reply(((None, verdict),), True, text) if verdict else None
    pairs = _pairs(toks, number_first=True) or _pairs(toks, number_first=False)
    if pairs is None:
        return None
    seen: dict[int, str] = {}
    for num, verdict in pairs:
        if seen.setdefault(num, verdict) != verdict:
            return None  # "1 да 1 нет": contradicts itself
    return Reply(tuple(seen.items()), False, text)


def resolve(reply: Reply | None, open_numbers: Sequence[int]) -> Resolution:
    """Decisions for the open offers, or unclear (deciding nothing) with a short reason."""
    open_ = list(dict.fromkeys(open_numbers))
    if not open_:
        return Resolution({}, True, "no open offer")
    if reply is None or not reply.answers:
        return Resolution({}, True, "reply not understood")
    if reply.all:
        verdict = reply.answers[0][1]
        return Resolution({n: verdict for n in open_}, False, f"all {len(open_)} open offers")
    numbers = [n for n, _ in reply.answers]
    if None in numbers:
        if len(reply.answers) > 1:
            return Resolution({}, True, "bare and numbered answers mixed")
        if len(open_) > 1:
            return Resolution({}, True, f"bare answer with {len(open_)} open offers")
        return Resolution({open_[0]: reply.answers[0][1]}, False, "bare answer with 1 open offer")
    missing = [n for n in numbers if n not in open_]
    if missing:
        # Never decide part of a reply: the citizen may have mistyped the other numbers too.
        if len(missing) == 1:
            return Resolution({}, True, f"number {missing[0]} is not an open offer")
        return Resolution({}, True, f"numbers {', '.join(map(str, missing))} are not open offers")
    decisions = {n: v for n, v in reply.answers if n is not None}
    return Resolution(decisions, False, f"numbered answers for {len(decisions)} of {len(open_)} open offers")
