"""The values the registries, the flow and the bank share, each checked and masked in one place:
the month (YYYY-MM), the Kazakh phone number in E.164, the IBAN.

Checks answer yes or no (or the parts read): the caller words the error, naming its field and
the bad value. ASCII digits only, never ``\\d``: Python's ``\\d`` and ``int()`` also take
"٢٠٢٦" or "２０２６", so one month (or phone) could be written two ways and counted twice.
Patterns are used with ``fullmatch``: ``$`` also matches before a final newline.
"""
from __future__ import annotations

import re
from typing import Literal

from stdnum.iso7064 import mod_97_10

__all__ = ["month_parts", "is_kz_phone", "mask_phone", "is_iban", "is_kz_iban_shape", "iban_check_digits_hold",
           "is_kz_iban", "mask_account"]

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
# +7, the 3-digit operator (or area) code, 7 digits: the shape of a Kazakh number in E.164.
_KZ_PHONE = re.compile(r"\+7([0-9]{3})[0-9]{5}([0-9]{2})")
# ISO 13616 as the pain.001 XSD takes it (IBAN2007Identifier): any country.
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}")
# Kazakh IBAN: KZ, 2 check digits, a 3-digit bank code, 13 account characters (20 in all).
_KZ_IBAN = re.compile(r"KZ[0-9]{2}[0-9]{3}[0-9A-Z]{13}")


# ------------------------------------------------------------------------------------ month

def month_parts(text: object) -> tuple[int, int] | None:
    """(year, month) of a "YYYY-MM" month (01-12), else None."""
    m = _MONTH.fullmatch(text) if isinstance(text, str) else None
    return (int(m[1]), int(m[2])) if m else None


# ------------------------------------------------------------------------------------ phone

def is_kz_phone(text: object) -> bool:
    """+7 and 10 digits: the feed's phone (records.md). Whether SMS can reach it is
    graph/sms/phones.py's question (a mobile, not a landline or a Russian number)."""
    return isinstance(text, str) and _KZ_PHONE.fullmatch(text) is not None


def mask_phone(phone: str | None, *, compact: bool = False) -> str:
    """A phone for logs, the audit trail and roles that may not dial it: "+7 701 *** ** 67"
    (operator code and last two digits, enough to tell numbers apart); "***" for what is not a
    Kazakh number (never echo what could not be read).

    ``compact``: "+7701***4567", first five and last four characters of any number (the
    console gateway's line, which prints whatever E.164 number it is given)."""
    phone = phone or ""
    if compact:
        return f"{phone[:5]}***{phone[-4:]}" if len(phone) >= 10 else f"***{phone[-2:]}"
    m = _KZ_PHONE.fullmatch(phone)
    return f"+7 {m[1]} *** ** {m[2]}" if m else "***"


# ------------------------------------------------------------------------------------- IBAN

def is_iban(text: object) -> bool:
    """The shape of an IBAN of any country (2 letters, 2 check digits, up to 30 characters)."""
    return isinstance(text, str) and _IBAN.fullmatch(text) is not None


def is_kz_iban_shape(text: object) -> bool:
    """The shape of a Kazakh IBAN (KZ, 2 check digits, 16 characters), check digits unchecked."""
    return isinstance(text, str) and _KZ_IBAN.fullmatch(text) is not None


def iban_check_digits_hold(iban: str) -> bool:
    """ISO 13616: the account rotated (country and check digits to the end), mod 97 is 1."""
    return mod_97_10.is_valid(iban[4:] + iban[:4])


def is_kz_iban(account: object) -> bool:
    """A Kazakh IBAN whose check digits hold: an account a payment order may go to."""
    return is_kz_iban_shape(account) and iban_check_digits_hold(account)


def mask_account(account: str, show: Literal["ends", "last4", "country"]) -> str:
    """An account shown to someone who may not use it:

    - ends: "KZ86…0100", the audit trail: enough to tell two apart, not enough to use;
    - last4: "••••••••••••••••0100", a caseworker checks the account with the citizen by these;
    - country: "KZ••", nothing but the country.
    """
    if show == "ends":
        return f"{account[:4]}…{account[-4:]}"
    if show == "last4":
        return "•" * (len(account) - 4) + account[-4:]
    if show == "country":
        return account[:2] + "••" if len(account) > 2 else "••"
    raise ValueError(f"mask_account: show {show!r} is not ends, last4 or country")
