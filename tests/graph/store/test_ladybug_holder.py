"""LadybugDB: one process holds the folder from its open to its close, across the reopens a
long job makes to give memory back (``after_rule``, ``after_batch``).

CI once saw a second ``sweep --wait`` take the folder in the moment between the first
sweep's close and reopen after a rule; the first then stopped mid-sweep, "in use"."""
from __future__ import annotations

import subprocess
import sys
import time

from familycard.graph.store import ladybug as ladybug_store
from familycard.graph.store.ladybug import LadybugStore

# Waits for the go file, tries the folder once, and says what happened.
_TRY_ONCE = """
import sys, time, pathlib
from familycard.graph.store import StoreBusy
from familycard.graph.store.ladybug import LadybugStore
go = pathlib.Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
try:
    LadybugStore(sys.argv[1]).close()
    print("opened")
except StoreBusy as e:
    print("busy:", e)
"""


def _other_process_tries(folder, go):
    return subprocess.Popen([sys.executable, "-c", _TRY_ONCE, str(folder), str(go)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_another_process_cannot_take_the_folder_while_a_rule_reopens_it(tmp_path, monkeypatch):
    folder, go = tmp_path / "graph", tmp_path / "go"
    opened = ladybug_store._open_database
    seen = {}

    def reopen_after_the_other_tried(path, read_only, *rest):
        # The Database is closed here: LadybugDB's own lock is gone. The other process tries now.
        go.touch()
        seen["other"] = other.communicate(timeout=60)
        return opened(path, read_only, *rest)

    with LadybugStore(folder) as store:
        other = _other_process_tries(folder, go)
        monkeypatch.setattr(ladybug_store, "_open_database", reopen_after_the_other_tried)
        store.after_rule()
        monkeypatch.setattr(ladybug_store, "_open_database", opened)
        assert store.read("RETURN 1 AS ok") == [{"ok": 1}]
    out, err = seen["other"]
    assert out.startswith("busy: "), (out, err[-2000:])
    # it is told who holds the folder: this process, by its command
    assert "is in use by '" in out and "one process at a time can open it" in out


def test_after_the_holder_closes_another_process_opens_the_folder(tmp_path):
    folder, go = tmp_path / "graph", tmp_path / "go"
    LadybugStore(folder).close()
    go.touch()
    out, err = _other_process_tries(folder, go).communicate(timeout=60)
    assert out.strip() == "opened", err[-2000:]


def test_two_stores_of_one_process_share_the_hold_and_the_last_close_releases_it(tmp_path):
    folder, go = tmp_path / "graph", tmp_path / "go"
    go.touch()
    first = LadybugStore(folder)
    second = LadybugStore(folder)  # LadybugDB lets one process open a folder twice, so does the hold
    first.close()
    out, _ = _other_process_tries(folder, go).communicate(timeout=60)
    assert out.startswith("busy: ")  # the second store still holds it
    second.close()
    out, err = _other_process_tries(folder, go).communicate(timeout=60)
    assert out.strip() == "opened", err[-2000:]


def test_a_holder_killed_leaves_the_folder_free(tmp_path):
    folder, go = tmp_path / "graph", tmp_path / "go"
    go.touch()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom familycard.graph.store.ladybug import LadybugStore\n"
        "s = LadybugStore(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(120)\n"), str(folder)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        out, _ = _other_process_tries(folder, go).communicate(timeout=60)
        assert out.startswith("busy: ") and f"pid {holder.pid}" in out
    finally:
        holder.kill()  # SIGKILL: no close, no cleanup
        holder.wait()
    deadline = time.monotonic() + 10
    while True:
        out, err = _other_process_tries(folder, go).communicate(timeout=60)
        if out.strip() == "opened" or time.monotonic() > deadline:
            break
    assert out.strip() == "opened", (out, err[-2000:])


def test_a_read_only_open_takes_no_hold(tmp_path):
    folder, go = tmp_path / "graph", tmp_path / "go"
    LadybugStore(folder).close()
    go.touch()
    with LadybugStore(folder, read_only=True):
        out, err = _other_process_tries(folder, go).communicate(timeout=60)
    assert out.strip() == "opened", err[-2000:]


def test_a_busy_open_names_the_holder_and_says_to_wait(tmp_path):
    folder, go = tmp_path / "graph", tmp_path / "go"
    with LadybugStore(folder):
        go.touch()
        out, _ = _other_process_tries(folder, go).communicate(timeout=60)
    assert out.startswith("busy: ") and out.rstrip().endswith("wait for it to finish")
