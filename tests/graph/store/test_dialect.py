"""One test for each way the engines differ (graph/store/dialect.py), run where it applies."""
from __future__ import annotations

import datetime as dt

import pytest

from familycard.graph import model
from familycard.graph.store import dialect


def test_ladybug_ddl_declares_every_table_with_its_key():
    ddl = dialect.ladybug_ddl()
    assert len(ddl) == len(model.NODE_TABLES) + len(model.REL_TABLES) + len(model.OWNER_TABLES)
    assert "CREATE NODE TABLE IF NOT EXISTS Person(iin STRING" in ddl[0] and "PRIMARY KEY (iin)" in ddl[0]
    assert any(s.startswith("CREATE REL TABLE IF NOT EXISTS PARENT_OF(FROM Person TO Person, since DATE") for s in ddl)


def test_ladybug_schema_is_in_place_and_idempotent(ladybug_store):
    ladybug_store.setup_schema()  # a second time changes nothing
    names = {r["name"] for r in ladybug_store.read("CALL show_tables() RETURN *")}
    assert names == set(model.TABLES)


def test_neo4j_gets_constraints_and_indexes(neo4j_store):
    neo4j_store.setup_schema()
    cons = {r["name"] for r in neo4j_store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"person_iin_unique", "fact_key_unique", "address_id_unique", "pending_key_unique"} <= cons
    idx = {r["name"] for r in neo4j_store.read("SHOW INDEXES YIELD name RETURN name")}
    assert {"person_address_id", "fact_type"} <= idx


def test_neo4j_drops_an_index_the_model_no_longer_declares(neo4j_store):
    neo4j_store.write("CREATE INDEX person_birth_date IF NOT EXISTS FOR (n:Person) ON (n.birth_date)")
    neo4j_store.write("CREATE INDEX someone_elses IF NOT EXISTS FOR (n:Person) ON (n.patronymic)")  # none of ours
    neo4j_store.setup_schema()
    idx = {r["name"] for r in neo4j_store.read("SHOW INDEXES YIELD name RETURN name")}
    assert "person_birth_date" not in idx and {"someone_elses", "fact_type", "person_iin_unique"} <= idx


def _two_people(store):
    store.write("CREATE (:Person {iin: '870101300019'}), (:Person {iin: '870101300028'})")
    store.write("MATCH (a:Person {iin: '870101300019'}), (b:Person {iin: '870101300028'}) CREATE (a)-[:SPOUSE_OF]->(b)")


def test_a_read_for_one_key_runs_for_many_in_one_call_on_both(store):
    _two_people(store)
    q = "MATCH (p:Person {iin: $key})-[:SPOUSE_OF]-(q:Person) RETURN $key AS of, q.iin AS kin"
    rows = store.read_keyed(q, ["870101300019", "870101300028", "000000000000"])
    assert sorted((r["of"], r["kin"]) for r in rows) == [("870101300019", "870101300028"),
                                                          ("870101300028", "870101300019")]
    assert store.read_keyed(q, []) == []
    assert dialect.unwind_keys(q) == ("UNWIND $keys AS key_ MATCH (p:Person {iin: key_})-[:SPOUSE_OF]-(q:Person) "
                                      "RETURN key_ AS of, q.iin AS kin")


def _linked(store, label: str) -> list[tuple]:
    link = model.OWNER_LINKS[label].name
    return sorted((r["p"], r["n"]) for r in store.read(
        f"MATCH (p:Person)-[:{link}]->(n:{label}) RETURN p.iin AS p, n.key AS n"))


def test_flow_nodes_are_created_with_the_link_from_their_person_on_both(store):
    from familycard.graph.store import writes

    _two_people(store)
    rows = [{"key": "e1", "iin": "870101300019", "kind": "offered"},
            {"key": "e2", "iin": "999999999999", "kind": "offered"},  # no such person: created bare
            {"key": "e3", "iin": None, "kind": "replied"}]
    store.transaction(lambda tx: writes.create(tx, "Event", rows))
    assert sorted(r["k"] for r in store.read("MATCH (n:Event) RETURN n.key AS k")) == ["e1", "e2", "e3"]
    assert _linked(store, "Event") == [("870101300019", "e1")]


def test_a_store_from_before_owner_links_gets_them_when_opened_on_both(store):
    _two_people(store)
    store.write("CREATE (:Offer {key: 'o1', iin: '870101300019'}), (:Offer {key: 'o2', iin: '870101300028'}), "
                "(:Offer {key: 'o3', iin: '999999999999'})")
    if store.engine == "ladybug":  # as an older familycard left it: no link table at all
        store.write("DROP TABLE HAS_OFFER")
    store.setup_schema()
    assert _linked(store, "Offer") == [("870101300019", "o1"), ("870101300028", "o2")]
    store.setup_schema()  # once only
    assert _linked(store, "Offer") == [("870101300019", "o1"), ("870101300028", "o2")]


def test_iin_is_unique_on_both(store):
    store.write("CREATE (:Person {iin: $iin})", {"iin": "870101300019"})
    with pytest.raises(Exception, match="870101300019"):  # each engine its own error, naming the key
        store.write("CREATE (:Person {iin: $iin})", {"iin": "870101300019"})
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 1}]


def test_values_come_back_as_plain_python(store):
    row = {"key": "k1", "iin": "870101300019", "type": "income", "valid_from": dt.date(2026, 1, 1),
           "valid_to": None, "month": "2026-01", "amount_kzt": 123456789012,
           "recorded_at": dt.datetime(2026, 1, 10, 9, 30, 15, 250000), "source": "KGD"}
    store.bulk_insert("Fact", [row])
    [got] = store.read("MATCH (f:Fact {key: 'k1'}) RETURN f.valid_from AS d, f.valid_to AS t, "
                       "f.amount_kzt AS a, f.recorded_at AS r, {m: f.month, d: f.valid_from} AS map, "
                       "[f.valid_from] AS list")
    assert got == {"d": dt.date(2026, 1, 1), "t": None, "a": 123456789012,
                   "r": dt.datetime(2026, 1, 10, 9, 30, 15, 250000),
                   "map": {"m": "2026-01", "d": dt.date(2026, 1, 1)}, "list": [dt.date(2026, 1, 1)]}
    assert type(got["d"]) is dt.date and type(got["r"]) is dt.datetime


def test_neo4j_temporal_types_are_converted():
    from neo4j.time import Date, DateTime

    assert dialect.to_python(Date(2026, 2, 28)) == dt.date(2026, 2, 28)
    assert dialect.to_python(DateTime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=5)))) == \
        dt.datetime(2026, 1, 1, 7)
    assert dialect.to_python({"a": [Date(2020, 1, 1)]}) == {"a": [dt.date(2020, 1, 1)]}


def _persons(n):
    return [{"iin": f"{i:012d}", "surname": "S", "given_name": "G", "birth_date": dt.date(1990, 1, 1),
             "sex": "M", "recorded_at": dt.datetime(2026, 1, 1), "source": "GBD_FL"} for i in range(n)]


def test_bulk_insert_of_nodes_and_links(store):
    store.bulk_insert("Person", _persons(3000))
    store.bulk_insert("PARENT_OF", [{"from": f"{i:012d}", "to": f"{i + 1:012d}", "since": None,
                                     "source": "ZAGS", "recorded_at": dt.datetime(2026, 1, 1)} for i in range(2999)])
    assert store.read("MATCH (a:Person)-[l:PARENT_OF]->(b:Person) RETURN count(l) AS n, max(b.iin) AS m") == \
        [{"n": 2999, "m": "000000002999"}]
    [r] = store.read("MATCH (a:Person {iin: '000000000000'}) RETURN a.patronymic AS p, a.birth_date AS b")
    assert r == {"p": None, "b": dt.date(1990, 1, 1)}


def test_ladybug_bulk_path_is_an_arrow_copy():
    t = dialect.arrow_table(model.PARENT_OF, [{"from": "a", "to": "b", "since": dt.date(2020, 1, 1)}])
    assert t.column_names[:2] == ["from", "to"] and t.column_names[2:] == list(model.PARENT_OF.names)
    assert str(t.schema.field("since").type) == "date32[day]"


def test_updates_replace_every_property(store):
    store.bulk_insert("Person", _persons(2))
    store.bulk_insert("SPOUSE_OF", [{"from": "000000000000", "to": "000000000001",
                                     "since": dt.date(2000, 1, 1), "source": "ZAGS"}])
    store.transaction(lambda tx: tx.update("SPOUSE_OF", [{"from": "000000000000", "to": "000000000001",
                                                          "until": dt.date(2010, 1, 1), "source": "ZAGS"}]))
    assert store.read("MATCH (:Person)-[s:SPOUSE_OF]->(:Person) RETURN s.since AS since, s.until AS until") == \
        [{"since": None, "until": dt.date(2010, 1, 1)}]


def test_a_failed_transaction_leaves_nothing(store):
    def boom(tx):
        tx.insert("Person", _persons(5))
        raise RuntimeError("mid-way")

    with pytest.raises(RuntimeError):
        store.transaction(boom)
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 0}]


def test_identifiers_spliced_into_statements_must_be_plain_words():
    bad = model.Table("Person) DETACH DELETE (n", (("iin", model.STRING),))
    with pytest.raises(ValueError, match="not a plain identifier"):
        dialect.ladybug_ddl([bad])


def test_ladybug_128_bit_sums_come_back_as_int(ladybug_store):
    """LadybugDB sums INT64 into INT128, which its driver returns as Decimal; Neo4j returns int."""
    from decimal import Decimal

    from familycard.graph.store.dialect import to_python

    assert to_python(Decimal("5100005")) == 5100005 and isinstance(to_python(Decimal("5")), int)
    assert to_python(Decimal("2.5")) == Decimal("2.5")
    rows = ladybug_store.read("UNWIND [1, 2, 3] AS i RETURN sum(i) AS s")
    assert rows == [{"s": 6}] and type(rows[0]["s"]) is int


def test_sum_over_no_rows_differs_so_rules_coalesce(store):
    """Neo4j sums nothing to 0, LadybugDB to null: rules write coalesce(sum(x), 0)."""
    rows = store.read("UNWIND [1] AS i OPTIONAL MATCH (f:Fact {key: 'none'}) "
                      "RETURN sum(f.amount_kzt) AS raw, coalesce(sum(f.amount_kzt), 0) AS s")
    assert rows[0]["s"] == 0
    assert rows[0]["raw"] == (None if store.engine == "ladybug" else 0)


def test_the_event_loop_reads_and_writes_as_the_thread_does_on_both(store):
    import asyncio

    _two_people(store)
    q = "MATCH (p:Person {iin: $key})-[:SPOUSE_OF]-(q:Person) RETURN $key AS of, q.iin AS kin"

    async def calls():
        try:
            written = await store.awrite("CREATE (n:Access {key: 'a1', iin: '870101300019'}) RETURN n.key AS key")
            return (written, await store.aread("MATCH (n:Access) RETURN n.key AS key"),
                    await store.aread_keyed(q, ["870101300019", "000000000000"]), await store.aread_keyed(q, []))
        finally:
            await store.aclose()

    written, read, keyed, none = asyncio.run(calls())
    assert written == read == [{"key": "a1"}]
    assert keyed == store.read_keyed(q, ["870101300019", "000000000000"]) == [{"of": "870101300019",
                                                                               "kin": "870101300028"}]
    assert none == []


def test_ladybug_answers_in_the_loop_unless_another_thread_holds_the_connection(ladybug_store):
    import asyncio
    import threading

    held, release = threading.Event(), threading.Event()

    def sweep_like():  # a long transaction in a worker thread
        with ladybug_store._lock:
            held.set()
            release.wait(5)

    async def meanwhile():
        worker = threading.Thread(target=sweep_like)
        worker.start()
        held.wait(5)
        ticks = 0

        async def tick():
            nonlocal ticks
            while not release.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.ensure_future(tick())
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, release.set)
        rows = await ladybug_store.aread("RETURN 1 AS x")  # waits for the connection in a thread
        await ticker
        worker.join()
        return rows, ticks, threading.get_ident()

    rows, ticks, _ = asyncio.run(meanwhile())
    assert rows == [{"x": 1}] and ticks >= 10  # the loop went on while the read waited

    seen = []
    real = ladybug_store.read

    def spy(*a):
        seen.append(threading.get_ident())
        return real(*a)

    ladybug_store.read = spy
    try:
        loop_thread = asyncio.run(_in_thread_id(ladybug_store))
    finally:
        ladybug_store.read = real
    assert seen == [loop_thread]  # free: read in the loop's own thread


async def _in_thread_id(store):
    import threading

    await store.aread("RETURN 1 AS x")
    return threading.get_ident()


def test_a_data_folder_that_cannot_be_one_is_named_as_the_errors_where(tmp_path):
    from familycard.graph.store import StoreUnavailable
    from familycard.graph.store.ladybug import LadybugStore

    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable, match="is a file, not a folder") as e:
        LadybugStore(blocker)
    assert (e.value.where, e.value.holder) == (blocker, None)


@pytest.mark.parametrize("path", ["/data/a'b.parquet", "/data/a\\b.parquet", "/data/a.parquet\n", "/data/a\x00b"])
def test_copy_refuses_a_path_that_could_leave_its_quotes(path):
    with pytest.raises(ValueError, match="unsafe path for COPY"):
        dialect.ladybug_copy(model.PERSON, path)


def test_copy_takes_a_folder_with_spaces_and_kazakh_letters_and_the_load_goes_through_it(tmp_path):
    """macOS keeps user data in "Application Support"; a ministry may name folders in Kazakh."""
    from familycard.graph.load.run import load_feeds
    from familycard.graph.store.ladybug import LadybugStore
    from familycard.graph.store.snapshot import counts
    from familycard.settings import Settings
    from feedmaker import lines, person

    data = tmp_path / "Application Support" / "Отбасы картасы"
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"".join(ln + b"\n" for ln in lines(person("1990-01-01", "M"), person("1992-03-04", "F"))))
    assert load_feeds(Settings(store="embedded", data_dir=data), [feed], dt.date(2026, 11, 25)).stored == 2
    with LadybugStore(data) as store:
        assert counts(store)["Person"] == 2
