"""Phone numbers the 1414 SMS gateway may write to: Kazakh mobiles, in E.164."""
from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "KZ"
_SMS_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# Digits and the usual separators only: phonenumbers would otherwise read letters as keypad
# digits ("8701CALLNOW") and drop trailing text ("... ext 5", "...;"), and we would rather
# reject a record than text a number nobody wrote down.
_PLAIN = re.compile(r"\s*\+?[0-9\s().-]+")


def normalise_phone(raw: str) -> str | None:
    """E.164 ("+77011234567") for a valid Kazakh mobile number, else None.

    +7 is shared with Russia: a valid Russian mobile (+7 9xx) is still None, as is a landline.
    """
    if not raw or not _PLAIN.fullmatch(raw):
        return None
    try:
        num = phonenumbers.parse(raw, REGION)
    except NumberParseException:
        return None
    if (not phonenumbers.is_valid_number(num) or phonenumbers.region_code_for_number(num) != REGION
            or phonenumbers.number_type(num) not in _SMS_TYPES):
        return None
    return phonenumbers.format_number(num, PhoneNumberFormat.E164)


def is_sms_capable(e164: str) -> bool:
    """True for a Kazakh mobile written exactly as ``normalise_phone`` writes it."""
    return normalise_phone(e164) == e164
