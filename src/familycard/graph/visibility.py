"""What a saved query may read for a role that must not see some properties (an auditor: phones).

Masking a result by its values cannot hold: ``'tel:' + p.phone``, ``substring(p.phone, 1)``,
``toInteger(p.phone)``, a ``WHERE p.phone STARTS WITH …`` that answers digit by digit, or an
engine's error about the value all carry a phone without looking like one. So the query is
refused, when it is saved and when it is run, if it can read a hidden property at all:

* it names one, in any syntax (``p.phone``, ``p.`PHONE```, ``p['phone']``, ``{phone: …}``,
  ``$phone``): case does not matter (LadybugDB's names are case-insensitive);
* it reads a property by a computed name (``p[$k]``, ``p['pho' + 'ne']``): a subscript holds
  only numbers and INT parameters;
* it reads every property of something: ``properties(x)``, ``x{.*}``, ``RETURN *`` /
  ``WITH *``, or a node, relationship or path used other than for its properties, its labels
  or its count (``RETURN p``, ``collect(p)``, ``nodes(path)``, ``CAST(p AS STRING)`` and
  LadybugDB's ``struct_extract(p, …)`` all hand over every property).

What is left is what the role may see: named properties other than the hidden ones.
Whole nodes in results are also stripped of hidden properties (``strip_hidden``), and engine
messages are cleaned of values (``store.scrub_engine_message``), as a second line.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from familycard.graph.store import QueryRefused, cypher_tokens

__all__ = ["check_visible", "strip_hidden"]

# Words after which `[` opens a list, and `(` a pattern or a parenthesised expression, rather
# than a subscript or a function call.
_KEYWORDS = frozenset("""
    MATCH OPTIONAL WHERE WITH RETURN UNWIND CALL YIELD UNION ALL ORDER BY SKIP LIMIT AS DISTINCT
    AND OR XOR NOT IN IS NULL TRUE FALSE CASE WHEN THEN ELSE END STARTS ENDS CONTAINS EXISTS
    ASC DESC ASCENDING DESCENDING
""".split())
_CLAUSES = frozenset({"MATCH", "WHERE", "WITH", "RETURN", "UNWIND", "CALL", "YIELD", "UNION", "ORDER", "SKIP",
                      "LIMIT"})
#: Functions that take a node, relationship or path and give nothing of its properties.
_SAFE_FUNCTIONS = frozenset({"count", "labels", "label", "type", "id", "length", "exists"})
#: Functions that hand over every property of whatever they are given.
_ALL_PROPERTIES = frozenset({"properties"})


_NODE_NEXT = (("symbol", ":"), ("symbol", ")"), ("symbol", "{"))  # (p:L…), (p), (p {…})
_REL_NEXT = (("symbol", ":"), ("symbol", "]"), ("symbol", "*"), ("symbol", "{"))  # -[r:T…]-, -[r]-, -[r*…]-
_ARROW = (("symbol", "-"), ("symbol", "<"))


def _word(tok: tuple[str, str]) -> str:
    return tok[1].upper() if tok[0] == "word" else ""


def _closing(tokens: list[tuple[str, str]], i: int) -> int:
    """The index of the bracket that closes the one at ``i`` (or len(tokens))."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = [pairs[tokens[i][1]]]
    for j in range(i + 1, len(tokens)):
        kind, text = tokens[j]
        if kind != "symbol":
            continue
        if text in pairs:
            stack.append(pairs[text])
        elif stack and text == stack[-1]:
            stack.pop()
            if not stack:
                return j
    return len(tokens)


def _innermost_brackets(tokens: list[tuple[str, str]]) -> list[str]:
    """For each token, the bracket it stands in, innermost ("" at the top)."""
    out, stack = [], []
    for kind, text in tokens:
        out.append(stack[-1] if stack else "")
        if kind == "symbol" and text in "([{":
            stack.append(text)
        elif kind == "symbol" and text in ")]}" and stack:
            stack.pop()
    return out


def _is_call(tokens: list[tuple[str, str]], i: int) -> bool:
    """Whether the `(` at ``i`` opens the arguments of a function."""
    return i > 0 and tokens[i - 1][0] in ("word", "quoted") and _word(tokens[i - 1]) not in _KEYWORDS


def _entity_variables(tokens: list[tuple[str, str]]) -> set[str]:
    """Names bound to nodes, relationships or paths: in a pattern, a path assignment, or an
    alias of one of them (``WITH p AS q``). Parenthesised names count too (over-counting only
    refuses more)."""
    found: set[str] = set()
    n = len(tokens)
    for i, (kind, text) in enumerate(tokens):
        if kind not in ("word", "quoted") or _word(tokens[i]) in _KEYWORDS:
            continue
        before = tokens[i - 1] if i else ("", "")
        after = tokens[i + 1] if i + 1 < n else ("", "")
        after_word = _word(after)
        if before == ("symbol", "(") and not _is_call(tokens, i - 1) and (after in _NODE_NEXT or after_word == "WHERE"):
            found.add(text.lower())
        elif (before == ("symbol", "[") and i >= 2 and tokens[i - 2] in _ARROW
              and (after in _REL_NEXT or after_word == "WHERE")):
            found.add(text.lower())
        elif after == ("symbol", "=") and i + 2 < n and tokens[i + 2] == ("symbol", "("):
            found.add(text.lower())  # a path: p = (a)-->(b)
    for _ in range(2):  # aliases of aliases
        for i in range(len(tokens) - 2):
            if (tokens[i][0] in ("word", "quoted") and tokens[i][1].lower() in found
                    and _word(tokens[i + 1]) == "AS" and tokens[i + 2][0] in ("word", "quoted")):
                found.add(tokens[i + 2][1].lower())
    return found


def _in_pattern(tokens: list[tuple[str, str]], i: int, clause: str) -> bool:
    """Whether the name at ``i`` stands in a pattern: ``(p…)`` in MATCH or next to an arrow,
    or ``-[r…]-``."""
    n = len(tokens)
    before = tokens[i - 1] if i else ("", "")
    after = tokens[i + 1] if i + 1 < n else ("", "")
    if before == ("symbol", "[") and i >= 2 and tokens[i - 2] in _ARROW:
        return after in _REL_NEXT or _word(after) == "WHERE"
    if before != ("symbol", "(") or _is_call(tokens, i - 1):
        return False
    if not (after in _NODE_NEXT or _word(after) == "WHERE"):
        return False
    if clause == "MATCH":
        return True
    close = _closing(tokens, i - 1)
    arrows = (("symbol", "-"), ("symbol", "<"), ("symbol", ">"))
    return (close + 1 < n and tokens[close + 1] in arrows) or (i >= 2 and tokens[i - 2] in arrows)


def _allowed_use(tokens: list[tuple[str, str]], i: int, clause: str, entities: set[str]) -> bool:
    """Whether the node, relationship or path named at ``i`` is used for no property."""
    n = len(tokens)
    before = tokens[i - 1] if i else ("", "")
    after = tokens[i + 1] if i + 1 < n else ("", "")
    if after == ("symbol", ".") or after == ("symbol", ":"):  # a property (checked by name) or a label test
        return True
    if _word(before) == "AS":  # a name given (WITH p AS q: q is one of them too)
        return True
    if clause == "MATCH" and after == ("symbol", "=") and i + 2 < n and tokens[i + 2] == ("symbol", "("):
        return True  # a path named
    if _in_pattern(tokens, i, clause):
        return True
    if _word(after) == "IS":  # p IS [NOT] NULL
        return True
    # count(p), count(DISTINCT p), labels(p), type(r), length(path)...
    j = i - 1
    if _word(tokens[j]) == "DISTINCT":
        j -= 1
    if (j >= 1 and tokens[j] == ("symbol", "(") and after == ("symbol", ")")
            and tokens[j - 1][0] == "word" and tokens[j - 1][1].lower() in _SAFE_FUNCTIONS):
        return True
    # p = q, p <> q: two of them compared
    def entity(j: int) -> bool:
        return 0 <= j < n and tokens[j][0] in ("word", "quoted") and tokens[j][1].lower() in entities

    if (after == ("symbol", "=") and entity(i + 2)) or (before == ("symbol", "=") and entity(i - 2)):
        return True
    if (after == ("symbol", "<") and i + 2 < n and tokens[i + 2] == ("symbol", ">") and entity(i + 3)) or (
            before == ("symbol", ">") and i >= 2 and tokens[i - 2] == ("symbol", "<") and entity(i - 3)):
        return True
    # passed on as it is by WITH (p, or p AS q: q is one of them too)
    if clause == "WITH" and (_word(before) in ("WITH", "DISTINCT") or before == ("symbol", ",")):
        return after in (("", ""), ("symbol", ",")) or _word(after) in (
            "AS", "WHERE", "ORDER", "SKIP", "LIMIT", "MATCH", "OPTIONAL", "WITH", "RETURN", "UNWIND", "CALL")
    return False


def _subscript_is_numeric(tokens: list[tuple[str, str]], start: int, end: int, int_params: set[str]) -> bool:
    for kind, text in tokens[start + 1:end]:
        if kind == "number" or (kind == "param" and text[1:].strip("`") in int_params):
            continue
        if kind == "symbol" and text in ".-+*":
            continue
        return False
    return True


def check_visible(cypher: str, hidden: Iterable[str], role: str, int_params: Iterable[str] = ()) -> None:
    """Refuse (``QueryRefused``) a query that could read a property in ``hidden`` (lower-case
    names), for ``role``; see the module's docstring. Nothing is refused when nothing is hidden."""
    hidden = {h.lower() for h in hidden}
    if not hidden:
        return
    int_params = set(int_params)
    tokens = cypher_tokens(cypher)
    entities = _entity_variables(tokens)
    names = ", ".join(sorted(hidden))

    def refuse(what: str) -> QueryRefused:
        return QueryRefused(f"the query {what}; the role {role} may not see {names}, so a saved query it runs "
                            "names the properties it reads, and none of those")

    clause = ""
    innermost = _innermost_brackets(tokens)
    for i, (kind, text) in enumerate(tokens):
        word = _word(tokens[i])
        before = tokens[i - 1] if i else ("", "")
        after = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if word in _CLAUSES and before != ("symbol", ".") and after != ("symbol", ":"):
            clause = word
        value = text[1:].strip("`") if kind == "param" else text[1:-1] if kind == "string" else text
        if kind in ("word", "quoted", "param", "string") and value.lower() in hidden:
            raise refuse(f"names {value!r}")
        if kind == "word" and text.lower() in _ALL_PROPERTIES and after == ("symbol", "("):
            raise refuse(f"calls {text}(), which returns every property")
        if (kind, text) == ("symbol", ".") and after == ("symbol", "*"):
            raise refuse("projects every property (.*)")
        if (kind, text) == ("symbol", "*") and word == "" and _word(before) in ("RETURN", "WITH", "DISTINCT"):
            raise refuse(f"returns every variable ({_word(before)} *)")
        if (kind, text) == ("symbol", "[") and i and (
                before[0] in ("quoted", "param") or before in (("symbol", ")"), ("symbol", "]"), ("symbol", "}"))
                or (before[0] == "word" and _word(before) not in _KEYWORDS)):
            end = _closing(tokens, i)
            if not _subscript_is_numeric(tokens, i, end, int_params):
                raise refuse("reads a property or an element by a computed key (x[...]: only numbers and INT "
                             "parameters may stand in a subscript)")
        label = before == ("symbol", ":") and innermost[i] != "{"  # (p:Label), p:Label; not {key: value}
        if kind in ("word", "quoted") and text.lower() in entities and before != ("symbol", ".") and not label \
                and word not in _KEYWORDS and not _allowed_use(tokens, i, clause, entities):
            raise refuse(f"uses {text} whole (a node, relationship or path carries every property): "
                         f"name the properties it needs, as {text}.name")


def strip_hidden(value: Any, hidden: frozenset[str]) -> Any:
    """A result value with the hidden properties of whole nodes and relationships (dicts with
    ``_LABEL``, as both stores return them) removed."""
    if not hidden:
        return value
    if isinstance(value, list):
        return [strip_hidden(v, hidden) for v in value]
    if isinstance(value, dict):
        whole = "_LABEL" in value
        return {k: strip_hidden(v, hidden) for k, v in value.items() if not (whole and str(k).lower() in hidden)}
    return value
