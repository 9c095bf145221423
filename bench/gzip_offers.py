"""Bytes on the wire of a 100-offer list, with and without gzip, against a running server.

    FAMILYCARD_DATA_DIR=/tmp/demo familycard demo --people 3000
    FAMILYCARD_DATA_DIR=/tmp/demo FAMILYCARD_API_KEYS='{"b": {"role": "admin", "key": "bench-key"}}' \\
        familycard serve --port 8765 --no-access-log &
    python bench/gzip_offers.py http://127.0.0.1:8765/graphql bench-key

Every field of an offer, its benefit and its history: what a caseworker's list draws. Each
variant is fetched --runs times; the time is the median of the whole request on loopback
(so it shows what compressing costs the server, not what it saves on a slow network).
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import time

import httpx

QUERY = """{ offers(first: 100) { totalCount edges { cursor node {
  id status attempt number amountKzt periodicity event firstFoundOn lastFoundOn recipientIin subjectIin phone
  offeredAt sentAt deadline answeredAt reason
  benefit { code kind periodicity title { kk ru en } legalBasis asksConsent }
  history { kind at cause detail } } } } }"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("token")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    with httpx.Client(timeout=30) as client:
        for encoding in ("identity", "gzip"):
            sizes, took, body = [], [], b""
            for _ in range(args.runs):
                t = time.perf_counter()
                with client.stream("POST", args.url, json={"query": QUERY},
                                   headers={"Authorization": f"Bearer {args.token}", "Accept-Encoding": encoding}) as r:
                    raw = b"".join(r.iter_raw())
                took.append(time.perf_counter() - t)
                r.raise_for_status()
                sizes.append(len(raw))
                body = gzip.decompress(raw) if r.headers.get("content-encoding") == "gzip" else raw
            edges = body.count(b'"cursor"')
            print(f"{encoding:8}: {statistics.median(sizes):>8,.0f} bytes on the wire ({len(body):,} as JSON, "
                  f"{edges} offers), {statistics.median(took) * 1000:.1f} ms median of {args.runs}")


if __name__ == "__main__":
    main()
