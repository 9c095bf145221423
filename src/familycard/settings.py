"""All configuration, from the environment (prefix ``FAMILYCARD_``) or a ``.env`` file.

Built once by the CLI (or the app) and passed down; nothing else reads ``os.environ``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(user_data_dir("familycard", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAMILYCARD_", env_file=".env", extra="ignore")

    store: Literal["embedded", "neo4j"] = "embedded"
    """`embedded` (LadybugDB in a local folder) or `neo4j` (a Neo4j 5 server over Bolt)."""
    data_dir: Path = _default_data_dir()
    """The embedded graph's folder (and the local Neo4j's, when started by familycard)."""
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str | None = None
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_home: Path | None = None
    """Where `familycard neo4j start` keeps the Neo4j jars (default: the user cache folder)."""

    @field_validator("store", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.lower() if isinstance(v, str) else v
