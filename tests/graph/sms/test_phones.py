"""Only Kazakh mobile numbers, in E.164, reach the 1414 SMS gateway."""
from __future__ import annotations

import pytest

from familycard.graph.sms.phones import is_sms_capable, normalise_phone

KZ_MOBILE = "+77011234567"


@pytest.mark.parametrize("raw", [
    pytest.param("+7 701 123 45 67", id="international with spaces"),
    pytest.param("87011234567", id="national with trunk prefix 8"),
    pytest.param("8 (701) 123-45-67", id="national with brackets and dashes"),
    pytest.param("77011234567", id="country code without plus"),
    pytest.param("+77011234567", id="already E.164"),
    pytest.param("+7-701-123-45-67", id="international with dashes"),
    pytest.param(" +7 701 123 45 67 ", id="surrounding spaces"),
    pytest.param("+7\u00a0701\u00a0123\u00a045\u00a067", id="non-breaking spaces"),
])
def test_kazakh_mobile_is_normalised_to_e164(raw):
    assert normalise_phone(raw) == KZ_MOBILE


def test_other_kazakh_operator_codes():
    assert normalise_phone("8 747 123 45 67") == "+77471234567"
    assert normalise_phone("+7 775 123 45 67") == "+77751234567"


@pytest.mark.parametrize("raw", [
    pytest.param("+7 727 258 12 34", id="Almaty landline"),
    pytest.param("87172123456", id="Astana landline national"),
    pytest.param("+7 916 123 45 67", id="Russian mobile"),
    pytest.param("89161234567", id="Russian mobile in national form"),
    pytest.param("+7 495 123 45 67", id="Moscow landline"),
    pytest.param("+998 90 123 45 67", id="Uzbek mobile"),
    pytest.param("+7 701 123 45 6", id="one digit short"),
    pytest.param("+7 701 123 45 678", id="one digit long"),
    pytest.param("8701CALLNOW", id="letters are not read as keypad digits"),
    pytest.param("+7 701 123 45 67 ext 5", id="an extension"),
    pytest.param("+77011234567;", id="trailing junk"),
    pytest.param("+7 ７０１ 123 45 67", id="fullwidth digits"),
    pytest.param("hello", id="garbage"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="only spaces"),
    pytest.param("+", id="only a plus"),
])
def test_anything_else_is_none(raw):
    assert normalise_phone(raw) is None


def test_none_is_none():
    assert normalise_phone(None) is None  # type: ignore[arg-type]


def test_sms_capable_only_for_normalised_kazakh_mobiles():
    assert is_sms_capable(KZ_MOBILE)
    assert not is_sms_capable("+77272581234")  # landline
    assert not is_sms_capable("+79161234567")  # Russian mobile
    assert not is_sms_capable("87011234567")  # a mobile, but not yet E.164
    assert not is_sms_capable("")
