"""Every rule folder's cases.yaml, on LadybugDB and on a real Neo4j.

Each case is ingested through the real feed ingest into an emptied store, the rule is run on
the case's day, and the entitlements must be exactly the expected ones (recipient, subject,
amount). The explanation of every person in the case must agree with the sweep.
"""
from __future__ import annotations

import pytest

from engines import engine_store
from familycard.graph.ingest import ingest_lines
from familycard.graph.rules import load_rules, run_rule
from familycard.graph.rules.cases import feed_lines, found, load_cases
from familycard.graph.rules.explain import explain_rule

CASES = [(rule, case) for rule in load_rules() for case in load_cases(rule)]


# The Neo4j half (178 cases) runs with the scenarios, which CI also runs; the rule agreement scenario
# proves both engines find the same rights on generated populations.
pytestmark = pytest.mark.scenario_on_neo4j


@pytest.fixture(scope="module", params=["ladybug", "neo4j"])
def case_store(request, tmp_path_factory):
    """One store per engine for all cases (emptied before each): cheaper than a store a case."""
    store = engine_store(request, tmp_path_factory, "cases")
    yield store
    store.close()


@pytest.mark.parametrize("rule,case", CASES, ids=[str(c) for _, c in CASES])
def test_case(case_store, rule, case):
    case_store.write("MATCH (n) DETACH DELETE n")
    summary = ingest_lines(case_store, feed_lines(case), f"{rule.code}/cases.yaml", case.as_of)
    assert summary.rejected == 0, "the case's records must be valid: " + "; ".join(map(str, summary.rejections))
    assert summary.pending == 0, "every link and fact of a case needs its persons"
    got = found(run_rule(case_store, rule, case.as_of))
    assert got == case.expect, (f"missing {sorted(case.expect - got, key=str)}, "
                                f"unexpected {sorted(got - case.expect, key=str)}")

    # The explanation agrees with the sweep, for everyone in the case: each person's own
    # explanation names every right they are the recipient or the subject of.
    people = {r["iin"] for r in case.records if r.get("kind") == "person"}
    explained = set()
    for iin in sorted(people):
        mine = {(f.iin, f.subject, f.amount_kzt) for f in explain_rule(case_store, rule, iin, case.as_of) if f.entitled}
        theirs = {r for r in got if iin in (r[0], r[1])}
        assert theirs <= mine, f"explain {iin} does not name {sorted(theirs - mine, key=str)}"
        explained |= mine
    assert explained == got
