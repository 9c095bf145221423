"""The incremental sweep's rules alone, in a fresh process: per-rule seconds from the scope of
everything ingested after --since, on a LadybugDB folder (e.g. one kept by bench/flow.py --keep),
in each scoped form (``rules.run.scoped``: ``join``, ``lookup``, ``table``), medians of --runs,
and whether the forms find the same rights. The ``table`` form writes the scope into the folder
(``Store.scope_set``: its time is in the first run of each set) and drops it at the end.

    python bench/scoped_rules.py /tmp/familycard-bench/flow/ladybug-1000000 --since 2000-01-01 --runs 3
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from familycard.graph.rules import load_rules, run_rule, scope_label  # noqa: E402
from familycard.graph.rules.run import FORMS, TABLE  # noqa: E402
from familycard.graph.store.ladybug import LadybugStore  # noqa: E402
from familycard.graph.sweep import scope as scopes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--since", type=dt.datetime.fromisoformat, default=dt.datetime(2000, 1, 1))
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    ap.add_argument("--forms", nargs="+", choices=FORMS, default=list(FORMS),
                    help="the scoped forms to time and compare (default: all)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each rule in each form; medians printed")
    args = ap.parse_args()
    store = LadybugStore(args.store, read_only=TABLE not in args.forms)
    t = time.perf_counter()
    sc = scopes.compute(store, args.since, 3)
    print(f"{sc.line()} in {time.perf_counter() - t:.1f} s")
    if TABLE in args.forms:
        # Written before the rules are timed, and timed on its own (a sweep writes each set once).
        store.clear_scope()
        t = time.perf_counter()
        sets = {(scope_label(r), tuple(sc.keys_for(r))) for r in load_rules()}
        for label, keys in sets:
            store.scope_set(label, keys)
        print(f"table form: {len(sets)} scope sets ({sum(len(k) for _, k in sets):,} keys) written "
              f"in {time.perf_counter() - t:.2f} s")
    totals = dict.fromkeys(args.forms, 0.0)
    print(f"{'rule':<22} {'first nodes':>11} " + " ".join(f"{f + ' s':>9} {'found':>6}" for f in args.forms)
          + "  same")
    for rule in load_rules():
        keys = sc.keys_for(rule)
        cells, found = [], {}
        for form in args.forms:
            secs = []
            for _ in range(args.runs):
                t = time.perf_counter()
                found[form] = run_rule(store, rule, args.as_of, keys, form)
                secs.append(time.perf_counter() - t)
            med = statistics.median(secs)
            totals[form] += med
            cells.append(f"{med:>9.2f} {len(found[form]):>6,}")
        same = all(f == found[args.forms[0]] for f in found.values())
        print(f"{rule.code:<22} {len(keys):>11,} " + " ".join(cells) + f"  {'yes' if same else 'NO'}", flush=True)
    if TABLE in args.forms:
        store.clear_scope()
    print(f"14 scoped rules (medians of {args.runs}): "
          + ", ".join(f"{form} {secs:.1f} s" for form, secs in totals.items()))


if __name__ == "__main__":
    main()
