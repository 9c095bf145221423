"""SMS parts counted as the network bills them (3GPP TS 23.038): GSM-7 or UCS-2, on both sides
of every boundary."""
from __future__ import annotations

import pytest

from familycard.graph.sms.length import GSM7, UCS2, encoding, measure, sms_parts

EXTENSION = "^{}\\[~]|€\f"


@pytest.mark.parametrize("text, parts", [
    ("", 1),
    ("a" * 160, 1), ("a" * 161, 2),                  # one SMS: 160 septets
    ("a" * 153 * 2, 2), ("a" * (153 * 2 + 1), 3),    # concatenated: 153 a part
    ("a" * 153 * 3, 3), ("a" * (153 * 3 + 1), 4),
    ("ж" * 70, 1), ("ж" * 71, 2),                    # any Cyrillic letter: UCS-2, 70 alone
    ("ж" * 67 * 2, 2), ("ж" * (67 * 2 + 1), 3),      # 67 a part
    ("ж" * 67 * 3, 3), ("ж" * (67 * 3 + 1), 4),
])
def test_the_boundaries_of_both_encodings(text, parts):
    assert sms_parts(text) == parts


@pytest.mark.parametrize("ch", list(EXTENSION))
def test_an_extension_character_counts_two_septets_at_the_boundary(ch):
    assert encoding(ch) == GSM7
    assert measure("a" * 158 + ch).units == 160 and sms_parts("a" * 158 + ch) == 1
    assert measure("a" * 159 + ch).units == 161 and sms_parts("a" * 159 + ch) == 2


def test_an_escape_sequence_is_never_split_between_parts():
    # 152 septets, then "€" (2) does not fit the first part's last septet: it opens the second
    text = "a" * 152 + "€" + "a" * 151
    assert measure(text).units == 305 and sms_parts(text) == 2
    text += "a"  # 306 septets would be 2 parts of 153 if the escape could be split
    assert measure(text).units == 306 and sms_parts(text) == 3


def test_an_emoji_is_two_utf16_units_and_makes_the_text_ucs2():
    assert encoding("a" * 10 + "😀") == UCS2
    assert measure("😀").units == 2
    assert sms_parts("ж" * 68 + "😀") == 1 and sms_parts("ж" * 69 + "😀") == 2
    assert sms_parts("a" * 68 + "😀") == 1 and sms_parts("a" * 69 + "😀") == 2
    # a surrogate pair is never split either
    assert measure("ж" * 66 + "😀" + "ж" * 65).units == 133 and sms_parts("ж" * 66 + "😀" + "ж" * 65) == 2
    assert measure("ж" * 66 + "😀" + "ж" * 66).units == 134 and sms_parts("ж" * 66 + "😀" + "ж" * 66) == 3


def test_one_character_outside_the_alphabet_makes_the_whole_text_ucs2():
    assert measure("a" * 100).parts == 1
    for ch in ("ж", "ә", "₸", "\u00a0", "á", "ç", "«"):  # ç: the default alphabet has only Ç
        m = measure("a" * 100 + ch)
        assert m.encoding == UCS2 and m.units == 101 and m.parts == 2, ch


def test_the_default_alphabet_is_gsm7_one_septet_each():
    basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ÄÖÑÜ§¿äöñüà"
    m = measure(basic)
    assert m.encoding == GSM7 and m.units == len(basic)
    assert measure("Hello, 1414! Reply YES or NO.").encoding == GSM7
