"""One block of feed lines checked in columns (step 1 of the load; read.py runs the blocks).

The columns only ever *vouch* for a line: a line they pass gets exactly the props (and digest)
``schema.records.parse_line`` would give it; every other line, whatever is wrong or merely
unusual about it, goes through ``parse_line`` itself, so each rejection is ingest's own by
construction. What the columns vouch for is kept narrow on purpose:

- the line is a flat JSON object of known fields only, each value a string of "plain"
  characters (printable ASCII but ``"'\\``, Latin-1 letters, Cyrillic: a string whose
  Python repr is ``'...'`` and whose ``strip()`` strips spaces only) or, for ``amount_kzt``
  and ``work_capacity_loss_percent``, a JSON integer of at most 18 digits, or ``null``; no
  escapes, no nesting (a full-line regex: one pass, ~0.4 s per GB);
- no field twice (the quotes counted in the text add up to the fields decoded and the null ones);
- every check of records.md passes (IIN check digits, dates real, IBAN mod-97, ...);
- ``recorded_at`` is ``YYYY-MM-DDTHH:MM[:SS[.f{1,6}]][Z|±HH:MM]``.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from familycard.schema import records
from familycard.schema.records import RecordError, parse_line
from familycard.schema.vocabulary import AWARD_NAMES, FACT_TYPES, LINK_TYPES, benefit_codes

_BOM = b"\xef\xbb\xbf"
_INT_FIELDS = ("amount_kzt", "work_capacity_loss_percent")
_ALL_FIELDS = sorted(records.PERSON_FIELDS | records.LINK_FIELDS | set(records._FACT_COMMON)
                     | {f for fs in records.FACT_FIELDS.values() for f in fs})
_STR_FIELDS = [f for f in _ALL_FIELDS if f not in _INT_FIELDS]
_DECODE_SCHEMA = {f: (pl.Int64 if f in _INT_FIELDS else pl.String) for f in _ALL_FIELDS}

_W = r"[ \t\r\n]*"  # JSON's whitespace (Rust's \s is Unicode's)
# Plain characters: Python's repr of a string of these is the string in single quotes, and
# str.strip() removes nothing of them but spaces (checked in the tests against Python itself).
_PLAIN = r"[ !#-&(-\[\]-~\x{00C0}-\x{00FF}\x{0400}-\x{04FF}]"
_PAIR = (rf'(?:"(?:{"|".join(_STR_FIELDS)})"{_W}:{_W}(?:"{_PLAIN}*"|null)'
         rf'|"(?:{"|".join(_INT_FIELDS)})"{_W}:{_W}(?:-?(?:0|[1-9][0-9]{{0,17}})|null))')
# In a plain line a quote, a colon and null can only be a key and its null value (no string
# holds a quote): the fields given as null, which parse_line reads as absent.
_NULL_FIELD_RE = {f: rf'"{f}"{_W}:{_W}null' for f in _ALL_FIELDS}
LINE_RE = rf"^{_W}\{{{_W}(?:{_PAIR}(?:{_W},{_W}{_PAIR})*)?{_W}\}}{_W}$"
_BLANK_RE = r"^[ \t\n\r\x0b\x0c]*$"  # bytes.strip()'s whitespace only: ingest skips the line
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TS_RE = (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
          r"(Z|[+-][0-9]{2}:[0-9]{2})?$")
_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

KINDS = ("person", "link", "fact")
LINE_BITS = 40  # seq = file index << LINE_BITS | line number (plan.py)


@dataclass
class BlockResult:
    read: int = 0
    slow: int = 0
    valid: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    rejected: int = 0
    rejections: list[tuple[str, str | None, str]] = field(default_factory=list)  # origin, field, reason
    tables: dict[str, pa.Table] = field(default_factory=dict)


# --- the lines of a block -------------------------------------------------------------------

def split_lines(data: bytes, first_line: int) -> tuple[list[int], list[int]]:
    """Start and end offsets of each line of ``data`` (the end past its newline, if any)."""
    raw = pl.from_arrow(pa.Array.from_buffers(pa.uint8(), len(data), [None, pa.py_buffer(data)]))
    ends = ((raw == 10).arg_true().cast(pl.Int64) + 1).to_list()
    if data and data[-1] != 10:
        ends.append(len(data))
    starts = [0, *ends[:-1]] if ends else []
    if first_line == 1 and data.startswith(_BOM):  # ingest drops a BOM on line 1
        starts[0] = 3
    return starts, ends


def _not_utf8(data: bytes, starts: list[int], ends: list[int]) -> dict[int, int]:
    """Lines that are not UTF-8: line index -> the byte (1-based, in the line) ingest names."""
    bad: dict[int, int] = {}
    pos = 0
    while True:
        try:
            data[pos:].decode("utf-8")
            return bad
        except UnicodeDecodeError as e:
            i = bisect.bisect_right(ends, pos + e.start)
            try:
                data[starts[i]:ends[i]].decode("utf-8")
            except UnicodeDecodeError as le:
                bad[i] = le.start + 1
            pos = ends[i]


# --- checks in columns ---------------------------------------------------------------------
# Each check adds columns in stages (``with_columns`` on a LazyFrame): an expression that used
# another's result inline would evaluate it again at each use (an IIN's 12 digits, each from
# its regex-checked integer, measured at 3.6 s a block before staging).

def _strip(name: str) -> pl.Expr:
    """_Checker.text's value: stripped (plain strings strip spaces only), empty as None."""
    v = pl.col(name).str.strip_chars(" ")
    return pl.when(v != "").then(v).alias(f"_t_{name}")


def _real_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    mdays = (pl.when(m == 2).then(pl.when(leap).then(29).otherwise(28))
             .when(m.is_in([4, 6, 9, 11])).then(30).otherwise(31))
    return (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= mdays)


def _safe_date(ok: pl.Expr, y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    # pl.date on every row, the rows not ok given 2000-01-01: never an invalid date to build.
    return pl.when(ok).then(pl.date(pl.when(ok).then(y).otherwise(2000), pl.when(ok).then(m).otherwise(1),
                                    pl.when(ok).then(d).otherwise(1)))


def _with_date(lf: pl.LazyFrame, name: str, required: bool) -> pl.LazyFrame:
    """``_<name>_ok``, ``_<name>_date`` and ``_<name>_r`` (its repr) of an ISO date field,
    read from the raw value as _Checker.date does."""
    col, p = pl.col(name), f"_{name}"
    y, m, d = pl.col(f"{p}_y"), pl.col(f"{p}_m"), pl.col(f"{p}_d")
    real = pl.col(f"{p}_real")
    return (lf.with_columns(col.str.contains(_DATE_RE).fill_null(False).alias(f"{p}_shaped"),
                            col.str.slice(0, 4).cast(pl.Int32, strict=False).alias(f"{p}_y"),
                            col.str.slice(5, 2).cast(pl.Int32, strict=False).alias(f"{p}_m"),
                            col.str.slice(8, 2).cast(pl.Int32, strict=False).alias(f"{p}_d"))
              .with_columns((pl.col(f"{p}_shaped") & _real_date(y, m, d)).fill_null(False).alias(f"{p}_real"))
              .with_columns((real if required else (col.is_null() | real)).alias(f"{p}_ok"),
                            _safe_date(real, y, m, d).alias(f"{p}_date"),
                            pl.when(real).then(pl.format("datetime.date({}, {}, {})", y, m, d))
                            .otherwise(pl.lit("None")).alias(f"{p}_r")))


def _with_iin(lf: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """``_<name>_ok``, ``_<name>_born``, ``_<name>_sex``: parse_iin's checks on the raw value."""
    col, p = pl.col(name), f"_{name}"
    dig = [pl.col(f"{p}_{i}") for i in range(12)]
    x = pl.col(f"{p}_x")
    s1 = sum(dig[i] * _W1[i] for i in range(11)) % 11
    s2 = sum(dig[i] * _W2[i] for i in range(11)) % 11
    c, y, m, d = (pl.col(f"{p}_{k}") for k in "cymd")
    ok = pl.col(f"{p}_ok")
    return (lf.with_columns(col.str.contains(r"^[0-9]{12}$").fill_null(False).alias(f"{p}_shaped"))
              .with_columns(pl.when(pl.col(f"{p}_shaped")).then(col).otherwise(pl.lit("000000000000"))
                            .str.to_integer().alias(f"{p}_x"))
              .with_columns([((x // (10 ** (11 - i))) % 10).alias(f"{p}_{i}") for i in range(12)])
              .with_columns(pl.when(s1 == 10).then(s2).otherwise(s1).alias(f"{p}_chk"),
                            dig[6].alias(f"{p}_c"),
                            (pl.when(dig[6] <= 2).then(1800).when(dig[6] <= 4).then(1900).otherwise(2000)
                             + dig[0] * 10 + dig[1]).alias(f"{p}_y"),
                            (dig[2] * 10 + dig[3]).alias(f"{p}_m"), (dig[4] * 10 + dig[5]).alias(f"{p}_d"))
              .with_columns((pl.col(f"{p}_shaped") & (c >= 1) & (c <= 6) & _real_date(y, m, d)
                             & (pl.col(f"{p}_chk") != 10) & (pl.col(f"{p}_chk") == dig[11]))
                            .fill_null(False).alias(f"{p}_ok"))
              .with_columns(_safe_date(ok, y, m, d).alias(f"{p}_born"),
                            pl.when(c % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F")).alias(f"{p}_sex")))


def _with_recorded_at(lf: pl.LazyFrame) -> pl.LazyFrame:
    """``_ts_ok`` and ``_ts`` (naive UTC) of recorded_at, as parse_recorded_at reads it."""
    g = pl.col("_ts_g")
    y, mo, d, h, mi, s, us, oh, om, sign = (pl.col(f"_ts_{k}") for k in
                                            ("y", "mo", "d", "h", "mi", "s", "us", "oh", "om", "sign"))
    ok = pl.col("_ts_ok")
    off = g.struct.field("8")
    return (lf.with_columns(pl.col("recorded_at").str.extract_groups(_TS_RE).alias("_ts_g"))
              .with_columns(*(g.struct.field(str(i)).cast(pl.Int64, strict=False).alias(f"_ts_{k}")
                              for i, k in enumerate(("y", "mo", "d", "h", "mi"), 1)),
                            g.struct.field("6").cast(pl.Int64, strict=False).fill_null(0).alias("_ts_s"),
                            g.struct.field("7").str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0)
                            .alias("_ts_us"),
                            pl.when(off.str.slice(0, 1) == "-").then(-1).otherwise(1).alias("_ts_sign"),
                            off.str.slice(1, 2).cast(pl.Int64, strict=False).fill_null(0).alias("_ts_oh"),
                            off.str.slice(4, 2).cast(pl.Int64, strict=False).fill_null(0).alias("_ts_om"))
              # Years kept well inside 1..9999: a shift by the offset never leaves datetime's range.
              .with_columns((y.is_not_null() & (y >= 2) & (y <= 9998) & _real_date(y, mo, d) & (h <= 23)
                             & (mi <= 59) & (s <= 59) & (oh <= 23) & (om <= 59)).fill_null(False).alias("_ts_ok"))
              .with_columns((pl.datetime(*(pl.when(ok).then(v).otherwise(dflt) for v, dflt in
                                           ((y, 2000), (mo, 1), (d, 1), (h, 0), (mi, 0), (s, 0), (us, 0))),
                                         time_unit="us")
                             - pl.duration(minutes=sign * (oh * 60 + om), time_unit="us")).alias("_ts")))


def _ts_repr(c: str) -> pl.Expr:
    t = pl.col(c)
    sec, us = t.dt.second(), t.dt.microsecond()
    head = pl.format("datetime.datetime({}, {}, {}, {}, {}", t.dt.year(), t.dt.month(), t.dt.day(),
                     t.dt.hour(), t.dt.minute())
    return pl.concat_str([
        head,
        pl.when((sec != 0) | (us != 0)).then(pl.format(", {}", sec)).otherwise(pl.lit("")),
        pl.when(us != 0).then(pl.format(", {}", us)).otherwise(pl.lit("")),
        pl.lit(")"),
    ])


def _srepr(e: pl.Expr) -> pl.Expr:
    """repr() of a plain string or None."""
    return pl.when(e.is_null()).then(pl.lit("None")).otherwise(pl.concat_str([pl.lit("'"), e, pl.lit("'")]))


def _irepr(e: pl.Expr) -> pl.Expr:
    return pl.when(e.is_null()).then(pl.lit("None")).otherwise(e.cast(pl.String))


def _bits(names) -> int:
    return sum(1 << _ALL_FIELDS.index(n) for n in names)


# Which fields a line has, one bit each: a field outside its kind's (or fact type's) own is
# an unknown field, kept in `extra` by parse_line: such lines go the slow way.
_PRESENT = pl.sum_horizontal([pl.col(n).is_not_null().cast(pl.Int64) * (1 << i)
                              for i, n in enumerate(_ALL_FIELDS)]).alias("_present")
_FOREIGN_PERSON = _bits(set(_ALL_FIELDS) - records.PERSON_FIELDS)
_FOREIGN_LINK = _bits(set(_ALL_FIELDS) - records.LINK_FIELDS)
_FOREIGN_FACT = {t: _bits(set(_ALL_FIELDS) - records._FACT_KNOWN[t]) for t in records.FACT_FIELDS}


def _digests(reprs: pl.Series) -> pl.Series:
    b2 = hashlib.blake2b
    # ~1.5 µs a record, most of it hashlib's own call: the one per-row Python step of a fast row.
    return pl.Series([b2(r.encode(), digest_size=12).hexdigest() for r in reprs.to_list()], dtype=pl.String)


def _person(df: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """``_ok`` and the props of each row of kind person (meaningful where ``_ok``)."""
    lf = df.lazy().with_columns(_strip("source"), _strip("surname"), _strip("given_name"),
                                _strip("patronymic"), _strip("address_id"), _strip("phone"),
                                _strip("bank_account"), _strip("citizenship"))
    lf = lf.with_columns(pl.col("_t_bank_account").str.replace_all(" ", "", literal=True).str.to_uppercase(),
                         pl.col("_t_citizenship").fill_null("KZ"))
    lf = _with_date(_with_date(_with_recorded_at(_with_iin(lf, "iin")), "birth_date", True), "death_date", False)
    lf = _with_iban(lf)
    born, died, sex = pl.col("_birth_date_date"), pl.col("_death_date_date"), pl.col("sex")
    phone = pl.col("_t_phone")
    ok = (pl.col("_iin_ok") & pl.col("_t_source").is_not_null() & pl.col("_ts_ok")
          & pl.col("_t_surname").is_not_null() & pl.col("_t_given_name").is_not_null()
          & pl.col("_birth_date_ok") & pl.col("_death_date_ok") & sex.is_in(["M", "F"])
          & (born == pl.col("_iin_born")) & (sex == pl.col("_iin_sex"))
          & (died.is_null() | ((died >= born) & (died <= pl.lit(today))))
          & (phone.is_null() | phone.str.contains(r"^\+7[0-9]{10}$"))
          & pl.col("_iban_ok") & pl.col("_t_citizenship").str.contains(r"^[A-Z]{2}$")
          & ((pl.col("_present") & _FOREIGN_PERSON) == 0))
    return lf.select(
        ok.fill_null(False).alias("_ok"), pl.col("_row"), pl.col("iin"), pl.col("_t_surname").alias("surname"),
        pl.col("_t_given_name").alias("given_name"), pl.col("_t_patronymic").alias("patronymic"),
        born.alias("birth_date"), sex.alias("sex"), died.alias("death_date"),
        pl.col("_t_address_id").alias("address_id"), phone.alias("phone"),
        pl.col("_t_bank_account").alias("bank_account"), pl.col("_t_citizenship").alias("citizenship"),
        pl.col("_t_source").alias("source"), pl.col("_ts").alias("recorded_at"),
        pl.lit(None, pl.String).alias("extra"),
        pl.col("_birth_date_r").alias("_born_r"), pl.col("_death_date_r").alias("_died_r")).collect()


def _with_iban(lf: pl.LazyFrame) -> pl.LazyFrame:
    """``_iban_ok``: no account, or a Kazakh IBAN (KZ, 2 check digits, a 3-digit bank, 13
    digits or letters) whose ISO 13616 mod-97 holds: rotated (country and check digits to the
    end), letters as two digits (A=10 .. Z=35), left-padded to 36 digits (zeros change no
    remainder) and folded 9 digits at a time, so every step fits an int64."""
    acct = pl.col("_t_bank_account")
    digits = pl.col("_iban_digits")
    chunks = [digits.str.slice(9 * i, 9).str.to_integer() for i in range(4)]
    rem = chunks[0] % 97
    for c in chunks[1:]:
        rem = (rem * 10 ** 9 + c) % 97
    return (lf.with_columns(acct.str.contains(r"^KZ[0-9]{5}[0-9A-Z]{13}$").fill_null(False).alias("_iban_shaped"))
              .with_columns(pl.when(pl.col("_iban_shaped"))
                            .then(pl.concat_str([acct.str.slice(4, 16), acct.str.slice(0, 4)])
                                  .str.replace_many(_LETTERS, _LETTER_DIGITS))
                            .otherwise(pl.lit("0")).str.pad_start(36, "0").alias("_iban_digits"))
              .with_columns((acct.is_null() | (pl.col("_iban_shaped") & (rem == 1))).alias("_iban_ok")))


_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LETTER_DIGITS = [str(10 + i) for i in range(26)]


def _link(df: pl.DataFrame) -> pl.DataFrame:
    lf = df.lazy().with_columns(_strip("source"))
    lf = _with_date(_with_date(_with_recorded_at(_with_iin(_with_iin(lf, "from"), "to")), "since", False),
                    "until", False)
    t, a, b = pl.col("type"), pl.col("from"), pl.col("to")
    since, until = pl.col("_since_date"), pl.col("_until_date")
    ok = (pl.col("_from_ok") & pl.col("_to_ok") & pl.col("_t_source").is_not_null() & pl.col("_ts_ok")
          & pl.col("_since_ok") & pl.col("_until_ok") & t.is_in(list(LINK_TYPES)) & (a != b)
          & (since.is_null() | until.is_null() | (until >= since))
          & ((pl.col("_present") & _FOREIGN_LINK) == 0))
    swap = (t == "SPOUSE_OF") & (b < a)
    return lf.select(
        ok.fill_null(False).alias("_ok"), pl.col("_row"), t.alias("type"),
        pl.when(swap).then(b).otherwise(a).alias("from"), pl.when(swap).then(a).otherwise(b).alias("to"),
        since.alias("since"), until.alias("until"), pl.col("_t_source").alias("source"),
        pl.col("_ts").alias("recorded_at"), pl.lit(None, pl.String).alias("extra"),
        pl.col("_since_r"), pl.col("_until_r")).collect()


def _fact(df: pl.DataFrame) -> pl.DataFrame:
    lf = df.lazy().with_columns(_strip("source"), _strip("employer_bin"), _strip("month"))
    lf = _with_date(_with_date(_with_recorded_at(_with_iin(lf, "iin")), "valid_from", True), "valid_to", False)
    lf = lf.with_columns(pl.col("_t_month").str.extract_groups(r"^([0-9]{4})-(0[1-9]|1[0-2])$").alias("_mg"))
    lf = lf.with_columns(pl.col("_mg").struct.field("1").cast(pl.Int32, strict=False).alias("_my"),
                         pl.col("_mg").struct.field("2").cast(pl.Int32, strict=False).alias("_mm"))
    t = pl.col("type")
    vfrom, vto = pl.col("_valid_from_date"), pl.col("_valid_to_date")
    group, wclp = pl.col("group"), pl.col("work_capacity_loss_percent")
    ebin, month = pl.col("_t_employer_bin"), pl.col("_t_month")
    amount, name, benefit = pl.col("amount_kzt"), pl.col("name"), pl.col("benefit")
    my, mm = pl.col("_my"), pl.col("_mm")
    foreign = pl.lit(-1, pl.Int64)
    for ftype, bits in _FOREIGN_FACT.items():
        foreign = pl.when(t == ftype).then(pl.lit(bits, pl.Int64)).otherwise(foreign)
    month_ok = my.is_not_null() & amount.is_not_null() & (amount >= 0)
    own = (pl.when(t == "disability").then(group.is_in(["1", "2", "3", "child"])
                                           & (wclp.is_null() | ((wclp >= 0) & (wclp <= 100))))
           .when(t == "employment").then(ebin.str.contains(r"^[0-9]{12}$"))
           .when(t == "contribution").then(month_ok & (vfrom == pl.date(my.fill_null(2000), mm.fill_null(1), 1)))
           .when(t == "income").then(month_ok)
           .when(t == "award").then(name.is_in(list(AWARD_NAMES)))
           .when(t == "benefit").then(benefit.is_in(sorted(benefit_codes())))
           .otherwise(True))
    ok = (pl.col("_iin_ok") & pl.col("_t_source").is_not_null() & pl.col("_ts_ok") & pl.col("_valid_from_ok")
          & pl.col("_valid_to_ok") & t.is_in(list(FACT_TYPES)) & (vto.is_null() | (vto >= vfrom))
          & ((pl.col("_present") & foreign) == 0) & own)

    def only(types: tuple[str, ...], e: pl.Expr) -> pl.Expr:
        return pl.when(t.is_in(list(types))).then(e)

    disc = (pl.when(t.is_in(["contribution", "income"])).then(month)
            .when(t == "award").then(name).when(t == "benefit").then(benefit).otherwise(pl.lit("")))
    key = pl.concat_str([pl.col("iin"), t, pl.col("valid_from"), disc], separator="|")
    return lf.select(
        ok.fill_null(False).alias("_ok"), pl.col("_row"), key.alias("key"), pl.col("iin"), t.alias("type"),
        vfrom.alias("valid_from"), vto.alias("valid_to"), only(("disability",), group).alias("disability_group"),
        only(("disability",), wclp).alias("work_capacity_loss_percent"),
        only(("employment",), ebin).alias("employer_bin"),
        only(("contribution", "income"), month).alias("month"),
        only(("contribution", "income"), amount).alias("amount_kzt"),
        only(("award",), name).alias("name"), only(("benefit",), benefit).alias("benefit"),
        pl.col("_t_source").alias("source"), pl.col("_ts").alias("recorded_at"),
        pl.lit(None, pl.String).alias("extra"),
        pl.col("_valid_from_r").alias("_vfrom_r"), pl.col("_valid_to_r").alias("_vto_r")).collect()


def _reprs(kind: str, df: pl.DataFrame) -> pl.Series:
    """repr(tuple(props.values())) per row, as records._digest reads it."""
    s, i = _srepr, _irepr
    if kind == "person":
        parts = [s(pl.col("iin")), s(pl.col("surname")), s(pl.col("given_name")), s(pl.col("patronymic")),
                 pl.col("_born_r"), s(pl.col("sex")), pl.col("_died_r"), s(pl.col("address_id")),
                 s(pl.col("phone")), s(pl.col("bank_account")), s(pl.col("citizenship")),
                 s(pl.col("source")), _ts_repr("recorded_at"), pl.lit("None")]
    elif kind == "link":
        parts = [s(pl.col("type")), s(pl.col("from")), s(pl.col("to")), pl.col("_since_r"),
                 pl.col("_until_r"), s(pl.col("source")), _ts_repr("recorded_at"), pl.lit("None")]
    else:
        parts = [s(pl.col("key")), s(pl.col("iin")), s(pl.col("type")), pl.col("_vfrom_r"),
                 pl.col("_vto_r"), s(pl.col("disability_group")), i(pl.col("work_capacity_loss_percent")),
                 s(pl.col("employer_bin")), s(pl.col("month")), i(pl.col("amount_kzt")),
                 s(pl.col("name")), s(pl.col("benefit")), s(pl.col("source")),
                 _ts_repr("recorded_at"), pl.lit("None")]
    return df.select(pl.concat_str([pl.lit("("), pl.concat_str(parts, separator=", "), pl.lit(")")])).to_series()


# --- one block -----------------------------------------------------------------------------

def read_block(data: bytes, file_index: int, name: str, first_line: int, today: dt.date,
               schemas: dict[str, pa.Schema], keep: int) -> BlockResult:
    """Check one block of whole lines (line ``first_line`` first) of feed ``name``."""
    res = BlockResult()
    starts, ends = split_lines(data, first_line)
    n_lines = len(starts)
    if not n_lines:
        return res
    # 64-bit offsets: one hostile line may make a block of any size.
    offsets = pa.array([starts[0], *ends], type=pa.int64())
    as_text = pa.LargeStringArray.from_buffers(n_lines, offsets.buffers()[1], pa.py_buffer(data))
    try:  # Arrow's UTF-8 check is ~20x Python's decode; the slow search only where it fails
        as_text.validate(full=True)
        bad_utf8: dict[int, int] = {}
    except pa.ArrowInvalid:
        bad_utf8 = _not_utf8(data, starts, ends)
    buf = data
    if bad_utf8:
        mb = bytearray(data)
        for i in bad_utf8:  # spaces (same length) so that the block reads as text
            mb[starts[i]:ends[i]] = b" " * (ends[i] - starts[i])
        buf = bytes(mb)
        as_text = pa.LargeStringArray.from_buffers(n_lines, offsets.buffers()[1], pa.py_buffer(buf))
    lines = pl.from_arrow(as_text)
    # Lines the columns may read: valid UTF-8 (the others are spaces now), of the plain shape.
    plain = lines.str.contains(LINE_RE)
    blank = ~plain & lines.str.contains(_BLANK_RE)
    if bad_utf8:
        blank = blank.scatter(list(bad_utf8), False)
    res.read = n_lines - int(blank.sum())
    cand = ~blank
    if bad_utf8:
        cand = cand.scatter(list(bad_utf8), False)
    try:
        fast_rows, per_kind = _fast(lines, plain, buf, starts, ends, first_line, file_index, name, today, schemas)
    except Exception:  # noqa: BLE001 - never a run lost to the columns: parse_line reads the block
        fast_rows, per_kind = [], {k: [] for k in KINDS}
    fast_ok = pl.repeat(False, n_lines, dtype=pl.Boolean, eager=True)
    if fast_rows:
        fast_ok = fast_ok.scatter(pl.concat(fast_rows), True)
    slow = (cand & ~fast_ok).arg_true().to_list()
    res.slow = len(slow)
    rejections: list[tuple[int, tuple[str, str | None, str]]] = [
        (i, (f"{name}:{first_line + i}", None, f"not UTF-8 (byte {b})")) for i, b in bad_utf8.items()]
    slow_rows: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for i in slow:
        n = first_line + i
        text = data[starts[i]:ends[i]].decode("utf-8")
        try:
            rec = parse_line(text, today, n)
        except RecordError as e:
            rejections.append((i, (f"{name}:{n}", e.field, str(e))))
            continue
        row = dict(rec.props)
        if rec.kind == "link":
            row.update(type=rec.type, **{"from": rec.from_iin, "to": rec.to_iin})
        row.update(seq=(file_index << LINE_BITS) | n, origin=f"{name}:{n}")
        slow_rows[rec.kind].append(row)
    rejections.sort(key=lambda r: r[0])
    res.rejected = len(rejections)
    res.rejections = [r for _, r in rejections[:keep]]
    for kind in KINDS:
        parts = [pa.Table.from_pylist(slow_rows[kind], schema=schemas[kind])] if slow_rows[kind] else []
        parts += per_kind[kind]
        if parts:
            table = pa.concat_tables(parts)
            if slow_rows[kind] and per_kind[kind]:
                table = table.sort_by("seq")
            res.tables[kind] = table
            res.valid[kind] = table.num_rows
    return res


def _null_fields(sub: pl.Series) -> pl.Series:
    """Per line, one bit per field given as ``null`` (0 for most lines: the regexes run only
    on the lines holding a null)."""
    out = pl.zeros(len(sub), dtype=pl.Int64, eager=True)
    at = sub.str.contains("null", literal=True).arg_true()  # a byte search first: cheaper than a regex
    if len(at):
        few = sub.gather(at)
        bits = pl.select(pl.sum_horizontal([few.str.contains(r).cast(pl.Int64) * (1 << _ALL_FIELDS.index(f))
                                            for f, r in _NULL_FIELD_RE.items()])).to_series()
        out = out.scatter(at, bits)
    return out


def _fast(lines: pl.Series, plain: pl.Series, buf: bytes, starts: list[int], ends: list[int], first_line: int,
          file_index: int, name: str, today: dt.date, schemas: dict[str, pa.Schema]
          ) -> tuple[list[pl.Series], dict[str, list[pa.Table]]]:
    """The rows the columns vouch for (their line indexes) and their spill tables, by kind."""
    fast_rows: list[pl.Series] = []
    per_kind: dict[str, list[pa.Table]] = {k: [] for k in KINDS}
    idx = plain.arg_true()
    if len(idx):
        sub = lines.gather(idx)
        if len(idx) == len(lines):
            body = buf[starts[0]:]
        else:
            mv = memoryview(buf)
            body = b"".join([mv[starts[i]:ends[i]] for i in idx.to_list()])
        if not body.endswith(b"\n"):
            body += b"\n"
        try:
            dec = pl.read_ndjson(body, schema=_DECODE_SCHEMA)
        except Exception:  # noqa: BLE001 - whatever polars makes of it, parse_line has the last word
            dec = None
        if dec is not None and dec.height == len(idx):
            # No field twice. In a plain line each key has 2 quotes and each string value 2
            # more. With F the fields decoded (not null) and N those given as null (disjoint),
            # the quotes number 4 a string field of F + 2 an integer one + 2 a field of N
            # exactly when no key repeats: a repeated key adds quotes F and N do not account for.
            quotes = sub.str.count_matches('"', literal=True)
            dec = dec.with_columns(idx.cast(pl.Int64).alias("_row"), quotes.alias("_quotes"), _PRESENT,
                                   _null_fields(sub).alias("_null"))
            dec = dec.with_columns(
                ((pl.col("_quotes") == pl.sum_horizontal(
                    [pl.col(c).is_not_null().cast(pl.Int64) * (2 if c in _INT_FIELDS else 4) for c in _ALL_FIELDS]
                    + [(pl.col("_null") & (1 << i) != 0).cast(pl.Int64) * 2 for i in range(len(_ALL_FIELDS))]))
                 & ((pl.col("_present") & pl.col("_null")) == 0)).alias("_once"),
                # a field given as null is still a field: one of another kind is an unknown field
                (pl.col("_present") | pl.col("_null")).alias("_present"))
            for kind, check in (("person", lambda d: _person(d, today)), ("link", _link), ("fact", _fact)):
                part = dec.filter((pl.col("kind") == kind) & pl.col("_once"))
                if not part.height:
                    continue
                props = check(part)
                good = props.filter(pl.col("_ok"))
                if good.height:
                    fast_rows.append(good["_row"])
                    per_kind[kind].append(_finish(kind, good, first_line, file_index, name, schemas[kind]))
    return fast_rows, per_kind


def _finish(kind: str, good: pl.DataFrame, first_line: int, file_index: int, name: str,
            schema: pa.Schema) -> pa.Table:
    digest = _digests(_reprs(kind, good))
    n = good["_row"] + first_line
    out = good.with_columns(
        digest.alias("digest"), (pl.lit(file_index << LINE_BITS, pl.Int64) + n).alias("seq"),
        pl.concat_str([pl.lit(f"{name}:"), n.cast(pl.String)]).alias("origin"))
    return out.select(schema.names).to_arrow().cast(schema)
