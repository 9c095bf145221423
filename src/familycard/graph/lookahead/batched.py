"""One run of a rule for many (day, first nodes) pairs: the forward calendar's form of a query.

A rule's scoped query (``rules.run.scoped``, the ``join`` form) starts each UNION part from
``UNWIND $scope_keys AS scope_key``. Here each part starts from a list of entries, one a pair:

    UNWIND $fc_batch AS fc_d
    WITH fc_d.i AS fc_i, fc_d.as_of AS fc_as_of, <each other parameter> , fc_d.keys AS fc_keys
    UNWIND fc_keys AS scope_key

every ``$name`` becomes ``fc_name``, every WITH passes the ``fc_`` names on (so each aggregation
groups within its entry), and every RETURN gives ``fc_i`` first. The rows of entry i are what
the rule's query finds on its day from its first nodes.

Why: LadybugDB plans a scoped query as a hash join over a whole table (``Store.scoped_rule_form``),
so a scoped run costs about a whole rule however few its keys; the calendar's 2 x 90 scoped runs
of each rule become one run over all of them. On Neo4j it saves the round trips.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from familycard.graph.rules import Entitlement, Rule, used_params
from familycard.graph.rules.run import JOIN, SCOPE_PARAM
from familycard.graph.store import Store

__all__ = ["BATCH_PARAM", "batched_cypher", "entitlements", "run_batched"]

BATCH_PARAM = "fc_batch"
_WITH = re.compile(r"^WITH(\s+DISTINCT)?\s", re.M)
_RETURN = re.compile(r"^RETURN(\s+DISTINCT)?\s", re.M)


def _names(rule: Rule) -> list[str]:
    return sorted(used_params(rule.cypher) - {SCOPE_PARAM})


def batched_cypher(rule: Rule) -> str:
    """The rule's query over ``$fc_batch`` (see the module's doc)."""
    names = _names(rule)
    text = rule.scoped_cypher[JOIN]
    if re.search(r"\bfc_\w*", rule.cypher):
        raise ValueError(f"rule {rule.code}: names starting fc_ are the forecast's own")
    carried = ", ".join(["fc_i"] + [f"fc_{n}" for n in names])
    text = _WITH.sub(lambda m: f"WITH{m.group(1) or ''} {carried}, ", text)
    text = _RETURN.sub(lambda m: f"RETURN{m.group(1) or ''} fc_i AS fc_i, ", text)
    for n in names:
        text = re.sub(rf"\${n}\b", f"fc_{n}", text)
    head = (f"UNWIND ${BATCH_PARAM} AS fc_d\nWITH fc_d.i AS fc_i, "
            + "".join(f"fc_d.{n} AS fc_{n}, " for n in names) + "fc_d.keys AS fc_keys\nUNWIND fc_keys AS scope_key\n")
    out = text.replace(f"UNWIND ${SCOPE_PARAM} AS scope_key\n", head)
    if f"${SCOPE_PARAM}" in out:
        raise ValueError(f"rule {rule.code}: its scoped query does not start each part from ${SCOPE_PARAM}")
    return out


def run_batched(store: Store, rule: Rule, entries: Sequence[tuple[dt.date, Sequence[str]]],
                query: str, params: dict[dt.date, dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows of the rule's query in each entry (a day and first-node keys), in ``entries``'
    order, without ``fc_i``. ``params``: each day's query parameters (``Rule.query_params``)."""
    names = _names(rule)
    batch = [{"i": i, **{n: params[day][n] for n in names}, "keys": sorted(keys)}
             for i, (day, keys) in enumerate(entries) if keys]
    rows: list[list[dict[str, Any]]] = [[] for _ in entries]
    if batch:
        for row in store.read(query, {BATCH_PARAM: batch}):
            rows[row.pop("fc_i")].append(row)
    return rows


def entitlements(rule: Rule, day: dt.date, rows: Iterable[dict[str, Any]]) -> list[Entitlement]:
    """What ``run_rule`` makes of its query's rows on ``day``: the rule's ``when`` and amount."""
    found = []
    for row in rows:
        ok, amount = rule.decide(day, row)
        if ok:
            inputs = {k: v for k, v in row.items() if k not in ("iin", "subject", "event")}
            found.append(Entitlement(row["iin"], rule.code, day, row.get("subject"), amount, row.get("event"), inputs))
    return found
