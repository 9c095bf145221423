"""A rule folder's ``cases.yaml``: small families as feed records, with what the rule must find.

    cases:
      - name: A child born 364 days before the day gets the birth benefit   (a sentence)
        as_of: 2026-11-25
        boundaries: [born_day_364]        # which of the rule's named boundaries it covers
        records: [ {kind: person, iin: ..., address_id: A1}, {kind: link, ...}, ... ]
        expect: [ {iin: ..., subject: ..., amount_kzt: 164350} ]   # [] when nobody is entitled

Records go through the real ingest. For readability a record may omit ``source`` (the usual
registry of its kind or type) and ``recorded_at``; a person may omit ``birth_date``, ``sex`` and
names, which then come from the IIN.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from familycard.graph.rules.parameters import load_yaml
from familycard.graph.rules.rule import Rule, RuleError
from familycard.schema.iin import IINError, parse_iin

__all__ = ["Case", "load_cases", "feed_lines"]

_FACT_SOURCES = {"disability": "CBDI", "employment": "ESP", "contribution": "GFSS", "income": "KGD",
                 "unemployed": "ESP", "award": "MIO", "kandas": "MIO", "student": "NOBD", "pension": "ENPF",
                 "benefit": "GFSS"}
_RECORDED_AT = "2026-01-10T09:00:00Z"


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    as_of: dt.date
    boundaries: tuple[str, ...]
    records: tuple[dict, ...]
    expect: frozenset[tuple[str, str | None, int | None]]

    def __str__(self) -> str:
        return f"{self.rule}: {self.name}"


def _complete(rec: dict) -> dict:
    rec = dict(rec)
    rec.setdefault("recorded_at", _RECORDED_AT)
    kind = rec.get("kind")
    if kind == "person":
        rec.setdefault("source", "GBD_FL")
        try:
            born, sex = parse_iin(str(rec.get("iin")))
        except IINError:
            return rec  # ingest names the bad IIN
        rec.setdefault("birth_date", born.isoformat())
        rec.setdefault("sex", sex)
        rec.setdefault("surname", "Серікова" if rec["sex"] == "F" else "Серіков")
        rec.setdefault("given_name", "Айгүл" if rec["sex"] == "F" else "Нұрлан")
    elif kind == "link":
        rec.setdefault("source", "MIO" if rec.get("type") == "GUARDIAN_OF" else "ZAGS")
    elif kind == "fact":
        rec.setdefault("source", _FACT_SOURCES.get(str(rec.get("type")), "MIO"))
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in rec.items()}


def load_cases(rule: Rule) -> list[Case]:
    path = rule.folder / "cases.yaml"
    raw = load_yaml(path) or {}
    cases = []
    for i, c in enumerate(raw.get("cases") or (), 1):
        where = f"{path}: case {i}"
        if not str(c.get("name") or "").strip():
            raise RuleError(f"{where}: no name", where=where)
        if not isinstance(c.get("as_of"), dt.date):
            raise RuleError(f"{where} ({c['name']}): as_of must be a date", where=where, value=c.get("as_of"))
        expect = set()
        for e in c.get("expect") or ():
            amount = e.get("amount_kzt")
            if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
                raise RuleError(f"{where} ({c['name']}): amount_kzt {amount!r} is not whole tenge", where=where,
                                value=amount)
            expect.add((str(e["iin"]), None if e.get("subject") is None else str(e["subject"]), amount))
        cases.append(Case(rule.code, str(c["name"]).strip(), c["as_of"], tuple(c.get("boundaries") or ()),
                          tuple(_complete(r) for r in c.get("records") or ()), frozenset(expect)))
    return cases


def feed_lines(case: Case) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in case.records]


def found(entitlements: Any) -> frozenset[tuple[str, str | None, int | None]]:
    return frozenset((e.iin, e.subject, e.amount_kzt) for e in entitlements)
