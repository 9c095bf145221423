"""Sweep benchmark: all 14 rules on generated populations, per-rule seconds, medians of N runs,
on each engine; and a vectorised floor (polars over the feed, in memory) for two rules.

    python bench/sweep.py --people 100000 1000000 --engines ladybug neo4j --runs 3

The stores are built once per (engine, people) by `familycard ingest` of the same generated feed
as bench/ingest.py (seed 1) and kept under --work, so that reruns only sweep. Each sweep is a
fresh process-level store handle; the first run is included (it is what a daily job pays).
Results go to bench/results/sweep-<date>-....json after every run; a Markdown table is printed.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from familycard.graph.rules import load_rules  # noqa: E402
from familycard.graph.store import neo4j_local as neo4j_server  # noqa: E402
from familycard.graph.sweep import sweep  # noqa: E402
from ingest import AS_OF, bench_args, feed_for, machine  # noqa: E402


def prepare(engine: str, people: int, feed: Path, work: Path, heap: str, pagecache: str) -> Path:
    """The store for (engine, people), ingested once; READY marks a finished ingest."""
    store_dir = work / "sweep" / f"{engine}-{people}"
    if (store_dir / "READY").exists():
        return store_dir
    subprocess.run(["rm", "-rf", str(store_dir)], check=True)
    store_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env["FAMILYCARD_DATA_DIR"] = str(store_dir)
    server = None
    if engine == "neo4j":
        server = neo4j_server.Neo4jServer(heap=heap, pagecache=pagecache)
        server.start(store_dir / "neo4j-server")
        env.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=server.uri)
    try:
        t = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "familycard.cli", "ingest", str(feed), "--today",
                            AS_OF.isoformat(), "--show-rejected", "0"], env=env)
        if r.returncode not in (0, 1):
            raise SystemExit(f"ingest into {engine} failed ({r.returncode})")
        print(f"  ingested {people:,} people into {engine} in {time.monotonic() - t:.0f} s", flush=True)
    finally:
        if server:
            server.stop()
    (store_dir / "READY").write_text(dt.datetime.now().isoformat())
    return store_dir


def open_store(engine: str, store_dir: Path, server):
    if engine == "ladybug":
        from familycard.graph.store.ladybug import LadybugStore

        store = LadybugStore(store_dir)
    else:
        from familycard.graph.store.neo4j import Neo4jStore

        store = Neo4jStore(server.uri)
    store.setup_schema()  # as the CLI does: a store built by an older familycard gets today's indexes
    return store


def floor(feed: Path, as_of: dt.date) -> dict:
    """A straightforward vectorised scan of the same population: two rules in polars, in memory.
    Last writer wins as in ingest; loading is timed apart from the rules."""
    import polars as pl

    t = time.perf_counter()
    raw = pl.read_ndjson(feed, infer_schema_length=None, ignore_errors=True)
    persons = (raw.filter(pl.col("kind") == "person").sort("recorded_at")
               .unique("iin", keep="last")
               .select("iin", pl.col("birth_date").str.to_date(), pl.col("death_date").str.to_date(strict=False),
                       "sex", "address_id"))
    facts = (raw.filter(pl.col("kind") == "fact").sort("recorded_at")
             .unique(["iin", "type", "valid_from", "month", "name", "benefit"], keep="last")
             .select("iin", "type", pl.col("valid_from").str.to_date(), pl.col("valid_to").str.to_date(strict=False),
                     "amount_kzt", "benefit"))
    load_s = time.perf_counter() - t
    rules = {r.code: r for r in load_rules(["targeted_assistance", "pension_right"])}

    # targeted_assistance
    t = time.perf_counter()
    ta = rules["targeted_assistance"]
    p = ta.query_params(as_of)
    alive = persons.filter((pl.col("death_date").is_null() | (pl.col("death_date") > as_of))
                           & pl.col("address_id").is_not_null() & (pl.col("birth_date") <= as_of))
    income = (facts.filter((pl.col("type") == "income") & (pl.col("valid_from") >= p["income_from"])
                           & (pl.col("valid_from") < p["income_until"]))
              .group_by("iin").agg(pl.col("amount_kzt").sum().alias("income")))
    members = alive.join(income, on="iin", how="left").with_columns(pl.col("income").fill_null(0))
    households = members.group_by("address_id").agg(
        pl.len().alias("members"), pl.col("income").sum().alias("income"))
    adults = members.filter(pl.col("birth_date") <= p["adult_born_by"]).sort(["birth_date", "iin"])
    eldest = adults.group_by("address_id").first().select("address_id", pl.col("iin").alias("recipient"))
    receiving = facts.filter((pl.col("type") == "benefit") & (pl.col("benefit") == "targeted_assistance")
                             & (pl.col("valid_from") <= as_of)
                             & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= as_of))).select("iin")
    pm = int(ta.parameters["pm"].at(as_of))
    share = ta.parameters["poverty_line_share"].at(as_of)
    num, den = share.as_integer_ratio()  # exact: income < 3 * share * pm * members
    found_ta = (households.join(eldest, on="address_id")
                .filter(pl.col("income") * den < 3 * num * pm * pl.col("members"))
                .join(receiving, left_on="recipient", right_on="iin", how="anti"))
    ta_s = time.perf_counter() - t

    # pension_right
    t = time.perf_counter()
    pr = rules["pension_right"].query_params(as_of)
    pensioners = facts.filter((pl.col("type") == "pension") & (pl.col("valid_from") <= as_of)
                              & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= as_of))).select("iin")
    found_pr = (persons.filter(
        (((pl.col("sex") == "M") & (pl.col("birth_date") > pr["men_born_after"])
          & (pl.col("birth_date") <= pr["men_born_by"]))
         | ((pl.col("sex") == "F") & (pl.col("birth_date") > pr["women_born_after"])
            & (pl.col("birth_date") <= pr["women_born_by"])))
        & (pl.col("death_date").is_null() | (pl.col("death_date") > as_of)))
        .join(pensioners, on="iin", how="anti"))
    pr_s = time.perf_counter() - t
    return {"load_s": round(load_s, 2),
            "targeted_assistance": {"seconds": round(ta_s, 3), "found": found_ta.height,
                                    "recipients": sorted(found_ta["recipient"].to_list())},
            "pension_right": {"seconds": round(pr_s, 3), "found": found_pr.height,
                              "recipients": sorted(found_pr["iin"].to_list())}}


def main() -> None:
    ap = bench_args(neo4j_memory="4g")
    ap.add_argument("--no-floor", action="store_true", help="skip the polars floor")
    args = ap.parse_args()
    codes = [r.code for r in load_rules()]
    out = ROOT / "bench" / "results" / (
        f"sweep-{dt.date.today()}-{'_'.join(map(str, args.people))}-{'_'.join(args.engines)}.json")
    out.parent.mkdir(exist_ok=True)
    results: dict = {"machine": machine(), "as_of": AS_OF.isoformat(), "runs": [], "floor": {}}
    last_found: dict = {}
    for people in args.people:
        feed, records = feed_for(people, args.seed, args.work)
        for engine in args.engines:
            store_dir = prepare(engine, people, feed, args.work, args.neo4j_heap, args.neo4j_pagecache)
            server = None
            if engine == "neo4j":
                server = neo4j_server.Neo4jServer(heap=args.neo4j_heap, pagecache=args.neo4j_pagecache)
                server.start(store_dir / "neo4j-server")
            try:
                for run in range(args.runs):
                    store = open_store(engine, store_dir, server)
                    t = time.perf_counter()
                    res = sweep(store, AS_OF)
                    total = time.perf_counter() - t
                    store.close()
                    last_found = {c: sorted(e.iin for e in res.entitlements if e.benefit == c)
                                  for c in ("targeted_assistance", "pension_right")}
                    r = {"people": people, "engine": engine, "run": run + 1, "seconds": round(total, 2),
                         "rules": {x.code: {"seconds": round(x.seconds, 3), "found": x.found} for x in res.runs}}
                    results["runs"].append(r)
                    out.write_text(json.dumps(results, indent=1))
                    print(f"  {engine:8} {people:>9,} people run {run + 1}: {total:6.1f} s, "
                          f"{len(res.entitlements):,} entitlements", flush=True)
            finally:
                if server:
                    server.stop()
        if not args.no_floor:
            f = floor(feed, AS_OF)
            for code in ("targeted_assistance", "pension_right"):
                # the same recipients as the engine's sweep, not just as many
                f[code]["same_as_sweep"] = f[code].pop("recipients") == last_found.get(code)
            results["floor"][str(people)] = f
            out.write_text(json.dumps(results, indent=1))
            print(f"  floor {people:,}: {json.dumps(f)}", flush=True)

    print(f"\nmachine: {machine()}\n")
    for people in args.people:
        runs = [r for r in results["runs"] if r["people"] == people]
        engines = [e for e in args.engines if any(r["engine"] == e for r in runs)]
        print(f"### {people:,} people (median of {args.runs} runs, seconds)\n")
        print("| rule | found | " + " | ".join(engines) + " |")
        print("|---|---:|" + "---:|" * len(engines))
        for code in codes:
            meds = [statistics.median(r["rules"][code]["seconds"] for r in runs if r["engine"] == e) for e in engines]
            found = runs[0]["rules"][code]["found"]
            print(f"| {code} | {found:,} | " + " | ".join(f"{m:.2f}" for m in meds) + " |")
        tot = [statistics.median(r["seconds"] for r in runs if r["engine"] == e) for e in engines]
        print("| **all 14** | | " + " | ".join(f"**{m:.1f}**" for m in tot) + " |\n")
        f = results["floor"].get(str(people))
        if f:
            for code in ("targeted_assistance", "pension_right"):
                meds = {e: statistics.median(r["rules"][code]["seconds"] for r in runs if r["engine"] == e)
                        for e in engines}
                ratios = ", ".join(f"{e} {meds[e] / max(f[code]['seconds'], 1e-6):.1f}×" for e in engines)
                print(f"floor {code}: polars {f[code]['seconds']:.3f} s ({f[code]['found']:,} found, "
                      f"same recipients as the sweep: {f[code]['same_as_sweep']}); engine/floor: {ratios}")
            print(f"(polars load of the feed, not in the floor: {f['load_s']} s)\n")


if __name__ == "__main__":
    main()
