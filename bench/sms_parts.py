"""What each kind of SMS costs, in parts (as graph/sms/length.py counts them), for the texts of
this tree and of an older one (by default 06853d0, the texts before issue 15 shortened them):
the most parts over all rules, with the longest realistic values (a 24-letter given name, an
amount of 9 999 999 ₸, offer number 12), and a birth offer as most mothers get it. With
--people, also what a day's sweep queues for a generated population, swept by each tree (the
embedded store, in a temporary folder): the offer and notice SMS, and their parts.

    python bench/sms_parts.py                 # this tree against 06853d0
    python bench/sms_parts.py --old <ref>     # against another commit
    python bench/sms_parts.py --people 20000  # and a day's sweep of 20 000 people on each
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "06853d0"
AMOUNT, NUMBER = 9_999_999, 12
AS_OF = "2026-11-25"
KINDS = ("offer", "offer, numbered", "offer, names its recipient", "notice", "birth offer, 164 350 ₸",
         "consented", "refused", "refused, numbered", "clarify, 1 offer", "clarify, 2 offers",
         "clarify, 2 offers, shared phone", "clarify, 4 offers, shared phone", "too_late", "too_late_final",
         "no_offer", "withdrawn", "ended")


def render() -> dict[str, list[tuple[str, str]]]:
    """Every kind's texts, (rule, text), from the familycard importable here: the texts module's
    functions have kept their signatures, so one renderer serves both trees."""
    from familycard.graph.rules import load_rules
    from familycard.graph.sms.texts import clarify_text, flow_text, offer_text, recipient_name, refused_text
    rules = load_rules()
    asks = [r for r in rules if r.answers]
    name = recipient_name("Айгүлжаназаркүлмариямгүл", "Серікова")
    other = recipient_name("Гүлнар", "Ахметова")
    birth = next(r for r in rules if r.code == "birth")
    out: dict[str, list[tuple[str, str]]] = {
        "offer": [(r.code, offer_text(r, AMOUNT, None)) for r in rules if r.kind == "benefit"],
        "offer, numbered": [(r.code, offer_text(r, AMOUNT, NUMBER)) for r in asks],
        "offer, names its recipient": [(r.code, offer_text(r, AMOUNT, NUMBER, name)) for r in asks],
        "notice": [(r.code, offer_text(r, None, None)) for r in rules if r.kind != "benefit"],
        "birth offer, 164 350 ₸": [("birth", offer_text(birth, 164_350, None))],
        "consented": [(r.code, flow_text("consented", r)) for r in asks],
        "refused": [(r.code, refused_text(r, None)) for r in asks],
        "refused, numbered": [(r.code, refused_text(r, NUMBER)) for r in asks],
        "clarify, 1 offer": [(r.code, clarify_text([(None, r)])) for r in asks],
        "clarify, 2 offers": [(f"{a.code}+{b.code}", clarify_text([(1, a), (2, b)]))
                              for a in asks for b in asks if a.code < b.code],
        "clarify, 2 offers, shared phone": [(f"{a.code}+{b.code}", clarify_text([(1, a, name), (2, b, other)]))
                                            for a in asks for b in asks if a.code < b.code],
        "clarify, 4 offers, shared phone": [
            ("longest titles", clarify_text([(n + 1, r, name if n % 2 else other) for n, r in enumerate(
                sorted(asks, key=lambda r: -len(offer_text(r, None, None)))[:4])]))],
        "no_offer": [("-", flow_text("no_offer"))],
    }
    for kind in ("too_late", "too_late_final", "withdrawn", "ended"):
        out[kind] = [(r.code, flow_text(kind, r)) for r in asks]
    return out


def swept(feed: str, as_of: str) -> list[tuple[str, str]]:
    """(kind, text) of every SMS a day's sweep of ``feed`` queues, by the familycard importable
    here, in the data folder FAMILYCARD_DATA_DIR names."""
    from familycard.cli import main
    from familycard.graph.store import open_store
    from familycard.settings import Settings
    for argv in (["ingest", feed], ["sweep", "--as-of", as_of]):
        if main(argv):
            raise SystemExit(f"familycard {' '.join(argv)} failed")
    store = open_store(Settings())
    try:
        return [(r["kind"], r["text"]) for r in store.read(
            "MATCH (m:Message) WHERE m.direction = 'out' RETURN m.kind AS kind, m.text AS text")]
    finally:
        store.close()


def _tree(ref: str, tmp: str) -> Path:
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
    return Path(tmp) / "src"


def _run(src: Path, cwd: str, *args: str, data: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env["PYTHONPATH"] = str(src)
    if data:
        env["FAMILYCARD_DATA_DIR"] = data
    done = subprocess.run([sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True,
                          cwd=cwd)
    return json.loads(done.stdout.splitlines()[-1])  # the CLI prints its own lines before


def _sweeps(old: Path, people: int) -> dict[str, list[tuple[str, str]]]:
    """Each tree's SMS from a day's sweep of one generated population (generated by this tree)."""
    with tempfile.TemporaryDirectory() as tmp:
        feed = str(Path(tmp) / "feed.jsonl")
        subprocess.run([sys.executable, "-m", "familycard.cli", "generate", "--people", str(people),
                        "--as-of", AS_OF, "-o", feed], check=True, capture_output=True, cwd=tmp,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        return {name: _run(src, tmp, "--sweep", feed, data=str(Path(tmp) / name))
                for name, src in (("before", old), ("after", ROOT / "src"))}


def _worst(texts: list[tuple[str, str]], measure) -> tuple[int, int, str]:
    """(parts, characters, rule) of the costliest text."""
    return max((measure(t).parts, measure(t).units, code) for code, t in texts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", default=BEFORE, help=f"git ref of the older texts (default: {BEFORE})")
    ap.add_argument("--people", type=int, help="also sweep a generated population of this size on each tree")
    ap.add_argument("--render", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--sweep", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.render or args.sweep:
        print(json.dumps(render() if args.render else swept(args.sweep, AS_OF), ensure_ascii=False))
        return
    sys.path.insert(0, str(ROOT / "src"))
    from familycard.graph.sms.length import measure
    with tempfile.TemporaryDirectory() as tmp:
        src = _tree(args.old, tmp)
        new, old = render(), _run(src, tmp, "--render")
        sweeps = _sweeps(src, args.people) if args.people else {}
    print(f"| SMS kind | before ({args.old}) | after |\n|---|---|---|")
    for kind in KINDS:
        cells = []
        for texts in (old.get(kind), new.get(kind)):
            parts, units, code = _worst(texts, measure) if texts else (0, 0, "")
            cells.append(f"{parts} parts ({units} characters, {code})" if texts else "-")
        print(f"| {kind} | {cells[0]} | {cells[1]} |")
    if sweeps:
        print(f"\nA day's sweep ({AS_OF}) of {args.people:,} generated people: the SMS it queues\n")
        print(f"| kind | SMS | parts before ({args.old}) | parts after |\n|---|---|---|---|")
        kinds = sorted({k for texts in sweeps.values() for k, _ in texts})
        for kind in kinds:
            got = {name: [measure(t).parts for k, t in texts if k == kind] for name, texts in sweeps.items()}
            cells = [f"{sum(p):,} (mean {sum(p) / len(p):.2f}, at most {max(p)})" if p else "-"
                     for p in (got["before"], got["after"])]
            print(f"| {kind} | {len(got['after']):,} | {cells[0]} | {cells[1]} |")

if __name__ == "__main__":
    main()
