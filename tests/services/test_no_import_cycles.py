"""No two modules of the services (and their kit) import each other, even only for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "solo60" / "services"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from package import module` imports the module, not the package's names
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & known


def test_no_two_service_modules_import_each_other() -> None:
    paths = [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]
    modules = {_module(path): path for path in paths}
    graph = {name: _imports(path, set(modules)) - {name} for name, path in modules.items()}
    pairs = sorted(
        (first, second)
        for first, targets in graph.items()
        for second in targets
        if first < second and first in graph.get(second, set())
    )
    assert pairs == [], f"modules importing each other: {pairs}"
