"""What share of people a year of daily sweeps offers something, cheaply, on a generated population.

    python bench/offers_year.py --people 20000          # ~2 minutes on a shared 2-core machine

The seed article reports 397.8 k people sent an SMS over 20.2 M (about 2 % a year); the generator
is calibrated for it (synthetic.parameters.RECEIVED). A year of sweeps over a static population is
approximated by: the rights a dry-run sweep finds on --as-of (already net of the benefits a
`benefit` fact shows received; a window of 365 days holds a year of births, deaths and pension
ages), plus the rights the calendar alone starts over the next 365 days (a dry-run sweep every
--step days; pension ages reached and kandas statuses ending, each right counted once by its key).
Not counted: the unemployment registrations a year adds beyond the stock on --as-of. LadybugDB, in
a temporary folder deleted at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import tempfile
import time
from collections import Counter

from familycard.graph.ingest import ingest_lines
from familycard.graph.store.ladybug import LadybugStore
from familycard.graph.sweep import sweep
from familycard.synthetic import write_feed

CALENDAR = ("pension_right", "kandas_expiry")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    ap.add_argument("--step", type=int, default=15, help="days between the calendar's sweeps")
    args = ap.parse_args()
    d = args.as_of
    buf = io.StringIO()
    write_feed(buf, args.people, args.seed, d)
    lines = [ln.encode() + b"\n" for ln in buf.getvalue().splitlines()]
    del buf
    tmp = tempfile.mkdtemp(prefix="offers-year-")
    try:
        store = LadybugStore(f"{tmp}/graph")
        store.setup_schema()
        t = time.perf_counter()
        print(f"ingest: {ingest_lines(store, lines, 'feed', d).line()} ({time.perf_counter() - t:.0f} s)")
        alive = store.read("MATCH (p:Person) WHERE p.death_date IS NULL OR p.death_date > $d "
                           "RETURN count(p) AS n", {"d": d})[0]["n"]
        day1 = {e.key: e for e in sweep(store, d).entitlements}
        later = {}
        for k in range(args.step, 366, args.step):
            for e in sweep(store, d + dt.timedelta(days=k)).entitlements:
                if e.benefit in CALENDAR and e.key not in day1:
                    later.setdefault(e.key, e)
        store.close()
    finally:
        shutil.rmtree(tmp)
    c1 = Counter(e.benefit for e in day1.values())
    c2 = Counter(e.benefit for e in later.values())
    print(f"{alive:,} living people; rights on {d}: {len(day1):,}; started by the calendar over the year: "
          f"{len(later):,}")
    print(f"{'right':<22} {'day 1':>6} {'year':>6} {'per 1 000':>10}")
    for b in sorted(set(c1) | set(c2)):
        print(f"{b:<22} {c1[b]:>6} {c2[b]:>6} {1000 * (c1[b] + c2[b]) / alive:>10.2f}")
    people = {e.iin for e in day1.values()} | {e.iin for e in later.values()}
    print(f"a year: {len(day1) + len(later):,} rights, {len(people):,} people offered = "
          f"{100 * len(people) / alive:.2f} % of people")


if __name__ == "__main__":
    main()
