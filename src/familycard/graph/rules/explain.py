"""Why (or why not): for one person and a day, every rule's verdict with the conditions that
held or failed, the facts and links that counted (with their registry and date), in kk/ru/en.

Each rule folder's ``explain.cypher`` returns, for the rights the person is involved in (as the
recipient, as the subject, or as kin), one row per candidate right with every condition of
``rule.yaml`` as a boolean column; a condition without a column is the rule's ``when``. A right
is found exactly when every condition holds: the tests check that this agrees with the sweep.

Texts name people as a ``Naming`` says (the API's masks them for the caller's role): the names
are looked up for the people the texts will show, then filled in, so no text is ever edited
after it is made; each check and item keeps the IINs it names (for the access log).
"""
from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from familycard.dates import add_years, age
from familycard.graph.rules.folders import load_rules
from familycard.graph.rules.formula import Table, evaluate
from familycard.graph.rules.rule import LANGS, ParameterUse, Rule, describe_value
from familycard.graph.store import Store

__all__ = ["Check", "Finding", "Explanation", "Naming", "explain", "explain_rule", "render"]

# How a text names a person, from their row (iin, surname, given_name: whatever the store has;
# only the iin when they are not stored). Without one, texts name people by IIN (the CLI, and
# roles that see IINs); the API passes one that masks them for the caller's role.
Naming = Callable[[Mapping[str, Any]], str]

# The placeholders of rule texts that hold a person's IIN. A value of another placeholder
# shaped like an IIN is taken for a person too (a 12-digit BIN with them: naming it as a
# person is the safe side), so a new rule's `{mother}` cannot leak one.
PEOPLE = frozenset({"iin", "subject", "recipient", "carer"})
_IIN_SHAPED = re.compile(r"[0-9]{12}")


@dataclass(frozen=True)
class Check:
    id: str
    ok: bool
    text: Mapping[str, str]  # per language
    people: tuple[str, ...] = ()  # the IINs of the people the text names


@dataclass(frozen=True)
class Finding:
    """One candidate right under one rule, and whether it holds."""
    rule: Rule
    iin: str | None          # the recipient (None when nobody qualifies to receive it)
    subject: str | None
    event: dt.date | None
    entitled: bool
    amount_kzt: int | None
    checks: tuple[Check, ...]
    items: tuple[Mapping[str, str], ...] = ()  # per-person detail (children counted or not), per language
    item_iins: tuple[str, ...] = ()
    item_people: tuple[str, ...] = ()  # the IINs of the people the item texts name

    @property
    def concerned(self) -> bool:
        """False when even the rule's first condition (its anchor: a birth, a death, a fact in
        its window) fails: the person is not in this rule's scope on the day."""
        return bool(self.checks) and self.checks[0].ok


@dataclass
class Explanation:
    iin: str
    as_of: dt.date
    person: Mapping[str, Any] | None
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by rule code, in rule order
    evidence: list[Mapping[str, Any]] = field(default_factory=list)


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "✗"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        q = v.quantize(Decimal("0.01"))
        return f"{q:,.2f}".replace(",", " ")
    if isinstance(v, int):
        return f"{v:,}".replace(",", " ")
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v) or "—"
    if isinstance(v, Table):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.entries.items())
    return str(v)


@lru_cache(maxsize=1024)
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name)


def _people_in(template: str, values: Mapping[str, Any]) -> set[str]:
    """The IINs the template would show: those of person placeholders, and any IIN-shaped value."""
    out = set()
    for name in _placeholders(template):
        v = values.get(name)
        for x in v if isinstance(v, (list, tuple)) else (v,):
            if isinstance(x, str) and (name in PEOPLE or _IIN_SHAPED.fullmatch(x)):
                out.add(x)
    return out


def _fill(template: str, values: Mapping[str, Any], names: Mapping[str, str]) -> tuple[str, set[str]]:
    """The text, with each person it names as ``names`` says (never their IIN unless ``names``
    is the IIN itself), and the IINs it names."""
    people = _people_in(template, values)
    shown = {}
    for name in _placeholders(template):
        v = values.get(name)
        if isinstance(v, (list, tuple)) and any(x in people for x in v):
            shown[name] = ", ".join(names[x] if x in people else _fmt(x) for x in v) or "—"
        elif isinstance(v, str) and v in people:
            shown[name] = names[v]
        else:
            shown[name] = _fmt(v) if name in values else "?"
    return string.Formatter().vformat(template, (), _Values(shown)), people


def _item_values(item: Mapping[str, Any], as_of: dt.date) -> dict[str, Any]:
    out = dict(item)
    born = item.get("birth_date")
    if isinstance(born, dt.date):
        out["age"] = age(born, as_of)
        out["turned_18"] = add_years(born, 18)
    return out


@dataclass
class _Candidate:
    """One row of a rule's explain query, with the names its texts and formulas use."""
    row: Mapping[str, Any]
    names: dict[str, Any]
    items: list[tuple[Mapping[str, str], dict[str, Any]]]  # (texts, values) of each item with a reason


def _candidates(store: Store, rule: Rule, iin: str, as_of: dt.date) -> list[_Candidate]:
    params = rule.query_params(as_of)
    out = []
    for row in store.read(rule.explain_cypher, {**params, "iin": iin}):
        names = rule.formula_names(as_of, row)
        names.update(params)
        for name, expr in rule.explain_values.items():
            names[name] = evaluate(expr, names)
        items = []
        for item in row.get("items") or ():
            texts = rule.reasons.get(str(item.get("reason")))
            if texts:
                items.append((texts, _item_values(item, as_of)))
        out.append(_Candidate(row, names, items))
    return out


def _named(rule: Rule, candidates: Iterable[_Candidate]) -> set[str]:
    """The IINs the texts of these candidates would show."""
    out = set()
    for c in candidates:
        for cond in rule.conditions:
            for t in cond.text.values():
                out |= _people_in(t, c.names)
        for texts, values in c.items:
            for t in texts.values():
                out |= _people_in(t, values)
    return out


def _names(store: Store, iins: set[str], naming: Naming | None) -> dict[str, str]:
    """How texts name each of these people: by ``naming`` of their stored row, or by IIN."""
    if naming is None:
        return {i: i for i in iins}
    rows = {r["iin"]: r for r in store.read(_PERSON, {"iins": sorted(iins)})} if iins else {}
    return {i: naming(rows.get(i) or {"iin": i}) for i in iins}


def _finding(rule: Rule, c: _Candidate, as_of: dt.date, names: Mapping[str, str]) -> Finding:
    row, checks = c.row, []
    for cond in rule.conditions:
        if cond.id in row:
            ok = row[cond.id] is True
        else:  # the rule's `when`, evaluated in decimals as the sweep does
            ok = rule.when is not None and evaluate(rule.when, c.names) is True
        text, people = {}, set()
        for lang, t in cond.text.items():
            text[lang], named = _fill(t, c.names, names)
            people |= named
        checks.append(Check(cond.id, ok, text, tuple(sorted(people))))
    entitled = all(ch.ok for ch in checks) and row.get("iin") is not None
    amount = None
    if entitled:
        entitled, amount = rule.decide(as_of, row)
    items, item_people = [], set()
    for texts, values in c.items:
        item = {}
        for lang, t in texts.items():
            item[lang], named = _fill(t, values, names)
            item_people |= named
        items.append(item)
    item_iins = tuple(str(i["iin"]) for i in row.get("items") or () if i.get("iin"))
    return Finding(rule, row.get("iin"), row.get("subject"), row.get("event"), entitled, amount,
                   tuple(checks), tuple(items), item_iins, tuple(sorted(item_people)))


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (not f.entitled, not f.concerned, f.subject or "", f.iin or ""))


def explain_rule(store: Store, rule: Rule, iin: str, as_of: dt.date, naming: Naming | None = None) -> list[Finding]:
    """The candidate rights under ``rule`` that involve ``iin`` on ``as_of``; ``naming`` says
    how their texts name people (default: by IIN)."""
    candidates = _candidates(store, rule, iin, as_of)
    names = _names(store, _named(rule, candidates), naming)
    return _sorted([_finding(rule, c, as_of, names) for c in candidates])


_PERSON = ("MATCH (p:Person) WHERE p.iin IN $iins RETURN p.iin AS iin, p.surname AS surname, "
           "p.given_name AS given_name, p.birth_date AS birth_date, p.death_date AS death_date, p.sex AS sex, "
           "p.address_id AS address_id, p.source AS source, p.recorded_at AS recorded_at")
_FACTS = ("MATCH (p:Person)-[:HAS_FACT]->(f:Fact) WHERE p.iin IN $iins AND f.type IN $types "
          "AND f.valid_from <= $as_of AND (f.valid_to IS NULL OR f.valid_to >= $since) "
          "RETURN p.iin AS iin, f.type AS type, f.valid_from AS valid_from, f.valid_to AS valid_to, "
          "f.disability_group AS disability_group, f.work_capacity_loss_percent AS percent, f.month AS month, "
          "f.amount_kzt AS amount_kzt, f.name AS name, f.benefit AS benefit, f.source AS source, "
          "f.recorded_at AS recorded_at")
# One fixed query per link type (no type(r): it is not portable).
_LINKS = {t: (f"MATCH (a:Person)-[l:{t}]->(b:Person) WHERE a.iin IN $iins AND b.iin IN $iins "
              "RETURN a.iin AS from_iin, b.iin AS to_iin, l.since AS since, l.until AS until, "
              "l.source AS source, l.recorded_at AS recorded_at")
          for t in ("PARENT_OF", "SPOUSE_OF", "GUARDIAN_OF")}


def explain(store: Store, iin: str, as_of: dt.date, codes: Iterable[str] | None = None,
            naming: Naming | None = None) -> Explanation:
    """Every rule (or the named ones) for one person on one day, with the evidence; ``naming``
    says how the texts name people (default: by IIN)."""
    rules = load_rules(codes)
    person = store.read(_PERSON, {"iins": [iin]})
    out = Explanation(iin, as_of, person[0] if person else None)
    if not person:
        return out
    candidates = {rule.code: _candidates(store, rule, iin, as_of) for rule in rules}
    names = _names(store, set().union(*(_named(r, candidates[r.code]) for r in rules)), naming)
    involved, fact_types = {iin}, set()
    for rule in rules:
        out.findings[rule.code] = found = _sorted([_finding(rule, c, as_of, names) for c in candidates[rule.code]])
        for f in found:
            if f.concerned:
                involved.update(x for x in (f.iin, f.subject, *f.item_iins) if x)
                fact_types.update(rule.evidence_facts)
    iins = sorted(involved)
    for p in store.read(_PERSON, {"iins": iins}):
        out.evidence.append({"kind": "person", **p})
    for ltype, q in _LINKS.items():
        for link in store.read(q, {"iins": iins}):
            out.evidence.append({"kind": "link", "type": ltype, **link})
    if fact_types:
        since = dt.date(as_of.year - 2, as_of.month, 1)  # the 24 months the insurance rules look back
        for f in store.read(_FACTS, {"iins": iins, "types": sorted(fact_types), "as_of": as_of, "since": since}):
            out.evidence.append({"kind": "fact", **f})
    return out


_WORDS = {
    "kk": {"entitled": "құқығы бар", "not_entitled": "құқығы жоқ", "not_concerned": "қатысы жоқ",
           "to": "алушы", "about": "кімге қатысты", "evidence": "Дереккөздер", "as_of": "күні",
           "tenge": "теңге", "unknown": "белгісіз адам", "born": "туған", "died": "қайтыс болған",
           "recorded": "тіркелген", "amount_unknown": "сомасы белгіленбеген", "nobody": "алушы жоқ",
           "months": "ай", "total": "барлығы", "since": "{day} бастап"},
    "ru": {"entitled": "положено", "not_entitled": "не положено", "not_concerned": "не относится",
           "to": "получатель", "about": "в отношении", "evidence": "Источники", "as_of": "на",
           "tenge": "тенге", "unknown": "человек не найден", "born": "родился(ась)", "died": "умер(ла)",
           "recorded": "запись от", "amount_unknown": "сумма не определена", "nobody": "получателя нет",
           "months": "мес.", "total": "всего", "since": "с {day}"},
    "en": {"entitled": "entitled", "not_entitled": "not entitled", "not_concerned": "not concerned",
           "to": "to", "about": "about", "evidence": "Evidence", "as_of": "as of",
           "tenge": "tenge", "unknown": "no such person", "born": "born", "died": "died",
           "recorded": "recorded", "amount_unknown": "amount not set", "nobody": "no recipient",
           "months": "months", "total": "total", "since": "since {day}"},
}


def _evidence_line(e: Mapping[str, Any], w: Mapping[str, str]) -> str:
    src = f"({e.get('source') or '?'}, {w['recorded']} {_fmt(e.get('recorded_at'))})"
    if e["kind"] == "person":
        life = f"{w['born']} {_fmt(e['birth_date'])}"
        if e.get("death_date"):
            life += f", {w['died']} {_fmt(e['death_date'])}"
        return f"{e['iin']} {e['surname']} {e['given_name']}, {e['sex']}, {life}, {e.get('address_id') or '—'} {src}"
    if e["kind"] == "link":
        span = f" {_fmt(e['since'])}…{_fmt(e['until'])}" if e.get("since") or e.get("until") else ""
        return f"{e['from_iin']} -{e['type']}-> {e['to_iin']}{span} {src}"
    detail = " ".join(_fmt(e[k]) for k in ("disability_group", "percent", "month", "amount_kzt", "name", "benefit")
                      if e.get(k) is not None)
    return f"{e['iin']} {e['type']} {detail} {_fmt(e['valid_from'])}…{_fmt(e['valid_to'])} {src}".replace("  ", " ")


def render(ex: Explanation, lang: str = "en") -> str:
    if lang not in LANGS:
        raise ValueError(f"language '{lang}': one of {', '.join(LANGS)}")
    w = _WORDS[lang]
    if ex.person is None:
        return f"{ex.iin}: {w['unknown']}"
    p = ex.person
    lines = [f"{p['surname']} {p['given_name']} [{ex.iin}], {w['born']} {_fmt(p['birth_date'])}"
             + (f", {w['died']} {_fmt(p['death_date'])}" if p.get("death_date") else "")
             + f" — {w['as_of']} {ex.as_of.isoformat()}", ""]
    for code, findings in ex.findings.items():
        rule = next((f.rule for f in findings), None) or load_rules([code])[0]
        title = rule.title[lang]
        concerned = [f for f in findings if f.concerned]
        if not concerned:
            anchors = list(dict.fromkeys(f.checks[0].text[lang] for f in findings))
            why = "; ".join(anchors[:2]) + (f" (+{len(anchors) - 2})" if len(anchors) > 2 else "") \
                if anchors else rule.not_concerned[lang]
            lines.append(f"· {title} [{code}] — {w['not_concerned']}: {why}")
            continue
        for f in concerned:
            mark = "✔" if f.entitled else "✘"
            verdict = w["entitled"] if f.entitled else w["not_entitled"]
            if f.entitled:
                verdict += ": " + (f"{_fmt(f.amount_kzt)} {w['tenge']}" if f.amount_kzt is not None
                                   else w["amount_unknown"] if rule.kind == "benefit" else "")
            who = f"{w['to']} {f.iin or w['nobody']}" + (f", {w['about']} {f.subject}" if f.subject else "")
            lines.append(f"{mark} {title} [{code}] — {verdict.rstrip(': ')} ({who})")
            for c in f.checks:
                lines.append(f"    {'✓' if c.ok else '✗'} {c.text[lang]}")
            for item in f.items:
                lines.append(f"      – {item[lang]}")
        if rule.amount and any(f.entitled for f in concerned):
            lines += [f"    § {_parameter_line(u, w)}" for u in rule.parameter_uses(ex.as_of, amount_only=True)]
    if ex.evidence:
        lines += ["", f"{w['evidence']}:"]
        lines += [f"  {line}" for line in _evidence_lines(ex.evidence, w)]
    return "\n".join(lines)


def _parameter_line(use: ParameterUse, w: Mapping[str, str]) -> str:
    """A parameter the amount used: its value on the day, since when, and the law that set it."""
    since = w["since"].format(day=use.since.isoformat())
    return f"{use.name} = {describe_value(use.value)} ({since}): {use.reference}"


def _evidence_lines(evidence: list[Mapping[str, Any]], w: Mapping[str, str]) -> list[str]:
    """One line a person, link and fact; monthly income and contributions summed per person."""
    lines, monthly = [], {}
    for e in evidence:
        if e["kind"] == "fact" and e.get("month"):
            monthly.setdefault((e["iin"], e["type"]), []).append(e)
        else:
            lines.append(_evidence_line(e, w))
    for (iin, ftype), facts in monthly.items():
        months = sorted(f["month"] for f in facts)
        total = sum(f["amount_kzt"] or 0 for f in facts)
        sources = ", ".join(sorted({f["source"] or "?" for f in facts}))
        last = max(f["recorded_at"] for f in facts if f.get("recorded_at"))
        lines.append(f"{iin} {ftype} {months[0]}…{months[-1]}: {len(months)} {w['months']}, {w['total']} "
                     f"{_fmt(total)} {w['tenge']} ({sources}, {w['recorded']} …{_fmt(last)})")
    return lines
