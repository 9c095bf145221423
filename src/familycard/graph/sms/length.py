"""How many parts an SMS takes, counted as the network bills it (3GPP TS 23.038, formerly GSM 03.38).

A text made only of the GSM 7-bit default alphabet goes as GSM-7: 160 septets in one SMS, 153
a part once it is split (the user-data header of a concatenated SMS takes 7 septets); the
characters of the basic extension table (``^ { } \\ [ ~ ] | €`` and form feed) are an escape
and a character, two septets. Any other character (Kazakh and Russian letters, ₸, a no-break
space, an emoji) makes the whole text UCS-2: 70 UTF-16 code units in one SMS, 67 a part; a
character outside the Basic Multilingual Plane (most emoji) is a surrogate pair, two units.
A part boundary never splits an escape sequence or a surrogate pair (senders move the whole
character to the next part), so a part may hold one unit less than its size.
"""
from __future__ import annotations

from dataclasses import dataclass

GSM7, UCS2 = "GSM-7", "UCS-2"
# The default alphabet, in code order; 0x1B (the escape to the extension table) is no character.
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ" "ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_EXTENSION = frozenset("\f^{}\\[~]|€")
# (units in one SMS, units a part of a concatenated one)
_SIZES = {GSM7: (160, 153), UCS2: (70, 67)}
# Where some operators stop joining the parts of a long SMS (and where the cost is plainly wrong).
MAX_PARTS = 10


@dataclass(frozen=True)
class Length:
    encoding: str  # GSM-7 or UCS-2
    units: int     # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def encoding(text: str) -> str:
    """GSM-7 when every character is in the default alphabet or its extension table, else UCS-2."""
    return GSM7 if all(c in _BASIC or c in _EXTENSION for c in text) else UCS2


def _widths(text: str, enc: str) -> list[int]:
    if enc == GSM7:
        return [2 if c in _EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def measure(text: str) -> Length:
    """The encoding, the units and the parts ``text`` takes; an empty text is still one SMS."""
    enc = encoding(text)
    widths = _widths(text, enc)
    units = sum(widths)
    single, part = _SIZES[enc]
    if units <= single:
        return Length(enc, units, 1)
    parts, room = 1, part
    for w in widths:  # fill each part; a character that does not fit whole starts the next
        if w > room:
            parts, room = parts + 1, part
        room -= w
    return Length(enc, units, parts)


def sms_parts(text: str) -> int:
    """The parts ``text`` is billed as (see ``measure``)."""
    return measure(text).parts
