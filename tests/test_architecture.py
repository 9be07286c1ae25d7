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


# -- one truth per concept (issue 9) ------------------------------------------------------------------------
APP = DOMAIN.parent


def _app_files():
    return sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(APP.parent).as_posix()


def test_one_module_spells_the_vocabulary():
    """Statuses are spelled only in app/domain/vocabulary.py (everyone else says ``Status.ENROLLED``); pay and
    household states are compared and keyed only through their enums. ``其他`` is left out: it is also a
    relation and a department."""
    from app.domain.vocabulary import HouseholdState, PayState, Status

    statuses = {s.value for s in Status} - {Status.OTHER.value}
    states = {s.value for s in PayState} | {s.value for s in HouseholdState}
    offenders = []
    for f in _app_files():
        if _rel(f) == "app/domain/vocabulary.py":
            continue
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in statuses:
                offenders.append(f"{_rel(f)}:{node.lineno} {node.value}")
            compared = []
            if isinstance(node, ast.Compare):
                compared = [node.left, *node.comparators]
                compared += [e for c in compared if isinstance(c, (ast.Tuple, ast.List, ast.Set)) for e in c.elts]
            elif isinstance(node, ast.Dict):
                compared = [k for k in node.keys if k is not None]
            offenders += [f"{_rel(f)}:{c.lineno} {c.value}" for c in compared
                          if isinstance(c, ast.Constant) and c.value in states]
    assert offenders == []


def _bare_kind_comparisons(tree, names: bool = True) -> list[tuple[int, str]]:
    """(line, word) of comparisons of a timing / line kind / category kind / claim part kind with its bare
    text; ``names``: also through a bare local name ``kind`` / ``timing`` (in the engine, where that is what
    those names mean)."""
    from app.domain.vocabulary import CategoryKind, ClaimPartKind, LineKind, Timing

    words = {x.value for x in (*Timing, *LineKind, *CategoryKind, *ClaimPartKind)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if any((isinstance(s, ast.Attribute) and s.attr in ("timing", "kind"))
               or (names and isinstance(s, ast.Name) and s.id in ("timing", "kind")) for s in sides):
            sides += [e for s in sides if isinstance(s, (ast.Tuple, ast.List, ast.Set)) for e in s.elts]
            found += [(node.lineno, s.value) for s in sides if isinstance(s, ast.Constant) and s.value in words]
    return found


def test_kinds_and_timings_are_compared_through_their_enums():
    """Everywhere, the policy engine (app/domain) included, a quote's timing, a quote line's kind and a
    category's kind are compared with vocabulary.Timing / LineKind / CategoryKind — never with their bare
    text, whether through an attribute (``q.timing == "late"``) or a local name (``kind == "grace"``)."""
    offenders = []
    for f in _app_files():
        offenders += [f"{_rel(f)}:{line} {word}" for line, word in
                      _bare_kind_comparisons(ast.parse(f.read_text(encoding="utf-8")), names=DOMAIN in f.parents)]
    assert offenders == []
    assert any(DOMAIN in f.parents for f in _app_files())  # the engine is read too


def test_the_kinds_check_reports_bare_names_attributes_and_tuples():
    src = ("def f(kind, c, q):\n"
           "    a = kind == 'grace'\n"
           "    b = c.kind in ('full', 'x')\n"
           "    d = q.timing != Timing.LATE\n"
           "    return a, b, d\n")
    assert _bare_kind_comparisons(ast.parse(src)) == [(2, "grace"), (3, "full")]
    assert _bare_kind_comparisons(ast.parse(src), names=False) == [(3, "full")]


def test_quote_lines_are_built_with_their_kind_enum():
    """``QuoteLine(LineKind.NOTE, …)``, never ``QuoteLine("note", …)``, in the engine and around it."""
    offenders = []
    for f in _app_files():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "QuoteLine" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                offenders.append(f"{_rel(f)}:{node.lineno} QuoteLine({node.args[0].value!r}, …)")
    assert offenders == []


def test_the_kinds_test_sees_a_bare_comparison_in_the_engine(tmp_path):
    """The check above reads app/domain too: a bare ``kind == "grace"`` there would be reported."""
    src = "def f(kind, c):\n    return kind == 'grace' or c.kind in ('full', 'x')\n"
    tree = ast.parse(src)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert len(found) == 2 and DOMAIN in (APP / "domain" / "quote.py").parents


def test_ui_modules_contain_no_sql_outside_the_query_module():
    import re

    sql = re.compile(r"\b(SELECT|INSERT\s+INTO|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIEW))\b|\bUPDATE\s+\w+\s+SET\b")
    offenders = []
    for f in sorted((APP / "ui").glob("*.py")):
        if f.name == "queries.py":
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and sql.search(node.value):
                offenders.append(f"{_rel(f)}:{node.lineno}")
    assert offenders == []


def test_rows_are_mapped_by_column_name():
    """No ``Payment(r[0], r[1], …)`` and no ``R_ID, R_HH, … = range(14)``: a storage row becomes a type by
    column name (``models.named_rows``)."""
    offenders = []
    for f in _app_files():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)
                    and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "range"):
                offenders.append(f"{_rel(f)}:{node.lineno} names = range(…)")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id[:1].isupper():
                subs = [s for s in ast.walk(node) if isinstance(s, ast.Subscript) and isinstance(s.value, ast.Name)
                        and isinstance(s.slice, ast.Constant) and isinstance(s.slice.value, int)]
                by_name: dict[str, set] = {}
                for s in subs:
                    by_name.setdefault(s.value.id, set()).add(s.slice.value)
                if any(len(ix) >= 4 for ix in by_name.values()):
                    offenders.append(f"{_rel(f)}:{node.lineno} {node.func.id}(r[0], r[1], …)")
    assert offenders == []


def test_a_payment_still_stands_is_defined_once():
    """"Not voided and not refunded" is the view standing_items (app/ledger/member_year.py) and nowhere else."""
    import re

    pattern = re.compile(r"voided_at\s+IS\s+NULL", re.I)
    found = [_rel(f) for f in _app_files() if pattern.search(f.read_text(encoding="utf-8"))]
    assert found == ["app/ledger/member_year.py"]
