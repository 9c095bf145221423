"""The SMS texts: a rule's offer (its rule.yaml `sms`) and the flow's own (sms_texts.yaml),
each in Kazakh then Russian."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from familycard.graph.rules import Rule

LANGS = ("kk", "ru")
# Kazakh and Russian need UCS-2, 67 characters a part of a long SMS; ten parts is where some
# operators stop joining them. Every offer SMS (numbered, with a recipient's name) fits.
SMS_PART, SMS_MAX_PARTS = 67, 10
NAME_MAX = 20  # a given name longer than this is cut: the SMS names, it does not identify


@lru_cache(maxsize=1)
def _texts() -> Mapping:
    return yaml.safe_load((Path(__file__).with_name("sms_texts.yaml")).read_text(encoding="utf-8"))


def tenge(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")  # a no-break space, as Kazakh and Russian group digits


def _both(parts: Mapping[str, str]) -> str:
    return "\n".join(parts[lang] for lang in LANGS)


def sms_parts(text: str) -> int:
    """How many parts of a long UCS-2 SMS the text takes (one part holds 70 alone)."""
    return 1 if len(text) <= 70 else -(-len(text) // SMS_PART)


def recipient_name(given_name: str | None, surname: str | None) -> str:
    """Given name and the surname's initial ("Айгүл С."): enough for a family to tell whose
    offer it is, never the IIN."""
    given = " ".join((given_name or "").split())[:NAME_MAX].strip()
    initial = (surname or "").strip()[:1].upper()
    return " ".join(x for x in (given, f"{initial}." if initial else "") if x) or "—"


def offer_text(rule: Rule, amount_kzt: int | None, number: int | None, recipient: str | None = None) -> str:
    """The offer SMS; ``number`` when the phone has several open offers, ``recipient`` (see
    ``recipient_name``) when they are for more than one person."""
    t = _texts()
    out = {}
    for lang in LANGS:
        amount = ""
        if amount_kzt is not None:
            kind = "monthly" if rule.periodicity == "monthly" else "one_off"
            amount = t["amount"][kind][lang].format(amount=tenge(amount_kzt))
        body = rule.sms[lang].format(title=rule.title[lang], amount=amount)
        if recipient:
            body = t["recipient"][lang].format(name=recipient) + body
        if number is not None:
            body = re.sub(t["numbered"]["drop"][lang], "", body).rstrip()
            body = t["numbered"]["prefix"][lang].format(n=number) + body + " " + \
                t["numbered"]["how"][lang].format(n=number)
        out[lang] = body
    return _both(out)


def flow_text(name: str, rule: Rule | None = None) -> str:
    """consented | too_late | too_late_final | no_offer | withdrawn | ended, for one rule's offer."""
    t = _texts()[name]
    return _both({lang: t[lang].format(title=rule.title[lang] if rule else "") for lang in LANGS})


def refused_text(rule: Rule, number: int | None) -> str:
    """The refusal's confirmation, with how to take it back in 24 hours: by ``number`` when the
    phone has other offers a bare "иә" could mean."""
    t = _texts()
    n = f"{number} " if number is not None else ""
    return _both({lang: t["refused"][lang].format(title=rule.title[lang],
                                                  answer=t["take_back"][lang].format(n=n)) for lang in LANGS})


def clarify_text(offers: Sequence[tuple[int | None, Rule] | tuple[int | None, Rule, str | None]]) -> str:
    """The one clarifying SMS: for one open offer how to answer, for several the list by number;
    when an offer names its recipient (a shared phone), the list names them all and offers no "all"."""
    t = _texts()
    if len(offers) == 1:
        return flow_text("clarify_one", offers[0][1])
    shared = any(len(o) > 2 and o[2] for o in offers)
    out = {}
    for lang in LANGS:
        listing = "; ".join(f"{o[0]} — «{o[1].title[lang]}»" + (f" ({o[2]})" if shared else "") for o in offers)
        out[lang] = t["clarify_shared" if shared else "clarify_many"][lang].format(list=listing)
    return _both(out)
