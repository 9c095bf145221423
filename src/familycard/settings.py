"""All configuration, from the environment (prefix ``FAMILYCARD_``) or a ``.env`` file.

Built once by the CLI (or the app) and passed down; nothing else reads ``os.environ``.
"""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import BaseModel, SecretStr, StringConstraints, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

Role = Literal["frontend", "caseworker", "auditor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)  # the one list of roles: the API's, the tokens', the CLI's


class ApiKey(BaseModel):
    role: Role
    key: SecretStr


def _default_data_dir() -> Path:
    return Path(user_data_dir("familycard", appauthor=False))


LOCAL_SETTINGS = "settings.env"
"""The data folder's own settings file (``FAMILYCARD_…=…`` lines): `familycard demo` keeps the keys
of its API there (mode 0600), so that `familycard serve` and `familycard token` go on with them."""


def size_bytes(size: str) -> int:
    """``512m``, ``4g``, ``100k`` (the JVM's way of writing a size) in bytes."""
    return int(size[:-1]) * 1024 ** " kmg".index(size[-1].lower())


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
    neo4j_heap: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,5}[kmgKMG]$")] = "512m"
    neo4j_pagecache: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,5}[kmgKMG]$")] = "256m"
    """The local Neo4j's JVM heap and page cache (`512m`, `4g`): the defaults suit a laptop and the
    tests; a store of millions of people wants its page cache near the size of its store folder
    (5 M people: 35 GB; sweeping it with 256 MB of page cache reads the disk for every fact)."""

    ladybug_buffer_pool: Annotated[str, StringConstraints(pattern=r"^([1-9][0-9]{0,5}[kmgKMG])?$")] = ""
    """The embedded store's buffer pool (`4g`, `512m`); empty: LadybugDB's own default, 80 % of the
    machine's memory. A read of a large store fills it (5 M people: a sweep held 17 GB), so on a
    machine shared with anything else, give it a size (issue 17, BENCHMARKS "Country scale")."""

    @property
    def ladybug_buffer_pool_bytes(self) -> int:
        """``ladybug_buffer_pool`` in bytes; 0: LadybugDB's default."""
        return size_bytes(self.ladybug_buffer_pool) if self.ladybug_buffer_pool else 0

    sms_gateway: Literal["file", "console", "http"] = "file"
    """Where `familycard sms send` hands SMS: a JSONL file (default), the console, or an HTTP provider."""
    sms_file: Path | None = None
    """The file gateway's JSONL file (default: `sms-outbox.jsonl` in the data folder)."""
    sms_url: str | None = None
    """The HTTP gateway's endpoint (one POST a message, with an Idempotency-Key header)."""
    sms_token: SecretStr | None = None
    sms_max_attempts: int = 5
    webhook_token: SecretStr | None = None
    """Bearer token the SMS provider must send to the reply webhook; without one it is closed."""
    payments_dir: Path | None = None
    """Where `familycard pay` writes registers and pain.001 files (default: `payments` in the data folder)."""
    payer_name: str | None = None
    payer_iban: str | None = None
    payer_bic: str | None = None
    """The paying agency in pain.001; unset, the placeholders of `graph.payment_files.Payer`."""
    lease_ttl_s: float = 60.0
    """How long a run's hold on its job (sweep, sms send, pay) lasts unless renewed (every third of it);
    a run killed on another host is taken over after that (on the same host, as soon as its pid is gone)."""
    load_pause_s: float = 0.0
    """A test hook: seconds `familycard load` waits after each table of its bulk step (the crash
    tests kill it there); 0 in use."""


    # --- the GraphQL API (`familycard serve`) ---------------------------------------------
    jwt_secret: SecretStr | None = None
    """HS256 key of the bearer tokens (claims: sub, role, exp); unset, only API keys work."""
    jwt_audience: str = "familycard"
    api_keys: dict[str, ApiKey] = {}
    """Named API keys, as JSON: {"portal": {"role": "frontend", "key": "…"}}."""
    id_secret: SecretStr | None = None
    """Key of the opaque citizen ids; unset, a random one per process (ids then change on restart)."""
    graphiql: bool = False
    introspection: bool = False
    cors_origins: Annotated[list[str], NoDecode] = []
    """Origins whose web pages may call the API from a browser (CORS), as a JSON list or separated
    by commas: `https://portal.example.kz`; empty, none (a browser on another origin is refused)."""
    max_depth: int = 10
    max_tokens: int = 2_000
    max_aliases: int = 15
    max_fields: int = 2_000
    """Fields a query may select with its fragments expanded (a fragment spread twice counts twice)."""
    max_cost: int = 50
    """What a query may make the store do (api/limits/sizing.py COSTS: a family card 1, its entitlements 20)."""
    max_batch: int = 0
    """Operations a batched request may carry; 0 turns batching off."""
    max_body_bytes: int = 256 * 1024
    max_page: int = 100
    """The largest `first` a connection accepts."""
    request_timeout_s: float = 10.0
    max_in_flight: int = 16
    """GraphQL requests run at once; more wait for a turn, up to `queue_wait_s`."""
    queue_wait_s: float = 0.25
    """How long a request may wait for its turn before it is refused (503, Retry-After)."""
    query_timeout_s: float = 5.0
    """A saved query's run: its time limit and its row cap."""
    query_max_rows: int = 1_000
    query_max_bytes: int = 4_000_000
    """A saved query's result, in bytes as JSON (about): one row can be large (a list)."""
    ingest_max_records: int = 10_000
    """Records one `ingestRecords` mutation may carry (larger feeds: `familycard ingest`)."""

    @classmethod
    def load(cls, **overrides) -> Settings:
        """The settings as the CLI reads them: the environment, then ``./.env``, then the data
        folder's ``settings.env`` (each wins over the next). The data folder itself comes from the
        first two only: a settings file inside a folder cannot say where that folder is."""
        first = cls(**overrides)
        local = first.data_dir / LOCAL_SETTINGS
        if not local.is_file():
            return first
        return cls(_env_file=(local, ".env"), **{**overrides, "data_dir": first.data_dir})

    @property
    def local_settings_path(self) -> Path:
        return self.data_dir / LOCAL_SETTINGS

    @property
    def sms_file_path(self) -> Path:
        return self.sms_file or self.data_dir / "sms-outbox.jsonl"

    @property
    def payments_path(self) -> Path:
        return self.payments_dir or self.data_dir / "payments"

    @field_validator("jwt_secret", "id_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, v):
        # docker compose passes `${VAR:-}` through as "": that means "not configured".
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, v):
        if v is not None and len(v.get_secret_value().encode()) < 32:
            raise ValueError("an HS256 key needs at least 32 bytes (RFC 7518 3.2)")
        return v

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origin_list(cls, v):
        if isinstance(v, str):
            v = v.strip()
            if v.startswith("["):
                try:
                    return json.loads(v)
                except json.JSONDecodeError as e:
                    raise ValueError(f"not a JSON list: {e}") from None
            return [x.strip() for x in v.split(",") if x.strip()]
        return v

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        out = []
        for origin in v:
            if origin == "*":  # any origin: bearer tokens, not cookies, so no page acts as the user
                out.append(origin)
                continue
            url = urlsplit(origin)
            if url.scheme not in ("http", "https") or not url.hostname or url.path or url.query or url.fragment \
                    or url.username is not None:
                # a browser's Origin is exactly scheme://host[:port]: "https://portal.kz/" never matches
                raise ValueError(f"origin '{origin[:100]}': must be scheme://host[:port], "
                                 "like https://portal.example.kz (no path, no trailing slash)")
            out.append(f"{url.scheme}://{url.netloc}".lower())
        return out

    @field_validator("store", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.lower() if isinstance(v, str) else v


# --- reading them: what is wrong, said without a traceback and without a secret ----------

PREFIX = "FAMILYCARD_"


class SettingsInvalid(ValueError):
    """Settings that cannot be used: ``lines`` name each variable and what is wrong with it
    (a secret's value is never among them)."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def _holds_secret(annotation) -> bool:
    """A SecretStr, or a structure with one inside (``api_keys``: a dict of ``ApiKey``)."""
    if annotation is SecretStr:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_holds_secret(f.annotation) for f in annotation.model_fields.values())
    return any(_holds_secret(a) for a in get_args(annotation))


SECRETS = frozenset(n for n, f in Settings.model_fields.items() if _holds_secret(f.annotation))


def load(**overrides) -> Settings:
    """``Settings.load()`` (the environment, ``.env``, the data folder's ``settings.env``);
    ``SettingsInvalid`` when they cannot be used."""
    try:
        return Settings.load(**overrides)
    except ValidationError as e:
        raise SettingsInvalid([_problem(err) for err in e.errors()]) from None
    except SettingsError as e:  # a JSON-valued setting (FAMILYCARD_API_KEYS) that is not JSON
        m = re.search(r'field "(\w+)"', str(e))
        name = PREFIX + (m[1].upper() if m else "?")
        # json's message gives the position only, never the text: safe for a secret.
        why = str(e.__cause__) if isinstance(e.__cause__, json.JSONDecodeError) else "cannot be read"
        raise SettingsInvalid([f"{name}: not valid JSON ({why})"]) from None


def _problem(err: dict) -> str:
    field, *path = err["loc"] or ("",)
    name = PREFIX + str(field).upper() if field else "settings"
    where = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    msg = err["msg"].removeprefix("Value error, ")
    if field in SECRETS or field not in Settings.model_fields:  # a secret (or, from a check of
        # several settings together, all of them) is never echoed, nor any part of it
        return f"{name}{': ' + where if where else ''}: {msg}"
    return f"{name}={err['input']!r}{' at ' + where if where else ''}: {msg}"


def unknown_names(environ: Mapping[str, str], dotenv: Mapping[str, str | None] | None = None,
                  ) -> list[tuple[str, str | None]]:
    """``FAMILYCARD_`` names in the environment or ``.env`` that are no setting (each with the
    closest setting's name, or None): a misspelt one would otherwise be ignored in silence, and
    the default used instead of what was meant."""
    known = sorted(n.upper() for n in Settings.model_fields)
    out = []
    for name in sorted({*environ, *(dotenv or {})}):
        rest = name.upper()[len(PREFIX):]
        if name.upper().startswith(PREFIX) and rest not in known:  # pydantic-settings ignores case
            # Compared without the prefix, which every name shares and would make all alike.
            close = difflib.get_close_matches(rest, known, n=1, cutoff=0.6)
            out.append((name, PREFIX + close[0] if close else None))
    return out


def unknown_names_here() -> list[tuple[str, str | None]]:
    """``unknown_names`` of this process's environment and of the ``.env`` file Settings reads."""
    env_file = Path(Settings.model_config.get("env_file") or ".env")
    dotenv = {}
    if env_file.is_file():
        from dotenv import dotenv_values

        with contextlib.suppress(OSError, UnicodeDecodeError):
            dotenv = dotenv_values(env_file)
    return unknown_names(os.environ, dotenv)
