"""The forward calendar against one full dry-run sweep of the same store, in the same run:
medians of --runs of each, and their ratio (issue 19: 90 days at 1 M people in < 3x a sweep).

The store is the one the settings name, in the data folder --data (LadybugDB), or the Neo4j
that FAMILYCARD_STORE=neo4j FAMILYCARD_NEO4J_URI=… point at, as every command has it. Build it
with `familycard generate` and `familycard ingest` (or `load`) first, e.g.

    FAMILYCARD_DATA_DIR=/work/data/fc/lb100k familycard generate --people 100000 --as-of 2025-12-10 \\
        -o /work/data/fc/feed.jsonl
    FAMILYCARD_DATA_DIR=/work/data/fc/lb100k familycard ingest /work/data/fc/feed.jsonl --today 2025-12-10
    python bench/forecast.py --data /work/data/fc/lb100k --from 2025-12-10 --days 90 --runs 3

Each run opens the store afresh (a sweep's first run included: what a daily job pays). Per-rule
seconds of the forecast's last run are printed too, and written to bench/results/forecast-….json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from familycard.graph.lookahead import forecast  # noqa: E402
from familycard.graph.store import open_store  # noqa: E402
from familycard.graph.sweep import sweep  # noqa: E402
from familycard.settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the data folder (FAMILYCARD_DATA_DIR)")
    ap.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=dt.date(2025, 12, 10))
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    args = ap.parse_args()
    os.environ["FAMILYCARD_DATA_DIR"] = str(args.data)
    settings = Settings.load()
    engine = "neo4j" if settings.store == "neo4j" else "ladybug"
    sweeps, forecasts, last = [], [], None
    for run in range(args.runs):
        with open_store(settings) as store:
            t = time.perf_counter()
            res = sweep(store, args.start, args.rule)
            sweeps.append(time.perf_counter() - t)
        with open_store(settings) as store:
            t = time.perf_counter()
            last = forecast(store, args.start, args.days, args.rule)
            forecasts.append(time.perf_counter() - t)
        print(f"  run {run + 1}: sweep {sweeps[-1]:.1f} s ({len(res.entitlements):,} rights), "
              f"forecast {args.days} days {forecasts[-1]:.1f} s ({len(last.changes):,} changes)", flush=True)
    s, f = statistics.median(sweeps), statistics.median(forecasts)
    print(f"{engine}, {args.data}: one dry-run sweep of {args.start} {s:.1f} s, forecast of {args.days} days "
          f"{f:.1f} s (medians of {args.runs}): {f / s:.2f}x")
    for code, secs in sorted(last.rule_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {code:<22} {secs:7.2f} s  {last.rule_runs[code]}")
    out = ROOT / "bench" / "results" / f"forecast-{dt.date.today()}-{engine}-{args.data.name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"engine": engine, "data": str(args.data), "from": args.start.isoformat(),
                               "days": args.days, "sweep_s": sweeps, "forecast_s": forecasts,
                               "ratio": round(f / s, 3), "changes": len(last.changes),
                               "rules": {c: {"seconds": round(v, 3), "runs": last.rule_runs[c]}
                                         for c, v in last.rule_seconds.items()}}, indent=1))


if __name__ == "__main__":
    main()
