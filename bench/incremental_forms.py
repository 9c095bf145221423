"""The incremental sweep through the CLI (`familycard sweep --incremental`), once per scoped form
(``rules.run.scoped``), each run in a fresh process on a fresh copy of a LadybugDB folder that
has had its full sweep of the day and then an ingest of changes: per-rule seconds and the
rules' total as medians of --runs, the whole command's wall time, and the offers line (the
forms must offer the same).

    python bench/incremental_forms.py /work/data/lb1m --as-of 2026-11-25 --forms join table --runs 3

The copies go beside the folder (``<folder>.run``, deleted after each run): free as much disk.
"""
from __future__ import annotations

import argparse
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

from familycard.graph.rules.run import FORMS  # noqa: E402

# The CLI with LadybugStore running the form named first: the form is the store's declared
# capability, not a setting, so a benchmark sets it on the class before the CLI starts.
_CLI = ("import sys\nfrom familycard.graph.store.ladybug import LadybugStore\n"
        "LadybugStore.scoped_rule_form = sys.argv.pop(1)\n"
        "from familycard.cli import main\nsys.exit(main(sys.argv[1:]))")
_RULE = re.compile(r"^(\w+)\s+[\d,]+\s+.*?(\d+\.\d\d)  \S", re.M)   # a summary row: code, found, tenge, seconds, title


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path, help="a LadybugDB folder after the day's full sweep and an ingest")
    ap.add_argument("--as-of", required=True, help="the day of the full sweep (YYYY-MM-DD)")
    ap.add_argument("--forms", nargs="+", choices=FORMS, default=["join", "table"])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    copy = args.store.with_name(args.store.name + ".run")
    got: dict[str, dict] = {f: {"rules": {}, "total": [], "wall": [], "offers": set()} for f in args.forms}
    for i in range(args.runs):
        for form in args.forms:  # alternated, so that a change in the machine's load hits both
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(args.store, copy)
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", _CLI, form, "sweep", "--as-of", args.as_of, "--incremental"],
                                 capture_output=True, text=True,
                                 env={**os.environ, "FAMILYCARD_DATA_DIR": str(copy)})
            wall = time.perf_counter() - t
            shutil.rmtree(copy, ignore_errors=True)
            if out.returncode:
                sys.exit(f"{form} run {i + 1}: exit {out.returncode}\n{out.stderr[-2000:]}")
            g = got[form]
            for code, secs in _RULE.findall(out.stdout):
                g["rules"].setdefault(code, []).append(float(secs))
            g["total"].append(float(re.search(r"rules in ([\d.]+) s", out.stdout).group(1)))
            g["wall"].append(wall)
            g["offers"].add(re.search(r"^offers: .*$", out.stdout, re.M).group(0))
            print(f"{form} run {i + 1}: rules {g['total'][-1]:.1f} s, command {wall:.1f} s", flush=True)
    print(f"\n{'rule':<22} " + " ".join(f"{f + ' s':>9}" for f in args.forms))
    for code in got[args.forms[0]]["rules"]:
        print(f"{code:<22} " + " ".join(f"{statistics.median(got[f]['rules'][code]):>9.2f}" for f in args.forms))
    for label, key in (("14 rules", "total"), ("command", "wall")):
        print(f"{label + f' (medians of {args.runs})':<22} "
              + " ".join(f"{statistics.median(got[f][key]):>9.1f}" for f in args.forms))
    offers = {f: got[f]["offers"] for f in args.forms}
    same = len(set().union(*offers.values())) == 1
    print("the same offers in every run and form" if same else f"OFFERS DIFFER: {offers}")


if __name__ == "__main__":
    main()
