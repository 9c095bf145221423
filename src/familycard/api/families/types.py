"""The family card and the family graph."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.benefits.types import Benefit, Texts, benefit, texts
from familycard.api.citizens.types import Citizen, citizen
from familycard.api.errors import PublicError
from familycard.api.offers.types import Assignment, Offer, Payment, assignment, note_subjects, offer, payment
from familycard.api.pagination import Connection, from_list, page
from familycard.api.audit import selected_fields
from familycard.api.permissions import mask_iin, naming_for
from familycard.dates import add_years
from familycard.graph import explain as explaining
from familycard.graph.offers import rules_by_code
from familycard.graph.people import PERSON_FIELDS


@strawberry.enum(description="How two people are linked, as the registries record it.")
class KinshipType(Enum):
    PARENT_OF = "PARENT_OF"
    SPOUSE_OF = "SPOUSE_OF"
    GUARDIAN_OF = "GUARDIAN_OF"


@strawberry.type(description="A relative, with the link as the registry recorded it.")
class Relative:
    relation: str = strawberry.field(description="parent | child | spouse | guardian | ward, seen from the card's person")
    since: dt.date | None
    until: dt.date | None
    source: str
    recorded_at: dt.datetime
    _row: strawberry.Private[Mapping[str, Any]]

    @strawberry.field
    def citizen(self, info: Info) -> Citizen:
        return citizen(info, self._row)


@strawberry.type(description="A condition of a rule, whether it holds, and why, in three languages.")
class Check:
    id: str
    ok: bool
    text: Texts


@strawberry.type(description="A right a rule finds (or not) on a day, with every condition checked.")
class Entitlement:
    benefit: Benefit
    entitled: bool
    recipient_iin: str | None
    subject_iin: str | None
    event: dt.date | None
    amount_kzt: Decimal | None
    checks: list[Check]
    items: list[Texts] = strawberry.field(description="Per-person details (the children counted, or not, and why).")


def _entitlement(info: Info, f: explaining.Finding) -> Entitlement:
    role = info.context.role
    return Entitlement(benefit=benefit(f.rule), entitled=f.entitled, recipient_iin=mask_iin(f.iin, role),
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


def _today(info: Info) -> dt.date:
    from familycard.graph.flow import local_day, utcnow

    return local_day(utcnow())


def _covers(fact: Mapping[str, Any], day: dt.date) -> bool:
    return fact["valid_from"] <= day and (fact["valid_to"] is None or fact["valid_to"] >= day)


@strawberry.type(description="One person's card: who they are, their kin and household, what they are "
                             "entitled to, what was offered and paid.")
class FamilyCard:
    _iin: strawberry.Private[str]
    _row: strawberry.Private[Mapping[str, Any]]

    @strawberry.field
    def person(self, info: Info) -> Citizen:
        return citizen(info, self._row, logged=True)  # with the card, as person.*

    @strawberry.field(description="Parents, children, spouses, guardians and wards.")
    async def relations(self, info: Info, relation: str | None = None) -> list[Relative]:
        rows = await info.context.loaders.relations.load(self._iin)
        return [Relative(relation=r["relation"], since=r["since"], until=r["until"], source=r["link_source"],
                         recorded_at=r["link_recorded_at"], _row=r)
                for r in rows if relation is None or r["relation"] == relation]

    @strawberry.field(description="Everyone else registered at the person's address.")
    async def household(self, info: Info) -> list[Citizen]:
        address = self._row.get("address_id")
        if not address:
            return []
        rows = await info.context.loaders.household.load(address)
        return [citizen(info, r) for r in rows if r["iin"] != self._iin]

    @strawberry.field(description="Living children under 18, or under 23 with a `student` fact covering the day "
                                  "(benefits.md, \"dependent child\").")
    async def dependants(self, info: Info, as_of: dt.date | None = None) -> list[Citizen]:
        day = as_of or _today(info)
        kids = [r for r in await info.context.loaders.relations.load(self._iin)
                if r["relation"] == "child" and r["death_date"] is None and r["birth_date"] <= day]
        students = [r["iin"] for r in kids if add_years(r["birth_date"], 18) <= day < add_years(r["birth_date"], 23)]
        facts = dict(zip(students, await info.context.loaders.facts.load_many(students)))
        out = [r for r in kids if day < add_years(r["birth_date"], 18)
               or any(f["type"] == "student" and _covers(f, day) for f in facts.get(r["iin"], ()))]
        return [citizen(info, r) for r in out]

    @strawberry.field(description="Every rule's verdict for the rights the person is involved in on the day "
                                  "(as recipient, subject or kin), with its conditions.")
    async def entitlements(self, info: Info, as_of: dt.date | None = None, benefit: str | None = None,
                           entitled_only: bool = False) -> list[Entitlement]:
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
    async def offers(self, info: Info, status: str | None = None, benefit: str | None = None,
                     first: int | None = None, after: str | None = None) -> Connection[Offer]:
        p = page(info, first, after)
        rows = [r for r in await info.context.loaders.offers.load(self._iin)
                if (status is None or r["status"] == status) and (benefit is None or r["code"] == benefit)]
        note_subjects(info, rows[p.skip:p.skip + p.limit], selected_fields(info), "offers.")
        return from_list(rows, p, lambda r: offer(info, r))

    @strawberry.field(description="Consented rights.")
    async def assignments(self, info: Info) -> list[Assignment]:
        rows = await info.context.loaders.assignments.load(self._iin)
        note_subjects(info, rows, selected_fields(info), "assignments.")
        return [assignment(info, r) for r in rows]

    @strawberry.field(description="Payment orders, newest month first.")
    async def payments(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Payment]:
        p = page(info, first, after)
        rows = await info.context.loaders.payments.load(self._iin)
        return from_list(rows, p, lambda r: payment(info, r))


@strawberry.type(description="A person in a family graph, and how many links away from its root.")
class GraphNode:
    id: strawberry.ID
    distance: int
    _row: strawberry.Private[Mapping[str, Any]]

    @strawberry.field
    def citizen(self, info: Info) -> Citizen:
        return citizen(info, self._row)


@strawberry.type(description="A kinship link, in the direction the registry stores it (parent to child, "
                             "guardian to ward, spouse of the lower IIN to the higher).")
class GraphEdge:
    type: KinshipType
    from_id: strawberry.ID = strawberry.field(name="from")
    to_id: strawberry.ID = strawberry.field(name="to")
    since: dt.date | None
    until: dt.date | None
    source: str
    recorded_at: dt.datetime


@strawberry.type(description="People within `hops` kinship links of a person and the links among them: "
                             "ready to draw.")
class FamilyGraph:
    root: strawberry.ID
    hops: int
    truncated: bool = strawberry.field(description="True when the graph reached the size limit and stopped growing.")
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def family_graph(info: Info, g) -> FamilyGraph:
    ids = info.context.ids
    return FamilyGraph(
        root=strawberry.ID(ids.encode(g.root)), hops=g.hops, truncated=g.truncated,
        nodes=[GraphNode(id=strawberry.ID(ids.encode(i)), distance=g.distance[i], _row={f: r[f] for f in PERSON_FIELDS})
               for i, r in sorted(g.persons.items(), key=lambda kv: (g.distance[kv[0]], kv[0]))],
        edges=[GraphEdge(type=KinshipType(e["type"]), from_id=strawberry.ID(ids.encode(e["from"])),
                         to_id=strawberry.ID(ids.encode(e["to"])), since=e["since"], until=e["until"],
                         source=e["source"], recorded_at=e["recorded_at"]) for e in g.edges])
