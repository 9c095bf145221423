"""The country (20.2 M people) on paper: each figure of bench/country.py's runs fitted as a straight
line in the number of people (least squares over the sizes measured) and read at 20.2 M.

    python bench/paper.py                      # every bench/results/country-*.json, newest per size
    python bench/paper.py --people 20200000 --results bench/results

A straight line is the claim under test: the table shows each size's measured figure beside the
fit, and the fit's worst relative error over them, so a figure that grows faster than the
population shows as a poor fit, not as a confident extrapolation.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, unit, how to read the figure out of a run's JSON, whether to extrapolate it)
FIGURES = [
    ("first load", "s", lambda r: r["load"]["seconds"], True),
    ("first load, peak RSS", "MB", lambda r: r["load"]["peak_rss_mb"], True),
    ("store on disk", "MB", lambda r: r["load"]["store_mb"], True),
    ("full dry-run sweep (median)", "s", lambda r: r["sweep"]["median_s"], True),
    ("full sweep, peak RSS", "MB", lambda r: max(x["peak_rss_mb"] for x in r["sweep"]["runs"]), True),
    ("the day's sweep with offers", "s", lambda r: r["sweep_offers"]["seconds"], True),
    ("sms send", "s", lambda r: r["sms_send"]["seconds"], True),
    # one request's time: not extrapolated (a card should cost the same at any population; where it
    # grows, that is a defect to find, issue 20), shown as measured
    ("card with rights, p50", "ms", lambda r: _answered(r["card"])["p50_ms"], False),
    ("card without rights, p50", "ms", lambda r: _answered(r["card_without_rights"])["p50_ms"], False),
    ("a day of changes: ingest + incremental sweep", "s", lambda r: r["day_of_changes"]["together_s"], True),
]


def _answered(card: dict) -> dict:
    """A card step whose requests all failed measured the server's time limit (504 after 10 s),
    not the card: no figure, rather than a fit through the limit."""
    if card["errors"] >= card["requests"]:
        raise KeyError("every card failed")
    return card


def runs(results: Path) -> dict[str, dict[int, dict]]:
    """engine -> people -> the newest run of that size (files sort by date)."""
    out: dict[str, dict[int, dict]] = {}
    for path in sorted(results.glob("country-*.json")):
        r = json.loads(path.read_text())
        if "load" in r:
            out.setdefault(r["engine"], {})[r["people"]] = r
    return out


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares a + b·x; one point: through the origin."""
    if len(points) == 1:
        x, y = points[0]
        return 0.0, y / x
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - b * mx, b


def table(by_size: dict[int, dict], people: int) -> list[str]:
    sizes = sorted(by_size)
    head = " | ".join(f"{s / 1e6:g} M" for s in sizes)
    lines = [f"| figure | {head} | at {people / 1e6:g} M (fit) | worst fit error |",
             "|---|" + "---:|" * (len(sizes) + 2)]
    for label, unit, get, extrapolate in FIGURES:
        pts = []
        for s in sizes:
            try:
                pts.append((s, float(get(by_size[s]))))
            except (KeyError, TypeError, ValueError):
                pass
        if not pts:
            continue
        cells = " | ".join(next((f"{y:,.0f}" if y >= 100 else f"{y:,.1f}" for x, y in pts if x == s), "–")
                           for s in sizes)
        if not extrapolate:
            lines.append(f"| {label} ({unit}) | {cells} | not extrapolated | – |")
            continue
        a, b = fit(pts)
        # two points always lie on their line: an error says something from three sizes on
        err = max(abs(a + b * x - y) / y for x, y in pts if y) if len(pts) > 2 else None
        at = a + b * people
        lines.append(f"| {label} ({unit}) | {cells} | **{at:,.0f}** | "
                     f"{'–' if err is None else f'{err:.0%}'} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=20_200_000)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    found = runs(args.results)
    if not found:
        raise SystemExit(f"no country-*.json in {args.results}: run bench/country.py first")
    for engine, by_size in sorted(found.items()):
        print(f"\n### {engine}: {', '.join(f'{s:,}' for s in sorted(by_size))} people measured\n")
        print("\n".join(table(by_size, args.people)))


if __name__ == "__main__":
    main()
