"""`familycard whatif`: the --json lines and summary lines, the text summary with the legal
reference of each value replaced, and errors (exit 2)."""
from __future__ import annotations

import json

from cli.test_main import mother_of_four, run


def test_whatif_json_prints_each_right_that_differs_then_a_summary_per_benefit(tmp_path):
    m, kids = mother_of_four(tmp_path)
    r = run(["whatif", "--as-of", "2026-11-25", "--set", "mci=5000", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    got = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    changes = [g for g in got if "summary" not in g]
    summaries = [g["summary"] for g in got if "summary" in g]
    assert got == changes + [{"summary": s} for s in summaries]   # the lines first, then the summaries
    # her newborn is her 4th child: 63 MCI; 4 children at home: 16.03 MCI (69 329.75 -> 69 330, halves up)
    assert {"iin": m["iin"], "benefit": "birth", "subject": kids[0]["iin"], "change": "amount",
            "before_kzt": 63 * 4325, "after_kzt": 63 * 5000} in changes
    assert {"iin": m["iin"], "benefit": "large_family", "subject": None, "change": "amount",
            "before_kzt": 69330, "after_kzt": 80150} in changes
    birth = next(s for s in summaries if s["benefit"] == "birth")
    assert birth == {"benefit": "birth", "periodicity": "one_off", "gains": 0, "losses": 0, "amount_changes": 1,
                     "before_kzt": 272475, "after_kzt": 315000, "difference_kzt": 42525}
    assert [s["benefit"] for s in summaries] == ["birth", "childcare_1_5", "large_family"]   # rule order
    assert "what-if as of 2026-11-25: 3 rights differ" in r.stderr.decode()

    # five children needed: she has four, she loses the large-family benefit
    r = run(["whatif", "--as-of", "2026-11-25", "--set", "large_family_min_children=5", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    assert lines[0] == {"iin": m["iin"], "benefit": "large_family", "subject": None, "change": "loses",
                        "before_kzt": 69330, "after_kzt": None}
    assert lines[1]["summary"]["difference_kzt"] == -69330


def test_whatif_text_names_the_values_replaced_and_sums_the_monthly_and_one_off_cost(tmp_path):
    mother_of_four(tmp_path)
    r = run(["whatif", "--as-of", "2026-11-25", "--set", "mci=5000", "--set", "large_family_mci[4]=20"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode().splitlines()
    assert out[0].startswith("mci = 5000 (replacing the value set by Law of the RK of 8 December 2025 No. 239-VIII")
    assert out[1].startswith("large_family_mci[4] = 20 (replacing the value set by Social Code of the RK")
    assert out[2].split() == ["benefit", "gains", "losses", "amount", "before,", "tenge", "after,", "tenge",
                              "difference"]
    # 16.03 x 4 325 = 69 330 before; 20 x 5 000 = 100 000 after
    assert ["large_family", "0", "0", "1", "69", "330", "100", "000", "30", "670"] in [ln.split() for ln in out]
    # monthly: large family 69 330 -> 100 000, childcare (4th child, 8.9 MCI) 38 493 -> 44 500
    assert out[-1] == "monthly cost: 107 823 -> 144 500 tenge (36 677); one-off: 272 475 -> 315 000 tenge (42 525)"


def test_whatif_errors_exit_2_naming_what_would_be_accepted(tmp_path):
    mother_of_four(tmp_path)
    for args, message in (
        (["--set", "mcl=5000"], "unknown parameter 'mcl'; did you mean 'mci'?"),
        (["--set", "large_family_mci[3]=15"], "has no entry [3] on 2026-11-25 (it has: 4, 5, 6, 7)"),
        (["--set", "mci=5,000"], "'5,000' is not a decimal number"),
        (["--set", "mci=-1"], "a negative amount or threshold is refused"),
        (["--set", "mci=5000", "--set", "mci=6000"], "mci is given twice"),
        (["--set", "mci=5000", "--rule", "no_such_rule"], "unknown rule 'no_such_rule'"),
    ):
        r = run(["whatif", "--as-of", "2026-11-25", *args], tmp_path)
        assert r.returncode == 2 and message in r.stderr.decode(), (args, r.stderr)
        assert r.stderr.decode().startswith("familycard whatif: ") and r.stdout == b""
