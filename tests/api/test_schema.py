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
                 "  ): FamilyCard\n", "pageInfo: PageInfo!", "interface Node", "type Offer implements Node",
                 "  ): Node\n", "enum OfferStatus", "scalar DateTime",
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

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2
    schema = build_schema(Settings(introspection=True))._schema
    for block in blocks:
        assert validate(schema, parse(block)) == [], block


def _undocumented(schema) -> list[str]:
    from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

    out = []
    for name, t in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue
        if not (t.description or "").strip():
            out.append(name)
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for fname, f in t.fields.items():
                if not (f.description or "").strip():
                    out.append(f"{name}.{fname}")
                for aname, a in getattr(f, "args", {}).items():
                    if not (a.description or "").strip():
                        out.append(f"{name}.{fname}({aname})")
        if isinstance(t, GraphQLEnumType):
            out += [f"{name}.{v}" for v, value in t.values.items() if not (value.description or "").strip()]
    return out


def test_every_type_field_argument_and_enum_value_has_a_description():
    from familycard.api.schema import build_schema

    schema = build_schema(Settings(introspection=True))._schema
    assert _undocumented(schema) == []
    # and the walk does look: a field without one is found
    from graphql import build_schema as from_sdl

    assert _undocumented(from_sdl('"""q"""\ntype Query { """a"""\na(x: Int): Int }')) == ["Query.a(x)"]


def test_who_may_use_a_root_field_is_said_from_its_permission():
    text = sdl()
    assert "Who read whose card, newest first. Roles: admin." in text
    assert "Every benefit and notification familycard finds, benefits first. Public: no token needed." in text
    assert "Shown in full to caseworker, auditor, admin; masked to frontend (`********0012`)." in text
