"""The incremental sweep finds exactly the new rights a full sweep finds, after a day of changes."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.rules import load_rules, run_rule, scope_label
from familycard.graph.sweep import SweepError, daily_sweep, sweep
from familycard.synthetic import write_changes, write_feed

AS_OF = dt.date(2026, 11, 25)


def _load(store, people, seed):
    buf = io.StringIO()
    write_feed(buf, people=people, seed=seed, as_of=AS_OF)
    s = ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", AS_OF)
    assert s.rejected == 0


def _rights(result) -> dict[str, int | None]:
    return {e.key: e.amount_kzt for e in result.entitlements}


@pytest.mark.scenario_on_neo4j  # 33 s on Neo4j in CI for both seeds
@pytest.mark.parametrize("seed", [3, 8])
def test_after_a_day_of_changes_the_incremental_sweep_finds_what_a_full_sweep_finds(store, seed):
    _load(store, 2500, seed)
    t0 = dt.datetime(2026, 11, 25, 3, 0)
    before = _rights(daily_sweep(store, AS_OF, now=lambda: t0).result)
    buf = io.StringIO()
    n = write_changes(store, buf, AS_OF, 400, seed)
    assert n >= 300
    s = ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "changes", AS_OF)
    assert s.rejected == 0 and s.stored > 0
    full = _rights(sweep(store, AS_OF))
    new = set(full) - set(before)
    assert len(new) >= 10, "the day of changes should make new rights"

    t1 = t0 + dt.timedelta(hours=2)
    inc = daily_sweep(store, AS_OF, incremental=True, now=lambda: t1)
    found = _rights(inc.result)
    assert inc.mode == "incremental" and inc.scope.changed
    offered = {r["key"] for r in store.read("MATCH (o:Offer) WHERE o.offered_at = $t RETURN o.key AS key", {"t": t1})}
    assert offered == new
    # what it finds, it finds as the full sweep does: no stray rights, the same amounts
    assert set(found) <= set(full)
    assert {k: found[k] for k in found} == {k: full[k] for k in found}
    # the kin rings grow outwards from the changed persons
    sizes = [len(r) for r in inc.scope.rings]
    assert sizes == sorted(sizes) and sizes[0] == len(inc.scope.changed)


def test_with_everyone_in_scope_each_rule_finds_what_it_finds_unscoped(store):
    _load(store, 1500, 2)
    persons = [r["k"] for r in store.read("MATCH (p:Person) RETURN p.iin AS k")]
    addresses = [r["k"] for r in store.read("MATCH (a:Address) RETURN a.id AS k")]
    for rule in load_rules():
        keys = addresses if scope_label(rule) == "Address" else persons
        assert run_rule(store, rule, AS_OF, keys) == run_rule(store, rule, AS_OF), rule.code


def test_an_incremental_sweep_needs_a_full_one_of_the_day_first(ladybug_store):
    _load(ladybug_store, 200, 1)
    with pytest.raises(SweepError, match="no full sweep of 2026-11-25") as e:
        daily_sweep(ladybug_store, AS_OF, incremental=True)
    assert e.value.as_of == AS_OF
