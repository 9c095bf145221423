"""The package's shape, as issue 16 set it: the layers read bottom-up and no module reaches up.

Read from the source (the AST), so an import inside a function counts, one under
``if TYPE_CHECKING:`` does not (it never runs)."""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "familycard"

# Bottom-up: a unit may import units of lower rank only (and itself). A unit is a module or a
# package; the longest name that matches wins.
LAYERS = [
    ("familycard.dates", "familycard.settings", "familycard._lazy"),
    ("familycard.schema",),
    ("familycard.graph.model",),
    ("familycard.graph.store",),
    ("familycard.graph.rules",),
    ("familycard.graph.sms", "familycard.graph.bank", "familycard.graph.ingest", "familycard.graph.visibility"),
    ("familycard.graph.load",),
    ("familycard.graph.flow",),
    ("familycard.graph.sweep", "familycard.graph.cards", "familycard.graph.saved_queries"),
    ("familycard.graph.lookahead",),
    ("familycard.synthetic",),
    ("familycard.api",),
    ("familycard.cli",),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
NAMESPACES = {"familycard", "familycard.graph"}  # their __init__ is a docstring: they import nothing
MAX_LINES = 900
MAX_MODULES = 15


@cache
def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree)
               if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
               for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("familycard"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in _modules() else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("familycard"))
    return {m for m in found if m in _modules()}


@cache
def _graph() -> dict[str, set[str]]:
    return {name: _imports(path) - {name} for name, path in _modules().items()}


def _unit(module: str) -> str:
    if module in NAMESPACES:
        return module
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in RANK:
            return ".".join(parts[:n])
    raise AssertionError(f"module {module!r} is in no layer of tests/test_layout.py: give it one")


def test_every_module_has_a_layer():
    for module in _modules():
        _unit(module)


def test_the_namespaces_import_nothing():
    assert {m: sorted(_graph()[m]) for m in NAMESPACES if _graph()[m]} == {}


def test_no_module_imports_a_layer_above_its_own():
    wrong = [f"{a} imports {b}" for a, bs in _graph().items() if a not in NAMESPACES for b in sorted(bs)
             if _unit(a) != _unit(b) and RANK[_unit(b)] >= RANK[_unit(a)]]
    assert wrong == []


def test_no_import_cycle_even_through_imports_inside_functions():
    graph, seen, cycles = _graph(), {}, []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = "open"
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in seen:
                visit(nxt, path + [node])
        seen[node] = "done"

    for module in sorted(graph):
        if module not in seen:
            visit(module, [])
    assert cycles == []


def test_no_module_is_over_900_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_folder_holds_more_than_15_modules():
    crowded = {str(folder.relative_to(SRC)): n for folder in [PACKAGE, *PACKAGE.rglob("*")] if folder.is_dir()
               if (n := len(list(folder.glob("*.py")))) > MAX_MODULES}
    assert crowded == {}


def _has_code(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return bool(body[1:] if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                else body)


@pytest.mark.parametrize("package", sorted(n for n, p in _modules().items()
                                           if p.name == "__init__.py" and _has_code(p)))
def test_a_package_with_code_in_its_init_says_what_it_exports(package):
    """The neo4j driver's way: ``__all__`` names the public names, and each is there."""
    module = __import__(package, fromlist=["__all__"])
    assert hasattr(module, "__all__"), f"{package}/__init__.py has no __all__"
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


def test_the_cli_runs_no_cypher_of_its_own():
    cli = [p for name, p in _modules().items() if name.startswith("familycard.cli")]
    assert cli
    assert [str(p.relative_to(SRC)) for p in cli if "MATCH (" in p.read_text(encoding="utf-8")] == []
