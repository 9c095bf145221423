"""Shared fixtures: a store on each engine, the same tests on both."""
from __future__ import annotations

import datetime as dt

import pytest

pytest_plugins = ["neo4j_fixture", "browser"]

TODAY = dt.date(2026, 11, 25)


@pytest.hookimpl(tryfirst=True)  # before the -m filter deselects by marks
def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.scenario_on_neo4j``: the test's Neo4j run is a scenario (CI runs it, the
    default run does not), its LadybugDB run stays in the default run. For proofs whose Neo4j
    half costs a minute of the default run's 15 and is proved on Neo4j again by a scenario."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.get_closest_marker("scenario_on_neo4j") and any(v == "neo4j" for v in params.values()
                                                               if isinstance(v, str)):
            item.add_marker(pytest.mark.scenario)


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    """Every test gets a data folder of its own unless it sets one: the user's default folder
    holds what `make demo` left there (its settings.env signs tokens), and the README runs
    `make demo` before `make test`."""
    monkeypatch.setenv("FAMILYCARD_DATA_DIR", str(tmp_path_factory.mktemp("data")))


def _ladybug(path):
    from familycard.graph.store.ladybug import LadybugStore

    store = LadybugStore(path)
    store.setup_schema()
    return store


@pytest.fixture
def ladybug_store(tmp_path):
    with _ladybug(tmp_path / "graph") as store:
        yield store


@pytest.fixture
def other_ladybug(tmp_path):
    """A second, independent LadybugDB: to compare against whatever `store` is."""
    with _ladybug(tmp_path / "other") as store:
        yield store


@pytest.fixture
def neo4j_store(neo4j_clean):
    from familycard.graph.store.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_clean)
    store.setup_schema()
    yield store
    store.close()


@pytest.fixture(params=["ladybug", "neo4j"])
def store(request):
    """The same test against LadybugDB and against a real Neo4j."""
    return request.getfixturevalue(f"{request.param}_store")
