"""A rule and what it finds: the definitions every part of the engine shares.

A rule is one folder (see the package's docstring); an ``Entitlement`` is one right it finds
on a day, keyed by ``right_key``: (code, recipient, subject, the event that started it). The
offer, messages, assignment, payment orders, worklist tasks and audit events of a right are all
keyed from it, so a rerun finds what it would create and creates nothing twice.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from familycard.graph.rules.bounds import compute_bounds
from familycard.graph.rules.formula import Table, evaluate, whole_tenge
from familycard.graph.rules.parameters import Parameter, in_force

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
class ParameterUse:
    """A parameter as a rule reads it on a day: the value in force, since when, and the legal
    reference of that value (the law, article and date that set it)."""
    parameter: Parameter
    value: Any            # a Decimal, or a Table (a bracket)
    since: dt.date
    reference: str

    @property
    def name(self) -> str:
        return self.parameter.name


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
    sms_title: Mapping[str, str]   # the benefit as an SMS names it (kk, ru): short, see graph/sms/texts.py
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
    # the same query for the first nodes in $scope_keys only, in each form (``run.scoped``)
    scoped_cypher: Mapping[str, str] = field(default_factory=dict)

    def query_params(self, as_of: dt.date) -> dict[str, Any]:
        """What the Cypher receives: the day, its bounds, and whole-number parameters."""
        params: dict[str, Any] = {"as_of": as_of}
        params.update(compute_bounds(self.bounds, as_of, self.parameters))
        for name, v in in_force(self.parameters, as_of).items():
            if isinstance(v, Decimal) and v == int(v):
                params[name] = int(v)
        return params

    def with_parameters(self, parameters: Mapping[str, Parameter]) -> Rule:
        """This rule with some of its parameters replaced (``Parameter.replaced``), the rest as
        they are; names it does not use are ignored."""
        mine = {n: parameters[n] for n in self.parameters if n in parameters}
        return replace(self, parameters={**self.parameters, **mine}) if mine else self

    def parameter_names(self, amount_only: bool = False) -> tuple[str, ...]:
        """The parameters the amount formula reads, in the order it names them; or every one the
        rule reads (amount, when, explained values, date bounds, its Cypher, its own)."""
        sources = [self.amount or ""]
        if not amount_only:
            sources += [self.when or "", *self.explain_values.values(), str(self.bounds),
                        " ".join(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", self.cypher)), " ".join(self.own_parameters)]
        names = (n for s in sources for n in _NAME.findall(s))
        return tuple(dict.fromkeys(n for n in names if n in self.parameters))

    def parameter_uses(self, day: dt.date, amount_only: bool = False) -> list[ParameterUse]:
        """``parameter_names`` with their value on ``day`` and its legal reference; those not yet
        in force on ``day`` are left out."""
        out = []
        for name in self.parameter_names(amount_only):
            p = self.parameters[name]
            if day >= p.values[0][0]:
                out.append(ParameterUse(p, p.at(day), p.since(day), p.reference_at(day)))
        return out

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



def right_key(code: str, iin: str, subject: str | None, event: dt.date | None) -> str:
    return f"{code}|{iin}|{subject or ''}|{event.isoformat() if event else ''}"


def describe_value(v: Any) -> str:
    if isinstance(v, Table):
        return ", ".join(f"{k}: {x}" for k, x in v.entries.items())
    return str(v)
