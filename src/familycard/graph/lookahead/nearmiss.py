"""Near misses: people who would be entitled on a day but for one missing or blocking record,
with what is missing. Each kind says what one record would change.

Where a kind is a condition of a rule (a threshold), it is found by the rule itself: run once
with that parameter relaxed by one step (``Parameter.replaced``, ``Rule.with_parameters``), the
rights it finds less those the unrelaxed run finds are the people that one step keeps out; all
their other conditions are the rule's own. The flow's kinds (no phone, no account) are the
rights of the day's dry run that the flow would send to the worklist, by the flow's own tests.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from familycard import dates
from familycard.graph.flow.offers import phone_reason
from familycard.graph.flow.orders import account_reason, needs_order
from familycard.graph.rules import Entitlement, Rule, load_rules, run_rule
from familycard.graph.rules.formula import evaluate
from familycard.graph.rules.run import used_params
from familycard.graph.store import Store, writes
from familycard.graph.sweep import sweep

__all__ = ["MISSING_KINDS", "NearMiss", "near_misses", "INCOME_MARGIN", "REEXAMINATION_DAYS"]

#: kind -> what it means, in a sentence (the README, the CLI's help and the API's enum use these)
MISSING_KINDS: dict[str, str] = {
    "student_fact": "a child of 18-22 at home without a student fact; one record would count them for a large family",
    "contribution_month": "one contribution month short of those needed (5 of 6), every other condition met",
    "income_above_line": "household income per person at most 5 % above the assistance line, every other "
                         "condition met",
    "phone": "a right already found, but no phone (or not a Kazakh mobile) to offer it by SMS",
    "bank_account": "a right already found, but no valid bank account to pay it to",
    "reexamination_due": "a disability a right rests on whose re-examination (valid_to) falls within 30 days",
}

#: income_above_line: how far above the line per person still counts (5 %, inclusive)
INCOME_MARGIN = Decimal("0.05")
#: reexamination_due: the disability ends on D to D + 30 days (inclusive)
REEXAMINATION_DAYS = 30

# The parameters whose one step is a near miss: a count needed (relaxed by one) or the line.
_CHILDREN = "large_family_min_children"
_MONTHS = "min_contribution_months"
_LINE = "poverty_line_share"


@dataclass(frozen=True)
class NearMiss:
    iin: str
    benefit: str
    subject: str | None
    missing: str               # a key of MISSING_KINDS
    detail: str                # English, names the record and its values (no phone or account in it)

    def record(self) -> dict[str, Any]:
        """The JSON line of `familycard nearmiss --json`."""
        return {"iin": self.iin, "benefit": self.benefit, "subject": self.subject,
                "missing": self.missing, "detail": self.detail}


def near_misses(store: Store, as_of: dt.date, kinds: list[str] | None = None) -> list[NearMiss]:
    """Sorted by benefit, missing, iin, subject. ``kinds``: some keys of MISSING_KINDS (all by
    default); an unknown one is a ValueError naming the known ones."""
    wanted = set(MISSING_KINDS) if kinds is None else set(kinds)
    unknown = sorted(wanted - set(MISSING_KINDS))
    if unknown:
        raise ValueError(f"unknown near-miss kind {', '.join(map(repr, unknown))} (known: {', '.join(MISSING_KINDS)})")
    found = _Found(store, as_of, {r.code: r for r in load_rules()}, wanted)
    out: list[NearMiss] = []
    for kind, find in _FINDERS.items():
        if kind in wanted:
            out += find(store, as_of, found)
    out.sort(key=lambda m: (m.benefit, m.missing, m.iin, m.subject or ""))
    return out


# parameter -> its kind, the column of the rule's row compared to it (``column >= $parameter``
# in the rule's Cypher; None: the rule's ``when`` tests it), and its relaxed value from the day's.
# The line is relaxed a little more than 5 %: the rule's test is strict (``income < line``), and
# a household exactly 5 % above must be in the relaxed run (the exact test is the kind's own).
_RELAX: dict[str, tuple[str, str | None, Callable[[Decimal], Decimal]]] = {
    _CHILDREN: ("student_fact", "children", lambda v: v - 1),
    _MONTHS: ("contribution_month", "contribution_months", lambda v: v - 1),
    _LINE: ("income_above_line", None, lambda v: v * (1 + INCOME_MARGIN) * Decimal("1.01")),
}


class _Found:
    """The rights the rules find on the day, and those they find relaxed (each rule run once).

    A relaxed run finds a superset of the rule's own rights, with the same row for each: the
    parameter only filters (``column >= $parameter``) or enters the ``when`` and the pre-filter
    bound made from it. So the rule's own rights are the relaxed rows that pass the filter and
    the rule's ``decide`` as it is (the amount too), and the rule is not run a second time (the
    tests check this against a run of the rule). Every other rule: from one dry-run sweep when
    the flow's kinds need every right, else rule by rule as a kind asks."""

    def __init__(self, store: Store, as_of: dt.date, rules: dict[str, Rule], wanted: set[str]):
        self.store, self.as_of, self.rules = store, as_of, rules
        self._by_code: dict[str, list[Entitlement]] = {}
        self._relaxed: dict[tuple[str, str], list[Entitlement]] = {}
        self.contacts: tuple[list[Entitlement], dict[str, dict]] | None = None
        for name, (kind, column, step) in _RELAX.items():
            if kind not in wanted:
                continue
            for rule in self.using(name, in_when=column is None):
                rows = self._run_relaxed(rule, name, step(rule.parameters[name].at(as_of)))
                self._relaxed[(rule.code, name)] = rows
                if rule.code not in self._by_code:   # a rule relaxed twice: derived from the first
                    self._by_code[rule.code] = self._as_it_is(rule, name, column, rows)
        if wanted & {"phone", "bank_account"}:
            rest = [c for c in rules if c not in self._by_code]
            self._by_code.update({c: [] for c in rest})
            for e in sweep(store, as_of, rest).entitlements:
                self._by_code[e.benefit].append(e)

    def _run_relaxed(self, rule: Rule, name: str, value: Decimal) -> list[Entitlement]:
        """The rule with ``name``'s value on the day replaced. No amount: a relaxed count may
        have no entry in the rule's table of amounts (``_as_it_is`` computes the real ones)."""
        p = rule.parameters[name].replaced(self.as_of, value, reference="near misses: relaxed by one step")
        got = run_rule(self.store, replace(rule.with_parameters({name: p}), amount=None), self.as_of)
        self.store.after_rule()
        return got

    def _as_it_is(self, rule: Rule, name: str, column: str | None, rows: list[Entitlement]) -> list[Entitlement]:
        """The rule's own rights among its relaxed rows (see the class)."""
        need = rule.parameters[name].at(self.as_of)
        out = []
        for e in rows:
            if column is not None and not e.inputs[column] >= need:
                continue
            ok, amount = rule.decide(self.as_of, {**e.inputs, "iin": e.iin, "subject": e.subject, "event": e.event})
            if ok:
                out.append(replace(e, amount_kzt=amount))
        return out

    def of(self, code: str) -> list[Entitlement]:
        if code not in self._by_code:
            self._by_code[code] = run_rule(self.store, self.rules[code], self.as_of)
            self.store.after_rule()
        return self._by_code[code]

    def all(self) -> list[Entitlement]:
        return [e for code in self.rules for e in self.of(code)]

    def relaxed(self, rule: Rule, name: str) -> list[Entitlement]:
        """The rights of the rule relaxed on ``name``, less the rights the rule finds as it is (by
        recipient and subject: a second event of a right found is not a near miss)."""
        have = {(e.iin, e.subject) for e in self.of(rule.code)}
        return [e for e in self._relaxed[(rule.code, name)] if (e.iin, e.subject) not in have]

    def using(self, name: str, in_when: bool = False) -> list[Rule]:
        """The rules that test parameter ``name``: in their Cypher, or (``in_when``) their ``when``."""
        return [r for r in self.rules.values()
                if name in r.parameters and (re.search(rf"\b{name}\b", r.when or "") if in_when
                                             else name in used_params(r.cypher))]


def _keys_read(store: Store, query: str, keys: Iterable[str], params: dict | None = None) -> list[dict]:
    """A query anchored on ``$keys`` (IINs found), in chunks as the flow reads them."""
    rows: list[dict] = []
    for part in writes.chunks(sorted(set(keys)), 50_000):
        rows += store.read(query, {**(params or {}), "keys": part})
    return rows


# ------------------------------------------------------------------------------ student_fact

# The children of 18-22 of the parents found, at the parent's home, alive, the link not ended,
# without a student fact covering the day: one student record would count each of them (the
# large_family rule's dependent child). But not a father's child whose living mother lives at
# the same address: the student record would give her a dependent child at her home, and the
# rule's mother-first test would then pass the right to her, not to him. OPTIONAL MATCH and a
# count, not NOT EXISTS: LadybugDB evaluates an EXISTS over the whole graph (rules/run.py, _table).
_NON_STUDENTS = """
UNWIND $keys AS k
MATCH (p:Person {iin: k})-[l:PARENT_OF]->(c:Person)
WHERE (l.until IS NULL OR l.until > $as_of) AND p.address_id <> '' AND c.address_id = p.address_id
  AND (c.death_date IS NULL OR c.death_date > $as_of)
  AND c.birth_date > $student_born_by AND c.birth_date <= $adult_born_by
OPTIONAL MATCH (c)-[:HAS_FACT]->(s:Fact)
  WHERE s.type = 'student' AND s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to >= $as_of)
WITH p, c, count(s) AS students
WHERE students = 0
OPTIONAL MATCH (m:Person)-[lm:PARENT_OF]->(c)
  WHERE p.sex = 'M' AND m.sex = 'F' AND (lm.until IS NULL OR lm.until > $as_of)
    AND (m.death_date IS NULL OR m.death_date > $as_of) AND m.address_id = p.address_id
WITH p, c, count(m) AS mothers_at_home
WHERE mothers_at_home = 0
RETURN DISTINCT p.iin AS iin, c.iin AS child, c.birth_date AS birth_date
"""


def _student_fact(store: Store, as_of: dt.date, found: _Found) -> list[NearMiss]:
    """The large-family rule with one dependent child fewer needed, less those it finds as it
    is: parents exactly one child short (mother first, as the rule decides) who have a child
    of 18-22 at home without a student fact whose record would keep the right theirs (see
    _NON_STUDENTS). The student record changes nothing else the rule tests: the count, and a
    mother's dependants at her home, which _NON_STUDENTS accounts for."""
    out = []
    for rule in found.using(_CHILDREN):
        need = rule.parameters[_CHILDREN].at(as_of)
        short = {e.iin: e for e in found.relaxed(rule, _CHILDREN) if e.inputs.get("children") == need - 1}
        if not short:
            continue
        bounds = rule.query_params(as_of)
        kids = defaultdict(list)
        for r in _keys_read(store, _NON_STUDENTS, short, {"as_of": as_of, "adult_born_by": bounds["adult_born_by"],
                                                          "student_born_by": bounds["student_born_by"]}):
            kids[r["iin"]].append(r)
        for iin, e in short.items():
            if not kids.get(iin):
                continue
            named = ", ".join(f"{k['child']} (aged {dates.age(k['birth_date'], as_of)})"
                              for k in sorted(kids[iin], key=lambda k: k["child"]))
            one = len(kids[iin]) == 1
            out.append(NearMiss(iin, rule.code, e.subject, "student_fact",
                                f"{int(need) - 1} dependent children at home, {int(need)} needed: "
                                f"{'child' if one else 'children'} {named} {'lives' if one else 'live'} at home "
                                f"without a student fact covering {as_of.isoformat()}; a student record"
                                f"{'' if one else ' for one of them'} would make {int(need)}"))
    return out


# ------------------------------------------------------------------------ contribution_month

def _contribution_month(store: Store, as_of: dt.date, found: _Found) -> list[NearMiss]:
    """Each rule that counts contribution months, with one month fewer needed, less those it
    finds as it is: exactly one month short (the count is checked), every other condition met."""
    out = []
    for rule in found.using(_MONTHS):
        need = rule.parameters[_MONTHS].at(as_of)
        for e in found.relaxed(rule, _MONTHS):
            if e.inputs.get("contribution_months") != need - 1:
                continue
            event = rule.event.split(" (")[0]   # "the registration date (valid_from of ...)"
            out.append(NearMiss(e.iin, rule.code, e.subject, "contribution_month",
                                f"contributions in {int(need) - 1} of the 24 calendar months before the month of "
                                f"{event}, {e.event.isoformat() if e.event else '?'}; {int(need)} needed: "
                                f"one more month's contribution record would make it"))
    return out


# ------------------------------------------------------------------------- income_above_line

def _income_above_line(store: Store, as_of: dt.date, found: _Found) -> list[NearMiss]:
    """Each rule with a poverty line in its ``when``, its line a little more than 5 % higher
    (``_RELAX``), less those it finds as it is; then the exact
    test, the rule's own ``per_person`` and ``line`` (its explain values) at the day's values:
    line <= per person <= line × 1.05."""
    out = []
    for rule in found.using(_LINE, in_when=True):
        if not {"per_person", "line"} <= set(rule.explain_values):
            continue
        for e in found.relaxed(rule, _LINE):
            names = rule.formula_names(as_of, e.inputs)
            per_person = evaluate(rule.explain_values["per_person"], names)
            line = evaluate(rule.explain_values["line"], names)
            if not line <= per_person <= line * (1 + INCOME_MARGIN):
                continue
            above = ((per_person / line - 1) * 100).quantize(Decimal("0.01"))
            out.append(NearMiss(e.iin, rule.code, e.subject, "income_above_line",
                                f"household of {e.inputs.get('members')}: {_money(per_person)} tenge per person "
                                f"a month against a line of {_money(line)} tenge ({above} % above, at most "
                                f"{int(INCOME_MARGIN * 100)} %)"))
    return out


def _money(x: Decimal) -> str:
    return f"{x.quantize(Decimal('0.01')):,}".replace(",", " ")


# ---------------------------------------------------------------------- phone, bank_account

_CONTACTS = "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin, p.phone AS phone, " \
            "p.bank_account AS bank_account"

_PHONE = {"no_phone": "no phone in the registry", "invalid_phone": "the registry's phone is not a Kazakh mobile"}
_ACCOUNT = {"no_account": "no bank account in the registry",
            "invalid_account": "the registry's bank account is not a valid Kazakh IBAN"}


def _contacts(store: Store, found: _Found) -> tuple[list[Entitlement], dict[str, dict]]:
    """Every right of the day and its recipients' phone and account (read once for both kinds)."""
    if found.contacts is None:
        rights = found.all()
        found.contacts = rights, {r["iin"]: r for r in _keys_read(store, _CONTACTS, (e.iin for e in rights))}
    return found.contacts


def _phone(store: Store, as_of: dt.date, found: _Found) -> list[NearMiss]:
    """The day's rights whose recipient the flow could not offer them to by SMS (``phone_reason``:
    its worklist's no_phone, invalid_phone). The detail never shows the number."""
    rights, people = _contacts(store, found)
    out = []
    for e in rights:
        reason = phone_reason((people.get(e.iin) or {}).get("phone"))
        if reason:
            out.append(NearMiss(e.iin, e.benefit, e.subject, "phone",
                                f"{_PHONE[reason]}: the offer would go to a caseworker, not by SMS"))
    return out


def _bank_account(store: Store, as_of: dt.date, found: _Found) -> list[NearMiss]:
    """The day's rights paid by order whose recipient the flow could not pay (``account_reason``:
    its worklist's no_account, invalid_account). The detail never shows the account."""
    rights, people = _contacts(store, found)
    out = []
    for e in rights:
        if not needs_order(e.amount_kzt):
            continue
        reason = account_reason((people.get(e.iin) or {}).get("bank_account"))
        if reason:
            out.append(NearMiss(e.iin, e.benefit, e.subject, "bank_account",
                                f"{_ACCOUNT[reason]}: a consent would not be paid"))
    return out


# ------------------------------------------------------------------------- reexamination_due

# The rights that rest on a disability covering the day, and which of the disabled person's
# disability facts hold them (the group the rule takes): then the right ends with the latest of
# those facts' valid_to, unless one is open-ended.
_REEXAMINED: dict[str, Callable[[str | None, bool], bool]] = {
    # an adult's group 1, 2 or 3; a child's group `child` (graph/rules/disability)
    "disability": lambda group, child: group == "child" if child else group in ("1", "2", "3"),
    # any group (graph/rules/disabled_child_carer)
    "disabled_child_carer": lambda group, child: True,
}

_DISABILITIES = """
UNWIND $keys AS k
MATCH (p:Person {iin: k})-[:HAS_FACT]->(d:Fact)
WHERE d.type = 'disability' AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
RETURN p.iin AS iin, d.disability_group AS disability_group, d.valid_to AS valid_to
"""


def _reexamination_due(store: Store, as_of: dt.date, found: _Found) -> list[NearMiss]:
    rights = [e for code in _REEXAMINED if code in found.rules for e in found.of(code)]
    facts = defaultdict(list)
    for r in _keys_read(store, _DISABILITIES, (e.subject or e.iin for e in rights), {"as_of": as_of}):
        facts[r["iin"]].append(r)
    last = as_of + dt.timedelta(days=REEXAMINATION_DAYS)
    out = []
    for e in rights:
        person = e.subject or e.iin
        holding = [f for f in facts[person] if _REEXAMINED[e.benefit](f["disability_group"], e.subject is not None)]
        if not holding or any(f["valid_to"] is None for f in holding):
            continue
        f = max(holding, key=lambda f: f["valid_to"])
        if f["valid_to"] > last:
            continue
        whose = f"the disability of {person}" if e.subject else "the disability"
        out.append(NearMiss(e.iin, e.benefit, e.subject, "reexamination_due",
                            f"{whose} (group {f['disability_group']}) is recorded until "
                            f"{f['valid_to'].isoformat()}, {(f['valid_to'] - as_of).days} days after "
                            f"{as_of.isoformat()}: without a re-examination record the right ends then"))
    return out


_FINDERS: dict[str, Callable[[Store, dt.date, _Found], list[NearMiss]]] = {
    "student_fact": _student_fact,
    "contribution_month": _contribution_month,
    "income_above_line": _income_above_line,
    "phone": _phone,
    "bank_account": _bank_account,
    "reexamination_due": _reexamination_due,
}
