"""Two runs at once, as real processes started together (a barrier: both wait for the same
start time, imports done): sweep, sms send (to an HTTP provider on 127.0.0.1 that counts
POSTs) and pay. One offer per right, each SMS POSTed once, one order each; the loser says in
one line who holds the job (on Neo4j: the lease; on LadybugDB: the folder) and exits 3.
Plus a lease left by kill -9 or by a run on another host, taken over. On both engines."""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from familycard import dates
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.orders import month_of
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.ingest import ingest_stream
from familycard.graph.sms.gateways import FileGateway
from familycard.graph.store import leases
from familycard.graph.sweep import daily_sweep
from familycard.synthetic import write_feed
from scenarios.stores import open_at

# Whole processes killed or raced: minutes, not seconds; `make scenarios` (CI runs them after `make test`).
pytestmark = pytest.mark.scenario

AS_OF = dt.date(2026, 11, 25)
MONTH = month_of(dates.local_day(dates.utcnow()))

# Both processes import everything first, say so with a file, and start main() once both have.
_BARRIER = """
import os, pathlib, sys, time
import familycard.cli, familycard.graph.store.leases, familycard.graph.sweep, familycard.graph.flow.outbox
import familycard.graph.flow.payments, familycard.graph.store.ladybug, familycard.graph.store.neo4j

barrier = pathlib.Path(sys.argv[1])
(barrier / str(os.getpid())).touch()
deadline = time.monotonic() + 120
while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.005)
sys.argv = ["familycard"] + sys.argv[2:]
sys.exit(familycard.cli.main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    path = tmp_path_factory.mktemp("overlap") / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write_feed(out, people=600, seed=5, as_of=AS_OF)
    return path


@pytest.fixture(params=["ladybug", "neo4j"])
def setup(request, tmp_path, feed):
    """(data folder, Neo4j URI or None, env for the CLI) with the feed ingested."""
    uri = request.getfixturevalue("neo4j_clean") if request.param == "neo4j" else None
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env.update(FAMILYCARD_DATA_DIR=str(tmp_path), FAMILYCARD_SMS_FILE=str(tmp_path / "sms.jsonl"))
    if uri:
        env.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=uri)
    with open_at(tmp_path, uri) as s, open(feed, "rb") as f:
        ingest_stream(s, f, "feed", AS_OF)
    return tmp_path, uri, env


def _count(data_dir, uri, query, params=None):
    with open_at(data_dir, uri) as s:
        return s.read(query, params)


def _pair(env, *args):
    """Start ``familycard <args>`` twice at the same moment; (pid, code, stdout, stderr) each."""
    barrier = pathlib.Path(env["FAMILYCARD_DATA_DIR"]) / f"barrier-{time.monotonic_ns()}"
    barrier.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", _BARRIER, str(barrier), *args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    out = []
    for p in procs:
        so, se = p.communicate(timeout=240)
        out.append((p.pid, p.returncode, so, se))
    return out


def _winner_and_loser(runs):
    codes = sorted(r[1] for r in runs)
    assert codes == [0, 3], [(r[1], r[3][-3000:]) for r in runs]
    win = next(r for r in runs if r[1] == 0)
    lose = next(r for r in runs if r[1] == 3)
    return win, lose


def _assert_names_the_holder(lose, win, job_words: str):
    err = lose[3].strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert f"pid {win[0]}" in err and socket.gethostname() in err and job_words in err, err


def test_two_sweeps_started_together_make_one_offer_per_right_and_the_loser_names_the_holder(setup):
    data_dir, uri, env = setup
    runs = _pair(env, "sweep", "--as-of", AS_OF.isoformat())
    win, lose = _winner_and_loser(runs)
    _assert_names_the_holder(lose, win, f"familycard sweep --as-of {AS_OF.isoformat()}' since")
    new = int(win[2].split("offers: ")[1].split(" new")[0].replace(",", ""))
    assert new > 0
    assert _count(data_dir, uri, "MATCH (o:Offer) RETURN count(o) AS n, count(DISTINCT o.key) AS k") == [
        {"n": new, "k": new}]
    # with --wait the second waits its turn, then finds every right offered
    runs = _pair(env, "sweep", "--as-of", AS_OF.isoformat(), "--wait", "120")
    assert [r[1] for r in runs] == [0, 0], [r[3][-2000:] for r in runs]
    assert all("offers: 0 new" in r[2] and f"{new:,} already offered" in r[2] for r in runs)
    assert _count(data_dir, uri, "MATCH (o:Offer) RETURN count(o) AS n") == [{"n": new}]
    assert _count(data_dir, uri, "MATCH (l:Lease) RETURN count(l) AS n") == [{"n": 0}]


class CountingProvider:
    """An SMS provider on 127.0.0.1 that counts every POST (and takes ``delay`` s for each)."""

    def __init__(self, delay: float = 0.005):
        self.keys: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.keys.append(self.headers["Idempotency-Key"])
                time.sleep(delay)
                data = json.dumps({"id": f"p{len(provider.keys)}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_two_sms_senders_started_together_post_each_message_once(setup):
    data_dir, uri, env = setup
    with open_at(data_dir, uri) as s:
        daily_sweep(s, AS_OF)
    queued = _count(data_dir, uri, "MATCH (m:Message) WHERE m.status = 'queued' RETURN count(m) AS n")[0]["n"]
    assert queued > 0
    provider = CountingProvider()
    try:
        env = {**env, "FAMILYCARD_SMS_GATEWAY": "http", "FAMILYCARD_SMS_URL": provider.url}
        win, lose = _winner_and_loser(_pair(env, "sms", "send", "--batch-size", "20"))
        _assert_names_the_holder(lose, win, "'familycard sms send")
        assert len(provider.keys) == queued and set(Counter(provider.keys).values()) == {1}
        assert f"SMS: {queued:,} sent" in win[2]
        # both waiting their turn: nothing is left to POST, nothing is POSTed again
        runs = _pair(env, "sms", "send", "--wait", "120")
        assert [r[1] for r in runs] == [0, 0] and all("SMS: 0 sent" in r[2] for r in runs)
        assert len(provider.keys) == queued
    finally:
        provider.stop()


def test_two_payment_runs_started_together_issue_one_order_each(setup):
    data_dir, uri, env = setup
    with open_at(data_dir, uri) as s:
        daily_sweep(s, AS_OF)
        with FileGateway(data_dir / "sms.jsonl") as gw:
            send_outbox(s, gw)
        phones = [r["p"] for r in s.read("MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL "
                                         "RETURN DISTINCT o.phone AS p ORDER BY p LIMIT 60")]
        for i, p in enumerate(phones):
            receive(s, p, "все иә", at=dt.datetime(2026, 11, 25, 6, 0, i), message_id=f"overlap-{i}")
    before = _count(data_dir, uri, "MATCH (p:Payment) RETURN count(p) AS n")[0]["n"]
    runs = _pair(env, "pay", "--month", MONTH, "--out", str(data_dir / "pay"))
    win, lose = _winner_and_loser(runs)
    _assert_names_the_holder(lose, win, f"familycard pay --month {MONTH}")
    rows = _count(data_dir, uri, "MATCH (p:Payment) RETURN count(p) AS n, count(DISTINCT p.order_id) AS k")
    assert rows[0]["n"] == rows[0]["k"] and rows[0]["n"] > before > 0
    rows = _count(data_dir, uri, "MATCH (p:Payment) WHERE p.month = $m RETURN count(p) AS n", {"m": MONTH})
    assert f"{rows[0]['n']} new payment orders" in win[2]
    assert f"register: {rows[0]['n']} orders" in win[2].replace("\u202f", " ")
    lines = (data_dir / "pay" / f"payments-{MONTH}.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 == rows[0]["n"]


def _lease_left(data_dir, uri, key):
    return _count(data_dir, uri, "MATCH (l:Lease {key: $k}) RETURN l.pid AS pid", {"k": key})


def test_a_sender_killed_with_kill_9_mid_batch_leaves_its_claims_and_the_next_run_takes_over(setup):
    data_dir, uri, env = setup
    with open_at(data_dir, uri) as s:
        daily_sweep(s, AS_OF)
    queued = [r["k"] for r in _count(data_dir, uri, "MATCH (m:Message) WHERE m.status = 'queued' "
                                                    "RETURN m.key AS k ORDER BY k")]
    provider = CountingProvider(delay=0.05)
    try:
        env = {**env, "FAMILYCARD_SMS_GATEWAY": "http", "FAMILYCARD_SMS_URL": provider.url}
        cmd = [sys.executable, "-m", "familycard.cli", "sms", "send", "--batch-size", "20"]
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(provider.keys) < 30 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # killed in its second batch, while it holds the job and the batch
        assert p.poll() is None, "the sender ended before it could be killed"
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        posted = len(provider.keys)
        held = _count(data_dir, uri, "MATCH (l:Lease) RETURN l.key AS k, l.pid AS pid ORDER BY k")
        assert {r["pid"] for r in held} == {p.pid}
        assert [r["k"] for r in held][0] == "sms send" and len(held) == 1 + 20  # the job and its batch
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
        assert r.returncode == 0, r.stderr[-2000:]
    finally:
        provider.stop()
    # every message POSTed, none twice except those of the batch the kill cut (resent once)
    counts = Counter(provider.keys)
    assert sorted(counts) == queued
    twice = [k for k, n in counts.items() if n > 1]
    assert set(counts.values()) <= {1, 2} and len(twice) <= 20 and posted > 20
    assert _count(data_dir, uri, "MATCH (l:Lease) RETURN count(l) AS n") == [{"n": 0}]
    assert _count(data_dir, uri, "MATCH (m:Message) WHERE m.status = 'queued' RETURN count(m) AS n") == [{"n": 0}]


def test_a_lease_of_a_run_on_another_host_is_respected_until_it_expires_then_taken_over(setup):
    data_dir, uri, env = setup
    t = dates.utcnow()
    gone = leases.Owner("far:77:x", "far-away-host", 77, "familycard pay --month " + MONTH, t)
    with open_at(data_dir, uri) as s:  # 10 s: the first run below starts, finds it held, and ends within them
        s.transaction(lambda tx: leases.claim_in(tx, [f"pay|{MONTH}"], f"payment run of {MONTH}", gone, 10, t))
    r = subprocess.run([sys.executable, "-m", "familycard.cli", "pay", "--month", MONTH], env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 3 and r.stdout == ""
    assert r.stderr.strip() == (
        f"familycard pay: the payment run of {MONTH} is already running: 'familycard pay --month {MONTH}' since "
        f"{gone.started_at:%Y-%m-%d %H:%M:%S} UTC on host far-away-host, pid 77 (its lease runs to "
        f"{r.stderr.split('runs to ')[1][:8]} UTC unless renewed); rerun with --wait SECONDS to wait for it")
    r = subprocess.run([sys.executable, "-m", "familycard.cli", "pay", "--month", MONTH, "--wait", "60"], env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"{MONTH}: " in r.stdout
    assert _lease_left(data_dir, uri, f"pay|{MONTH}") == []
