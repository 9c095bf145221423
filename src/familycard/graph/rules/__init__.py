"""Rules as data: one folder per benefit or notification, loaded and run here.

    rules/<code>/rule.yaml      titles (kk/ru/en), legal basis, parameters, date bounds, amount
                                formula, SMS texts, conditions (for explanations), boundaries
    rules/<code>/rule.cypher    who is entitled on $as_of (portable Cypher, both engines)
    rules/<code>/explain.cypher the same rule for one person, $iin, every condition as a column
    rules/<code>/cases.yaml     small families as feed records with the expected entitlements
    rules/parameters.yaml       dated parameters shared by several rules (MCI, PM, MW, ...)

Adding a benefit is adding a folder. The engine knows no benefit: it resolves the parameters
and date bounds for the day, runs the Cypher, applies the rule's ``when`` and ``amount``
expressions in decimal arithmetic and rounds half up to whole tenge.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from familycard.graph.flow import right_key
from familycard.graph.rules.bounds import compute_bounds
from familycard.graph.rules.formula import Table, evaluate, whole_tenge
from familycard.graph.rules.parameters import Parameter, in_force, load_yaml, parse_parameters
from familycard.graph.store import Store

__all__ = ["RULES_DIR", "LANGS", "Rule", "RuleError", "Entitlement", "load_rules", "shared_parameters",
           "run_rule"]

RULES_DIR = Path(__file__).resolve().parent
LANGS = ("kk", "ru", "en")
KINDS = ("benefit", "notification")
PERIODICITIES = ("one_off", "monthly", "notice")


class RuleError(ValueError):
    """A rule folder that cannot be used; the message names the folder and what is wrong.
    ``where``: the folder or file at fault (as the message names it); ``value``: the bad
    value, where there is one (a kind, a code, unknown rule codes)."""

    def __init__(self, message: str, *, where: str | Path | None = None, value: Any = None):
        super().__init__(message)
        self.where = where
        self.value = value


@dataclass(frozen=True)
class Condition:
    id: str                       # the boolean column explain.cypher returns
    text: Mapping[str, str]       # per language; {placeholders} from the explain row


@dataclass(frozen=True)
class Entitlement:
    """One right found on a day: records.md "Entitlements out", plus what started it."""
    iin: str
    benefit: str
    as_of: dt.date
    subject: str | None
    amount_kzt: int | None
    event: dt.date | None = None  # the event that started the right (birth, death, registration)
    inputs: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def record(self) -> dict[str, Any]:
        return {"iin": self.iin, "benefit": self.benefit, "as_of": self.as_of.isoformat(),
                "subject": self.subject, "amount_kzt": self.amount_kzt}

    @property
    def key(self) -> str:
        """The right: (code, recipient, subject, event), which offers and payments are keyed by."""
        return right_key(self.benefit, self.iin, self.subject, self.event)


@dataclass(frozen=True)
class Rule:
    code: str
    folder: Path
    kind: str
    periodicity: str
    title: Mapping[str, str]
    legal: Mapping[str, str]
    sms_title: Mapping[str, str]   # the benefit as an SMS names it (kk, ru): short, see graph/texts.py
    sms_lead: Mapping[str, str] | None   # a sentence before it (condolences) or a notice's own text
    answers: bool   # the SMS asks for consent (every benefit; a notice only if it says so)
    event: str
    parameters: Mapping[str, Parameter]   # every parameter the rule may use (shared + its own)
    own_parameters: tuple[str, ...]
    bounds: Mapping[str, Mapping[str, Any]]
    amount: str | None
    when: str | None
    conditions: tuple[Condition, ...]
    not_concerned: Mapping[str, str]
    reasons: Mapping[str, Mapping[str, str]]
    boundaries: tuple[str, ...]
    evidence_facts: tuple[str, ...]
    explain_values: Mapping[str, str]
    cypher: str
    explain_cypher: str
    scope_hops: int = 3   # kin links from a changed person to the query's first node
    scoped_cypher: str = ""  # the same query for the first nodes in $scope_keys only

    def query_params(self, as_of: dt.date) -> dict[str, Any]:
        """What the Cypher receives: the day, its bounds, and whole-number parameters."""
        params: dict[str, Any] = {"as_of": as_of}
        params.update(compute_bounds(self.bounds, as_of, self.parameters))
        for name, v in in_force(self.parameters, as_of).items():
            if isinstance(v, Decimal) and v == int(v):
                params[name] = int(v)
        return params

    def formula_names(self, as_of: dt.date, row: Mapping[str, Any]) -> dict[str, Any]:
        names = in_force(self.parameters, as_of)
        names.update(row)
        return names

    def decide(self, as_of: dt.date, row: Mapping[str, Any]) -> tuple[bool, int | None]:
        """The rule's ``when`` (if any) and its amount, from one row of its Cypher."""
        names = self.formula_names(as_of, row)
        if self.when is not None and evaluate(self.when, names) is not True:
            return False, None
        if self.amount is None:
            return True, None
        return True, whole_tenge(evaluate(self.amount, names))


def shared_parameters(rules_dir: Path = RULES_DIR) -> dict[str, Parameter]:
    return parse_parameters(load_yaml(rules_dir / "parameters.yaml"), str(rules_dir / "parameters.yaml"))


def _texts(raw: Any, where: str, langs: Iterable[str] = LANGS) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: expected texts in {', '.join(langs)}", where=where, value=raw)
    missing = [lang for lang in langs if not str(raw.get(lang) or "").strip()]
    if missing:
        raise RuleError(f"{where}: no text in {', '.join(missing)}", where=where, value=missing)
    return {k: str(v).strip() for k, v in raw.items()}


def _sms(raw: Any, kind: str, where: str) -> tuple[dict[str, str], dict[str, str] | None]:
    """rule.yaml ``sms``: ``title`` (kk, ru) and an optional ``lead`` (kk, ru), which a
    notification needs: it is the notice."""
    if not isinstance(raw, Mapping) or set(raw) - {"title", "lead"}:
        raise RuleError(f"{where}: sms must have 'title' and may have 'lead' (each in kk and ru)", where=where,
                        value=raw)
    title = _texts(raw.get("title"), f"{where}: sms title", ("kk", "ru"))
    if raw.get("lead") is None and kind == "notification":
        raise RuleError(f"{where}: sms lead is missing (a notification's SMS is its lead)", where=where)
    lead = _texts(raw["lead"], f"{where}: sms lead", ("kk", "ru")) if raw.get("lead") is not None else None
    return title, lead


def load_rule(folder: Path, shared: Mapping[str, Parameter]) -> Rule:
    where = str(folder / "rule.yaml")
    for name in ("rule.yaml", "rule.cypher", "explain.cypher", "cases.yaml"):
        if not (folder / name).is_file():
            raise RuleError(f"{folder}: {name} is missing", where=folder, value=name)
    meta = load_yaml(folder / "rule.yaml") or {}
    code = meta.get("code")
    if code != folder.name:
        raise RuleError(f"{where}: code '{code}' differs from the folder name '{folder.name}'", where=where,
                        value=code)
    if meta.get("kind") not in KINDS:
        raise RuleError(f"{where}: kind must be one of {KINDS}, not {meta.get('kind')!r}", where=where,
                        value=meta.get("kind"))
    if meta.get("periodicity") not in PERIODICITIES:
        raise RuleError(f"{where}: periodicity must be one of {PERIODICITIES}, not {meta.get('periodicity')!r}",
                        where=where, value=meta.get("periodicity"))
    own = parse_parameters(meta.get("parameters") or {}, where)
    clash = set(own) & set(shared)
    if clash:
        raise RuleError(f"{where}: parameters {sorted(clash)} are already shared ones", where=where,
                        value=sorted(clash))
    legal = meta.get("legal") or {}
    if not str(legal.get("basis") or "").strip() or not str(legal.get("note") or "").strip():
        raise RuleError(f"{where}: legal needs 'basis' and 'note' (what the rule simplifies)", where=where,
                        value=legal)
    hops = meta.get("scope_hops", 3)
    if not isinstance(hops, int) or isinstance(hops, bool) or not 0 <= hops <= 6:
        raise RuleError(f"{where}: scope_hops must be a whole number from 0 to 6, not {hops!r}", where=where,
                        value=hops)
    cypher = (folder / "rule.cypher").read_text(encoding="utf-8")
    answers = meta.get("answers", meta["kind"] == "benefit")
    if not isinstance(answers, bool):
        raise RuleError(f"{where}: answers must be true or false, not {answers!r}", where=where, value=answers)
    conditions = tuple(Condition(str(c["id"]), _texts(c.get("text"), f"{where}: condition {c.get('id')}"))
                       for c in meta.get("conditions") or ())
    if not conditions:
        raise RuleError(f"{where}: no conditions (explanations need them)", where=where)
    sms_title, sms_lead = _sms(meta.get("sms"), meta["kind"], where)
    return Rule(
        code=code, folder=folder, kind=meta["kind"], periodicity=meta["periodicity"],
        title=_texts(meta.get("title"), f"{where}: title"), legal=legal,
        sms_title=sms_title, sms_lead=sms_lead, answers=answers,
        event=str(meta.get("event") or ""),
        parameters={**shared, **own}, own_parameters=tuple(own),
        bounds=meta.get("bounds") or {}, amount=meta.get("amount"), when=meta.get("when"),
        conditions=conditions,
        not_concerned=_texts(meta.get("not_concerned"), f"{where}: not_concerned"),
        reasons={k: _texts(v, f"{where}: reason {k}") for k, v in (meta.get("reasons") or {}).items()},
        boundaries=tuple(meta.get("boundaries") or ()),
        evidence_facts=tuple(meta.get("evidence_facts") or ()),
        explain_values=dict(meta.get("explain_values") or {}),
        cypher=cypher,
        explain_cypher=(folder / "explain.cypher").read_text(encoding="utf-8"),
        scope_hops=hops, scoped_cypher=scoped(cypher, str(folder / "rule.cypher")),
    )


@lru_cache(maxsize=4)
def _load(rules_dir: Path) -> tuple[Rule, ...]:
    shared = shared_parameters(rules_dir)
    folders = sorted(p for p in rules_dir.iterdir() if p.is_dir() and (p / "rule.yaml").exists())
    rules = [load_rule(f, shared) for f in folders]
    return tuple(sorted(rules, key=lambda r: (KINDS.index(r.kind), r.code)))  # benefits, then notices


def load_rules(codes: Iterable[str] | None = None, rules_dir: Path = RULES_DIR) -> list[Rule]:
    """The rule folders (all, or the named codes in that order); unknown codes are an error."""
    rules = {r.code: r for r in _load(rules_dir)}
    if codes is None:
        return list(rules.values())
    unknown = [c for c in codes if c not in rules]
    if unknown:
        raise RuleError(f"unknown rule {', '.join(map(repr, unknown))}; known: {', '.join(rules)}", value=unknown)
    return [rules[c] for c in codes]


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


# The first node of each part of a rule's query: `MATCH (v:Person)` or `MATCH (v:Address)` at a
# line's start. The incremental sweep runs the query from the changed ones only.
_FIRST = re.compile(r"^MATCH \((\w+):(Person|Address)\)", re.M)
_SCOPE_KEY = {"Person": "iin", "Address": "id"}
SCOPE_PARAM = "scope_keys"


def scoped(cypher: str, where: str) -> str:
    """The query restricted to first nodes whose key is in ``$scope_keys``: each UNION part
    starts from ``UNWIND $scope_keys AS scope_key`` and its first WHERE gains
    ``x.key = scope_key`` (a join: an index seek on Neo4j, a hash join on LadybugDB).

    Not ``x.key IN $scope_keys``: LadybugDB tests that list by list scan, row by row (95 s for
    30 k keys on 100 k persons, against 6.7 s). Not ``MATCH (x:Person {iin: scope_key})``:
    LadybugDB 0.22 then fails ("Cannot evaluate expression with type VARIABLE") on every
    rule with an OPTIONAL MATCH after it."""
    parts = re.split(r"(^UNION ALL[ \t]*$)", cypher, flags=re.M)
    out = []
    for part in parts:
        if part.strip() == "UNION ALL":
            out.append(part)
            continue
        body = "\n".join(line for line in part.split("\n") if not line.lstrip().startswith("//"))
        m = _FIRST.search(body)
        if m is None or body[:m.start()].strip():
            raise RuleError(f"{where}: for the incremental sweep each query part must start with "
                            f"MATCH (x:Person) or MATCH (x:Address)", where=where)
        var, label = m.groups()
        w = re.compile(r"\bWHERE\b").search(body, m.end())
        nxt = re.compile(r"^(OPTIONAL MATCH|MATCH|WITH|RETURN|UNWIND)\b", re.M).search(body, m.end())
        if w is None or (nxt is not None and nxt.start() < w.start()):
            raise RuleError(f"{where}: for the incremental sweep the first MATCH needs a WHERE", where=where)
        out.append(body[:m.start()] + f"UNWIND ${SCOPE_PARAM} AS scope_key\n" + body[m.start():w.end()]
                   + f" {var}.{_SCOPE_KEY[label]} = scope_key AND" + body[w.end():])
    return "".join(out)


def scope_label(rule: Rule) -> str:
    """Person or Address: what the keys in ``$scope_keys`` name for this rule."""
    return _FIRST.search("\n".join(line for line in rule.cypher.split("\n")
                                     if not line.lstrip().startswith("//"))).group(2)


def used_params(cypher: str) -> set[str]:
    return set(_PARAM.findall(cypher))


def run_rule(store: Store, rule: Rule, as_of: dt.date, scope: list[str] | None = None) -> list[Entitlement]:
    """Everyone entitled under one rule on ``as_of``, sorted by recipient and subject; with
    ``scope``, only what the query finds from those first nodes (see ``scoped``)."""
    params = rule.query_params(as_of)
    query = rule.cypher
    if scope is not None:
        if not scope:
            return []
        params[SCOPE_PARAM] = sorted(scope)
        query = rule.scoped_cypher
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


def describe_value(v: Any) -> str:
    if isinstance(v, Table):
        return ", ".join(f"{k}: {x}" for k, x in v.entries.items())
    return str(v)
