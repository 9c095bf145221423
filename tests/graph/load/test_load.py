"""The whole load (read, resolve, the engine's bulk step): the graph ingest makes, crash-safe.

On LadybugDB the load is ``COPY`` into a new database swapped in by one rename; on Neo4j it is
the importer (``graph.load.neo4j_import``) into a local Neo4j of the module's own."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from familycard.graph.ingest import ingest_lines
from familycard.graph.load import interrupted
from familycard.graph.load.run import StoreNotEmpty, load_feeds
from familycard.graph.store.snapshot import snapshot
from familycard.settings import Settings
from familycard.synthetic.population import write_feed
from feedmaker import lines, person
from graph.load.test_neo4j_import import local_neo4j  # noqa: F401 - a fixture, used by name
from graph.load.test_resolve import rejections
from neo4j_fixture import wipe_database
from scenarios.stores import open_at

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("feed") / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write_feed(out, people=1500, seed=7, as_of=TODAY, bad_rate=0.05)
    return path


@pytest.fixture(scope="module")
def ingested(generated, tmp_path_factory):
    """The reference: the generated feed ingested into an empty LadybugDB in one batch."""
    path = tmp_path_factory.mktemp("ingested")
    with open_at(path, None) as store, open(generated, "rb") as f:
        summary = ingest_lines(store, f, generated.name, TODAY, batch_size=10**7)
        return summary, snapshot(store)


def settings_for(engine: str, tmp_path, request) -> tuple[Settings, str | None]:
    """The settings of an empty store: a LadybugDB folder of the test's own, or the module's local
    Neo4j (a load stops and restarts it: it must be the one `familycard neo4j start` runs), emptied."""
    if engine == "neo4j":
        settings = request.getfixturevalue("local_neo4j")
        with GraphDatabase.driver(settings.neo4j_uri, auth=None) as driver:
            wipe_database(driver)
        return settings, settings.neo4j_uri
    return Settings(store="embedded", data_dir=tmp_path / "data"), None


# Neo4j's run (48 s in CI) is a scenario: test_neo4j_import proves the import equals ingest there too.
@pytest.mark.scenario_on_neo4j
@pytest.mark.parametrize("engine", ["ladybug", "neo4j"])
def test_load_makes_the_graph_ingest_makes_with_the_same_rejections(engine, generated, ingested, tmp_path, request):
    settings, uri = settings_for(engine, tmp_path, request)
    ing, expected = ingested
    got = load_feeds(settings, [generated], TODAY)
    with open_at(settings.data_dir, uri) as store:
        assert snapshot(store) == expected
    assert got.line() == ing.line()
    assert got.stored_by_kind == ing.stored_by_kind
    assert got.rejected > 0 and rejections(got.rejections) == rejections(ing.rejections)
    assert [s.name for s in got.steps] == ["read", "resolve", "import" if engine == "neo4j" else "copy"]
    assert not interrupted.interrupted(settings.data_dir)
    assert not list(settings.data_dir.glob("load-*"))  # the work folder is gone


def test_after_a_load_ingest_changes_nothing_and_the_sweep_finds_what_it_finds_after_ingest(
        generated, ingested, tmp_path):
    from familycard.graph.sweep import sweep

    settings = Settings(store="embedded", data_dir=tmp_path / "data")
    load_feeds(settings, [generated], TODAY)
    with open_at(settings.data_dir, None) as store:
        with open(generated, "rb") as f:
            again = ingest_lines(store, f, generated.name, TODAY)
        assert again.stored == 0 and again.unchanged == ingested[0].stored + ingested[0].unchanged
        loaded = sweep(store, TODAY).entitlements
    with open_at(tmp_path / "ingested", None) as store, open(generated, "rb") as f:
        ingest_lines(store, f, generated.name, TODAY, batch_size=10**7)
        assert loaded and sweep(store, TODAY).entitlements == loaded


def test_a_store_that_is_not_empty_is_refused_and_replace_empties_it(tmp_path):
    settings = Settings(store="embedded", data_dir=tmp_path / "data")
    feed = tmp_path / "feed.jsonl"
    a, b = person("1980-01-01", "F"), person("1990-01-01", "M")
    feed.write_bytes(b"".join(lines(a)))
    with open_at(settings.data_dir, None) as store:  # a store with only an offer in it
        store.write("CREATE (:Offer {key: 'x', code: 'birth'})")
    with pytest.raises(StoreNotEmpty, match=r"is not empty: it holds 1 Offer\. A load fills an empty store"):
        load_feeds(settings, [feed], TODAY)
    load_feeds(settings, [feed], TODAY, replace=True)
    feed.write_bytes(b"".join(lines(b)))
    with pytest.raises(StoreNotEmpty, match=r"it holds 1 Person"):
        load_feeds(settings, [feed], TODAY)
    with open_at(settings.data_dir, None) as store:
        assert [r[0] for r in snapshot(store)["Person"]] == [a["iin"]]
        assert store.read("MATCH (o:Offer) RETURN count(o) AS n")[0]["n"] == 0
    load_feeds(settings, [feed], TODAY, replace=True)
    with open_at(settings.data_dir, None) as store:
        assert [r[0] for r in snapshot(store)["Person"]] == [b["iin"]]


def test_a_load_that_fails_leaves_the_store_as_it_was_and_no_marker(tmp_path, monkeypatch):
    from familycard.graph.load import ladybug

    settings = Settings(store="embedded", data_dir=tmp_path / "data")
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"".join(lines(person("1980-01-01", "F"))))
    built = ladybug.build_database

    def build_then_fail(*a, **kw):
        built(*a, **kw)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ladybug, "build_database", build_then_fail)
    with pytest.raises(OSError, match="No space left"):
        load_feeds(settings, [feed], TODAY)
    with open_at(settings.data_dir, None) as store:
        assert snapshot(store)["Person"] == []
    assert not (settings.data_dir / interrupted.MARKER).exists()
    assert not list(settings.data_dir.glob("load-*"))


def test_a_load_removes_what_an_interrupted_one_left(tmp_path):
    settings = Settings(store="embedded", data_dir=tmp_path / "data")
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"".join(lines(person("1980-01-01", "F"))))
    left = settings.data_dir / "load-20261125T000000000000"
    (left / "db").mkdir(parents=True)
    (left / "db" / "graph.lbug").write_bytes(b"half a database")
    interrupted.begin(settings.data_dir, "embedded", ["feed.jsonl"], left)
    dead = subprocess.Popen(["true"])
    dead.wait()
    marker = settings.data_dir / interrupted.MARKER
    marker.write_text(json.dumps(dict(json.loads(marker.read_text()), pid=dead.pid)))
    assert interrupted.interrupted(settings.data_dir)
    got = load_feeds(settings, [feed], TODAY)
    assert got.cleaned and got.cleaned["work_dir"] == str(left)
    assert not left.exists() and not marker.exists()
    with open_at(settings.data_dir, None) as store:
        assert len(snapshot(store)["Person"]) == 1


@pytest.mark.parametrize("work_dir", ["{outside}/load-x", "{data}/../load-x", "{data}/keep-me"])
def test_a_marker_naming_a_folder_that_is_not_a_loads_own_deletes_nothing(work_dir, tmp_path):
    """The marker is a file in the data folder: whoever can edit it must not get a folder of
    their choice deleted by the next load."""
    settings = Settings(store="embedded", data_dir=tmp_path / "data")
    victim = Path(work_dir.format(outside=tmp_path / "elsewhere", data=settings.data_dir))
    victim.mkdir(parents=True)
    (victim / "precious.txt").write_text("mine")
    interrupted.begin(settings.data_dir, "embedded", ["feed.jsonl"], victim)
    dead = subprocess.Popen(["true"])
    dead.wait()
    marker = settings.data_dir / interrupted.MARKER
    marker.write_text(json.dumps(dict(json.loads(marker.read_text()), pid=dead.pid)))
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"".join(lines(person("1980-01-01", "F"))))
    assert load_feeds(settings, [feed], TODAY).stored == 1
    assert (victim / "precious.txt").read_text() == "mine" and not marker.exists()


@pytest.mark.parametrize("engine", ["ladybug", pytest.param("neo4j", marks=pytest.mark.scenario)])  # 80 s
def test_after_a_load_a_day_of_changes_is_ingested_and_the_incremental_sweep_finds_what_a_full_one_finds(
        engine, tmp_path, request):
    """Issue 17, point 5: the daily path after a first load (the load writes no change log: the
    first sweep of a day is a full one, and only what is ingested after it is incremental)."""
    from familycard.graph.sweep import daily_sweep, sweep
    from familycard.synthetic import write_changes

    settings, uri = settings_for(engine, tmp_path, request)
    feed = tmp_path / "feed.jsonl"
    with open(feed, "w", encoding="utf-8") as out:
        write_feed(out, people=2500, seed=3, as_of=TODAY)
    assert load_feeds(settings, [feed], TODAY).rejected == 0
    with open_at(settings.data_dir, uri) as store:
        t0 = dt.datetime(2026, 11, 25, 3, 0)
        before = {e.key for e in daily_sweep(store, TODAY, now=lambda: t0).result.entitlements}
        changes = tmp_path / "changes.jsonl"
        with open(changes, "w", encoding="utf-8") as out:
            assert write_changes(store, out, TODAY, 400, 3) >= 300
        with open(changes, "rb") as f:
            s = ingest_lines(store, f, changes.name, TODAY)
        assert s.rejected == 0 and s.stored > 0
        full = {e.key: e.amount_kzt for e in sweep(store, TODAY).entitlements}
        new = set(full) - before
        assert len(new) >= 10, "the day of changes should make new rights"
        t1 = t0 + dt.timedelta(hours=2)
        inc = daily_sweep(store, TODAY, incremental=True, now=lambda: t1)
        assert inc.mode == "incremental" and inc.scope.changed
        offered = {r["key"] for r in store.read("MATCH (o:Offer) WHERE o.offered_at = $t RETURN o.key AS key",
                                                {"t": t1})}
        assert offered == new
        found = {e.key: e.amount_kzt for e in inc.result.entitlements}
        assert found.items() <= full.items()
