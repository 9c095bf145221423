"""The SMS texts: a rule's offer (its rule.yaml `sms`) and the flow's own (texts.yaml), in
one short form with Kazakh and Russian side by side, each within its budget of parts.

The feed has no language of a person (records.md: a person's fields are names, dates, address,
phone, bank account and citizenship), so no SMS can be sent in one language by the recipient's
choice; the short kk+ru form goes to everyone. Parts are counted by ``length``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from familycard.graph.rules import Rule
from familycard.graph.sms.length import MAX_PARTS, sms_parts

__all__ = ["OFFER_PARTS", "NAMED_OFFER_PARTS", "FLOW_PARTS", "MAX_PARTS", "budget", "clarify_parts",
           "sms_parts", "tenge", "recipient_name", "offer_text", "flow_text", "refused_text", "clarify_text"]

# Budgets, in parts (UCS-2: 70 characters alone, 67 a part; every text here is Cyrillic).
# An offer, numbered or not, and a notice: 2 parts, with the longest title and the largest amount.
OFFER_PARTS = 2
# An offer that names its recipient (one phone, several people's offers) carries their name and
# "Алушы/Получатель" too: 3 parts (issue 24: a phone shared by sisters, elderly parents).
NAMED_OFFER_PARTS = 3
# Every other SMS the flow sends (confirmation, refusal, clarification of one offer, too late,
# no offer, withdrawn, ended): 2 parts.
FLOW_PARTS = 2
# A given name longer than this is cut: the SMS names, it does not identify (20 made a listing
# of 6 offers on a shared phone one part longer).
NAME_MAX = 15


def clarify_parts(offers: int) -> int:
    """A clarifying SMS listing ``offers`` open offers, a line each (its number, both titles and,
    on a shared phone, the recipient's name): 2 parts and one more per offer listed. Past 8
    offers that is more than the 10 parts some operators join (``MAX_PARTS``); tested up to 8."""
    return offers + 2


def budget(kind: str, offers: int = 1, named: bool = False) -> int:
    """The parts an outgoing SMS of ``kind`` (a Message's kind) may take."""
    if kind == "offer":
        return NAMED_OFFER_PARTS if named else OFFER_PARTS
    if kind == "clarify":
        return clarify_parts(offers) if offers > 1 else FLOW_PARTS
    return FLOW_PARTS


@lru_cache(maxsize=1)
def _texts() -> Mapping:
    return yaml.safe_load((Path(__file__).with_name("texts.yaml")).read_text(encoding="utf-8"))


def tenge(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")  # a no-break space, as Kazakh and Russian group digits


def _title(rule: Rule) -> str:
    return _texts()["title"].format(**rule.sms_title)


def recipient_name(given_name: str | None, surname: str | None) -> str:
    """Given name and the surname's initial ("Айгүл С."): enough for a family to tell whose
    offer it is, never the IIN."""
    given = " ".join((given_name or "").split())[:NAME_MAX].strip()
    initial = (surname or "").strip()[:1].upper()
    return " ".join(x for x in (given, f"{initial}." if initial else "") if x) or "—"


def _answer(number: int | None) -> str:
    a = _texts()["answer"]
    return a["one"] if number is None else a["numbered"].format(n=number)


def offer_text(rule: Rule, amount_kzt: int | None, number: int | None, recipient: str | None = None) -> str:
    """The offer SMS (or a notice's); ``number`` when the phone has several open offers,
    ``recipient`` (see ``recipient_name``) when they are for more than one person."""
    t = _texts()
    lines = [t["recipient"].format(name=recipient)] if recipient else []
    if rule.sms_lead:
        lines += [rule.sms_lead["kk"], rule.sms_lead["ru"]]
    if rule.kind == "benefit":
        amount = ""
        if amount_kzt is not None:
            kind = "monthly" if rule.periodicity == "monthly" else "one_off"
            amount = t["amount"][kind].format(amount=tenge(amount_kzt))
        lines.append(t["offer"].format(title=_title(rule), amount=amount))
    if rule.answers:
        lines.append(_answer(number))
    return "\n".join(lines)


def flow_text(name: str, rule: Rule | None = None) -> str:
    """consented | too_late | too_late_final | no_offer | withdrawn | ended, for one rule's offer."""
    return _texts()[name].format(title=_title(rule) if rule else "")


def refused_text(rule: Rule, number: int | None) -> str:
    """The refusal's confirmation, with how to take it back in 24 hours: by ``number`` when the
    phone has other offers a bare "иә" could mean."""
    t = _texts()
    answer = t["take_back"].format(n=f"{number} " if number is not None else "")
    return t["refused"].format(title=_title(rule), answer=answer)


def clarify_text(offers: Sequence[tuple[int | None, Rule] | tuple[int | None, Rule, str | None]]) -> str:
    """The one clarifying SMS: for one open offer how to answer, for several the list by number;
    when an offer names its recipient (a shared phone), the list names them all and offers no "all"."""
    t = _texts()
    if len(offers) == 1:
        return t["clarify_one"].format(title=_title(offers[0][1]), answer=_answer(None))
    shared = any(len(o) > 2 and o[2] for o in offers)
    item = t["clarify_item_named" if shared else "clarify_item"]
    listing = "\n".join(item.format(n=o[0], title=_title(o[1]), name=o[2] if len(o) > 2 else "") for o in offers)
    return t["clarify_shared" if shared else "clarify_many"].format(list=listing)
