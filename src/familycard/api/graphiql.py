"""GraphiQL from the package itself: the page for GET /graphql (a browser asking for HTML) and its
scripts under /graphiql/, when ``FAMILYCARD_GRAPHIQL`` is on.

A ministry network is often offline: strawberry's page loads React and GraphiQL from a CDN and
stays at "Loading…" there. Here every file comes from this process (static/graphiql/README.md
says which versions and how to update them), and the page's Content-Security-Policy lets it
load nothing from anywhere else.
"""
from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from familycard.settings import Settings

#: Where the page's files are served (relative to the app's root).
PREFIX = "/graphiql"

#: What the Headers tab starts with; the page's script sends no Authorization while it is unchanged.
HEADER_TEMPLATE = '{"Authorization": "Bearer <token>"}'

#: Only this origin. GraphiQL's stylesheet embeds its fonts and a few icons as data: URLs, hence
#: data: for fonts and images. Styles: 'self' only; React and CodeMirror set element styles through
#: the CSSOM, which CSP does not govern (the browser test records any violation and fails on one).
CSP = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>familycard · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="graphiql/graphiql.min.css">
<link rel="stylesheet" href="graphiql/page.css">
</head>
<body>
<header id="token-note" class="fc-note" role="note">
  <strong>Sign in:</strong> your bearer token goes into the <strong>Headers</strong> tab under the query,
  as <code>{"Authorization": "Bearer &lt;token&gt;"}</code> &mdash; replace <code>&lt;token&gt;</code> with yours
  (<code>familycard token --role frontend --subject you</code>, or one that <code>familycard demo</code> printed).
  While <code>&lt;token&gt;</code> is left as it is, requests go without a token.
  Headers are not saved in this browser.{introspection}
</header>
<main id="graphiql" data-header-template="{template}">
  <p class="fc-loading">Loading GraphiQL&hellip; If this stays, this browser did not run the scripts under
  <code>graphiql/</code> on this server (JavaScript off?).</p>
</main>
<script src="graphiql/react.production.min.js"></script>
<script src="graphiql/react-dom.production.min.js"></script>
<script src="graphiql/graphiql.min.js"></script>
<script src="graphiql/start.js"></script>
</body>
</html>
"""

_NO_INTROSPECTION = (
    "\n  <br><strong>Introspection is off</strong> on this server (<code>FAMILYCARD_INTROSPECTION</code>): "
    "queries run, but there are no docs and no completion."
)


def page(settings: Settings) -> HTMLResponse:
    """The GraphiQL page; its URLs are relative, so it works behind a path prefix too."""
    body = _PAGE.replace("{template}", html.escape(HEADER_TEMPLATE, quote=True)).replace(
        "{introspection}", "" if settings.introspection else _NO_INTROSPECTION)
    return HTMLResponse(body, headers={
        "Content-Security-Policy": CSP,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    })


def routes(settings: Settings) -> list[BaseRoute]:
    """GraphiQL's files under /graphiql/, when GraphiQL is on; nothing otherwise."""
    if not settings.graphiql:
        return []
    return [Mount(PREFIX, StaticFiles(packages=[("familycard.api", "static/graphiql")]), name="graphiql")]


async def render(request: Request) -> HTMLResponse:
    """For the GraphQL view: its ``render_graphql_ide``."""
    return page(request.app.state.settings)
