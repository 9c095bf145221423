"""Who is calling, as the server sees the token: the console asks it once after signing in."""
from familycard.api.viewer.queries import Query, Viewer

__all__ = [
    "Query",
    "Viewer",
]
