"""Payment files for a batch of benefit payment orders: a register CSV and an ISO 20022 pain.001.

Pure functions, no database: the caller reads the orders and hands them over as `PaymentOrder`s.

* `register_csv` — the human-readable payment register (one row per order, UTF-8, RFC 4180).
* `pain001_xml` — a customer credit transfer initiation, message version **pain.001.001.09**
  (CustomerCreditTransferInitiationV09), one `PmtInf` debiting the payer's account, one
  `CdtTrfTxInf` per order.
* `validate_pain001` — checks a document against the official pain.001.001.09 XSD vendored in
  ``xsd/`` (see ``xsd/README.md`` for where it came from), then the control sums the XSD can't.

Money is never a float: amounts are whole tenge (int or integral Decimal), formatted from Decimal.
Every output is a function of its inputs alone (orders sorted by order_id), so the same batch
gives the same bytes.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from itertools import pairwise

from lxml import etree

from familycard.schema.values import iban_check_digits_hold, is_iban, month_parts

PAIN001_VERSION = "pain.001.001.09"
PAIN001_NS = f"urn:iso:std:iso:20022:tech:xsd:{PAIN001_VERSION}"
CURRENCY = "KZT"

# Placeholders until the real treasury account is configured: syntactically valid, not a real account.
# Bank code 000 does not exist; the check digits are right so IBAN-checking software accepts it.
PLACEHOLDER_PAYER_IBAN = "KZ09000KZT0000000001"
# The National Bank of Kazakhstan's BIC, standing in for the payer's bank.
PLACEHOLDER_PAYER_BIC = "NBRKKZKX"

# Schema field lengths (Max35Text, Max140Text) count characters, not bytes.
_MAX35 = 35
_MAX140 = 140

_ORDER_ID_RE = re.compile(r"[A-Za-z0-9]{1,35}")
_IIN_RE = re.compile(r"[0-9]{12}")  # ASCII: \d also takes "٢٠٢٦"
_BIC_RE = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")  # BICFIDec2014Identifier

REGISTER_COLUMNS = ("order_id", "month", "benefit", "iin", "subject", "name", "bank_account",
                    "amount_kzt", "currency")


def _check_iban(field: str, iban: object) -> None:
    if not is_iban(iban):  # the XSD's IBAN2007Identifier: any country
        raise ValueError(f"{field} {iban!r} is not an IBAN (2 letters, 2 check digits, up to 30 characters)")
    if not iban_check_digits_hold(iban):
        raise ValueError(f"{field} {iban!r}: check digits {iban[2:4]} fail ISO 13616 mod-97")


def _whole_tenge(amount: object) -> Decimal:
    # bool is an int; float can't hold money exactly — both are refused outright.
    if isinstance(amount, (bool, float)) or not isinstance(amount, (int, Decimal)):
        raise TypeError(f"amount_kzt must be int or Decimal, not {type(amount).__name__} ({amount!r})")
    value = Decimal(amount)
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"amount_kzt {amount!r} is not a whole number of tenge")
    if value <= 0:
        raise ValueError(f"amount_kzt {amount!r} must be positive")
    return value


@dataclass(frozen=True)
class PaymentOrder:
    order_id: str        # <= 35 chars, [A-Za-z0-9], unique; used as EndToEndId and InstrId
    iin: str             # 12-digit Kazakh IIN of the recipient
    name: str            # recipient full name ("Surname Given Patronymic"), may contain Cyrillic
    bank_account: str    # Kazakh IBAN, e.g. KZ86125KZT5004100100 (20 chars)
    amount_kzt: int      # whole tenge (Decimal or int accepted; never float -> TypeError)
    benefit: str         # benefit code, e.g. "birth"
    month: str           # "YYYY-MM" the order belongs to
    subject: str | None  # IIN of the person the right is about (e.g. the child), or None

    def __post_init__(self) -> None:
        # Fail when the order is made, naming the order, rather than with a schema error later.
        _whole_tenge(self.amount_kzt)
        where = f"payment order {self.order_id!r}"
        if not isinstance(self.order_id, str) or not _ORDER_ID_RE.fullmatch(self.order_id):
            raise ValueError(f"{where}: order_id must be 1-35 letters or digits")
        if not isinstance(self.iin, str) or not _IIN_RE.fullmatch(self.iin):
            raise ValueError(f"{where}: iin {self.iin!r} is not 12 digits")
        if self.subject is not None and (not isinstance(self.subject, str) or not _IIN_RE.fullmatch(self.subject)):
            raise ValueError(f"{where}: subject {self.subject!r} is not 12 digits")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"{where}: name is empty")
        if not isinstance(self.benefit, str) or not self.benefit.strip():
            raise ValueError(f"{where}: benefit code is empty")
        if month_parts(self.month) is None:
            raise ValueError(f"{where}: month {self.month!r} is not YYYY-MM")
        _check_iban(f"{where}: bank_account", self.bank_account)


@dataclass(frozen=True)
class Payer:
    name: str = "NAO Government for Citizens (benefit payments)"
    iban: str = PLACEHOLDER_PAYER_IBAN
    bic: str = PLACEHOLDER_PAYER_BIC

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("payer name is empty")
        _check_iban("payer iban", self.iban)
        if not isinstance(self.bic, str) or not _BIC_RE.fullmatch(self.bic):
            raise ValueError(f"payer bic {self.bic!r} is not an 8 or 11 character BIC")


def _sorted_orders(orders: Iterable[PaymentOrder]) -> list[PaymentOrder]:
    out = list(orders)
    for o in out:
        if not isinstance(o, PaymentOrder):
            raise TypeError(f"expected PaymentOrder, got {type(o).__name__}")
    out.sort(key=lambda o: o.order_id)
    for a, b in pairwise(out):
        if a.order_id == b.order_id:  # sorted, so duplicates are neighbours
            raise ValueError(f"duplicate order_id {a.order_id!r}")
    return out


def register_csv(orders: Iterable[PaymentOrder], *, month: str) -> bytes:
    """The payment register of `month`: a header, then one row per order, sorted by order_id.

    Every order must belong to `month`: a register mixing months would be paid twice or not at all.
    """
    if month_parts(month) is None:
        raise ValueError(f"month {month!r} is not YYYY-MM")
    rows = _sorted_orders(orders)
    for o in rows:
        if o.month != month:
            raise ValueError(f"payment order {o.order_id!r} is for {o.month}, not {month}")
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180; quotes names with commas, quotes, newlines
    w.writerow(REGISTER_COLUMNS)
    for o in rows:
        w.writerow((*map(_cell, (o.order_id, o.month, o.benefit, o.iin, o.subject or "", o.name, o.bank_account)),
                    int(_whole_tenge(o.amount_kzt)), CURRENCY))
    return buf.getvalue().encode("utf-8")


# A spreadsheet opening the register reads a cell starting with one of these as a formula
# (a surname "=HYPERLINK(...)" would be a link on the clerk's screen): the apostrophe in front
# makes it text, as OWASP's "CSV injection" advice and spreadsheet-safe CSV writers do.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _text(value: str, limit: int) -> str:
    # The schema's limits are in characters; cut there (never mid-character) and tidy the end.
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit].rstrip()


def _money(value: Decimal) -> str:
    return f"{value:.2f}"  # Decimal formatting: exact, "85000.00"


def _remittance(o: PaymentOrder) -> str:
    return _text(f"{o.benefit} {o.month} IIN {o.subject or o.iin}", _MAX140)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    e = etree.SubElement(parent, f"{{{PAIN001_NS}}}{tag}", attrs)
    if text is not None:
        e.text = text
    return e


def _path(parent: etree._Element, tags: str, text: str) -> None:
    """`_path(p, "Id/IBAN", x)`: a chain of single children ending in a text."""
    *inner, last = tags.split("/")
    for tag in inner:
        parent = _el(parent, tag)
    _el(parent, last, text)


def pain001_xml(orders: Iterable[PaymentOrder], *, payer: Payer, message_id: str,
                created_at: dt.datetime, execution_date: dt.date) -> bytes:
    """A pain.001.001.09 credit transfer initiation paying every order from the payer's account.

    Raises ValueError("no payment orders for YYYY-MM") (the execution month) on an empty batch:
    the message needs at least one transaction.
    """
    if not isinstance(message_id, str) or not 1 <= len(message_id) <= _MAX35:
        raise ValueError(f"message_id {message_id!r} must be 1-35 characters")
    if not isinstance(created_at, dt.datetime):
        raise TypeError(f"created_at must be a datetime, not {type(created_at).__name__}")
    if not isinstance(execution_date, dt.date) or isinstance(execution_date, dt.datetime):
        raise TypeError(f"execution_date must be a date, not {type(execution_date).__name__}")
    txs = _sorted_orders(orders)
    if not txs:
        raise ValueError(f"no payment orders for {execution_date:%Y-%m}")
    count = str(len(txs))
    total = _money(sum((_whole_tenge(o.amount_kzt) for o in txs), Decimal(0)))
    payer_name = _text(payer.name, _MAX140)

    root = etree.Element(f"{{{PAIN001_NS}}}Document", nsmap={None: PAIN001_NS})
    init = _el(root, "CstmrCdtTrfInitn")

    hdr = _el(init, "GrpHdr")
    _el(hdr, "MsgId", message_id)
    _el(hdr, "CreDtTm", created_at.isoformat(timespec="seconds"))
    _el(hdr, "NbOfTxs", count)
    _el(hdr, "CtrlSum", total)
    _path(hdr, "InitgPty/Nm", payer_name)

    # One instruction for the whole batch: one debit date, one debtor account.
    pmt = _el(init, "PmtInf")
    _el(pmt, "PmtInfId", message_id)
    _el(pmt, "PmtMtd", "TRF")
    _el(pmt, "BtchBookg", "true")
    _el(pmt, "NbOfTxs", count)
    _el(pmt, "CtrlSum", total)
    _path(pmt, "ReqdExctnDt/Dt", execution_date.isoformat())
    _path(pmt, "Dbtr/Nm", payer_name)
    _path(pmt, "DbtrAcct/Id/IBAN", payer.iban)
    _path(pmt, "DbtrAgt/FinInstnId/BICFI", payer.bic)
    _el(pmt, "ChrgBr", "SLEV")

    for o in txs:
        tx = _el(pmt, "CdtTrfTxInf")
        pid = _el(tx, "PmtId")
        _el(pid, "InstrId", o.order_id)
        _el(pid, "EndToEndId", o.order_id)
        _el(_el(tx, "Amt"), "InstdAmt", _money(_whole_tenge(o.amount_kzt)), Ccy=CURRENCY)
        _path(tx, "Cdtr/Nm", _text(o.name, _MAX140))
        _path(tx, "CdtrAcct/Id/IBAN", o.bank_account)
        _path(tx, "RmtInf/Ustrd", _remittance(o))

    # The declaration by hand, in the double-quoted form of ISO 20022's own samples (lxml writes single quotes).
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


@cache
def _schema() -> etree.XMLSchema:
    xsd = resources.files("familycard.graph.bank").joinpath("xsd", f"{PAIN001_VERSION}.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd))


# Untrusted input: no entity expansion, no network fetches, no DTD loading.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _readable_path(e: etree._Element) -> str:
    """Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf[2]/CdtrAcct/Id: where a person can find it."""
    steps = []
    while e is not None:
        step = etree.QName(e).localname
        parent = e.getparent()
        if parent is not None:
            same = [s for s in parent if s.tag == e.tag]
            if len(same) > 1:
                step += f"[{same.index(e) + 1}]"
        steps.append(step)
        e = parent
    return "/".join(reversed(steps))


def _describe(doc: etree._Element, error: etree._LogEntry) -> str:
    message = error.message.replace(f"{{{PAIN001_NS}}}", "")  # the namespace is the same everywhere
    found = doc.xpath(error.path) if error.path else []
    where = f" ({_readable_path(found[0])})" if found and isinstance(found[0], etree._Element) else ""
    return f"line {error.line}{where}: {message}"


def validate_pain001(xml: bytes) -> None:
    """Raise ValueError listing what is wrong (line and message) unless `xml` is a valid pain.001.001.09.

    Beyond the XSD: the header's and the instruction's NbOfTxs and CtrlSum must match the
    transactions, and EndToEndIds must be unique — what a bank checks and the schema cannot.
    """
    try:
        doc = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"pain.001 is not well-formed XML: {e}") from None
    schema = _schema()
    if not schema.validate(doc):
        errors = "\n".join(_describe(doc, e) for e in schema.error_log)
        raise ValueError(f"pain.001 is not valid against {PAIN001_VERSION}.xsd:\n{errors}")

    ns = {"p": PAIN001_NS}
    problems: list[str] = []

    def amount(tx: etree._Element) -> str:
        # Amt is a choice: an instructed amount, or an equivalent amount in another currency.
        return tx.findtext("p:Amt/p:InstdAmt", namespaces=ns) or tx.findtext("p:Amt/p:EqvtAmt/p:Amt", namespaces=ns)

    def check(node: etree._Element, what: str, amounts: list[str]) -> None:
        nb = node.findtext("p:NbOfTxs", namespaces=ns)
        if nb is not None and int(nb) != len(amounts):
            problems.append(f"line {node.sourceline}: {what} NbOfTxs is {nb}, "
                            f"but there are {len(amounts)} transactions")
        ctrl = node.findtext("p:CtrlSum", namespaces=ns)
        total = sum((Decimal(a) for a in amounts), Decimal(0))
        if ctrl is not None and Decimal(ctrl) != total:
            problems.append(f"line {node.sourceline}: {what} CtrlSum is {ctrl}, but the amounts add up to {total}")

    all_amounts: list[str] = []
    for pmt in doc.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", ns):
        amounts = [amount(tx) for tx in pmt.iterfind("p:CdtTrfTxInf", ns)]
        check(pmt, "PmtInf", amounts)
        all_amounts += amounts
    hdr = doc.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    check(hdr, "GrpHdr", all_amounts)
    seen: set[str] = set()
    for e in doc.iterfind(".//p:CdtTrfTxInf/p:PmtId/p:EndToEndId", ns):
        if e.text in seen:
            problems.append(f"line {e.sourceline}: duplicate EndToEndId {e.text!r}")
        seen.add(e.text)
    if problems:
        raise ValueError("pain.001 is inconsistent:\n" + "\n".join(problems))
