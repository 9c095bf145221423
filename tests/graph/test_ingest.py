"""Ingest into the graph, on both engines: what lands, what is refused, what converges."""
from __future__ import annotations

import json
import random

import pytest

from familycard.graph.cards import family_card
from familycard.graph.ingest import ingest_lines
from familycard.graph.store.snapshot import counts, snapshot
from feedmaker import fact, iin, lines, link, person


def _family():
    mother = person("1985-03-04", "F", address_id="KZ-AST-0000001", phone="+77011234567",
                    bank_account="KZ86125KZT5004100100")
    father = person("1983-05-06", "M", address_id="KZ-AST-0000001")
    child = person("2015-01-01", "M", address_id="KZ-AST-0000001")
    granny = person("1960-01-01", "F", address_id="KZ-AST-0000001")
    return mother, father, child, granny


def _feed():
    m, f, c, g = _family()
    return (m, f, c, g), [
        m, f, c, g,
        link("PARENT_OF", m, c), link("PARENT_OF", f, c), link("PARENT_OF", g, m),
        link("SPOUSE_OF", f, m, since="2010-06-01"),
        fact(c, "disability", "2020-01-01", group="child", valid_to="2027-01-01"),
        fact(f, "income", "2026-10-01", source="KGD", month="2026-10", amount_kzt=300000),
        fact(f, "employment", "2019-01-01", source="ESP", employer_bin="123456789012"),
    ]


def test_a_valid_feed_lands_whole(store, today):
    (m, f, c, g), recs = _feed()
    s = ingest_lines(store, lines(*recs), "feed.jsonl", today)
    assert (s.read, s.stored, s.unchanged, s.rejected, s.pending) == (11, 11, 0, 0, 0)
    assert s.stored_by_kind == {"person": 4, "link": 4, "fact": 3}
    n = counts(store)
    assert (n["Person"], n["Address"], n["LIVES_AT"], n["PARENT_OF"], n["SPOUSE_OF"], n["HAS_FACT"]) == (
        4, 1, 4, 3, 1, 3)
    card = family_card(store, m["iin"])
    assert {(r["relation"], r["iin"]) for r in card["relations"]} == {
        ("child", c["iin"]), ("parent", g["iin"]), ("spouse", f["iin"])}
    assert {r["iin"] for r in card["household"]} == {f["iin"], c["iin"], g["iin"]}
    assert card["person"]["source"] == "GBD_FL"
    facts = family_card(store, f["iin"])["facts"]
    assert {(x["type"], x["source"]) for x in facts} == {("income", "KGD"), ("employment", "ESP")}


def test_the_same_feed_twice_changes_nothing(store, today):
    _, recs = _feed()
    ingest_lines(store, lines(*recs), "feed", today)
    before = snapshot(store)
    s = ingest_lines(store, lines(*recs), "feed", today)
    assert (s.stored, s.unchanged, s.rejected) == (0, 11, 0)
    assert snapshot(store) == before


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_later_recorded_at_wins_whatever_the_arrival_order(store, today, batch_size, other_ladybug):
    m = person("1985-03-04", "F", address_id="KZ-AST-0000001")
    moved = dict(m, address_id="KZ-ALA-0000002", phone="+77017654321", recorded_at="2026-03-01T00:00:00Z")
    died = dict(moved, death_date="2026-05-05", recorded_at="2026-06-01T00:00:00+05:00")
    c = person("2010-01-01", "F")
    d1 = fact(c, "disability", "2020-01-01", group="child")
    d2 = dict(d1, valid_to="2026-01-01", recorded_at="2026-02-01T00:00:00Z")
    spouse = person("1980-01-01", "M")
    s1 = link("SPOUSE_OF", spouse, m, since="2005-01-01")
    s2 = link("SPOUSE_OF", m, spouse, since="2005-01-01", until="2020-02-02", recorded_at="2026-02-01T00:00:00Z")
    base = [c, spouse, link("PARENT_OF", m, c)]
    in_order = base + [m, moved, died, d1, d2, s1, s2]
    reversed_ = base + [s2, s1, d2, d1, died, moved, m]
    ingest_lines(store, lines(*reversed_), "rev", today, batch_size=batch_size)
    # the other order, one record a run, into a fresh LadybugDB
    for r in in_order:
        ingest_lines(other_ladybug, lines(r), "one", today)
    assert snapshot(store) == snapshot(other_ladybug)
    card = family_card(store, m["iin"])["person"]
    assert (card["address_id"], card["phone"], str(card["death_date"])) == (
        "KZ-ALA-0000002", "+77017654321", "2026-05-05")
    assert counts(store)["LIVES_AT"] == 1  # only the mother has an address: the new one
    assert family_card(store, m["iin"])["household"] == []
    [f] = family_card(store, c["iin"])["facts"]
    assert str(f["valid_to"]) == "2026-01-01"
    [sp] = [r for r in family_card(store, m["iin"])["relations"] if r["relation"] == "spouse"]
    assert str(sp["until"]) == "2020-02-02"


def test_equal_recorded_at_is_decided_the_same_way_in_either_order(store, today, other_ladybug):
    p = person("1990-01-01", "M")
    a, b = dict(p, phone="+77010000001"), dict(p, phone="+77010000002")
    ingest_lines(store, lines(a, b), "ab", today)
    ingest_lines(other_ladybug, lines(b), "b", today)
    ingest_lines(other_ladybug, lines(a), "a", today)
    assert snapshot(store) == snapshot(other_ladybug)


def test_links_and_facts_wait_for_their_persons(store, today):
    m, f, c, g = _family()
    early = [link("PARENT_OF", m, c), link("SPOUSE_OF", m, f), fact(c, "student", "2025-09-01", source="NOBD")]
    s = ingest_lines(store, lines(*early, m), "day1", today)
    assert (s.stored, s.pending) == (1, 3)
    assert counts(store)["PARENT_OF"] == 0
    s = ingest_lines(store, lines(c), "day2", today)
    assert (s.stored, s.pending) == (3, 1)  # the child, its parent link, its fact
    assert counts(store)["PARENT_OF"] == 1 and counts(store)["HAS_FACT"] == 1
    s = ingest_lines(store, lines(f), "day3", today)
    assert s.pending == 0 and counts(store)["SPOUSE_OF"] == 1 and counts(store)["Pending"] == 0


def test_a_waiting_link_that_proves_impossible_is_reported_where_it_came_from(store, today):
    old = person("1980-01-01", "F")
    young = person("1975-01-01", "M")
    s = ingest_lines(store, lines(old, link("PARENT_OF", old, young)), "day1.jsonl", today)
    assert s.pending == 1 and s.rejected == 0
    s = ingest_lines(store, lines(young), "day2.jsonl", today)
    assert s.rejected == 1 and s.pending == 0
    assert str(s.rejections[0]).startswith("day1.jsonl:2 (waited for its persons): from: parent")
    assert counts(store)["PARENT_OF"] == 0


def test_impossible_links_are_refused_and_the_rest_of_the_batch_lands(store, today):
    (m, f, c, g), recs = _feed()
    stranger = person("1990-01-01", "F")
    toddler = person("2024-01-01", "F")
    teen_parent = person("2012-06-01", "M")
    bad = [
        link("PARENT_OF", c, m),           # the son as his mother's parent: a cycle
        link("PARENT_OF", toddler, m),     # a parent born after the child
        link("PARENT_OF", teen_parent, c), # less than 12 years older... and would be a third parent
        link("PARENT_OF", stranger, c),    # a third living parent
        link("PARENT_OF", m, m),           # a self-link
        '{"kind": "link", "type": "PARENT_OF"',
    ]
    s = ingest_lines(store, lines(*recs, stranger, toddler, teen_parent, *bad), "f.jsonl", today)
    assert s.rejected == 6 and s.stored == 14
    why = {r.origin: r.reason for r in s.rejections}
    assert "would close a cycle" in why["f.jsonl:15"]
    assert "is born after child" in why["f.jsonl:16"]
    assert "less than 12 years older" in why["f.jsonl:17"]
    assert "already has two living parents" in why["f.jsonl:18"] and stranger["iin"] in why["f.jsonl:18"]
    assert "linked to themself" in why["f.jsonl:19"]
    assert "not a JSON object" in why["f.jsonl:20"]
    assert counts(store)["PARENT_OF"] == 3


def test_a_dead_parent_or_an_ended_link_leaves_room_for_another(store, today):
    c = person("2015-01-01", "F")
    mum = person("1985-01-01", "F", death_date="2020-01-01")
    dad = person("1984-01-01", "M")
    step = person("1986-01-01", "F")
    foster = person("1987-01-01", "M")
    s = ingest_lines(store, lines(c, mum, dad, step, foster, link("PARENT_OF", mum, c), link("PARENT_OF", dad, c),
                                  link("PARENT_OF", step, c, since="2021-01-01", until="2023-01-01"),
                                  link("PARENT_OF", foster, c, since="2023-06-01")), "f", today)
    assert s.rejected == 0 and counts(store)["PARENT_OF"] == 4


def test_rejected_records_change_nothing_stored(store, today):
    (m, f, c, g), recs = _feed()
    ingest_lines(store, lines(*recs), "good", today)
    before = snapshot(store)
    worse = [dict(m, iin="850304400012"), dict(m, birth_date="1985-03-05", recorded_at="2027-01-01T00:00:00Z"),
             dict(f, bank_account="KZ00125KZT5004100100", recorded_at="2027-01-01T00:00:00Z"),
             link("PARENT_OF", c, g),
             fact(c, "disability", "2020-01-01", group="9", recorded_at="2027-01-01T00:00:00Z")]
    s = ingest_lines(store, lines(*worse), "bad", today)
    assert s.rejected == len(worse) and s.stored == 0
    assert snapshot(store) == before


def test_many_families_in_small_batches_match_one_big_batch(store, today, other_ladybug):
    rng = random.Random(7)
    recs = []
    for i in range(60):
        addr = f"KZ-KAR-{i:07d}"
        m = person(f"19{rng.randint(70, 95)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "F", address_id=addr)
        f = person(f"19{rng.randint(60, 69)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "M", address_id=addr)
        kids = [person(f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}", rng.choice("MF"),
                       address_id=addr) for _ in range(rng.randint(0, 4))]
        recs += [m, f, *kids, link("SPOUSE_OF", m, f)] + [link("PARENT_OF", p, k) for k in kids for p in (m, f)]
        recs += [fact(f, "income", "2026-09-01", source="KGD", month="2026-09", amount_kzt=rng.randint(0, 500000))]
    rng.shuffle(recs)  # links often before their persons
    s1 = ingest_lines(store, lines(*recs), "big", today, batch_size=10_000)
    s2 = ingest_lines(other_ladybug, lines(*recs), "small", today, batch_size=40)
    assert s1.rejected == s2.rejected == 0 and s1.pending == s2.pending == 0
    assert snapshot(store) == snapshot(other_ladybug)


def test_a_feed_of_garbage_is_counted_whole_but_kept_in_detail_only_so_far(ladybug_store, today, monkeypatch):
    from familycard.graph import ingest

    monkeypatch.setattr(ingest, "KEEP_REJECTIONS", 3)
    s = ingest_lines(ladybug_store, [b"nope\n"] * 5 + lines(link("PARENT_OF", iin("1990-01-01", "F"),
                                                                iin("1990-01-01", "F"))), "junk", today)
    assert s.rejected == 5 and len(s.rejections) == 3 and s.pending == 1


def test_a_rerun_repairs_homes_a_crash_left_out_of_step(store, today):
    """If an engine loses part of a committed batch (LIVES_AT without its person's change, or the
    reverse), the next run puts LIVES_AT back in step with address_id."""
    from familycard.graph.store.snapshot import snapshot

    a, b = person("1980-01-01", "F", address_id="A1"), person("1982-02-02", "M", address_id="A2")
    feed = lines(a, b)
    ingest_lines(store, feed, "feed.jsonl", today)
    expected = snapshot(store)
    # damage: a's home gone, b registered twice, an address nobody lives at
    store.write("MATCH (p:Person {iin: $iin})-[r:LIVES_AT]->() DELETE r", {"iin": a["iin"]})
    store.write("CREATE (:Address {id: 'A9'})")
    store.write("MATCH (p:Person {iin: $iin}), (x:Address {id: 'A9'}) CREATE (p)-[:LIVES_AT]->(x)", {"iin": b["iin"]})
    assert snapshot(store) != expected
    summary = ingest_lines(store, feed, "feed.jsonl", today)
    assert summary.unchanged == 2 and summary.stored == 0
    assert snapshot(store) == expected


# --- hostile lines: one record never costs more than its own line ----------------------------

def _income(p, amount, **kw):
    return fact(p, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=amount, **kw)


def test_an_amount_beyond_int64_is_rejected_before_it_can_wait(store, today):
    a, b = person("1980-01-01", "F"), person("1980-02-02", "M")
    s = ingest_lines(store, lines(a, _income(b, 2**63), link("SPOUSE_OF", a, b)), "day1.jsonl", today)
    assert (s.rejected, s.pending) == (1, 1)
    assert str(s.rejections[0]) == ("day1.jsonl:2: amount_kzt: 9223372036854775808 is out of range "
                                    "(0–9223372036854775807)")
    s = ingest_lines(store, lines(b), "day2.jsonl", today)
    assert (s.stored, s.rejected, s.pending) == (2, 0, 0) and counts(store)["SPOUSE_OF"] == 1


def test_a_record_the_store_refuses_is_rejected_alone_and_never_blocks_later_runs(store, today, monkeypatch):
    """As if validation let 2^63 through: the store's driver refuses it. The batch it came in,
    and the waiting records it lands with, still land; the record itself is named and dropped."""
    from familycard.schema import records

    monkeypatch.setattr(records, "INT64_MAX", 2**64)
    a, b, c = person("1980-01-01", "F"), person("1980-02-02", "M"), person("1975-01-01", "M")
    s = ingest_lines(store, lines(a, _income(b, 2**63), link("SPOUSE_OF", a, b), c, _income(c, 2**63),
                                  _income(a, 5)), "day1.jsonl", today)
    assert (s.stored, s.rejected, s.pending) == (3, 1, 2)
    assert str(s.rejections[0]).startswith("day1.jsonl:5: could not be stored (")
    s = ingest_lines(store, lines(b), "day2.jsonl", today)
    assert (s.stored, s.rejected, s.pending) == (2, 1, 0)  # b and the SPOUSE_OF; b's income refused
    assert str(s.rejections[0]).startswith("day1.jsonl:2 (waited for its persons): could not be stored (")
    assert counts(store)["SPOUSE_OF"] == 1 and counts(store)["Pending"] == 0
    s = ingest_lines(store, lines(person("1990-01-01", "F")), "day3.jsonl", today)
    assert (s.stored, s.rejected) == (1, 0)


def test_a_bad_record_an_older_version_parked_is_rejected_when_its_person_arrives(store, today, monkeypatch):
    from familycard.schema import records

    a, b = person("1980-01-01", "F"), person("1980-02-02", "M")
    with monkeypatch.context() as older:  # an older familycard had no upper bound on amounts
        older.setattr(records, "INT64_MAX", 2**64)
        s = ingest_lines(store, lines(a, _income(b, 2**63), link("SPOUSE_OF", a, b)), "day1.jsonl", today)
    assert (s.rejected, s.pending) == (0, 2)
    s = ingest_lines(store, lines(b), "day2.jsonl", today)
    assert (s.stored, s.rejected, s.pending) == (2, 1, 0)
    assert str(s.rejections[0]) == ("day1.jsonl:2 (waited for its persons): amount_kzt: 9223372036854775808 "
                                    "is out of range (0–9223372036854775807)")
    assert counts(store)["SPOUSE_OF"] == 1 and counts(store)["Pending"] == 0


def _deep(n: int) -> str:
    return "[" * n + "]" * n


def _hostile(p: dict) -> list[tuple[str, str | None, str]]:
    """Lines that once ended a whole ingest (issue 14), each with the field and words of its rejection."""
    base = json.dumps(fact(p, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=1))[:-1]
    lnk = json.dumps(link("SPOUSE_OF", p, iin("1990-01-01", "M")))[:-1]
    pers = json.dumps(person("1991-01-01", "F"))[:-1]
    return [
        (lnk + ', "type": []}', "type", "unknown link type []"),
        (lnk + ', "type": {}}', "type", "unknown link type {}"),
        (base + ', "type": []}', "type", "unknown fact type []"),
        (json.dumps(fact(p, "award", "2026-01-01", name=[])), "name", "is not an award"),
        (json.dumps(fact(p, "benefit", "2026-01-01", benefit={})), "benefit", "is not a benefit code"),
        (json.dumps({"kind": []}), "kind", "unknown kind []"),
        (_deep(990), None, "a record must be a JSON object"),
        (pers + ', "note": ' + _deep(990) + "}", "note", "nested deeper than 32 levels"),
        ((pers + "}").replace('"iin": "', '"iin": ' + _deep(990) + ', "x": "'), "iin", "nested deeper than 32 levels"),
        (pers + ', "recorded_at": "0001-01-01T00:00:00+01:00"}', "recorded_at", "out of range once converted to UTC"),
        (pers + ', "recorded_at": "9999-12-31T23:59:59-01:00"}', "recorded_at", "out of range once converted to UTC"),
        (base + ', "amount_kzt": 9223372036854775808}', "amount_kzt", "out of range"),
        (base + ', "amount_kzt": 18446744073709551615}', "amount_kzt", "out of range"),
        (base + ', "amount_kzt": 18446744073709551616}', "amount_kzt", "whole number"),
        (base + ', "month": "٢٠٢٦-٠١"}', "month", "not a month"),
        (pers + ', "phone": "+7７０１１２３４５６７"}', "phone", "not +7 followed by 10 digits"),
        (json.dumps(fact(p, "employment", "2020-01-01", employer_bin="١٢٣٤٥٦٧٨٩٠١٢")), "employer_bin", "12 digits"),
        (json.dumps(fact(p, "disability", "2020-01-01", group=[], work_capacity_loss_percent=2**70)),
         "group", "must be 1, 2, 3 or child"),
    ]


def test_hostile_lines_are_each_rejected_while_the_valid_lines_of_their_batch_land(store, today):
    p = person("1985-03-04", "F")
    table = _hostile(p)
    good = _income(p, 300_000)
    s = ingest_lines(store, lines(p, *(t for t, _, _ in table), good), "feed.jsonl", today)
    assert (s.read, s.stored, s.rejected) == (len(table) + 2, 2, len(table))
    got = {r.origin: r for r in s.rejections}
    for n, (_, fld, words) in enumerate(table, 2):
        r = got[f"feed.jsonl:{n}"]
        assert r.field == fld and words in r.reason, (n, r)
    [f] = family_card(store, p["iin"])["facts"]
    assert f["amount_kzt"] == 300_000


def test_a_store_that_refuses_every_write_fails_the_run_rather_than_every_line(ladybug_store, today, monkeypatch):
    from familycard.graph import ingest

    def full_disk(*_):
        raise RuntimeError("IO exception: No space left on device")

    monkeypatch.setattr(ingest, "_apply_batch", full_disk)
    feed = lines(*(person(f"19{80 + i}-01-01", "F") for i in range(ingest.MAX_REFUSED_BY_STORE + 5)))
    with pytest.raises(RuntimeError, match="No space left"):
        ingest_lines(ladybug_store, feed, "feed.jsonl", today)
    assert counts(ladybug_store)["Person"] == 0


def test_an_empty_store_holds_no_one_and_the_example_cards_are_mothers_of_most_and_a_grandchild(store, today):
    from familycard.graph.cards import example_iins
    from familycard.graph.store.snapshot import holds_anyone

    assert not holds_anyone(store) and example_iins(store) == []
    gran = person("1950-01-01", "F", address_id="A1")
    mother = person("1975-01-01", "F", address_id="A2")
    kids = [person(f"{y}-01-01", "M", address_id="A1") for y in (2000, 2002, 2004)]
    other = person("1980-01-01", "F", address_id="A3")
    child = person("2010-01-01", "F", address_id="A3")
    feed = [gran, mother, *kids, other, child, link("PARENT_OF", gran, mother),
            *(link("PARENT_OF", mother, k) for k in kids), link("PARENT_OF", other, child)]
    assert ingest_lines(store, lines(*feed), "t", today).rejected == 0
    assert holds_anyone(store)
    # the two living mothers with the most children, then the youngest grandchild living with a grandparent
    assert example_iins(store) == [mother["iin"], other["iin"] if other["iin"] < gran["iin"] else gran["iin"],
                                   kids[2]["iin"]]


def test_a_ladybug_store_reopened_between_batches_ends_with_the_graph_of_one_left_open(store, today, other_ladybug):
    # LadybugDB keeps memory for every row written until its database is closed, so a long
    # ingest reopens it (LadybugStore.reopen_after): here every ~30 records, in batches of 20.
    rng = random.Random(11)
    recs = []
    for i in range(20):
        addr = f"KZ-PAV-{i:07d}"
        m = person(f"19{rng.randint(70, 95)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "F", address_id=addr)
        k = person(f"20{rng.randint(12, 25)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}", "F", address_id=addr)
        recs += [m, k, link("PARENT_OF", m, k),
                 fact(m, "income", "2026-09-01", source="KGD", month="2026-09", amount_kzt=rng.randint(0, 500000))]
    rng.shuffle(recs)  # links and facts often wait for their persons: the pending batches reopen too
    first_db = other_ladybug._db
    other_ladybug.reopen_after = 30
    s1 = ingest_lines(store, lines(*recs), "open", today)
    s2 = ingest_lines(other_ladybug, lines(*recs), "reopened", today, batch_size=20)
    assert other_ladybug._db is not first_db, "the store should have reopened its database"
    assert s1.line() == s2.line() and s2.rejected == s2.pending == 0
    assert snapshot(store) == snapshot(other_ladybug)
    # Both connections work on the reopened database: a read and a user's read-only query.
    cols, rows, more = other_ladybug.read_only("MATCH (p:Person) RETURN count(p) AS n", {}, timeout_s=5, max_rows=5)
    assert rows == [{"n": 40}] and not more


def test_a_sweep_lets_ladybug_reopen_after_each_rule_and_finds_the_same(ladybug_store, today):
    # LadybugDB keeps what a rule's joins took of its buffer pool: a sweep of 2 M people failed
    # at its seventh rule ("the buffer pool is full"), so the store reopens after each rule.
    from familycard.graph.sweep import sweep

    recs = []
    for i in range(3):
        m = person(f"199{i}-03-1{i}", "F", address_id=f"KZ-PAV-{i:07d}")
        kids = [person(f"20{10 + j}-0{j + 1}-2{i}", "M", address_id=f"KZ-PAV-{i:07d}") for j in range(4)]
        recs += [m, *kids, *(link("PARENT_OF", m, k) for k in kids)]
    ingest_lines(ladybug_store, lines(*recs), "families", today)
    first_db = ladybug_store._db
    once = sweep(ladybug_store, today)
    assert ladybug_store._db is not first_db, "the store should have reopened its database"
    again = sweep(ladybug_store, today)
    assert [e.__dict__ for e in once.entitlements] == [e.__dict__ for e in again.entitlements]
    assert len(once.runs) == 14
