"""kill -9 in the middle of an ingest, then a rerun: the same graph as one clean run."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from familycard.graph.store.snapshot import snapshot
from familycard.synthetic import write_feed
from scenarios.stores import open_at

# Whole processes killed or raced: minutes, not seconds; `make scenarios` (CI runs them after `make test`).
pytestmark = pytest.mark.scenario

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write_feed(out, people=2500, seed=11, as_of=AS_OF, bad_rate=0.01)
    return path


def _env(tmp_path, engine, uri):
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e["FAMILYCARD_DATA_DIR"] = str(tmp_path)
    if engine == "neo4j":
        e.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=uri)
    return e


# LadybugDB with its database closed and reopened after every batch (LadybugStore.reopen_after,
# ~1 M records in use): a kill then often lands in a close or an open.
_REOPENING = ("import sys; from familycard.graph.store.ladybug import LadybugStore; LadybugStore.reopen_after = 1; "
              "from familycard.cli import main; sys.exit(main(sys.argv[1:]))")


def _ingest_cmd(feed, engine="ladybug"):
    run = ["-c", _REOPENING] if engine == "ladybug-reopening" else ["-m", "familycard.cli"]
    return [sys.executable, *run, "ingest", str(feed), "--today", AS_OF.isoformat(), "--batch-size", "2000",
            "--show-rejected", "0"]


def _open(engine, path, uri):
    return open_at(path, uri if engine == "neo4j" else None)


def _persons(engine, path, uri) -> int:
    with _open(engine, path, uri) as s:
        return s.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]


def _wait_for_persons(driver, proc, at_least: float, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < end:
        n = driver.execute_query("MATCH (p:Person) RETURN count(p) AS n").records[0]["n"]
        if n >= at_least:
            return
        time.sleep(0.05)


@pytest.mark.parametrize("engine", ["ladybug", "ladybug-reopening", "neo4j"])
def test_kill_9_mid_ingest_then_rerun_converges(engine, feed, tmp_path, request):
    uri = None
    if engine == "neo4j":
        uri = request.getfixturevalue("neo4j_clean")
        from neo4j import GraphDatabase

        from neo4j_fixture import wipe_database
        driver = GraphDatabase.driver(uri, auth=None)
    clean_dir, crash_dir = tmp_path / "clean", tmp_path / "crash"

    t0 = time.monotonic()
    # The clean graph from a run that never reopens: reopening must not change it either.
    clean = subprocess.run(_ingest_cmd(feed), env=_env(clean_dir, engine, uri), capture_output=True, timeout=600)
    clean_secs = time.monotonic() - t0
    assert clean.returncode == 1  # the feed's deliberately bad lines
    with _open(engine, clean_dir, uri) as s:
        expected = snapshot(s)
    total = len(expected["Person"])

    partial_seen = False
    for frac in (0.55, 0.35, 0.75, 0.2, 0.9):
        if engine == "neo4j":
            wipe_database(driver)
        else:
            import shutil
            shutil.rmtree(crash_dir, ignore_errors=True)
        proc = subprocess.Popen(_ingest_cmd(feed, engine), env=_env(crash_dir, engine, uri),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if engine == "neo4j":
            # A server can be asked while the ingest runs: kill once that share of the persons
            # is in (a time from the clean run misses when that one ran on a cold JVM).
            _wait_for_persons(driver, proc, total * frac)
        else:
            time.sleep(clean_secs * frac)
        if proc.poll() is not None:
            continue  # finished before the kill: try an earlier moment
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        n = _persons(engine, crash_dir, uri)
        if 0 < n < total:
            partial_seen = True
            break
    assert partial_seen, "never caught the ingest half-way"

    for _ in range(2):  # a rerun, and one more: both land on the clean graph
        rerun = subprocess.run(_ingest_cmd(feed, engine), env=_env(crash_dir, engine, uri), capture_output=True,
                               timeout=600)
        assert rerun.returncode == 1, rerun.stderr.decode()[-2000:]
        with _open(engine, crash_dir, uri) as s:
            assert snapshot(s) == expected
    if engine == "neo4j":
        driver.close()
