"""What a person reads from the CLI's benefit flow: history in words and Kazakhstan time, "payment
order issued" (nothing tells familycard a bank paid), the worklist; the offers listing and `pay` of
this month as the README's walk-through uses them."""
from __future__ import annotations

import datetime as dt
import re

from cli.test_main import run
from familycard.graph.cards import names
from familycard.graph.flow import history as audit
from familycard.graph.flow.history import KIND_WORDS, history, iins_in, render
from familycard.graph.flow.inbox import receive
from feedmaker import iban, lines, link, person
from graph.flow.test_flow import PHONE, T0, _send, _sweep, family  # noqa: F401 (family: a fixture)


def _story(store, family, tmp_path) -> tuple[list[dict], str]:
    """Offered at 09:00 in Astana (04:00 UTC), refused at 10:00, taken back the next morning."""
    _sweep(store)
    _send(store, tmp_path)
    at = T0 + dt.timedelta(hours=1)
    receive(store, PHONE, "1 жоқ", at=at)
    receive(store, PHONE, "1 иә", at=at + dt.timedelta(hours=20))
    events = history(store, family["mother"])
    return events, render(events, names(store, iins_in(events)))


def test_history_reads_in_words_names_and_kazakhstan_time_on_both_engines(store, family, tmp_path):
    events, text = _story(store, family, tmp_path)
    baby = f"Серіков Нұрлан [{family['baby']}]"
    birth = f"One-off childbirth benefit for {baby}, 2026-11-01"
    out = text.splitlines()
    assert out[:2] == [
        f"2026-11-25 09:00:00 +05:00  offered               {birth} — attempt 1, 164 350 KZT",
        "                            cause: full sweep of 2026-11-25"]
    assert f"2026-11-25 09:00:00 +05:00  SMS sent              offer SMS, attempt 1 — {birth}" in out
    assert f"2026-11-25 10:00:00 +05:00  refused               {birth} — attempt 1; phone serves 1 recipient" in out
    # a time inside a stored detail (written in UTC) is told in Kazakhstan time as well
    assert (f"2026-11-26 06:00:00 +05:00  refusal taken back    {birth} — takes back the refusal of "
            "2026-11-25 10:00:00 +05:00") in out
    [order] = [ln for ln in out if "payment order issued" in ln]
    assert order.startswith(f"2026-11-26 06:00:00 +05:00  payment order issued  {birth}, one-off — payment order FC")
    assert order.endswith(": 164 350 KZT to KZ16…0000 for 2026-11")
    assert f"cause: consent to {birth}" in text and "cause: reply to the SMS received" in text
    # no internal key, kind or UTC time left for the reader to decode
    assert "|" not in text and "UTC" not in text and "in|" not in text
    assert not re.search(r"\bpaid\b", text)
    assert [e["kind"] for e in events].count("paid") == 1  # the stored kind is unchanged (the API reads it)


def test_every_kind_of_event_has_words():
    assert set(audit._ORDER) | {"query_deleted"} <= set(KIND_WORDS)
    assert KIND_WORDS["paid"] == "payment order issued"


def test_a_key_that_is_not_a_flow_key_is_left_as_it_is():
    said = "SMS from +7 701 *** ** 67: 'a|b'"
    assert audit._words(said, {}, {"birth": "Birth"}) == said
    assert audit._ref_words("birth|850304400154||", {}, {"birth": "Birth"}) == "Birth"


def test_the_history_command_says_whose_story_and_in_which_time(tmp_path):
    mother = person("1995-03-01", "F", phone=PHONE, bank_account=iban("1250000000000000"), address_id="A1")
    baby = person("2026-11-01", "M", address_id="A1")
    (tmp_path / "feed.jsonl").write_bytes(b"".join(lines(mother, baby, link("PARENT_OF", mother, baby))))
    assert run(["ingest", "feed.jsonl", "--today", "2026-11-25"], tmp_path).returncode == 0
    for step in (["sweep", "--as-of", "2026-11-25", "--rule", "birth"], ["sms", "send"],
                 ["sms", "receive", "--from", PHONE, "--text", "Иә", "--at", "2026-11-25T05:30:00Z"]):
        r = run(step, tmp_path)
        assert r.returncode == 0, r.stderr
    r = run(["history", mother["iin"]], tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode().splitlines()
    assert out[0] == (f"history of Серікова Айгүл [{mother['iin']}], times in Kazakhstan "
                      "(Asia/Almaty, UTC+05:00):")
    assert any(ln.startswith("2026-11-25 10:30:00 +05:00  consented             One-off childbirth benefit "
                             f"for Серіков Нұрлан [{baby['iin']}], 2026-11-01") for ln in out), out
    assert any(ln.startswith("2026-11-25 10:30:00 +05:00  payment order issued  ") for ln in out), out
    assert "UTC " not in r.stdout.decode() and "|" not in r.stdout.decode()
    r = run(["history", "870101300019"], tmp_path)
    assert r.returncode == 1 and r.stderr.decode() == "IIN '870101300019': no recorded events\n"


def test_the_worklist_tells_since_when_in_kazakhstan_time():
    from familycard.graph.flow.worklist import render as worklist

    task = {"since": dt.datetime(2026, 11, 25, 20, 30), "reason": "no_phone", "benefit": "birth",
            "iin": "850304400154", "surname": "Серікова", "given_name": "Айгүл", "address_id": "A1"}
    header, row, total = worklist([task]).splitlines()
    assert header.startswith("since, +05:00     reason ")
    assert row.startswith("2026-11-26 01:30 no_phone         birth                  850304400154  Серікова Айгүл")
    assert total == "1 open: 1 no_phone (no phone in the registry: offer in person)"


# --- `familycard offers`, `pay` of this month ----------------------------------------------

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
    from familycard.dates import local_day, utcnow

    month = f"{local_day(utcnow()):%Y-%m}"
    r = run(["pay"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith(f"{month}: ")
    assert (tmp_path / "data" / "payments" / f"payments-{month}.csv").exists()
