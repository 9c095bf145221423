"""Offers, assignments and payments: the staff's list of offers, running the sweep, a citizen's
reply recorded by staff."""
from familycard.api.offers.mutations import Mutation
from familycard.api.offers.queries import OfferFilter, Query
from familycard.api.offers.types import (
    Assignment,
    Offer,
    Payment,
    assignment,
    note_subjects,
    offer,
    payment,
    status_filter,
)

__all__ = [
    "Assignment",
    "Mutation",
    "Offer",
    "OfferFilter",
    "Payment",
    "Query",
    "assignment",
    "note_subjects",
    "offer",
    "payment",
    "status_filter",
]
