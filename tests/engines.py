"""A store on the engine a module-scoped, engine-parametrised fixture names: one store a module
(cheaper than one a test) for tests that fill it once or empty it themselves."""
from __future__ import annotations

from typing import Any

import pytest


def engine_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str) -> Any:
    """``request.param``'s store with its schema: "ladybug", a new LadybugDB in a temporary folder
    named ``name``; "neo4j", the session's Neo4j, wiped. The caller closes it."""
    if request.param == "ladybug":
        from familycard.graph.store.ladybug import LadybugStore

        store = LadybugStore(tmp_path_factory.mktemp(name) / "graph")
    else:
        from familycard.graph.store.neo4j import Neo4jStore
        from neo4j_fixture import wipe_database

        wipe_database(request.getfixturevalue("_neo4j_admin_driver"))
        store = Neo4jStore(request.getfixturevalue("neo4j_uri"))
    store.setup_schema()
    return store
