"""One check for each shared value (month, phone, IBAN) and one mask for each: the feed, the
payments and the bank files ask the same question and get the same answer."""
from __future__ import annotations

import datetime as dt

import pytest

from familycard.graph.bank.payment_files import PaymentOrder, register_csv
from familycard.graph.flow.orders import parse_month
from familycard.schema.records import RecordError, parse_record
from familycard.schema.values import (
    iban_check_digits_hold,
    is_iban,
    is_kz_iban,
    is_kz_iban_shape,
    is_kz_phone,
    mask_account,
    mask_phone,
    month_parts,
)
from feedmaker import fact, iban, person

TODAY = dt.date(2026, 11, 25)
KZ_MOBILE = "+77011234567"
ACCOUNT = "KZ86125KZT5004100100"
MOTHER = person("1990-03-01", "F")

MONTHS = [("2026-11", (2026, 11)), ("2026-01", (2026, 1)), ("2026-12", (2026, 12)), ("0001-01", (1, 1))]
NOT_MONTHS = ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "2026-11\n", "\n2026-11",
              "٢٠٢٦-١١", "２０２６-１１", "", None, 202611, ["2026-11"]]


@pytest.mark.parametrize(("text", "parts"), MONTHS)
def test_a_month_is_read_alike_by_the_feed_the_payments_and_the_bank_files(text, parts):
    assert month_parts(text) == parts
    assert parse_month(text)[0] == dt.date(*parts, 1)
    rec = parse_record(fact(MOTHER, "contribution", f"{text}-01", source="GFSS", month=text, amount_kzt=1), TODAY)
    assert rec.props["month"] == text
    assert register_csv([], month=text).startswith(b"order_id,month,")


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_what_is_not_a_month_is_refused_everywhere_naming_it(text):
    assert month_parts(text) is None
    with pytest.raises(ValueError, match=r"expected YYYY-MM"):
        parse_month(text)
    with pytest.raises(ValueError, match=r"is not YYYY-MM"):
        register_csv([], month=text)
    if isinstance(text, str) and text.strip() and month_parts(text.strip()) is None:  # the feed strips first
        with pytest.raises(RecordError, match=r"month: '.*' is not a month \(YYYY-MM\)") as e:
            parse_record(fact(MOTHER, "income", "2026-11-01", source="KGD", month=text, amount_kzt=1), TODAY)
        assert e.value.field == "month" and e.value.value == text


def test_the_feeds_phone_is_plus_seven_and_ten_ascii_digits():
    assert is_kz_phone(KZ_MOBILE) and is_kz_phone("+77272581234")  # a landline is a phone, not for SMS
    for bad in ("87011234567", "+7701123456", "+770112345678", "+77011234567\n", "+7٧٠١١٢٣٤٥٦٧", "+998901234567",
                "", None, 77011234567):
        assert not is_kz_phone(bad), bad
    with pytest.raises(RecordError, match=r"phone: '\+7701123456' is not \+7 followed by 10 digits"):
        parse_record(person("1990-03-01", "F", phone="+7701123456"), TODAY)


def test_a_phone_is_masked_to_its_operator_code_and_last_two_digits():
    assert mask_phone(KZ_MOBILE) == "+7 701 *** ** 67"
    assert mask_phone("+77471234598") == "+7 747 *** ** 98"


@pytest.mark.parametrize("raw", ["", None, "garbage", "+998901234567", "87011234567", "+77011234567\n"])
def test_a_phone_mask_never_echoes_what_it_cannot_read(raw):
    assert mask_phone(raw) == "***"


def test_the_console_gateways_compact_mask_takes_any_number():
    assert mask_phone(KZ_MOBILE, compact=True) == "+7701***4567"
    assert mask_phone("+998901234567", compact=True) == "+9989***4567"
    assert mask_phone("+123", compact=True) == "***23"


def test_a_kazakh_iban_has_its_shape_and_its_check_digits():
    good = iban("7220000000000002")
    assert is_kz_iban(good) and is_iban(good) and is_kz_iban(ACCOUNT)
    wrong_digits = "KZ87" + good[4:]
    assert is_kz_iban_shape(wrong_digits) and not iban_check_digits_hold(wrong_digits) and not is_kz_iban(wrong_digits)
    for bad in ("KZ86125KZT500410010", "kz86125KZT5004100100", "KZ86ABCKZT5004100100", ACCOUNT + "\n", "", None):
        assert not is_kz_iban(bad), bad


def test_the_bank_file_takes_any_countrys_iban_the_feed_only_a_kazakh_one():
    german = "DE89370400440532013000"
    assert is_iban(german) and iban_check_digits_hold(german) and not is_kz_iban(german)
    PaymentOrder("P1", "900301400010", "Серікова Айгүл", german, 85000, "birth", "2026-11", None)
    with pytest.raises(RecordError, match=f"bank_account: '{german}' is not a Kazakh IBAN"):
        parse_record(person("1990-03-01", "F", bank_account=german), TODAY)


def test_bad_check_digits_are_refused_by_the_feed_and_the_bank_file_alike():
    bad = "KZ87" + ACCOUNT[4:]
    with pytest.raises(RecordError, match=r"bank_account: 'KZ87125KZT5004100100': IBAN check digits 87 fail"):
        parse_record(person("1990-03-01", "F", bank_account=bad), TODAY)
    with pytest.raises(ValueError, match=r"bank_account 'KZ87125KZT5004100100': check digits 87 fail ISO 13616"):
        PaymentOrder("P1", "900301400010", "Серікова Айгүл", bad, 85000, "birth", "2026-11", None)


def test_an_account_is_masked_three_ways():
    assert mask_account(ACCOUNT, "ends") == "KZ86…0100"
    assert mask_account(ACCOUNT, "last4") == "••••••••••••••••0100"
    assert mask_account(ACCOUNT, "country") == "KZ••"
    assert mask_account("K", "country") == "••"
    with pytest.raises(ValueError, match="show 'all'"):
        mask_account(ACCOUNT, "all")  # type: ignore[arg-type]
