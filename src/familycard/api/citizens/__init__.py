"""A citizen by IIN or id: their record and facts, masked as the caller's role sees them."""
from familycard.api.citizens.queries import CitizenId, Iin, Query, resolve_iin
from familycard.api.citizens.types import Citizen, Fact, citizen

__all__ = [
    "Citizen",
    "CitizenId",
    "Fact",
    "Iin",
    "Query",
    "citizen",
    "resolve_iin",
]
