"""`familycard generate`, `changes`, `ingest` and `stats`: exit codes, summary lines, where
errors point."""
from __future__ import annotations

import json
import os

import pytest

from cli.test_main import feed_file, run
from familycard.dates import local_today
from feedmaker import fact, lines, link, person


def test_ingest_reports_each_rejected_line_and_exits_non_zero(tmp_path):
    m, c = person("1985-03-04", "F", address_id="A1"), person("2015-01-01", "M", address_id="A1")
    feed = feed_file(tmp_path, m, c, link("PARENT_OF", m, c), dict(c, iin="150101500032"), "not json",
                     fact(c, "disability", "2020-01-01", group="child"))
    r = run(["ingest", str(feed), "--today", "2026-11-25"], tmp_path)
    assert r.returncode == 1
    assert r.stdout.decode().strip() == "read 6, stored 4, unchanged 0, rejected 2, pending links 0"
    err = r.stderr.decode()
    assert "rejected feed.jsonl:4: iin: IIN '150101500032': check digit is" in err
    assert "rejected feed.jsonl:5: not a JSON object" in err
    # the same feed again: nothing new, the same two lines refused
    r = run(["ingest", str(feed), "--today", "2026-11-25"], tmp_path)
    assert r.stdout.decode().strip() == "read 6, stored 0, unchanged 4, rejected 2, pending links 0"


def test_ingest_from_stdin_with_a_clean_feed_exits_zero(tmp_path):
    p = person("1990-05-05", "M")
    r = run(["ingest", "-"], tmp_path, stdin=b"".join(lines(p, link("SPOUSE_OF", p, person("1991-01-01", "F")))))
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().strip() == "read 2, stored 1, unchanged 0, rejected 0, pending links 1"
    r = run(["stats"], tmp_path)
    assert "Pending" in r.stdout.decode() and r.returncode == 0


def test_ingest_rejects_hostile_lines_one_by_one_and_exits_1_not_as_a_failed_run(tmp_path):
    p = person("1985-03-04", "F")
    income = fact(p, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=1)
    hostile = [dict(link("SPOUSE_OF", p, person("1990-01-01", "M")), type=[]), "[" * 990 + "]" * 990,
               dict(person("1991-01-01", "F"), recorded_at="0001-01-01T00:00:00+01:00"),
               dict(income, amount_kzt=2**63)]
    r = run(["ingest", str(feed_file(tmp_path, p, *hostile, income)), "--today", "2026-11-25"], tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stdout.decode().strip() == "read 6, stored 2, unchanged 0, rejected 4, pending links 0"
    err = r.stderr.decode()
    assert "rejected feed.jsonl:2: type: unknown link type []" in err
    assert "rejected feed.jsonl:4: recorded_at: '0001-01-01T00:00:00+01:00' is out of range" in err


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
def test_an_ingest_that_fails_as_a_run_exits_4(tmp_path):
    # A feed that opens but cannot be read (the process's own memory at address 0: EIO).
    r = run(["ingest", "/proc/self/mem"], tmp_path)
    assert r.returncode == 4
    assert r.stderr.decode() == ("familycard: ingest failed: OSError: [Errno 5] Input/output error (the batches "
                                 "stored before it stay; a rerun converges); run with --debug for the trace\n")
    r = run(["--debug", "ingest", "/proc/self/mem"], tmp_path)
    assert r.returncode == 4 and "Traceback" in r.stderr.decode()


def test_generate_is_reproducible(tmp_path):
    a = run(["generate", "--people", "300", "--seed", "5", "--as-of", "2026-11-25", "-o", "a.jsonl"], tmp_path)
    b = run(["generate", "--people", "300", "--seed", "5", "--as-of", "2026-11-25", "-o", "-"], tmp_path)
    assert a.returncode == 0 and b.returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() == b.stdout
    assert "generated 300 people" in a.stderr.decode()


# --- `familycard changes` ------------------------------------------------------------------

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
