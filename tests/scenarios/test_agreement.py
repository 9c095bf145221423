"""The same generated feed into LadybugDB and Neo4j gives the same graph, rejection for rejection."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.store.snapshot import counts, snapshot
from familycard.synthetic import write_feed

AS_OF = dt.date(2026, 11, 25)


def _feed(people: int, seed: int, bad_rate: float) -> tuple[list[bytes], int]:
    buf = io.StringIO()
    stats = write_feed(buf, people=people, seed=seed, as_of=AS_OF, bad_rate=bad_rate)
    return [ln.encode() + b"\n" for ln in buf.getvalue().splitlines()], stats.bad_lines


def _agree(ladybug_store, neo4j_store, people, seed, bad_rate, batch_size):
    feed, bad = _feed(people, seed, bad_rate)
    a = ingest_lines(ladybug_store, feed, "feed.jsonl", AS_OF, batch_size=batch_size)
    b = ingest_lines(neo4j_store, feed, "feed.jsonl", AS_OF, batch_size=batch_size)
    assert a.rejected == b.rejected == bad
    assert [str(r) for r in a.rejections] == [str(r) for r in b.rejections]
    assert (a.stored, a.unchanged, a.pending) == (b.stored, b.unchanged, b.pending)
    assert counts(ladybug_store) == counts(neo4j_store)
    assert counts(ladybug_store)["Person"] == people
    assert snapshot(ladybug_store) == snapshot(neo4j_store)


def test_both_engines_hold_the_same_graph(ladybug_store, neo4j_store):
    _agree(ladybug_store, neo4j_store, people=3000, seed=3, bad_rate=0.01, batch_size=4000)


@pytest.mark.large
def test_both_engines_hold_the_same_graph_at_20k_people(ladybug_store, neo4j_store):
    _agree(ladybug_store, neo4j_store, people=20_000, seed=4, bad_rate=0.005, batch_size=50_000)
