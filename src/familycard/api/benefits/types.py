"""The benefit catalogue: public, the same for everyone."""
from __future__ import annotations

from typing import Mapping

import strawberry

from familycard.graph.rules import Rule


@strawberry.type(description="A text in Kazakh, Russian and English.")
class Texts:
    kk: str
    ru: str
    en: str


def texts(t: Mapping[str, str]) -> Texts:
    return Texts(kk=t.get("kk", ""), ru=t.get("ru", ""), en=t.get("en", ""))


@strawberry.type(description="One of the benefits and notifications (benefits.md), as its rule folder says.")
class Benefit:
    code: str
    kind: str = strawberry.field(description="benefit | notification")
    periodicity: str = strawberry.field(description="one_off | monthly | notice")
    title: Texts
    legal_basis: str
    asks_consent: bool


def benefit(rule: Rule) -> Benefit:
    return Benefit(code=rule.code, kind=rule.kind, periodicity=rule.periodicity, title=texts(rule.title),
                   legal_basis=rule.legal.get("basis", ""), asks_consent=rule.answers)
