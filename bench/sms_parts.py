"""What each kind of SMS costs, in parts (as graph/sms_length.py counts them), for the texts of
this tree and of an older one (by default 06853d0, the texts before issue 15 shortened them):
the most parts over all rules, with the longest realistic values (a 24-letter given name, an
amount of 9 999 999 ₸, offer number 12), and a birth offer as most mothers get it.

    python bench/sms_parts.py                 # this tree against 06853d0
    python bench/sms_parts.py --old <ref>     # against another commit
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import io
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "06853d0"
AMOUNT, NUMBER = 9_999_999, 12
KINDS = ("offer", "offer, numbered", "offer, names its recipient", "notice", "birth offer, 272 475 ₸",
         "consented", "refused", "refused, numbered", "clarify, 1 offer", "clarify, 2 offers",
         "clarify, 2 offers, shared phone", "clarify, 4 offers, shared phone", "too_late", "too_late_final",
         "no_offer", "withdrawn", "ended")


def render() -> dict[str, list[tuple[str, str]]]:
    """Every kind's texts, (rule, text), from the familycard importable here: the texts module's
    functions have kept their signatures, so one renderer serves both trees."""
    from familycard.graph.rules import load_rules
    from familycard.graph.texts import clarify_text, flow_text, offer_text, recipient_name, refused_text
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
        "birth offer, 272 475 ₸": [("birth", offer_text(birth, 272_475, None))],
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


def _old_texts(ref: str) -> dict[str, list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        done = subprocess.run([sys.executable, __file__, "--render"], env=env, check=True, capture_output=True,
                              text=True, cwd=tmp)
        return json.loads(done.stdout)


def _worst(texts: list[tuple[str, str]], measure) -> tuple[int, int, str]:
    """(parts, characters, rule) of the costliest text."""
    return max((measure(t).parts, measure(t).units, code) for code, t in texts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", default=BEFORE, help=f"git ref of the older texts (default: {BEFORE})")
    ap.add_argument("--render", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.render:
        print(json.dumps(render(), ensure_ascii=False))
        return
    sys.path.insert(0, str(ROOT / "src"))
    from familycard.graph.sms_length import measure
    new, old = render(), _old_texts(args.old)
    print(f"| SMS kind | before ({args.old}) | after |\n|---|---|---|")
    for kind in KINDS:
        cells = []
        for texts in (old.get(kind), new.get(kind)):
            parts, units, code = _worst(texts, measure) if texts else (0, 0, "")
            cells.append(f"{parts} parts ({units} characters, {code})" if texts else "-")
        print(f"| {kind} | {cells[0]} | {cells[1]} |")

if __name__ == "__main__":
    main()
