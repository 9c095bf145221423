"""A citizen's SMS reply to 1414, read as consent or refusal to the offers open for that phone.

Pure functions, no I/O. ``parse_reply`` reads the text alone; ``resolve`` applies it to the
offers that are open for that phone (and the refusals it may still take back). Both are
conservative: a benefit must never be assigned, nor refused, on a guess, so anything outside
the grammar below is "unclear" and costs one clarifying SMS instead.

Words come from reply_words.yaml (consent, refusal, all, politeness, negation; phrases of
several words allowed), compared by ``skeleton``. Politeness is dropped, a word repeated is
said once ("да да"), a negation left over makes the reply unclear ("иә емес", "не да").
Grammar, on the tokens left (numbers are ASCII digit runs):
  a) one answer word:        "да", "Иә, рахмет", "не согласна", "no thanks"
  b) one digit 1 or 2:       "1", "2" (yes/no; ``resolve`` takes it only with one open offer)
  c) numbers + answer:       "1 да", "1 иә, 3 жоқ", "1 2 иә", "1 и 2 да";
     or answer + numbers:    "да 1", "иә 1 2 жоқ 3"
  d) all + answer:           "все да", "барлығы иә", "all yes", "да все"
Digits never answer next to a number: "1 2", "12", "1,2" are numbers without an answer.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml

CONSENT = "consent"
REFUSAL = "refusal"
ALL = "all"
POLITE = "polite"
NEGATION = "negation"
NUM = "num"
KINDS = (CONSENT, REFUSAL, ALL, POLITE, NEGATION)
WORDS_FILE = Path(__file__).with_name("reply_words.yaml")
# A lone digit answers (yes/no) only as the whole reply, and only with one open offer.
DIGITS = {"1": CONSENT, "2": REFUSAL}

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
_REPEAT = re.compile(r"(.)\1+")

# ASCII digit runs, or runs of other word characters: splits "1да" and drops punctuation and
# emoji. Non-ASCII digits ("１", "½") fall in the second class and so stay unknown words.
_TOKEN = re.compile(r"[0-9]+|[^\W0-9_]+")
# Apostrophes join ("don't"); "№" (numero) separates; format characters (zero-width spaces,
# direction marks) are invisible and some phones insert them mid-word.
_JOIN = str.maketrans({"'": None, "\u2019": None, "\u02bc": None, "`": None, "№": " "})


def skeleton(token: str) -> str:
    """One spelling per look-alike class, so "дa", "HET", "жок", "иа", "дааа" meet their word."""
    return _REPEAT.sub(r"\1", token.translate(_UPPER).casefold().translate(_LOWER))


def _raw_tokens(text: str) -> list[str]:
    text = "".join(c for c in unicodedata.normalize("NFC", text.translate(_JOIN))
                   if unicodedata.category(c) != "Cf")
    return _TOKEN.findall(text)


@lru_cache(maxsize=1)
def vocabulary() -> dict[tuple[str, ...], str]:
    """Every phrase of reply_words.yaml, as a tuple of skeletons, with its kind."""
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    out: dict[tuple[str, ...], str] = {}
    where: dict[tuple[str, ...], str] = {}
    for kind in KINDS:
        for entry in data.get(kind) or []:
            if not isinstance(entry, str):  # YAML reads a bare yes/no as true/false: quote it
                raise ValueError(f"{WORDS_FILE.name}: {kind} entry {entry!r} is not a string")
            toks = _raw_tokens(entry)
            if not toks or any(t.isascii() and t.isdigit() for t in toks):
                raise ValueError(f"{WORDS_FILE.name}: {kind} entry {entry!r} must be words, not digits")
            key = tuple(skeleton(t) for t in toks)
            if out.setdefault(key, kind) != kind:
                raise ValueError(f"{WORDS_FILE.name}: {kind} entry {entry!r} reads like "
                                 f"{out[key]} entry {where[key]!r}")
            where.setdefault(key, str(entry))
    return out


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
    kind: str  # NUM for a digit run, else the phrase's kind
    raw: str
    number: int = 0  # a digit run's value


def _tokens(text: str) -> list[_Token] | None:
    """The reply's numbers and answer words; None when any word is unknown or negates."""
    words = vocabulary()
    longest = max(map(len, words))
    raw = _raw_tokens(text)
    out: list[_Token] = []
    i = 0
    while i < len(raw):
        if raw[i].isascii() and raw[i].isdigit():
            out.append(_Token(NUM, raw[i], int(raw[i])))
            i += 1
            continue
        for n in range(min(longest, len(raw) - i), 0, -1):  # the longest phrase first
            kind = words.get(tuple(skeleton(t) for t in raw[i:i + n]))
            if kind is not None:
                break
        else:
            return None  # an unknown word: never guess around it
        if kind == NEGATION:
            return None  # "иә емес", "не да": a negation we have no phrase for
        if kind != POLITE:
            out.append(_Token(kind, " ".join(raw[i:i + n])))
        i += n
    return out


def _groups(toks: list[_Token]) -> list[tuple[int, str]] | None:
    """Numbers with their answer word: "1 2 иә 3 жоқ" (word after) or "иә 1 2 жоқ 3" (before)."""
    out: list[tuple[int, str]] = []
    if toks[0].kind == NUM:
        pending: list[int] = []
        for t in toks:
            if t.kind == NUM:
                pending.append(t.number)
            elif not pending or t.kind not in (CONSENT, REFUSAL):
                return None
            else:
                out += [(n, t.kind) for n in pending]
                pending = []
        return None if pending else out
    if toks[-1].kind != NUM:
        return None
    verdict, counted = None, True
    for t in toks:
        if t.kind == NUM:
            out.append((t.number, verdict))
            counted = True
        elif not counted or t.kind not in (CONSENT, REFUSAL):
            return None
        else:
            verdict, counted = t.kind, False
    return out


def parse_reply(text: str) -> Reply | None:
    """The reply's answers, or None when it says nothing we may act on."""
    toks = _tokens(text or "")
    if not toks:
        return None
    # A word said twice in a row is said once: "да да", "иә, иә, келісемін".
    toks = [t for i, t in enumerate(toks) if t.kind == NUM or i == 0 or toks[i - 1].kind != t.kind]
    nums = [t for t in toks if t.kind == NUM]
    words = [t.kind for t in toks if t.kind != NUM]
    if ALL in words:
        answers = [w for w in words if w != ALL]
        if nums or len(words) != 2 or len(answers) != 1:
            return None  # "все", "все да 1 нет", "все да нет"
        return Reply(((None, answers[0]),), True, text)
    if not nums:
        return Reply(((None, words[0]),), False, text) if len(words) == 1 else None
    if not words:
        verdict = DIGITS.get(toks[0].raw) if len(toks) == 1 else None
        return Reply(((None, verdict),), False, text) if verdict else None
    pairs = _groups(toks)
    if pairs is None:
        return None
    seen: dict[int, str] = {}
    for num, verdict in pairs:
        if seen.setdefault(num, verdict) != verdict:
            return None  # "1 да 1 нет": contradicts itself
    return Reply(tuple(seen.items()), False, text)


def resolve(reply: Reply | None, open_numbers: Sequence[int], *, retractable: Sequence[int] = (),
            shared: bool = False) -> Resolution:
    """Decisions for the open offers, or unclear (deciding nothing) with a short reason.

    ``retractable``: numbers of offers this phone refused recently enough to take it back (a
    consent reopens them; an open offer's number wins). ``shared``: the open offers are for
    more than one recipient, so "all" would be someone consenting for another."""
    open_ = list(dict.fromkeys(open_numbers))
    back = [n for n in dict.fromkeys(retractable) if n not in open_]
    if not open_ and not back:
        return Resolution({}, True, "no open offer")
    if reply is None or not reply.answers:
        return Resolution({}, True, "reply not understood")
    if reply.all:
        if not open_:
            return Resolution({}, True, "no open offer")
        if shared and len(open_) > 1:
            return Resolution({}, True, f"all from a phone shared by several recipients ({len(open_)} open offers)")
        verdict = reply.answers[0][1]
        return Resolution({n: verdict for n in open_}, False, f"all {len(open_)} open offers")
    numbers = [n for n, _ in reply.answers]
    if None in numbers:
        if len(reply.answers) > 1:
            return Resolution({}, True, "bare and numbered answers mixed")
        verdict = reply.answers[0][1]
        # Only a consent can take a refusal back; refusing a refused offer says nothing new.
        candidates = open_ + (back if verdict == CONSENT else [])
        if len(candidates) == 1:
            what = "1 open offer" if open_ else "1 refusal to take back"
            return Resolution({candidates[0]: verdict}, False, f"bare answer with {what}")
        if not candidates:
            return Resolution({}, True, "no open offer")
        extra = f" and {len(back)} refusal(s) to take back" if verdict == CONSENT and back else ""
        return Resolution({}, True, f"bare answer with {len(open_)} open offers{extra}")
    missing = [n for n, v in reply.answers if n not in open_ and not (n in back and v == CONSENT)]
    if missing:
        # Never decide part of a reply: the citizen may have mistyped the other numbers too.
        if len(missing) == 1:
            return Resolution({}, True, f"number {missing[0]} is not an open offer")
        return Resolution({}, True, f"numbers {', '.join(map(str, missing))} are not open offers")
    decisions = {n: v for n, v in reply.answers if n is not None}
    return Resolution(decisions, False, f"numbered answers for {len(decisions)} of {len(open_)} open offers")
