"""Where LadybugDB's memory goes during a long write: a standalone reproduction (issue 17).

    .venv/bin/python bench/ladybug_memory.py --rows 50000 --batches 20
    .venv/bin/python bench/ladybug_memory.py --rows 50000 --batches 20 --variants string-pk int-pk

Plain ``import ladybug`` (no familycard code): a node table shaped like familycard's ``Fact``
(12 columns, a ~30-character STRING key), N batches of K rows written the way ``familycard
ingest`` writes them, the process's RSS (``/proc/self/status``) read after each batch. Every
variant runs in a fresh process (so one variant's memory is not the next one's) on a fresh
database in a temporary folder. Variants (``--variants``; default: all):

  string-pk       COPY from a Parquet file, one transaction a batch, STRING primary key
  int-pk          the same rows, an INT64 primary key (the string key an ordinary column)
  serial-pk       the same rows, a SERIAL primary key
  string-pk-ckpt  as string-pk, with an explicit CHECKPOINT after every batch
  string-pk-no-auto-ckpt  as string-pk, auto_checkpoint off (one checkpoint at the end)
  string-pk-reopen  as string-pk, closing and reopening Database and Connection every 5 batches
  string-pk-bp256  as string-pk, buffer pool capped at 256 MB
  lookup          as string-pk, plus familycard's last-writer-wins read before each COPY
                  (``UNWIND $keys AS k MATCH (n:Fact {key: k}) RETURN …``)
  create          UNWIND $rows CREATE (statements, not COPY), STRING primary key
  rel             string-pk plus a relationship table from a Person table: COPY of one
                  relationship per row (familycard's HAS_FACT)

Prints, per variant, RSS after each batch and a summary line: RSS growth per stored row,
and RSS after closing the database (and after reopening it), which says whether the memory
belongs to the open database or is lost for the life of the process.

Measured with ladybug 0.22.0 (2 shared cores, 24 GB; ``--rows 50000 --batches 20``, 1 M rows;
seconds are noisy, the machine was shared):

| variant | s | RSS start | RSS end | KB/row | after close | after close + malloc_trim | reopened |
|---|---:|---:|---:|---:|---:|---:|---:|
| string-pk | 36.3 | 151 MB | 540 MB | 0.398 | 383 MB | 201 MB | 244 MB |
| int-pk | 35.0 | 151 MB | 454 MB | 0.311 | 330 MB | 175 MB | 220 MB |
| serial-pk | 23.4 | 151 MB | 460 MB | 0.316 | 331 MB | 175 MB | 219 MB |
| string-pk-ckpt | 18.1 | 151 MB | 549 MB | 0.408 | 361 MB | 193 MB | 237 MB |
| string-pk-no-auto-ckpt | 16.5 | 151 MB | 745 MB | 0.608 | 606 MB | 185 MB | 228 MB |
| string-pk-reopen (every 5) | 22.8 | 151 MB | 331 MB | 0.185 | 274 MB | 172 MB | 216 MB |
| string-pk-bp256 | 34.1 | 114 MB | 512 MB | 0.408 | 355 MB | 186 MB | 192 MB |
| lookup | 47.2 | 151 MB | 569 MB | 0.428 | 388 MB | 204 MB | 247 MB |
| create | 131.5 | 151 MB | 558 MB | 0.417 | 372 MB | 232 MB | 275 MB |
| rel | 38.7 | 153 MB | 587 MB | 0.444 | 383 MB | 181 MB | 229 MB |

The same 1 M rows in 100 batches of 10 k: string-pk 0.317 KB/row, int-pk 0.222; in 5 batches
of 200 k: 0.496 and 0.474. So: every write path keeps ~0.2-0.5 KB a row for as long as the
Database is open, whatever the key type (the STRING hash index is ~0.09 KB of it), explicit
checkpoints or buffer pool size; closing the Database frees it (to malloc: ``malloc_trim``
then returns it to the system) and reopening costs ~45 MB. With the Database reopened every
250 k rows the RSS saws between ~330 and ~450 MB instead of climbing.
"""
from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ["string-pk", "int-pk", "serial-pk", "string-pk-ckpt", "string-pk-no-auto-ckpt",
            "string-pk-reopen", "string-pk-bp256", "lookup", "create", "rel"]


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def rows_for(batch: int, k: int, people: int):
    """K rows of batch ``batch``: a person's twelve monthly incomes, as familycard's facts."""
    import pyarrow as pa

    start = batch * k
    n = range(start, start + k)
    iins = [f"{(i // 12) % people:012d}" for i in n]
    return pa.table({
        "id": pa.array(list(n), pa.int64()),
        "key": [f"{iin}|income|2026-{i % 12 + 1:02d}|{i}" for iin, i in zip(iins, n, strict=True)],
        "iin": iins,
        "type": ["income"] * k,
        "valid_from": pa.array([dt.date(2026, i % 12 + 1, 1) for i in n], pa.date32()),
        "month": [f"2026-{i % 12 + 1:02d}" for i in n],
        "amount_kzt": pa.array([150_000 + i % 90_000 for i in n], pa.int64()),
        "employer_bin": [f"{(i * 7919) % 10**12:012d}" for i in n],
        "source": ["ENPF"] * k,
        "recorded_at": pa.array([dt.datetime(2026, 1, 1) + dt.timedelta(seconds=i) for i in n], pa.timestamp("us")),
        "digest": [f"{(i * 2654435761) % 2**64:016x}" for i in n],
    })


COLUMNS = ("key STRING, iin STRING, type STRING, valid_from DATE, month STRING, amount_kzt INT64, "
           "employer_bin STRING, source STRING, recorded_at TIMESTAMP, digest STRING")


def ddl(variant: str) -> list[str]:
    if variant.startswith("int-pk"):
        return [f"CREATE NODE TABLE Fact(id INT64, {COLUMNS}, PRIMARY KEY (id))"]
    if variant.startswith("serial-pk"):
        return [f"CREATE NODE TABLE Fact(id SERIAL, {COLUMNS}, PRIMARY KEY (id))"]
    out = [f"CREATE NODE TABLE Fact({COLUMNS}, PRIMARY KEY (key))"]
    if variant == "rel":
        out += ["CREATE NODE TABLE Person(iin STRING, PRIMARY KEY (iin))",
                "CREATE REL TABLE HAS_FACT(FROM Person TO Fact)"]
    return out


def run_variant(variant: str, k: int, batches: int, work: Path, reopen_every: int) -> dict:
    import ladybug
    import pyarrow.parquet as pq

    kwargs = {}
    if variant == "string-pk-bp256":
        kwargs["buffer_pool_size"] = 256 * 1024 * 1024
    if variant == "string-pk-no-auto-ckpt":
        kwargs["auto_checkpoint"] = False
    path = str(work / "db.lbug")
    people = batches * k // 12 + 1

    def open_db():
        db = ladybug.Database(path, **kwargs)
        return db, ladybug.Connection(db)

    db, conn = open_db()
    for stmt in ddl(variant):
        conn.execute(stmt)
    base = rss_mb()
    samples = []
    t0 = time.monotonic()
    for b in range(batches):
        table = rows_for(b, k, people)
        if variant.startswith("string-pk") or variant in ("lookup", "rel", "create"):
            table = table.drop(["id"])
        elif variant.startswith("serial-pk"):
            table = table.drop(["id"])
        f = work / f"batch-{b}.parquet"
        pq.write_table(table, f)
        conn.execute("BEGIN TRANSACTION")
        if variant == "lookup":
            keys = table.column("key").to_pylist()
            conn.execute("UNWIND $keys AS k MATCH (n:Fact {key: k}) RETURN n.key, n.recorded_at, n.digest",
                         {"keys": keys})
        if variant == "create":
            rows = table.to_pylist()
            for i in range(0, len(rows), 2_000):  # familycard's chunk for statements
                conn.execute("UNWIND $rows AS r CREATE (n:Fact {key: r.key, iin: r.iin, type: r.type, "
                             "valid_from: r.valid_from, month: r.month, amount_kzt: r.amount_kzt, "
                             "employer_bin: r.employer_bin, source: r.source, recorded_at: r.recorded_at, "
                             "digest: r.digest})", {"rows": rows[i:i + 2_000]})
        elif variant.startswith("serial-pk"):
            conn.execute(f"COPY Fact(key, iin, type, valid_from, month, amount_kzt, employer_bin, source, "
                         f"recorded_at, digest) FROM '{f}'")
        else:
            conn.execute(f"COPY Fact FROM '{f}'")
        if variant == "rel":
            import pyarrow as pa

            iins = sorted(set(table.column("iin").to_pylist()))
            # A person of the previous batch may reappear (twelve rows a person): only new ones.
            have = {r[0] for r in conn.execute("UNWIND $k AS k MATCH (p:Person {iin: k}) RETURN p.iin",
                                               {"k": iins}).get_all()}
            pf = work / f"person-{b}.parquet"
            pq.write_table(pa.table({"iin": [i for i in iins if i not in have]}), pf)
            conn.execute(f"COPY Person FROM '{pf}'")
            rf = work / f"rel-{b}.parquet"
            pq.write_table(pa.table({"from": table.column("iin"), "to": table.column("key")}), rf)
            conn.execute(f"COPY HAS_FACT FROM '{rf}'")
            pf.unlink()
            rf.unlink()
        conn.execute("COMMIT")
        f.unlink()
        if variant == "string-pk-ckpt":
            conn.execute("CHECKPOINT")
        if variant == "string-pk-reopen" and (b + 1) % reopen_every == 0:
            conn.close()
            db.close()
            del conn, db
            gc.collect()
            db, conn = open_db()
        samples.append((round(time.monotonic() - t0, 1), round(rss_mb())))
        print(f"  {variant:24} batch {b + 1:3}: {(b + 1) * k:>10,} rows  RSS {samples[-1][1]:6,} MB  "
              f"{samples[-1][0]:6.1f} s", flush=True)
    if variant == "string-pk-no-auto-ckpt":
        conn.execute("CHECKPOINT")
    end = rss_mb()
    n_rows = conn.execute("MATCH (n:Fact) RETURN count(*)").get_next()[0]
    conn.close()
    db.close()
    del conn, db
    gc.collect()
    closed = rss_mb()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    trimmed = rss_mb()
    db, conn = open_db()
    conn.execute("MATCH (n:Fact) RETURN count(*)").get_all()
    reopened = rss_mb()
    conn.close()
    db.close()
    return {"variant": variant, "rows": n_rows, "seconds": samples[-1][0], "rss_before_mb": round(base),
            "rss_end_mb": round(end), "kb_per_row": round((end - base) * 1024 / n_rows, 3),
            "rss_after_close_mb": round(closed), "rss_after_close_trim_mb": round(trimmed),
            "rss_after_reopen_mb": round(reopened), "samples": samples}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=50_000, help="rows a batch (familycard: 50 000 records)")
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--reopen-every", type=int, default=5)
    ap.add_argument("--variants", nargs="+", default=VARIANTS, choices=VARIANTS)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a child process: run this variant, print JSON
    args = ap.parse_args()
    if args.one:
        work = Path(tempfile.mkdtemp(prefix="lbmem-", dir=args.work))
        try:
            r = run_variant(args.one, args.rows, args.batches, work, args.reopen_every)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print("RESULT " + json.dumps(r), flush=True)
        return
    results = []
    for v in args.variants:
        cmd = [sys.executable, __file__, "--one", v, "--rows", str(args.rows), "--batches", str(args.batches),
               "--reopen-every", str(args.reopen_every), "--work", str(args.work)]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
        lines = out.stdout.splitlines()
        print("\n".join(ln for ln in lines if not ln.startswith("RESULT ")), flush=True)
        res = [json.loads(ln[7:]) for ln in lines if ln.startswith("RESULT ")]
        if out.returncode != 0 or not res:
            print(f"  {v}: failed (exit {out.returncode})", flush=True)
            continue
        results.append(res[0])
    import ladybug

    print(f"\nladybug {ladybug.__version__}, {args.batches} batches of {args.rows:,} rows, {os.cpu_count()} cores\n")
    print("| variant | rows | s | RSS start | RSS end | KB/row | after close | after close+trim | reopened |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['variant']} | {r['rows']:,} | {r['seconds']} | {r['rss_before_mb']} MB | {r['rss_end_mb']} MB | "
              f"{r['kb_per_row']} | {r['rss_after_close_mb']} MB | {r['rss_after_close_trim_mb']} MB | "
              f"{r['rss_after_reopen_mb']} MB |")


if __name__ == "__main__":
    main()
