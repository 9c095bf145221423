"""The caseworkers' console: one HTML page for `/`, `/search`, `/people/{id}`, `/worklist`, and the
look-ahead views `/nearmiss`, `/findings` and `/lookahead`, and
its files (ES modules, a stylesheet, the vendored Cytoscape.js) under `/console/`, all from the
package: it works on a network with no way out and needs no Node.js to install or run.

The page calls `/graphql` with the bearer token the user typed (kept in the tab's
sessionStorage), so roles, masking and the access log hold as for any other frontend. Its
Content-Security-Policy lets it load and send nothing anywhere but this server, and run no
inline script: names from the registry go into the page as text (textContent), never as HTML.
"""
from __future__ import annotations

import html
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = ["CSP", "PAGES", "PREFIX", "page", "routes"]

#: Where the console's files are served (relative to the app's root).
PREFIX = "/console"

#: The paths that answer with the console's page (the script reads the path and shows that view).
PAGES = ("/", "/search", "/people/{id}", "/worklist", "/nearmiss", "/findings", "/lookahead")

#: Only this origin, no inline script or style. Cytoscape draws on a canvas and sets element
#: styles through the CSSOM, which CSP does not govern; the one <style> element it would add
#: is not added (vendor/cytoscape/VENDORED.md). img-src data: for the page's empty icon (no
#: request for /favicon.ico).
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))

#: The page (static/index.html), its URLs from the app's root: `{root}` is filled in per request.
_PAGE = (files("familycard.api.console") / "static" / "index.html").read_text(encoding="utf-8")


def page(request: Request) -> HTMLResponse:
    """The console's one page; its URLs start at the app's root path (behind a prefix too)."""
    root = html.escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
    body = _PAGE.replace("{root}", root)
    return HTMLResponse(body, headers={
        "Content-Security-Policy": CSP,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    })


async def _page(request: Request) -> HTMLResponse:
    return page(request)


class _Static(StaticFiles):
    """The console's files, with the page's headers: a module or a stylesheet is never sniffed as
    something else, and none is cached past a restart (a new version is served at once)."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response


def routes() -> list[BaseRoute]:
    """The page at each of ``PAGES`` (GET), the files under ``PREFIX``."""
    return [*(Route(p, _page, methods=["GET"]) for p in PAGES),
            Mount(PREFIX, _Static(packages=[("familycard.api.console", "static")]), name="console")]
