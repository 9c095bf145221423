"""What goes to the bank: a month's payment register (CSV) and its ISO 20022 pain.001 credit
transfer file, validated against the official XSD (``xsd/``) and its control sums.

The flow decides what is paid (``flow.payments``); this package only writes it down, the same
bytes on every rerun.
"""
from familycard.graph.bank.payment_files import (
    CURRENCY,
    PAIN001_NS,
    PAIN001_VERSION,
    REGISTER_COLUMNS,
    Payer,
    PaymentOrder,
    pain001_xml,
    register_csv,
    validate_pain001,
)

__all__ = ["CURRENCY", "PAIN001_NS", "PAIN001_VERSION", "REGISTER_COLUMNS", "Payer", "PaymentOrder",
           "pain001_xml", "register_csv", "validate_pain001"]
