"""Ingest benchmark: generated populations into each engine; records/s and peak memory.

    python bench/ingest.py --people 100000 1000000 --engines ladybug neo4j --runs 3

Each run is a fresh store and a separate `familycard ingest` process, timed wall-clock;
peak RSS is that process's (for Neo4j the server's memory is its own JVM, reported apart).
Prints a Markdown table of medians for BENCHMARKS.md and writes the raw runs to
bench/results/ingest-<date>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from familycard.graph.store import neo4j_local as neo4j_server  # noqa: E402
from familycard.synthetic import write_feed  # noqa: E402

AS_OF = dt.date(2026, 11, 25)


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {platform.python_version()}"


def feed_for(people: int, seed: int, work: Path) -> tuple[Path, int]:
    path = work / f"feed-{people}-{seed}.jsonl"
    meta = path.with_suffix(".json")
    if not meta.exists():
        t = time.monotonic()
        with open(path, "w", encoding="utf-8") as out:
            stats = write_feed(out, people=people, seed=seed, as_of=AS_OF)
        meta.write_text(json.dumps({"records": stats.records, "seconds": time.monotonic() - t}))
        print(f"  generated {people} people: {stats.records} records in {time.monotonic() - t:.0f} s", flush=True)
    return path, json.loads(meta.read_text())["records"]


def run_ingest(feed: Path, env: dict) -> tuple[float, int, str, float]:
    cmd = [sys.executable, "-m", "familycard.cli", "ingest", str(feed), "--today", AS_OF.isoformat(),
           "--show-rejected", "0"]
    t = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.monotonic() - t
    out = proc.stdout.read().decode().strip()
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ingest failed ({proc.returncode}): {err[-3000:]}")
    # CPU seconds beside wall-clock ones: on a machine shared with other work, the wall clock
    # measures the neighbours too.
    return secs, usage.ru_maxrss // 1024, out, usage.ru_utime + usage.ru_stime


def bench_args(neo4j_memory: str = "2g") -> argparse.ArgumentParser:
    """The options every benchmark here takes (bench/sweep.py adds its own)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=["ladybug", "neo4j"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "familycard-bench")
    ap.add_argument("--neo4j-heap", default=neo4j_memory)
    ap.add_argument("--neo4j-pagecache", default=neo4j_memory)
    return ap


def main() -> None:
    args = bench_args().parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    results = []
    # Written after every run, so that a bench stopped half-way keeps what it measured.
    out = ROOT / "bench" / "results" / (
        f"ingest-{dt.date.today()}-{'_'.join(map(str, args.people))}-{'_'.join(args.engines)}.json")
    out.parent.mkdir(exist_ok=True)
    for people in args.people:
        feed, records = feed_for(people, args.seed, args.work)
        for engine in args.engines:
            for run in range(args.runs):
                store_dir = args.work / f"store-{engine}"
                shutil.rmtree(store_dir, ignore_errors=True)
                env = dict(base_env, FAMILYCARD_DATA_DIR=str(store_dir))
                server = None
                if engine == "neo4j":
                    server = neo4j_server.Neo4jServer(heap=args.neo4j_heap, pagecache=args.neo4j_pagecache)
                    server.start(store_dir / "neo4j-server")
                    env.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=server.uri)
                try:
                    secs, rss_mb, line, cpu = run_ingest(feed, env)
                finally:
                    if server:
                        server.stop()
                r = {"people": people, "records": records, "engine": engine, "run": run + 1,
                     "seconds": round(secs, 2), "cpu_seconds": round(cpu, 1),
                     "records_per_s": round(records / secs), "peak_rss_mb": rss_mb,
                     "summary": line}
                results.append(r)
                out.write_text(json.dumps({"machine": machine(), "runs": results}, indent=1))
                print(f"  {engine:8} {people:>9,} people run {run + 1}: {secs:7.1f} s, "
                      f"{records / secs:9,.0f} records/s, CPU {cpu:7.1f} s, peak RSS {rss_mb:,} MB | {line}",
                      flush=True)
            shutil.rmtree(args.work / f"store-{engine}", ignore_errors=True)

    print(f"\nmachine: {machine()}\n")
    print("| people | records | engine | runs | median s | median records/s | median peak RSS (ingest process) |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for people in args.people:
        for engine in args.engines:
            rs = [r for r in results if r["people"] == people and r["engine"] == engine]
            print(f"| {people:,} | {rs[0]['records']:,} | {engine} | {len(rs)} | "
                  f"{statistics.median(r['seconds'] for r in rs):.1f} | "
                  f"{statistics.median(r['records_per_s'] for r in rs):,.0f} | "
                  f"{statistics.median(r['peak_rss_mb'] for r in rs):,.0f} MB |")


if __name__ == "__main__":
    main()
