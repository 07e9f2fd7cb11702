"""The dependency rule of the tree: scrapers ← expectations ← warehouse ← dags, no way back.

``scrapers`` imports nothing of the other packages (collection runs light, in parallel
processes); ``expectations`` imports ``scrapers`` and, of the warehouse, only its leaf
``warehouse.db``; ``warehouse`` never imports ``dags``. Read from the source (AST), so a lazy
import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# package → the project packages (or modules) it may import
ALLOWED = {
    "scrapers": ("scrapers",),
    "expectations": ("scrapers", "expectations", "warehouse.db"),
    "warehouse": ("scrapers", "expectations", "warehouse"),
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in (*ALLOWED, "dags")}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downstream(package):
    allowed = ALLOWED[package]
    bad = sorted(
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted((REPO / package).rglob("*.py"))
        for name in _imports(path)
        if not any(name == a or name.startswith(a + ".") for a in allowed)
    )
    assert not bad, "imports against the flow:\n" + "\n".join(bad)
