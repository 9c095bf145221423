"""`node(id:)`: any object the API gave out an id for, by that id (Relay's Node)."""
from familycard.api.nodes.queries import Query

__all__ = [
    "Query",
]
