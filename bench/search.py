"""How long staff wait for `searchPeople` and `worklist` on a loaded store (issue 18: < 100 ms at
100 k people on both engines).

    FAMILYCARD_DATA_DIR=… [FAMILYCARD_STORE=neo4j] python bench/search.py [--queries 50]

Picks people at random from the store (seeded), then asks the API in process, as a caseworker,
for each by whole surname and given name (in lower case, as someone types), by IIN, and for the
worklist's first page: the whole request (parsing, the store's read, the access log's write),
median, p90 and max. The store is read as it is: nothing is written but the access log's rows.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from pydantic import SecretStr
from starlette.testclient import TestClient

from familycard.api.app import create_app
from familycard.cli._common import open_store
from familycard.settings import Settings

SEARCH = """query($iin: String, $s: String, $g: String) { searchPeople(iin: $iin, surname: $s, givenName: $g,
  first: 20) { totalCount edges { node { id iin surname givenName birthDate addressId } } } }"""
WORKLIST = """{ worklist(first: 20) { totalCount edges { node { id reason detail createdAt benefit { code }
  citizen { id iin surname givenName } offer { id status } } } } }"""


def _figures(ms: list[float]) -> str:
    ms = sorted(ms)
    return (f"median {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, "
            f"max {ms[-1]:.1f} ms ({len(ms)} requests)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    settings = Settings(api_keys={"bench": {"role": "caseworker", "key": "bench-key"}}, id_secret=SecretStr("bench"))
    with open_store(settings) as store:
        n = store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
        people = store.read("MATCH (p:Person) RETURN p.iin AS iin, p.surname AS s, p.given_name AS g "
                            "ORDER BY p.iin")
        picked = random.Random(args.seed).sample(people, min(args.queries, len(people)))
        auth = {"Authorization": "Bearer bench-key"}
        with TestClient(create_app(settings, store=store)) as client:
            def ask(query: str, **variables) -> tuple[float, dict]:
                t0 = time.perf_counter()
                r = client.post("/graphql", json={"query": query, "variables": variables}, headers=auth)
                ms = (time.perf_counter() - t0) * 1000
                body = r.json()
                assert r.status_code == 200 and "errors" not in body, body
                return ms, body["data"]

            ask(SEARCH, iin=picked[0]["iin"])  # the first request plans the statements
            ask(SEARCH, s=picked[0]["s"].lower(), g=picked[0]["g"].lower())
            by_name, by_iin, found = [], [], []
            for p in picked:
                ms, data = ask(SEARCH, s=p["s"].lower(), g=p["g"].lower())
                by_name.append(ms)
                found.append(data["searchPeople"]["totalCount"])
                assert p["iin"] in {e["node"]["iin"] for e in data["searchPeople"]["edges"]} or \
                    data["searchPeople"]["totalCount"] > 20
                by_iin.append(ask(SEARCH, iin=p["iin"])[0])
            tasks = [ask(WORKLIST) for _ in range(max(5, args.queries // 5))]
    print(f"{settings.store} store, {n:,} people")
    print(f"searchPeople by whole names: {_figures(by_name)}; people found a search: median "
          f"{statistics.median(found):.0f}, max {max(found)}")
    print(f"searchPeople by IIN:         {_figures(by_iin)}")
    print(f"worklist, first 20 of {tasks[0][1]['worklist']['totalCount']:,} open: {_figures([t[0] for t in tasks])}")


if __name__ == "__main__":
    main()
