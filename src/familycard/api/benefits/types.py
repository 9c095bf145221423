"""The benefit catalogue: public, the same for everyone."""
from __future__ import annotations

from collections.abc import Mapping

import strawberry
from strawberry.types import Info

from familycard.api.enums import BenefitKind, Periodicity
from familycard.api.relay import BENEFIT, Node, global_id
from familycard.graph.rules import Rule


@strawberry.type(description="A text in Kazakh, Russian and English.")
class Texts:
    kk: str = strawberry.field(description="In Kazakh.")
    ru: str = strawberry.field(description="In Russian.")
    en: str = strawberry.field(description="In English.")


def texts(t: Mapping[str, str]) -> Texts:
    return Texts(kk=t.get("kk", ""), ru=t.get("ru", ""), en=t.get("en", ""))


@strawberry.type(description="One of the benefits and notifications (benefits.md), as its rule folder says.")
class Benefit(Node):
    code: str = strawberry.field(description="The rule's code, its folder's name (`birth`, `large_family`): what "
                                             "the `benefit` arguments and filters take.")
    kind: BenefitKind = strawberry.field(description="A benefit to offer, or a notice to send.")
    periodicity: Periodicity = strawberry.field(description="How often it pays.")
    title: Texts = strawberry.field(description="Its name, as the SMS and the card show it.")
    legal_basis: str = strawberry.field(description="The law it rests on (`Social Code of the RK (2023), art. 72`).")
    asks_consent: bool = strawberry.field(description="True when the citizen is asked and must say yes before it is "
                                                      "paid; false for a notice that asks nothing.")


def benefit(info: Info, rule: Rule) -> Benefit:
    return Benefit(id=global_id(info, BENEFIT, rule.code), code=rule.code, kind=BenefitKind(rule.kind),
                   periodicity=Periodicity(rule.periodicity), title=texts(rule.title),
                   legal_basis=rule.legal.get("basis", ""), asks_consent=rule.answers)
