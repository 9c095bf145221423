"""Looking ahead, as the API shows it: the forward calendar's changes, near misses, a what-if's
summary and changes, and data-quality findings. Each person a row names is a Citizen (masked
for the caller's role, logged when shown); free texts are masked as a task's detail is."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from familycard.api.benefits import Benefit, benefit
from familycard.api.citizens import Citizen, citizen
from familycard.api.enums import Periodicity
from familycard.api.errors import InvalidInput
from familycard.api.relay import Connection
from familycard.api.types import api_enum
from familycard.graph.flow.offers import rules_by_code
from familycard.graph.lookahead.forecast import CHANGES
from familycard.graph.lookahead.nearmiss import MISSING_KINDS
from familycard.graph.lookahead.whatif import AMOUNT, GAINS, LOSES

ForecastChangeKind = api_enum("ForecastChangeKind", CHANGES, {
    "begins": "A right begins that day (`amountKzt`: its amount from that day).",
    "ends": "A right ends that day (`amountKzt`: what it was the day before).",
    "amount": "A right's amount changes that day (`amountKzt`: the new amount).",
}, "How a right changes on a day of the forward calendar.")

WhatIfChangeKind = api_enum("WhatIfChangeKind", (GAINS, LOSES, AMOUNT), {
    "gains": "Entitled with the settings, not without them.",
    "loses": "Entitled without the settings, not with them.",
    "amount": "Entitled either way, for another amount.",
}, "How a right differs between today's dry run and the one with the settings.")

NearMissKind = api_enum("NearMissKind", MISSING_KINDS, MISSING_KINDS,
                        "What one missing or blocking record keeps a person from a right.")


def tenge(amount: int | None) -> Decimal | None:
    return None if amount is None else Decimal(amount)


async def person(info: Info, iin: str | None) -> Citizen | None:
    """The person as a Citizen (logged by ``citizen``), or None: no IIN, or no longer registered."""
    if iin is None:
        return None
    row = await info.context.loaders.person.load(iin)
    return citizen(info, row) if row else None


def _benefit(info: Info, code: str) -> Benefit:
    return benefit(info, rules_by_code()[code])


# A right's benefit, recipient and subject, as the forecast, near misses and a what-if each show
# them (from the private `_code`, `_iin`, `_subject`); only the descriptions differ.
def _benefit_field(description: str):
    def resolve(root, info: Info) -> Benefit:
        return _benefit(info, root._code)
    return strawberry.field(resolver=resolve, description=description)


def _person_field(private: str, description: str):
    async def resolve(root, info: Info) -> Citizen | None:
        return await person(info, getattr(root, private))
    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="A right that begins, ends or changes amount on a coming day, by the calendar alone.")
class ForecastChange:
    date: dt.date = strawberry.field(description="The day it changes.")
    change: ForecastChangeKind = strawberry.field(description="Begins, ends, or a new amount.")
    amount_kzt: Decimal | None = strawberry.field(description="Tenge: from that day (begins, amount), or the day "
                                                              "before's (ends); null for a notice.")
    _code: strawberry.Private[str]
    _iin: strawberry.Private[str]
    _subject: strawberry.Private[str | None]

    benefit = _benefit_field("The benefit.")
    citizen = _person_field("_iin", "The right's recipient; null if no longer registered.")
    subject = _person_field("_subject", "Whom the right is about (a child, the deceased), if not the recipient; "
                                        "null if none.")


@strawberry.type(description="The forward calendar: on the data in the store alone (no new records assumed), the "
                             "rights that begin, end or change amount on each day after `from`.")
class ForecastResult:
    monthly_until: dt.date | None = strawberry.field(description="Rules over monthly income not yet reported "
                                                                 "(`monthlyRules`) are forecast up to this day only "
                                                                 "(the end of `from`'s month); null if none ran.")
    monthly_rules: list[str] = strawberry.field(description="Those rules' codes.")
    changes: Connection[ForecastChange] = strawberry.field(description="Sorted by day, benefit, recipient.")


@strawberry.type(description="A person who would be entitled but for one missing or blocking record.")
class NearMiss:
    missing: NearMissKind = strawberry.field(description="What is missing or blocks the right.")
    missing_text: str = strawberry.field(description="That kind in a sentence (English).")
    detail: str = strawberry.field(description="The record and its values (English), masked as the caller's role "
                                               "sees IINs, phones and accounts.")
    _code: strawberry.Private[str]
    _iin: strawberry.Private[str]
    _subject: strawberry.Private[str | None]

    benefit = _benefit_field("The benefit it is near.")
    citizen = _person_field("_iin", "Who would receive it; null if no longer registered.")
    subject = _person_field("_subject", "Whom the right would be about, if not the recipient; null if none.")


@strawberry.input(description="One dated parameter replaced on the day: a rule's or a shared one, a bracket entry "
                              "as `large_family_mci[5]` (the names of `familycard whatif --set`).")
class ParameterSetting:
    name: str = strawberry.field(description="The parameter (`mci`, `large_family_mci[5]`).")
    value: Decimal = strawberry.field(description="The value it takes on the day instead of the one in force.")


@strawberry.type(description="A setting as applied, with the legal reference of the value it replaced.")
class ParameterSettingApplied:
    name: str = strawberry.field(description="The parameter, as given.")
    value: Decimal = strawberry.field(description="The value used.")
    replaced_reference: str | None = strawberry.field(description="The law, article and date that set the value "
                                                                  "replaced; null if the rule names none.")


@strawberry.type(description="One benefit's rights that differ, and what it costs before and after.")
class BenefitCost:
    periodicity: Periodicity = strawberry.field(description="Monthly costs are a month's; one-off ones once.")
    gains: int = strawberry.field(description="Rights found only with the settings.")
    losses: int = strawberry.field(description="Rights found only without them.")
    amount_changes: int = strawberry.field(description="Rights found either way, for another amount.")
    before_kzt: Decimal = strawberry.field(description="The rights' amounts summed, without the settings (tenge).")
    after_kzt: Decimal = strawberry.field(description="The same, with the settings.")
    difference_kzt: Decimal = strawberry.field(description="After minus before.")
    _code: strawberry.Private[str]

    benefit = _benefit_field("The benefit.")


@strawberry.type(description="A right that differs between today's dry run and the one with the settings.")
class WhatIfChange:
    change: WhatIfChangeKind = strawberry.field(description="Gains, loses, or another amount.")
    before_kzt: Decimal | None = strawberry.field(description="Without the settings; null if not entitled.")
    after_kzt: Decimal | None = strawberry.field(description="With the settings; null if not entitled.")
    _code: strawberry.Private[str]
    _iin: strawberry.Private[str]
    _subject: strawberry.Private[str | None]

    benefit = _benefit_field("The benefit.")
    citizen = _person_field("_iin", "The right's recipient; null if no longer registered.")
    subject = _person_field("_subject", "Whom the right is about, if not the recipient; null if none.")


@strawberry.type(description="Today's dry run with some dated parameters replaced: who gains, who loses, and the "
                             "cost before and after. Nothing is written.")
class WhatIf:
    as_of: dt.date = strawberry.field(description="The day judged.")
    settings: list[ParameterSettingApplied] = strawberry.field(description="The settings, as applied.")
    costs: list[BenefitCost] = strawberry.field(description="One per benefit with a change, in rule order.")
    monthly_before_kzt: Decimal = strawberry.field(description="A month of the monthly benefits, without the "
                                                               "settings (tenge).")
    monthly_after_kzt: Decimal = strawberry.field(description="The same, with them.")
    one_off_before_kzt: Decimal = strawberry.field(description="The one-off benefits, without the settings.")
    one_off_after_kzt: Decimal = strawberry.field(description="The same, with them.")
    changes: Connection[WhatIfChange] = strawberry.field(description="Every right that differs, by benefit and "
                                                                     "recipient.")


WhatIfResult = Annotated[WhatIf | InvalidInput, strawberry.union(
    "WhatIfResult", description="The what-if, or what is wrong with the settings (an unknown name, a value that "
                                "does not fit: the message names the valid ones).")]


@strawberry.type(description="A kind of data-quality finding: what it is, why it matters, what clears it.")
class FindingKindInfo:
    code: str = strawberry.field(description="What `findings(kind:)` takes.")
    title: str = strawberry.field(description="A short title (English).")
    why: str = strawberry.field(description="Why it matters (English).")
    clears: str = strawberry.field(description="What record clears it (English).")


@strawberry.type(description="A contradiction between registries that a caseworker should clear, with the persons "
                             "involved (only they).")
class DataFinding:
    kind: str = strawberry.field(description="Its kind's `code` (`findingKinds`).")
    title: str = strawberry.field(description="Its kind's title (English).")
    detail: str = strawberry.field(description="Dates and record names (English), masked as the caller's role sees "
                                               "IINs, phones and accounts.")
    _iins: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The persons involved (each logged as a card read); one no longer registered is "
                                  "left out.")
    async def citizens(self, info: Info) -> list[Citizen]:
        rows = await info.context.loaders.person.load_many(list(self._iins))
        return [citizen(info, r) for r in rows if r]
