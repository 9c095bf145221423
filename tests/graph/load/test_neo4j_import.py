"""Step 3 on Neo4j: the plan through Neo4j's importer equals the same feed ingested (the oracle).

A real Neo4j 5.26 of its own (``start_background`` in a temporary data folder): the importer
stops it, imports and starts it again, which the session's shared server must not go through.
"""
from __future__ import annotations

import io
import json
import shlex
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from neo4j import GraphDatabase

import feedmaker
from familycard.graph import model
from familycard.graph.ingest import ingest_lines
from familycard.graph.load import interrupted
from familycard.graph.load.neo4j_import import (
    STAGING_DATABASE,
    Neo4jImportError,
    import_plan,
    write_csv,
    write_import_dir,
)
from familycard.graph.load.plan import PLAN_TABLES, plan_schema
from familycard.graph.store import neo4j_local as nl
from familycard.graph.store.ladybug import LadybugStore
from familycard.graph.store.neo4j import Neo4jStore
from familycard.graph.store.snapshot import snapshot
from familycard.settings import Settings
from familycard.synthetic.population import write_feed
from neo4j_fixture import neo4j_unavailable, wipe_database

pytestmark = pytest.mark.neo4j


def write_plan(snap: dict[str, list[tuple]], plan_dir: Path, part_rows: int = 700) -> Path:
    """A plan folder holding ``snap``'s rows (a snapshot's row is a plan row: a relationship's
    ends first), cut into several part files as step 2 writes them."""
    for table in PLAN_TABLES:
        schema, rows = plan_schema(table), snap.get(table.name, [])
        (plan_dir / table.name).mkdir(parents=True, exist_ok=True)
        for i in range(0, len(rows), part_rows):
            cols = list(zip(*rows[i:i + part_rows], strict=True))
            arrays = [pa.array(list(c), f.type) for c, f in zip(cols, schema, strict=True)]
            pq.write_table(pa.Table.from_arrays(arrays, schema=schema),
                           plan_dir / table.name / f"part-{i // part_rows:05d}.parquet")
    return plan_dir


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> dict[str, list[tuple]]:
    """A generated feed with bad lines of every class, ingested into LadybugDB: its snapshot."""
    import datetime as dt

    today = dt.date(2026, 11, 25)
    buf = io.StringIO()
    write_feed(buf, 1500, seed=17, as_of=today, bad_rate=0.05)
    lines = [ln.encode() for ln in buf.getvalue().splitlines()]
    # a person whose name and extra fields are hostile CSV, and links and facts of a person who
    # never comes (Pending)
    hostile = feedmaker.person("1980-02-29", "F", surname='Аб"ай, "Құн\\анбаев"', note='one\n"two", three')
    ghost = feedmaker.iin("1950-01-01", "M")
    lines += feedmaker.lines(hostile, feedmaker.link("PARENT_OF", ghost, hostile),
                             feedmaker.fact(ghost, "disability", "2025-01-01", group="2"))
    with LadybugStore(tmp_path_factory.mktemp("ladybug") / "graph") as store:
        store.setup_schema()
        summary = ingest_lines(store, lines, "feed.jsonl", today)
        assert summary.rejected > 0  # the bad lines were there, and refused
        snap = snapshot(store)
    assert len(snap["Pending"]) >= 2 and snap["PARENT_OF"] and snap["HAS_FACT"]
    assert any(p[1] == 'Аб"ай, "Құн\\анбаев"' and "\\n" in p[13] for p in snap["Person"])
    return snap


@pytest.fixture(scope="module")
def local_neo4j(tmp_path_factory):
    """Settings for a local Neo4j of their own, running, as `familycard neo4j start` leaves it."""
    data = tmp_path_factory.mktemp("fc")
    try:
        _, uri = nl.start_background(data / "neo4j", port=0)
    except nl.Neo4jUnavailable as e:
        neo4j_unavailable(e.reason)
    try:
        yield Settings(data_dir=data, neo4j_uri=uri, store="neo4j")
    finally:
        nl.stop_background(data / "neo4j")


def _neo4j(settings: Settings) -> Neo4jStore:
    return Neo4jStore(settings.neo4j_uri)


def _snap(settings: Settings) -> dict[str, list[tuple]]:
    store = _neo4j(settings)
    try:
        return snapshot(store)
    finally:
        store.close()


@pytest.mark.scenario  # each stops and starts Neo4j (30-80 s): make scenarios, which CI runs, not the default run
def test_import_equals_ingest_then_schema_index_plans_and_replace(oracle, local_neo4j, tmp_path):
    plan = write_plan(oracle, tmp_path / "work" / "plan")
    with GraphDatabase.driver(local_neo4j.neo4j_uri, auth=None) as driver:
        wipe_database(driver)  # an empty database, as `familycard neo4j start` makes: no replace needed
    import_plan(plan, local_neo4j, replace=False)
    assert nl.status(local_neo4j.data_dir / "neo4j") == local_neo4j.neo4j_uri  # up again, same port
    assert _snap(local_neo4j) == oracle
    assert not (local_neo4j.data_dir / interrupted.MARKER).exists()
    assert not (tmp_path / "work" / "neo4j-import").exists()  # the CSV files go once imported
    store = _neo4j(local_neo4j)
    try:
        constraints = {r["name"] for r in store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert {"person_iin_unique", "fact_key_unique", "address_id_unique", "pending_key_unique"} <= constraints
        states = {r["name"]: r["state"] for r in store.read("SHOW INDEXES YIELD name, state RETURN name, state")}
        assert states["fact_type"] == states["person_iin_unique"] == "ONLINE"
        iin = oracle["Person"][len(oracle["Person"]) // 2][0]
        rows = store.read("MATCH (p:Person {iin: $iin}) RETURN p.surname AS s", {"iin": iin})
        assert rows == [{"s": oracle["Person"][len(oracle["Person"]) // 2][1]}]
        summary = store._driver.execute_query("EXPLAIN MATCH (p:Person {iin: $iin}) RETURN p", {"iin": iin})[1]
        assert "NodeUniqueIndexSeek" in json.dumps(summary.plan)
        summary = store._driver.execute_query("EXPLAIN MATCH (f:Fact) WHERE f.type = 'disability' RETURN f")[1]
        assert "NodeIndexSeek" in json.dumps(summary.plan)
    finally:
        store.close()
    # a store with data is replaced only when asked; a rerun with replace converges
    with pytest.raises(Neo4jImportError, match=r"holds \d+ nodes.*--replace"):
        import_plan(plan, local_neo4j, replace=False)
    assert nl.status(local_neo4j.data_dir / "neo4j") == local_neo4j.neo4j_uri
    import_plan(plan, local_neo4j, replace=True)
    assert _snap(local_neo4j) == oracle


_AT = __import__("datetime").datetime(2026, 11, 25, 10, 11, 12, 345678)
_D = __import__("datetime").date(1980, 2, 29)


def _person(iin: str, surname: str, extra: str | None) -> tuple:
    return (iin, surname, "Ай\"гүл, \\n", None, _D, "F", None, "addr,1", None, None, "KZ", "registry",
            _AT, extra, "d1")


@pytest.mark.scenario  # each stops and starts Neo4j (30-80 s): make scenarios, which CI runs, not the default run
def test_hostile_strings_survive(local_neo4j, tmp_path):
    extra = json.dumps({"note": 'line one\nline "two", three\r\n', "name": "O'Brien, \"Jr\""}, ensure_ascii=False)
    snap = {t.name: [] for t in PLAN_TABLES}
    snap["Person"] = sorted([
        _person("900101300011", 'Аб"ай, "Құнанбаев"', extra),
        _person("900101300012", "", None),  # an empty string stays an empty string
        _person("900101300013", "back\\slash\\", "{}"),
        _person("900101300014", "Sémé\tnov\nSecond line", '"'),
    ])
    snap["Address"] = [("addr,1",)]
    snap["LIVES_AT"] = sorted((p[0], "addr,1") for p in snap["Person"])
    snap["PARENT_OF"] = [("900101300011", "900101300013", _D, None, "registry", _AT, extra, "d2")]
    plan = write_plan(snap, tmp_path / "work" / "plan", part_rows=2)
    files = write_csv(plan, tmp_path / "csv")
    assert files.multiline and all(n.startswith(("Person", "PARENT_OF")) for n in files.multiline)
    import_plan(plan, local_neo4j, replace=True)
    got = _snap(local_neo4j)
    assert got == {t.name: snap[t.name] for t in model.REGISTRY_TABLES + model.REL_TABLES}


@pytest.mark.scenario  # each stops and starts Neo4j (30-80 s): make scenarios, which CI runs, not the default run
def test_failed_import_keeps_the_old_graph_and_the_server(oracle, local_neo4j, tmp_path):
    good = write_plan(oracle, tmp_path / "good" / "plan")
    import_plan(good, local_neo4j, replace=True)
    bad = dict(oracle)
    bad["Person"] = oracle["Person"] + [oracle["Person"][0]]  # a key twice: the importer refuses
    plan = write_plan(bad, tmp_path / "bad" / "plan")
    with pytest.raises(Neo4jImportError) as err:
        import_plan(plan, local_neo4j, replace=True)
    msg = str(err.value)
    assert "importer refused" in msg and str(plan) in msg and oracle["Person"][0][0] in msg
    assert nl.status(local_neo4j.data_dir / "neo4j") == local_neo4j.neo4j_uri
    assert _snap(local_neo4j) == oracle  # the database as it was
    assert interrupted.interrupted(local_neo4j.data_dir) is None


def test_a_plan_file_of_other_columns_is_refused_by_name(tmp_path):
    (tmp_path / "plan" / "Person").mkdir(parents=True)
    bad = tmp_path / "plan" / "Person" / "part-00000.parquet"
    pq.write_table(pa.table({"iin": ["1"]}), bad)
    with pytest.raises(Neo4jImportError, match=str(bad)):
        write_csv(tmp_path / "plan", tmp_path / "csv")


def test_another_servers_uri_is_refused(tmp_path):
    settings = Settings(data_dir=tmp_path, neo4j_uri="neo4j://db.example.kz:7687", store="neo4j")
    with pytest.raises(Neo4jImportError, match="--neo4j-import-dir"):
        import_plan(tmp_path / "plan", settings, replace=True)


@pytest.mark.scenario  # each stops and starts Neo4j (30-80 s): make scenarios, which CI runs, not the default run
def test_printed_command_imports_the_same_graph(oracle, local_neo4j, tmp_path):
    """The printed command, run with the importer's entry point: `neo4j-admin` becomes
    `java -cp <jars> org.neo4j.cli.AdminTool` with NEO4J_HOME set (neo4j_local.run_admin), run
    in NEO4J_HOME with the files in its import/ folder."""
    plan = write_plan(oracle, tmp_path / "plan")
    out = tmp_path / "out"
    command = write_import_dir(plan, out, "neo4j", overwrite=True)
    argv = shlex.split(command)
    assert argv[:4] == ["neo4j-admin", "database", "import", "full"] and argv[-1] == "neo4j"
    data_dir = local_neo4j.data_dir / "neo4j"
    home = data_dir / nl.HOME_NAME
    shutil.rmtree(home / "import")
    shutil.copytree(out, home / "import")
    import_plan(write_plan({}, tmp_path / "empty" / "plan"), local_neo4j, replace=True)  # an empty graph first
    assert _snap(local_neo4j) == {t.name: [] for t in model.REGISTRY_TABLES + model.REL_TABLES}
    nl.stop_background(data_dir)
    try:
        nl.run_admin(data_dir, argv[1:], tmp_path / "admin.log", cwd=home)
    finally:
        nl.start_background(data_dir, int(local_neo4j.neo4j_uri.rsplit(":", 1)[1]))
    store = _neo4j(local_neo4j)
    try:
        store.setup_schema()
    finally:
        store.close()
    assert _snap(local_neo4j) == oracle


@pytest.mark.scenario  # each stops and starts Neo4j (30-80 s): make scenarios, which CI runs, not the default run
def test_port_taken_on_restart_is_named_and_the_graph_is_there_once_started(oracle, local_neo4j, tmp_path,
                                                                             monkeypatch):
    import socket

    port = int(local_neo4j.neo4j_uri.rsplit(":", 1)[1])
    squatter = socket.socket()
    real_run_admin = nl.run_admin

    def run_admin_then_take_the_port(*args, **kwargs):
        real_run_admin(*args, **kwargs)
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()

    monkeypatch.setattr(nl, "run_admin", run_admin_then_take_the_port)
    plan = write_plan(oracle, tmp_path / "work" / "plan")
    try:
        taken = rf"did not start again on port {port}.*Address already in use.*neo4j start --port {port}"
        with pytest.raises(Neo4jImportError, match=taken):
            import_plan(plan, local_neo4j, replace=True)
        assert (local_neo4j.data_dir / interrupted.MARKER).exists()  # the load is not whole: the next command says so
    finally:
        squatter.close()
    monkeypatch.undo()
    import_plan(plan, local_neo4j, replace=True)  # the rerun converges
    assert not (local_neo4j.data_dir / interrupted.MARKER).exists()
    assert _snap(local_neo4j) == oracle


def test_a_neo4j_the_pid_file_does_not_know_is_not_imported_under(local_neo4j, tmp_path):
    data_dir = local_neo4j.data_dir / "neo4j"
    pid_file = data_dir / nl.PID_NAME
    kept = pid_file.read_text()
    pid_file.unlink()  # a server still holding the folder, unknown to the pid file
    try:
        assert nl.status(data_dir) is None and nl.store_in_use(data_dir)
        with pytest.raises(Neo4jImportError, match=rf"did not start holds {data_dir / nl.HOME_NAME}"):
            import_plan(write_plan({}, tmp_path / "plan"), local_neo4j, replace=True)
    finally:
        pid_file.write_text(kept)
    assert nl.status(data_dir) == local_neo4j.neo4j_uri


def test_a_swap_killed_half_way_is_finished_before_the_server_opens_the_database(tmp_path):
    from familycard.graph.load.neo4j_import import STAGING_DATABASE, SWAP_MARK, _finish_swap

    data_dir = tmp_path / "neo4j"
    served, staged = nl.database_dirs(data_dir, "neo4j"), nl.database_dirs(data_dir, STAGING_DATABASE)
    for d, what in [*zip(served, ("old store", "old logs"), strict=True),
                    *zip(staged, ("new store", "new logs"), strict=True)]:
        d.mkdir(parents=True)
        (d / "f").write_text(what)
    # killed after the store moved, before the logs did
    served[0].rename(served[0].with_name("neo4j.replaced"))
    staged[0].rename(served[0])
    (data_dir / SWAP_MARK).write_text("neo4j")
    _finish_swap(data_dir)
    assert [(d / "f").read_text() for d in served] == ["new store", "new logs"]
    assert not any(d.exists() for d in staged) and not (data_dir / SWAP_MARK).exists()
    assert not served[0].with_name("neo4j.replaced").exists()
    # no mark: an import that did not finish; its staging folders go, the served ones stay
    for d in staged:
        d.mkdir(parents=True)
    _finish_swap(data_dir)
    assert not any(d.exists() for d in staged) and [(d / "f").read_text() for d in served] == ["new store", "new logs"]


@pytest.mark.scenario  # each stops and starts Neo4j (30-80 s): make scenarios, which CI runs, not the default run
def test_a_load_killed_during_the_import_is_reported_and_a_rerun_converges(oracle, local_neo4j, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    plan = write_plan(oracle, tmp_path / "work" / "plan")
    code = ("import sys; from pathlib import Path; from familycard.settings import Settings; "
            "from familycard.graph.load.neo4j_import import import_plan; "
            "import_plan(Path(sys.argv[1]), Settings(data_dir=Path(sys.argv[2]), neo4j_uri=sys.argv[3]), replace=True)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(plan), str(local_neo4j.data_dir), local_neo4j.neo4j_uri],
                            start_new_session=True)  # its own group: the importer dies with it, as in a power cut
    staging = nl.database_dirs(local_neo4j.data_dir / "neo4j", STAGING_DATABASE)[0]  # made as the import begins
    deadline = time.monotonic() + 240
    while not staging.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the load ended before its import began"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    marker = interrupted.interrupted(local_neo4j.data_dir)
    assert marker is not None and marker["engine"] == "neo4j"  # what the next command reports
    assert nl.status(local_neo4j.data_dir / "neo4j") is None  # killed while the server was stopped
    import_plan(plan, local_neo4j, replace=True)
    assert not (local_neo4j.data_dir / interrupted.MARKER).exists()
    assert _snap(local_neo4j) == oracle
