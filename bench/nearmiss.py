"""Near misses against one full dry-run sweep, on generated populations, on each engine.

    python bench/nearmiss.py --data /work/data/nearmiss --people 100000 --engines ladybug neo4j --runs 3

The feed (bench/ingest.py's generator, seed 1) and a store per engine are built once under
--data (as bench/sweep.py builds them under its --work) and kept, so that reruns only measure.
Each run opens the store afresh and times a dry-run ``sweep`` of 2026-11-25, then
``near_misses`` of the same day (all kinds: it runs that sweep itself, for the flow's kinds,
plus one relaxed run of each rule with a threshold and the anchored look-ups); medians of
--runs. Results go to bench/results/nearmiss-<date>-<people>.json after every run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from familycard.graph.lookahead import near_misses  # noqa: E402
from familycard.graph.store import neo4j_local as neo4j_server  # noqa: E402
from familycard.graph.sweep import sweep  # noqa: E402
from ingest import AS_OF, feed_for, machine  # noqa: E402
from sweep import open_store, prepare  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="a folder for the feed and the stores (kept)")
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--engines", nargs="+", default=["ladybug", "neo4j"], choices=["ladybug", "neo4j"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--neo4j-heap", default="2g")
    ap.add_argument("--neo4j-pagecache", default="2g")
    args = ap.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    out = ROOT / "bench" / "results" / f"nearmiss-{dt.date.today()}-{args.people}.json"
    out.parent.mkdir(exist_ok=True)
    results: dict = {"machine": machine(), "as_of": AS_OF.isoformat(), "people": args.people, "runs": []}
    if out.exists():  # another engine measured earlier that day: kept beside this run's
        results["runs"] = [r for r in json.loads(out.read_text())["runs"] if r["engine"] not in args.engines]
    feed, _ = feed_for(args.people, args.seed, args.data)
    for engine in args.engines:
        store_dir = prepare(engine, args.people, feed, args.data, args.neo4j_heap, args.neo4j_pagecache)
        server = None
        if engine == "neo4j":
            server = neo4j_server.Neo4jServer(heap=args.neo4j_heap, pagecache=args.neo4j_pagecache)
            server.start(store_dir / "neo4j-server")
        try:
            for run in range(args.runs):
                store = open_store(engine, store_dir, server)
                t = time.perf_counter()
                res = sweep(store, AS_OF)
                sweep_s = time.perf_counter() - t
                store.close()
                store = open_store(engine, store_dir, server)
                t = time.perf_counter()
                found = near_misses(store, AS_OF)
                near_s = time.perf_counter() - t
                store.close()
                r = {"engine": engine, "run": run + 1, "sweep_s": round(sweep_s, 2), "nearmiss_s": round(near_s, 2),
                     "entitlements": len(res.entitlements), "near_misses": len(found),
                     "by_kind": dict(sorted(Counter(m.missing for m in found).items())),
                     "by_benefit_kind": dict(sorted(Counter(f"{m.benefit}/{m.missing}" for m in found).items()))}
                results["runs"].append(r)
                out.write_text(json.dumps(results, indent=1))
                print(f"  {engine:8} {args.people:>9,} people run {run + 1}: sweep {sweep_s:6.1f} s "
                      f"({len(res.entitlements):,} rights), near misses {near_s:6.1f} s ({len(found):,}: "
                      f"{r['by_kind']})", flush=True)
        finally:
            if server:
                server.stop()

    print(f"\nmachine: {machine()}\n")
    print(f"| engine | people | sweep s (median of {args.runs}) | near misses s | ratio | near misses |")
    print("|---|---:|---:|---:|---:|---:|")
    for engine in args.engines:
        runs = [r for r in results["runs"] if r["engine"] == engine]
        s = statistics.median(r["sweep_s"] for r in runs)
        n = statistics.median(r["nearmiss_s"] for r in runs)
        print(f"| {engine} | {args.people:,} | {s:.1f} | {n:.1f} | {n / s:.2f}× | {runs[-1]['near_misses']:,} |")


if __name__ == "__main__":
    main()
