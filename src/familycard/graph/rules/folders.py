"""Loading the rule folders: ``rule.yaml``, ``rule.cypher``, ``explain.cypher`` and ``cases.yaml``
of each, with the shared ``parameters.yaml``; what a folder gets wrong is a ``RuleError`` naming
the file and the field."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from familycard.graph.rules.parameters import Parameter, load_yaml, parse_parameters
from familycard.graph.rules.rule import KINDS, LANGS, PERIODICITIES, RULES_DIR, Condition, Rule, RuleError
from familycard.graph.rules.run import FORMS, scoped


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
        scope_hops=hops, scoped_cypher={form: scoped(cypher, str(folder / "rule.cypher"), form) for form in FORMS},
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
