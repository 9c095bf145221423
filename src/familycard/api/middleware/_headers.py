from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: str) -> str | None:
    """A request header's value (latin-1, as HTTP sends it); of a repeated header, the last."""
    value = None
    for k, v in scope["headers"]:
        if k.decode("latin-1").lower() == name:
            value = v.decode("latin-1")
    return value
