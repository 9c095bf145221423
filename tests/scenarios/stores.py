"""The store a scenario's processes wrote, opened from the test: Neo4j at ``uri`` when there is
one, else the LadybugDB folder (each process has closed it by then)."""
from __future__ import annotations

from pathlib import Path

from familycard.graph.store import Store


def open_at(data_dir: Path, uri: str | None) -> Store:
    if uri:
        from familycard.graph.store.neo4j import Neo4jStore
        store: Store = Neo4jStore(uri)
    else:
        from familycard.graph.store.ladybug import LadybugStore
        store = LadybugStore(data_dir)
    store.setup_schema()
    return store
