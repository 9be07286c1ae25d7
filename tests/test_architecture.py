"""The core is pure: app/domain imports neither Qt nor SQLite, directly or through another module."""

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "app" / "domain"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "sqlite3", "sqlite_utils", "_sqlite3")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            names.add("..")  # reaching out of app.domain
    return names


def test_domain_modules_import_no_qt_or_sqlite_statically():
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 8
    offenders = {f.name: sorted(_imports(f) & set(FORBIDDEN)) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_domain_never_imports_outside_itself():
    files = sorted(DOMAIN.glob("*.py"))
    assert [f.name for f in files if ".." in _imports(f) or "app" in _imports(f)] == []


def test_importing_the_domain_loads_no_qt_or_sqlite_at_runtime():
    code = (
        "import sys, pkgutil, importlib, app.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('app.domain.' + m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_float_money_in_domain():
    """Money is Decimal: no float() calls and no float literals in amounts in the pure core."""
    for f in sorted(DOMAIN.glob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float":
                raise AssertionError(f"{f.name}:{node.lineno} calls float()")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                raise AssertionError(f"{f.name}:{node.lineno} has a float literal {node.value}")
