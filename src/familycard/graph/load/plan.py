"""The files between the load's steps: where they are and what their columns are.

A load works in ``<data folder>/load-<started>/``: ``spill/<kind>/part-*.parquet`` (the valid
records as read, step 1) and ``plan/<Table>/part-*.parquet`` (the graph's tables, step 2).
Column types are those of ``dialect.arrow_table``: STRING string, DATE date32, TIMESTAMP
timestamp[us] (naive UTC), INT64 int64.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from familycard.graph import model

__all__ = ["ARROW_TYPES", "PLAN_TABLES", "SPILL_KINDS", "plan_schema", "spill_schema", "table_files"]

ARROW_TYPES = {model.STRING: pa.string(), model.DATE: pa.date32(),
               model.TIMESTAMP: pa.timestamp("us"), model.INT64: pa.int64()}

# What the graph's tables hold after a load: the family graph, as ingest makes it (snapshot.py).
PLAN_TABLES = model.REGISTRY_TABLES + model.REL_TABLES

# Step 1's output: one folder per kind. Every row carries ``seq`` (its place in the feed: file
# index << 40 | line number, so later lines sort after earlier ones) and ``origin``
# ("feed.jsonl:17"), for the checks against the whole feed and their rejections.
_ORDER = (("seq", pa.int64()), ("origin", pa.string()))
_LINK_KEY = (("type", pa.string()), ("from", pa.string()), ("to", pa.string()))
SPILL_KINDS = ("person", "link", "fact")


def _fields(table: model.Table) -> list[tuple[str, pa.DataType]]:
    return [(n, ARROW_TYPES[t]) for n, t in table.columns]


def spill_schema(kind: str) -> pa.Schema:
    """person: Person's columns; link: type, from, to (SPOUSE_OF lower IIN first, as ingest
    stores it) and a link's columns; fact: Fact's columns. Then seq and origin."""
    if kind == "person":
        cols = _fields(model.PERSON)
    elif kind == "link":
        cols = list(_LINK_KEY) + _fields(model.PARENT_OF)
    elif kind == "fact":
        cols = _fields(model.FACT)
    else:
        raise ValueError(f"unknown spill kind {kind!r} ({', '.join(SPILL_KINDS)})")
    return pa.schema(cols + list(_ORDER))


def plan_schema(table: model.Table) -> pa.Schema:
    """A plan table: a node table's columns in model order; a relationship table's ``from`` and
    ``to`` keys first (as LadybugDB's COPY takes them), then its columns."""
    ends = [("from", pa.string()), ("to", pa.string())] if table.is_rel else []
    return pa.schema(ends + _fields(table))


def table_files(plan_dir: Path, table: model.Table) -> list[Path]:
    """The Parquet files of one plan table, in order (none when the table is empty)."""
    return sorted((plan_dir / table.name).glob("part-*.parquet"))
