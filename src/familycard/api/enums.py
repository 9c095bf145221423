"""The API's enums, each made from the tuple where its values are defined (the flow, the
model, the rules), so that the enum and what the store holds cannot drift apart: a value
added there without a description here fails at import (and so in the tests).

Values read back from the store (statuses, periodicities) have an extra member, UNKNOWN: a
value written by a newer familycard, or by hand, is shown as UNKNOWN (and logged), and the
list it is in still comes back (see types.enum_of).
"""
from __future__ import annotations

from familycard.api.types import api_enum
from familycard.graph import model, rules, saved_queries, sweep
from familycard.graph.cards import people
from familycard.graph.flow import history, inbox, offers, worklist
from familycard.schema import vocabulary
from familycard.settings import ROLES

OfferStatus = api_enum("OfferStatus", offers.STATUSES, {
    "open": "Sent (or waiting to be sent) by SMS; waiting for the citizen's answer until `deadline`.",
    "notified": "A notification that asks for no answer: the citizen was told.",
    "consented": "The citizen said yes; the right was re-checked and assigned.",
    "refused": "The citizen said no (it can be taken back by a \"yes\" within 24 hours).",
    "lapsed": "No answer in time: offered once more.",
    "expired": "No answer to the second offer either: final.",
    "withdrawn": "The right no longer held when re-checked; `reason` says which conditions failed.",
}, "Where an offer is in its life (model.md).", unknown=True)

AssignmentStatus = api_enum("AssignmentStatus", model.ASSIGNMENT_STATUSES, {
    "active": "Paid: each month for a monthly benefit, once for a one-off one.",
    "ended": "The right no longer held when re-checked before a month's payment: payments stopped.",
}, "Whether a consented right is still paid.", unknown=True)

PaymentStatus = api_enum("PaymentStatus", model.PAYMENT_STATUSES, {
    "ordered": "A payment order in the month's file for the bank; no bank confirmation is read back yet, "
               "so this is not proof that the money arrived.",
}, "Where a payment order is.", unknown=True)

Periodicity = api_enum("Periodicity", rules.PERIODICITIES, {
    "one_off": "Paid once (a birth, a burial).",
    "monthly": "Paid every month while the right holds.",
    "notice": "Nothing is paid: the citizen is told of a right or a date.",
}, "How often a benefit pays.", unknown=True)

BenefitKind = api_enum("BenefitKind", rules.KINDS, {
    "benefit": "Money paid once the citizen consents.",
    "notification": "A notice only (a document about to expire, a right to apply for elsewhere).",
}, "What a rule finds: a benefit to offer or a notice to send.")

Relation = api_enum("Relation", tuple(dict.fromkeys(people.RELATION.values())), {
    "parent": "The relative is the person's parent.",
    "child": "The relative is the person's child.",
    "spouse": "The relative is the person's spouse.",
    "guardian": "The relative is the person's guardian.",
    "ward": "The relative is the person's ward.",
}, "How a relative is related, seen from the card's person.")

SavedQueryStatus = api_enum("SavedQueryStatus", saved_queries.STATUSES, {
    "current": "The version a run without a version number uses.",
    "superseded": "An older version: still runnable by its number.",
    "deleted": "The query was deleted; its versions are kept and still runnable by number.",
}, "Which version of a saved query is in use.", unknown=True)

SweepMode = api_enum("SweepMode", sweep.MODES, {
    "full": "Every rule for every person.",
    "incremental": "Only the people the records ingested since the day's last sweep can concern.",
    "partial": "Some benefits only (`benefits` was given).",
}, "What a sweep covered.")

ReplyOutcome = api_enum("ReplyOutcome", inbox.OUTCOMES, {
    "consented": "Every offer it answered was consented to.",
    "refused": "Every offer it answered was refused.",
    "decided": "It consented to some offers and refused others.",
    "clarify": "It was unclear: one SMS asking to clarify was sent.",
    "unclear_again": "Unclear again after a clarifying SMS: logged, not answered.",
    "no_offer": "The phone is a known citizen's, but nothing was open for it.",
    "unknown_number": "No citizen and no offer has this phone.",
    "duplicate": "The same answer came before; nothing changed (`reason` says what it did then).",
}, "What a citizen's reply did.")

Decision = api_enum("Decision", inbox.DECISIONS, {
    "consent": "Consented: assigned.",
    "refusal": "Refused.",
    "withdrawn": "Consented, but the right no longer held when re-checked: withdrawn, and the citizen told.",
}, "What a reply decided for one offer.")

ParameterType = api_enum("ParameterType", saved_queries.TYPES, {
    "STRING": "A text.",
    "INT": "A whole number (64 bits).",
    "FLOAT": "A number with a fraction.",
    "BOOLEAN": "true or false.",
    "DATE": "A day, YYYY-MM-DD (a text in `arguments`).",
}, "The type of a saved query's parameter; a run's argument must be of it.", unknown=True)

FactType = api_enum("FactType", vocabulary.FACT_TYPES, {
    "disability": "A disability: `disabilityGroup`, and `workCapacityLossPercent` if assessed.",
    "employment": "Employed by `employerBin`.",
    "contribution": "A month's social contribution paid for the person: `month`, `amountKzt`.",
    "income": "A month's income: `month`, `amountKzt`.",
    "unemployed": "Registered as unemployed.",
    "award": "An award to a mother of many children: `name`.",
    "kandas": "Kandas (ethnic Kazakh returnee) status.",
    "student": "A full-time student.",
    "pension": "Receives a pension.",
    "benefit": "Already paid a benefit by another agency: `benefit`.",
}, "What a registry fact is about (records.md).", unknown=True)

Role = api_enum("Role", ROLES, {
    "frontend": "A citizen-facing app: cards and graphs, personal data masked.",
    "caseworker": "Staff who call citizens and fix the worklist.",
    "auditor": "Checks who was paid what, by saved queries.",
    "admin": "Runs the system; reads the access log.",
}, "Whom a token or an API key speaks for (README, \"Roles and personal data\").", unknown=True)

EventKind = api_enum("EventKind", history.KINDS, {
    "offered": "The right was offered.",
    "worklisted": "A caseworker's task was made for it.",
    "replied": "A reply came (by SMS, or entered by staff).",
    "lapsed": "No answer by the deadline: it will be offered once more.",
    "expired": "No answer to the second offer either: final.",
    "reopened": "A refusal was taken back within 24 hours.",
    "consented": "The citizen said yes.",
    "refused": "The citizen said no.",
    "withdrawn": "The right no longer held when re-checked.",
    "assigned": "Consent was confirmed and the right assigned.",
    "paid": "A payment order was made (not yet a bank's confirmation).",
    "ended": "The assignment ended: the right no longer held.",
    "queued": "An SMS was queued.",
    "sent": "An SMS left through the gateway.",
    "failed": "An SMS could not be sent.",
}, "A step in the life of an offer, its messages and its payments (the audit trail).", unknown=True)

TaskReason = api_enum("TaskReason", tuple(worklist.REASONS), {
    "no_phone": "No phone in the registry: offer the right in person.",
    "invalid_phone": "The registry's phone is not a Kazakh mobile: offer the right in person.",
    "sms_failed": "The SMS gateway refused the offer's message for good.",
    "no_account": "Consented, but there is no bank account: the payment waits.",
    "invalid_account": "Consented, but the bank account is not a valid Kazakh IBAN: the payment waits.",
    "shared_phone": "Answered from a phone with offers for several people: confirm who answered.",
    "withdrawn": "The right no longer held when re-checked: the offer was withdrawn.",
    "ended": "The right no longer held when re-checked: payments stopped.",
}, "Why a caseworker has a task (the worklist).", unknown=True)

TaskStatus = api_enum("TaskStatus", worklist.STATUSES, {
    "open": "Waiting for a caseworker (or for its cause to go away).",
    "closed": "Done: its cause went away, or a caseworker closed it (`closedBy`, `note`).",
}, "Whether a task still needs someone.", unknown=True)
