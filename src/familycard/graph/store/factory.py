"""Opening the store the settings name."""
from __future__ import annotations

from typing import TYPE_CHECKING

from familycard.graph.store.base import Store

if TYPE_CHECKING:
    from familycard.settings import Settings


def open_store(settings: Settings) -> Store:
    """The store the settings name, with its schema in place."""
    if settings.store == "neo4j":
        from familycard.graph.store.neo4j import Neo4jStore

        store: Store = Neo4jStore(settings.neo4j_uri, settings.neo4j_user,
                                  settings.neo4j_password.get_secret_value() if settings.neo4j_password else None,
                                  settings.neo4j_database)
    else:
        from familycard.graph.store.ladybug import LadybugStore

        store = LadybugStore(settings.data_dir, buffer_pool=settings.ladybug_buffer_pool_bytes)
    store.setup_schema()
    return store
