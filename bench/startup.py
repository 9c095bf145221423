"""How long a command takes to start: this tree against another commit, in one run.

    python bench/startup.py --base af7c94b --runs 9

Each probe is a fresh interpreter (the venv's python, with PYTHONPATH naming the tree's src/,
so both trees load the same installed libraries); the figure is the median wall time. The
base commit is checked out into a temporary git worktree and removed afterwards.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBES = {
    "familycard --help": ["-m", "familycard.cli", "--help"],
    "import the API app": ["-c", "import familycard.api.app"],
    "import the sweep": ["-c", "import familycard.graph.sweep"],
    "import the rule engine": ["-c", "import familycard.graph.rules"],
}


def _median_seconds(src: Path, args: list[str], runs: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(src))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="the commit to compare with (e.g. main before a change)")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.base], cwd=ROOT, check=True)
        try:
            print(f"{'probe':28} {args.base[:10]:>10} {'this tree':>10}  (median of {args.runs}, ms)")
            for label, probe in PROBES.items():
                try:
                    before = f"{_median_seconds(base / 'src', probe, args.runs) * 1000:.0f}"
                except subprocess.CalledProcessError:
                    before = "n/a"  # the module is not there in the base commit
                after = _median_seconds(ROOT / "src", probe, args.runs) * 1000
                print(f"{label:28} {before:>10} {after:>10.0f}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
