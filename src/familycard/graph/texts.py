"""The SMS texts: a rule's offer (its rule.yaml `sms`) and the flow's own (sms_texts.yaml),
each in Kazakh then Russian."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from familycard.graph.rules import Rule

LANGS = ("kk", "ru")


@lru_cache(maxsize=1)
def _texts() -> Mapping:
    return yaml.safe_load((Path(__file__).with_name("sms_texts.yaml")).read_text(encoding="utf-8"))


def tenge(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")  # a no-break space, as Kazakh and Russian group digits


def _both(parts: Mapping[str, str]) -> str:
    return "\n".join(parts[lang] for lang in LANGS)


def offer_text(rule: Rule, amount_kzt: int | None, number: int | None) -> str:
    """The offer SMS; ``number`` when the recipient has several open offers."""
    t = _texts()
    out = {}
    for lang in LANGS:
        amount = ""
        if amount_kzt is not None:
            kind = "monthly" if rule.periodicity == "monthly" else "one_off"
            amount = t["amount"][kind][lang].format(amount=tenge(amount_kzt))
        body = rule.sms[lang].format(title=rule.title[lang], amount=amount)
        if number is not None:
            body = t["numbered"]["prefix"][lang].format(n=number) + body + " " + \
                t["numbered"]["how"][lang].format(n=number)
        out[lang] = body
    return _both(out)


def flow_text(name: str, rule: Rule | None = None) -> str:
    """consented | refused | too_late | too_late_final | no_offer | withdrawn | ended, for one rule's offer."""
    t = _texts()[name]
    return _both({lang: t[lang].format(title=rule.title[lang] if rule else "") for lang in LANGS})


def clarify_text(offers: Sequence[tuple[int | None, Rule]]) -> str:
    """The one clarifying SMS: for one open offer how to answer, for several the list by number."""
    t = _texts()
    if len(offers) == 1:
        return flow_text("clarify_one", offers[0][1])
    out = {}
    for lang in LANGS:
        listing = "; ".join(f"{n} — «{rule.title[lang]}»" for n, rule in offers)
        out[lang] = t["clarify_many"][lang].format(list=listing)
    return _both(out)
