"""Where LadybugDB and Neo4j differ, and nowhere else.

* Schema: LadybugDB needs node and relationship tables declared; Neo4j gets uniqueness
  constraints and indexes.
* Values: Neo4j's driver returns its own temporal types; both engines hand back plain Python
  values (``date``, ``datetime``, ``int``, ``str``, lists and dicts) after ``to_python``.
* Bulk paths: LadybugDB inserts through ``COPY … FROM`` a Parquet file (row-by-row
  ``UNWIND … MATCH … CREATE`` of relationships scans a table per row there), and updates
  row by row with scalar parameters, which use its primary-key index (an ``UNWIND`` of
  two-endpoint matches does not). Neo4j takes ``UNWIND $rows`` batches for both.

Labels, types and property names come from ``model`` (never from input); values always
travel as parameters.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from familycard.graph import model
from familycard.graph.model import Table

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _ident(name: str) -> str:
    # Identifiers are spliced into statements, so only model names that are plain words pass.
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


# --- schema -----------------------------------------------------------------------------

def ladybug_ddl(tables: Iterable[Table] = model.NODE_TABLES + model.REL_TABLES + model.OWNER_TABLES) -> list[str]:
    out = []
    for t in tables:
        cols = ", ".join(f"{_ident(n)} {ty}" for n, ty in t.columns)
        if t.is_rel:
            ends = f"FROM {_ident(t.from_label)} TO {_ident(t.to_label)}"
            out.append(f"CREATE REL TABLE IF NOT EXISTS {_ident(t.name)}({ends}{', ' + cols if cols else ''})")
        else:
            out.append(f"CREATE NODE TABLE IF NOT EXISTS {_ident(t.name)}({cols}, PRIMARY KEY ({_ident(t.key)}))")
    return out


def ladybug_add_columns(table: Table, have: Iterable[str]) -> list[str]:
    """The columns a store made by an older familycard lacks (Neo4j needs none: no schema)."""
    have = set(have)
    return [f"ALTER TABLE {_ident(table.name)} ADD {_ident(n)} {ty}" for n, ty in table.columns if n not in have]


def neo4j_schema(tables: Iterable[Table] = model.NODE_TABLES,
                 indexes: Iterable[tuple[str, str]] = model.INDEXES) -> list[str]:
    out = []
    for t in tables:
        out.append(
            f"CREATE CONSTRAINT {_ident(t.name.lower())}_{_ident(t.key)}_unique IF NOT EXISTS "
            f"FOR (n:{_ident(t.name)}) REQUIRE n.{_ident(t.key)} IS UNIQUE")
    for label, prop in indexes:
        out.append(
            f"CREATE INDEX {_ident(label.lower())}_{_ident(prop)} IF NOT EXISTS "
            f"FOR (n:{_ident(label)}) ON (n.{_ident(prop)})")
    return out


def neo4j_stale_indexes(existing: Iterable[str], tables: Iterable[Table] = model.NODE_TABLES,
                        indexes: Iterable[tuple[str, str]] = model.INDEXES) -> list[str]:
    """DROP statements for indexes named by our convention that the model no longer declares
    (a store created by an older familycard keeps its indexes otherwise)."""
    ours = {f"{t.name.lower()}_{col}" for t in tables for col, _ in t.columns}
    wanted = {f"{label.lower()}_{prop}" for label, prop in indexes}
    return [f"DROP INDEX {_ident(name)} IF EXISTS" for name in sorted(existing) if name in ours and name not in wanted]


# --- values -----------------------------------------------------------------------------

def to_python(value: Any) -> Any:
    """Engine values to plain Python: neo4j.time.Date/DateTime become date/datetime; LadybugDB's
    128-bit sums (Decimal) become int."""
    if value is None or isinstance(value, (str, int, float, bool, dt.date)):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    native = getattr(value, "to_native", None)  # neo4j.time types, without importing neo4j here
    if native is not None:
        v = native()
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            v = v.astimezone(dt.UTC).replace(tzinfo=None)
        return v
    return value


def arrow_table(table: Table, rows: list[dict]):
    """Rows as a typed Arrow table in the column order LadybugDB's COPY expects."""
    import pyarrow as pa

    types = {model.STRING: pa.string(), model.DATE: pa.date32(),
             model.TIMESTAMP: pa.timestamp("us"), model.INT64: pa.int64()}
    arrays, names = [], []
    if table.is_rel:
        arrays += [pa.array([r["from"] for r in rows], pa.string()),
                   pa.array([r["to"] for r in rows], pa.string())]
        names += ["from", "to"]
    for name, ty in table.columns:
        arrays.append(pa.array([r.get(name) for r in rows], types[ty]))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


# --- statements ---------------------------------------------------------------------------

# Inside a single-quoted Cypher string only a quote or a backslash could end it or escape out of
# it; control characters are refused too. Spaces and letters of any script are fine: a data folder
# in "~/Library/Application Support" (macOS) or named in Kazakh must load.
_SAFE_PATH = re.compile(r"[^'\\\x00-\x1f\x7f]+")


def ladybug_copy(table: Table, path: str) -> str:
    """COPY from a file we wrote (LadybugDB takes no parameter for the path)."""
    if not _SAFE_PATH.fullmatch(path):  # fullmatch: `$` would let a final newline through
        raise ValueError(f"unsafe path for COPY: {path!r}")
    return f"COPY {_ident(table.name)} FROM '{path}'"


def _end_match(table: Table, var_from: str, var_to: str, ref: str) -> str:
    fl, tl = model.TABLES[table.from_label], model.TABLES[table.to_label]
    return (f"MATCH ({var_from}:{_ident(fl.name)} {{{_ident(fl.key)}: {ref}from}}) "
            f"MATCH ({var_to}:{_ident(tl.name)} {{{_ident(tl.key)}: {ref}to}})")


def _assignments(var: str, table: Table, ref: str, skip_key: bool) -> str:
    cols = table.names[1:] if (skip_key and not table.is_rel) else table.names
    return ", ".join(f"{var}.{_ident(c)} = {ref}{_ident(c)}" for c in cols)


def neo4j_upsert(table: Table) -> str:
    """UNWIND $rows: create or replace whole nodes (``SET n = r``) or links (``SET x = r.p``).

    Rows go without their null values (see ``neo4j_rows``): on Bolt every field is packed by
    the Python driver, the cost that bounds a Neo4j ingest here, and a map SET removes what a
    row leaves out, which is what replacing a record whole means.
    """
    if table.is_rel:
        return (f"UNWIND $rows AS r {_end_match(table, 'a', 'b', 'r.')} "
                f"MERGE (a)-[x:{_ident(table.name)}]->(b) SET x = r.p")
    return (f"UNWIND $rows AS r MERGE (n:{_ident(table.name)} {{{_ident(table.key)}: r.{_ident(table.key)}}}) "
            f"SET n = r")


def neo4j_rows(table: Table, rows: list[dict]) -> list[dict]:
    """Rows for ``neo4j_upsert``: model columns only, nulls dropped, link properties nested."""
    names = table.names
    if table.is_rel:
        return [{"from": r["from"], "to": r["to"],
                 "p": {k: r[k] for k in names if r.get(k) is not None}} for r in rows]
    return [{k: r[k] for k in names if r.get(k) is not None} for r in rows]


def ladybug_update(table: Table) -> str:
    """Replace every property of one existing node or link, with scalar parameters.

    Row by row on purpose: with scalar parameters LadybugDB finds both ends by primary key;
    an ``UNWIND`` of two-endpoint matches scans (measured: 0.7 ms a row vs 15 s for 20 k).
    """
    if table.is_rel:
        fl, tl = model.TABLES[table.from_label], model.TABLES[table.to_label]
        return (f"MATCH (a:{_ident(fl.name)} {{{_ident(fl.key)}: $from}})"
                f"-[x:{_ident(table.name)}]->(b:{_ident(tl.name)} {{{_ident(tl.key)}: $to}}) "
                f"SET {_assignments('x', table, '$', False)}")
    return (f"MATCH (n:{_ident(table.name)} {{{_ident(table.key)}: ${_ident(table.key)}}}) "
            f"SET {_assignments('n', table, '$', True)}")


def delete_rels_statement(table: Table, unwind: bool) -> str:
    """Delete the links of this type going out of a node (e.g. a person's old address)."""
    ref = "r." if unwind else "$"
    head = "UNWIND $rows AS r " if unwind else ""
    fl = model.TABLES[table.from_label]
    return (f"{head}MATCH (a:{_ident(fl.name)} {{{_ident(fl.key)}: {ref}from}})"
            f"-[x:{_ident(table.name)}]->() DELETE x")


def delete_nodes_statement(table: Table, unwind: bool) -> str:
    ref = "r" if unwind else "$key"
    head = "UNWIND $rows AS r " if unwind else ""
    return f"{head}MATCH (n:{_ident(table.name)} {{{_ident(table.key)}: {ref}}}) DETACH DELETE n"


def patch_statement(table: Table, columns: list[str], all_null: list[str] = ()) -> str:
    """UNWIND $rows: set some properties of existing nodes found by key.

    A column that is null in every row is written as a literal NULL: LadybugDB types a
    parameter column it never sees a value in as STRING, which a DATE or TIMESTAMP property
    refuses; Neo4j takes either.
    """
    sets = ", ".join(f"n.{_ident(c)} = {'NULL' if c in all_null else 'r.' + _ident(c)}" for c in columns)
    return f"UNWIND $rows AS r MATCH (n:{_ident(table.name)} {{{_ident(table.key)}: r.{_ident(table.key)}}}) SET {sets}"


def create_statement(table: Table, all_null: Iterable[str] = ()) -> str:
    """UNWIND $rows: create nodes known not to exist, every column set (null-only columns as
    literal NULL, as in ``patch_statement``).

    The flow's small inserts go this way rather than through COPY on LadybugDB: after a
    kill -9, LadybugDB 0.22 was seen to replay a transaction's SETs but not the rows it had
    COPYed (the flow crash test caught 'sent' messages without their audit events).
    """
    nulls = set(all_null)
    props = ", ".join(f"{_ident(c)}: {'NULL' if c in nulls else 'r.' + _ident(c)}" for c in table.names)
    return f"UNWIND $rows AS r CREATE (n:{_ident(table.name)} {{{props}}})"


def create_owned_statement(table: Table, link: Table, all_null: Iterable[str] = ()) -> str:
    """As ``create_statement``, each node created with the link from the person its ``iin``
    names, in one statement (LadybugDB finds the person by key for each row: 5 000 rows in
    0.16 s against 0.13 s without links; matching both ends of a link after the node was
    created is a hash join that took 47 s). Returns the keys created: a row whose person is
    not stored creates nothing, and the caller creates that node without a link."""
    nulls = set(all_null)
    props = ", ".join(f"{_ident(c)}: {'NULL' if c in nulls else 'r.' + _ident(c)}" for c in table.names)
    return (f"UNWIND $rows AS r MATCH (p:Person {{iin: r.iin}}) "
            f"CREATE (p)-[:{_ident(link.name)}]->(n:{_ident(table.name)} {{{props}}}) "
            f"RETURN n.{_ident(table.key)} AS key")


def owner_backfill_statement(table: Table, link: Table) -> str:
    """Link the nodes of ``table`` made before their owner links existed (a store from an older
    familycard) to their person; nodes already linked are left alone."""
    return (f"MATCH (n:{_ident(table.name)}) WHERE n.iin IS NOT NULL "
            f"AND NOT EXISTS {{ MATCH (n)<-[:{_ident(link.name)}]-(:Person) }} "
            f"MATCH (p:Person {{iin: n.iin}}) CREATE (p)-[:{_ident(link.name)}]->(n)")


_KEY_PARAM = re.compile(r"\$key\b")


def unwind_keys(query: str) -> str:
    """A query written for one key (``$key``) as one statement for a list of them (``$keys``):
    what a server wants, one round trip (see ``Store.read_keyed``)."""
    return "UNWIND $keys AS key_ " + _KEY_PARAM.sub("key_", query)


def rel_type(function: str, var: str) -> str:
    """The expression naming a relationship's type, with the store's ``link_type_function``
    (`type(r)` in Neo4j, `label(r)` in LadybugDB). Rules never need it; a read that follows
    several link types in one pattern does (one pattern instead of one per type: 1.2 ms
    against 6 ms in LadybugDB)."""
    return f"{_ident(function)}({_ident(var)})"
