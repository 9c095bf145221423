"""Step 1 of the load: the feeds read in blocks, checked in columns, valid rows spilled to Parquet.

A block (``BLOCK_BYTES``, cut after a newline) is decoded and checked in columns by one of two
threads (``_columns.read_block``): the columns vouch for the lines of the common shapes, and
every other line goes through ``schema.records.parse_line``, so valid rows carry exactly the
props and digest ingest would store and rejections read exactly as ingest's. Blocks are
numbered across the feeds; each writes ``spill/<kind>/part-<block>.parquet`` (plan.py). At
most ``workers + 1`` blocks are in flight: memory stays bounded whatever the feed's size.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from familycard.graph.ingest import KEEP_REJECTIONS, Rejection
from familycard.graph.load import plan
from familycard.graph.load._columns import LINE_BITS, BlockResult, read_block

__all__ = ["ReadSummary", "line_texts", "read_feeds", "seq_of"]

# A block's columns peak at ~20x its bytes (lines, decoded fields, staged checks, props and
# their reprs): 8 MB blocks (~40 k lines) kept a 100 k-person read at 475 MB; the cost of a
# block is not in its count (32 MB blocks took as much CPU and 1.4 GB with two processes).
BLOCK_BYTES = 8 << 20
_FEW_VALUES = ["type", "source", "sex", "citizenship", "disability_group", "month", "name", "benefit"]


def seq_of(file_index: int, line: int) -> int:
    """A line's place in the feeds: file index << 40 | line number."""
    return (file_index << LINE_BITS) | line


@dataclass
class ReadSummary:
    read: int = 0  # non-blank lines, as ingest's IngestSummary.read
    valid: dict[str, int] = field(default_factory=lambda: dict.fromkeys(plan.SPILL_KINDS, 0))
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # the first KEEP_REJECTIONS, in feed order
    files: list[str] = field(default_factory=list)  # origin name of each feed (index = file index in seq)
    slow: int = 0  # lines the columns could not vouch for, read by parse_line one by one


@dataclass
class _Block:
    number: int
    file_index: int
    name: str
    first_line: int
    data: bytes


def _blocks(paths: Sequence[Path], block_bytes: int) -> Iterator[_Block]:
    number = 0
    for fi, path in enumerate(paths):
        line = 1
        carry = b""
        want = block_bytes
        with open(path, "rb") as f:
            while True:
                chunk = f.read(want)
                data = carry + chunk if carry else chunk
                if not chunk:
                    if data:
                        yield _Block(number, fi, path.name, line, data)
                        number += 1
                    break
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # one line longer than a block: read on (twice as much each time) to its end
                    carry, want = data, len(data)
                    continue
                want = block_bytes
                carry = data[cut:]
                block = data[:cut] if carry else data
                yield _Block(number, fi, path.name, line, block)
                number += 1
                line += block.count(b"\n")


def _work(block: _Block, today: dt.date, spill_dir: Path, keep: int) -> tuple[BlockResult, int]:
    schemas = {k: plan.spill_schema(k) for k in plan.SPILL_KINDS}
    res = read_block(block.data, block.file_index, block.name, block.first_line, today, schemas, keep)
    for kind, table in res.tables.items():
        # lz4 and dictionaries for the few-valued columns only: a third of snappy-with-
        # dictionaries' CPU (0.09 s against 0.28 s a 32 MB block), for files read once.
        pq.write_table(table, spill_dir / kind / f"part-{block.number:05d}.parquet",
                       compression="lz4", use_dictionary=_FEW_VALUES)
    res.tables = {}
    return res, len(block.data)


def read_feeds(paths: Sequence[Path], spill_dir: Path, today: dt.date, *,
               progress: Callable[[int], None] | None = None) -> ReadSummary:
    """Read and check the feeds (in this order), spilling valid records to
    ``spill_dir/<kind>/part-NNNNN.parquet`` (``plan.spill_schema``); ``progress(bytes_read)``
    after each block. Parts a former (interrupted) read left there are removed first."""
    paths = [Path(p) for p in paths]
    summary = ReadSummary(files=[p.name for p in paths])
    for kind in plan.SPILL_KINDS:
        d = spill_dir / kind
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("part-*.parquet"):
            old.unlink()
    done = 0

    def take(res: BlockResult, size: int) -> None:
        nonlocal done
        summary.read += res.read
        summary.slow += res.slow
        summary.rejected += res.rejected
        for kind, n in res.valid.items():
            summary.valid[kind] += n
        room = KEEP_REJECTIONS - len(summary.rejections)
        summary.rejections.extend(Rejection(*r) for r in res.rejections[:max(room, 0)])
        done += size
        if progress:
            progress(done)

    # Two threads, not processes: polars and Arrow (decoding, checks, Parquet) release the
    # GIL, so one block's Python steps (digests, parse_line) overlap the other's columns. On
    # 100 k people (shared machine) two processes took 13.8 CPU-s and 870 MB (the imports,
    # the pickled blocks twice), two threads 11.1 CPU-s and 475 MB.
    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load-read") as pool:
        inflight: deque[Future] = deque()
        for b in _blocks(paths, BLOCK_BYTES):
            inflight.append(pool.submit(_work, b, today, spill_dir, KEEP_REJECTIONS))
            while len(inflight) > workers:
                take(*inflight.popleft().result())
        while inflight:
            take(*inflight.popleft().result())
    return summary


def line_texts(paths: Sequence[Path], seqs: Iterable[int]) -> dict[int, str]:
    """The text of the lines with these ``seq`` values, decoded as ingest keeps it (a Pending
    node's ``record``): the line with its newline, a BOM on line 1 dropped."""
    want: dict[int, set[int]] = {}
    for s in seqs:
        want.setdefault(s >> LINE_BITS, set()).add(s & ((1 << LINE_BITS) - 1))
    out: dict[int, str] = {}
    for fi, lines in sorted(want.items()):
        last = max(lines)
        with open(paths[fi], "rb") as f:
            for n, raw in enumerate(f, 1):
                if n in lines:
                    if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    out[seq_of(fi, n)] = raw.decode("utf-8", errors="replace")
                if n >= last:
                    break
    return out
