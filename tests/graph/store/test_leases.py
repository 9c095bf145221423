"""Run leases and SMS claims in one process, on both engines: who gets a job, who is told to
wait, what happens when a holder died or stalled, and constraint conflicts redone, not raised.
(tests/scenarios/test_overlap.py starts real pairs of processes.)"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest

from familycard import dates
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.sms.gateways import OutgoingSms, Sent
from familycard.graph.store import Conflict, leases, writes

NOW = dt.datetime(2026, 12, 4, 12, 0, 0)


def owner(name: str, host: str = "elsewhere", pid: int = 4242) -> leases.Owner:
    return leases.Owner(f"{host}:{pid}:{name}", host, pid, f"familycard {name}", NOW)


def claim(store, key, who, now=NOW, ttl=60.0):
    return store.transaction(lambda tx: leases.claim_in(tx, [key], "sweep of 2026-11-25", who, ttl, now))


def test_a_second_run_is_refused_with_one_line_naming_the_holder(store):
    assert claim(store, "sweep|2026-11-25", owner("a"))[0] == ["sweep|2026-11-25"]
    with pytest.raises(leases.LeaseHeld) as e:
        with leases.hold(store, "sweep|2026-11-25", "sweep of 2026-11-25", owner=owner("b"), now=lambda: NOW):
            pass
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("the sweep of 2026-11-25 is already running: 'familycard a' since 2026-12-04 12:00:00 UTC "
                          "on host elsewhere, pid 4242")
    assert "--wait SECONDS" in msg
    assert (e.value.job, e.value.holder["host"], e.value.holder["pid"]) == ("sweep of 2026-11-25", "elsewhere", 4242)
    # the holder itself may claim again (a rerun of its own transaction)
    assert claim(store, "sweep|2026-11-25", owner("a"))[0] == ["sweep|2026-11-25"]


def test_an_expired_lease_is_taken_over_and_a_live_one_is_not(store):
    claim(store, "pay|2026-11", owner("a"), ttl=30)
    assert claim(store, "pay|2026-11", owner("b"), now=NOW + dt.timedelta(seconds=29))[0] == []
    got, held = claim(store, "pay|2026-11", owner("b"), now=NOW + dt.timedelta(seconds=31))
    assert got == ["pay|2026-11"] and held == {}
    row = store.read("MATCH (l:Lease {key: 'pay|2026-11'}) RETURN l.owner AS owner, l.expires_at AS until")[0]
    assert row == {"owner": "elsewhere:4242:b", "until": NOW + dt.timedelta(seconds=31 + 60)}


def test_a_lease_left_by_a_dead_process_on_this_host_is_taken_over_at_once(store):
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = owner("dead", host=socket.gethostname(), pid=int(gone.stdout))
    claim(store, "sms send", dead, ttl=3600)
    assert claim(store, "sms send", owner("b"))[0] == ["sms send"]


def test_wait_gets_the_lease_once_the_holder_lets_go(store):
    a, b = owner("a"), owner("b")
    slept = []
    with leases.hold(store, "pay|2026-11", "payment run of 2026-11", owner=a):
        def sleep(s):  # the holder finishes while the second run waits
            slept.append(s)
            store.transaction(lambda tx: leases.release_in(tx, a, ["pay|2026-11"]))
        with leases.hold(store, "pay|2026-11", "payment run of 2026-11", owner=b, wait=30, sleep=sleep):
            assert store.read("MATCH (l:Lease) RETURN l.owner AS o") == [{"o": b.token}]
    assert slept and store.read("MATCH (l:Lease) RETURN count(l) AS n") == [{"n": 0}]


def test_the_heartbeat_renews_the_lease_and_the_end_releases_it(store):
    with leases.hold(store, "sweep|2026-11-25", "sweep", ttl=0.3, owner=owner("a")):
        first = store.read("MATCH (l:Lease) RETURN l.expires_at AS t")[0]["t"]
        time.sleep(0.5)
        later = store.read("MATCH (l:Lease) RETURN l.expires_at AS t")[0]["t"]
        assert later > first
    assert store.read("MATCH (l:Lease) RETURN count(l) AS n") == [{"n": 0}]


def test_a_lease_is_released_when_the_job_fails(store):
    with pytest.raises(RuntimeError, match="the job failed"):
        with leases.hold(store, "pay|2026-11", "payments", owner=owner("a")):
            raise RuntimeError("the job failed")
    assert claim(store, "pay|2026-11", owner("b"))[0] == ["pay|2026-11"]


def test_of_eight_claimers_started_together_exactly_one_gets_the_lease(store):
    barrier, won, errors = threading.Barrier(8), [], []

    def run(i):
        barrier.wait()
        try:
            got, _ = store.transaction(lambda tx: leases.claim_in(tx, ["sweep|d"], "sweep", owner(f"c{i}"), 60,
                                                                   dates.utcnow()))
            won.extend(got)
        except Exception as e:  # noqa: BLE001 - the test reports any
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and won == ["sweep|d"]
    assert store.read("MATCH (l:Lease) RETURN count(l) AS n") == [{"n": 1}]


class Counting:
    """A gateway that counts what it is handed, slowly (so two senders overlap)."""

    def __init__(self):
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def send_many(self, messages: list[OutgoingSms]) -> list[Sent]:
        out = []
        for m in messages:
            time.sleep(0.002)
            with self.lock:
                self.keys.append(m.key)
            out.append(Sent(m.key, f"p-{m.key}", False))
        return out


def _queue(store, n):
    store.transaction(lambda tx: writes.create(tx, "Message", [
        {"key": f"notice|{i:03d}", "direction": "out", "kind": "notice", "phone": "+77010000000", "iin": None,
         "offers": "", "text": "x", "status": "queued", "created_at": NOW, "attempts": 0} for i in range(n)]))


def test_two_senders_at_once_hand_each_message_to_the_gateway_once(store):
    _queue(store, 120)
    gw, barrier, sums = Counting(), threading.Barrier(2), []

    def run(i):
        barrier.wait()
        sums.append(send_outbox(store, gw, batch=10, owner=owner(f"s{i}")))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(gw.keys) == 120 and set(Counter(gw.keys).values()) == {1}
    assert sum(s.sent for s in sums) == 120
    assert store.read("MATCH (m:Message) WHERE m.status = 'sent' RETURN count(m) AS n") == [{"n": 120}]
    assert store.read("MATCH (l:Lease) RETURN count(l) AS n") == [{"n": 0}]


def test_messages_claimed_by_a_live_sender_are_left_to_it_and_expired_claims_are_sent_again(store):
    _queue(store, 5)
    other = owner("crashed")
    store.transaction(lambda tx: leases.claim_in(tx, ["sms|notice|000", "sms|notice|001"], "sms", other, 3600,
                                                 dates.utcnow()))
    gw = Counting()
    assert send_outbox(store, gw, owner=owner("me")).sent == 3
    assert sorted(gw.keys) == ["notice|002", "notice|003", "notice|004"]
    # its claims expire (the sender died on another host): the next run sends them
    store.write("MATCH (l:Lease) SET l.expires_at = $t", {"t": dates.utcnow() - dt.timedelta(seconds=1)})
    assert send_outbox(store, gw, owner=owner("me")).sent == 2
    assert sorted(gw.keys) == [f"notice|{i:03d}" for i in range(5)]


def test_a_constraint_conflict_is_redone_as_someone_else_did_it_and_counted(store):
    store.transaction(lambda tx: writes.create(tx, "Task", [{"key": "t1", "status": "open"}]))
    tries = []

    def racing(tx):
        # The first try writes as if it had read before the other run's commit: the engine's
        # uniqueness check refuses it; the rerun reads first and finds it done.
        tries.append(1)
        rows = [{"key": "t1", "status": "open"}, {"key": "t2", "status": "open"}]
        return len(writes.insert_new(tx, "Task", rows) if len(tries) > 1 else (writes.create(tx, "Task", rows) or rows))

    before = store.conflicts
    assert store.transaction(racing) == 1
    assert len(tries) == 2 and store.conflicts == before + 1
    assert store.read("MATCH (t:Task) RETURN t.key AS k ORDER BY k") == [{"k": "t1"}, {"k": "t2"}]


def test_a_conflict_that_never_goes_away_is_a_clear_error_not_a_traceback(store):
    store.transaction(lambda tx: writes.create(tx, "Task", [{"key": "t1", "status": "open"}]))
    with pytest.raises(Conflict) as e:
        store.transaction(lambda tx: writes.create(tx, "Task", [{"key": "t1", "status": "open"}]))
    assert "\n" not in str(e.value) and "t1" in str(e.value)
