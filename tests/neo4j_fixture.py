"""Pytest plugin: one real Neo4j 5.26 per test session, without Docker.

Load with ``pytest_plugins = ["neo4j_fixture"]`` (``tests/`` on the import path).

* ``neo4j_uri``   (session): installs the jars into the user cache (Maven, first run only),
  starts Neo4j in a temporary folder, yields its bolt URI (auth disabled), stops it at the end.
* ``neo4j_clean`` (function): the same URI, with the database emptied first: all nodes and
  relationships, all constraints and all indexes except the built-in token LOOKUP indexes.

Without Java/Maven, or if Neo4j does not start, the tests that need it are skipped with
"NEO4J NOT RUN: <reason>"; when ``CI=true`` they fail instead, so CI cannot pass silently.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from familycard.graph.store.neo4j_local import Neo4jServer, Neo4jUnavailable, default_cache_dir, install

_SCHEMA_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_DELETE_BATCH = 10_000


def neo4j_unavailable(reason: str) -> None:
    """Skip (locally) or fail (CI=true) the current test because Neo4j cannot run."""
    message = f"NEO4J NOT RUN: {reason}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """The session's running ``Neo4jServer`` (prefer ``neo4j_uri``)."""
    try:
        cache = install(default_cache_dir())
        server = Neo4jServer(cache, install_if_missing=False).start(tmp_path_factory.mktemp("neo4j"))
    except Neo4jUnavailable as exc:
        neo4j_unavailable(exc.reason)
        raise  # unreachable: skip/fail raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jServer) -> str:
    """Bolt URI of the session's Neo4j 5.26 Community (no authentication)."""
    assert neo4j_server.uri is not None
    return neo4j_server.uri


@pytest.fixture(scope="session")
def _neo4j_admin_driver(neo4j_uri: str) -> Iterator[Any]:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        yield driver


def _quoted(name: Any) -> str:
    """Backtick-quote a schema name reported by the server, after validating it."""
    if not isinstance(name, str) or not _SCHEMA_NAME.match(name):
        raise ValueError(f"unexpected schema object name from Neo4j: {name!r}")
    return f"`{name}`"


def wipe_database(driver: Any, database: str = "neo4j") -> None:
    """Delete all data, constraints and (non-LOOKUP) indexes of ``database``."""
    while True:
        records, _, _ = driver.execute_query(
            "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
            batch=_DELETE_BATCH,
            database_=database,
        )
        if records[0]["deleted"] == 0:
            break
    # Constraints first: dropping one also drops the index that backs it.
    constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=database)
    for record in constraints:
        driver.execute_query(f"DROP CONSTRAINT {_quoted(record['name'])} IF EXISTS", database_=database)
    indexes, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", database_=database
    )
    for record in indexes:
        driver.execute_query(f"DROP INDEX {_quoted(record['name'])} IF EXISTS", database_=database)


@pytest.fixture
def neo4j_clean(neo4j_uri: str, _neo4j_admin_driver: Any) -> str:
    """The session's bolt URI, with an empty database (no data, constraints or indexes)."""
    wipe_database(_neo4j_admin_driver)
    return neo4j_uri
