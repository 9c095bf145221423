"""The catalogue of benefits, the one part of the API open without a token."""
from familycard.api.benefits.queries import Query
from familycard.api.benefits.types import Benefit, Texts, benefit, texts

__all__ = [
    "Benefit",
    "Query",
    "Texts",
    "benefit",
    "texts",
]
