"""Step 2 of the load (resolve): each rule of ingest, on hand-made feeds, gives what ingest gives.

Every case compares the plan (the Parquet tables resolve writes) with what ``ingest_lines``
makes of the same lines in an empty store, in one batch (so that ingest, too, checks against
the whole feed), and asserts the rule's own outcome besides."""
from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.load import plan, read, resolve
from familycard.graph.store.snapshot import snapshot
from feedmaker import fact, iin, lines, link, person

TODAY = dt.date(2026, 11, 25)


def plan_snapshot(plan_dir) -> dict[str, list[tuple]]:
    """The plan's tables as ``snapshot()`` shows a store."""
    out = {}
    for t in plan.PLAN_TABLES:
        rows = []
        for f in plan.table_files(plan_dir, t):
            tab = pq.read_table(f)
            assert tab.schema == plan.plan_schema(t), t.name
            rows += [tuple(r.values()) for r in tab.to_pylist()]
        out[t.name] = sorted(rows)
    return out


def resolved(tmp_path, raw: bytes, today=TODAY, **kw):
    """read + resolve of one feed file: (read summary, resolve summary, plan snapshot)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(raw)
    work = tmp_path / "work"
    got = read.read_feeds([feed], work / "spill", today)
    res = resolve.resolve_spill(work / "spill", work / "plan", today, lambda s: read.line_texts([feed], s), **kw)
    return got, res, plan_snapshot(work / "plan")


def rejections(items) -> list[tuple]:
    return sorted((r.origin, r.field, r.reason) for r in items)


def check_same_as_ingest(store, tmp_path, raw: bytes, today=TODAY, **kw):
    """Resolve ``raw`` and ingest it into ``store`` (empty) in one batch: the same graph, the
    same rejections, the same counts. Returns (resolve summary, plan snapshot, ingest summary)."""
    got, res, snap = resolved(tmp_path, raw, today, **kw)
    ing = ingest_lines(store, raw.splitlines(keepends=True), "feed.jsonl", today, batch_size=10**7)
    assert snap == snapshot(store)
    assert rejections(got.rejections + res.rejections) == rejections(ing.rejections)
    assert (got.read, res.stored, res.unchanged, got.rejected + res.rejected, res.pending) == \
        (ing.read, ing.stored, ing.unchanged, ing.rejected, ing.pending)
    assert res.stored_by_kind == ing.stored_by_kind
    return res, snap, ing


def feed(*records) -> bytes:
    return b"".join(lines(*records))


def test_duplicates_last_writer_wins_whatever_the_order(ladybug_store, tmp_path):
    a = person("1980-01-01", "F", address_id="A1")
    a_later = dict(a, recorded_at="2026-02-01T00:00:00Z", address_id="A2")
    b = person("1982-02-02", "M")
    b_same_time = dict(b, phone="+77011234567")  # same recorded_at: the higher digest wins
    c = person("1990-03-03", "F")
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        a_later, a, a, b, b_same_time, b_same_time, b, c, c))
    assert res.unchanged == 6
    rows = {r[0]: r for r in snap["Person"]}
    assert rows[a["iin"]][7] == "A2"
    assert snap["Address"] == [("A2",)] and snap["LIVES_AT"] == [(a["iin"], "A2")]
    # and the other way round: the same graph whatever the order of the versions
    _, _, snap2 = resolved(tmp_path / "2", feed(c, b, b_same_time, a, a_later))
    assert snap2 == snap


@pytest.mark.parametrize("reverse", [False, True])
def test_spouse_of_both_ways_is_one_link_lower_iin_first(ladybug_store, tmp_path, reverse):
    h, w = person("1980-01-01", "M"), person("1982-01-01", "F")
    one, other = link("SPOUSE_OF", h, w), link("SPOUSE_OF", w, h)
    if reverse:
        one, other = other, one
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(h, w, one, other))
    assert res.unchanged == 1
    assert [r[:2] for r in snap["SPOUSE_OF"]] == [tuple(sorted((h["iin"], w["iin"])))]


def test_a_third_living_parent_is_refused_the_first_two_in_feed_order_stay(ladybug_store, tmp_path):
    child = person("2010-01-01", "F")
    p1, p2, p3 = person("1980-01-01", "F"), person("1979-01-01", "M"), person("1978-01-01", "M")
    dead = person("1970-01-01", "M", death_date="2020-01-01")
    ended = person("1975-01-01", "F")
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        child, p1, p2, p3, dead, ended,
        link("PARENT_OF", dead, child), link("PARENT_OF", p2, child),
        link("PARENT_OF", ended, child, until="2020-01-01"), link("PARENT_OF", p1, child),
        link("PARENT_OF", p3, child)))
    assert [r.reason for r in res.rejections] == [
        f"from: child '{child['iin']}' already has two living parents "
        f"({', '.join(sorted((p1['iin'], p2['iin'])))}); '{p3['iin']}' would be a third"]
    assert {r[0] for r in snap["PARENT_OF"]} == {dead["iin"], p2["iin"], ended["iin"], p1["iin"]}


def test_a_parent_too_young_born_after_or_closing_a_cycle_is_refused_in_ingests_words(ladybug_store, tmp_path):
    old, mid, young = person("1950-01-01", "F"), person("1975-06-01", "M"), person("1980-01-01", "F")
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        old, mid, young,
        link("PARENT_OF", old, mid),          # fine
        link("PARENT_OF", mid, old),          # closes a cycle
        link("PARENT_OF", young, old),        # born after
        link("PARENT_OF", mid, young)))       # less than 12 years older
    reasons = [r.reason for r in res.rejections]
    assert reasons[0].startswith(f"from: PARENT_OF '{mid['iin']}' -> '{old['iin']}' would close a cycle")
    assert "is born after child" in reasons[1]
    assert "is less than 12 years older than child" in reasons[2]
    assert [r.origin for r in res.rejections] == ["feed.jsonl:5", "feed.jsonl:6", "feed.jsonl:7"]
    assert [r[:2] for r in snap["PARENT_OF"]] == [(old["iin"], mid["iin"])]


def test_a_cycle_through_several_generations(ladybug_store, tmp_path):
    g, p, c = person("1940-01-01", "F"), person("1965-01-01", "M"), person("1990-01-01", "F")
    res, _, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        g, p, c, link("PARENT_OF", c, g), link("PARENT_OF", g, p), link("PARENT_OF", p, c)))
    assert len(res.rejections) == 1 and "would close a cycle" in res.rejections[0].reason


def test_links_and_facts_whose_persons_never_come_wait_as_pending_last_writer_wins(ladybug_store, tmp_path):
    here = person("1980-01-01", "F")
    nobody = iin("1990-01-01", "M")
    f_old = fact(nobody, "student", "2025-09-01")
    f_new = dict(f_old, recorded_at="2026-03-01T00:00:00Z", valid_to="2026-06-30")
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        here, link("SPOUSE_OF", here, nobody), f_new, f_old, fact(here, "student", "2025-09-01"),
        dict(reversed(f_new.items()))))  # the same record written otherwise: the first line stays
    assert res.pending == 2 and res.unchanged == 2
    pending = {r[0]: r for r in snap["Pending"]}
    fk = f"fact|{nobody}|student|2025-09-01|"
    assert pending[fk][4] == lines(f_new)[0].decode() and pending[fk][5] == "feed.jsonl:3"
    assert len(snap["Fact"]) == 1 and len(snap["HAS_FACT"]) == 1


def test_an_address_several_people_share_is_one_node(ladybug_store, tmp_path):
    a, b = person("1980-01-01", "F", address_id="HOME"), person("1981-01-01", "M", address_id="HOME")
    moved = dict(person("2000-01-01", "F", address_id="OLD"))
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        a, moved, b, dict(moved, address_id="HOME", recorded_at="2026-05-05T00:00:00Z"), person("1999-01-01", "M")))
    assert snap["Address"] == [("HOME",)] and len(snap["LIVES_AT"]) == 3


def test_bom_blank_lines_and_bytes_that_are_not_utf8_read_as_ingest_reads_them(ladybug_store, tmp_path):
    a = person("1980-01-01", "F")
    raw = (b"\xef\xbb\xbf" + feed(a) + b"\n   \n" + b'{"kind": "person", "iin": "\xff"}\n'
           + feed(person("1985-01-01", "M")))
    _, _, ing = check_same_as_ingest(ladybug_store, tmp_path, raw)
    assert [str(r) for r in ing.rejections] == ["feed.jsonl:4: not UTF-8 (byte 28)"]


def test_small_buckets_give_the_same_plan_as_one(tmp_path):
    from familycard.synthetic.population import write_feed

    path = tmp_path / "g.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        write_feed(out, people=300, seed=5, as_of=TODAY, bad_rate=0.05)
    raw = path.read_bytes()
    _, one, snap_one = resolved(tmp_path / "one", raw)
    _, many, snap_many = resolved(tmp_path / "many", raw, bucket_rows=97)
    assert snap_many == snap_one
    assert (many.stored_by_kind, many.unchanged, many.rejections) == (one.stored_by_kind, one.unchanged, one.rejections)


def test_several_feeds_are_one_feed_in_order_each_line_named_by_its_file(ladybug_store, tmp_path):
    m, c = person("1980-01-01", "F"), person("2005-05-05", "M")
    first = feed(m, c, "not json")
    second = feed(dict(m, recorded_at="2026-03-03T00:00:00Z", address_id="NEW"), link("PARENT_OF", m, c),
                  link("PARENT_OF", c, m))
    (tmp_path / "a.jsonl").write_bytes(first)
    (tmp_path / "b.jsonl").write_bytes(second)
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    got = read.read_feeds(paths, tmp_path / "spill", TODAY)
    assert got.files == ["a.jsonl", "b.jsonl"]
    res = resolve.resolve_spill(tmp_path / "spill", tmp_path / "plan", TODAY, lambda s: read.line_texts(paths, s))
    # ingest of one feed after the other (their batches do not interleave): the same graph
    expected = []
    for p in paths:
        expected += ingest_lines(ladybug_store, p.read_bytes().splitlines(keepends=True), p.name, TODAY).rejections
    assert plan_snapshot(tmp_path / "plan") == snapshot(ladybug_store)
    assert rejections(got.rejections + res.rejections) == rejections(expected)
    assert [r.origin for r in got.rejections + res.rejections] == ["a.jsonl:3", "b.jsonl:3"]
    assert res.stored_by_kind == {"person": 2, "link": 1, "fact": 0} and res.unchanged == 1


def test_feed_order_of_a_link_is_its_first_line_even_when_a_later_line_wins(ladybug_store, tmp_path):
    child = person("2012-01-01", "M")
    p1, p2, p3 = person("1980-01-01", "F"), person("1979-01-01", "M"), person("1978-01-01", "M")
    early = link("PARENT_OF", p3, child)
    res, snap, _ = check_same_as_ingest(ladybug_store, tmp_path, feed(
        child, p1, p2, p3, early, link("PARENT_OF", p1, child), link("PARENT_OF", p2, child),
        dict(early, recorded_at="2026-06-01T00:00:00Z", since="2012-01-01")))
    # p3's link came first (line 5), so p2's is the third, though p3's winning version is line 8
    assert [r.origin for r in res.rejections] == ["feed.jsonl:7"]
    assert "'" + p2["iin"] + "' would be a third" in res.rejections[0].reason
