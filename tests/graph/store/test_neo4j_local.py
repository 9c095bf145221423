"""The local Neo4j (familycard.graph.store.neo4j_local + tests/neo4j_fixture.py) really runs Neo4j 5.26."""
from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from familycard.graph.store import neo4j_local as neo4j_server
from familycard.graph.store.neo4j_local import (
    NEO4J_VERSION,
    Neo4jUnavailable,
    default_cache_dir,
    install,
    memory,
    start_background,
    status,
    stop_background,
)
from neo4j_fixture import wipe_database


def _query(uri: str, cypher: str, **params):
    with GraphDatabase.driver(uri, auth=None) as driver:
        records, _, _ = driver.execute_query(cypher, params)
        return records


# --- with a server -----------------------------------------------------------------------

@pytest.mark.neo4j
def test_return_1(neo4j_uri):
    assert _query(neo4j_uri, "RETURN 1 AS one")[0]["one"] == 1


@pytest.mark.neo4j
def test_write_then_read(neo4j_clean):
    _query(neo4j_clean, "CREATE (:Person {iin: $iin})-[:CHILD_OF]->(:Person {iin: $parent})",
           iin="870101300019", parent="600101300011")
    rows = _query(neo4j_clean, "MATCH (c:Person)-[:CHILD_OF]->(p:Person) RETURN c.iin AS c, p.iin AS p")
    assert [(r["c"], r["p"]) for r in rows] == [("870101300019", "600101300011")]


@pytest.mark.neo4j
def test_server_is_neo4j_5_26_community(neo4j_uri):
    rows = _query(neo4j_uri, "CALL dbms.components() YIELD name, versions, edition "
                             "RETURN name, versions, edition")
    kernel = {r["name"]: r for r in rows}["Neo4j Kernel"]
    assert kernel["versions"][0] == NEO4J_VERSION
    assert kernel["versions"][0].startswith("5.26.")
    assert kernel["edition"] == "community"


@pytest.mark.neo4j
def test_clean_drops_data_constraints_and_indexes(neo4j_clean):
    _query(neo4j_clean, "CREATE CONSTRAINT person_iin IF NOT EXISTS FOR (p:Person) REQUIRE p.iin IS UNIQUE")
    _query(neo4j_clean, "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)")
    _query(neo4j_clean, "UNWIND range(1, 25) AS i CREATE (:Person {iin: toString(i)})-[:R]->(:X)")
    with GraphDatabase.driver(neo4j_clean, auth=None) as driver:
        wipe_database(driver)
    assert _query(neo4j_clean, "MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    assert _query(neo4j_clean, "SHOW CONSTRAINTS YIELD name RETURN name") == []
    left = _query(neo4j_clean, "SHOW INDEXES YIELD name, type RETURN name, type")
    assert {r["type"] for r in left} <= {"LOOKUP"}


@pytest.mark.neo4j
def test_background_start_status_stop(neo4j_uri, tmp_path):
    # neo4j_uri: skips with the fixture's reason when Neo4j cannot run here.
    data = tmp_path / "bg"
    assert status(data) is None
    pid, uri = start_background(data, port=0, cache=default_cache_dir(), heap="600m", pagecache="300m")
    try:
        assert re.fullmatch(r"bolt://127\.0\.0\.1:\d+", uri)
        assert status(data) == uri
        assert memory(data) == ("600m", "300m")  # what a restart (the load's) starts it with again
        assert start_background(data, port=0, cache=default_cache_dir()) == (pid, uri)  # no second server
        assert _query(uri, "RETURN 2 AS two")[0]["two"] == 2
    finally:
        assert stop_background(data) is True
    assert status(data) is None and memory(data) is None
    assert stop_background(data) is False
    assert "NEO4J STOPPED" in (data / neo4j_server.LOG_NAME).read_text()


# --- without a server --------------------------------------------------------------------

def test_pom_pins_the_same_version():
    pom = neo4j_server.POM.read_text()
    assert f"<neo4j.version>{NEO4J_VERSION}</neo4j.version>" in pom
    assert neo4j_server.JAVA_SOURCE.is_file()


def test_install_without_mvn_says_so(tmp_path, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(neo4j_server.shutil, "which",
                        lambda name, *a, **k: None if name == "mvn" else real_which(name, *a, **k))
    with pytest.raises(Neo4jUnavailable) as err:
        install(tmp_path / "cache")
    assert "`mvn` is not on PATH" in err.value.reason
    assert not (tmp_path / "cache" / "lib").exists()


def test_install_reports_maven_output_on_failure(tmp_path, monkeypatch):
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("needs java and javac on PATH")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_mvn = bin_dir / "mvn"
    fake_mvn.write_text("#!/bin/sh\necho 'first line'\necho '[ERROR] Could not resolve org.neo4j:neo4j'\nexit 1\n")
    fake_mvn.chmod(fake_mvn.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path(shutil.which('javac')).parent}")
    with pytest.raises(Neo4jUnavailable) as err:
        install(tmp_path / "cache")
    assert "Maven" in err.value.reason and "exit 1" in err.value.reason
    assert "Could not resolve org.neo4j:neo4j" in err.value.reason


@pytest.mark.neo4j
def test_neo4j_admin_runs_from_the_launchers_jars(neo4j_uri, tmp_path):
    # neo4j_uri: the jars are installed (skips with the fixture's reason otherwise). The importer
    # (neo4j-import-tool) comes with the pom's org.neo4j:neo4j: no second download for a load.
    assert any((default_cache_dir() / "lib").glob("neo4j-import-tool-*.jar"))
    log = tmp_path / "admin.log"
    neo4j_server.run_admin(tmp_path / "data", ["database", "import", "full", "--help"], log)
    assert "--overwrite-destination" in log.read_text()
    with pytest.raises(Neo4jUnavailable) as err:  # no --nodes: picocli refuses, the reason is told
        neo4j_server.run_admin(tmp_path / "data", ["database", "import", "full", "neo4j"], log)
    assert "neo4j-admin database import full failed (exit 64)" in err.value.reason
    assert "Missing required option" in err.value.reason and str(log) in err.value.reason


def test_store_in_use_of_a_folder_no_neo4j_ever_ran_in(tmp_path):
    assert neo4j_server.store_in_use(tmp_path) is False
    store, logs = neo4j_server.database_dirs(tmp_path, "neo4j")
    assert store == tmp_path.resolve() / "neo4j" / "data" / "databases" / "neo4j"
    assert logs == tmp_path.resolve() / "neo4j" / "data" / "transactions" / "neo4j"
