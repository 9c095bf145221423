"""Saved queries for auditors, on both engines: versions, deletion, typed arguments, the run
log, and the read-only guarantee (writes, a second statement, files, procedures, time, rows)."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from familycard.graph import saved_queries as sq
from familycard.graph.saved_queries import Parameter, SavedQueryError
from familycard.graph.store import QueryRefused, QueryTimeout, check_read_query, cypher_tokens, writes
from familycard.graph.store import ladybug as ladybug_store
from familycard.graph.store import neo4j as neo4j_store

T0 = dt.datetime(2026, 11, 25, 4, 0)
KIDS = ("MATCH (p:Person) WHERE p.birth_date >= $born_after AND p.given_name STARTS WITH $prefix "
        "RETURN p.iin AS iin, p.birth_date AS born ORDER BY iin LIMIT $n")
KIDS_PARAMS = (Parameter("born_after", "DATE", description="born on or after"),
               Parameter("prefix", "STRING", required=False, default=""),
               Parameter("n", "INT", required=False, default=10))
WRITE_REFUSED = "the query tried to write; saved queries run read-only"
CROSS = ("MATCH (a:Address), (b:Address), (c:Address) WHERE a.id + b.id + c.id = 'none' "
         "RETURN count(*) AS n")


def _people(store):
    rows = [{"iin": f"0{i:011d}", "given_name": name, "birth_date": dt.date(2019 + i, 1, 1)}
            for i, name in enumerate(["Aruzhan", "Alikhan", "Dana", "Aisha", "Bolat"])]
    store.transaction(lambda tx: writes.create(tx, "Person", rows))
    return [r["iin"] for r in rows]


def _addresses(store, n):
    store.transaction(lambda tx: writes.create(tx, "Address", [{"id": f"A{i:05d}"} for i in range(n)]))


def _snapshot(store):
    return store.read("MATCH (n:Person) RETURN count(*) AS n")[0]["n"], store.read(
        "MATCH (p:Person) RETURN p.iin AS iin, p.given_name AS name ORDER BY iin")


def _run(store, name, args=None, **kw):
    kw = {"actor": "auditor1", "role": "auditor", "now": T0, "timeout_s": 5.0, "max_rows": 100, **kw}
    return sq.run(store, name, args or {}, **kw)


def _no_text_check(monkeypatch):
    """Let everything through to the engine: what it refuses by itself."""
    monkeypatch.setattr(ladybug_store, "check_read_query", lambda q: None)
    monkeypatch.setattr(neo4j_store, "check_read_query", lambda q: None)


# --- versions -----------------------------------------------------------------------------

def test_versions_supersede_and_idempotent_save(store):
    v1 = sq.save(store, "kids", KIDS, KIDS_PARAMS, "children by birth date", "alice", T0)
    assert (v1.version, v1.status, v1.author, v1.created_at) == (1, "current", "alice", T0)
    assert v1.parameters[0] == Parameter("born_after", "DATE", True, None, "born on or after")

    # the same text again (by someone else, later): nothing changes
    again = sq.save(store, "kids", KIDS, KIDS_PARAMS, "children by birth date", "bob", T0 + dt.timedelta(hours=1))
    assert again == v1
    assert len(sq.versions(store, "kids")) == 1

    v2 = sq.save(store, "kids", KIDS.replace("ORDER BY iin", "ORDER BY iin DESC"), KIDS_PARAMS,
                 "children by birth date", "bob", T0 + dt.timedelta(hours=2))
    assert (v2.version, v2.status, v2.author) == (2, "current", "bob")
    assert [(q.version, q.status) for q in sq.versions(store, "kids")] == [(1, "superseded"), (2, "current")]
    assert sq.get(store, "kids") == v2
    assert sq.get(store, "kids", 1).status == "superseded"
    assert sq.get(store, "kids", 1).cypher == KIDS
    assert sq.get(store, "kids", 7) is None and sq.get(store, "nothing") is None

    # a description change is a new version too; saving v1's text again makes v4, not v1
    assert sq.save(store, "kids", v2.cypher, KIDS_PARAMS, "new words", "bob", T0).version == 3
    assert sq.save(store, "kids", KIDS, KIDS_PARAMS, "children by birth date", "carol", T0).version == 4

    sq.save(store, "adults", "MATCH (p:Person) RETURN count(*) AS n", [], None, "alice", T0)
    sq.save(store, "births", "MATCH (p:Person) RETURN p.birth_date AS d", (), "", "alice", T0)
    page, total = sq.list_current(store, skip=0, limit=2)
    assert total == 3 and [(q.name, q.version) for q in page] == [("adults", 1), ("births", 1)]
    page, _ = sq.list_current(store, skip=2, limit=2)
    assert [(q.name, q.version) for q in page] == [("kids", 4)]

    # a refused save leaves everything as it was (the messages: test_save_refuses_with_a_message)
    with pytest.raises(SavedQueryError, match=r"the Cypher uses \$since, which is not declared"):
        sq.save(store, "kids", "MATCH (p:Person) WHERE p.birth_date >= $since RETURN p.iin", [], "", "bob", T0)
    assert [q.version for q in sq.versions(store, "kids")] == [1, 2, 3, 4]


def test_delete_keeps_versions_runnable_by_number(store):
    _people(store)
    sq.save(store, "kids", KIDS, KIDS_PARAMS, "", "alice", T0)
    sq.save(store, "kids", KIDS + " ", KIDS_PARAMS, "", "alice", T0)
    deleted = sq.delete(store, "kids", "boss", T0 + dt.timedelta(days=1))
    assert (deleted.version, deleted.status) == (2, "deleted")
    assert [(q.version, q.status) for q in sq.versions(store, "kids")] == [(1, "superseded"), (2, "deleted")]
    assert sq.get(store, "kids") is None and sq.get(store, "kids", 2).status == "deleted"
    assert sq.list_current(store, skip=0, limit=10) == ([], 0)
    # who deleted it, and when: the audit trail
    assert store.read("MATCH (e:Event) WHERE e.ref = $ref RETURN e.kind AS kind, e.cause AS cause, e.at AS at",
                      {"ref": "SavedQuery:kids@2"}) == [
        {"kind": "query_deleted", "cause": "boss", "at": T0 + dt.timedelta(days=1)}]

    with pytest.raises(SavedQueryError, match="saved query 'kids' is deleted; its versions can still be run"):
        _run(store, "kids", {"born_after": "2020-01-01"})
    assert _run(store, "kids", {"born_after": "2020-01-01"}, version=2).row_count == 4  # a finding cites v2
    assert _run(store, "kids", {"born_after": "2020-01-01"}, version=1).version == 1

    with pytest.raises(SavedQueryError, match="saved query 'kids' is already deleted"):
        sq.delete(store, "kids", "boss", T0)
    with pytest.raises(SavedQueryError, match="no saved query 'ghost'"):
        sq.delete(store, "ghost", "boss", T0)
    # saving the name again starts a new current version after the deleted ones
    again = sq.save(store, "kids", KIDS, KIDS_PARAMS, "", "alice", T0)
    assert (again.version, again.status) == (3, "current")
    assert sq.get(store, "kids", 2).status == "deleted"


# --- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "cypher", "params", "message"), [
    ("Kids", "RETURN 1 AS x", [], "the name 'Kids' is not a saved query name"),
    ("ab", "RETURN 1 AS x", [], "the name 'ab' is not a saved query name"),
    ("kids", "MATCH (p:Person) WHERE p.birth_date >= $since RETURN p.iin", [],
     r"the Cypher uses \$since, which is not declared"),
    ("kids", "RETURN 1 AS x", [Parameter("since", "DATE")],
     r"parameter 'since' is declared but the Cypher does not use \$since"),
    ("kids", "RETURN $d AS d", [Parameter("d", "DATETIME")], "parameter 'd': type 'DATETIME' is not one of"),
    ("kids", "RETURN $born_after AS d", [Parameter("born_after", "DATE", False, "2020-13-01")],
     r"parameter 'born_after': '2020-13-01' is not a date \(YYYY-MM-DD\)"),
    ("kids", "RETURN $n AS n", [Parameter("n", "INT", False, True)], "parameter 'n': True is not an integer"),
    ("kids", "RETURN $n AS n", [Parameter("n", "INT", True, 5)], "parameter 'n' is required and has a default"),
    ("kids", "RETURN $n AS n", [Parameter("n", "INT", False)], "parameter 'n' is optional and needs a default"),
    ("kids", "RETURN $n AS n", [Parameter("n", "INT"), {"name": "n", "type": "STRING"}],
     "parameter 'n' is declared twice"),
    ("kids", "RETURN $n AS n", [{"name": "n", "type": "INT", "colour": "red"}],
     "a parameter has an unknown field 'colour'"),
    ("kids", "  ", [], "the Cypher is empty"),
    ("kids", "MATCH (p:Person) SET p.given_name = 'x'", [], r"it writes \(SET\); saved queries run read-only"),
    ("kids", "MATCH (p:Person) DETACH DELETE p", [], r"it writes \(DELETE\)"),
    ("kids", "CREATE (:Person {iin: '1'})", [], WRITE_REFUSED),
    ("kids", "RETURN 1 AS x; MATCH (p:Person) RETURN p", [], "more than one statement"),
    ("kids", "CALL db.clearQueryCaches()", [], "calls db.clearQueryCaches, which a read-only query may not call"),
    ("kids", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", [], "starts with 'LOAD'"),
    ("kids", "WITH 1 AS x LOAD CSV FROM 'http://example.org/x' AS l RETURN l", [], "uses LOAD, which reads files"),
    ("kids", "SHOW TRANSACTIONS", [], "starts with 'SHOW'"),
])
def test_save_refuses_with_a_message(ladybug_store, name, cypher, params, message):
    with pytest.raises(SavedQueryError, match=message):
        sq.save(ladybug_store, name, cypher, params, "", "alice", T0)
    assert sq.list_current(ladybug_store, skip=0, limit=10) == ([], 0)


def test_check_read_query_reads_strings_comments_and_names():
    for ok in ["RETURN 'a;b' AS s", "RETURN \"x'; COMMIT; CREATE (n)\" AS s", "RETURN 1 AS x; ",
               "RETURN 1 AS x // ; CREATE (n)", "RETURN 1 /* ; COMMIT */ AS x", "MATCH (n:Show) RETURN n.load",
               "RETURN {load: 1, copy: 2} AS m", "RETURN 1 AS `show`", "CALL db.labels()",
               "CALL { MATCH (n) RETURN n } RETURN n", "MATCH (n) CALL (n) { RETURN 1 AS one } RETURN one",
               "RETURN 'it\\'s; COMMIT' AS s", "CALL show_tables() RETURN *"]:
        check_read_query(ok)
    for bad, message in [("RETURN 1 AS x; COMMIT; CREATE (n)", "more than one statement"),
                         ("RETURN 'x", "string that is never closed"), ("RETURN 1 /* ;", "comment that is never"),
                         ("CALL `db`.`clearQueryCaches`()", "calls db.clearQueryCaches"),
                         ("CALL timeout=1", "calls timeout"), ("COMMIT", "starts with 'COMMIT'"),
                         ("EXPORT DATABASE '/tmp/x'", "starts with 'EXPORT'"),
                         ("COPY (MATCH (n) RETURN n) TO '/tmp/x.csv'", "starts with 'COPY'"),
                         ("MATCH (n) RETURN n UNION ALL CALL db.stats.retrieve('QUERIES') YIELD data RETURN data",
                          "calls db.stats.retrieve"), ("", "empty"), ("// nothing", "empty")]:
        with pytest.raises(QueryRefused, match=message):
            check_read_query(bad)


# Issue 14, finding 1: a `//` comment ended by a character the engines take as a line end
# but the checker did not hid LOAD CSV / CALL dbms.listConfig from it.
HIDDEN_BEHIND_A_COMMENT = ["WITH 1 AS x //{}LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 3",
                           "WITH 1 AS x //{}CALL dbms.listConfig() YIELD name, value RETURN name, value"]
LINE_ENDS = {"\r": "carriage return", "\r\n": "carriage return", "\u2028": "line separator",
             "\u2029": "paragraph separator", "\u0085": "next line", "\f": "form feed", "\v": "vertical tab"}


@pytest.mark.parametrize("end", sorted(LINE_ENDS))
@pytest.mark.parametrize("probe", HIDDEN_BEHIND_A_COMMENT)
def test_a_comment_cannot_hide_a_file_read_or_a_procedure(probe, end):
    text = probe.format(end)
    position = text.index(end[0])
    with pytest.raises(QueryRefused, match=rf"U\+{ord(end[0]):04X} \({LINE_ENDS[end]}\) at position {position} "):
        check_read_query(text)
    # and the tokenizer ends the comment where the engines do, whatever the text
    assert ("word", "CALL" if "CALL" in probe else "LOAD") in cypher_tokens(text)
    with pytest.raises(QueryRefused, match="uses LOAD|calls dbms.listConfig"):
        check_read_query(text.replace(end, "\n"))


@pytest.mark.parametrize(("char", "name"), [("\x00", "NUL"), ("\x1b", "escape"), ("\u202e", "right-to-left override"),
                                            ("\u200b", "zero width space"), ("\x7f", "delete")])
def test_control_and_invisible_characters_are_refused_by_name_and_position(char, name):
    text = f"MATCH (p:Person)\nRETURN p.iin AS iin // {char}"
    with pytest.raises(QueryRefused, match=rf"U\+{ord(char):04X} \({name}\) at position 40 \(line 2\)"):
        check_read_query(text)
    check_read_query("MATCH (p:Person)\n\tRETURN p.iin AS iin // ünïcödé ok")


def test_saving_a_comment_trick_is_refused(ladybug_store):
    with pytest.raises(SavedQueryError, match=r"cannot be saved: .*U\+000D \(carriage return\)"):
        sq.save(ladybug_store, "passwd", HIDDEN_BEHIND_A_COMMENT[0].format("\r"), [], "", "alice", T0)


def test_neo4j_reads_no_server_file_even_past_the_checker(neo4j_store, monkeypatch):
    """The local server runs with file URLs for LOAD CSV off: the engine refuses the read
    the checker missed before (issue 14, finding 1)."""
    for probe in HIDDEN_BEHIND_A_COMMENT:
        with pytest.raises(QueryRefused):
            neo4j_store.read_only(probe.format("\r"), None, timeout_s=5, max_rows=5)
    _no_text_check(monkeypatch)
    with pytest.raises(QueryRefused, match="Cannot load from URL …: configuration property … is false"):
        neo4j_store.read_only(HIDDEN_BEHIND_A_COMMENT[0].format("\n"), None, timeout_s=5, max_rows=5)


# --- running ------------------------------------------------------------------------------

def test_run_with_typed_arguments_and_defaults(store):
    iins = _people(store)
    sq.save(store, "kids", KIDS, KIDS_PARAMS, "", "alice", T0)
    res = _run(store, "kids", {"born_after": "2021-01-01"})
    assert (res.name, res.version, res.columns, res.truncated) == ("kids", 1, ["iin", "born"], False)
    assert res.rows == [{"iin": iins[i], "born": dt.date(2019 + i, 1, 1)} for i in (2, 3, 4)]
    assert res.row_count == 3 and res.ms >= 0
    by_date = _run(store, "kids", {"born_after": dt.date(2019, 6, 1), "prefix": "A", "n": 1},
                   now=T0 + dt.timedelta(seconds=1))
    assert by_date.rows == [{"iin": iins[1], "born": dt.date(2020, 1, 1)}]
    # the log has the arguments as used: defaults applied, dates in ISO
    log, total = sq.runs(store, "kids", skip=0, limit=10)
    assert total == 2
    assert [r["parameters"] for r in log] == [{"born_after": "2019-06-01", "n": 1, "prefix": "A"},
                                              {"born_after": "2021-01-01", "n": 10, "prefix": ""}]


@pytest.mark.parametrize(("args", "message"), [
    ({"born_after": "2020-13-01"}, r"parameter 'born_after': '2020-13-01' is not a date \(YYYY-MM-DD\)"),
    ({"born_after": dt.datetime(2020, 1, 1)}, "is not a date"),
    ({}, r"parameter 'born_after' \(DATE\) is required"),
    ({"born_after": "2020-01-01", "n": True}, "parameter 'n': True is not an integer"),
    ({"born_after": "2020-01-01", "n": "5"}, "parameter 'n': '5' is not an integer"),
    ({"born_after": "2020-01-01", "prefix": 7}, "parameter 'prefix': 7 is not a string"),
    ({"born_after": "2020-01-01", "colour": "red"}, "saved query 'kids' has no parameter 'colour'"),
    ({"born_after": "٢٠٢٠-٠١-٠١"}, "is not a date"),  # ASCII digits only
    ({"born_after": "２０２０-01-01"}, "is not a date"),
])
def test_run_refuses_bad_arguments_and_logs_it(ladybug_store, args, message):
    sq.save(ladybug_store, "kids", KIDS, KIDS_PARAMS, "", "alice", T0)
    with pytest.raises(SavedQueryError, match=message):
        _run(ladybug_store, "kids", args)
    (log,), _ = sq.runs(ladybug_store, skip=0, limit=10)
    assert log["rows"] == 0 and log["version"] == 1 and log["error"] and "kids" == log["name"]


def test_run_log_success_and_failures(store):
    _people(store)
    sq.save(store, "kids", KIDS, KIDS_PARAMS, "", "alice", T0)
    sq.save(store, "writer", "MATCH (p:Person) RETURN p.iin AS iin", [], "", "alice", T0)
    _run(store, "kids", {"born_after": "2020-01-01"}, now=T0)
    with pytest.raises(SavedQueryError, match="saved query 'kids' has no version 7"):
        _run(store, "kids", {"born_after": "2020-01-01"}, version=7, now=T0 + dt.timedelta(seconds=1))
    with pytest.raises(SavedQueryError, match="no saved query 'ghost'"):
        _run(store, "ghost", {"x": 1}, now=T0 + dt.timedelta(seconds=2))
    with pytest.raises(SavedQueryError, match="is not a date"):
        _run(store, "kids", {"born_after": "soon"}, actor="eve", role="analyst", now=T0 + dt.timedelta(seconds=3))
    _run(store, "writer", max_rows=2, now=T0 + dt.timedelta(seconds=4))

    log, total = sq.runs(store, skip=0, limit=10)
    assert total == 5
    assert [(r["name"], r["version"], r["rows"], r["truncated"], r["error"]) for r in log] == [
        ("writer", 1, 2, True, None),
        ("kids", 1, 0, False, "parameter 'born_after': 'soon' is not a date (YYYY-MM-DD)"),
        ("ghost", None, 0, False, "no saved query 'ghost'"),
        ("kids", 7, 0, False, "saved query 'kids' has no version 7"),
        ("kids", 1, 4, False, None),
    ]
    eve = log[1]
    assert (eve["actor"], eve["role"], eve["at"], eve["parameters"]) == (
        "eve", "analyst", T0 + dt.timedelta(seconds=3), {"born_after": "soon"})
    assert all(isinstance(r["ms"], int) and r["ms"] >= 0 for r in log)
    assert len({r["key"] for r in log}) == 5
    kids, n = sq.runs(store, "kids", skip=1, limit=1)
    assert n == 3 and [r["version"] for r in kids] == [7]


def test_row_cap(store):
    _addresses(store, 12)
    sq.save(store, "addresses", "MATCH (a:Address) RETURN a.id AS id ORDER BY id", [], "", "alice", T0)
    capped = _run(store, "addresses", max_rows=5)
    assert capped.rows == [{"id": f"A{i:05d}"} for i in range(5)] and capped.truncated
    exact = _run(store, "addresses", max_rows=12)
    assert exact.row_count == 12 and not exact.truncated
    cols, rows, truncated = store.read_only("MATCH (a:Address) RETURN a ORDER BY a.id", None,
                                            timeout_s=5, max_rows=3)
    assert cols == ["a"] and truncated and [r["a"]["id"] for r in rows] == ["A00000", "A00001", "A00002"]
    assert {r["a"]["_LABEL"] for r in rows} == {"Address"}  # a node comes back as a dict on both engines


# --- read-only, enforced by the engine ------------------------------------------------------

WRITES = [
    "MATCH (p:Person) SET p.given_name = 'changed'",
    "MATCH (p:Person) WHERE p.given_name = 'Dana' DELETE p",
    "MATCH (p:Person) DETACH DELETE p",
    "MATCH (p:Person) SET p.birth_date = NULL",  # (REMOVE is not LadybugDB Cypher)
    "WITH 1 AS x CREATE (:Person {iin: '999999999999'})",
    "WITH 1 AS x MERGE (:Person {iin: '999999999999'})",
    "CREATE (:Person {iin: '999999999999'})",
    "MERGE (:Person {iin: '999999999999'})",
]


def test_the_engine_refuses_writes(store, monkeypatch):
    _people(store)
    before = _snapshot(store)
    _no_text_check(monkeypatch)  # nothing but the engine between the query and the graph
    for q in WRITES:
        with pytest.raises(QueryRefused) as e:
            store.read_only(q, None, timeout_s=5, max_rows=10)
        assert str(e.value) == WRITE_REFUSED, q
        assert _snapshot(store) == before, q
    # and the store goes on working
    assert store.read_only("MATCH (p:Person) RETURN count(*) AS n", None, timeout_s=5, max_rows=1) == (
        ["n"], [{"n": 5}], False)
    store.transaction(lambda tx: writes.create(tx, "Address", [{"id": "after"}]))
    assert store.read("MATCH (a:Address) RETURN a.id AS id") == [{"id": "after"}]

    # A write saved anyway (by an older familycard that did not look for writes): refused at
    # run by the engine, logged, nothing changed.
    monkeypatch.undo()
    monkeypatch.setattr(sq, "_WRITE_CLAUSES", ())
    sq.save(store, "sneaky", "MATCH (p:Person) SET p.given_name = 'x' RETURN count(*) AS n", [], "", "mallory", T0)
    with pytest.raises(QueryRefused, match=WRITE_REFUSED):
        _run(store, "sneaky")
    assert _snapshot(store) == before
    (log,), _ = sq.runs(store, "sneaky", skip=0, limit=5)
    assert (log["error"], log["rows"]) == (WRITE_REFUSED, 0)


def test_ladybug_multi_statement_escape(ladybug_store, monkeypatch):
    escape = "RETURN 1 AS x; COMMIT; CREATE (:Person {iin: '999999999999'})"
    # The attack is real: executed as a text, the second statement ends the read-only
    # transaction and the third writes.
    conn = ladybug_store._conn
    conn.execute("BEGIN TRANSACTION READ ONLY")
    conn.execute(escape)
    assert ladybug_store.read("MATCH (p:Person) RETURN count(*) AS n") == [{"n": 1}]
    ladybug_store.write("MATCH (p:Person) DELETE p")

    for q in [escape, "RETURN 1 AS x;COMMIT;MATCH (a:Address) DELETE a",
              "MATCH (p:Person) RETURN p; ROLLBACK; CREATE (:Person {iin: '999999999999'})"]:
        with pytest.raises(QueryRefused, match="more than one statement"):
            ladybug_store.read_only(q, None, timeout_s=5, max_rows=10)
    _no_text_check(monkeypatch)  # the engine alone: a text of several statements is not prepared
    with pytest.raises(QueryRefused, match="more than one statement"):
        ladybug_store.read_only(escape, None, timeout_s=5, max_rows=10)
    assert ladybug_store.read("MATCH (p:Person) RETURN count(*) AS n") == [{"n": 0}]
    ladybug_store.transaction(lambda tx: writes.create(tx, "Address", [{"id": "still works"}]))


def test_ladybug_refuses_what_its_read_only_transaction_allows(ladybug_store, tmp_path):
    refused = {
        f"EXPORT DATABASE '{tmp_path / 'export'}'": "starts with 'EXPORT'",
        f"COPY (MATCH (p:Person) RETURN p.iin) TO '{tmp_path / 'out.csv'}'": "starts with 'COPY'",
        f"LOAD FROM '{tmp_path / 'x.csv'}' (file_format='csv') RETURN *": "starts with 'LOAD'",
        "CALL auto_checkpoint=false": "calls auto_checkpoint",
        "CALL timeout=1": "calls timeout",
        "COMMIT": "starts with 'COMMIT'", "ROLLBACK": "starts with 'ROLLBACK'",
        "CHECKPOINT": "starts with 'CHECKPOINT'", "INSTALL json": "starts with 'INSTALL'",
        f"ATTACH '{tmp_path / 'other'}' AS o (dbtype lbug)": "starts with 'ATTACH'",
        "CREATE NODE TABLE X(k STRING, PRIMARY KEY(k))": WRITE_REFUSED,
    }
    for q, message in refused.items():
        with pytest.raises(QueryRefused, match=message):
            ladybug_store.read_only(q, None, timeout_s=5, max_rows=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph"]
    cols, rows, _ = ladybug_store.read_only("CALL show_tables() RETURN name", None, timeout_s=5, max_rows=100)
    assert {"name": "SavedQuery"} in rows


def test_neo4j_procedures_and_commands(neo4j_store, monkeypatch):
    s = neo4j_store
    assert s.read_only("CALL db.labels() YIELD label RETURN count(label) >= 0 AS ok", None,
                       timeout_s=5, max_rows=5) == (["ok"], [{"ok": True}], False)
    for q, message in [("CALL db.clearQueryCaches()", "calls db.clearQueryCaches"),
                       ("CALL db.stats.retrieve('QUERIES')", "calls db.stats.retrieve"),
                       ("CALL dbms.listConfig()", "calls dbms.listConfig"),
                       ("CALL tx.setMetaData({a: 1})", "calls tx.setMetaData"),
                       ("LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", "starts with 'LOAD'"),
                       ("SHOW TRANSACTIONS", "starts with 'SHOW'"), ("SHOW SETTINGS", "starts with 'SHOW'"),
                       ("TERMINATE TRANSACTION 'neo4j-transaction-1'", "starts with 'TERMINATE'")]:
        with pytest.raises(QueryRefused, match=message):
            s.read_only(q, None, timeout_s=5, max_rows=5)
    _no_text_check(monkeypatch)
    # Why the allow-list: Neo4j 5.26 runs this in a READ transaction ...
    cols, rows, _ = s.read_only("CALL db.clearQueryCaches()", None, timeout_s=5, max_rows=5)
    assert "cleared" in rows[0]["value"]
    # ... while the procedures that write are refused by the server itself
    for q in ["CALL db.createLabel('Intruder')", "CALL db.createProperty('intruder')",
              "CALL { CREATE (:Person {iin: '9'}) } IN TRANSACTIONS"]:
        with pytest.raises(QueryRefused, match=WRITE_REFUSED):
            s.read_only(q, None, timeout_s=5, max_rows=5)
    assert "Intruder" not in [r["label"] for r in s.read("CALL db.labels() YIELD label RETURN label")]
    with pytest.raises(QueryRefused, match="more than one statement"):
        s.read_only("RETURN 1 AS x; CREATE (:Person {iin: '9'})", None, timeout_s=5, max_rows=5)
    with pytest.raises(QueryRefused, match="the query failed: "):
        s.read_only("RETURN 1 +", None, timeout_s=5, max_rows=5)
    assert s.read("MATCH (p:Person) RETURN count(*) AS n") == [{"n": 0}]


def test_timeout(store):
    _addresses(store, 3_000)  # 2.7e10 triples
    sq.save(store, "cross", CROSS, [], "", "alice", T0)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"the query ran past 0.3 s"):
        _run(store, "cross", timeout_s=0.3)
    # LadybugDB stops it on time; Neo4j's transaction monitor looks every 2 s
    assert time.monotonic() - started < (1.5 if store.engine == "ladybug" else 6)
    (log,), _ = sq.runs(store, "cross", skip=0, limit=5)
    assert (log["error"], log["rows"]) == ("the query ran past 0.3 s", 0)
    assert log["ms"] >= 300
    # the store is unharmed, and the next queries run without the limit
    store.transaction(lambda tx: writes.create(tx, "Address", [{"id": "after"}]))
    assert store.read("MATCH (a:Address) RETURN count(*) AS n") == [{"n": 3_001}]
    assert store.read_only("MATCH (a:Address) RETURN count(*) AS n", None, timeout_s=5, max_rows=1)[1] == [
        {"n": 3_001}]
    if store.engine == "ladybug":  # the connection's time limit was reset: a slower query runs
        slow = "UNWIND range(1, 20000000) AS i RETURN sum(i) AS s"  # ~0.5 s here
        assert store.read(slow) == [{"s": 200000010000000}]


def test_run_parameters_json_is_the_log(ladybug_store):
    sq.save(ladybug_store, "flags", "RETURN $f AS f, $b AS b, $d AS d, $s AS s",
            [Parameter("f", "float", False, 1), Parameter("b", "BOOLEAN", False, False),
             Parameter("d", "DATE", False, "2026-01-01"), Parameter("s", "STRING", False, "x")], "", "alice", T0)
    q = sq.get(ladybug_store, "flags")
    assert [p.type for p in q.parameters] == ["FLOAT", "BOOLEAN", "DATE", "STRING"]
    assert q.parameters[0].default == 1.0 and q.parameters[2].default == dt.date(2026, 1, 1)
    res = _run(ladybug_store, "flags", {"f": 2, "b": True})
    assert res.rows == [{"f": 2.0, "b": True, "d": dt.date(2026, 1, 1), "s": "x"}]
    (log,), _ = sq.runs(ladybug_store, skip=0, limit=1)
    assert log["parameters"] == {"f": 2.0, "b": True, "d": "2026-01-01", "s": "x"}
    assert json.loads(ladybug_store.read("MATCH (r:QueryRun) RETURN r.parameters AS p")[0]["p"]) == log["parameters"]


# --- what an auditor can read (issue 14, finding 7) ----------------------------------------

PHONE = "+77011234567"
AUDITOR_HIDES = frozenset({"phone"})
PHONE_PROBES = [
    "MATCH (p:Person) RETURN 'tel:' + p.phone AS t",
    "MATCH (p:Person) RETURN substring(p.phone, 1) AS t",
    "MATCH (p:Person) RETURN CAST(p.phone AS INT64) AS t",
    "MATCH (p:Person) RETURN toInteger(p.phone) AS t",
    "MATCH (p:Person) RETURN p.PHONE AS t",
    "MATCH (p:Person) RETURN p.`Phone` AS t",
    "MATCH (p:Person) RETURN p['phone'] AS t",
    "MATCH (p:Person) RETURN p['pho' + 'ne'] AS t",
    "MATCH (p:Person) RETURN properties(p) AS t",
    "MATCH (p:Person) RETURN p{.*} AS t",
    "MATCH (p:Person) RETURN p {.phone} AS t",
    "MATCH (p:Person) RETURN p",
    "MATCH (p:Person) RETURN *",
    "MATCH (p:Person) RETURN collect(p) AS t",
    "MATCH (p:Person) WITH p AS q RETURN q",
    "MATCH (p:Person) RETURN CAST(p AS STRING) AS t",
    "MATCH (p:Person) RETURN struct_extract(p, 'ph' + 'one') AS t",
    "MATCH (p:Person) RETURN {x: p} AS t",
    "MATCH (p:Person) RETURN [p][0] AS t",
    "MATCH (p:Person) WHERE p.phone STARTS WITH '+7701' RETURN count(*) AS n",
    "MATCH (p:Person) WITH collect(p) AS ps UNWIND ps AS x RETURN x.iin AS iin",
    "MATCH (o:Offer) RETURN o.phone AS t",
    "MATCH path = (a:Person)-[:PARENT_OF]->(b:Person) RETURN nodes(path) AS t",
]


def _person_with_phone(store):
    store.transaction(lambda tx: writes.create(tx, "Person", [
        {"iin": "900301400123", "given_name": "Aigerim", "birth_date": dt.date(1990, 3, 1), "phone": PHONE}]))


@pytest.mark.parametrize("cypher", PHONE_PROBES)
def test_an_auditor_cannot_save_a_query_that_reads_phones(ladybug_store, cypher):
    with pytest.raises(SavedQueryError, match="the role auditor may not see phone"):
        sq.save(ladybug_store, "phones", cypher, [], "", "ann", T0, role="auditor", hidden=AUDITOR_HIDES)
    assert sq.versions(ladybug_store, "phones") == []


def test_what_an_auditor_can_still_ask():
    from familycard.graph.visibility import check_visible
    for ok in [KIDS, "MATCH (p:Person)-[:PARENT_OF]->(c:Person) WITH p, count(c) AS n RETURN p.iin AS iin, n",
               "MATCH (a)-[r:SPOUSE_OF]->(b) WHERE a <> b RETURN type(r) AS t, labels(a) AS l, count(DISTINCT b) AS n",
               "MATCH (p:Person) WHERE NOT (p)-[:PARENT_OF]->(:Person) AND p.death_date IS NULL RETURN count(p) AS n",
               "MATCH (p:Payment) WHERE p.month = $m RETURN p.iin AS iin, p.bank_account AS account, "
               "p.amount_kzt AS kzt",
               "MATCH (p:Person) RETURN p.iin AS iin, [(p)-[:PARENT_OF]->(c) | c.iin] AS kids",
               "MATCH path = (a:Person)-[:PARENT_OF*1..2]->(b) RETURN length(path) AS n",
               "UNWIND range(1, 10) AS i RETURN [x IN range(1, i) | x * 2][$n] AS y"]:
        check_visible(ok, AUDITOR_HIDES, "auditor", {"n"})
    with pytest.raises(QueryRefused, match="computed key"):  # a STRING parameter could say 'phone'
        check_visible("MATCH (p:Person) WITH {a: p.iin} AS m RETURN m[$k] AS x", AUDITOR_HIDES, "auditor", {"n"})


def test_a_query_saved_by_an_admin_that_reads_phones_is_refused_to_an_auditor(store):
    _person_with_phone(store)
    for i, cypher in enumerate(["MATCH (p:Person) RETURN 'tel:' + p.phone AS t", "MATCH (p:Person) RETURN p"]):
        sq.save(store, f"admin_q{i}", cypher, [], "", "root", T0, role="admin")
        assert PHONE in json.dumps(_run(store, f"admin_q{i}", role="admin").rows, default=str)
        with pytest.raises(QueryRefused, match="the role auditor may not see phone"):
            _run(store, f"admin_q{i}", hidden=AUDITOR_HIDES)
    runs, _ = sq.runs(store, skip=0, limit=10)
    assert sum("may not see phone" in (r["error"] or "") for r in runs) == 2


def test_whole_nodes_come_without_hidden_properties(store):
    _person_with_phone(store)
    from familycard.graph.visibility import strip_hidden
    _, rows, _ = store.read_only("MATCH (p:Person) RETURN p, 'phone' AS phone", None, timeout_s=5, max_rows=5)
    stripped = strip_hidden(rows, AUDITOR_HIDES)
    assert stripped[0]["p"]["iin"] == "900301400123" and "phone" not in stripped[0]["p"]
    assert stripped[0]["phone"] == "phone"  # a column is not a node


def test_engine_errors_keep_no_value(store):
    _person_with_phone(store)
    bad = ("MATCH (p:Person) RETURN CAST(p.phone AS INT64) AS t" if store.engine == "ladybug"
           else "MATCH (p:Person) RETURN date(p.given_name + '-' + p.phone) AS t")
    sq.save(store, "bad_cast", bad, [], "", "root", T0, role="admin")
    with pytest.raises(QueryRefused, match="the query failed: ") as e:
        _run(store, "bad_cast", role="admin")
    (log,), _ = sq.runs(store, "bad_cast", skip=0, limit=1)
    for text in (str(e.value), log["error"]):
        assert "7011234567" not in text and "Aigerim" not in text, text


# --- a pool of their own (issue 14, finding 9) -----------------------------------------------

def test_saved_queries_run_in_a_bounded_pool_beside_the_store_s_reads(store):
    """One slow saved query held every LadybugDB read, and four at once queued up and ran on
    after their callers had given up: now at most ``query_slots`` run, on a connection of
    their own, the next is refused at once, and a timed-out one frees its slot."""
    from concurrent.futures import ThreadPoolExecutor

    from familycard.graph.store import QueryBusy

    _addresses(store, 3_000)
    sq.save(store, "cross", CROSS, [], "", "alice", T0)
    n = store.query_slots
    with ThreadPoolExecutor(n) as pool:
        slow = [pool.submit(_run, store, "cross", timeout_s=4) for _ in range(n)]
        time.sleep(0.8)  # they run
        started = time.monotonic()
        assert store.read("MATCH (a:Address {id: 'A00007'}) RETURN a.id AS id") == [{"id": "A00007"}]
        # a card's read does not wait for them (ms when the machine is idle; it is shared)
        assert time.monotonic() - started < 1.5
        with pytest.raises(QueryBusy, match=rf"busy: {n} saved quer.* running, as many as may run at once"):
            _run(store, "cross", timeout_s=4)
        for f in slow:
            with pytest.raises(QueryTimeout):
                f.result()
    # stopped by the engine, the slots are free again
    cols, rows, _ = store.read_only("MATCH (a:Address) RETURN count(*) AS n", None, timeout_s=5, max_rows=1)
    assert rows == [{"n": 3_000}]
    runs, _ = sq.runs(store, "cross", skip=0, limit=10)
    assert sorted(r["error"].split(":")[0] for r in runs) == ["busy"] + ["the query ran past 4 s"] * n


def test_health_answers_while_the_store_is_at_work(ladybug_store, tmp_path):
    """/health waited 13 s for a LadybugDB connection held by other work."""
    import threading

    from starlette.testclient import TestClient

    from familycard.api.app import create_app
    from servers import settings_for

    held, release = threading.Event(), threading.Event()

    def sweep():
        with ladybug_store._lock:  # what a sweep or an ingest does for their whole length
            held.set()
            release.wait(10)

    worker = threading.Thread(target=sweep)
    worker.start()
    try:
        held.wait(5)
        with TestClient(create_app(settings_for(tmp_path), store=ladybug_store)) as client:
            started = time.monotonic()
            r = client.get("/health")
            assert time.monotonic() - started < 0.5
            assert r.status_code == 200 and r.json() == {"status": "ok", "store": "ladybug", "busy": True}
            release.set()
            worker.join()
            assert client.get("/health").json() == {"status": "ok", "store": "ladybug", "busy": False}
    finally:
        release.set()
        worker.join()


# --- the size of a result (issue 14, finding 10) ---------------------------------------------

def test_one_huge_row_is_refused_by_its_size(store):
    """`RETURN range(1, 3000000)` was one row of 26 MB under a row cap of 1 000."""
    sq.save(store, "huge", "RETURN 1 AS n, range(1, 3000000) AS x", [], "", "alice", T0)
    with pytest.raises(QueryRefused, match=r"larger than 4,000,000 bytes at row 1 \(column 'x'\): return fewer rows"):
        _run(store, "huge", max_bytes=4_000_000)
    (log,), _ = sq.runs(store, "huge", skip=0, limit=1)
    assert "larger than 4,000,000 bytes" in log["error"]
    # many small rows add up too; under the limit they come whole
    _addresses(store, 50)
    sq.save(store, "ids", "MATCH (a:Address) RETURN a.id AS id ORDER BY id", [], "", "alice", T0)
    with pytest.raises(QueryRefused, match=r"larger than 300 bytes at row 2[0-9] \(column 'id'\)"):
        _run(store, "ids", max_bytes=300)
    assert _run(store, "ids", max_bytes=10_000).row_count == 50


# --- what an error carries besides its sentence --------------------------------------------

@pytest.mark.parametrize(("bad", "value"), [
    ("RETURN 'x", "'"), ("CALL db.clearQueryCaches()", "db.clearQueryCaches"), ("COMMIT", "COMMIT"),
    ("WITH 1 AS x LOAD CSV FROM 'f' AS l RETURN l", "LOAD"), ("CREATE (n)", "CREATE"),
    ("MATCH (n) RETURN n // \x00", "\x00"), ("  ", "  "),
])
def test_a_refused_query_names_what_is_at_fault_as_its_value(bad, value):
    with pytest.raises(QueryRefused) as e:
        check_read_query(bad)
    assert e.value.value == value


def test_a_saved_query_error_carries_the_query_the_parameter_and_the_bad_value(ladybug_store):
    def error(call, *args, **kw) -> SavedQueryError:
        with pytest.raises(SavedQueryError) as e:
            call(*args, **kw)
        return e.value

    e = error(sq.save, ladybug_store, "kids", "RETURN $d AS d", [Parameter("d", "DATETIME")], "", "alice", T0)
    assert (e.name, e.parameter, e.value) == (None, "d", "DATETIME")
    assert error(sq.save, ladybug_store, "Kids!", "RETURN 1 AS x", [], "", "alice", T0).value == "Kids!"
    e = error(sq.save, ladybug_store, "kids", "CALL db.clearQueryCaches()", [], "", "alice", T0)
    assert str(e).startswith("the Cypher cannot be saved: the query calls") and e.value == "db.clearQueryCaches"
    sq.save(ladybug_store, "kids", KIDS, KIDS_PARAMS, "", "alice", T0)
    e = error(_run, ladybug_store, "kids", {"born_after": "2020-01-01", "n": "5"})
    assert (e.parameter, e.value) == ("n", "5")
    e = error(_run, ladybug_store, "kids", {"born_after": "2020-01-01", "colour": "red"})
    assert (e.name, e.parameter, e.value) == ("kids", "colour", "red")
    e = error(_run, ladybug_store, "kids", {"born_after": "2020-01-01"}, version=9)
    assert type(e) is sq.SavedQueryNotFound and (e.name, e.value) == ("kids", 9)
    assert error(_run, ladybug_store, "kids", {}, max_rows=0).value == 0
