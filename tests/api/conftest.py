"""The API tests' fixtures (the engines' stores are tests/conftest.py's)."""
from __future__ import annotations

import pytest

from api.family import AS_OF, Family
from familycard.graph.ingest import ingest_lines
from feedmaker import lines


@pytest.fixture
def family(store) -> Family:
    """``Family`` ingested into the store, on each engine; none of its records rejected."""
    f = Family()
    summary = ingest_lines(store, lines(*f.records), "feed", AS_OF)
    assert summary.rejected == 0, summary.rejections
    return f
