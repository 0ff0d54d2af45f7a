"""Imports flow ui → services → storage → domain; only ui/ imports PySide6."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "desktop" / "casedesk"
FORBIDDEN = {
    "domain": ("casedesk.storage", "casedesk.services", "casedesk.ui", "casedesk.app", "PySide6"),
    "storage": ("casedesk.services", "casedesk.ui", "casedesk.app", "PySide6"),
    "services": ("casedesk.ui", "casedesk.app", "PySide6"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer):
    bad = []
    for path in (PKG / layer).rglob("*.py"):
        for name in _imports(path):
            if name.startswith(FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
    assert not bad, "\n".join(bad)


def test_only_ui_imports_pyside():
    bad = [str(p.relative_to(PKG)) for p in PKG.rglob("*.py")
           if not p.relative_to(PKG).parts[0] in ("ui",) and p.name != "app.py"
           and any(n.startswith("PySide6") for n in _imports(p))]
    assert not bad, bad
