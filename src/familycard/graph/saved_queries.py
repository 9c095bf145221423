"""Saved queries for auditors: named, versioned, parameterised Cypher, run read-only and logged.

A saved query is a name (``^[a-z][a-z0-9_]{2,63}$``), its Cypher and its declared, typed
parameters. Saving a name again makes version n+1 and the previous current version
``superseded`` (one transaction); saving the same text again changes nothing. Deleting
marks the current version ``deleted``: every version is kept, because an auditor's finding
cites a version and must be rerunnable. So:

* ``run(store, name, ...)`` runs the current version, and refuses a deleted query;
* ``run(store, name, ..., version=n)`` runs version n whatever its status (superseded or
  deleted): the version a finding cites.

Every run is logged as a ``QueryRun`` (who, as what role, when, with which arguments, how
many rows, how long, or the error), in its own transaction, whether it succeeded or not.

The query runs through ``Store.read_only``: the engine refuses writes (read-only
transaction / read access mode), one statement only, a time limit and a row cap; the store
also refuses what the engines let a read do but an auditor must not (file reads, procedures
that change the server such as db.clearQueryCaches, which Neo4j 5.26 runs in READ mode; see
``store.check_read_query`` and its allow-list ``READ_PROCEDURES``). Saving checks the same
rules, so that a query that can never run is not saved.

Parameter types: STRING, INT, FLOAT, BOOLEAN, DATE. An optional parameter needs a default:
LadybugDB types a null parameter as BOOL, so ``$since IS NULL OR x >= $since`` fails there
(measured: "Cannot compare types DATE and BOOL"); a default keeps a saved query portable.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from familycard.graph.flow import trail
from familycard.graph.rules import used_params
from familycard.graph.store import MAX_RESULT_BYTES, QueryRefused, Row, Store, check_read_query, cypher_tokens, writes
from familycard.graph.visibility import check_visible, strip_hidden

__all__ = ["TYPES", "Parameter", "SavedQuery", "RunResult", "SavedQueryError", "SavedQueryNotFound", "save", "delete",
           "get", "versions", "list_current", "run", "runs"]

TYPES = ("STRING", "INT", "FLOAT", "BOOLEAN", "DATE")
CURRENT, SUPERSEDED, DELETED = "current", "superseded", "deleted"
STATUSES = (CURRENT, SUPERSEDED, DELETED)

NAME = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII: \d also takes "٢٠٢٦"
MAX_CYPHER = 20_000
MAX_TEXT = 2_000
MAX_PARAMETERS = 32
# Clauses that write: refused when saving, so that the author hears it then rather than at
# each run. Only a courtesy: at run time the engine refuses a write whatever the text says.
_WRITE_CLAUSES = ("CREATE", "MERGE", "SET", "DELETE", "REMOVE", "FOREACH", "DROP", "ALTER", "INSERT")


class SavedQueryError(ValueError):
    """A saved query, a version or an argument that cannot be used; the message names it.
    ``name``: the saved query it is about, where one is; ``parameter``: the parameter at
    fault; ``value``: the bad value (an argument, a default, a type, a version, a limit)."""

    def __init__(self, message: str, *, name: str | None = None, parameter: str | None = None,
                 value: Any = None):
        super().__init__(message)
        self.name = name
        self.parameter = parameter
        self.value = value


class SavedQueryNotFound(SavedQueryError):
    """No such saved query, or no such version of it (or it is deleted)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # one of TYPES
    required: bool = True
    default: Any = None  # only for an optional parameter, and then required
    description: str = ""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    version: int
    cypher: str
    parameters: tuple[Parameter, ...]
    description: str
    author: str
    created_at: dt.datetime
    status: str  # current | superseded | deleted

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class RunResult:
    name: str
    version: int
    columns: list[str]
    rows: list[Row]
    truncated: bool  # there were more rows than max_rows
    row_count: int  # len(rows)
    ms: int
    run_key: str  # the QueryRun logged


# --- values -------------------------------------------------------------------------------

def _coerce(p: Parameter, value: Any) -> Any:
    """An argument (or a default) as the parameter's type, or SavedQueryError naming it."""
    def bad(what: str) -> SavedQueryError:
        return SavedQueryError(f"parameter '{p.name}': {value!r} is not {what}", parameter=p.name, value=value)

    if p.type == "STRING":
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if p.type == "INT":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        if not -2**63 <= value < 2**63:
            raise bad("a 64-bit integer")
        return value
    if p.type == "FLOAT":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad("a number")
        return float(value)
    if p.type == "BOOLEAN":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if p.type == "DATE":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise bad("a date (YYYY-MM-DD)")
    raise SavedQueryError(f"parameter '{p.name}': unknown type {p.type!r}", parameter=p.name,  # pragma: no cover
                          value=p.type)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _dumps(values: Mapping[str, Any]) -> str:
    return json.dumps({k: _json_value(v) for k, v in values.items()}, sort_keys=True, ensure_ascii=False,
                      default=repr)


def _naive_utc(at: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC (as ``dates.utcnow``)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


# --- checks -------------------------------------------------------------------------------

def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise SavedQueryError(f"the name {name!r} is not a saved query name: 3 to 64 characters, "
                              "lower-case letters, digits and _, starting with a letter", value=name)
    return name


def _check_text(what: str, value: Any, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise SavedQueryError(f"the {what} must be {'a non-empty' if required else 'a'} string", value=value)
    if len(value) > MAX_TEXT:
        raise SavedQueryError(f"the {what} is longer than {MAX_TEXT} characters", value=value)
    return value


def _check_parameters(parameters: Iterable[Parameter | Mapping[str, Any]] | None) -> tuple[Parameter, ...]:
    out: list[Parameter] = []
    for p in parameters or ():
        if isinstance(p, Mapping):
            unknown = sorted(set(p) - {"name", "type", "required", "default", "description"})
            if unknown:
                raise SavedQueryError(f"a parameter has an unknown field {unknown[0]!r}", parameter=p.get("name"),
                                      value=unknown[0])
            if "name" not in p or "type" not in p:
                raise SavedQueryError(f"a parameter needs a name and a type: {dict(p)!r}", parameter=p.get("name"),
                                      value=dict(p))
            p = Parameter(**p)
        if not isinstance(p, Parameter):
            raise SavedQueryError(f"not a parameter: {p!r}", value=p)
        if not isinstance(p.name, str) or not PARAM_NAME.match(p.name):
            raise SavedQueryError(f"the parameter name {p.name!r} is not a Cypher parameter name "
                                  "(letters, digits and _, not starting with a digit)", value=p.name)
        if any(q.name == p.name for q in out):
            raise SavedQueryError(f"parameter '{p.name}' is declared twice", parameter=p.name)
        ty = p.type.upper() if isinstance(p.type, str) else p.type
        if ty not in TYPES:
            raise SavedQueryError(f"parameter '{p.name}': type {p.type!r} is not one of {', '.join(TYPES)}",
                                  parameter=p.name, value=p.type)
        if not isinstance(p.required, bool):
            raise SavedQueryError(f"parameter '{p.name}': required must be true or false", parameter=p.name,
                                  value=p.required)
        description = _check_text(f"description of parameter '{p.name}'", p.description)
        p = Parameter(p.name, ty, p.required, p.default, description)
        if p.required and p.default is not None:
            raise SavedQueryError(f"parameter '{p.name}' is required and has a default: "
                                  "a parameter with a default is optional (required: false)", parameter=p.name,
                                  value=p.default)
        if not p.required and p.default is None:
            raise SavedQueryError(f"parameter '{p.name}' is optional and needs a default "
                                  "(LadybugDB cannot type a null parameter)", parameter=p.name)
        if p.default is not None:
            p = Parameter(p.name, p.type, p.required, _coerce(p, p.default), p.description)
        out.append(p)
    if len(out) > MAX_PARAMETERS:
        raise SavedQueryError(f"a saved query takes at most {MAX_PARAMETERS} parameters", value=len(out))
    return tuple(out)


def _check_cypher(cypher: Any, parameters: tuple[Parameter, ...]) -> str:
    if not isinstance(cypher, str) or not cypher.strip():
        raise SavedQueryError("the Cypher is empty", value=cypher)
    if len(cypher) > MAX_CYPHER:
        raise SavedQueryError(f"the Cypher is longer than {MAX_CYPHER} characters", value=len(cypher))
    try:
        check_read_query(cypher)  # the rules Store.read_only applies: refused now, not at each run
    except QueryRefused as e:
        raise SavedQueryError(f"the Cypher cannot be saved: {e}", value=e.value) from None
    tokens = cypher_tokens(cypher)
    for i, (kind, text) in enumerate(tokens):
        if kind == "word" and text.upper() in _WRITE_CLAUSES:
            before = tokens[i - 1] if i else ("", "")
            after = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
            if before not in (("symbol", "."), ("symbol", ":")) and after != ("symbol", ":"):
                raise SavedQueryError(f"the Cypher cannot be saved: it writes ({text.upper()}); "
                                      "saved queries run read-only", value=text)
    used, declared = used_params(cypher), {p.name for p in parameters}
    for name in sorted(used - declared):
        raise SavedQueryError(f"the Cypher uses ${name}, which is not declared", parameter=name)
    for name in sorted(declared - used):
        raise SavedQueryError(f"parameter '{name}' is declared but the Cypher does not use ${name}", parameter=name)
    return cypher


def _bind(q: SavedQuery, args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments as the query receives them: checked, converted, defaults applied."""
    declared = {p.name: p for p in q.parameters}
    for name in sorted(map(str, args)):
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise SavedQueryError(f"saved query '{q.name}' has no parameter '{name}' (its parameters: {known})",
                                  name=q.name, parameter=name, value=args[name])
    out = {}
    for p in q.parameters:
        value = args.get(p.name)
        if value is not None:
            out[p.name] = _coerce(p, value)
        elif p.required:
            raise SavedQueryError(f"parameter '{p.name}' ({p.type}) is required", name=q.name, parameter=p.name)
        else:
            out[p.name] = p.default
    return out


# --- rows ---------------------------------------------------------------------------------

_Q = ("q.key AS key, q.name AS name, q.version AS version, q.cypher AS cypher, q.parameters AS parameters, "
      "q.description AS description, q.author AS author, q.created_at AS created_at, q.status AS status")
_R = ("r.key AS key, r.name AS name, r.version AS version, r.actor AS actor, r.role AS role, r.at AS at, "
      "r.parameters AS parameters, r.rows AS rows, r.truncated AS truncated, r.ms AS ms, r.error AS error")


def _parameters_json(parameters: tuple[Parameter, ...]) -> str:
    return json.dumps([{"name": p.name, "type": p.type, "required": p.required, "default": _json_value(p.default),
                        "description": p.description} for p in parameters], ensure_ascii=False)


def _from_row(row: Row) -> SavedQuery:
    params = []
    for d in json.loads(row["parameters"] or "[]"):
        p = Parameter(d["name"], d["type"], d["required"], None, d.get("description", ""))
        if d.get("default") is not None:
            p = Parameter(p.name, p.type, p.required, _coerce(p, d["default"]), p.description)
        params.append(p)
    return SavedQuery(row["name"], int(row["version"]), row["cypher"], tuple(params), row["description"] or "",
                      row["author"], row["created_at"], row["status"])


def _versions(run_or_tx, name: str) -> list[SavedQuery]:
    rows = run_or_tx(f"MATCH (q:SavedQuery) WHERE q.name = $name RETURN {_Q} ORDER BY version", {"name": name})
    return [_from_row(r) for r in rows]


# --- the API ------------------------------------------------------------------------------

def _int_params(parameters: Iterable[Parameter]) -> set[str]:
    return {p.name for p in parameters if p.type == "INT"}


def save(store: Store, name: str, cypher: str, parameters: Iterable[Parameter | Mapping[str, Any]] | None,
         description: str | None, author: str, now: dt.datetime, *, role: str = "",
         hidden: frozenset[str] = frozenset()) -> SavedQuery:
    """Save ``name``: version 1, or version n+1 with the current one superseded (one
    transaction). The same Cypher, parameters and description as the current version return
    the current version unchanged. ``hidden``: the properties the author's ``role`` may not
    see; a query that could read one is refused (``visibility.check_visible``)."""
    _check_name(name)
    params = _check_parameters(parameters)
    _check_cypher(cypher, params)
    try:
        check_visible(cypher, hidden, role, _int_params(params))
    except QueryRefused as e:
        raise SavedQueryError(f"the Cypher cannot be saved: {e}", value=e.value) from None
    description = _check_text("description", description)
    author = _check_text("author", author, required=True)
    now = _naive_utc(now)

    def work(tx) -> SavedQuery:
        existing = _versions(tx.run, name)
        last = existing[-1] if existing else None
        if (last is not None and last.status == CURRENT and last.cypher == cypher
                and last.parameters == params and last.description == description):
            return last
        if last is not None and last.status == CURRENT:
            writes.patch(tx, "SavedQuery", [{"key": last.key, "status": SUPERSEDED}])
        new = SavedQuery(name, (last.version if last else 0) + 1, cypher, params, description, author, now, CURRENT)
        writes.create(tx, "SavedQuery", [{
            "key": new.key, "name": name, "version": new.version, "cypher": cypher,
            "parameters": _parameters_json(params), "description": description, "author": author,
            "created_at": now, "status": CURRENT}])
        return new

    return store.transaction(work)


def delete(store: Store, name: str, actor: str, now: dt.datetime) -> SavedQuery:
    """Mark the current version ``deleted`` (all versions stay, and stay runnable by number);
    who and when go to the audit trail as an Event ``query_deleted`` (ref ``SavedQuery:<key>``,
    cause the actor). Returns the version deleted."""
    _check_name(name)
    actor = _check_text("actor", actor, required=True)
    now = _naive_utc(now)

    def work(tx) -> SavedQuery:
        existing = _versions(tx.run, name)
        if not existing:
            raise SavedQueryNotFound(f"no saved query '{name}'", name=name)
        current = [q for q in existing if q.status == CURRENT]
        if not current:
            raise SavedQueryError(f"saved query '{name}' is already deleted", name=name)
        q = current[-1]
        writes.patch(tx, "SavedQuery", [{"key": q.key, "status": DELETED}])
        trail.record_events(tx, [trail.event(f"SavedQuery:{q.key}", "query_deleted", now, None, actor)])
        return SavedQuery(q.name, q.version, q.cypher, q.parameters, q.description, q.author, q.created_at, DELETED)

    return store.transaction(work)


def get(store: Store, name: str, version: int | None = None) -> SavedQuery | None:
    """Version ``version`` whatever its status, or (None) the current version; None if there
    is no such version, or no current one (unknown or deleted)."""
    if version is None:
        rows = store.read(f"MATCH (q:SavedQuery) WHERE q.name = $name AND q.status = $status RETURN {_Q} "
                          "ORDER BY version DESC LIMIT 1", {"name": name, "status": CURRENT})
    else:
        if isinstance(version, bool) or not isinstance(version, int):
            raise SavedQueryError(f"version {version!r} is not a whole number", name=name, value=version)
        rows = store.read(f"MATCH (q:SavedQuery) WHERE q.key = $key RETURN {_Q}", {"key": f"{name}@{version}"})
    return _from_row(rows[0]) if rows else None


def versions(store: Store, name: str) -> list[SavedQuery]:
    """Every version of ``name``, oldest first (empty if unknown)."""
    return _versions(store.read, name)


def _page(skip: int, limit: int) -> dict[str, int]:
    for what, v in (("skip", skip), ("limit", limit)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise SavedQueryError(f"{what} must be a whole number ≥ 0, not {v!r}", value=v)
    return {"skip": skip, "limit": limit}


def list_current(store: Store, *, skip: int = 0, limit: int = 50) -> tuple[list[SavedQuery], int]:
    """The current version of every saved query not deleted, by name; and how many there are."""
    page = _page(skip, limit)
    total = store.read("MATCH (q:SavedQuery) WHERE q.status = $status RETURN count(*) AS n",
                       {"status": CURRENT})[0]["n"]
    rows = store.read(f"MATCH (q:SavedQuery) WHERE q.status = $status RETURN {_Q} "
                      "ORDER BY name SKIP $skip LIMIT $limit", {"status": CURRENT, **page})
    return [_from_row(r) for r in rows], int(total)


def run(store: Store, name: str, args: Mapping[str, Any] | None, *, actor: str, role: str, now: dt.datetime,
        version: int | None = None, timeout_s: float, max_rows: int, max_bytes: int = MAX_RESULT_BYTES,
        hidden: frozenset[str] = frozenset()) -> RunResult:
    """Run a saved query read-only (see the module's docstring for which version) and log
    it. Raises SavedQueryError (unknown query or version, deleted, bad arguments) or
    QueryRefused / QueryTimeout (what the store or the engine refused); logged either way.
    ``hidden``: the properties ``role`` may not see: a query that could read one is refused
    (whoever saved it), and whole nodes in the rows come without them.
    The caller's own settings (actor, role, timeout_s, max_rows) are checked first: a wrong
    one raises SavedQueryError before anything is run or logged."""
    if not (isinstance(timeout_s, (int, float)) and timeout_s > 0):
        raise SavedQueryError(f"timeout_s must be > 0, not {timeout_s!r}", value=timeout_s)
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise SavedQueryError(f"max_rows must be a whole number ≥ 1, not {max_rows!r}", value=max_rows)
    actor = _check_text("actor", actor, required=True)
    role = _check_text("role", role, required=True)
    args = {str(k): v for k, v in (args or {}).items()}
    now = _naive_utc(now)
    log = {"key": f"{now:%Y%m%dT%H%M%S%f}-{uuid4().hex[:8]}", "name": str(name)[:200],
           "version": version if isinstance(version, int) and not isinstance(version, bool) else None,
           "actor": actor, "role": role, "at": now, "parameters": _dumps(args), "rows": 0, "truncated": 0,
           "ms": 0, "error": None}
    started = time.monotonic()
    try:
        q = get(store, name, version)
        if q is None:
            if version is not None:
                raise SavedQueryNotFound(f"saved query '{name}' has no version {version}"
                                         if versions(store, name) else f"no saved query '{name}'", name=name,
                                         value=version)
            if versions(store, name):
                raise SavedQueryNotFound(f"saved query '{name}' is deleted; its versions can still be run "
                                         "by number", name=name)
            raise SavedQueryNotFound(f"no saved query '{name}'", name=name)
        log["version"] = q.version
        bound = _bind(q, args)
        log["parameters"] = _dumps(bound)
        check_visible(q.cypher, hidden, role, _int_params(q.parameters))
        columns, rows, truncated = store.read_only(q.cypher, bound, timeout_s=timeout_s, max_rows=max_rows,
                                                   max_bytes=max_bytes)
        rows = [strip_hidden(r, hidden) for r in rows]
    except Exception as e:
        log["ms"] = round((time.monotonic() - started) * 1000)
        log["error"] = str(e) if isinstance(e, ValueError) else f"internal error ({type(e).__name__})"
        _log(store, log)
        raise
    log.update(ms=round((time.monotonic() - started) * 1000), rows=len(rows), truncated=int(truncated))
    _log(store, log)
    return RunResult(q.name, q.version, columns, rows, truncated, len(rows), log["ms"], log["key"])


def _log(store: Store, row: dict) -> None:
    store.transaction(lambda tx: writes.create(tx, "QueryRun", [row]))


def runs(store: Store, name: str | None = None, *, skip: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    """The run log (of one saved query, or all), newest first, and how many runs there are.
    Each run is a dict of the QueryRun columns, ``parameters`` decoded and ``truncated`` a bool."""
    page = _page(skip, limit)
    where, params = ("WHERE r.name = $name ", {"name": name}) if name is not None else ("", {})
    total = store.read(f"MATCH (r:QueryRun) {where}RETURN count(*) AS n", params or None)[0]["n"]
    rows = store.read(f"MATCH (r:QueryRun) {where}RETURN {_R} ORDER BY at DESC, key DESC SKIP $skip LIMIT $limit",
                      {**params, **page})
    for r in rows:
        r["parameters"] = json.loads(r["parameters"]) if r["parameters"] else {}
        r["truncated"] = bool(r["truncated"])
    return rows, int(total)
