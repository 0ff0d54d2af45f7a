"""House rules beside the layer rule: no import cycles between modules; the ui opens no transaction of its own.

Both walk the source with `ast` (as /work/shared/tools/house.py does), so they need no Qt and no database.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "desktop" / "casedesk"


def module_files(pkg: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under the package folder `pkg` (a package by its name)."""
    mods = {}
    for path in sorted(pkg.rglob("*.py")):
        parts = path.relative_to(pkg.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _imported_names(name: str, path: Path) -> Iterator[str]:
    """Every dotted name an import statement in the module could refer to (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(pkg: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports, leaving out package `__init__` targets.

    An `__init__` that re-exports its modules' names is imported by callers and imports those
    modules; counting it would report every caller inside the package as a cycle.
    """
    mods = module_files(pkg)
    return {name: {t for t in _imported_names(name, path)
                   if t in mods and t != name and mods[t].name != "__init__.py"}
            for name, path in mods.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def transaction_openings(path: Path) -> list[str]:
    """Where a module opens a transaction: `.write()` (a workspace's; file writes take data), `.begin()`,
    `Session(...)` or `sessionmaker`, as 'line N: what'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if isinstance(func, ast.Attribute) and name == "write" and not node.args:
                found.append(f"line {node.lineno}: .write()")
            elif isinstance(func, ast.Attribute) and name == "begin":
                found.append(f"line {node.lineno}: .begin()")
            elif name == "Session":
                found.append(f"line {node.lineno}: Session(...)")
        if isinstance(node, ast.Name | ast.Attribute) and (
                getattr(node, "id", None) == "sessionmaker" or getattr(node, "attr", None) == "sessionmaker"):
            found.append(f"line {node.lineno}: sessionmaker")
        elif isinstance(node, ast.ImportFrom) and any(a.name == "sessionmaker" for a in node.names):
            found.append(f"line {node.lineno}: sessionmaker")
    return found


def ui_transactions(pkg: Path) -> list[str]:
    """Transactions opened by modules of `pkg`/ui outside ui/operations, as 'module line N: what'."""
    ui = pkg / "ui"
    return [f"{path.relative_to(pkg)} {where}"
            for path in sorted(ui.rglob("*.py")) if "operations" not in path.relative_to(ui).parts
            for where in transaction_openings(path)]


def workspace_reads(path: Path) -> list[str]:
    """Where a module opens a read session itself: `with x.read() as …` (a workspace's), as 'line N: what'."""
    return [f"line {item.context_expr.lineno}: with .read()"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.With)
            for item in node.items
            if isinstance(item.context_expr, ast.Call) and isinstance(item.context_expr.func, ast.Attribute)
            and item.context_expr.func.attr == "read" and not item.context_expr.args]


def ui_workspace_reads(pkg: Path) -> list[str]:
    """Read sessions opened by modules of `pkg`/ui outside ui/operations, as 'module line N: what'."""
    ui = pkg / "ui"
    return [f"{path.relative_to(pkg)} {where}"
            for path in sorted(ui.rglob("*.py")) if "operations" not in path.relative_to(ui).parts
            for where in workspace_reads(path)]


def test_no_import_cycles_between_modules():
    cycles = import_cycles(import_graph(PKG))
    assert not cycles, "\n".join(" <-> ".join(c) for c in cycles)


def test_ui_opens_no_transaction_outside_operations():
    found = ui_transactions(PKG)
    assert not found, "\n".join(found)


def test_ui_reads_through_operations_only():
    found = ui_workspace_reads(PKG)
    assert not found, "\n".join(found)


# The checkers themselves, on small packages written for the purpose.

def _package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_cycle_checker_finds_a_cycle_through_relative_and_absolute_imports(tmp_path):
    pkg = _package(tmp_path, {"__init__.py": "", "a.py": "from pkg import b\n",
                              "sub/__init__.py": "", "b.py": "from .sub import c\n",
                              "sub/c.py": "from ..a import thing\n", "d.py": "import pkg.a\n"})
    assert import_cycles(import_graph(pkg)) == [["pkg.a", "pkg.b", "pkg.sub.c"]]


def test_cycle_checker_passes_a_clean_package_and_ignores_init_re_exports(tmp_path):
    pkg = _package(tmp_path, {"__init__.py": "from pkg.a import f\nfrom pkg.b import g\n",
                              "a.py": "def f(): ...\n", "b.py": "from pkg import f\nfrom pkg.a import f\n"})
    assert import_graph(pkg)["pkg.b"] == {"pkg.a"}
    assert import_cycles(import_graph(pkg)) == []


def test_transaction_checker_finds_each_kind_outside_ui_operations_only(tmp_path):
    pkg = _package(tmp_path, {
        "ui/panel.py": "def save(ws):\n    with ws.write() as s:\n        s.add(1)\n",
        "ui/dialog.py": "from sqlalchemy.orm import Session\n\ndef go(engine):\n    return Session(engine)\n",
        "ui/raw.py": "def go(conn):\n    conn.begin()\n",
        "ui/maker.py": "import sqlalchemy.orm as orm\nmake = orm.sessionmaker()\n",
        "ui/operations/core.py": "def save(ws):\n    with ws.write() as s:\n        s.add(1)\n",
        "services/records.py": "def save(ws):\n    with ws.write() as s:\n        s.add(1)\n",
    })
    assert ui_transactions(pkg) == [
        "ui/dialog.py line 4: Session(...)", "ui/maker.py line 2: sessionmaker",
        "ui/panel.py line 2: .write()", "ui/raw.py line 2: .begin()"]


def test_transaction_checker_passes_reads_and_file_writes(tmp_path):
    pkg = _package(tmp_path, {"ui/view.py": "def show(ws, out):\n    with ws.read() as s:\n"
                                            "        out.write(str(s))\n    out.write('done')\n"})
    assert ui_transactions(pkg) == []


def test_read_checker_finds_workspace_reads_outside_ui_operations_only(tmp_path):
    pkg = _package(tmp_path, {
        "ui/view.py": "def show(ws):\n    with ws.read() as s:\n        return s\n",
        "ui/door.py": "def show(ops, f):\n    with ops.reading() as s, open(f) as g:\n        return s, g.read()\n",
        "ui/operations/core.py": "def read(ws):\n    with ws.read() as s:\n        return s\n",
    })
    assert ui_workspace_reads(pkg) == ["ui/view.py line 2: with .read()"]
