"""The first load (`familycard load`) against the engines' own bulk paths, in one run.

    python bench/load.py --people 1000000 --engines ladybug neo4j --runs 3

For each population (one generated feed, seed 1, as of 2026-11-25, shared with bench/ingest.py):
* the floor of reading: polars reading the JSONL feed alone (every field of records.md, typed);
* per engine, each run in a fresh data folder: `familycard load FEED` as a separate process,
  wall-clock, its steps (read, resolve, copy|import) and its peak RSS (the familycard process
  alone, sampled; Neo4j's importer and server are JVMs of their own); then the engine's own bulk
  path on the files that load made: LadybugDB `COPY` of the plan into a new database, Neo4j's
  importer (`neo4j-admin database import full`) on its CSV files into a new database; and the
  store's size on disk.
Prints a Markdown table of medians with the ratios the issue asks for and writes the raw runs to
bench/results/load-<date>-<people>.json. Checks free disk first and removes what it made.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import AS_OF, bench_args, feed_for, machine  # noqa: E402

# Disk a million people take at most at once, measured at 1 M (GB): the feed 2.4, the load's
# spill 0.7 and plan ~1.2, LadybugDB 1.9, Neo4j's CSV ~3 and database ~5.
GB_PER_MILLION = {"ladybug": 2.4 + 0.7 + 1.2 + 2 * 1.9, "neo4j": 2.4 + 1.2 + 3.0 + 2 * 5.0}

_READ_FLOOR = r"""
import sys, time, polars as pl
S, I = pl.String, pl.Int64
fields = ["kind", "source", "recorded_at", "iin", "surname", "given_name", "patronymic", "birth_date", "sex",
          "death_date", "address_id", "phone", "bank_account", "citizenship", "type", "from", "to", "since",
          "until", "valid_from", "valid_to", "group", "employer_bin", "month", "name", "benefit"]
schema = {f: S for f in fields} | {"work_capacity_loss_percent": I, "amount_kzt": I}
t = time.perf_counter()
df = pl.read_ndjson(sys.argv[1], schema=schema, ignore_errors=True)
print(time.perf_counter() - t, df.height)
"""

_COPY_FLOOR = r"""
import sys, time
from pathlib import Path
from familycard.graph.load.ladybug import build_database
t = time.perf_counter()
rows = build_database(Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - t, rows)
"""

_IMPORT_FLOOR = r"""
import sys, time
from pathlib import Path
from familycard.graph.load.neo4j_import import import_args, write_csv
from familycard.graph.store import neo4j_local as nl
plan, out = Path(sys.argv[1]), Path(sys.argv[2])
t = time.perf_counter()
files = write_csv(plan, out / "csv")
csv_s = time.perf_counter() - t
t = time.perf_counter()
nl.run_admin(out / "neo4j", import_args(files, "neo4j", files_at=str(out / "csv"), overwrite=True),
             out / "import.log", nl.default_cache_dir(), cwd=out)
print(time.perf_counter() - t, sum(files.rows.values()), csv_s)
"""


def _peak_rss(pid: int, stop: threading.Event, out: list[int]) -> None:
    import psutil

    p = psutil.Process(pid)
    while not stop.is_set():
        try:
            out[0] = max(out[0], p.memory_info().rss)
        except psutil.Error:
            return
        stop.wait(0.2)


def run(cmd: list[str], env: dict) -> tuple[float, int, str, str]:
    """Wall seconds, peak RSS (MB, the process alone), stdout, stderr; fails loudly."""
    t = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_peak_rss, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    secs = time.monotonic() - t
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({proc.returncode}):\n{err[-3000:]}")
    return secs, peak[0] // 2**20, out.strip(), err


def du_mb(path: Path) -> int:
    if path.is_file():  # LadybugDB's database is one file
        return path.stat().st_size // 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) // 2**20 if path.exists() else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def steps(err: str) -> dict[str, float]:
    """`load: read: 596,376 lines in 8.4 s (70,890/s)` -> {"read": 8.4}"""
    out = {}
    for line in err.splitlines():
        if line.startswith("load: ") and " in " in line and line.rstrip().endswith("/s)"):
            name = line[6:].split(":", 1)[0]
            out[name] = float(line.rsplit(" in ", 1)[1].split(" s", 1)[0])
    return out


def one_run(engine: str, feed: Path, work: Path, env0: dict) -> dict:
    py = sys.executable
    data = work / f"load-{engine}"
    shutil.rmtree(data, ignore_errors=True)
    env = dict(env0, FAMILYCARD_DATA_DIR=str(data))
    fc = [py, "-m", "familycard.cli"]
    if engine == "neo4j":
        port = free_port()
        subprocess.run(fc + ["neo4j", "start", "--port", str(port)], env=env, check=True, capture_output=True)
        env.update(FAMILYCARD_STORE="neo4j", FAMILYCARD_NEO4J_URI=f"bolt://127.0.0.1:{port}")
    try:
        secs, rss, line, err = run(fc + ["load", str(feed), "--today", AS_OF.isoformat(), "--show-rejected", "0",
                                         "--keep-work"], env)
        store_mb = du_mb(data / "graph.lbug") if engine == "ladybug" else du_mb(data / "neo4j")
    finally:
        if engine == "neo4j":
            subprocess.run(fc + ["neo4j", "stop"], env=env, capture_output=True)
    plan = next(data.glob("load-*/plan"))
    floor_dir = work / f"floor-{engine}"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir()
    if engine == "ladybug":
        _, _, out, _ = run([py, "-c", _COPY_FLOOR, str(plan), str(floor_dir / "db")], env0)
        bulk_s, rows = map(float, out.split()[:2])
        csv_s = None
    else:
        _, _, out, _ = run([py, "-c", _IMPORT_FLOOR, str(plan), str(floor_dir)], env0)
        bulk_s, rows, csv_s = map(float, out.split()[:3])
    shutil.rmtree(floor_dir, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    return {"engine": engine, "seconds": round(secs, 1), "peak_rss_mb": rss, "steps": steps(err),
            "summary": line, "store_mb": store_mb, "bulk_floor_s": round(bulk_s, 1), "rows": int(rows),
            "csv_s": None if csv_s is None else round(csv_s, 1)}


def main() -> None:
    ap = bench_args()  # Neo4j's memory: `familycard neo4j start`'s, the importer's its own
    ap.add_argument("--keep-feed", action="store_true", help="keep the generated feed for the next bench")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env0 = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    for people in args.people:
        need = people / 1e6 * max(GB_PER_MILLION[e] for e in args.engines)
        free = shutil.disk_usage(args.work).free / 1e9
        if free < need * 1.2:
            raise SystemExit(f"{people:,} people need about {need:.0f} GB free in {args.work}; {free:.0f} GB are")
        feed, records = feed_for(people, args.seed, args.work)
        t = time.monotonic()
        _, read_rss, out, _ = run([sys.executable, "-c", _READ_FLOOR, str(feed)], env0)
        read_s = float(out.split()[0])
        print(f"  polars reads the feed: {read_s:.1f} s ({records / read_s:,.0f} records/s), "
              f"{read_rss:,} MB ({time.monotonic() - t:.0f} s with start-up)", flush=True)
        runs = []
        result = {"machine": machine(), "people": people, "records": records, "feed_mb": feed.stat().st_size // 2**20,
                  "polars_read_s": round(read_s, 1), "polars_read_rss_mb": read_rss, "runs": runs}
        dest = ROOT / "bench" / "results" / f"load-{dt.date.today()}-{people}.json"
        for engine in args.engines:
            for i in range(args.runs):
                r = one_run(engine, feed, args.work, env0)
                r["run"] = i + 1
                runs.append(r)
                dest.write_text(json.dumps(result, indent=1))
                print(f"  {engine:8} run {i + 1}: load {r['seconds']:.1f} s ({records / r['seconds']:,.0f} records/s, "
                      f"steps {r['steps']}), peak RSS {r['peak_rss_mb']:,} MB; bulk path alone "
                      f"{r['bulk_floor_s']:.1f} s; store {r['store_mb']:,} MB | {r['summary']}", flush=True)
        if not args.keep_feed:
            feed.unlink(missing_ok=True)
            feed.with_suffix(".json").unlink(missing_ok=True)
        print(f"\nmachine: {machine()}; {people:,} people, {records:,} records "
              f"({result['feed_mb']:,} MB of JSONL); polars reads it in {read_s:.1f} s\n")
        print("| engine | runs | load s (median) | records/s | read / resolve / bulk s | peak RSS | "
              "bulk path alone s | load ÷ bulk | load ÷ (bulk + polars read) | store on disk |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
        for engine in args.engines:
            rs = [r for r in runs if r["engine"] == engine]

            def med(k: str, rs: list[dict] = rs) -> float:
                return statistics.median(r[k] for r in rs)
            st = {k: statistics.median(r["steps"].get(k, 0) for r in rs) for k in ("read", "resolve")}
            bulk = statistics.median(r["steps"].get("copy", r["steps"].get("import", 0)) for r in rs)
            print(f"| {engine} | {len(rs)} | {med('seconds'):.1f} | {records / med('seconds'):,.0f} | "
                  f"{st['read']:.1f} / {st['resolve']:.1f} / {bulk:.1f} | {med('peak_rss_mb'):,.0f} MB | "
                  f"{med('bulk_floor_s'):.1f} | {med('seconds') / med('bulk_floor_s'):.2f} | "
                  f"{med('seconds') / (med('bulk_floor_s') + read_s):.2f} | {med('store_mb'):,.0f} MB |")


if __name__ == "__main__":
    main()
