"""Read-only queries from users (saved queries): what is checked before an engine sees one.

What the engines let a read-only transaction do that a saved query must not (checked on
Neo4j 5.26 Community and LadybugDB 0.22, see tests/graph/test_saved_queries.py):
  Neo4j:    LOAD CSV FROM 'file:///etc/passwd' (reads server files, or any URL);
            SHOW TRANSACTIONS / SHOW SETTINGS (other sessions' queries, the server's config);
            TERMINATE TRANSACTION (ends others' work); CALL db.clearQueryCaches(),
            db.stats.collect/clear/retrieve (other users' queries), db.prepareForReplanning,
            db.resampleOutdatedIndexes, tx.setMetaData, dbms.listConfig... all run in READ mode.
  LadybugDB: EXPORT DATABASE '<dir>' and COPY (...) TO '<file>' write files; LOAD FROM reads
            them (and, through the Python API, the caller's variables); CALL <option>=<value>
            changes the connection's or the database's settings (timeout, auto_checkpoint...);
            COMMIT / ROLLBACK end the read-only transaction; `A; COMMIT; CREATE ...` escapes
            it (refused by the engine too: a multi-statement text cannot be prepared).
So a user's query is one statement that starts like a read, calls only the procedures
below, and names none of the statement words below outside strings, comments and
`quoted names`. Writes are NOT looked for here: the engines refuse them.
"""
from __future__ import annotations

import re
import unicodedata

from familycard.graph.store.base import QueryRefused

#: Procedures (Neo4j) and table functions (LadybugDB) a read-only query may CALL; lower case.
READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "db.schema.visualization",
    "show_tables", "table_info",
})
_FIRST_WORDS = ("MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL")
_WRITE_WORDS = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "ALTER", "FOREACH",
                "INSERT", "RENAME", "GRANT", "DENY", "REVOKE", "START", "STOP", "ENABLE", "DEALLOCATE")
WRITE_REFUSED = "the query tried to write; saved queries run read-only"
MANY_REFUSED = "the query holds more than one statement; a saved query is one statement"
_REFUSED_WORDS = {
    "LOAD": "reads files or URLs",
    "COPY": "reads or writes files", "EXPORT": "writes files", "IMPORT": "loads a database",
    "ATTACH": "opens another database", "INSTALL": "installs an extension",
    "USE": "switches database", "SHOW": "shows the server's state",
    "TERMINATE": "ends other transactions", "CHECKPOINT": "is an administration command",
    "BEGIN": "controls the transaction", "COMMIT": "controls the transaction",
    "ROLLBACK": "controls the transaction",
}
# Every character either engine takes as the end of a line (and so of a `//` comment):
# Neo4j's parser ends one at \r too, LadybugDB's at \r, \f, \v, U+0085, U+2028 and U+2029
# (measured on Neo4j 5.26 and LadybugDB 0.22). A comment that ran past one of them would hide
# the rest of the line from these checks but not from the engine. They are refused in a
# user's query anyway (``_refuse_control_characters``); ending comments at them as well keeps
# the tokenizer right whatever text it is given.
_LINE_ENDS = "\n\r\f\v\x1c\x1d\x1e\x85\u2028\u2029"
_CYPHER_TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>//[^""" + _LINE_ENDS + r"""]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`(?:[^`]|``)*`)
  | (?P<param>\$(?:[A-Za-z0-9_]+|`(?:[^`]|``)*`))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<symbol>.)
""", re.S | re.X)


def cypher_tokens(query: str) -> list[tuple[str, str]]:
    """The query as (kind, text) tokens without spaces and comments: kinds ``word``,
    ``quoted`` (a `name`, text unquoted), ``string``, ``param``, ``number``, ``symbol``.
    Raises ``QueryRefused`` for a string, name or comment left open."""
    out = []
    for m in _CYPHER_TOKEN.finditer(query):
        kind, text = m.lastgroup, m.group()
        if kind in ("space", "comment"):
            continue
        if kind == "symbol" and (text in "'\"`" or query.startswith("/*", m.start())):
            what = {"'": "string", '"': "string", "`": "quoted name"}.get(text, "comment")
            raise QueryRefused(f"the query has a {what} that is never closed", text)
        if kind == "quoted":
            text = text[1:-1].replace("``", "`")
        out.append((kind, text))
    return out


_CHARACTER_NAMES = {"\r": "carriage return", "\f": "form feed", "\v": "vertical tab", "\x00": "NUL",
                    "\x1b": "escape", "\x7f": "delete",
                    "\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator",
                    "\u200b": "zero width space", "\ufeff": "byte order mark"}


def _refuse_control_characters(query: str) -> None:
    """A user's query holds no control character but \\n and \\t, no line or paragraph
    separator and no invisible format character (bidi overrides, zero-width spaces): each is
    read differently by some parser (a comment that ends at \\r for Neo4j but not for a
    checker), or shows the reader something other than what runs."""
    for i, ch in enumerate(query):
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"):
            continue
        name = _CHARACTER_NAMES.get(ch) or unicodedata.name(ch, "control character").lower()
        line = query.count("\n", 0, i) + 1
        raise QueryRefused(f"the query holds U+{ord(ch):04X} ({name}) at position {i} (line {line}): "
                           "only printable characters, \\n and \\t are allowed (end lines with \\n)", ch)


def check_read_query(query: str) -> None:
    """Refuse (``QueryRefused``) a query that is not one plain read: see the note above."""
    _refuse_control_characters(query)
    tokens = cypher_tokens(query)
    while tokens and tokens[-1] == ("symbol", ";"):
        tokens.pop()
    if not tokens:
        raise QueryRefused("the query is empty", query)
    if ("symbol", ";") in tokens:
        raise QueryRefused(MANY_REFUSED)
    kind, first = tokens[0]
    if kind == "word" and first.upper() in _WRITE_WORDS:
        raise QueryRefused(WRITE_REFUSED, first)
    if kind != "word" or first.upper() not in _FIRST_WORDS:
        raise QueryRefused(f"the query starts with {first!r}: a read-only query starts with "
                           "MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL", first)
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        before = tokens[i - 1] if i else ("", "")
        after = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if before in (("symbol", "."), ("symbol", ":")) or after == ("symbol", ":"):
            continue  # a property, a label or a map key
        word = text.upper()
        if word in _REFUSED_WORDS:
            raise QueryRefused(f"the query uses {word}, which {_REFUSED_WORDS[word]}: not allowed "
                               "in a read-only query (write `name` in backquotes if it is a name)", text)
        if word == "CALL" and after[0] in ("word", "quoted"):  # CALL { … } / CALL (x) { … }: subqueries
            j, parts = i + 1, []
            while j < len(tokens) and tokens[j][0] in ("word", "quoted"):
                parts.append(tokens[j][1])
                if j + 1 < len(tokens) and tokens[j + 1] == ("symbol", "."):
                    j += 2
                else:
                    break
            name = ".".join(parts)
            if name.lower() not in READ_PROCEDURES:
                raise QueryRefused(f"the query calls {name}, which a read-only query may not call "
                                   f"(allowed: {', '.join(sorted(READ_PROCEDURES))})", name)


_QUOTED_VALUE = re.compile(r"""'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|\{[^{}]*\}?|\+?\d[\d\s().-]{2,}\d""")


def scrub_engine_message(message: str) -> str:
    """An engine's error message without the values it quotes: strings, maps and nodes
    printed in braces, and runs of 4 or more digits become "…". Such a message is kept in the
    run log and shown to users who may not see the value (``Could not convert "+77011234567"
    to INT64``); what went wrong still reads."""
    return _QUOTED_VALUE.sub("…", message)

