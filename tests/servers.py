"""The API as the tests reach it: in process, its settings with a key for each role
(``settings_for``, ``KEYS``) and a GraphQL call (``gql``); or as a real `familycard serve`
process on a free port (``serve``)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr

from familycard.settings import Settings

KEYS = {role: f"key-{role}" for role in ("frontend", "caseworker", "auditor", "admin")}
SECRET = "test-jwt-secret-of-at-least-32-bytes!"


def settings_for(tmp_path, **kw) -> Settings:
    """The API's settings with one API key a role (``KEYS``), JWTs signed with ``SECRET``."""
    return Settings(data_dir=tmp_path, jwt_secret=SecretStr(SECRET), id_secret=SecretStr("ids"),
                    api_keys={f"{r}-app": {"role": r, "key": k} for r, k in KEYS.items()}, **kw)


def gql(client, query: str, role: str | None = None, token: str | None = None, **variables) -> dict:
    """POST a query as ``role`` (its key) or with ``token``, or anonymously; the answer must be 200."""
    headers = {}
    if role or token:
        headers["Authorization"] = f"Bearer {token or KEYS[role]}"
    r = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(tmp_path: Path, timeout: float = 60, **env: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`familycard serve --no-access-log` on a free port with its own data folder under
    ``tmp_path`` (none of the caller's FAMILYCARD_ variables, ``env`` added), once /health says
    200: the process and its URL. Killed at the end whatever happened (a server frozen by a bomb
    must not outlive the test). Its log goes to a file, which a server that did not start shows."""
    import httpx

    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    environ.update(FAMILYCARD_DATA_DIR=str(tmp_path / "data"), **env)
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "familycard.cli", "serve", "--port", str(port),
                                 "--no-access-log"], env=environ, cwd=tmp_path, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, f"the server did not start: {log.read_text(errors='replace')[-2000:]}"
            assert time.monotonic() < deadline, f"the server did not answer /health in {timeout:g} s"
            time.sleep(0.2)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
