"""`neo4j`: a local Neo4j 5.26 Community to point the store at (start, stop, status)."""
from __future__ import annotations

import datetime as dt
import sys

from familycard.settings import Settings


def add_neo4j(sub, today: dt.date) -> None:
    n = sub.add_parser("neo4j", help="a local Neo4j 5.26 Community (from Maven Central, needs Java 17)")
    n.add_argument("action", choices=("start", "stop", "status"))
    n.add_argument("--port", type=int, default=7687)
    n.set_defaults(fn=cmd_neo4j)


def cmd_neo4j(args, settings: Settings) -> int:
    from familycard.graph.store import neo4j_local as ns

    data_dir = settings.data_dir / "neo4j"
    if args.action == "start":
        cache = settings.neo4j_home or ns.default_cache_dir()
        print(f"Neo4j {ns.NEO4J_VERSION} from {cache} (fetched from Maven Central on first use) ...", file=sys.stderr)
        pid, uri = ns.start_background(data_dir, args.port, cache, heap=settings.neo4j_heap,
                                       pagecache=settings.neo4j_pagecache)
        heap, pagecache = ns.memory(data_dir) or (settings.neo4j_heap, settings.neo4j_pagecache)
        print(f"Neo4j {ns.NEO4J_VERSION} running (pid {pid}) at {uri}, data in {data_dir} "
              f"(heap {heap}, page cache {pagecache})")
        print(f"use it with: export FAMILYCARD_STORE=neo4j FAMILYCARD_NEO4J_URI={uri}")
        return 0
    if args.action == "stop":
        stopped = ns.stop_background(data_dir)
        print("stopped" if stopped else "not running")
        return 0
    st = ns.status(data_dir)
    print(st or "not running")
    return 0 if st else 1
