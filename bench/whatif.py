"""What-if benchmark (issue 19, point 3): `what_if` against one full dry-run sweep of the same store.

    # a store made once (LadybugDB: the data folder's graph; Neo4j: `familycard neo4j start` in
    # that folder, then FAMILYCARD_STORE=neo4j FAMILYCARD_NEO4J_URI=... as for any command)
    familycard generate --people 100000 --seed 1 --as-of 2026-11-25 -o feed.jsonl
    FAMILYCARD_DATA_DIR=/work/data/x familycard load feed.jsonl --today 2026-11-25
    .venv/bin/python bench/whatif.py --data /work/data/x --runs 3

The store is the one the settings name (``FAMILYCARD_STORE`` and the rest, as the CLI reads
them) in ``--data``. Measured, each the median of ``--runs`` (the three alternating, after one
untimed dry run that warms the store's caches the same for all):
  sweep   one full dry-run sweep (``graph.sweep.sweep``), every rule
  mci     ``what_if`` with the MCI changed: the parameter most rules read (in their amounts)
  rule    ``what_if`` with one rule's threshold changed (``large_family_min_children``: its query)
  query   ``what_if`` with every parameter a rule's query reads changed at once (the worst case
          for what must run again: six rules' queries, after the dry run)
Each what-if's time includes its own dry run (what a user waits for); the ratios are to ``sweep``.
The target (issue 19): at 1 M people, under 2x one dry-run sweep. Results go to
bench/results/whatif-<date>-<engine>-<people>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from familycard.graph.lookahead import what_if  # noqa: E402
from familycard.graph.store import open_store  # noqa: E402
from familycard.graph.sweep import sweep  # noqa: E402
from familycard.settings import Settings  # noqa: E402

AS_OF = dt.date(2026, 11, 25)
CASES = {
    "mci": {"mci": Decimal(4500)},
    "rule": {"large_family_min_children": Decimal(5)},
    "query": {"large_family_min_children": Decimal(5), "min_contribution_months": Decimal(3),
              "pm": Decimal(55000), "pension_age_men": Decimal(60), "pension_age_women": Decimal(60)},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the data folder (FAMILYCARD_DATA_DIR) of the store")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    args = ap.parse_args()
    os.environ["FAMILYCARD_DATA_DIR"] = str(args.data)
    settings = Settings()
    with open_store(settings) as store:
        store.setup_schema()  # as bench/sweep.py: a store built by an older familycard gets today's indexes
        people = store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
        print(f"{settings.store} store in {args.data}: {people:,} persons, as of {args.as_of}", flush=True)
        warm = sweep(store, args.as_of)
        entitlements = len(warm.entitlements)
        times: dict[str, list[float]] = {k: [] for k in ("sweep", *CASES)}
        differ: dict[str, int] = {}
        for run in range(args.runs):
            t = time.perf_counter()
            sweep(store, args.as_of)
            times["sweep"].append(time.perf_counter() - t)
            for name, values in CASES.items():
                t = time.perf_counter()
                wi = what_if(store, args.as_of, values)
                times[name].append(time.perf_counter() - t)
                differ[name] = len(wi.changes)
            print(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
    median = {k: statistics.median(v) for k, v in times.items()}
    result = {"as_of": args.as_of.isoformat(), "engine": settings.store, "people": people,
              "entitlements": entitlements, "runs": args.runs,
              "settings": {k: {n: str(v) for n, v in s.items()} for k, s in CASES.items()},
              "seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
              "median_seconds": {k: round(v, 2) for k, v in median.items()},
              "ratio_to_sweep": {k: round(median[k] / median["sweep"], 2) for k in CASES},
              "rights_differ": differ}
    out = ROOT / "bench" / "results" / f"whatif-{dt.date.today().isoformat()}-{settings.store}-{people}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n| {settings.store} | {people:,} persons | median of {args.runs} | x one dry run |")
    print("|---|---:|---:|---:|")
    print(f"| dry-run sweep | | {median['sweep']:.1f} s | 1.00 |")
    for k in CASES:
        label = {"mci": "what-if mci=4500", "rule": "what-if large_family_min_children=5",
                 "query": "what-if, every query parameter"}[k]
        print(f"| {label} | {differ[k]:,} rights differ | {median[k]:.1f} s | {median[k] / median['sweep']:.2f} |")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
