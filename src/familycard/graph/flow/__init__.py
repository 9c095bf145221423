"""The flow after the sweep: offers, the SMS out and in, consent, assignments and payment orders.

    offers      a right found becomes an offer (once per right), lapses, is withdrawn
    outbox      queued SMS sent through a gateway, each message once
    inbox       a citizen's reply: the recipient's own, unambiguous consent or refusal
    recheck     a right re-checked before it is assigned or paid; withdrawn or ended if gone
    orders      the dated assignment and its payment orders
    payments    a month's payment run: orders, the register and the pain.001 file
    worklist    what a caseworker must act on (no phone, invalid phone, no account, ...)
    trail       the audit events every step writes; ``history`` tells them in words

Every record is keyed from the right it serves (``rules.right_key``), so a rerun after a crash
or by mistake finds what it would create and creates nothing twice.
"""
from typing import TYPE_CHECKING

from familycard._lazy import lazy_exports

_EXPORTS = {
    "receive": "inbox",
    "OfferSummary": "offers", "lapse_overdue": "offers", "record_offers": "offers", "rules_by_code": "offers",
    "assign": "orders", "month_of": "orders", "parse_month": "orders",
    "SENDER": "outbox", "SendSummary": "outbox", "send_outbox": "outbox",
    "PaySummary": "payments", "pay_month": "payments",
    "confirm": "recheck", "end_rights": "recheck", "withdraw_vanished": "recheck",
    "REASONS": "worklist", "open_tasks": "worklist",
}
__all__ = ["REASONS", "SENDER", "OfferSummary", "PaySummary", "SendSummary", "assign", "confirm",
    "end_rights", "lapse_overdue", "month_of", "open_tasks", "parse_month", "pay_month", "receive",
    "record_offers", "rules_by_code", "send_outbox", "withdraw_vanished"]
__getattr__ = lazy_exports(__name__, _EXPORTS)  # a module's imports are paid when it is used

if TYPE_CHECKING:
    from familycard.graph.flow.inbox import receive
    from familycard.graph.flow.offers import OfferSummary, lapse_overdue, record_offers, rules_by_code
    from familycard.graph.flow.orders import assign, month_of, parse_month
    from familycard.graph.flow.outbox import SENDER, SendSummary, send_outbox
    from familycard.graph.flow.payments import PaySummary, pay_month
    from familycard.graph.flow.recheck import confirm, end_rights, withdraw_vanished
    from familycard.graph.flow.worklist import REASONS, open_tasks
