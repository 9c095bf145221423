"""After `make demo`: serving again signs in with the demo's keys, a server no one can sign in to
says so, and the commands the README's walk-through leans on (`changes`, `offers`, `pay` of this
month) do what it says."""
from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from familycard.dates import local_today


def _env(tmp_path: Path, **extra) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e.update(FAMILYCARD_DATA_DIR=str(tmp_path / "data"), **extra)
    return e


def run(args, tmp_path, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "familycard.cli", *args], capture_output=True,
                          env=_env(tmp_path, **extra), cwd=tmp_path, timeout=300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Proc:
    """A `familycard` process read line by line as it runs (stdout and stderr apart); killed at exit."""

    def __init__(self, args, tmp_path, **extra):
        self.p = subprocess.Popen([sys.executable, "-m", "familycard.cli", *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=_env(tmp_path, **extra), cwd=tmp_path)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, into in ((self.p.stdout, self.out), (self.p.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, into), daemon=True).start()

    @staticmethod
    def _pump(stream, into):
        for raw in stream:
            into.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def wait_for(self, pattern: str, lines: list[str], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not any(re.search(pattern, ln) for ln in list(lines)):
            assert self.p.poll() is None, f"exited {self.p.returncode}:\n" + "\n".join(self.out + self.err)[-3000:]
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n" + "\n".join(lines)[-3000:]
            time.sleep(0.1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.p.terminate()
        try:
            self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def _graphql(port: int, token: str, query: str) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not answer /health"
        time.sleep(0.2)


def test_serve_after_the_demo_signs_in_with_the_demo_keys(tmp_path):
    port = _free_port()
    with _Proc(["demo", "--people", "200", "--serve", "--port", str(port)], tmp_path) as demo:
        demo.wait_for(r"^Ctrl-C stops it", demo.out)
        out = "\n".join(demo.out)
        tokens = dict(re.findall(r"^  (frontend|caseworker|auditor|admin) +(\S+)$", out, re.M))
        iin = re.search(r"^Family card: .*\[(\d{12})\]", out, re.M)[1]
        _up(port)
        query = '{ familyCard(iin: "IIN") { person { id givenName } } }'.replace("IIN", iin)
        status, during_demo = _graphql(port, tokens["frontend"], query)
        assert status == 200 and during_demo["data"]["familyCard"]["person"]["givenName"], during_demo
    # the demo said how to serve again, and where its keys are
    keys = tmp_path / "data" / "settings.env"
    assert f"serve it: familycard serve   (with this demo's keys, kept in {keys}, mode 0600" in out
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    kept = dict(ln.split("=", 1) for ln in keys.read_text().splitlines() if ln and not ln.startswith("#"))
    assert set(kept) == {"FAMILYCARD_JWT_SECRET", "FAMILYCARD_ID_SECRET"}
    assert all(len(v) >= 32 and v not in out for v in kept.values())  # the secrets are never printed

    port = _free_port()
    with _Proc(["serve", "--port", str(port), "--no-access-log"], tmp_path) as serve:
        serve.wait_for(r"Uvicorn running on", serve.err)
        assert not any("no way to sign in" in ln for ln in serve.err), serve.err
        _up(port)
        status, again = _graphql(port, tokens["frontend"], query)  # a token the demo printed
        assert status == 200 and again == during_demo  # the same citizen id: the id key was kept too
        minted = run(["token", "--role", "admin", "--subject", "me"], tmp_path)
        assert minted.returncode == 0, minted.stderr
        status, body = _graphql(port, minted.stdout.decode().strip(), "{ accessLog(first: 1) { totalCount } }")
        assert status == 200 and "errors" not in body, body

    # a second demo keeps the keys it made the first time: tokens stay good, the file unchanged
    before = keys.read_bytes()
    assert run(["demo", "--people", "200"], tmp_path).returncode == 0
    assert keys.read_bytes() == before and stat.S_IMODE(keys.stat().st_mode) == 0o600


def test_keys_from_the_environment_are_used_not_written(tmp_path):
    secret = "k" * 40
    r = run(["demo", "--people", "100"], tmp_path, FAMILYCARD_JWT_SECRET=secret)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    kept = (tmp_path / "data" / "settings.env").read_text()
    assert "FAMILYCARD_ID_SECRET=" in kept and "FAMILYCARD_JWT_SECRET" not in kept and secret not in kept


def test_serve_that_no_one_can_sign_in_to_says_so_in_one_line(tmp_path):
    port = _free_port()
    with _Proc(["serve", "--port", str(port), "--no-access-log"], tmp_path) as serve:
        serve.wait_for(r"Uvicorn running on", serve.err)
    said = [ln for ln in serve.err if "sign in" in ln]
    assert said == [serve.err[0]], serve.err
    assert said[0].startswith("familycard serve: no way to sign in: set FAMILYCARD_JWT_SECRET")
    assert "FAMILYCARD_API_KEYS" in said[0]

    keys = json.dumps({"portal": {"role": "frontend", "key": "p" * 32}})
    port = _free_port()
    with _Proc(["serve", "--port", str(port), "--no-access-log"], tmp_path, FAMILYCARD_API_KEYS=keys) as serve:
        serve.wait_for(r"Uvicorn running on", serve.err)
    assert not any("sign in" in ln for ln in serve.err), serve.err


# --- `familycard changes`, `offers`, `pay` of this month ----------------------------------------

@pytest.fixture(params=["ladybug", "neo4j"])
def engine(request) -> dict:
    """The environment that points the CLI at each engine (an empty Neo4j database for neo4j)."""
    if request.param == "ladybug":
        return {}
    return {"FAMILYCARD_STORE": "neo4j", "FAMILYCARD_NEO4J_URI": request.getfixturevalue("neo4j_clean")}


def test_changes_are_a_reproducible_day_for_the_people_in_the_store(tmp_path, engine):
    r = run(["changes", "-o", "c.jsonl"], tmp_path, **engine)
    assert r.returncode == 1
    assert r.stderr.decode().strip() == ("familycard changes: the store holds no one to change: run "
                                         "`familycard demo` or ingest a population first")
    assert run(["generate", "--people", "150", "-o", "feed.jsonl"], tmp_path).returncode == 0
    assert run(["ingest", "feed.jsonl"], tmp_path, **engine).returncode == 0
    r = run(["changes", "-o", "a.jsonl", "--count", "80"], tmp_path, **engine)
    assert r.returncode == 0, r.stderr
    today = local_today().isoformat()  # the CLI's default day: Kazakhstan's
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    assert r.stderr.decode().strip() == (f"wrote {len(lines)} records: registry changes of {today} for the people "
                                         "in the store (seed 1) -> a.jsonl")
    assert 80 <= len(lines) <= 84  # an event writes 1-4 records; the day stops at the one that reaches 80
    recs = [json.loads(ln) for ln in lines]
    assert all(x["recorded_at"].startswith(today) for x in recs)
    assert {x["kind"] for x in recs} >= {"person", "fact"}
    same = run(["changes", "-o", "-", "--count", "80"], tmp_path, **engine)
    assert same.stdout.decode().splitlines() == lines  # deterministic with the seed
    other = run(["changes", "-o", "-", "--count", "80", "--seed", "2"], tmp_path, **engine)
    assert other.stdout.decode().splitlines() != lines
    r = run(["ingest", "a.jsonl"], tmp_path, **engine)
    assert r.returncode == 0 and ", rejected 0, pending links 0" in r.stdout.decode(), r.stdout + r.stderr
    r = run(["changes", "-o", "old.jsonl", "--date", "2020-01-01"], tmp_path, **engine)
    assert r.returncode == 2 and r.stderr.decode().startswith("familycard changes: the store holds person records of ")


def test_offers_list_and_format_and_pay_defaults_to_this_month(tmp_path):
    assert run(["demo", "--people", "200"], tmp_path).returncode == 0
    r = run(["offers", "--status", "open", "--sent", "--limit", "3"], tmp_path)
    rows = r.stdout.decode().splitlines()
    assert r.returncode == 0 and rows[0].split()[:4] == ["recipient", "benefit", "status", "phone"]
    assert len(rows) == 4 and all(re.match(r"\d{12} +\w+ +open +\+7\d{10} +\d+ ", x) for x in rows[1:]), rows
    r = run(["offers", "--status", "open", "--sent", "--limit", "3", "--format", "{iin}|{phone}|{number}"], tmp_path)
    assert [x.split("|")[0] for x in r.stdout.decode().splitlines()] == [x.split()[0] for x in rows[1:]]
    for args, said in ((["--format", "{iin.__class__}"], "--format '{iin.__class__}': unknown field 'iin.__class__' "
                                                          "(fields: key, iin, benefit"),
                       (["--format", "x{"], "--format 'x{': Single '{' encountered"),
                       (["--iin", "12345"], "IIN '12345': must be 12 digits"),
                       (["--limit", "-1"], "--limit -1: must be 0 or more")):
        r = run(["offers", *args], tmp_path)
        assert r.returncode == 2 and r.stderr.decode().startswith(f"familycard offers: {said}"), r.stderr
    from familycard.graph.flow import local_day, utcnow

    month = f"{local_day(utcnow()):%Y-%m}"
    r = run(["pay"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith(f"{month}: ")
    assert (tmp_path / "data" / "payments" / f"payments-{month}.csv").exists()
