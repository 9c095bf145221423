"""Shared fixtures: a store on each engine, the same tests on both."""
from __future__ import annotations

import datetime as dt

import pytest

pytest_plugins = ["neo4j_fixture"]

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def ladybug_store(tmp_path):
    from familycard.graph.ladybug_store import LadybugStore

    store = LadybugStore(tmp_path / "graph")
    store.setup_schema()
    yield store
    store.close()


@pytest.fixture
def other_ladybug(tmp_path):
    """A second, independent LadybugDB: to compare against whatever `store` is."""
    from familycard.graph.ladybug_store import LadybugStore

    store = LadybugStore(tmp_path / "other")
    store.setup_schema()
    yield store
    store.close()


@pytest.fixture
def neo4j_store(neo4j_clean):
    from familycard.graph.neo4j_store import Neo4jStore

    store = Neo4jStore(neo4j_clean)
    store.setup_schema()
    yield store
    store.close()


@pytest.fixture(params=["ladybug", "neo4j"])
def store(request):
    """The same test against LadybugDB and against a real Neo4j."""
    return request.getfixturevalue(f"{request.param}_store")
