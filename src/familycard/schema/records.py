"""Validation of the registry feed (``records.md``): one JSON object in, one typed record out.

Validation is hand-written rather than a pydantic model per line: ingest must keep up with
100 k records/s, and each check names the field and the bad value in words a registry
engineer can act on ("IIN '870101300012': check digit is 9, not 2"). Checks that need the
graph (a parent's age, cycles, a third parent) live in ``familycard.graph.ingest``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

from familycard.schema.iin import IINError, parse_iin
from familycard.schema.values import iban_check_digits_hold, is_kz_iban_shape, is_kz_phone, month_parts
from familycard.schema.vocabulary import AWARD_NAMES, FACT_TYPES, LINK_TYPES, benefit_codes

# ASCII digits only, never \d: Python's \d and int() also take "٢٠٢٦" or "２０２６", so one
# date (or BIN) could be written two ways and counted twice (months, phones, IBANs: values.py).
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BIN_RE = re.compile(r"^[0-9]{12}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
# Whole numbers are stored as INT64 on both engines: a larger one would pass validation and
# then fail the whole batch (or, waiting as Pending, every later run) in the driver.
INT64_MAX = 2**63 - 1
# Unknown fields are kept as JSON; nesting is bounded so that no line can exhaust the stack.
MAX_NESTING = 32


PERSON_FIELDS = frozenset(("kind", "source", "recorded_at", "iin", "surname", "given_name", "patronymic",
                 "birth_date", "sex", "death_date", "address_id", "phone", "bank_account",
                 "citizenship"))
LINK_FIELDS = frozenset(("kind", "source", "recorded_at", "type", "from", "to", "since", "until"))
_FACT_COMMON = ("kind", "source", "recorded_at", "iin", "type", "valid_from", "valid_to")
FACT_FIELDS = {
    "disability": ("group", "work_capacity_loss_percent"),
    "employment": ("employer_bin",),
    "contribution": ("month", "amount_kzt"),
    "income": ("month", "amount_kzt"),
    "unemployed": (),
    "award": ("name",),
    "kandas": (),
    "student": (),
    "pension": (),
    "benefit": ("benefit",),
}
assert set(FACT_FIELDS) == set(FACT_TYPES)
_FACT_KNOWN = {t: frozenset(_FACT_COMMON + f) for t, f in FACT_FIELDS.items()}


class RecordError(ValueError):
    """What is wrong with one record: the field and the reason.

    ``value`` is what the record gave for ``field`` (None if nothing), or, when no one field
    is at fault, the record (or the line) itself; ``line`` the line's number in its feed, when
    ``parse_line`` was told it; ``errors`` every field error of the record (this one alone,
    or the several the message joins: the first names ``field`` and ``value``).
    """

    def __init__(self, field: str | None, reason: str, message: str | None = None, *, value: Any = None,
                 line: int | None = None, errors: tuple[RecordError, ...] = ()):
        super().__init__(message or (f"{field}: {reason}" if field else reason))
        self.field = field
        self.reason = reason
        self.value = value
        self.line = line
        self.errors = errors or (self,)


@dataclass(slots=True)
class Record:
    """A valid feed record, ready for the store.

    ``key`` is records.md's "same thing"; ``props`` are the stored properties (model columns,
    provenance included); ``digest`` fingerprints them so that the same record twice is
    recognised, and two different records with the same ``recorded_at`` order the same way
    whatever order they arrive in.
    """
    kind: str  # person | link | fact
    key: str
    props: dict[str, Any]
    recorded_at: dt.datetime
    digest: str
    type: str | None = None  # link type or fact type
    from_iin: str | None = None  # link: from; fact: the person
    to_iin: str | None = None

    def supersedes(self, recorded_at: dt.datetime | None, digest: str | None) -> bool:
        """Whether this record wins over a stored one (last writer wins; ties by digest)."""
        if recorded_at is None:
            return True
        if self.recorded_at != recorded_at:
            return self.recorded_at > recorded_at
        return self.digest > (digest or "")


class _Checker:
    """Collects every field error of one record, so a registry fixes a line in one go."""

    __slots__ = ("obj", "errors")

    def __init__(self, obj: dict):
        self.obj = obj
        self.errors: list[RecordError] = []

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(RecordError(name, reason, value=self.obj.get(name)))

    def text(self, name: str, required: bool) -> str | None:
        v = self.obj.get(name)
        if v is None:
            if required:
                self.fail(name, "is required")
            return None
        if not isinstance(v, str):
            self.fail(name, f"must be a string, got {json.dumps(v, ensure_ascii=False)}")
            return None
        v = v.strip()
        if not v:
            if required:
                self.fail(name, "must not be empty")
            return None
        return v

    def date(self, name: str, required: bool) -> dt.date | None:
        v = self.obj.get(name)
        if v is None:
            if required:
                self.fail(name, "is required")
            return None
        if not isinstance(v, str) or not _DATE_RE.match(v):
            self.fail(name, f"{json.dumps(v, ensure_ascii=False)} is not an ISO date (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            self.fail(name, f"'{v}' is not a real date")
            return None

    def iin(self, name: str) -> str | None:
        v = self.obj.get(name)
        if v is None:
            self.fail(name, "is required")
            return None
        try:
            parse_iin(v)
        except IINError as e:
            self.fail(name, str(e))
            return None
        return v

    def integer(self, name: str, required: bool, lo: int, hi: int | None = None) -> int | None:
        v = self.obj.get(name)
        if v is None:
            if required:
                self.fail(name, "is required")
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(name, f"must be a whole number, got {json.dumps(v, ensure_ascii=False)}")
            return None
        hi = INT64_MAX if hi is None else hi
        if not lo <= v <= hi:
            self.fail(name, f"{v} is out of range ({lo}–{hi})")
            return None
        return v


def parse_recorded_at(v: Any) -> dt.datetime:
    """ISO 8601 date-time to naive UTC (a value without an offset is taken as UTC)."""
    if not isinstance(v, str) or len(v) < 16 or v[10] not in "Tt ":
        raise RecordError("recorded_at", f"{json.dumps(v, ensure_ascii=False)} is not an ISO 8601 date-time",
                          value=v)
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        raise RecordError("recorded_at", f"'{v}' is not a real date-time", value=v) from None
    if t.tzinfo is not None:
        try:
            t = t.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError:  # "0001-01-01T00:00:00+01:00" is in year 0 in UTC
            raise RecordError("recorded_at", f"'{v}' is out of range once converted to UTC", value=v) from None
    return t


def _digest(props: dict[str, Any]) -> str:
    # Props are built in one fixed order per kind, so the repr of their values (which quotes
    # strings and names types) identifies the record unambiguously, and is cheap.
    return hashlib.blake2b(repr(tuple(props.values())).encode(), digest_size=12).hexdigest()


def _extra(obj: dict, known: frozenset[str]) -> str | None:
    if obj.keys() <= known:
        return None
    unknown = {k: v for k, v in obj.items() if k not in known}
    return json.dumps(unknown, sort_keys=True, ensure_ascii=False) if unknown else None


def _one_of(v: Any, allowed) -> bool:
    # A list or an object is not hashable: `in` a dict or set would raise TypeError.
    return isinstance(v, str) and v in allowed


def _too_deep(obj: dict) -> str | None:
    """The first field whose value nests deeper than MAX_NESTING, if any (without recursion)."""
    for name, v in obj.items():
        stack = [(v, 1)]
        while stack:
            x, depth = stack.pop()
            if isinstance(x, (list, dict)):
                if depth > MAX_NESTING:
                    return name
                stack.extend((y, depth + 1) for y in (x.values() if isinstance(x, dict) else x))
    return None


def parse_record(obj: Any, today: dt.date) -> Record:
    """Validate one decoded feed line; raise RecordError (all field errors joined) if bad.

    ``today`` is the ingest day: a death date after it is refused. Whatever goes wrong while
    validating one record is that record's RecordError, never an exception that would end
    the run (and lose the records of its batch).
    """
    try:
        return _parse_record(obj, today)
    except (RecordError, MemoryError):
        raise
    except Exception as e:  # a check we did not foresee: still this line's fault, and named
        raise RecordError(None, f"could not be validated ({type(e).__name__}: {str(e)[:200]})", value=obj) from e


def _parse_record(obj: Any, today: dt.date) -> Record:
    if not isinstance(obj, dict):
        raise RecordError(None, "a record must be a JSON object", value=obj)
    if any(isinstance(v, (list, dict)) for v in obj.values()):
        deep = _too_deep(obj)
        if deep is not None:
            raise RecordError(deep, f"nested deeper than {MAX_NESTING} levels", value=obj[deep])
    kind = obj.get("kind")
    if kind == "person":
        return _person(obj, today)
    if kind == "link":
        return _link(obj)
    if kind == "fact":
        return _fact(obj)
    if kind is None:
        raise RecordError("kind", "is required (person, link or fact)")
    raise RecordError("kind", f"unknown kind {json.dumps(kind, ensure_ascii=False)} (person, link or fact)",
                      value=kind)


def _provenance(c: _Checker) -> tuple[str | None, dt.datetime | None]:
    source = c.text("source", required=True)
    recorded_at = None
    if c.obj.get("recorded_at") is None:
        c.fail("recorded_at", "is required")
    else:
        try:
            recorded_at = parse_recorded_at(c.obj["recorded_at"])
        except RecordError as e:
            c.errors.append(e)
    return source, recorded_at


def _raise(c: _Checker) -> None:
    if len(c.errors) == 1:
        raise c.errors[0]
    if c.errors:  # several: the first field names the error, the message lists them all
        text = "; ".join(map(str, c.errors))
        first = c.errors[0]
        raise RecordError(first.field, text, message=text, value=first.value, errors=tuple(c.errors))


def _person(obj: dict, today: dt.date) -> Record:
    c = _Checker(obj)
    source, recorded_at = _provenance(c)
    iin = c.iin("iin")
    surname = c.text("surname", required=True)
    given = c.text("given_name", required=True)
    patronymic = c.text("patronymic", required=False)
    born = c.date("birth_date", required=True)
    sex = obj.get("sex")
    if sex is None:
        c.fail("sex", "is required")
    elif sex not in ("M", "F"):
        c.fail("sex", f"{json.dumps(sex, ensure_ascii=False)} must be M or F")
        sex = None
    if iin is not None:
        iin_born, iin_sex = parse_iin(iin)
        if born is not None and born != iin_born:
            c.fail("birth_date", f"{born.isoformat()} does not agree with IIN '{iin}' ({iin_born.isoformat()})")
        if sex is not None and sex != iin_sex:
            c.fail("sex", f"{sex} does not agree with IIN '{iin}' (century-and-sex digit {iin[6]} means {iin_sex})")
    died = c.date("death_date", required=False)
    if died is not None:
        if born is not None and died < born:
            c.fail("death_date", f"{died.isoformat()} is before the birth date {born.isoformat()}")
        if died > today:
            c.fail("death_date", f"{died.isoformat()} is in the future")
    address = c.text("address_id", required=False)
    phone = c.text("phone", required=False)
    if phone is not None and not is_kz_phone(phone):
        c.fail("phone", f"'{phone}' is not +7 followed by 10 digits")
    account = c.text("bank_account", required=False)
    if account is not None:
        account = account.replace(" ", "").upper()
        if not is_kz_iban_shape(account):
            c.fail("bank_account", f"'{account}' is not a Kazakh IBAN (KZ, 2 check digits, 16 characters)")
        elif not iban_check_digits_hold(account):
            c.fail("bank_account", f"'{account}': IBAN check digits {account[2:4]} fail ISO 13616 mod-97")
    citizenship = c.text("citizenship", required=False) or "KZ"
    if not _COUNTRY_RE.match(citizenship):
        c.fail("citizenship", f"'{citizenship}' is not an ISO 3166 alpha-2 code")
    _raise(c)
    props = {
        "iin": iin, "surname": surname, "given_name": given, "patronymic": patronymic,
        "birth_date": born, "sex": sex, "death_date": died, "address_id": address,
        "phone": phone, "bank_account": account, "citizenship": citizenship,
        "source": source, "recorded_at": recorded_at, "extra": _extra(obj, PERSON_FIELDS),
    }
    digest = _digest(props)
    props["digest"] = digest
    return Record("person", iin, props, recorded_at, digest)


def link_key(link_type: str, from_iin: str, to_iin: str) -> str:
    return f"{link_type}|{from_iin}|{to_iin}"


def _link(obj: dict) -> Record:
    c = _Checker(obj)
    source, recorded_at = _provenance(c)
    ltype = obj.get("type")
    if ltype is None:
        c.fail("type", f"is required ({', '.join(LINK_TYPES)})")
    elif not _one_of(ltype, LINK_TYPES):
        c.fail("type", f"unknown link type {json.dumps(ltype, ensure_ascii=False)} ({', '.join(LINK_TYPES)})")
    a = c.iin("from")
    b = c.iin("to")
    if a is not None and a == b:
        c.fail("to", f"a person cannot be linked to themself ('{a}')")
    since = c.date("since", required=False)
    until = c.date("until", required=False)
    if since and until and until < since:
        c.fail("until", f"{until.isoformat()} is before since {since.isoformat()}")
    _raise(c)
    if ltype == "SPOUSE_OF" and b < a:  # symmetric: stored once, lower IIN first
        a, b = b, a
    props = {"since": since, "until": until, "source": source, "recorded_at": recorded_at,
             "extra": _extra(obj, LINK_FIELDS)}
    digest = _digest({"type": ltype, "from": a, "to": b, **props})
    props["digest"] = digest
    return Record("link", link_key(ltype, a, b), props, recorded_at, digest, type=ltype,
                  from_iin=a, to_iin=b)


def fact_key(iin: str, ftype: str, valid_from: dt.date, discriminator: str | None) -> str:
    return f"{iin}|{ftype}|{valid_from.isoformat()}|{discriminator or ''}"


def _fact(obj: dict) -> Record:
    c = _Checker(obj)
    source, recorded_at = _provenance(c)
    iin = c.iin("iin")
    ftype = obj.get("type")
    if ftype is None:
        c.fail("type", "is required")
    elif not _one_of(ftype, FACT_FIELDS):
        c.fail("type", f"unknown fact type {json.dumps(ftype, ensure_ascii=False)} ({', '.join(FACT_TYPES)})")
        ftype = None
    valid_from = c.date("valid_from", required=True)
    valid_to = c.date("valid_to", required=False)
    if valid_from and valid_to and valid_to < valid_from:
        c.fail("valid_to", f"{valid_to.isoformat()} is before valid_from {valid_from.isoformat()}")
    props: dict[str, Any] = {
        "iin": iin, "type": ftype, "valid_from": valid_from, "valid_to": valid_to,
        "disability_group": None, "work_capacity_loss_percent": None, "employer_bin": None,
        "month": None, "amount_kzt": None, "name": None, "benefit": None,
    }
    discriminator = None
    if ftype == "disability":
        g = obj.get("group")
        if isinstance(g, int) and not isinstance(g, bool):
            g = str(g)
        if g not in ("1", "2", "3", "child"):
            c.fail("group", f"{json.dumps(obj.get('group'), ensure_ascii=False)} must be 1, 2, 3 or child"
                   if "group" in obj else "is required (1, 2, 3 or child)")
        props["disability_group"] = g
        props["work_capacity_loss_percent"] = c.integer("work_capacity_loss_percent", False, 0, 100)
    elif ftype == "employment":
        b = c.text("employer_bin", required=True)
        if b is not None and not _BIN_RE.match(b):
            c.fail("employer_bin", f"'{b}' must be 12 digits")
        props["employer_bin"] = b
    elif ftype in ("contribution", "income"):
        m = c.text("month", required=True)
        if m is not None:
            ym = month_parts(m)
            if ym is None:
                c.fail("month", f"'{m}' is not a month (YYYY-MM)")
            elif ftype == "contribution" and valid_from and valid_from != dt.date(*ym, 1):
                c.fail("valid_from", f"{valid_from.isoformat()} must be the first day of month {m}")
        props["month"] = m
        props["amount_kzt"] = c.integer("amount_kzt", True, 0, INT64_MAX)
        discriminator = m
    elif ftype == "award":
        n = obj.get("name")
        if not _one_of(n, AWARD_NAMES):
            c.fail("name", f"{json.dumps(n, ensure_ascii=False)} is not an award ({', '.join(AWARD_NAMES)})"
                   if n is not None else f"is required ({', '.join(AWARD_NAMES)})")
        props["name"] = n
        discriminator = n
    elif ftype == "benefit":
        b = obj.get("benefit")
        if not _one_of(b, benefit_codes()):
            c.fail("benefit", f"{json.dumps(b, ensure_ascii=False)} is not a benefit code from benefits.md"
                   if b is not None else "is required (a benefit code from benefits.md)")
        props["benefit"] = b
        discriminator = b
    _raise(c)
    props.update(source=source, recorded_at=recorded_at,
                 extra=_extra(obj, _FACT_KNOWN[ftype]))
    key = fact_key(iin, ftype, valid_from, discriminator)
    digest = _digest({"key": key, **props})
    props = {"key": key, **props, "digest": digest}
    return Record("fact", key, props, recorded_at, digest, type=ftype, from_iin=iin)


def parse_line(line: str, today: dt.date, number: int | None = None) -> Record:
    """Decode and validate one feed line (``number``: its line number in the feed, for errors)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        raise RecordError(None, f"not a JSON object ({e.msg} at column {e.colno})", value=line,
                          line=number) from None
    try:
        return parse_record(obj, today)
    except RecordError as e:
        e.line = number
        raise
