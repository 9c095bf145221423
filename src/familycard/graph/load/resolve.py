"""Step 2 of the load: the spilled records resolved into the graph's tables (``plan.PLAN_TABLES``).

What ``graph.ingest.ingest_lines`` makes of the same feed in an empty store, in columns:

- last writer wins per person (IIN), link (type, from, to) and fact (key): the later
  ``recorded_at``, ties by the higher digest (``Record.supersedes``), an identical record by the
  earlier line; every other record on the same thing counts as ``unchanged``;
- a link or fact whose persons the whole feed never names waits as a ``Pending`` node (the line
  as it came, its origin, ``f"{kind}|{key}"``);
- PARENT_OF refused as ``_check_links`` refuses it, with its words: a parent less than
  ``MIN_PARENT_AGE_YEARS`` older (saying so when the link would close a cycle, or when the parent
  is born after the child), a third living parent (the first two in feed order, by the first
  line naming each link, stay);
- an ``Address`` per distinct address of the winning persons, ``LIVES_AT`` and ``HAS_FACT``.

Checks run against the WHOLE feed (all of its files, in order), where ingest checks each batch
against the store plus the batch: so a link arriving before its persons is checked and stored
here, where a multi-batch ingest parks it and lands it at the end of the run; a record that
changes a stored one counts once as stored here (ingest counts each batch's winner). For a feed
ingested in one batch (or whose batches do not interleave like that) both give the same graph,
the same rejections and the same counts.

Memory stays bounded by partitioning each kind by a hash of its key into buckets of about
``BUCKET_ROWS`` spilled rows (one streaming pass): one bucket is deduplicated at a time. What
does grow with the feed: the persons' keys and dates (joined to each link and fact bucket) and
the ready PARENT_OF links on the five columns their checks read.
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from familycard.graph import model
from familycard.graph.ingest import (
    KEEP_REJECTIONS,
    MIN_PARENT_AGE_YEARS,
    Rejection,
    third_parent_reason,
    too_young_reason,
)
from familycard.graph.load import plan

__all__ = ["BUCKET_ROWS", "ResolveSummary", "resolve_spill"]

# Spilled rows deduplicated at once. Measured at 300 k people (2.87 M fact rows; shared 2-core
# machine): in one bucket the resolve peaked at 1.91 GB RSS (16 s for the facts), in buckets of
# 1 M rows at 0.87 GB (23 s): some 650 bytes a bucket row, so memory no longer grows with the feed.
BUCKET_ROWS = 1_000_000
_LINK_KEY = ["type", "from", "to"]
SLICE_ROWS = 250_000  # rows converted to Arrow at a time when a plan file is written


@dataclass
class ResolveSummary:
    stored_by_kind: dict[str, int] = field(default_factory=lambda: {"person": 0, "link": 0, "fact": 0})
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # feed order, first KEEP_REJECTIONS
    pending: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # plan rows by table

    @property
    def stored(self) -> int:
        return sum(self.stored_by_kind.values())


def resolve_spill(spill_dir: Path, plan_dir: Path, today: dt.date,
                  texts: Callable[[Iterable[int]], dict[int, str]], *,
                  work_dir: Path | None = None, bucket_rows: int = BUCKET_ROWS) -> ResolveSummary:
    """Write ``plan_dir/<Table>/part-*.parquet`` for every plan table from ``spill_dir``.

    ``texts(seqs)``: the raw text of the lines ``seqs`` name (``read.line_texts``), for the
    records that wait as Pending. ``work_dir`` (default ``plan_dir/../resolve``) holds the
    intermediate files; removed at the end."""
    work = work_dir or plan_dir.parent / "resolve"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(plan_dir, ignore_errors=True)
    work.mkdir(parents=True)
    plan_dir.mkdir(parents=True)
    out = ResolveSummary()
    _persons(spill_dir, plan_dir, work, out, bucket_rows)
    pending = [_links(spill_dir, plan_dir, work, today, out, bucket_rows),
               _facts(spill_dir, plan_dir, work, out, bucket_rows)]
    _pending(plan_dir, pl.concat(pending), texts, out)
    for t in plan.PLAN_TABLES:
        out.rows[t.name] = sum(pq.ParquetFile(f).metadata.num_rows for f in plan.table_files(plan_dir, t))
    shutil.rmtree(work, ignore_errors=True)
    return out


# --- reading and writing ------------------------------------------------------------------------

def _scan(folder: Path, schema) -> pl.LazyFrame:
    files = sorted(folder.glob("part-*.parquet"))
    if not files:
        return pl.from_arrow(schema.empty_table()).lazy()
    return pl.scan_parquet(files)


def _spill(spill_dir: Path, kind: str) -> tuple[pl.LazyFrame, int]:
    folder = spill_dir / kind
    files = sorted(folder.glob("part-*.parquet"))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return _scan(folder, plan.spill_schema(kind)), rows


class _Parts:
    """The part files of one plan table, written one frame at a time in the contract's types."""

    def __init__(self, plan_dir: Path, table: model.Table):
        self.dir = plan_dir / table.name
        self.schema = plan.plan_schema(table)
        self.n = 0

    def write(self, df: pl.DataFrame) -> int:
        if df.height == 0:
            return 0
        self.dir.mkdir(parents=True, exist_ok=True)
        df = df.select(self.schema.names)
        # In slices: the Arrow copy of a whole bucket (cast to the contract's types) doubled
        # the resolve's peak memory.
        with pq.ParquetWriter(self.dir / f"part-{self.n:05d}.parquet", self.schema) as w:
            for piece in df.iter_slices(SLICE_ROWS):
                w.write_table(piece.to_arrow().cast(self.schema))
        self.n += 1
        return df.height


def _buckets(rows: int, bucket_rows: int) -> int:
    return max(1, -(-rows // bucket_rows))


def _buckets_of(lf: pl.LazyFrame, keys: list[str], n: int, work: Path, kind: str) -> list[pl.LazyFrame]:
    """The spill of one kind in ``n`` buckets by a hash of its key: one streaming pass writes
    each bucket's files (filtering the whole spill once a bucket would read it ``n`` times)."""
    if n == 1:
        return [lf]
    h = pl.col(keys[0]).hash(seed=17) if len(keys) == 1 else pl.struct(keys).hash(seed=17)
    base = work / "buckets" / kind
    lf.with_columns(_bucket=h % n).sink_parquet(pl.PartitionBy(base, key="_bucket", include_key=False), mkdir=True)
    return [pl.scan_parquet(sorted(d.glob("*.parquet"))) for d in sorted(base.iterdir())
            if d.is_dir() and any(d.glob("*.parquet"))]


def _winners(lf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """One row per key: the last writer (later recorded_at, then the higher digest; the same
    record twice: the earlier line), with ``first_seq``, the first line naming the key (the
    place ingest's batch gives the key: a dict keeps the first key's position)."""
    # Chosen on the narrow columns (key, time, digest, seq), then the whole rows fetched by seq:
    # sorting whole rows held 1.05 GB for 1.2 M spilled rows, this 0.7 GB (100 k people).
    best = (lf.select(*keys, "recorded_at", "digest", "seq")
            .sort(["recorded_at", "digest", "seq"], descending=[True, True, False])
            .group_by(keys).agg(pl.col("seq").first(), pl.col("seq").min().alias("first_seq")))
    return lf.join(best.select("seq", "first_seq"), on="seq", how="inner")


# --- persons, addresses, homes ----------------------------------------------------------------

def _persons(spill_dir: Path, plan_dir: Path, work: Path, out: ResolveSummary, bucket_rows: int) -> None:
    lf, rows = _spill(spill_dir, "person")
    n = _buckets(rows, bucket_rows)
    persons, homes = _Parts(plan_dir, model.PERSON), _Parts(plan_dir, model.LIVES_AT)
    for part in _buckets_of(lf, ["iin"], n, work, "person"):
        win = _winners(part, ["iin"]).collect(engine="streaming")
        out.stored_by_kind["person"] += persons.write(win)
        homes.write(win.filter(pl.col("address_id").is_not_null() & (pl.col("address_id") != ""))
                    .select(pl.col("iin").alias("from"), pl.col("address_id").alias("to")))
    out.unchanged += rows - out.stored_by_kind["person"]
    addresses = (_scan(plan_dir / model.LIVES_AT.name, plan.plan_schema(model.LIVES_AT))
                 .select(pl.col("to").alias("id")).unique().sort("id").collect())
    _Parts(plan_dir, model.ADDRESS).write(addresses)


def _person_dates(plan_dir: Path) -> pl.LazyFrame:
    return _scan(plan_dir / model.PERSON.name, plan.plan_schema(model.PERSON)).select(
        "iin", "birth_date", "death_date")


# --- links -----------------------------------------------------------------------------------

def _ymd(col: str) -> pl.Expr:
    d = pl.col(col)
    return d.dt.year().cast(pl.Int64) * 10_000 + d.dt.month().cast(pl.Int64) * 100 + d.dt.day().cast(pl.Int64)


def _links(spill_dir: Path, plan_dir: Path, work: Path, today: dt.date, out: ResolveSummary,
           bucket_rows: int) -> pl.DataFrame:
    """Store the acceptable links, refuse the impossible ones; return those that wait."""
    lf, rows = _spill(spill_dir, "link")
    n = _buckets(rows, bucket_rows)
    folder = work / "links"
    folder.mkdir()
    winners = 0
    for b, part in enumerate(_buckets_of(lf, _LINK_KEY, n, work, "link")):
        win = _winners(part, _LINK_KEY).collect(engine="streaming")
        winners += win.height
        if win.height:
            win.write_parquet(folder / f"part-{b:05d}.parquet")
    out.unchanged += rows - winners
    if not winners:
        return _no_pending()
    dates = _person_dates(plan_dir)
    iins = dates.select("iin")
    flagged = (pl.scan_parquet(sorted(folder.glob("part-*.parquet")))
               .join(iins.select(pl.col("iin").alias("from"), f_ok=pl.lit(True)), on="from", how="left")
               .join(iins.select(pl.col("iin").alias("to"), t_ok=pl.lit(True)), on="to", how="left")
               .with_columns(ready=pl.col("f_ok").fill_null(False) & pl.col("t_ok").fill_null(False)))
    # Only PARENT_OF is checked, on the columns the checks read (memory: ~100 bytes a link).
    parents = (flagged.filter(pl.col("ready") & (pl.col("type") == "PARENT_OF"))
               .select("from", "to", "until", "first_seq", "origin")
               .join(dates.select(pl.col("iin").alias("from"), fb=pl.col("birth_date"), fd=pl.col("death_date")),
                     on="from", how="left")
               .join(dates.select(pl.col("iin").alias("to"), tb=pl.col("birth_date")), on="to", how="left")
               # add_years(parent's birth, 12) > child's birth, as dates.add_years counts it: on
               # (year, month, day) numbers, 29 February + 12 years compares as 1 March would.
               .with_columns(too_young=_ymd("fb") + MIN_PARENT_AGE_YEARS * 10_000 > _ymd("tb"))
               .collect(engine="streaming"))
    refused = _refuse(parents, today)
    for ltype, table in model.LINK_TABLES.items():
        out.stored_by_kind["link"] += _Parts(plan_dir, table).write(
            flagged.filter(pl.col("ready") & (pl.col("type") == ltype))
            .join(refused.lazy().select("first_seq"), on="first_seq", how="anti").collect(engine="streaming"))
    for r in refused.sort("first_seq").iter_rows(named=True):
        out.rejected += 1
        if len(out.rejections) < KEEP_REJECTIONS:
            out.rejections.append(Rejection(r["origin"], "from", f"from: {r['reason']}"))
    return flagged.filter(~pl.col("ready")).select(
        key=pl.lit("link|") + pl.col("type") + "|" + pl.col("from") + "|" + pl.col("to"),
        kind=pl.lit("link"), from_iin=pl.col("from"), to_iin=pl.col("to"), seq=pl.col("seq"),
        origin=pl.col("origin"), recorded_at=pl.col("recorded_at"), digest=pl.col("digest")).collect(engine="streaming")


def _refuse(parents: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The PARENT_OF links (ready: both persons there) ``_check_links`` refuses: first_seq,
    origin (the winner's line) and the reason (without the ``from: `` it is given as a rejection)."""
    young = parents.filter(pl.col("too_young"))
    cycles = _cycles(parents.filter(~pl.col("too_young")).select(child="to", parent="from"), young)
    reasons = []
    for r in young.iter_rows(named=True):
        f, t = r["from"], r["to"]
        reasons.append({"first_seq": r["first_seq"], "origin": r["origin"],
                        "reason": too_young_reason(f, r["fb"], t, r["tb"], (f, t) in cycles)})
    # A third living parent: of a child's living parents (the link not ended by today, the
    # parent not dead by today), the first two in feed order stay, each later one is refused.
    living = (parents.filter(~pl.col("too_young")
                             & (pl.col("until").is_null() | (pl.col("until") > today))
                             & (pl.col("fd").is_null() | (pl.col("fd") > today)))
              .sort("first_seq")
              .with_columns(rank=pl.col("first_seq").rank("ordinal").over("to")))
    firsts = (living.filter(pl.col("rank") <= 2).group_by("to")
              .agg(pl.col("from").alias("others")))
    third = living.filter(pl.col("rank") > 2).join(firsts, on="to")
    for r in third.iter_rows(named=True):
        reasons.append({"first_seq": r["first_seq"], "origin": r["origin"],
                        "reason": third_parent_reason(r["to"], r["others"], r["from"])})
    schema = {"first_seq": pl.Int64, "origin": pl.String, "reason": pl.String}
    return pl.DataFrame(reasons, schema=schema)


def _cycles(edges: pl.DataFrame, young: pl.DataFrame) -> set[tuple[str, str]]:
    """(from, to) of the too-young links whose child is already an ancestor of their parent,
    through the links that pass the age test (as ``ingest._ancestors`` walks them: one
    generation a step; those links only go to older persons, so the walk ends)."""
    if young.height == 0:
        return set()
    starts = young.select(pl.col("from").alias("start")).unique()
    frontier = starts.with_columns(node=pl.col("start"))
    found = pl.DataFrame(schema={"start": pl.String, "node": pl.String})
    while frontier.height:
        nxt = (frontier.join(edges, left_on="node", right_on="child")
               .select("start", node=pl.col("parent")).unique()
               .filter(pl.col("node") != pl.col("start"))
               .join(found, on=["start", "node"], how="anti"))
        found = pl.concat([found, nxt])
        frontier = nxt
    hits = young.join(found, left_on=["from", "to"], right_on=["start", "node"], how="semi")
    return set(zip(hits["from"], hits["to"], strict=True))


# --- facts -----------------------------------------------------------------------------------

def _facts(spill_dir: Path, plan_dir: Path, work: Path, out: ResolveSummary, bucket_rows: int) -> pl.DataFrame:
    lf, rows = _spill(spill_dir, "fact")
    n = _buckets(rows, bucket_rows)
    iins = _person_dates(plan_dir).select("iin")
    facts, has = _Parts(plan_dir, model.FACT), _Parts(plan_dir, model.HAS_FACT)
    waiting = []
    for part in _buckets_of(lf, ["key"], n, work, "fact"):
        win = (_winners(part, ["key"])
               .join(iins.with_columns(known=pl.lit(True)), on="iin", how="left").collect(engine="streaming"))
        waiting.append(win.filter(pl.col("known").is_null()).select(
            key=pl.lit("fact|") + pl.col("key"), kind=pl.lit("fact"), from_iin=pl.col("iin"),
            to_iin=pl.lit(None, pl.String), seq=pl.col("seq"), origin=pl.col("origin"),
            recorded_at=pl.col("recorded_at"), digest=pl.col("digest")))
        stored = win.filter(pl.col("known").is_not_null())
        del win  # one copy of the bucket at a time
        out.stored_by_kind["fact"] += facts.write(stored)
        has.write(stored.select(pl.col("iin").alias("from"), pl.col("key").alias("to")))
        del stored
    out.unchanged += rows - out.stored_by_kind["fact"] - sum(w.height for w in waiting)
    return pl.concat(waiting) if waiting else _no_pending()


# --- pending ---------------------------------------------------------------------------------

def _no_pending() -> pl.DataFrame:
    return pl.DataFrame(schema={"key": pl.String, "kind": pl.String, "from_iin": pl.String, "to_iin": pl.String,
                                "seq": pl.Int64, "origin": pl.String, "recorded_at": pl.Datetime("us"),
                                "digest": pl.String})


def _pending(plan_dir: Path, waiting: pl.DataFrame, texts: Callable[[Iterable[int]], dict[int, str]],
             out: ResolveSummary) -> None:
    """Links and facts whose persons the feed never names: kept with their line as it came."""
    out.pending = waiting.height
    if not waiting.height:
        return
    lines = texts(waiting["seq"].to_list())
    waiting = waiting.sort("key").with_columns(
        record=pl.col("seq").replace_strict(lines, return_dtype=pl.String, default=None))
    _Parts(plan_dir, model.PENDING).write(waiting)
