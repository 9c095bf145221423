"""kill -9 during the sweep, the SMS send and the payment run, then reruns: no right lost, no
SMS or payment order twice; then 10 more runs of each change nothing. On both engines."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from familycard.dates import local_day, utcnow
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.orders import month_of
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.flow.payments import pay_month
from familycard.graph.sms.gateways import FileGateway
from familycard.graph.sweep import daily_sweep
from familycard.synthetic import write_feed
from scenarios.stores import open_at

# Whole processes killed or raced: minutes, not seconds; `make scenarios` (CI runs them after `make test`).
pytestmark = pytest.mark.scenario

AS_OF = dt.date(2026, 11, 25)
FLOW = ("Offer", "Message", "Assignment", "Payment", "Task", "Event")


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    path = tmp_path_factory.mktemp("flowcrash") / "feed.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write_feed(out, people=2000, seed=5, as_of=AS_OF)
    return path


def _env(data_dir, uri):
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e["FAMILYCARD_DATA_DIR"] = str(data_dir)
    e["FAMILYCARD_SMS_FILE"] = str(data_dir / "sms.jsonl")
    if uri:
        e.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=uri)
    return e


def _cli(*args):
    return [sys.executable, "-m", "familycard.cli", *args]


def _run(cmd, env) -> float:
    t = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGUSR1)  # the CLI prints its stacks (faulthandler)
        time.sleep(2)
        p.kill()
        _, err = p.communicate()
        raise AssertionError(f"{' '.join(cmd[3:])} hung: {err.decode()[-6000:]}") from None
    assert p.returncode == 0, f"{' '.join(cmd[3:])}: {err.decode()[-2000:]}"
    return time.monotonic() - t


def _killed(cmd, env, after: float) -> bool:
    """Start, SIGKILL after ``after`` seconds; True if it was still running (a real crash)."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    alive = p.poll() is None
    if alive:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()
    return alive


def _state(data_dir, uri):
    """Every flow node by key with its status, and the SMS the gateway got."""
    with open_at(data_dir, uri) as s:
        out = {t: sorted((r["k"], r["s"]) for r in s.read(
            f"MATCH (n:{t}) RETURN n.key AS k, " + ("n.kind" if t == "Event" else "n.status") + " AS s"))
            for t in FLOW}
    sms = [json.loads(x)["key"] for x in (data_dir / "sms.jsonl").read_text(encoding="utf-8").splitlines()] \
        if (data_dir / "sms.jsonl").exists() else []
    out["gateway"] = sms
    return out


def _reply(data_dir, uri):
    """The same scripted replies in every run: consent from the first 40 phones by key."""
    with open_at(data_dir, uri) as s:
        phones = [r["p"] for r in s.read(
            "MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL "
            "RETURN DISTINCT o.phone AS p ORDER BY p LIMIT 40")]
        for i, p in enumerate(phones):
            receive(s, p, "все иә" if i % 3 else "барлығы жоқ", at=dt.datetime(2026, 11, 25, 6, 0, i),
                    message_id=f"crash-test-{i}")


def _pipeline(data_dir, uri, feed, kills: dict[str, list[float]], rng: random.Random,
              took: dict[str, float] | None = None) -> dict:
    """Ingest, sweep, send, scripted replies, send, pay; each step in ``kills`` is first
    killed at those fractions of its clean duration (``took``), then run to the end."""
    env = _env(data_dir, uri)
    month = month_of(local_day(utcnow()))
    _run(_cli("ingest", str(feed), "--today", AS_OF.isoformat(), "--show-rejected", "0"), env)
    steps = {
        "sweep": _cli("sweep", "--as-of", AS_OF.isoformat(), "--batch-size", "40"),
        "send": _cli("sms", "send", "--batch-size", "25"),
        "pay": _cli("pay", "--month", month, "--batch-size", "5", "--out", str(data_dir / "pay")),
    }
    crashed, durations = [], {}
    for name in ("sweep", "send", "reply", "pay"):
        if name == "reply":
            _reply(data_dir, uri)
            _run(steps["send"], env)  # the answers to the replies
            continue
        for frac in kills.get(name, []):
            crashed.append(_killed(steps[name], env, took[name] * frac * (0.9 + 0.2 * rng.random())))
        durations[name] = _run(steps[name], env)
    return {"state": _state(data_dir, uri), "crashed": crashed, "steps": steps, "env": env, "took": durations}


def _diff(got: dict, want: dict) -> dict:
    out = {}
    for t in want:
        g, w = got[t], want[t]
        if g != w:
            out[t] = {"extra": sorted(set(g) - set(w))[:5], "missing": sorted(set(w) - set(g))[:5],
                      "len": (len(g), len(w))}
    return out


@pytest.mark.parametrize("engine", ["ladybug", "neo4j"])
def test_kill_9_in_sweep_send_and_pay_then_reruns_converge_exactly_once(engine, feed, tmp_path, request):
    uri = None
    if engine == "neo4j":
        uri = request.getfixturevalue("neo4j_clean")
        from neo4j import GraphDatabase

        from neo4j_fixture import wipe_database
        driver = GraphDatabase.driver(uri, auth=None)
    rng = random.Random(7)
    first = _pipeline(tmp_path / "clean", uri, feed, {}, rng)
    clean = first["state"]
    assert clean["Offer"] and clean["Payment"] and clean["gateway"]
    assert len(clean["gateway"]) == len(set(clean["gateway"]))
    if engine == "neo4j":
        wipe_database(driver)
    # Starting Python and the store takes most of a step; kills late in it land inside the work.
    crash = _pipeline(tmp_path / "crash", uri, feed,
                      {"sweep": [0.7, 0.85, 0.95], "send": [0.75, 0.9], "pay": [0.8, 0.95]}, rng, first["took"])
    assert _diff(crash["state"], clean) == {}, "a crashed and rerun flow differs from a clean one"
    assert any(crash["crashed"]), "no kill landed while a step was running"
    # Ten more runs of every step (in this process: the CLI's own functions, without ten
    # interpreter start-ups): nothing changes, nothing is sent or paid again.
    month = month_of(local_day(utcnow()))
    with open_at(tmp_path / "crash", uri) as s:
        for _ in range(10):
            daily_sweep(s, AS_OF, batch=40)
            with FileGateway(tmp_path / "crash" / "sms.jsonl") as gw:
                send_outbox(s, gw, batch=25)
            pay_month(s, month, tmp_path / "crash" / "pay", batch=5)
    assert _diff(_state(tmp_path / "crash", uri), clean) == {}
    if engine == "neo4j":
        driver.close()
