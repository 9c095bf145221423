"""The console's person page in a real browser at 100 k people: complete (card and graph drawn)
within 1 s? Also makes the README's screenshot (docs/console-person.png).

    python bench/console.py                              # 100 000 people, 25 pages, then deletes the data
    python bench/console.py --people 5000 --pages 5      # a quick check that it all works
    python bench/console.py --keep / --reuse             # keep the store / start from a kept one

Population: `familycard generate --people N --seed 1` then `familycard load`, a full sweep of
today and `familycard sms send` (so that pages show offers with their history), in a data folder
under --work (/work/data/console18 by default), deleted at the end unless --keep.

Server: `familycard serve` (a separate process, no access log) on 127.0.0.1 and a free port,
with a caseworker API key made for the run. Browser: the system's Chromium, headless, through
Playwright (as tests/browser.py), a 1400x900 window, signed in once (the token stays in the
tab's sessionStorage across pages, as for a caseworker).

People: --pages + 1 persons drawn (seed --seed) from the feed's people who have a kinship link;
the first is a warm-up (the server's first card and Chromium's first parse of the scripts),
not counted. Per page: a fresh navigation to /people/<id> (the page, its scripts and the vendored
Cytoscape.js, the card and graph query, the drawing), and the time of the page's own
`performance.mark("familycard:person-complete")`, which it sets once the card is shown and
Cytoscape has laid out and drawn the graph, measured from the navigation's start (the
browser's clock: what a caseworker waits); and when the card and graph's answer came
(`familycard:person-data`): the server's part and the drawing's apart. The entitlements,
asked for after that mark, are timed apart (the page's mark "familycard:person-rights" once it
shows them). Median, p90 (nearest rank) and max; target: 1 s.

Results: bench/results/console-<timestamp>.json and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api_load import free_port, percentile  # the nearest rank, as every bench here

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "familycard"
TARGET_MS = 1000.0
SCREENSHOT = ROOT / "docs" / "console-person.png"
SCREENSHOT_MAX = 300_000


def run(env: dict, *args: str) -> float:
    t0 = time.perf_counter()
    print("$ familycard", " ".join(args), flush=True)
    subprocess.run([str(BIN), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def build(work: Path, env: dict, people: int, seed: int) -> dict:
    feed = work / "feed.jsonl"
    times = {"generate_s": run(env, "generate", "--people", str(people), "--seed", str(seed), "-o", str(feed))}
    times["load_s"] = run(env, "load", str(feed))
    times["sweep_s"] = run(env, "sweep")
    times["sms_send_s"] = run(env, "sms", "send")
    (work / "BUILT").write_text(json.dumps({"people": people, "seed": seed, **times}))
    return times


def linked_iins(feed: Path) -> list[str]:
    """The IINs of people with a kinship link (either end), in feed order."""
    seen: dict[str, None] = {}
    with feed.open(encoding="utf-8") as f:
        for line in f:
            if '"kind": "link"' not in line and '"kind":"link"' not in line:
                continue
            rec = json.loads(line)
            seen.setdefault(rec["from"])
            seen.setdefault(rec["to"])
    return list(seen)


def serve(env: dict, work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--no-access-log"], env=env,
                            stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start: {(work / 'serve.log').read_text()[-2000:]}")
        time.sleep(0.3)


def ids_for(url: str, key: str, iins: list[str]) -> list[str]:
    out = []
    for iin in iins:
        r = httpx.post(f"{url}/graphql", json={"query": "query($iin: String!) { citizen(iin: $iin) { id } }",
                                               "variables": {"iin": iin}},
                       headers={"Authorization": f"Bearer {key}"}, timeout=30).json()
        if r.get("data", {}).get("citizen"):
            out.append(r["data"]["citizen"]["id"])
    return out


MEASURE = """() => {
  const [mark] = performance.getEntriesByName('familycard:person-complete');
  const [rights] = performance.getEntriesByName('familycard:person-rights');
  const [data] = performance.getEntriesByName('familycard:person-data');
  return { ms: mark.startTime, people: mark.detail.people, rights_ms: rights.startTime, data_ms: data.startTime };
}"""


def browse(url: str, key: str, ids: list[str], lang: str, shot_id: str | None) -> list[dict]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser import find_chromium

    executable = find_chromium()
    if executable is None:
        raise SystemExit("no Chromium on the PATH (apt-get install chromium)")
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{url}/")
        page.evaluate("l => localStorage.setItem('familycard.lang', l)", lang)
        page.reload()
        page.fill("input[type=password]", key)
        page.keyboard.press("Enter")
        page.locator("#signout").wait_for()
        for i, pid in enumerate(ids):
            page.goto(f"{url}/people/{pid}")
            page.wait_for_function("id => document.getElementById('main')?.dataset.complete === id", arg=pid,
                                   timeout=60_000)
            page.wait_for_function("() => performance.getEntriesByName('familycard:person-rights').length",
                                   timeout=60_000)
            got = page.evaluate(MEASURE)
            got["warmup"] = i == 0
            rows.append(got)
            print(f"  {'warm-up' if i == 0 else f'page {i:2d}'}: answer in {got['data_ms']:6.1f} ms, "
                  f"complete {got['ms']:6.1f} ms, "
                  f"{got['people']:3d} people in the graph; entitlements shown at {got['rights_ms']:.0f} ms",
                  flush=True)
        if shot_id:  # in English, for the README
            page.evaluate("localStorage.setItem('familycard.lang', 'en')")
            page.goto(f"{url}/people/{shot_id}")
            page.wait_for_function("id => document.getElementById('main')?.dataset.complete === id", arg=shot_id)
            page.wait_for_function("() => document.querySelector('#rights-list .count')", timeout=60_000)
            SCREENSHOT.parent.mkdir(exist_ok=True)
            for height in (900, 800, 700):
                page.set_viewport_size({"width": 1400, "height": height})
                page.wait_for_timeout(300)
                page.screenshot(path=str(SCREENSHOT))
                if SCREENSHOT.stat().st_size < SCREENSHOT_MAX:
                    break
            print(f"  screenshot: {SCREENSHOT.relative_to(ROOT)} ({SCREENSHOT.stat().st_size / 1000:.0f} KB)")
        browser.close()
    if errors:
        raise SystemExit(f"the page reported errors: {errors[:5]}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--pages", type=int, default=25, help="pages measured (one more as a warm-up)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lang", default="ru", choices=("kk", "ru", "en"),
                    help="the console's language (the screenshot's: en)")
    ap.add_argument("--work", type=Path, default=Path("/work/data/console18"))
    ap.add_argument("--keep", action="store_true", help="keep the data folder")
    ap.add_argument("--reuse", action="store_true", help="start from a kept data folder")
    ap.add_argument("--no-screenshot", action="store_true")
    args = ap.parse_args()

    work = args.work / f"console-{args.people}"
    key = secrets.token_urlsafe(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env.update(FAMILYCARD_DATA_DIR=str(work / "data"), FAMILYCARD_ID_SECRET=secrets.token_urlsafe(24),
               FAMILYCARD_API_KEYS=json.dumps({"bench": {"role": "caseworker", "key": key}}))
    built = None
    if args.reuse and (work / "BUILT").is_file():
        built = json.loads((work / "BUILT").read_text())
        print(f"reusing {work} ({built})")
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        build(work, env, args.people, args.seed)
        built = json.loads((work / "BUILT").read_text())
    proc = None
    try:
        rng = random.Random(args.seed)
        candidates = linked_iins(work / "feed.jsonl")
        chosen = rng.sample(candidates, min(len(candidates), args.pages + 1))
        proc, url = serve(env, work)
        ids = ids_for(url, key, chosen)
        shot = None if args.no_screenshot else ids[1]
        print(f"{len(ids)} people ({args.people:,} in the store), {url}")
        rows = browse(url, key, ids, args.lang, shot)
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    counted = sorted(r["ms"] for r in rows if not r["warmup"])
    rights = sorted(r["rights_ms"] for r in rows if not r["warmup"])
    people = [r["people"] for r in rows if not r["warmup"]]
    answered = sorted(r["data_ms"] for r in rows if not r["warmup"])
    summary = {
        "pages": len(counted), "median_ms": statistics.median(counted), "p90_ms": percentile(counted, 90),
        "max_ms": counted[-1], "target_ms": TARGET_MS, "within_target": counted[-1] <= TARGET_MS,
        "answer_in_median_ms": statistics.median(answered), "answer_in_max_ms": answered[-1],
        "graph_people_median": statistics.median(people), "graph_people_max": max(people),
        "entitlements_shown_median_ms": statistics.median(rights), "entitlements_shown_max_ms": rights[-1],
    }
    result = {"at": dt.datetime.now(dt.UTC).isoformat(), "people": args.people, "seed": args.seed,
              "lang": args.lang, "cpus": os.cpu_count(), "build": built, "summary": summary, "rows": rows}
    out = ROOT / "bench" / "results" / f"console-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\n| people | pages | complete median | p90 | max | target | card + graph answer in (median) | "
          f"graph people (median / max) | entitlements shown (median) |\n|---|---|---|---|---|---|---|---|---|\n"
          f"| {args.people:,} | {len(counted)} | {summary['median_ms']:.0f} ms | {summary['p90_ms']:.0f} ms | "
          f"{summary['max_ms']:.0f} ms | {TARGET_MS:.0f} ms | {summary['answer_in_median_ms']:.0f} ms | "
          f"{summary['graph_people_median']:.0f} / {summary['graph_people_max']} | "
          f"{summary['entitlements_shown_median_ms']:.0f} ms |")
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
