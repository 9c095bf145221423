"""The API tests' fixtures (the engines' stores are tests/conftest.py's)."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from api.family import AS_OF, Family
from familycard.api.app import create_app
from familycard.graph.ingest import ingest_lines
from feedmaker import lines, link, person
from servers import KEYS, settings_for

AUTH = {"Authorization": f"Bearer {KEYS['admin']}"}


@pytest.fixture
def family(store) -> Family:
    """``Family`` ingested into the store, on each engine; none of its records rejected."""
    f = Family()
    summary = ingest_lines(store, lines(*f.records), "feed", AS_OF)
    assert summary.rejected == 0, summary.rejections
    return f


@pytest.fixture
def people(store):
    """A mother and her child at one address, on each engine."""
    mother, child = person("1990-03-01", "F", address_id="A1"), person("2020-01-01", "M", address_id="A1")
    ingest_lines(store, lines(mother, child, link("PARENT_OF", mother, child)), "feed", dt.date(2026, 11, 25))
    return mother, child


def client_for(store, tmp_path, **kw) -> TestClient:
    """The app on ``store`` with the test keys and the given settings."""
    return TestClient(create_app(settings_for(tmp_path, **kw), store=store))


def post(c, body, headers=AUTH):
    return c.post("/graphql", json=body, headers=headers)
