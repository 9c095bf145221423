"""`familycard sweep`: entitlements as records.md says (--json), a table to read, one rule, errors."""
from __future__ import annotations

from cli.test_main import mother_of_four, run


def test_sweep_dry_run_json_prints_entitlements_as_records_md_says(tmp_path):
    import json

    m, kids = mother_of_four(tmp_path)
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
    m, kids = mother_of_four(tmp_path)
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
