"""The SDL is the frontends' contract: the exported file must be what the code serves."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from familycard.api.schema import SDL_PATH, sdl
from familycard.cli import main
from familycard.settings import Settings


def test_the_exported_sdl_is_the_schema_the_code_serves():
    assert SDL_PATH.read_text(encoding="utf-8") == sdl(), (
        "the GraphQL schema changed: review it, then `familycard schema --write`")


def test_the_sdl_documents_what_a_frontend_needs():
    text = sdl()
    for name in ("type FamilyCard", "type FamilyGraph", "type Citizen", "type Offer", "type SavedQuery",
                 "familyCard(iin: String = null, id: ID = null): FamilyCard", "pageInfo: PageInfo!",
                 "union IngestResult", "runSavedQuery("):
        assert name in text, name


def test_token_cli_issues_a_jwt_only_with_a_key(monkeypatch, capsys):
    monkeypatch.delenv("FAMILYCARD_JWT_SECRET", raising=False)
    assert main(["token", "--role", "auditor", "--subject", "ann"]) == 2
    assert "set FAMILYCARD_JWT_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("FAMILYCARD_JWT_SECRET", "x" * 32)
    assert main(["token", "--role", "auditor", "--subject", "ann"]) == 0
    assert capsys.readouterr().out.count(".") == 2


def test_a_short_or_blank_jwt_key_is_caught_in_the_settings():
    assert Settings(jwt_secret="  ").jwt_secret is None
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(jwt_secret="short")


def test_the_readme_examples_are_valid_operations_of_the_schema():
    import re
    from pathlib import Path

    from graphql import parse, validate

    from familycard.api.schema import build_schema

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2
    schema = build_schema(Settings(introspection=True))._schema
    for block in blocks:
        assert validate(schema, parse(block)) == [], block
