"""DataLoaders, made afresh for each request (so nothing is cached across callers): every
kind of thing a response shows is fetched in one store call per resolver round."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from familycard.graph.cards import people
from familycard.graph.store import Store


def _loader(store: Store, fetch: Callable[[Store, list[str]], Awaitable[dict[str, Any]]], default: Any) -> DataLoader:
    async def load(keys: list[str]) -> list[Any]:
        found = await fetch(store, keys)
        return [found.get(k, default() if callable(default) else default) for k in keys]
    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    person: DataLoader       # iin -> person row | None
    relations: DataLoader    # iin -> [kin rows]
    household: DataLoader    # address id -> [person rows]
    facts: DataLoader        # iin -> [fact rows]
    offers: DataLoader       # iin -> [offer rows]
    assignments: DataLoader  # iin -> [assignment rows]
    payments: DataLoader     # iin -> [payment rows]
    events: DataLoader       # iin -> [event rows about the person]

    @classmethod
    def for_request(cls, store: Store) -> Loaders:
        return cls(person=_loader(store, people.persons, None),
                   relations=_loader(store, people.relations, list),
                   household=_loader(store, people.households, list),
                   facts=_loader(store, people.facts, list),
                   offers=_loader(store, people.offers, list),
                   assignments=_loader(store, people.assignments, list),
                   payments=_loader(store, people.payments, list),
                   events=_loader(store, people.events, list))
