"""The benefit catalogue: public, the same for everyone."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from familycard.api.enums import BenefitKind, Periodicity
from familycard.api.relay import BENEFIT, Node, global_id
from familycard.dates import local_day, utcnow
from familycard.graph.rules import ParameterUse, Rule, load_rules
from familycard.graph.rules.formula import Table


@strawberry.type(description="A text in Kazakh, Russian and English.")
class Texts:
    kk: str = strawberry.field(description="In Kazakh.")
    ru: str = strawberry.field(description="In Russian.")
    en: str = strawberry.field(description="In English.")


def texts(t: Mapping[str, str]) -> Texts:
    return Texts(kk=t.get("kk", ""), ru=t.get("ru", ""), en=t.get("en", ""))


@strawberry.type(description="One entry of a bracket: the key it is looked up by and its value.")
class ParameterEntry:
    key: str = strawberry.field(description="The key (a birth order, a number of children, an award, a group).")
    value: str = strawberry.field(description="Its value, a decimal as text (`16.03`).")


@strawberry.type(description="A dated parameter as a benefit reads it on a day, with the law that set that value.")
class BenefitParameter:
    name: str = strawberry.field(description="Its name in the rule files (`mci`, `birth_mci`): what `whatif --set` "
                                             "takes.")
    title: str = strawberry.field(description="What it is, in English.")
    unit: str = strawberry.field(description="Its unit (`KZT`, `MCI`, `PM`, `share`).")
    value: str | None = strawberry.field(description="The value in force on the day, a decimal as text (`4325`, "
                                                     "`0.45`); null when it is a bracket (see `entries`).")
    entries: list[ParameterEntry] = strawberry.field(description="A bracket's entries on the day; empty for a "
                                                                 "single value.")
    since: dt.date = strawberry.field(description="The day that value took effect.")
    reference: str = strawberry.field(description="The legal reference of that value: the act (law, code, order) "
                                                  "with its number and date, and the article; `unverified` marks "
                                                  "what could not be checked against the act's text.")
    in_amount: bool = strawberry.field(description="True when the benefit's amount formula reads it.")


def _number(v: Decimal) -> str:
    return format(v, "f")


def parameter(use: ParameterUse, in_amount: bool) -> BenefitParameter:
    p, v = use.parameter, use.value
    table = isinstance(v, Table)
    return BenefitParameter(name=p.name, title=p.title, unit=p.unit, value=None if table else _number(v),
                            entries=[ParameterEntry(key=str(k), value=_number(x)) for k, x in v.entries.items()]
                            if table else [],
                            since=use.since, reference=use.reference, in_amount=in_amount)


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

    @strawberry.field(description="The dated parameters the rule reads, with their value on the day and the law "
                                  "that set it; those not yet in force on the day are left out. Public, like the "
                                  "rest of the catalogue.")
    def parameters(self, as_of: Annotated[dt.date | None, strawberry.argument(
                       description="The day whose values to show; today in Kazakhstan when omitted.")] = None,
                   amount_only: Annotated[bool, strawberry.argument(
                       description="Only the parameters of the amount formula.")] = False) -> list[BenefitParameter]:
        rule = load_rules([self.code])[0]
        day = as_of or local_day(utcnow())
        in_amount = set(rule.parameter_names(amount_only=True))
        return [parameter(u, u.name in in_amount) for u in rule.parameter_uses(day, amount_only)]


def benefit(info: Info, rule: Rule) -> Benefit:
    return Benefit(id=global_id(info, BENEFIT, rule.code), code=rule.code, kind=BenefitKind(rule.kind),
                   periodicity=Periodicity(rule.periodicity), title=texts(rule.title),
                   legal_basis=rule.legal.get("basis", ""), asks_consent=rule.answers)
