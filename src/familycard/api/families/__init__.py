"""A family card (kin, household, dependants, entitlements, offers) and the family graph."""
from familycard.api.families.queries import Query
from familycard.api.families.types import FamilyCard, FamilyGraph

__all__ = [
    "FamilyCard",
    "FamilyGraph",
    "Query",
]
