"""Findings benchmark: every kind of data-quality finding against one full dry-run sweep of the
same store (issue 19's target: all kinds in less than one sweep), medians of --runs.

    # a store made once, e.g. by `familycard load` (LadybugDB in DIR; Neo4j's local server
    # keeps its data in DIR/neo4j, as `familycard neo4j start` does)
    FAMILYCARD_DATA_DIR=DIR .venv/bin/familycard load feed.jsonl --today 2026-11-25
    python bench/findings.py --data DIR --engines ladybug neo4j --runs 3

Each run times each kind apart (their sum is the run's findings time) and then a dry-run
sweep of all rules, in the same process and store handle, alternately, so that a neighbour's
load on the machine falls on both. For Neo4j, a server already running for DIR/neo4j is used;
otherwise one is started for the benchmark (heap and page cache from --neo4j-heap and
--neo4j-pagecache) and stopped after. Results go to bench/results/findings-<date>-<persons>.json
(a run with other engines that day adds to it) and a Markdown table is printed.
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

from familycard.graph.lookahead import FINDING_KINDS, findings  # noqa: E402
from familycard.graph.store import neo4j_local as nl  # noqa: E402
from familycard.graph.sweep import sweep  # noqa: E402
from ingest import AS_OF, machine  # noqa: E402


def open_store(engine: str, data: Path, uri: str | None):
    if engine == "ladybug":
        from familycard.graph.store.ladybug import LadybugStore

        store = LadybugStore(data)
    else:
        from familycard.graph.store.neo4j import Neo4jStore

        store = Neo4jStore(uri)
    store.setup_schema()  # as the CLI does
    return store


def measure(store, as_of: dt.date, runs: int) -> dict:
    per_kind: dict[str, list[float]] = {k: [] for k in FINDING_KINDS}
    totals, sweeps, found, rules = [], [], Counter(), 0
    for i in range(runs):
        total = 0.0
        found = Counter()
        for kind in FINDING_KINDS:
            t = time.perf_counter()
            got = findings(store, as_of, [kind])
            s = time.perf_counter() - t
            per_kind[kind].append(s)
            total += s
            found[kind] = len(got)
        totals.append(total)
        t = time.perf_counter()
        result = sweep(store, as_of)
        sweeps.append(time.perf_counter() - t)
        rules = len(result.runs)
        print(f"  run {i + 1}: findings {total:.2f} s ({sum(found.values()):,}), dry-run sweep "
              f"{sweeps[-1]:.2f} s ({len(result.entitlements):,} entitlements)", flush=True)
    med, sw = statistics.median(totals), statistics.median(sweeps)
    return {"runs": runs, "rules": rules, "findings_s": round(med, 3), "sweep_s": round(sw, 3),
            "ratio": round(med / sw, 3), "all_findings_s": [round(x, 3) for x in totals],
            "all_sweep_s": [round(x, 3) for x in sweeps],
            "kinds": {k: {"seconds": round(statistics.median(v), 3), "found": found[k]} for k, v in per_kind.items()}}


def persons(store) -> int:
    return store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the data folder (FAMILYCARD_DATA_DIR) of a loaded store")
    ap.add_argument("--engines", nargs="+", default=["ladybug"], choices=["ladybug", "neo4j"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    ap.add_argument("--neo4j-heap", default="2g")
    ap.add_argument("--neo4j-pagecache", default="2g")
    args = ap.parse_args()
    result: dict = {"machine": machine(), "as_of": args.as_of.isoformat(), "data": str(args.data), "engines": {}}
    for engine in args.engines:
        started = False
        uri = None
        if engine == "neo4j":
            uri = nl.status(args.data / "neo4j")
            if uri is None:
                _, uri = nl.start_background(args.data / "neo4j", port=0, heap=args.neo4j_heap,
                                             pagecache=args.neo4j_pagecache)
                started = True
        try:
            with open_store(engine, args.data, uri) as store:
                n = persons(store)
                print(f"{engine}: {n:,} persons, as of {args.as_of}", flush=True)
                result["engines"][engine] = {"persons": n, **measure(store, args.as_of, args.runs)}
        finally:
            if started:
                nl.stop_background(args.data / "neo4j")
    n = max(r["persons"] for r in result["engines"].values())
    dest = ROOT / "bench" / "results" / f"findings-{dt.date.today()}-{n}.json"
    if dest.exists():  # another engine measured that day on a store of the same size: kept
        before = json.loads(dest.read_text())["engines"]
        result["engines"] = {**{e: r for e, r in before.items() if e not in args.engines}, **result["engines"]}
    dest.write_text(json.dumps(result, indent=1))
    print("\n| engine | persons | findings, s | dry-run sweep, s | ratio | found |\n|---|---:|---:|---:|---:|---:|")
    for engine, r in result["engines"].items():
        print(f"| {engine} | {r['persons']:,} | {r['findings_s']} | {r['sweep_s']} | {r['ratio']} | "
              f"{sum(k['found'] for k in r['kinds'].values()):,} |")
    print("\n| kind | " + " | ".join(f"{e}, s (found)" for e in result["engines"]) + " |")
    print("|---|" + "---:|" * len(result["engines"]))
    for kind in FINDING_KINDS:
        print(f"| {kind} | " + " | ".join(f"{r['kinds'][kind]['seconds']} ({r['kinds'][kind]['found']:,})"
                                          for r in result["engines"].values()) + " |")
    print(f"\nwritten to {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
