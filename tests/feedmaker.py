"""Small hand-made feeds for tests: valid persons, links and facts in a few lines each."""
from __future__ import annotations

import datetime as dt
import json
from itertools import count

from familycard.schema.iin import make_iin

_serial = count(1)


def iin(born: str, sex: str) -> str:
    d = dt.date.fromisoformat(born)
    while True:
        v = make_iin(d, sex, next(_serial))
        if v:
            return v


def person(born: str, sex: str, *, recorded_at: str = "2026-01-10T09:00:00Z", **kw) -> dict:
    rec = {"kind": "person", "source": "GBD_FL", "recorded_at": recorded_at,
           "iin": kw.pop("iin", None) or iin(born, sex), "surname": "Серікова" if sex == "F" else "Серіков",
           "given_name": "Айгүл" if sex == "F" else "Нұрлан", "birth_date": born, "sex": sex}
    rec.update(kw)
    return rec


def link(ltype: str, a: dict | str, b: dict | str, *, recorded_at: str = "2026-01-10T09:00:00Z", **kw) -> dict:
    rec = {"kind": "link", "source": "MIO" if ltype == "GUARDIAN_OF" else "ZAGS", "recorded_at": recorded_at,
           "type": ltype, "from": a["iin"] if isinstance(a, dict) else a,
           "to": b["iin"] if isinstance(b, dict) else b}
    rec.update(kw)
    return rec


def fact(p: dict | str, ftype: str, valid_from: str, *, source: str = "CBDI",
         recorded_at: str = "2026-01-10T09:00:00Z", **kw) -> dict:
    rec = {"kind": "fact", "source": source, "recorded_at": recorded_at,
           "iin": p["iin"] if isinstance(p, dict) else p, "type": ftype, "valid_from": valid_from}
    rec.update(kw)
    return rec


def lines(*records: dict | str) -> list[bytes]:
    return [(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)).encode() + b"\n" for r in records]


def iban(bban: str) -> str:
    """A valid Kazakh IBAN for a 16-digit BBAN (ISO 13616 check digits)."""
    return f"KZ{98 - int(bban + '203500') % 97:02d}{bban}"
