"""The incremental sweep's rules alone, in a fresh process: per-rule seconds from the scope of
everything ingested after --since, on a LadybugDB folder (e.g. one kept by bench/flow.py --keep).

    python bench/scoped_rules.py /tmp/familycard-bench/flow/ladybug-1000000 --since 2000-01-01
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from familycard.graph.rules import load_rules, run_rule  # noqa: E402
from familycard.graph.store.ladybug import LadybugStore  # noqa: E402
from familycard.graph.sweep import scope as scopes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--since", type=dt.datetime.fromisoformat, default=dt.datetime(2000, 1, 1))
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    args = ap.parse_args()
    store = LadybugStore(args.store, read_only=True)
    t = time.perf_counter()
    sc = scopes.compute(store, args.since, 3)
    print(f"{sc.line()} in {time.perf_counter() - t:.1f} s")
    total = 0.0
    for rule in load_rules():
        keys = sc.keys_for(rule)
        t = time.perf_counter()
        found = run_rule(store, rule, args.as_of, keys)
        secs = time.perf_counter() - t
        total += secs
        print(f"{rule.code:<22} {len(keys):>8,} first nodes {len(found):>6,} found {secs:>6.2f} s")
    print(f"14 scoped rules: {total:.1f} s")


if __name__ == "__main__":
    main()
