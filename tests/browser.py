"""Pytest plugin: a real browser (the system's Chromium, driven by Playwright) against the real app
served by uvicorn. Load with ``pytest_plugins = ["browser"]`` (``tests/`` on the import path).

* ``chromium`` (module): Playwright's Browser on the Chromium found on the PATH
  (``chromium``, ``chromium-browser``, ``google-chrome``); Playwright never downloads one
  (``playwright install`` is not used). Without it the tests that need it are skipped with
  "BROWSER NOT RUN: <reason>"; when ``CI=true`` they fail instead (``.ci/run`` installs
  Debian's ``chromium``), as ``neo4j_fixture`` does for Neo4j.
* ``browser_page`` (function): a ``RecordedPage``: a fresh page (own context: no storage shared
  between tests) whose every request is recorded; a request to any host but the app's
  (127.0.0.1) is aborted and recorded as blocked; Content-Security-Policy violations and
  console errors are kept too, for the test to assert on.
* ``serve(app)``: a context manager that serves an ASGI app with uvicorn on a free port of
  127.0.0.1 in a thread and yields its base URL.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest

HOST = "127.0.0.1"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser_unavailable(reason: str) -> None:
    """Skip (locally) or fail (CI=true) the current test because no browser can run."""
    message = f"BROWSER NOT RUN: {reason}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Playwright's Browser on the system's Chromium (headless). Module-scoped: while Playwright's
    sync API is open it keeps an event loop running in the main thread, and every later test that
    calls ``asyncio.run`` failed ("cannot be called from a running event loop"); a launch costs
    about a second a module."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        browser_unavailable("the Python package 'playwright' is not installed (pip install -e '.[test]')")
    executable = find_chromium()
    if executable is None:
        browser_unavailable(f"no Chromium on the PATH (looked for {', '.join(CANDIDATES)}); "
                            "on Debian: apt-get install chromium")
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, headless=True)
        except Error as e:
            browser_unavailable(f"{executable} did not start: {str(e).splitlines()[0]}")
        try:
            yield browser
        finally:
            browser.close()


class Sent(NamedTuple):
    method: str
    url: str
    headers: dict[str, str]  # lower-case names


@dataclass
class RecordedPage:
    """A Playwright ``page`` with what it asked for: ``requests`` (every one, as ``Sent``),
    ``blocked`` (URLs of other hosts, aborted) and ``console_errors``; ``csp_violations()``
    reads the page's."""
    page: Any
    requests: list[Sent] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__csp || []")


@pytest.fixture
def browser_page(chromium) -> Iterator[RecordedPage]:
    """A page in a fresh context (no storage shared between tests); see ``RecordedPage``."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    recorded = RecordedPage(context.new_page())

    def route(r) -> None:
        url = r.request.url
        if urlsplit(url).hostname == HOST or url.startswith("data:"):
            r.continue_()
        else:
            recorded.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    recorded.page.on("request", lambda r: recorded.requests.append(Sent(r.method, r.url, dict(r.headers))))
    recorded.page.on("console", lambda m: recorded.console_errors.append(m.text) if m.type == "error" else None)
    # A CSP violation is an event in the page (its console message does not say it is one).
    context.add_init_script("""
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(
            e.violatedDirective + ' ' + (e.blockedURI || '') + ' at ' + (e.sourceFile || '') + ':' + e.lineNumber));
    """)
    try:
        yield recorded
    finally:
        context.close()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


@contextlib.contextmanager
def serve(app, startup_timeout_s: float = 20.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port (the socket is bound first: no race for the
    port) in a thread; yield ``http://127.0.0.1:<port>``; stop it at the end."""
    import uvicorn

    sock = _free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("uvicorn did not start (see the log above)")
        time.sleep(0.02)
    try:
        yield f"http://{HOST}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
