"""`familycard card` and `explain`: one person's family card, and why they are or are not entitled."""
from __future__ import annotations

from cli.test_main import feed_file, mother_of_four, run
from feedmaker import link, person


def test_card_prints_a_family_card_and_names_a_missing_iin(tmp_path):
    m, c = person("1985-03-04", "F", address_id="A1"), person("2015-01-01", "M", address_id="A1")
    run(["ingest", str(feed_file(tmp_path, m, c, link("PARENT_OF", m, c)))], tmp_path)
    r = run(["card", m["iin"], "--today", "2026-11-25"], tmp_path)
    assert r.returncode == 0
    out = r.stdout.decode()
    assert f"[{m['iin']}] F, 1985-03-04, 41 y" in out and f"child    Серіков Нұрлан [{c['iin']}]" in out
    r = run(["card", "870101300019"], tmp_path)
    assert r.returncode == 1 and "IIN '870101300019': no such person" in r.stderr.decode()


def test_explain_says_why_and_why_not_in_three_languages(tmp_path):
    m, kids = mother_of_four(tmp_path)
    r = run(["explain", m["iin"], "--as-of", "2027-11-26", "--rule", "large_family"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "✘ Large-family benefit [large_family] — not entitled" in out
    assert "✗ 3 dependent children at home, 4 needed" in out
    assert f"child {kids[3]['iin']}: turned 18 on 2027-11-26 and is not a full-time student" in out
    assert f"{m['iin']} -PARENT_OF-> {kids[3]['iin']} (ZAGS, recorded 2026-01-10)" in out
    r = run(["explain", m["iin"], "--as-of", "2026-11-25", "--lang", "ru", "--rule", "birth"], tmp_path)
    assert "✔ Единовременное пособие на рождение ребёнка [birth] — положено: 272 475 тенге" in r.stdout.decode()
    # the amount's parameters, each with its value on the day and the law that set it
    assert "    § mci = 4325 (с 2026-01-01): Law of the RK of 8 December 2025 No. 239-VIII" in r.stdout.decode()
    assert "    § birth_mci = 1: 38, 4: 63 (с 2023-07-01): Social Code of the RK of 20 April 2023" in r.stdout.decode()
    r = run(["explain", m["iin"], "--as-of", "2026-11-25", "--lang", "kk", "--rule", "kandas_expiry"], tmp_path)
    assert "қатысы жоқ: қандас мәртебесі жоқ" in r.stdout.decode()
    r = run(["explain", "870101300019"], tmp_path)
    assert r.returncode == 1 and "no such person" in r.stderr.decode()
