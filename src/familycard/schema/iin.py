"""The Kazakh individual identification number (IIN, ЖСН/ИИН).

Twelve digits: ``YYMMDD`` birth date, a century-and-sex digit, four serial digits and a
check digit (records.md, "IIN check digit").
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# century-and-sex digit -> (century start, sex)
_CENTURY_SEX = {
    "1": (1800, "M"), "2": (1800, "F"),
    "3": (1900, "M"), "4": (1900, "F"),
    "5": (2000, "M"), "6": (2000, "F"),
}


class IINError(ValueError):
    """An IIN that cannot be valid; the message names the IIN and what is wrong. ``value`` is
    what was given: the IIN (whatever its type), or the birth date no IIN can encode."""

    def __init__(self, message: str, value: object = None):
        super().__init__(message)
        self.value = value


def check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None when no digit can make it valid."""
    digits = [ord(ch) - 48 for ch in first11]
    total = sum(d * w for d, w in zip(digits, _W1, strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, _W2, strict=True)) % 11
        if total == 10:
            return None
    return total


def century_sex_digit(birth_date: dt.date, sex: str) -> str:
    base = (birth_date.year // 100) * 100
    for digit, (century, s) in _CENTURY_SEX.items():
        if century == base and s == sex:
            return digit
    raise IINError(f"no IIN century digit for a person born in {birth_date.year}", birth_date)


def make_iin(birth_date: dt.date, sex: str, serial: int) -> str | None:
    """Build a valid IIN, or None when this serial has no valid check digit (try the next)."""
    first11 = f"{birth_date:%y%m%d}{century_sex_digit(birth_date, sex)}{serial % 10000:04d}"
    d = check_digit(first11)
    return None if d is None else first11 + str(d)


def parse_iin(iin: object) -> tuple[dt.date, str]:
    """Validate an IIN and return (birth date, sex) it encodes; raise IINError otherwise."""
    if isinstance(iin, str):
        return _parse_iin_cached(iin)
    raise IINError(f"IIN {iin!r}: must be a string of 12 digits", iin)


# A feed names the same person on many lines (a month of income each): remember the answers.
@lru_cache(maxsize=1 << 17)
def _parse_iin_cached(iin: str) -> tuple[dt.date, str]:
    if not isinstance(iin, str):
        raise IINError(f"IIN {iin!r}: must be a string of 12 digits", iin)
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        raise IINError(f"IIN '{iin}': must be 12 digits, got {len(iin)} characters", iin)
    cs = _CENTURY_SEX.get(iin[6])
    if cs is None:
        raise IINError(f"IIN '{iin}': century-and-sex digit is {iin[6]}, must be 1-6", iin)
    century, sex = cs
    try:
        born = dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise IINError(f"IIN '{iin}': {iin[0:6]} is not a date", iin) from None
    expected = check_digit(iin[:11])
    if expected is None:
        raise IINError(f"IIN '{iin}': no check digit is valid for these 11 digits", iin)
    if expected != ord(iin[11]) - 48:
        raise IINError(f"IIN '{iin}': check digit is {expected}, not {iin[11]}", iin)
    return born, sex
