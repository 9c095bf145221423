"""`familycard load`: what its user sees (summary line, rejected lines, exit codes), a store that
is not empty, and a load killed with SIGKILL during the copy (the store as it was, the next
command saying so, a rerun converging)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from cli.test_main import feed_file, run
from familycard.graph.store.snapshot import snapshot
from familycard.synthetic.population import write_feed
from feedmaker import link, person
from scenarios.stores import open_at

TODAY = "2026-11-25"


def test_load_prints_ingests_summary_and_rejected_lines_and_exits_1(tmp_path):
    m, c = person("1985-03-04", "F", address_id="A1"), person("2015-01-01", "M", address_id="A1")
    feed = feed_file(tmp_path, m, c, link("PARENT_OF", m, c), dict(c, iin="150101500032"), "not json")
    r = run(["load", str(feed), "--today", TODAY], tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stdout.decode() == "read 5, stored 3, unchanged 0, rejected 2, pending links 0\n"
    err = r.stderr.decode()
    assert "rejected feed.jsonl:4: iin: IIN '150101500032': check digit is" in err
    assert "rejected feed.jsonl:5: not a JSON object" in err
    for step in ("load: read: 5 lines in", "load: resolve: 3 records in", "load: copy: 6 records in"):
        assert step in err
    # the same numbers as ingest into an empty store
    r2 = run(["ingest", str(feed), "--today", TODAY], tmp_path, FAMILYCARD_DATA_DIR=str(tmp_path / "other"))
    assert r2.stdout == r.stdout
    # a clean feed: 0; the store is not empty now: 2, with the way out
    feed = feed_file(tmp_path, person("1990-01-01", "M"))
    r = run(["load", str(feed)], tmp_path, FAMILYCARD_DATA_DIR=str(tmp_path / "clean"))
    assert r.returncode == 0 and r.stdout.decode() == "read 1, stored 1, unchanged 0, rejected 0, pending links 0\n"
    r = run(["load", str(feed)], tmp_path, FAMILYCARD_DATA_DIR=str(tmp_path / "clean"))
    assert r.returncode == 2
    assert r.stderr.decode().startswith(f"familycard load: the store (LadybugDB at {tmp_path / 'clean'}) is not "
                                        "empty: it holds 1 Person. A load fills an empty store")


def test_replace_asks_on_a_terminal_and_wants_yes_elsewhere(tmp_path):
    feed = feed_file(tmp_path, person("1990-01-01", "M"))
    assert run(["load", str(feed)], tmp_path).returncode == 0
    r = run(["load", str(feed), "--replace"], tmp_path, stdin=b"")
    assert r.returncode == 2 and "add --yes to confirm" in r.stderr.decode()
    feed = feed_file(tmp_path, person("1991-01-01", "F"), person("1992-02-02", "M"))
    r = run(["load", str(feed), "--replace", "--yes"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "read 2, stored 2, unchanged 0, rejected 0, pending links 0\n"


def test_a_feed_that_is_not_there_is_the_callers_mistake(tmp_path):
    r = run(["load", str(tmp_path / "nope.jsonl")], tmp_path)
    assert r.returncode == 2
    assert r.stderr.decode() == f"familycard load: '{tmp_path / 'nope.jsonl'}': no such file\n"


def test_a_folder_or_a_fifo_is_refused_at_once_naming_it(tmp_path):
    """A load reads its feeds more than once (the lines of records that wait): a stream is not
    a feed for it, and opening a FIFO to look would hang until a writer came."""
    assert run(["load", str(tmp_path)], tmp_path).stderr.decode() == (
        f"familycard load: '{tmp_path}': is a folder; give the feed file (JSONL) in it\n")
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    r = run(["load", str(fifo)], tmp_path)
    assert r.returncode == 2 and r.stderr.decode() == (
        f"familycard load: '{fifo}': is not a regular file: a load reads its feeds more than once "
        "(for a stream, use `familycard ingest -`)\n")


def test_a_neo4j_elsewhere_is_told_to_use_the_import_dir_and_the_import_dir_needs_no_neo4j(tmp_path):
    feed = feed_file(tmp_path, person("1990-01-01", "M"))
    r = run(["load", str(feed)], tmp_path, FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI="neo4j://db.example:7687")
    err = r.stderr.decode()
    assert r.returncode == 2 and "neo4j://db.example:7687 is not the local Neo4j" in err and "--neo4j-import-dir" in err
    out = tmp_path / "import"
    r = run(["load", str(feed), "--neo4j-import-dir", str(out), "--replace", "--yes"], tmp_path,
            FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI="neo4j://db.example:7687")
    err = r.stderr.decode()
    assert r.returncode == 0, err
    command = err.split("run where Neo4j is (database stopped):\n", 1)[1].splitlines()[0]
    assert command.startswith("neo4j-admin database import full --nodes=import/") and command.endswith(
        " --overwrite-destination=true neo4j")
    names = {p.name for p in out.iterdir()}
    assert any(n.startswith("Person") for n in names) and any(n.startswith("HAS_FACT") for n in names)
    assert "stored 1" in r.stdout.decode()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("feed") / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write_feed(out, people=1000, seed=13, as_of=__import__("datetime").date(2026, 11, 25), bad_rate=0.02)
    return path


def test_kill_9_during_the_copy_leaves_the_store_empty_says_so_and_a_rerun_converges(generated, tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env.update(FAMILYCARD_DATA_DIR=str(data), FAMILYCARD_LOAD_PAUSE_S="30")
    cmd = [sys.executable, "-m", "familycard.cli", "load", str(generated), "--today", TODAY]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < end:  # the new database made, a table in
            if any(data.glob("load-*/db/graph.lbug")):
                break
            time.sleep(0.05)
        time.sleep(1.0)  # the Person table copied; the pause after it
        assert proc.poll() is None, proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    r = run(["stats"], tmp_path)
    assert r.returncode == 0
    err = r.stderr.decode()
    assert "familycard: a load did not finish (`familycard load feed.jsonl`" in err
    assert "the store is as it was before it; rerun `familycard load`" in err
    assert "Person                            0" in r.stdout.decode()
    r = run(["load", str(generated), "--today", TODAY, "--show-rejected", "0"], tmp_path)
    assert r.returncode == 1, r.stderr
    assert "removed what the load started" in r.stderr.decode()
    assert not list(data.glob("load-*"))
    r2 = run(["load", str(generated), "--today", TODAY, "--show-rejected", "0"], tmp_path,
             FAMILYCARD_DATA_DIR=str(tmp_path / "clean"))
    assert r2.stdout == r.stdout
    with open_at(data, None) as a, open_at(tmp_path / "clean", None) as b:
        assert snapshot(a) == snapshot(b)
    r = run(["stats"], tmp_path)
    assert "did not finish" not in r.stderr.decode()
    r = run(["sweep", "--as-of", TODAY], tmp_path)
    assert r.returncode == 0, r.stderr


def test_a_load_stopped_just_after_its_swap_is_reported_as_done_not_as_before(tmp_path, monkeypatch, capsys):
    import json

    from familycard.cli._common import report_interrupted_load
    from familycard.graph.load import interrupted
    from familycard.graph.load.run import load_feeds
    from familycard.settings import Settings

    settings = Settings(store="embedded", data_dir=tmp_path / "data")
    feed = feed_file(tmp_path, person("1990-01-01", "M"))
    with monkeypatch.context() as m:  # killed between the rename and the marker's removal
        m.setattr(interrupted, "finish", lambda data_dir: None)
        load_feeds(settings, [feed], __import__("datetime").date(2026, 11, 25), keep_work=True)
    marker = settings.data_dir / interrupted.MARKER
    dead = subprocess.Popen(["true"])
    dead.wait()
    marker.write_text(json.dumps(dict(json.loads(marker.read_text()), pid=dead.pid)))
    report_interrupted_load(settings)
    err = capsys.readouterr().err
    assert "was stopped just after it put the loaded graph in place: the store holds the whole load" in err
    assert "as it was before" not in err
