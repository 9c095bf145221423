"""Step 1 of the load: the feeds, checked, spilled to Parquet (``plan.spill_schema``).

STAND-IN: every line goes through ``schema.records.parse_line`` (as ingest reads it), so its
rejections are ingest's by construction; the columnar reader replaces it with the same API.
Valid rows go to ``spill_dir/<kind>/part-NNNNN.parquet`` in chunks, never the whole feed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from familycard.graph.ingest import KEEP_REJECTIONS, Rejection
from familycard.graph.load import plan
from familycard.schema.records import RecordError, parse_line

__all__ = ["ReadSummary", "line_texts", "read_feeds"]

CHUNK_ROWS = 100_000
LINE_BITS = 40  # seq = file index << LINE_BITS | line number


@dataclass
class ReadSummary:
    read: int = 0
    valid: dict[str, int] = field(default_factory=lambda: {k: 0 for k in plan.SPILL_KINDS})
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    slow: int = 0  # lines that went through parse_line (here: all of them)


class _Spill:
    def __init__(self, spill_dir: Path, kind: str):
        self.dir = spill_dir / kind
        self.dir.mkdir(parents=True, exist_ok=True)
        self.schema = plan.spill_schema(kind)
        self.rows: list[dict] = []
        self.parts = 0

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        cols = {n: [r.get(n) for r in self.rows] for n in self.schema.names}
        pq.write_table(pa.table(cols, schema=self.schema), self.dir / f"part-{self.parts:05d}.parquet")
        self.parts += 1
        self.rows = []


def read_feeds(paths: Sequence[Path], spill_dir: Path, today: dt.date, *,
               progress: Callable[[int], None] | None = None) -> ReadSummary:
    """Read and check every line of ``paths`` (in order); spill the valid records by kind.

    ``progress`` is called with the bytes read so far (over all the feeds)."""
    summary = ReadSummary()
    spills = {k: _Spill(spill_dir, k) for k in plan.SPILL_KINDS}
    done = 0
    for fi, path in enumerate(paths):
        path = Path(path)
        origin = path.name
        summary.files.append(origin)
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                done += len(raw)
                if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if progress and n % 50_000 == 0:
                    progress(done)
                if not raw.strip():
                    continue
                summary.read += 1
                where = f"{origin}:{n}"
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    _reject(summary, where, None, f"not UTF-8 (byte {e.start + 1})")
                    continue
                summary.slow += 1
                try:
                    rec = parse_line(text, today, n)
                except RecordError as e:
                    _reject(summary, where, e.field, str(e))
                    continue
                row = dict(rec.props)
                if rec.kind == "link":
                    row.update({"type": rec.type, "from": rec.from_iin, "to": rec.to_iin})
                row["seq"] = fi << LINE_BITS | n
                row["origin"] = where
                spills[rec.kind].add(row)
                summary.valid[rec.kind] += 1
    for s in spills.values():
        s.flush()
    if progress:
        progress(done)
    return summary


def _reject(summary: ReadSummary, origin: str, fld: str | None, reason: str) -> None:
    summary.rejected += 1
    if len(summary.rejections) < KEEP_REJECTIONS:
        summary.rejections.append(Rejection(origin, fld, reason))


def line_texts(paths: Sequence[Path], seqs: Iterable[int]) -> dict[int, str]:
    """The text of the lines ``seqs`` name (as ingest keeps a waiting record: BOM dropped)."""
    want: dict[int, set[int]] = {}
    for s in seqs:
        want.setdefault(s >> LINE_BITS, set()).add(s & ((1 << LINE_BITS) - 1))
    out: dict[int, str] = {}
    for fi, lines in want.items():
        left = set(lines)
        with open(paths[fi], "rb") as f:
            for n, raw in enumerate(f, 1):
                if n in left:
                    if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    out[fi << LINE_BITS | n] = raw.decode("utf-8")
                    left.discard(n)
                    if not left:
                        break
    return out
