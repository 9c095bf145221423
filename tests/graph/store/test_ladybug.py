"""LadybugDB after a process died while writing: the torn end of its write-ahead log.

The kill -9 scenarios (tests/scenarios/) meet a torn log by chance; these tests make one on
purpose: a process commits and dies before any checkpoint (``os._exit``, as a kill -9 would
leave it), and the log's end is then torn the two ways LadybugDB 0.22 reports."""
from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from familycard.graph.store.ladybug import DB_FILE, LadybugStore

# Commits two persons in two transactions with automatic checkpoints off, then dies: the log
# holds both commits, the database file neither.
_COMMIT_AND_DIE = """
import os, sys, ladybug
db = ladybug.Database(sys.argv[1], auto_checkpoint=False)
c = ladybug.Connection(db)
c.execute("CREATE NODE TABLE IF NOT EXISTS P(id STRING, PRIMARY KEY(id))")
c.execute("CHECKPOINT")
c.execute("CREATE (:P {id: 'first'})")
c.execute("CREATE (:P {id: 'second'})")
os._exit(0)
"""


def _committed_then_died(folder):
    folder.mkdir()
    subprocess.run([sys.executable, "-c", _COMMIT_AND_DIE, str(folder / DB_FILE)], check=True)
    wal = folder / f"{DB_FILE}.wal"
    assert wal.stat().st_size > 0, "the commits should be in the log only"
    return wal


def _ids(store):
    return [r["id"] for r in store.read("MATCH (p:P) RETURN p.id AS id ORDER BY id")]


def test_a_log_with_garbage_after_its_commits_opens_with_both_commits_and_says_so(tmp_path, caplog):
    folder = tmp_path / "graph"
    wal = _committed_then_died(folder)
    with wal.open("ab") as f:
        f.write(b"\x07" * 300)  # a record that was being written when the process died
    with caplog.at_level(logging.WARNING), LadybugStore(folder) as store:
        assert _ids(store) == ["first", "second"]
    assert "write-ahead log was torn" in caplog.text and str(folder) in caplog.text
    kept = list(folder.glob(f"{DB_FILE}.wal.torn-*"))
    assert len(kept) == 1 and kept[0].read_bytes().endswith(b"\x07" * 300)


def test_a_log_cut_inside_its_last_commit_keeps_what_came_before(tmp_path, caplog):
    folder = tmp_path / "graph"
    wal = _committed_then_died(folder)
    whole = wal.read_bytes()
    wal.write_bytes(whole[:-9])  # the last record torn: its last bytes never reached the disk
    with caplog.at_level(logging.WARNING), LadybugStore(folder) as store:
        ids = _ids(store)
    assert ids in (["first"], ["first", "second"]), ids  # a prefix of what was committed, never more
    assert "write-ahead log was torn" in caplog.text


def test_after_the_repair_the_folder_opens_cleanly_and_keeps_what_it_holds(tmp_path, caplog):
    folder = tmp_path / "graph"
    wal = _committed_then_died(folder)
    with wal.open("ab") as f:
        f.write(b"\x07" * 300)
    LadybugStore(folder).close()
    caplog.clear()
    with caplog.at_level(logging.WARNING), LadybugStore(folder) as store:
        assert _ids(store) == ["first", "second"]
    assert caplog.text == ""
    assert len(list(folder.glob(f"{DB_FILE}.wal.torn-*"))) == 1


def test_a_read_only_open_does_not_repair_a_torn_log(tmp_path):
    from familycard.graph.store import StoreUnavailable

    folder = tmp_path / "graph"
    wal = _committed_then_died(folder)
    with wal.open("ab") as f:
        f.write(b"\x07" * 300)
    with pytest.raises(StoreUnavailable, match="(?i)wal"):
        LadybugStore(folder, read_only=True)
    assert list(folder.glob(f"{DB_FILE}.wal.torn-*")) == []


def test_buffer_pool_from_settings(tmp_path):
    """FAMILYCARD_LADYBUG_BUFFER_POOL reaches LadybugDB (a 5 M store's sweep held 17 GB with its
    default of 80 % of the memory); a size it cannot read is refused, naming the setting."""
    import pydantic

    from familycard.graph.store import open_store
    from familycard.settings import Settings

    settings = Settings(data_dir=tmp_path / "graph", ladybug_buffer_pool="64m")
    assert settings.ladybug_buffer_pool_bytes == 64 * 1024 ** 2
    with open_store(settings) as store:
        assert store._buffer_pool == 64 * 1024 ** 2
        store.write("CREATE (:Person {iin: '870101300015', surname: 'A', given_name: 'B'})")
        assert store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"] == 1
    assert Settings(data_dir=tmp_path / "other").ladybug_buffer_pool_bytes == 0
    with pytest.raises(pydantic.ValidationError, match="ladybug_buffer_pool"):
        Settings(data_dir=tmp_path / "x", ladybug_buffer_pool="4x")
