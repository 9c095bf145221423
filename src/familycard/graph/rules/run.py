"""Running a rule on a day: its query with the day's parameters, the ``when`` and ``amount``
of each row, and the incremental sweep's form of the query (from the changed first nodes only)."""
from __future__ import annotations

import datetime as dt
import re

from familycard.graph import model
from familycard.graph.rules.rule import Entitlement, Rule, RuleError
from familycard.graph.store import Store

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


# The first node of each part of a rule's query: `MATCH (v:Person)` or `MATCH (v:Address)` at a
# line's start. The incremental sweep runs the query from the changed ones only.
_FIRST = re.compile(r"^MATCH \((\w+):(Person|Address)\)", re.M)
_SCOPE_KEY = {"Person": "iin", "Address": "id"}
SCOPE_PARAM = "scope_keys"
SCOPE_SET_PARAM = "scope_set"  # the table form's: the name of the set of keys written (Store.scope_set)
#: The forms of a scoped query (``Store.scoped_rule_form`` says which an engine runs best).
JOIN, LOOKUP, TABLE = "join", "lookup", "table"
FORMS = (JOIN, LOOKUP, TABLE)
# A clause of a rule starts at a line's start; a subquery's MATCH inside EXISTS { } is indented.
_CLAUSE = re.compile(r"^(OPTIONAL MATCH|MATCH|WITH|RETURN|UNWIND)\b", re.M)
_NODE = re.compile(r"\((\w+):(\w+)")         # a labelled node, `(v:Label`: one the pattern binds
_VARS = re.compile(r"[(\[](\w+)(?=[:)\]])")   # every named node or link


def _parts(cypher: str) -> list[str]:
    """The UNION ALL parts of a query, comment lines dropped (a `//` line may hold any word)."""
    return re.split(r"(^UNION ALL[ \t]*$)", "\n".join(
        line for line in cypher.split("\n") if not line.lstrip().startswith("//")), flags=re.M)


def _first_match(body: str, where: str) -> tuple[re.Match, re.Match, int]:
    """The part's first MATCH (``x:Label``), the WHERE that must follow it, and where that clause ends."""
    m = _FIRST.search(body)
    if m is None or body[:m.start()].strip():
        raise RuleError(f"{where}: for the incremental sweep each query part must start with "
                        f"MATCH (x:Person) or MATCH (x:Address)", where=where)
    w = re.compile(r"\bWHERE\b").search(body, m.end())
    nxt = _CLAUSE.search(body, m.end())
    if w is None or (nxt is not None and nxt.start() < w.start()):
        raise RuleError(f"{where}: for the incremental sweep the first MATCH needs a WHERE", where=where)
    return m, w, nxt.start() if nxt else len(body)


def scoped(cypher: str, where: str, form: str = JOIN) -> str:
    """The query restricted to first nodes whose key is in ``$scope_keys``: each UNION part
    starts from ``UNWIND $scope_keys AS scope_key``.

    ``join`` (Neo4j: an index seek per key): the first WHERE gains ``x.key = scope_key``.
    ``lookup`` (see ``_lookup``): the first node alone is found by key, and every pattern
    after it is matched from the nodes already found.
    ``table`` (LadybugDB, see ``_table``): the keys are written into the store first
    (``Store.scope_set``) and the first MATCH starts from them, not from a list.

    Not ``x.key IN $scope_keys``: LadybugDB tests that list by list scan, row by row (95 s for
    30 k keys on 100 k persons, against 6.7 s). Not ``MATCH (x:Person {iin: scope_key})``:
    LadybugDB 0.22 then fails ("Cannot evaluate expression with type VARIABLE") in every rule
    with an OPTIONAL MATCH or EXISTS after a WITH that drops ``scope_key``; the WHERE form is
    the same key lookup without that fault."""
    if form not in FORMS:
        raise ValueError(f"scoped query form {form!r}: expected one of {', '.join(map(repr, FORMS))}")
    out = []
    for part in _parts(cypher):
        if part.strip() == "UNION ALL":
            out.append(part)
            continue
        m, w, end = _first_match(part, where)
        var, label = m.groups()
        if form == JOIN:
            out.append(part[:m.start()] + f"UNWIND ${SCOPE_PARAM} AS scope_key\n" + part[m.start():w.end()]
                       + f" {var}.{_SCOPE_KEY[label]} = scope_key AND" + part[w.end():])
        elif form == TABLE:
            out.append(_table(part, m, w, end, where))
        else:
            out.append(_lookup(part, m, w, end, where))
    return "".join(out)


def _lookup(body: str, m: re.Match, w: re.Match, end: int, where: str) -> str:
    """One part in the ``lookup`` form. LadybugDB 0.22 plans a MATCH that follows a WITH (or
    whose first node is joined to a list) as a hash join over a whole table; it plans an
    OPTIONAL MATCH from bound nodes as a scan of those nodes only (a semi-mask). So:

    * the first node alone: ``MATCH (x:Person) WHERE x.iin = scope_key`` (a primary-key lookup);
    * the rest of the first pattern: ``OPTIONAL MATCH (x)-…`` then ``WITH … WHERE y IS NOT NULL
      AND (the first WHERE)``: the same rows as the MATCH. The WHERE goes after, not into the
      OPTIONAL MATCH: there, LadybugDB 0.22 gets a test of the looked-up node's own properties
      wrong (``p.death_date IS NULL`` was false for every living person);
    * every later ``MATCH p WHERE c`` (after a WITH) as ``OPTIONAL MATCH p WITH … WHERE y IS NOT
      NULL AND (c)``, ``y`` a node the pattern binds: again the same rows.

    Measured at 100 k persons, 5 066 first nodes: birth 1.08 s in the join form, 0.50 s here."""
    var, label = m.groups()
    pattern = body[m.end():w.start()].strip()   # what follows `(x:Label)` in the first MATCH
    cond = body[w.end():end].strip()
    head = (f"UNWIND ${SCOPE_PARAM} AS scope_key\nMATCH ({var}:{label})\n"
            f"WHERE {var}.{_SCOPE_KEY[label]} = scope_key")
    if not pattern:
        first = f"{head} AND {cond}\n"
    else:
        names = list(dict.fromkeys([var] + _VARS.findall(pattern)))
        bound = _NODE.findall(pattern)
        if not bound:
            raise RuleError(f"{where}: the first MATCH's pattern names no node after ({var})", where=where)
        # the conditions on the other nodes only narrow what the OPTIONAL MATCH finds (job_loss:
        # the few 'unemployed' facts, not all of a person's); those on x come after (see above)
        on_x = [c for c in _conjuncts(cond) if re.search(rf"\b{var}\b", c)]
        others = [c for c in _conjuncts(cond) if c not in on_x]
        first = (f"{head}\nOPTIONAL MATCH ({var}){pattern}\n"
                 + (f"WHERE {' AND '.join(others)}\n" if others else "")
                 + f"WITH {', '.join(names)} WHERE {' AND '.join([_found(bound[-1], where)] + on_x)}\n")
    rest = body[end:]
    out, pos = [], 0
    for c in _CLAUSE.finditer(rest):
        if c.group(1) != "MATCH":
            continue
        nxt = _CLAUSE.search(rest, c.end())
        stop = nxt.start() if nxt else len(rest)
        clause = rest[c.end():stop]
        cw = re.compile(r"\bWHERE\b").search(clause)
        pat = clause[:cw.start() if cw else len(clause)].strip()
        before = _with_items(rest[:c.start()])
        if before is None:
            raise RuleError(f"{where}: for the incremental sweep a later MATCH ({pat}) must follow a WITH "
                            f"whose items are names or `… AS name`", where=where)
        new = [v for v in _NODE.findall(pat) if v[0] not in before]
        if not new:
            raise RuleError(f"{where}: a later MATCH ({pat}) binds no new node", where=where)
        names = list(dict.fromkeys(before + _VARS.findall(pat)))
        test = _found(new[0], where) + (f" AND ({clause[cw.end():].strip()})" if cw else "")
        # the names, not `*`: LadybugDB reads every property of a node passed on by `*`
        out.append(rest[pos:c.start()] + f"OPTIONAL MATCH {pat}\nWITH {', '.join(names)} WHERE {test}\n")
        pos = stop
    return body[:m.start()] + first + "".join(out) + rest[pos:]


# One step of a first MATCH's chain after its first node: a link, then a node.
_STEP = re.compile(r"\s*(<-|-)\[(\w*)(:[\w|]+)?\](->|-)\((\w+)(:\w+)?\)")


def _table(body: str, m: re.Match, w: re.Match, end: int, where: str) -> str:
    """One part in the ``table`` form: the first MATCH starts from the scope's nodes in the
    store, ``(scope_node:ScopePerson)-[scope_link:SCOPE_PERSON]->(x:Person)…`` (Address alike),
    those of the set ``$scope_set``, with a join-order hint that makes LadybugDB follow the
    pattern from them: scope nodes, their links, x (a scan of x's table masked to the nodes
    reached), then each link and node of the rule's own pattern in turn.

    Without the HINT LadybugDB 0.22 started from x's whole table and its WHERE, and joined the
    scope to it (EXPLAIN on the birth rule: SCAN_NODE_TABLE Person, FILTER, then SCOPE_PERSON
    from c to s). A HINT must name every node and link of its pattern: unnamed links of the
    rule's first MATCH get a name (``scope_r1``…). An EXISTS that is a whole condition of the
    first WHERE becomes an OPTIONAL MATCH and a count after it (see below); the rest of the
    query is the rule's own."""
    var, label = m.groups()
    node, link = model.SCOPE_TABLES[label]
    pattern = body[m.end():w.start()].strip()
    if re.search(r"\bscope_\w*", body):
        raise RuleError(f"{where}: names starting scope_ are the incremental sweep's own", where=where)
    steps, pos, named, hint = [], 0, 0, f"((scope_node JOIN scope_link) JOIN {var})"
    while pos < len(pattern):
        s = _STEP.match(pattern, pos)
        if s is None:
            raise RuleError(f"{where}: for the incremental sweep the first MATCH must be a chain "
                            f"(x)-[r:T]->(y)…, not {pattern[pos:].strip()!r}", where=where)
        left, rel, types, right, nvar, nlabel = s.groups()
        if not rel:
            named += 1
            rel = f"scope_r{named}"
        steps.append(f"{left}[{rel}{types or ''}]{right}({nvar}{nlabel or ''})")
        hint = f"(({hint} JOIN {rel}) JOIN {nvar})"
        pos = s.end()
    bound = ["scope_node", "scope_link", var] + [v for st in steps for v in _VARS.findall(st)]
    # [NOT] EXISTS { MATCH pat [WHERE c] } as OPTIONAL MATCH pat [WHERE c] and a count of its new
    # node: LadybugDB 0.22 evaluates an EXISTS for every node of the graph and joins it
    # (pension_right at 100 k: a scan and hash of all 978 k HAS_FACT links, 248 ms), but matches
    # an OPTIONAL MATCH from the rows it has (17 ms).
    counter = [0]
    kept, counted = _counted(body[w.end():end].strip(), bound, counter, where)
    test = " AND ".join([f"scope_node.name = ${SCOPE_SET_PARAM}"] + kept)
    return (body[:m.start()] + f"MATCH (scope_node:{node.name})-[scope_link:{link.name}]->({var}:{label})"
            + "".join(steps) + f"\nWHERE {test}\n"
            + f"HINT {hint[1:-1] if hint.startswith('((') else hint}\n" + counted
            + _later_exists(body[end:], counter, where))


def _counted(cond: str, bound: list[str], counter: list[int], where: str) -> tuple[list[str], str]:
    """The conditions of a WHERE that stay, and its whole-condition EXISTS subqueries as OPTIONAL
    MATCHes from the rows so far (whose names are ``bound``), each with a count that must be 0
    (NOT EXISTS) or more."""
    kept, out = [], ""
    for c in _conjuncts(cond):
        e = _EXISTS.fullmatch(c)
        if e is None:
            kept.append(c)
            continue
        sub = re.fullmatch(r"MATCH\s+(.*?)(?:\s+WHERE\s+(.*))?", e.group(2).strip(), re.S)
        new = [v for v, _ in _NODE.findall(sub.group(1)) if v not in bound] if sub else []
        if not new:
            raise RuleError(f"{where}: an EXISTS in a WHERE must MATCH a new labelled node", where=where)
        counter[0] += 1
        n = f"scope_n{counter[0]}"
        out += (f"OPTIONAL MATCH {sub.group(1)}\n" + (f"  WHERE {sub.group(2)}\n" if sub.group(2) else "")
                + f"WITH {', '.join(bound)}, count({new[0]}) AS {n}\nWHERE {n} {'=' if e.group(1) else '>'} 0\n")
    return kept, out


def _later_exists(rest: str, counter: list[int], where: str) -> str:
    """The clauses after the first MATCH, each ``MATCH … WHERE`` and ``WITH … WHERE`` (not an
    OPTIONAL MATCH: its WHERE only narrows what it finds) with its whole-condition EXISTS
    subqueries matched as in ``_counted``. The names passed on are the WITH's items (those of the
    WITH before, and the MATCH's own, for a MATCH), its unnamed links named (``scope_lN``), so
    that the count's grouping keeps every row apart; a clause whose names are not known (no WITH
    before it) is left as it is."""
    out, pos = [], 0
    clauses = list(_CLAUSE.finditer(rest))
    for i, c in enumerate(clauses):
        stop = clauses[i + 1].start() if i + 1 < len(clauses) else len(rest)
        text = rest[c.start():stop]
        cw = re.compile(r"\bWHERE\b").search(text)
        if c.group(1) not in ("MATCH", "WITH") or cw is None or "EXISTS" not in text[cw.end():]:
            continue
        if c.group(1) == "MATCH":
            before = _with_items(rest[:c.start()])
            pat = text[c.end() - c.start():cw.start()]
            for _ in range(pat.count("[:")):
                counter[0] += 1
                pat = pat.replace("[:", f"[scope_l{counter[0]}:", 1)
            names = None if before is None else list(dict.fromkeys(before + _VARS.findall(pat)))
            head = f"MATCH{pat}"
        else:
            names = _with_items(rest[:c.start() + cw.start()])
            head = text[:cw.start()]
        if names is None:
            continue
        kept, counted = _counted(text[cw.end():].strip(), names, counter, where)
        if not counted:
            continue
        out.append(rest[pos:c.start()] + head.rstrip() + "\n" + (f"WHERE {' AND '.join(kept)}\n" if kept else "")
                   + counted)
        pos = stop
    return "".join(out) + rest[pos:]


# A condition that is one EXISTS subquery, negated or not: `(NOT EXISTS { … })`.
_EXISTS = re.compile(r"\(\s*(NOT\s+)?EXISTS\s*\{(.*)\}\s*\)", re.S)


def _conjuncts(cond: str) -> list[str]:
    """A WHERE's conditions joined by a top-level AND (the whole WHERE, bracketed, if it has a
    top-level OR or XOR: then it is not a conjunction)."""
    parts, depth, start, quote = [], 0, 0, None
    i = 0
    while i < len(cond):
        ch = cond[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            word = re.match(r"\b(AND|OR|XOR)\b", cond[i:]) if (i == 0 or not cond[i - 1].isalnum()) else None
            if word and word.group(1) != "AND":
                return [f"({cond.strip()})"]
            if word:
                parts.append(cond[start:i])
                start = i + 3
                i += 3
                continue
        i += 1
    parts.append(cond[start:])
    return [p.strip() if p.strip().startswith("(") and p.strip().endswith(")") else f"({p.strip()})"
            for p in parts if p.strip()]


def _found(node: tuple[str, str], where: str) -> str:
    """Whether an OPTIONAL MATCH found its node: its key is not null. Not ``v IS NOT NULL``:
    LadybugDB then reads every property of every such node (0.4 s of large_family at 100 k)."""
    var, label = node
    table = model.TABLES.get(label)
    if table is None or table.is_rel:
        raise RuleError(f"{where}: ({var}:{label}): no such node table", where=where)
    return f"{var}.{table.key} IS NOT NULL"


def _with_items(before: str) -> list[str] | None:
    """The names the clause right before a later MATCH passes on, if it is a WITH (else None)."""
    last = list(_CLAUSE.finditer(before))
    if not last or last[-1].group(1) != "WITH":
        return None
    text = re.split(r"\bWHERE\b", before[last[-1].end():])[0]
    text = re.sub(r"^\s*DISTINCT\b", "", text)
    items, depth, cur = [], 0, ""
    for ch in text:  # top-level commas only: min(a, b) is one item
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    names = []
    for item in items:
        m = re.search(r"\bAS\s+(\w+)\s*$", item.strip()) or re.fullmatch(r"(\w+)", item.strip())
        if m is None:
            return None
        names.append(m.group(1))
    return names


def scope_label(rule: Rule) -> str:
    """Person or Address: what the keys in ``$scope_keys`` name for this rule."""
    return _FIRST.search("\n".join(line for line in rule.cypher.split("\n")
                                     if not line.lstrip().startswith("//"))).group(2)


def used_params(cypher: str) -> set[str]:
    return set(_PARAM.findall(cypher))


def run_rule(store: Store, rule: Rule, as_of: dt.date, scope: list[str] | None = None,
             form: str | None = None) -> list[Entitlement]:
    """Everyone entitled under one rule on ``as_of``, sorted by recipient and subject; with
    ``scope``, only what the query finds from those first nodes (see ``scoped``), in ``form``
    (default: the store's ``scoped_rule_form``; ``table`` writes the keys into the store first,
    ``Store.scope_set``)."""
    params = rule.query_params(as_of)
    query = rule.cypher
    if scope is not None:
        if not scope:
            return []
        form = form or store.scoped_rule_form
        if form == TABLE:
            params[SCOPE_SET_PARAM] = store.scope_set(scope_label(rule), scope)
        else:
            params[SCOPE_PARAM] = sorted(scope)
        query = rule.scoped_cypher[form]
    found = []
    for row in store.read(query, params):
        ok, amount = rule.decide(as_of, row)
        if not ok:
            continue
        inputs = {k: v for k, v in row.items() if k not in ("iin", "subject", "event")}
        found.append(Entitlement(row["iin"], rule.code, as_of, row.get("subject"), amount, row.get("event"),
                                 inputs))
    found.sort(key=lambda e: (e.iin, e.subject or "", e.event or dt.date.min))
    return found
