"""`familycard nearmiss`: one JSON line per near miss (--json), a table to read, a kind filter,
and an unknown kind refused with the known ones."""
from __future__ import annotations

import json

from cli.test_main import feed_file, run
from feedmaker import fact, iban, link, person


def _store(tmp_path) -> tuple[dict, dict, dict]:
    """A mother of three under 18 and a 19-year-old at home without a student fact (one record
    from the large-family benefit); her phone and account are in order. A mother of a baby born
    this month without a phone (birth and childcare found: no SMS can offer them)."""
    m = person("1975-03-04", "F", address_id="A1", phone="+77011234567", bank_account=iban("1250000000000000"))
    kids = [person(b, "M", address_id="A1") for b in ("2010-01-01", "2012-02-02", "2014-03-03", "2007-05-20")]
    mum = person("1996-04-02", "F", address_id="A2", bank_account=iban("1250000000000001"))
    baby = person("2026-11-01", "F", address_id="A2")
    rich = [fact(p, "income", f"2026-{k:02d}-01", source="KGD", month=f"2026-{k:02d}", amount_kzt=2_000_000)
            for p in (m, mum) for k in (8, 9, 10)]
    path = feed_file(tmp_path, m, *kids, mum, baby, *(link("PARENT_OF", m, k) for k in kids),
                     link("PARENT_OF", mum, baby), *rich)
    assert run(["ingest", str(path), "--today", "2026-11-25"], tmp_path).returncode == 0
    return m, kids[3], mum


def test_nearmiss_json_lines_kinds_and_an_unknown_kind(tmp_path):
    m, student, mum = _store(tmp_path)
    r = run(["nearmiss", "--as-of", "2026-11-25", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    got = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    assert all(list(g) == ["iin", "benefit", "subject", "missing", "detail"] for g in got)
    assert [(g["iin"], g["benefit"], g["missing"]) for g in got] == [
        (mum["iin"], "birth", "phone"), (mum["iin"], "childcare_1_5", "phone"),
        (m["iin"], "large_family", "student_fact")]
    assert got[2] == {"iin": m["iin"], "benefit": "large_family", "subject": None, "missing": "student_fact",
                      "detail": f"3 dependent children at home, 4 needed: child {student['iin']} (aged 19) lives at "
                                f"home without a student fact covering 2026-11-25; a student record would make 4"}
    assert r.stderr.decode().startswith("near misses as of 2026-11-25: 3 in ")

    r = run(["nearmiss", "--as-of", "2026-11-25", "--kind", "student_fact"], tmp_path)
    assert r.returncode == 0
    assert r.stdout.decode().splitlines() == [
        f"{m['iin']:<12} {'large_family':<22} {'':<12} {'student_fact':<18} {got[2]['detail']}"]

    r = run(["nearmiss", "--as-of", "2026-11-25", "--kind", "phones"], tmp_path)
    assert r.returncode == 2 and r.stdout == b""
    assert "argument --kind: invalid choice: 'phones' (choose from" in r.stderr.decode()
    assert "student_fact" in r.stderr.decode()
