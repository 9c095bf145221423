"""The store interface: what the rest of familycard may ask of a graph engine.

Nothing here knows an engine, and the store never knows a benefit. ``open_store`` picks the
implementation from the settings.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Protocol, TypeVar

if TYPE_CHECKING:
    from familycard.settings import Settings

T = TypeVar("T")
Row = dict[str, Any]
Params = Mapping[str, Any] | None


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or opened; the message says which and why."""


class Tx(Protocol):
    """One unit of work: everything done through it lands together or not at all."""

    def run(self, query: str, params: Params = None) -> list[Row]: ...

    def insert(self, table: str, rows: list[Row]) -> None:
        """Add nodes (or links: rows with ``from`` and ``to`` keys) known not to exist yet."""

    def update(self, table: str, rows: list[Row]) -> None:
        """Replace every property of existing nodes (or links) with those of ``rows``."""

    def delete_rels(self, table: str, from_keys: list[str]) -> None:
        """Delete the links of ``table`` going out of these nodes."""

    def delete_nodes(self, table: str, keys: list[str]) -> None: ...


class Store(ABC):
    engine: ClassVar[str]
    # Records an ingest transaction: what suits the engine (measured in BENCHMARKS.md).
    ingest_batch: ClassVar[int] = 10_000

    @abstractmethod
    def setup_schema(self) -> None:
        """Declare tables (LadybugDB) or constraints and indexes (Neo4j); idempotent."""

    @abstractmethod
    def read(self, query: str, params: Params = None) -> list[Row]:
        """Run a read-only query; rows as dicts of plain Python values."""

    @abstractmethod
    def write(self, query: str, params: Params = None) -> list[Row]: ...

    @abstractmethod
    def transaction(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one transaction (retried on transient errors: keep it idempotent)."""

    def after_load(self) -> None:
        """Called after a load changed the graph a lot: whatever the engine needs so that the
        next queries are planned for the data as it now is (nothing, by default)."""

    def bulk_insert(self, table: str, rows: list[Row]) -> None:
        self.transaction(lambda tx: tx.insert(table, rows))

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_store(settings: "Settings") -> Store:
    """The store the settings name, with its schema in place."""
    if settings.store == "neo4j":
        from familycard.graph.neo4j_store import Neo4jStore

        store: Store = Neo4jStore(settings.neo4j_uri, settings.neo4j_user,
                                  settings.neo4j_password.get_secret_value() if settings.neo4j_password else None,
                                  settings.neo4j_database)
    else:
        from familycard.graph.ladybug_store import LadybugStore

        store = LadybugStore(settings.data_dir)
    store.setup_schema()
    return store
