"""The import rules of docs/architecture.md, checked on the source: no cycle, no import against the layer order.

Every import counts, at the top of a module or inside a function (the lazy ones too), so a loop hidden by a
deferred import fails here as a plain one would.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "twosource"

#: Lowest first. A module may import from its own layer and the ones below it, never from one above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("types", "errors", "words", "sentences", "dates", "settings", "logs"),
    ("models", "centres", "encoders", "bertgraph", "fetch", "outlets", "schema", "sources"),
    ("read",),
    ("claims",),
    ("index",),
    ("ingestion", "retrieve", "independence", "provenance", "stance"),
    ("verdict", "live"),
    ("pipeline", "report"),
    ("evaluate", "training", "spark"),
    ("web", "cli", "__init__", "__main__"),
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The twosource modules ``name`` imports, wherever the import statement stands."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                imported.add(submodule if submodule in MODULES else target)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    return {m for m in imported if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for rank, members in enumerate(LAYERS):
        if top in members:
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/architecture.md")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_rules_see_every_module_and_their_imports():
    assert len(MODULES) > 60
    assert "twosource.read.article" in GRAPH["twosource.read"]  # a relative import from a package
    assert "twosource.models" in GRAPH["twosource.ingestion.batch"]
    assert "twosource.pipeline" in GRAPH["twosource.web.server"]  # an import inside a method


def test_there_is_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_from_a_layer_above_its_own(module: str):
    above = sorted(m for m in GRAPH[module] if _layer(m) > _layer(module))
    assert above == [], f"{module} (layer {_layer(module)}) imports {above}"


def test_no_submodule_imports_its_own_packages_init():
    # The __init__ re-exports its submodules: a submodule importing it would be a loop waiting to happen.
    inward = [
        f"{name} imports {name.rsplit('.', 1)[0]}"
        for name, path in MODULES.items()
        if path.name != "__init__.py" and name.count(".") > 1 and name.rsplit(".", 1)[0] in GRAPH[name]
    ]
    assert inward == []


def test_no_module_is_over_500_lines_and_no_function_over_80():
    long_modules, long_functions = [], []
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > 500:
            long_modules.append(name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 80:
                long_functions.append(f"{name}.{node.name}")
    assert (long_modules, long_functions) == ([], [])
