"""A package's public names, imported on first use (PEP 562).

``familycard --help`` imported every module of the flow and the SMS package through their
``__init__`` (lxml, httpx, the rule folders...): 485 ms against 305 ms before the packages had
exports. With lazy exports a caller pays for the module it uses: 262 ms against 233 ms (medians
of 9 runs, same machine, same venv; the rest is the offers' field list the help text names).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: ``exports`` maps each public name to its module."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
