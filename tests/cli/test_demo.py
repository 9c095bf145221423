"""`familycard demo`: it generates, loads and shows cards; after it, serving again signs in with
the demo's keys."""
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

from cli.test_main import run


def _env(tmp_path: Path, **extra) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e.update(FAMILYCARD_DATA_DIR=str(tmp_path / "data"), **extra)
    return e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
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


def test_demo_generates_loads_and_shows_cards(tmp_path):
    r = run(["demo", "--people", "400", "--as-of", "2026-11-25"], tmp_path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    assert re.search(r"^load: read \d+, stored \d+, unchanged \d+, rejected 0, pending links 0 \(read: ",
                     out, re.M), out
    assert "Person" in out and "PARENT_OF" in out
    assert out.count("Family card:") >= 2
    # run again on the same folder: the store is not empty, so the feed is ingested (nothing new)
    again = run(["demo", "--people", "400", "--as-of", "2026-11-25"], tmp_path).stdout.decode()
    assert re.search(r"^ingest \(the store was not empty: not a load\): read \d+, stored 0, ", again, re.M), again


def test_serve_after_the_demo_signs_in_with_the_demo_keys(tmp_path):
    port = free_port()
    with Proc(["demo", "--people", "200", "--serve", "--port", str(port)], tmp_path) as demo:
        demo.wait_for(r"^Ctrl-C stops it", demo.out)
        out = "\n".join(demo.out)
        tokens = dict(re.findall(r"^  (frontend|caseworker|auditor|admin) +(\S+)$", out, re.M))
        iin = re.search(r"^Family card: .*\[(\d{12})\]", out, re.M)[1]
        _up(port)
        query = '{ familyCard(iin: "IIN") { person { id givenName } } }'.replace("IIN", iin)
        status, during_demo = _graphql(port, tokens["frontend"], query)
        assert status == 200 and during_demo["data"]["familyCard"]["person"]["givenName"], during_demo
        # the console's address and a caseworker's token to sign in with, which finds people
        assert f"the caseworkers' console: http://127.0.0.1:{port}/  (open it in a browser" in out
        caseworker = re.search(r"^caseworker token: (\S+)$", out, re.M)[1]
        assert caseworker == tokens["caseworker"]
        status, found = _graphql(port, caseworker, '{ searchPeople(iin: "IIN") { totalCount } }'.replace("IIN", iin))
        assert status == 200 and found["data"]["searchPeople"]["totalCount"] == 1, found
    # the demo said how to serve again, and where its keys are
    keys = tmp_path / "data" / "settings.env"
    assert f"serve it: familycard serve   (with this demo's keys, kept in {keys}, mode 0600" in out
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    kept = dict(ln.split("=", 1) for ln in keys.read_text().splitlines() if ln and not ln.startswith("#"))
    assert set(kept) == {"FAMILYCARD_JWT_SECRET", "FAMILYCARD_ID_SECRET"}
    assert all(len(v) >= 32 and v not in out for v in kept.values())  # the secrets are never printed

    port = free_port()
    with Proc(["serve", "--port", str(port), "--no-access-log"], tmp_path) as serve:
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
