"""The whole path at country scale, one engine, on a feed written beforehand: load, sweep, offers,
SMS, a family card through the API, a day of changes and the incremental sweep.

    familycard generate --people 5000000 --seed 1 --as-of 2026-11-25 -o /data/feed-5000000.jsonl
    python bench/country.py --feed /data/feed-5000000.jsonl --engine ladybug --work /data/country
    python bench/country.py --feed /data/feed-5000000.jsonl --engine neo4j --work /data/country \\
        --neo4j-heap 4g --neo4j-pagecache 10g

Every step is what an operator runs, as its own process, timed wall-clock, in this order on one
data folder (the store is made by the first step and removed at the end unless --keep):
1. `familycard load FEED`: seconds, records/s, peak RSS of the familycard process, store on disk;
2. the dry-run sweep of all 14 rules, --sweeps times, each in a fresh process (`graph.sweep.sweep`,
   as `familycard sweep --dry-run` runs it, without printing 600 k lines): seconds and per rule;
3. `familycard sweep` (the day's sweep: offers, queued SMS, worklist tasks, events);
4. `familycard sms send` through the file gateway: SMS/s;
5. the README's family card (its `query Card`, with rights and their checks) through `familycard
   serve`'s app under uvicorn, one request at a time, --cards requests after --warm-cards not
   counted, for people with relatives (a quarter of them offer recipients): p50/p90/p99;
6. a day of changes (`familycard changes --count` = --changes-share of the people), `familycard
   ingest` of them and `familycard sweep --incremental`: seconds each and together.
Checks free disk first. Results: bench/results/country-<date>-<people>-<engine>.json, written after
every step.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from api_load import free_port, percentile, wait_for_health  # noqa: E402
from ingest import AS_OF, machine  # noqa: E402
from load import du_mb, run, steps  # noqa: E402

# Disk a million people take (GB), measured at 1 M: the feed is not counted (it is the caller's).
# LadybugDB: the store 2.3 + the load's spill and plan ~1.5; Neo4j: the store 7.1 + CSV ~2.5 + plan.
# Peak disk a million people: LadybugDB's store 2.4 GB (5 M: 12.0 GB) + the load's Parquet plan
# (1.0 GB); Neo4j's store 7.1 GB (1 M) + the plan + the importer's CSV files.
GB_PER_MILLION = {"ladybug": 4.0, "neo4j": 10.0}

_SWEEP = """
import json, sys, time
from familycard.settings import Settings
from familycard.graph.store import open_store
from familycard.graph.sweep import sweep
import datetime as dt
t0 = time.perf_counter()
store = open_store(Settings())
opened = time.perf_counter() - t0
t = time.perf_counter()
res = sweep(store, dt.date.fromisoformat(sys.argv[1]))
secs = time.perf_counter() - t
store.close()
print(json.dumps({"seconds": secs, "open_seconds": opened, "found": len(res.entitlements),
                  "rules": {r.code: {"seconds": round(r.seconds, 3), "found": r.found} for r in res.runs}}))
"""

_SAMPLE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from api_load import pick_sample
from familycard.settings import Settings
from familycard.graph.store import open_store
store = open_store(Settings())
sample, info = pick_sample(store, int(sys.argv[2]), 0.25, 1)
store.close()
print(json.dumps({"sample": sample, "info": info}))
"""


def readme_card_query() -> str:
    """The README's `query Card` (the family card with rights and their checks), as written there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```graphql\n(query Card\(.*?)\nquery Graph", text, re.S)
    if not m:
        raise SystemExit("README.md has no ```graphql block starting with `query Card(`")
    return m.group(1)


def cli(env: dict, *args: str) -> tuple[float, int, str, str]:
    return run([sys.executable, "-m", "familycard.cli", *args], env)


def load(env: dict, feed: Path, data: Path, engine: str) -> dict:
    secs, rss, line, err = cli(env, "load", str(feed), "--today", AS_OF.isoformat(), "--show-rejected", "0")
    records = int(re.search(r"read (\d+)", line).group(1))
    store_mb = du_mb(data / "graph.lbug") if engine == "ladybug" else du_mb(data / "neo4j")
    return {"seconds": round(secs, 1), "records": records, "records_per_s": round(records / secs),
            "peak_rss_mb": rss, "steps": steps(err), "store_mb": store_mb, "summary": line}


def without_rights(query: str) -> str:
    """The same card without `entitlements(…) { … }`: what the rest of the card costs."""
    start = query.find("entitlements(")
    depth, i = 0, query.find("{", start)
    while start >= 0 and i < len(query):
        depth += {"{": 1, "}": -1}.get(query[i], 0)
        i += 1
        if depth == 0:
            return query[:start] + query[i:]
    raise SystemExit("the README's card changed shape: cannot drop its entitlements field")


def cards(env: dict, data: Path, engine: str, neo4j_uri: str | None, n: int, warm: int, work: Path,
          query: str) -> dict:
    import urllib.error
    import urllib.request

    out = subprocess.run([sys.executable, "-c", _SAMPLE, str(ROOT / "bench"), str(n + warm)], env=env,
                         capture_output=True, text=True, check=True).stdout
    picked = json.loads(out)
    sample = picked["sample"]
    port = free_port()
    log = open(work / f"serve-{engine}.log", "wb")
    # `familycard serve` as an operator starts it (uvicorn, one worker), without its access log lines.
    server = subprocess.Popen([sys.executable, "-m", "familycard.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--no-access-log"], env=env, cwd=str(data), stdout=log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_for_health(server, port, work / f"serve-{engine}.log", 600, every=0.5)
        lat, errors = [], 0
        for i, iin in enumerate(sample):
            body = json.dumps({"query": query, "operationName": "Card", "variables": {"iin": iin}}).encode()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body, headers={
                "Authorization": f"Bearer {_KEY}", "Content-Type": "application/json"})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    answer = json.loads(r.read())
            except urllib.error.HTTPError as e:  # 504: the server's own time limit; 503: shed
                answer = {"errors": [f"HTTP {e.code}"]}
            secs = time.perf_counter() - t
            if answer.get("errors") or not (answer.get("data") or {}).get("familyCard"):
                errors += 1
                if errors <= 3:
                    print(f"    card error ({'warm-up' if i < warm else 'counted'}, {secs:.1f} s): "
                          f"{json.dumps(answer)[:300]}", flush=True)
            if i >= warm:
                lat.append(secs * 1000)
    finally:
        server.terminate()
        server.wait(60)
        log.close()
    lat.sort()  # percentile takes them sorted
    return {"role": "caseworker", "requests": len(lat), "warm": warm, "errors": errors,
            "p50_ms": round(percentile(lat, 50), 1), "p90_ms": round(percentile(lat, 90), 1),
            "p99_ms": round(percentile(lat, 99), 1), "max_ms": round(max(lat), 1), "sample": picked["info"]}


# The card asks for IINs, phones and accounts: a caseworker's key, as a caseworker's console would.
_KEY = "bench-country-caseworker-key-0123456789"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feed", type=Path, required=True, help="a feed of `familycard generate`, as of 2026-11-25")
    ap.add_argument("--engine", choices=("ladybug", "neo4j"), required=True)
    ap.add_argument("--work", type=Path, required=True, help="the data folder goes in here")
    ap.add_argument("--sweeps", type=int, default=3, help="dry-run sweeps (fresh process each)")
    ap.add_argument("--cards", type=int, default=300)
    ap.add_argument("--warm-cards", type=int, default=50)
    ap.add_argument("--changes-share", type=float, default=0.002, help="a day of changes: this share of the people")
    ap.add_argument("--neo4j-heap", default="4g")
    ap.add_argument("--neo4j-pagecache", default="8g")
    ap.add_argument("--skip", nargs="*", default=[], choices=("sweeps", "flow", "cards", "changes"))
    ap.add_argument("--keep", action="store_true", help="keep the store")
    ap.add_argument("--reuse", action="store_true",
                    help="the store a --keep run left: no load; the other steps on it (e.g. alone on the machine)")
    args = ap.parse_args()

    feed = args.feed.resolve()
    people = int(re.search(r"(\d+)", feed.stem).group(1)) if re.search(r"\d{4,}", feed.stem) else None
    if people is None:
        raise SystemExit(f"{feed}: name it feed-<people>.jsonl, as `familycard generate` was asked")
    need = people / 1e6 * GB_PER_MILLION[args.engine]
    args.work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.work).free / 1e9
    if free < need * 1.1:
        raise SystemExit(f"{people:,} people on {args.engine} need about {need:.0f} GB free in {args.work}; "
                         f"{free:.0f} GB are")
    data = (args.work / f"{args.engine}-{people}").resolve()
    if not args.reuse:
        shutil.rmtree(data, ignore_errors=True)
    elif not data.exists():
        raise SystemExit(f"--reuse: {data} does not exist (a --keep run leaves it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env.update(FAMILYCARD_DATA_DIR=str(data), FAMILYCARD_NEO4J_HEAP=args.neo4j_heap,
               FAMILYCARD_NEO4J_PAGECACHE=args.neo4j_pagecache,
               FAMILYCARD_API_KEYS=json.dumps({"bench": {"role": "caseworker", "key": _KEY}}),
               FAMILYCARD_ID_SECRET="bench-country-id-secret-0123456789abcdef")
    neo4j_uri = None
    if args.engine == "neo4j":
        port = free_port()
        subprocess.run([sys.executable, "-m", "familycard.cli", "neo4j", "start", "--port", str(port)], env=env,
                       check=True, capture_output=True)
        neo4j_uri = f"bolt://127.0.0.1:{port}"
        env.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=neo4j_uri)
    dest = ROOT / "bench" / "results" / f"country-{dt.date.today()}-{people}-{args.engine}.json"
    res: dict = json.loads(dest.read_text()) if args.reuse and dest.exists() else {}
    res |= {"machine": machine(), "engine": args.engine, "people": people, "feed_mb": feed.stat().st_size >> 20,
            "neo4j_memory": [args.neo4j_heap, args.neo4j_pagecache] if neo4j_uri else None}

    def save(key: str, value) -> None:
        res[key] = value
        dest.write_text(json.dumps(res, indent=1))
        print(f"  {args.engine} {people:,}: {key}: {json.dumps(value)[:400]}", flush=True)

    try:
        if not args.reuse:
            save("load", load(env, feed, data, args.engine))

        if "sweeps" not in args.skip:
            runs = []
            for _ in range(args.sweeps):
                _, rss, out, err = run([sys.executable, "-c", _SWEEP, AS_OF.isoformat()], env)
                if not out:
                    save("sweep_failed", err[-2000:])
                    raise SystemExit(f"the dry-run sweep failed:\n{err[-2000:]}")
                r = json.loads(out.splitlines()[-1])
                r["peak_rss_mb"] = rss
                runs.append(r)
                print(f"    dry-run sweep {r['seconds']:.1f} s, {r['found']:,} found, RSS {rss:,} MB", flush=True)
            save("sweep", {"runs": runs, "median_s": round(statistics.median(r["seconds"] for r in runs), 1),
                           "found": runs[-1]["found"]})

        if "flow" not in args.skip:
            secs, rss, line, err = cli(env, "sweep", "--as-of", AS_OF.isoformat())
            save("sweep_offers", {"seconds": round(secs, 1), "peak_rss_mb": rss, "out": line[-600:]})
            secs, rss, line, err = cli(env, "sms", "send")
            sent = int(re.search(r"(\d[\d,]*) sent", line + err).group(1).replace(",", "")) if re.search(
                r"(\d[\d,]*) sent", line + err) else None
            save("sms_send", {"seconds": round(secs, 1), "sent": sent,
                              "per_second": round(sent / secs) if sent else None, "out": (line or err)[-300:]})

        if "cards" not in args.skip:
            readme = readme_card_query()
            save("card", cards(env, data, args.engine, neo4j_uri, args.cards, args.warm_cards, args.work, readme))
            save("card_without_rights", cards(env, data, args.engine, neo4j_uri, args.cards, args.warm_cards,
                                              args.work, without_rights(readme)))

        if "changes" not in args.skip:
            changes = args.work / f"changes-{args.engine}-{people}.jsonl"
            count = int(people * args.changes_share)
            g_secs, _, _, _ = cli(env, "changes", "--date", AS_OF.isoformat(), "--count", str(count), "--seed", "1",
                                  "-o", str(changes))
            i_secs, i_rss, i_line, _ = cli(env, "ingest", str(changes), "--today", AS_OF.isoformat(),
                                           "--show-rejected", "0")
            s_secs, s_rss, s_line, s_err = cli(env, "sweep", "--as-of", AS_OF.isoformat(), "--incremental")
            changes.unlink(missing_ok=True)
            save("day_of_changes", {"records_asked": count, "generate_s": round(g_secs, 1),
                                    "ingest_s": round(i_secs, 1), "ingest": i_line, "ingest_rss_mb": i_rss,
                                    "incremental_s": round(s_secs, 1), "incremental_rss_mb": s_rss,
                                    "together_s": round(i_secs + s_secs, 1),
                                    "incremental_out": (s_line + "\n" + s_err)[-800:]})
    finally:
        if neo4j_uri:
            subprocess.run([sys.executable, "-m", "familycard.cli", "neo4j", "stop"], env=env, capture_output=True)
    # A step that failed leaves the store for --reuse (a 5 M load is half an hour): removed on success only.
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    print(f"\n{machine()}; {people:,} people; raw: {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
