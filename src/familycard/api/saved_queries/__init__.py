"""Saved read-only Cypher queries, saved and run by name by auditors and admins; every run is logged."""
from familycard.api.saved_queries.mutations import Mutation
from familycard.api.saved_queries.queries import Query
from familycard.api.saved_queries.types import QueryResult, QueryRun, SavedQuery, query_run, saved_query

__all__ = [
    "Mutation",
    "Query",
    "QueryResult",
    "QueryRun",
    "SavedQuery",
    "query_run",
    "saved_query",
]
