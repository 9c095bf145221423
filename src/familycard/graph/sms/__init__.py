"""SMS: the gateways that carry them, phone numbers, the texts and their length, replies read.

    gateways    where an SMS goes (a file, the console, an HTTP provider) and what it answers
    phones      Kazakh mobile numbers: normalised to E.164, checked (masked in schema.values)
    texts       the offers' and the flow's texts (kk + ru, data in ``texts.yaml``)
    length      GSM-7 / UCS-2 parts of a text (3GPP TS 23.038)
    replies     a citizen's reply read as consent, refusal, a choice of offers, or neither
                (the words are data in ``reply_words.yaml``)

Nothing here writes the store: the flow's outbox sends through a gateway, its inbox reads
replies with ``replies``.
"""
from typing import TYPE_CHECKING

from familycard._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(("GATEWAY_KINDS", "ConsoleGateway", "FileGateway", "Gateway", "GatewayError", "HttpGateway",
                     "OutgoingSms", "Sent", "make_gateway"), "gateways"),
    "MAX_PARTS": "length", "sms_parts": "length",
    "is_sms_capable": "phones", "normalise_phone": "phones",
    **dict.fromkeys(("Reply", "Resolution", "parse_reply", "resolve"), "replies"),
}
__all__ = ["GATEWAY_KINDS", "MAX_PARTS", "ConsoleGateway", "FileGateway", "Gateway", "GatewayError",
    "HttpGateway", "OutgoingSms", "Reply", "Resolution", "Sent", "is_sms_capable", "make_gateway",
    "normalise_phone", "parse_reply", "resolve", "sms_parts"]
__getattr__ = lazy_exports(__name__, _EXPORTS)  # the HTTP gateway's httpx only for who sends

if TYPE_CHECKING:
    from familycard.graph.sms.gateways import (
        GATEWAY_KINDS,
        ConsoleGateway,
        FileGateway,
        Gateway,
        GatewayError,
        HttpGateway,
        OutgoingSms,
        Sent,
        make_gateway,
    )
    from familycard.graph.sms.length import MAX_PARTS, sms_parts
    from familycard.graph.sms.phones import is_sms_capable, normalise_phone
    from familycard.graph.sms.replies import Reply, Resolution, parse_reply, resolve
