"""The family card and the family graph."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.benefits import Benefit, Texts, benefit, texts
from familycard.api.citizens import Citizen, citizen
from familycard.api.enums import OfferStatus, Relation
from familycard.api.errors import PublicError
from familycard.api.offers import (
    Assignment,
    Offer,
    Payment,
    assignment,
    note_subjects,
    offer,
    payment,
    status_filter,
)
from familycard.api.permissions import mask_iin, naming_for, shown_to
from familycard.api.relay import After, Connection, First, from_list, page
from familycard.dates import add_years
from familycard.graph.cards import PERSON_FIELDS
from familycard.graph.flow.offers import rules_by_code
from familycard.graph.rules import explain as explaining


@strawberry.enum(description="How two people are linked, as the registries record it.")
class KinshipType(Enum):
    PARENT_OF = strawberry.enum_value("PARENT_OF", description="`from` is a parent of `to`.")
    SPOUSE_OF = strawberry.enum_value("SPOUSE_OF", description="`from` and `to` are married (stored once, from the "
                                                              "lower IIN).")
    GUARDIAN_OF = strawberry.enum_value("GUARDIAN_OF", description="`from` is the guardian of `to`.")


_LINK_SINCE = "The first day of the link (a marriage's, a guardianship's); null when the registry gives none."
_LINK_UNTIL = "The last day of the link (a divorce, a guardianship's end); null while it holds."
_LINK_SOURCE = "The registry that recorded the link (ZAGS for births and marriages, MIO for guardianship)."
_LINK_RECORDED = "When that registry recorded this version of the link (UTC)."
_IIN = shown_to("iin")


@strawberry.type(description="A relative, with the link as the registry recorded it.")
class Relative:
    relation: Relation = strawberry.field(description="What the relative is to the card's person.")
    since: dt.date | None = strawberry.field(description=_LINK_SINCE)
    until: dt.date | None = strawberry.field(description=_LINK_UNTIL)
    source: str = strawberry.field(description=_LINK_SOURCE)
    recorded_at: dt.datetime = strawberry.field(description=_LINK_RECORDED)
    _row: strawberry.Private[Mapping[str, Any]]

    @strawberry.field(description="The relative (masked as for any citizen; the read is logged under them).")
    def citizen(self, info: Info) -> Citizen:
        return citizen(info, self._row)


@strawberry.type(description="A condition of a rule, whether it holds, and why, in three languages.")
class Check:
    id: str = strawberry.field(description="The condition's id in its rule (`alive`, `has_carer`), the same every day.")
    ok: bool = strawberry.field(description="Whether it holds.")
    text: Texts = strawberry.field(description="Why, with the values that decided it (people named as the caller's "
                                               "role sees them).")


@strawberry.type(description="A right a rule finds (or not) on a day, with every condition checked.")
class Entitlement:
    benefit: Benefit = strawberry.field(description="The benefit or notice the rule is for.")
    entitled: bool = strawberry.field(description="True when every condition holds on the day.")
    recipient_iin: str | None = strawberry.field(description="Who would receive it (the carer of a child, say). "
                                                             + _IIN)
    subject_iin: str | None = strawberry.field(description="Whom it is about, when that is someone else (the child, "
                                                           "the deceased); null otherwise. " + _IIN)
    event: dt.date | None = strawberry.field(description="The day of the event that starts the right (a birth, a "
                                                         "death); null for a right without one.")
    amount_kzt: Decimal | None = strawberry.field(description="What it pays on the day, tenge (a month's amount for "
                                                              "a monthly benefit); null for a notice.")
    checks: list[Check] = strawberry.field(description="Every condition of the rule, in the rule's order.")
    items: list[Texts] = strawberry.field(description="Per-person details (the children counted, or not, and why).")


def _entitlement(info: Info, f: explaining.Finding) -> Entitlement:
    role = info.context.role
    return Entitlement(benefit=benefit(info, f.rule), entitled=f.entitled, recipient_iin=mask_iin(f.iin, role),
                       subject_iin=mask_iin(f.subject, role), event=f.event,
                       amount_kzt=Decimal(f.amount_kzt) if f.amount_kzt is not None else None,
                       checks=[Check(id=c.id, ok=c.ok, text=texts(c.text)) for c in f.checks],
                       items=[texts(i) for i in f.items])


def _note_people(info: Info, findings: list[explaining.Finding]) -> None:
    """Everyone the entitlements show, in the access log: the people their texts name, their
    recipients and subjects (under the fields that show them)."""
    asked = selected_fields(info)

    def under(*prefixes: str) -> list[str]:
        return [f"entitlements.{p}" for p in asked if p.startswith(prefixes)]

    checks, items, recipient, subject = under("checks.text"), under("items"), under("recipientIin"), under("subjectIin")
    note = info.context.access.note
    for f in findings:
        for fields, people in ((checks, {i for c in f.checks for i in c.people}), (items, f.item_people),
                               (recipient, [f.iin] if f.iin else []), (subject, [f.subject] if f.subject else [])):
            if fields:
                for iin in people:
                    note(iin, fields)


AsOf = Annotated[dt.date | None, strawberry.argument(description="The day to judge on; today in Kazakhstan "
                                                                 "when left out.")]


def _today(info: Info) -> dt.date:
    from familycard.dates import local_day, utcnow

    return local_day(utcnow())


def _covers(fact: Mapping[str, Any], day: dt.date) -> bool:
    return fact["valid_from"] <= day and (fact["valid_to"] is None or fact["valid_to"] >= day)


@strawberry.type(description="One person's card: who they are, their kin and household, what they are "
                             "entitled to, what was offered and paid.")
class FamilyCard:
    _iin: strawberry.Private[str]
    _row: strawberry.Private[Mapping[str, Any]]

    @strawberry.field(description="The card's person.")
    def person(self, info: Info) -> Citizen:
        return citizen(info, self._row, logged=True)  # with the card, as person.*

    @strawberry.field(description="Parents, children, spouses, guardians and wards.")
    async def relations(self, info: Info, relation: Annotated[Relation | None, strawberry.argument(
                            description="Only relatives of this kind (`CHILD`).")] = None) -> list[Relative]:
        rows = await info.context.loaders.relations.load(self._iin)
        return [Relative(relation=Relation(r["relation"]), since=r["since"], until=r["until"], source=r["link_source"],
                         recorded_at=r["link_recorded_at"], _row=r)
                for r in rows if relation is None or r["relation"] == relation.value]

    @strawberry.field(description="Everyone else registered at the person's address.")
    async def household(self, info: Info) -> list[Citizen]:
        address = self._row.get("address_id")
        if not address:
            return []
        rows = await info.context.loaders.household.load(address)
        return [citizen(info, r) for r in rows if r["iin"] != self._iin]

    @strawberry.field(description="Living children under 18, or under 23 with a `STUDENT` fact covering the day "
                                  "(benefits.md, \"dependent child\").")
    async def dependants(self, info: Info, as_of: AsOf = None) -> list[Citizen]:
        day = as_of or _today(info)
        kids = [r for r in await info.context.loaders.relations.load(self._iin)
                if r["relation"] == "child" and r["death_date"] is None and r["birth_date"] <= day]
        students = [r["iin"] for r in kids if add_years(r["birth_date"], 18) <= day < add_years(r["birth_date"], 23)]
        facts = dict(zip(students, await info.context.loaders.facts.load_many(students), strict=True))
        out = [r for r in kids if day < add_years(r["birth_date"], 18)
               or any(f["type"] == "student" and _covers(f, day) for f in facts.get(r["iin"], ()))]
        return [citizen(info, r) for r in out]

    @strawberry.field(description="Every rule's verdict for the rights the person is involved in on the day "
                                  "(as recipient, subject or kin), with its conditions.")
    async def entitlements(self, info: Info, as_of: AsOf = None,
                           benefit: Annotated[str | None, strawberry.argument(
                               description="Only this benefit's rule (a `Benefit.code`).")] = None,
                           entitled_only: Annotated[bool, strawberry.argument(
                               description="Only the rights that hold on the day.")] = False) -> list[Entitlement]:
        codes = None
        if benefit is not None:
            if benefit not in rules_by_code():
                raise PublicError(f"benefit: '{benefit}' is not one of {', '.join(rules_by_code())}")
            codes = [benefit]
        found = await run_in_threadpool(explaining.explain, info.context.store, self._iin, as_of or _today(info), codes,
                                        naming_for(info.context.role))
        shown = [f for findings in found.findings.values() for f in findings
                 if f.concerned and (f.entitled or not entitled_only)]
        _note_people(info, shown)
        return [_entitlement(info, f) for f in shown]

    @strawberry.field(description="Offers made to the person, newest first; filter by status and benefit.")
    async def offers(self, info: Info,
                     status: Annotated[OfferStatus | None, strawberry.argument(
                         description="Only offers with this status.")] = None,
                     benefit: Annotated[str | None, strawberry.argument(
                         description="Only offers of this benefit (a `Benefit.code`).")] = None,
                     first: First = None, after: After = None) -> Connection[Offer]:
        p = page(info, first, after)
        wanted = status_filter("status", status)
        rows = [r for r in await info.context.loaders.offers.load(self._iin)
                if (wanted is None or r["status"] == wanted) and (benefit is None or r["code"] == benefit)]
        note_subjects(info, rows[p.skip:p.skip + p.limit], selected_fields(info), "offers.")
        return from_list(rows, p, lambda r: offer(info, r))

    @strawberry.field(description="Consented rights.")
    async def assignments(self, info: Info) -> list[Assignment]:
        rows = await info.context.loaders.assignments.load(self._iin)
        note_subjects(info, rows, selected_fields(info), "assignments.")
        return [assignment(info, r) for r in rows]

    @strawberry.field(description="Payment orders, newest month first.")
    async def payments(self, info: Info, first: First = None, after: After = None) -> Connection[Payment]:
        p = page(info, first, after)
        rows = await info.context.loaders.payments.load(self._iin)
        return from_list(rows, p, lambda r: payment(info, r))


@strawberry.type(description="A person in a family graph, and how many links away from its root.")
class GraphNode:
    id: strawberry.ID = strawberry.field(description="The person's opaque id: the same as `citizen.id`, and what "
                                                     "the edges' `from` and `to` name.")
    distance: int = strawberry.field(description="How many links away from the root (0: the root).")
    _row: strawberry.Private[Mapping[str, Any]]

    @strawberry.field(description="The person (masked as for any citizen; the read is logged under them).")
    def citizen(self, info: Info) -> Citizen:
        return citizen(info, self._row)


@strawberry.type(description="A kinship link, in the direction the registry stores it (parent to child, "
                             "guardian to ward, spouse of the lower IIN to the higher).")
class GraphEdge:
    type: KinshipType = strawberry.field(description="What the link is.")
    from_id: strawberry.ID = strawberry.field(name="from", description="The id of the node the link starts at.")
    to_id: strawberry.ID = strawberry.field(name="to", description="The id of the node the link ends at.")
    since: dt.date | None = strawberry.field(description=_LINK_SINCE)
    until: dt.date | None = strawberry.field(description=_LINK_UNTIL)
    source: str = strawberry.field(description=_LINK_SOURCE)
    recorded_at: dt.datetime = strawberry.field(description=_LINK_RECORDED)


@strawberry.type(description="People within `hops` kinship links of a person and the links among them: "
                             "ready to draw.")
class FamilyGraph:
    root: strawberry.ID = strawberry.field(description="The id of the person it was drawn from.")
    hops: int = strawberry.field(description="How many links away it went, as asked.")
    truncated: bool = strawberry.field(description="True when the graph reached the size limit and stopped growing.")
    nodes: list[GraphNode] = strawberry.field(description="Everyone in it, nearest first.")
    edges: list[GraphEdge] = strawberry.field(description="Every link among them.")


def family_graph(info: Info, g) -> FamilyGraph:
    ids = info.context.ids
    return FamilyGraph(
        root=strawberry.ID(ids.encode(g.root)), hops=g.hops, truncated=g.truncated,
        nodes=[GraphNode(id=strawberry.ID(ids.encode(i)), distance=g.distance[i], _row={f: r[f] for f in PERSON_FIELDS})
               for i, r in sorted(g.persons.items(), key=lambda kv: (g.distance[kv[0]], kv[0]))],
        edges=[GraphEdge(type=KinshipType(e["type"]), from_id=strawberry.ID(ids.encode(e["from"])),
                         to_id=strawberry.ID(ids.encode(e["to"])), since=e["since"], until=e["until"],
                         source=e["source"], recorded_at=e["recorded_at"]) for e in g.edges])
