"""The family card: one read of a person, their kin, household and facts (and what the flow
made for them), for the API's loaders (``people``: batched, awaited) and the CLI's card
(``card``: the same reads with blocking calls, and its text)."""
from familycard.graph.cards.card import example_iins, family_card, names, render_card
from familycard.graph.cards.people import (
    CARD_PARTS,
    PERSON_FIELDS,
    RELATION,
    FamilyGraph,
    Part,
    assignments,
    card,
    card_now,
    events,
    facts,
    family_graph,
    find_offers,
    households,
    offers,
    payments,
    persons,
    persons_now,
    relations,
)
from familycard.graph.cards.search import find_people, find_tasks, name_forms, task

__all__ = [
    "CARD_PARTS",
    "PERSON_FIELDS",
    "RELATION",
    "FamilyGraph",
    "Part",
    "assignments",
    "card",
    "card_now",
    "events",
    "example_iins",
    "facts",
    "family_card",
    "family_graph",
    "find_offers",
    "find_people",
    "find_tasks",
    "households",
    "name_forms",
    "names",
    "offers",
    "payments",
    "persons",
    "persons_now",
    "relations",
    "render_card",
    "task",
]
