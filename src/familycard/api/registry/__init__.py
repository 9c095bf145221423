"""Records from the registries, ingested through the API."""
from familycard.api.registry.mutations import IngestReport, Mutation

__all__ = [
    "IngestReport",
    "Mutation",
]
