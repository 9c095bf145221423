"""Feed validation (records.md): what passes, and for each bad-input class, what is said."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from familycard.schema.iin import IINError, check_digit, make_iin, parse_iin
from familycard.schema.records import RecordError, parse_line, parse_record
from feedmaker import fact, link, person

TODAY = dt.date(2026, 11, 25)


# --- IIN ---------------------------------------------------------------------------------

@pytest.mark.parametrize("iin, born, sex", [
    ("870101300019", dt.date(1987, 1, 1), "M"),
    ("951231400012", dt.date(1995, 12, 31), "F"),
    ("000229600014", dt.date(2000, 2, 29), "F"),
])
def test_valid_iins_give_birth_date_and_sex(iin, born, sex):
    # real-shaped IINs, check digits computed by hand from the records.md weights
    assert check_digit(iin[:11]) == int(iin[11])
    assert parse_iin(iin) == (born, sex)


@pytest.mark.parametrize("iin, message", [
    ("870101300012", "IIN '870101300012': check digit is 9, not 2"),
    ("87010130001", "must be 12 digits"),
    ("8701013000AB", "must be 12 digits"),
    ("870101700019", "century-and-sex digit is 7"),
    ("870230300019", "870230 is not a date"),
    (870101300019, "must be a string"),
])
def test_bad_iins_are_named_with_the_reason(iin, message):
    with pytest.raises(IINError, match=message) as e:
        parse_iin(iin)
    assert e.value.value == iin


def test_a_birth_year_no_century_digit_encodes_is_the_errors_value():
    with pytest.raises(IINError, match="no IIN century digit for a person born in 2126") as e:
        make_iin(dt.date(2126, 1, 1), "F", 1)
    assert e.value.value == dt.date(2126, 1, 1)


def test_second_weight_row_is_used_when_the_first_gives_ten():
    # find 11 digits whose first weighted sum is 10 mod 11: the second row decides
    for serial in range(10000):
        first11 = f"8701013{serial:04d}"
        if sum(int(d) * w for d, w in zip(first11, range(1, 12), strict=True)) % 11 == 10:
            second = sum(int(d) * w for d, w in zip(first11, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
            assert check_digit(first11) == (None if second == 10 else second)
            break
    else:
        pytest.fail("no such serial")


def test_an_iin_with_no_valid_check_digit_is_refused():
    for serial in range(10000):
        if make_iin(dt.date(1987, 1, 1), "M", serial) is None:
            first11 = f"8701013{serial:04d}"
            with pytest.raises(IINError, match="no check digit is valid"):
                parse_iin(first11 + "0")
            return
    pytest.fail("every serial had a check digit")


# --- persons -----------------------------------------------------------------------------------

def _err(rec) -> RecordError:
    with pytest.raises(RecordError) as e:
        parse_record(rec, TODAY)
    return e.value


def test_a_valid_person_keeps_provenance_and_unknown_fields():
    p = person("1987-01-01", "M", phone="+77011234567", bank_account="KZ86125KZT5004100100",
               address_id="KZ-ALA-0000001", shoe_size=43)
    r = parse_record(p, TODAY)
    assert r.kind == "person" and r.key == p["iin"]
    assert r.props["source"] == "GBD_FL"
    assert r.props["recorded_at"] == dt.datetime(2026, 1, 10, 9, 0)
    assert json.loads(r.props["extra"]) == {"shoe_size": 43}
    assert r.props["citizenship"] == "KZ"


def test_recorded_at_with_an_offset_is_stored_in_utc():
    r = parse_record(person("1987-01-01", "M", recorded_at="2026-01-10T14:00:00+05:00"), TODAY)
    assert r.recorded_at == dt.datetime(2026, 1, 10, 9, 0)


@pytest.mark.parametrize("change, fld, words", [
    ({"iin": "870101300012"}, "iin", "check digit is 9, not 2"),
    ({"birth_date": "1987-01-02"}, "birth_date", "does not agree with IIN"),
    ({"sex": "F"}, "sex", "does not agree with IIN"),
    ({"birth_date": "2026-02-30"}, "birth_date", "'2026-02-30' is not a real date"),
    ({"birth_date": "01.01.1987"}, "birth_date", "is not an ISO date"),
    ({"death_date": "1986-12-31"}, "death_date", "before the birth date"),
    ({"death_date": "2026-11-26"}, "death_date", "in the future"),
    ({"phone": "87011234567"}, "phone", "not +7 followed by 10 digits"),
    ({"phone": "+7701123456"}, "phone", "not +7 followed by 10 digits"),
    ({"bank_account": "KZ86125KZT5004100101"}, "bank_account", "fail ISO 13616 mod-97"),
    ({"bank_account": "DE89370400440532013000"}, "bank_account", "not a Kazakh IBAN"),
    ({"surname": ""}, "surname", "must not be empty"),
    ({"given_name": None}, "given_name", "is required"),
    ({"sex": "X"}, "sex", "must be M or F"),
    ({"recorded_at": "2026-01-10"}, "recorded_at", "not an ISO 8601 date-time"),
    ({"source": None}, "source", "is required"),
    ({"citizenship": "kaz"}, "citizenship", "ISO 3166"),
])
def test_bad_person_fields_are_named(change, fld, words):
    rec = person("1987-01-01", "M", iin="870101300019")
    rec.update(change)
    e = _err(rec)
    assert e.field == fld
    assert words in str(e)
    assert e.value == change[fld]  # as the record gave it
    assert e.errors == (e,)


def test_all_errors_of_a_line_are_reported_together():
    rec = person("1987-01-01", "M", iin="870101300019", phone="123", death_date="2026-02-30")
    e = _err(rec)
    assert "phone" in str(e) and "death_date" in str(e)
    assert [(x.field, x.value) for x in e.errors] == [("death_date", "2026-02-30"), ("phone", "123")]
    assert (e.field, e.value) == ("death_date", "2026-02-30")


def test_iban_with_spaces_is_stored_compact():
    r = parse_record(person("1987-01-01", "M", bank_account="KZ86 125K ZT50 0410 0100"), TODAY)
    assert r.props["bank_account"] == "KZ86125KZT5004100100"


# --- links and facts -------------------------------------------------------------------------------

A, B = "870101300019", "951231400012"


def test_spouse_links_are_the_same_thing_in_either_direction():
    ab = parse_record(link("SPOUSE_OF", A, B), TODAY)
    ba = parse_record(link("SPOUSE_OF", B, A), TODAY)
    assert ab.key == ba.key and ab.digest == ba.digest
    assert parse_record(link("PARENT_OF", A, B), TODAY).key != parse_record(link("PARENT_OF", B, A), TODAY).key


@pytest.mark.parametrize("rec, fld, words", [
    (link("PARENT_OF", A, A), "to", "linked to themself"),
    (link("COUSIN_OF", A, B), "type", "unknown link type"),
    (link("PARENT_OF", A, "870101300012"), "to", "check digit"),
    (link("SPOUSE_OF", A, B, since="2020-01-01", until="2019-01-01"), "until", "before since"),
    (fact(A, "horoscope", "2020-01-01"), "type", "unknown fact type"),
    (fact(A, "disability", "2020-01-01", group="4"), "group", "must be 1, 2, 3 or child"),
    (fact(A, "disability", "2020-01-01", group="1", work_capacity_loss_percent=120),
     "work_capacity_loss_percent", "out of range"),
    (fact(A, "disability", "2020-01-01", valid_to="2019-12-31", group="1"), "valid_to", "before valid_from"),
    (fact(A, "contribution", "2026-01-02", source="GFSS", month="2026-01", amount_kzt=5000),
     "valid_from", "first day of month"),
    (fact(A, "income", "2026-01-01", source="KGD", month="2026-13", amount_kzt=5000), "month", "not a month"),
    (fact(A, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=-5), "amount_kzt", "out of range"),
    (fact(A, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=100.5), "amount_kzt", "whole number"),
    (fact(A, "employment", "2026-01-01", source="ESP", employer_bin="12345"), "employer_bin", "12 digits"),
    (fact(A, "award", "2026-01-01", source="MIO", name="gold_star"), "name", "not an award"),
    (fact(A, "benefit", "2026-01-01", source="MIO", benefit="free_lunch"), "benefit", "not a benefit code"),
    ({"kind": "household", "source": "X", "recorded_at": "2026-01-01T00:00:00Z"}, "kind", "unknown kind"),
])
def test_bad_links_and_facts_are_named(rec, fld, words):
    e = _err(rec)
    assert e.field == fld
    assert words in str(e)
    assert e.value == rec.get(fld)


def test_fact_keys_follow_records_md():
    inc1 = parse_record(fact(A, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=1), TODAY)
    inc2 = parse_record(fact(A, "income", "2026-01-01", source="KGD", month="2026-02", amount_kzt=1), TODAY)
    corr = parse_record(fact(A, "income", "2026-01-01", source="KGD", month="2026-01", amount_kzt=2,
                             recorded_at="2026-02-01T00:00:00Z"), TODAY)
    assert inc1.key != inc2.key and inc1.key == corr.key and inc1.digest != corr.digest
    assert corr.supersedes(inc1.recorded_at, inc1.digest)
    assert not inc1.supersedes(corr.recorded_at, corr.digest)


def test_garbage_lines_are_rejected_not_crashed_on():
    with pytest.raises(RecordError, match="not a JSON object") as e:
        parse_line("{oops", TODAY, 17)
    assert (e.value.field, e.value.value, e.value.line) == (None, "{oops", 17)
    with pytest.raises(RecordError, match="must be a JSON object") as e:
        parse_line("[1, 2]", TODAY)
    assert (e.value.value, e.value.line) == ([1, 2], None)
    with pytest.raises(RecordError, match="kind: is required") as e:
        parse_line("{}", TODAY, 3)
    assert (e.value.field, e.value.value, e.value.line) == ("kind", None, 3)


def test_a_lines_error_names_its_line_number_and_the_bad_value():
    line = json.dumps(person("1987-01-01", "M", iin="870101300012"))
    with pytest.raises(RecordError, match="iin: IIN '870101300012': check digit is 9, not 2") as e:
        parse_line(line, TODAY, 42)
    assert (e.value.field, e.value.value, e.value.line) == ("iin", "870101300012", 42)


# --- hostile values: always this record's RecordError, never another exception -------------

@pytest.mark.parametrize("rec, fld, words", [
    (link("SPOUSE_OF", A, B, type=[]), "type", "unknown link type []"),
    (link("SPOUSE_OF", A, B, type={}), "type", "unknown link type {}"),
    (fact(A, "award", "2026-01-01", name={}), "name", "is not an award"),
    (person("1987-01-01", "M", recorded_at="0001-01-01T00:00:00+01:00"), "recorded_at", "out of range"),
    (person("1987-01-01", "M", recorded_at="9999-12-31T23:59:59-00:01"), "recorded_at", "out of range"),
    (person("1987-01-01", "M", note=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]),
     "note", "nested deeper than 32 levels"),
    (fact(A, "income", "2026-01-01", month="2026-01", amount_kzt=2**63), "amount_kzt",
     "9223372036854775808 is out of range (0–9223372036854775807)"),
    (fact(A, "disability", "2026-01-01", group="1", work_capacity_loss_percent=2**64), "work_capacity_loss_percent",
     "out of range (0–100)"),
])
def test_hostile_values_are_named_as_the_records_error(rec, fld, words):
    e = _err(rec)
    assert e.field == fld and words in str(e)
    assert e.value == rec[fld]


def test_the_largest_int64_amount_is_still_valid():
    r = parse_record(fact(A, "income", "2026-01-01", month="2026-01", amount_kzt=2**63 - 1), TODAY)
    assert r.props["amount_kzt"] == 2**63 - 1


def test_an_unforeseen_exception_while_validating_becomes_the_records_error(monkeypatch):
    from familycard.schema import records

    def boom(*_):
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(records, "_link", boom)
    with pytest.raises(RecordError, match=r"could not be validated \(TypeError: unhashable type"):
        parse_record(link("SPOUSE_OF", A, B), TODAY)


@pytest.mark.parametrize("rec, fld", [
    (fact(A, "income", "2026-01-01", month="٢٠٢٦-٠١", amount_kzt=1), "month"),  # Arabic-Indic digits
    (fact(A, "income", "2026-01-01", month="２０２６-０１", amount_kzt=1), "month"),  # full-width digits
    (person("1987-01-01", "M", phone="+7７０１１２３４５６７"), "phone"),
    (person("1987-01-01", "M", phone="+7٧٠١١٢٣٤٥٦٧"), "phone"),
    (fact(A, "employment", "2026-01-01", employer_bin="١٢٣٤٥٦٧٨٩٠١٢"), "employer_bin"),
    (fact(A, "disability", "٢٠٢٦-01-01", group="1"), "valid_from"),
    (person("1987-01-01", "M", bank_account="KZ٨٦125KZT5004100100"), "bank_account"),
])
def test_only_ascii_digits_count_as_digits(rec, fld):
    assert _err(rec).field == fld
