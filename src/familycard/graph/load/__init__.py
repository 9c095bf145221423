"""The first load of an empty store: a whole registry feed (records.md) at the engines' bulk speed.

``familycard ingest`` is made for the daily feed: batches in transactions, each checked against
the stored graph. A first load of a country (~240 M records) at its pace takes hours, so the load
goes another way, in four steps, each bounded in memory:

1. ``read``: the feed in blocks, decoded and checked in columns (IIN check digits, dates, IBAN
   mod-97, phones as vectorised expressions); a line the columns cannot vouch for goes through
   ``schema.records.parse_line``, so every rejection reads exactly as ingest's. Valid rows spill
   to Parquet files in the data folder (``plan.SPILL_KINDS``).
2. ``resolve``: last writer wins across the whole feed, links checked against the whole feed
   (self-links, age gap, cycles, a third living parent), links and facts whose persons never
   came kept as ``Pending``: the graph's tables as Parquet files (``plan.PLAN_TABLES``).
3. the engine's own bulk path: LadybugDB's ``COPY`` per table; Neo4j's importer
   (``neo4j-admin database import full``) into a stopped database, or its CSV files for a
   server elsewhere.
4. ``interrupted``: a load killed half-way leaves a marker the next command reports.
"""
from familycard._lazy import lazy_exports

# Lazy: a command that only reads the marker (every command opening the store) must not import
# polars and pyarrow with it. Not `interrupted`: that name is the marker's module.
_EXPORTS = {
    "ReadSummary": "read", "read_feeds": "read", "line_texts": "read",
    "ResolveSummary": "resolve", "resolve_spill": "resolve",
    "build_database": "ladybug", "swap_in": "ladybug",
    "LoadSummary": "run", "Step": "run", "StoreNotEmpty": "run", "load_feeds": "run", "store_contents": "run",
    "begin": "interrupted", "finish": "interrupted", "running": "interrupted",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
