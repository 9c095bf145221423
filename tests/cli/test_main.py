"""The `familycard` command as a user runs it: settings and the store it names, and the helpers
the CLI's tests share (``run``: the command in a process of its own, with a data folder of the
test's)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from feedmaker import lines, link, person


def run(args, tmp_path, stdin: bytes | None = None, **env) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e.update({"FAMILYCARD_DATA_DIR": str(tmp_path / "data"), **env})  # env may name another data folder
    return subprocess.run([sys.executable, "-m", "familycard.cli", *args], input=stdin, capture_output=True,
                          env=e, cwd=tmp_path, timeout=300)


def feed_file(tmp_path, *records):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"".join(lines(*records)))
    return path


def mother_of_four(tmp_path):
    """A mother of four at home (large family), her newborn (birth, childcare) and a 17-year-old."""
    m = person("1985-03-04", "F", address_id="A1", phone="+77011234567")
    kids = [person(b, s, address_id="A1") for b, s in
            (("2026-05-01", "M"), ("2015-01-01", "F"), ("2012-06-06", "M"), ("2009-11-26", "F"))]
    path = feed_file(tmp_path, m, *kids, *(link("PARENT_OF", m, k) for k in kids))
    assert run(["ingest", str(path), "--today", "2026-11-25"], tmp_path).returncode == 0
    return m, kids


def test_an_unknown_store_is_a_clear_error(tmp_path):
    r = run(["stats"], tmp_path, FAMILYCARD_STORE="oracle")
    assert r.returncode == 2
    assert r.stderr.decode().startswith("familycard: FAMILYCARD_STORE='oracle': Input should be 'embedded' or 'neo4j'")


def test_an_unreachable_neo4j_is_a_clear_error(tmp_path):
    r = run(["stats"], tmp_path, FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI="bolt://127.0.0.1:9")
    assert r.returncode == 2
    assert r.stderr.decode().startswith("familycard: Neo4j at bolt://127.0.0.1:9 (neo4j): ")
    assert "Traceback" not in r.stderr.decode()


@pytest.mark.parametrize("env, expected", [({}, "embedded"), ({"FAMILYCARD_STORE": "NEO4J"}, "neo4j")])
def test_settings_come_from_the_environment(monkeypatch, env, expected):
    from familycard.settings import Settings

    for k in list(os.environ):
        if k.startswith("FAMILYCARD_"):
            monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FAMILYCARD_NEO4J_PASSWORD", "s3cret")
    s = Settings(_env_file=None)
    assert s.store == expected
    assert "s3cret" not in repr(s)  # secrets never end up in logs
