"""The reply reader against tests/data/replies.yaml: the share of real-shaped replies read
without a clarifying SMS, and the share read wrongly (a decision the table does not expect),
for the reader of this tree and for an older one (by default the one before the word list,
39074dc, from git).

    python bench/replies_table.py                 # this tree against the reader before the word list
    python bench/replies_table.py --old <ref>     # against another commit
"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from familycard.graph.sms import replies  # noqa: E402
from graph.sms.test_replies import TABLE, expected_reading  # noqa: E402

# The last commit with the reader of fixed words; main itself has the word list now.
BEFORE = "39074dc"


def _old_module(ref: str):
    src = subprocess.run(["git", "show", f"{ref}:src/familycard/graph/replies.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(src)
    spec = importlib.util.spec_from_file_location("old_replies", f.name)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def _score(read) -> tuple[int, int, int, int]:
    """(read without clarification, of which wrongly, rows the table reads, rows)"""
    decided = wrong = readable = 0
    for row in TABLE:
        res = read(row)
        want = expected_reading(row["expect"])
        readable += want is not None
        if not res.unclear:
            decided += 1
            wrong += res.decisions != want
    return decided, wrong, readable, len(TABLE)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", default=BEFORE, help=f"git ref of the older reader (default: {BEFORE})")
    args = ap.parse_args()
    old = _old_module(args.old)
    # The old reader knows neither refusals to take back nor shared phones: it gets the open offers.
    runs = {
        f"{args.old}": lambda r: old.resolve(old.parse_reply(r["text"]), r.get("open", [1])),
        "this tree": lambda r: replies.resolve(replies.parse_reply(r["text"]), r.get("open", [1]),
                                               retractable=r.get("back", []), shared=r.get("shared", False)),
    }
    for name, read in runs.items():
        decided, wrong, readable, n = _score(read)
        right = decided - wrong
        print(f"{name:>10}: of {n} replies {decided} read without clarification ({decided / n:.0%}), "
              f"{wrong} of them wrongly; of the {readable} the table reads, {right} read right "
              f"({right / readable:.0%})")


if __name__ == "__main__":
    main()
