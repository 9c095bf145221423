"""The flow benchmark: incremental vs full sweep after a day of changes, and the throughput of
offers, SMS, replies and payment orders, on each engine.

    python bench/flow.py --people 1000000 --engines ladybug neo4j --changes 10000 --runs 3

Works on a copy of bench/sweep.py's store for (engine, people) (built there once), so the sweep
benchmark's stores stay as ingested. Steps, in one process per engine:
  1. the day's full sweep, recording every offer (and its SMS, audit events) once;
  2. sending every queued SMS through the file gateway;
  3. scripted replies (consent) from --replies phones, one transaction each;
  4. a payment run for the next month (re-checks monthly rights, orders, CSV + pain.001);
  5. --changes records of one day (synthetic.changes) ingested, then the incremental sweep
     (median of --runs, from the same moment) against the full dry-run sweep (median of --runs).
Results go to bench/results/flow-<date>-....json; a Markdown table is printed.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from familycard.dates import utcnow  # noqa: E402
from familycard.graph.flow.inbox import receive  # noqa: E402
from familycard.graph.flow.outbox import send_outbox  # noqa: E402
from familycard.graph.flow.payments import pay_month  # noqa: E402
from familycard.graph.ingest import ingest_lines  # noqa: E402
from familycard.graph.sms.gateways import FileGateway  # noqa: E402
from familycard.graph.store import neo4j_local as neo4j_server  # noqa: E402
from familycard.graph.sweep import daily_sweep, sweep  # noqa: E402
from familycard.synthetic import write_changes  # noqa: E402
from ingest import AS_OF, bench_args, feed_for, machine  # noqa: E402
from sweep import prepare  # noqa: E402


def _copy(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    t = time.monotonic()
    shutil.copytree(src, dst)
    print(f"  copied {src} in {time.monotonic() - t:.0f} s", flush=True)


def _open(engine: str, store_dir: Path, heap: str, pagecache: str):
    if engine == "neo4j":
        server = neo4j_server.Neo4jServer(heap=heap, pagecache=pagecache)
        server.start(store_dir / "neo4j-server")
        from familycard.graph.store.neo4j import Neo4jStore
        store = Neo4jStore(server.uri)
        store.setup_schema()
        store.write("CALL db.awaitIndexes(1200)")  # new indexes (Person.phone) built before timing
        return store, server
    from familycard.graph.store.ladybug import LadybugStore
    store = LadybugStore(store_dir)
    store.setup_schema()
    return store, None


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run_engine(engine: str, people: int, args, feed: Path) -> dict:
    base = prepare(engine, people, feed, args.work, args.neo4j_heap, args.neo4j_pagecache)
    work = args.work / "flow" / f"{engine}-{people}"
    _copy(base, work)
    store, server = _open(engine, work, args.neo4j_heap, args.neo4j_pagecache)
    res: dict = {"engine": engine, "people": people}
    try:
        clock = [dt.datetime(2026, 11, 25, 3, 0)]
        now = lambda: clock[0]  # noqa: E731

        full, secs = timed(lambda: daily_sweep(store, AS_OF, now=now))
        res["offers"] = {"found": len(full.result.entitlements), "offered": full.offers.offered,
                         "queued_sms": full.offers.queued_sms, "worklisted": full.offers.worklisted,
                         "seconds": secs, "rules_seconds": full.result.seconds}
        print(f"  {engine}: full sweep + offers {secs:.1f} s ({full.offers.line()})", flush=True)

        gw_path = work / "sms.jsonl"
        with FileGateway(gw_path) as gw:
            sent, secs = timed(lambda: send_outbox(store, gw, now=now))
        res["sms"] = {"sent": sent.sent, "seconds": secs, "per_second": sent.sent / secs if secs else None}
        print(f"  {engine}: {sent.line()} in {secs:.1f} s", flush=True)

        phones = [r["p"] for r in store.read(
            "MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL AND o.amount_kzt IS NOT NULL "
            "RETURN DISTINCT o.phone AS p ORDER BY p LIMIT $n", {"n": args.replies})]
        clock[0] = dt.datetime(2026, 11, 25, 6, 0)
        t = time.perf_counter()
        orders = 0
        for i, p in enumerate(phones):
            orders += receive(store, p, "все иә", at=clock[0] + dt.timedelta(seconds=i)).orders
        secs = time.perf_counter() - t
        res["replies"] = {"replies": len(phones), "orders": orders, "seconds": secs,
                          "per_second": len(phones) / secs if secs else None}
        print(f"  {engine}: {len(phones)} replies, {orders} orders in {secs:.1f} s", flush=True)

        clock[0] = dt.datetime(2026, 12, 1, 4, 0)
        paid, secs = timed(lambda: pay_month(store, "2026-12", work / "payments", now=now))
        res["pay"] = {"ordered": paid.ordered, "ended": paid.ended, "orders": paid.orders, "seconds": secs}
        print(f"  {engine}: {paid.line()} in {secs:.1f} s", flush=True)

        # A fresh handle for the second half: LadybugDB 0.22 keeps what the writes above took of
        # its buffer pool, and a scoped sweep then ran out of it ("the buffer pool is full").
        store.close()
        if server:
            from familycard.graph.store.neo4j import Neo4jStore
            store = Neo4jStore(server.uri)
        else:
            from familycard.graph.store.ladybug import LadybugStore
            store = LadybugStore(work)

        buf = io.StringIO()
        n_changes, secs = timed(lambda: write_changes(store, buf, AS_OF, args.changes, seed=1))
        lines = buf.getvalue().encode().splitlines(keepends=True)
        before_ingest = utcnow() - dt.timedelta(seconds=1)
        ing, ing_secs = timed(lambda: ingest_lines(store, lines, "changes", AS_OF))
        res["changes"] = {"records": n_changes, "generate_seconds": secs, "ingest_seconds": ing_secs,
                          "ingest": ing.line()}
        print(f"  {engine}: {n_changes} changes generated in {secs:.1f} s, ingested in {ing_secs:.1f} s "
              f"({ing.line()})", flush=True)

        inc_runs, full_runs = [], []
        for k in range(args.runs):
            clock[0] = dt.datetime(2026, 11, 25, 8, 0, k)
            inc, secs = timed(lambda: daily_sweep(store, AS_OF, incremental=True, changed_since=before_ingest,
                                                  now=now))
            inc_runs.append(secs)
            if k == 0:
                res["incremental_first"] = {"offered": inc.offers.offered, "found": len(inc.result.entitlements),
                                            "scope": [len(r) for r in inc.scope.rings],
                                            "households": len(inc.scope.addresses),
                                            "per_rule": {r.code: r.seconds for r in inc.result.runs}}
                print(f"  {engine}: incremental {secs:.1f} s: {inc.scope.line()}; {inc.offers.line()}", flush=True)
            dry, secs = timed(lambda: sweep(store, AS_OF))
            full_runs.append(secs)
            print(f"  {engine}: run {k + 1}: incremental {inc_runs[-1]:.2f} s, full (dry) {secs:.2f} s", flush=True)
        # The same rights: a full sweep's new ones are exactly what the incremental one offered.
        res["incremental"] = {"runs": inc_runs, "median": statistics.median(inc_runs)}
        res["full_dry"] = {"runs": full_runs, "median": statistics.median(full_runs), "found": len(dry.entitlements)}
    finally:
        store.close()
        if server:
            server.stop()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return res


def main() -> None:
    p = bench_args("4g")
    p.add_argument("--changes", type=int, default=10_000)
    p.add_argument("--replies", type=int, default=2_000)
    p.add_argument("--keep", action="store_true", help="keep the working copies of the stores")
    args = p.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "date": dt.date.today().isoformat(), "command": " ".join(sys.argv),
               "runs": []}
    out = ROOT / "bench" / "results" / f"flow-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    for people in args.people:
        feed, _ = feed_for(people, 1, args.work)
        for engine in args.engines:
            print(f"{engine}, {people:,} people", flush=True)
            try:
                results["runs"].append(run_engine(engine, people, args, feed))
            except Exception as e:  # one engine failing must not lose the other's figures
                import traceback
                traceback.print_exc()
                results.setdefault("errors", []).append({"engine": engine, "people": people, "error": repr(e)})
            out.write_text(json.dumps(results, indent=1, default=str))
    print("\n| people | engine | full sweep + offers | SMS/s | replies/s | pay run | incremental (median) "
          "| full dry (median) | ratio |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in [r for r in results["runs"] if "incremental" in r]:
        print(f"| {r['people']:,} | {r['engine']} | {r['offers']['seconds']:.1f} s ({r['offers']['offered']:,}) "
              f"| {r['sms']['per_second']:,.0f} | {r['replies']['per_second']:,.1f} | {r['pay']['seconds']:.1f} s "
              f"| {r['incremental']['median']:.2f} s | {r['full_dry']['median']:.2f} s "
              f"| {r['full_dry']['median'] / r['incremental']['median']:.1f}× |")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
