"""A rule run from some first nodes only (the incremental sweep): the query's two forms, the
``join`` one (Neo4j) and the ``lookup`` one (LadybugDB), and what each engine declares it runs."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from familycard.graph.ingest import ingest_lines
from familycard.graph.rules import RuleError, load_rules, run_rule, scope_label, scoped
from familycard.graph.rules.run import FORMS, JOIN, LOOKUP
from familycard.synthetic import write_feed

AS_OF = dt.date(2026, 11, 25)

RULE = """// a comment with MATCH (q:Person) in it
MATCH (p:Person)-[l:PARENT_OF]->(c:Person)
WHERE p.sex = 'F' AND l.until IS NULL
WITH p, count(c) AS children
MATCH (p)-[:HAS_FACT]->(f:Fact)
WHERE f.type = 'award'
RETURN p.iin AS iin, children
UNION ALL
MATCH (p:Person)
WHERE p.sex = 'M'
RETURN p.iin AS iin, 0 AS children
"""


def test_the_lookup_form_finds_the_first_node_by_key_and_every_later_pattern_from_the_nodes_found():
    q = scoped(RULE, "rule.cypher", LOOKUP)
    assert q == """UNWIND $scope_keys AS scope_key
MATCH (p:Person)
WHERE p.iin = scope_key
OPTIONAL MATCH (p)-[l:PARENT_OF]->(c:Person)
WHERE (l.until IS NULL)
WITH p, l, c WHERE c.iin IS NOT NULL AND (p.sex = 'F')
WITH p, count(c) AS children
OPTIONAL MATCH (p)-[:HAS_FACT]->(f:Fact)
WITH p, children, f WHERE f.key IS NOT NULL AND (f.type = 'award')
RETURN p.iin AS iin, children
UNION ALL
UNWIND $scope_keys AS scope_key
MATCH (p:Person)
WHERE p.iin = scope_key AND p.sex = 'M'
RETURN p.iin AS iin, 0 AS children
"""


def test_only_a_whole_conjunction_is_split_between_the_optional_match_and_the_filter_after_it():
    q = scoped("MATCH (p:Person)-[:HAS_FACT]->(f:Fact)\nWHERE f.type = 'AND' OR p.sex = 'F'\nRETURN p.iin AS iin",
               "rule.cypher", LOOKUP)
    assert "OPTIONAL MATCH (p)-[:HAS_FACT]->(f:Fact)\nWITH p, f WHERE f.key IS NOT NULL AND " \
           "(f.type = 'AND' OR p.sex = 'F')\n" in q


def test_the_join_form_joins_each_key_to_the_first_match():
    q = scoped(RULE, "rule.cypher", JOIN)
    assert q.startswith("UNWIND $scope_keys AS scope_key\nMATCH (p:Person)-[l:PARENT_OF]->(c:Person)\n"
                        "WHERE p.iin = scope_key AND p.sex = 'F'")
    assert "WITH p, count(c) AS children\nMATCH (p)-[:HAS_FACT]->(f:Fact)" in q


@pytest.mark.parametrize(("cypher", "message"), [
    ("MATCH (p)-[:HAS_FACT]->(f:Fact) WHERE f.type = 'x' RETURN p.iin AS iin", "must start with MATCH"),
    ("MATCH (p:Person)\nRETURN p.iin AS iin", "first MATCH needs a WHERE"),
    ("MATCH (p:Person)\nWHERE p.sex = 'F'\nOPTIONAL MATCH (p)-[:HAS_FACT]->(f:Fact)\n"
     "MATCH (p)-[:SPOUSE_OF]-(s:Person)\nWHERE s.sex = 'M'\nRETURN p.iin AS iin", "must follow a WITH"),
    ("MATCH (p:Person)\nWHERE p.sex = 'F'\nWITH p\nMATCH (p)-[:SPOUSE_OF]-(s)\nRETURN p.iin AS iin",
     "binds no new node"),
])
def test_a_rule_the_lookup_form_cannot_follow_is_refused_naming_its_file(cypher, message):
    with pytest.raises(RuleError, match=f"rule.cypher: .*{message}"):
        scoped(cypher, "rule.cypher", LOOKUP)


def test_an_unknown_form_is_refused():
    with pytest.raises(ValueError, match="'index'"):
        scoped(RULE, "rule.cypher", "index")


def test_each_engine_declares_the_form_it_runs_a_scoped_rule_in(store):
    # LadybugDB: join until the lookup form is measured faster at 1 M (see LadybugStore)
    assert type(store).scoped_rule_form == {"neo4j": JOIN, "ladybug": JOIN}[store.engine]


@pytest.mark.scenario  # 14 rules x 2 forms x 2 key lists: 5 s on LadybugDB, 130 s on Neo4j (2 busy cores)
def test_both_forms_find_on_both_engines_what_the_rule_finds_from_those_first_nodes(store):
    """Every rule, both forms, on each engine: from every first node, what the whole rule finds;
    from a third of them, the same as each other (the forms differ only in how the engine plans)."""
    buf = io.StringIO()
    write_feed(buf, people=600, seed=5, as_of=AS_OF)
    assert ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", AS_OF).rejected == 0
    keys = {"Person": sorted(r["k"] for r in store.read("MATCH (p:Person) RETURN p.iin AS k")),
            "Address": sorted(r["k"] for r in store.read("MATCH (a:Address) RETURN a.id AS k"))}
    for rule in load_rules():
        every = keys[scope_label(rule)]
        whole = run_rule(store, rule, AS_OF)
        some = every[::3]
        found = {}
        for form in FORMS:
            assert run_rule(store, rule, AS_OF, every, form) == whole, (rule.code, form)
            found[form] = run_rule(store, rule, AS_OF, some, form)
        assert found[JOIN] == found[LOOKUP], rule.code
