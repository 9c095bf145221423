"""What only admins read: the access log (who read whose card, when, which fields)."""
from familycard.api.admin.queries import AccessRecord, Query

__all__ = [
    "AccessRecord",
    "Query",
]
