"""The `familycard` command as a user runs it: exit codes, summary lines, where errors point."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from feedmaker import fact, lines, link, person


def run(args, tmp_path, stdin: bytes | None = None, **env) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e.update({"FAMILYCARD_DATA_DIR": str(tmp_path / "data"), **env})  # env may name another data folder
    return subprocess.run([sys.executable, "-m", "familycard.cli", *args], input=stdin, capture_output=True,
                          env=e, cwd=tmp_path, timeout=300)


def _feed(tmp_path, *records):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"".join(lines(*records)))
    return path


def test_ingest_reports_each_rejected_line_and_exits_non_zero(tmp_path):
    m, c = person("1985-03-04", "F", address_id="A1"), person("2015-01-01", "M", address_id="A1")
    feed = _feed(tmp_path, m, c, link("PARENT_OF", m, c), dict(c, iin="150101500032"), "not json",
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
    r = run(["ingest", str(_feed(tmp_path, p, *hostile, income)), "--today", "2026-11-25"], tmp_path)
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


def test_card_prints_a_family_card_and_names_a_missing_iin(tmp_path):
    m, c = person("1985-03-04", "F", address_id="A1"), person("2015-01-01", "M", address_id="A1")
    run(["ingest", str(_feed(tmp_path, m, c, link("PARENT_OF", m, c)))], tmp_path)
    r = run(["card", m["iin"], "--today", "2026-11-25"], tmp_path)
    assert r.returncode == 0
    out = r.stdout.decode()
    assert f"[{m['iin']}] F, 1985-03-04, 41 y" in out and f"child    Серіков Нұрлан [{c['iin']}]" in out
    r = run(["card", "870101300019"], tmp_path)
    assert r.returncode == 1 and "IIN '870101300019': no such person" in r.stderr.decode()


def test_generate_is_reproducible(tmp_path):
    a = run(["generate", "--people", "300", "--seed", "5", "--as-of", "2026-11-25", "-o", "a.jsonl"], tmp_path)
    b = run(["generate", "--people", "300", "--seed", "5", "--as-of", "2026-11-25", "-o", "-"], tmp_path)
    assert a.returncode == 0 and b.returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() == b.stdout
    assert "generated 300 people" in a.stderr.decode()


def test_demo_generates_ingests_and_shows_cards(tmp_path):
    r = run(["demo", "--people", "400", "--as-of", "2026-11-25"], tmp_path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    assert "rejected 0" in out and "Person" in out and "PARENT_OF" in out
    assert out.count("Family card:") >= 2


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


def _family(tmp_path):
    """A mother of four at home (large family), her newborn (birth, childcare) and a 17-year-old."""
    m = person("1985-03-04", "F", address_id="A1", phone="+77011234567")
    kids = [person(b, s, address_id="A1") for b, s in
            (("2026-05-01", "M"), ("2015-01-01", "F"), ("2012-06-06", "M"), ("2009-11-26", "F"))]
    path = _feed(tmp_path, m, *kids, *(link("PARENT_OF", m, k) for k in kids))
    assert run(["ingest", str(path), "--today", "2026-11-25"], tmp_path).returncode == 0
    return m, kids


def test_sweep_dry_run_json_prints_entitlements_as_records_md_says(tmp_path):
    import json

    m, kids = _family(tmp_path)
    r = run(["sweep", "--as-of", "2026-11-25", "--dry-run", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    got = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    assert all(set(g) == {"iin", "benefit", "as_of", "subject", "amount_kzt"} for g in got)
    # the newborn is her 4th child: 63 MCI
    assert {"iin": m["iin"], "benefit": "birth", "as_of": "2026-11-25", "subject": kids[0]["iin"],
            "amount_kzt": 63 * 4325} in got
    # 4 dependent children at home: 16.03 MCI = 69 329.75 -> 69 330 (halves up, decimal)
    assert {"iin": m["iin"], "benefit": "large_family", "as_of": "2026-11-25", "subject": None,
            "amount_kzt": 69330} in got
    assert "large_family" in r.stderr.decode()  # the per-rule summary goes to stderr with --json

    # the day the eldest turns 18 (2027-11-26) she has 3 dependants: no large-family benefit
    r = run(["sweep", "--as-of", "2027-11-26", "--dry-run", "--json", "--rule", "large_family"], tmp_path)
    assert r.returncode == 0 and r.stdout == b""
    r = run(["sweep", "--as-of", "2027-11-25", "--dry-run", "--json", "--rule", "large_family"], tmp_path)
    assert json.loads(r.stdout)["amount_kzt"] is not None


def test_sweep_table_one_rule_and_errors(tmp_path):
    m, kids = _family(tmp_path)
    r = run(["sweep", "--as-of", "2026-11-25", "--dry-run", "--rule", "birth"], tmp_path)
    assert r.returncode == 0
    out = r.stdout.decode()
    # names beside the IINs (the recipient's and the subject's), the amount in tenge
    assert out.splitlines()[0].split() == ["recipient", "name", "benefit", "subject", "name", "amount,", "tenge"]
    assert (f"{m['iin']:<13} {'Серікова Айгүл':<24} {'birth':<22} {kids[0]['iin']:<13} {'Серіков Нұрлан':<24} "
            f"{'272 475':>14}") in out
    assert "as of 2026-11-25: 1 entitlements from 1 rules" in out
    r = run(["sweep", "--dry-run", "--rule", "no_such_rule"], tmp_path)
    assert r.returncode == 2 and "unknown rule 'no_such_rule'" in r.stderr.decode()
    r = run(["sweep", "--as-of", "2026-11-25", "--incremental"], tmp_path)
    assert r.returncode == 2 and "no full sweep of 2026-11-25 has run yet" in r.stderr.decode()
    r = run(["sweep", "--as-of", "2026-11-25", "--rule", "birth"], tmp_path)
    assert r.returncode == 0 and "offers: 1 new, 0 offered again, 0 already offered" in r.stdout.decode()
    r = run(["sweep", "--as-of", "2026-11-25", "--rule", "birth"], tmp_path)
    assert r.returncode == 0 and "offers: 0 new, 0 offered again, 1 already offered" in r.stdout.decode()


def test_explain_says_why_and_why_not_in_three_languages(tmp_path):
    m, kids = _family(tmp_path)
    r = run(["explain", m["iin"], "--as-of", "2027-11-26", "--rule", "large_family"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "✘ Large-family benefit [large_family] — not entitled" in out
    assert "✗ 3 dependent children at home, 4 needed" in out
    assert f"child {kids[3]['iin']}: turned 18 on 2027-11-26 and is not a full-time student" in out
    assert f"{m['iin']} -PARENT_OF-> {kids[3]['iin']} (ZAGS, recorded 2026-01-10)" in out
    r = run(["explain", m["iin"], "--as-of", "2026-11-25", "--lang", "ru", "--rule", "birth"], tmp_path)
    assert "✔ Единовременное пособие на рождение ребёнка [birth] — положено: 272 475 тенге" in r.stdout.decode()
    r = run(["explain", m["iin"], "--as-of", "2026-11-25", "--lang", "kk", "--rule", "kandas_expiry"], tmp_path)
    assert "қатысы жоқ: қандас мәртебесі жоқ" in r.stdout.decode()
    r = run(["explain", "870101300019"], tmp_path)
    assert r.returncode == 1 and "no such person" in r.stderr.decode()
