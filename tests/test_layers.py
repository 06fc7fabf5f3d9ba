"""Data flows one way: a lower layer never imports a higher one (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import footprint

PACKAGE = Path(footprint.__file__).parent

# A module may import modules of its own layer or of any lower one.
LAYERS = {
    "model": 0, "errors": 0, "private": 0,
    "sources": 1, "hashers": 1, "hashsets": 1, "matching": 1, "store": 1, "settings": 1, "registry": 1,
    "pipeline": 2, "review": 2, "intel": 2, "reports": 2, "demo": 2, "banks": 2, "versions": 2,
    "cli": 3, "web": 3, "__main__": 4,
}


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "footprint" and len(parts) > 1 else None


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_module_imports_a_higher_layer():
    violations = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        own = rel.parts[0].removesuffix(".py")
        if own == "__init__":
            continue
        assert own in LAYERS, f"{rel}: add its package to LAYERS"
        for module in _imports(path):
            other = _top(module)
            if other and other in LAYERS and LAYERS[other] > LAYERS[own]:
                violations.append(f"{rel} imports {module}")
    assert not violations, violations
