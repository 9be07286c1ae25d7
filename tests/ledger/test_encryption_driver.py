"""One SQLite driver module (issue 14): only app/ledger/sqlite_driver.py imports ``sqlite3`` or ``sqlcipher3``.
sqlcipher3's exceptions are not ``sqlite3.Error`` subclasses, so a module catching ``sqlite3.Error`` around an
encrypted connection would crash instead of reporting."""

import ast
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3

from app.ledger import sqlite_driver

APP = Path(__file__).resolve().parents[2] / "app"
DRIVERS = {"sqlite3", "sqlcipher3", "_sqlite3"}


def _driver_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} import {a.name}" for a in node.names if a.name.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] in DRIVERS:
            found.append(f"{path.name}:{node.lineno} from {node.module}")
    return found


def test_only_the_driver_module_imports_sqlite3_or_sqlcipher3():
    offenders = []
    for f in sorted(APP.rglob("*.py")):
        if f.name == "sqlite_driver.py" or "__pycache__" in f.parts:
            continue
        offenders += _driver_imports(f)
    assert offenders == []
    assert _driver_imports(APP / "ledger" / "sqlite_driver.py")  # the scan itself sees imports


def test_no_module_names_the_sqlite3_module_directly():
    """``sqlite3.Error`` without importing it (e.g. via a re-export) would still miss sqlcipher3's errors."""
    offenders = []
    for f in sorted(APP.rglob("*.py")):
        if f.name == "sqlite_driver.py" or "__pycache__" in f.parts:
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in DRIVERS:
                offenders.append(f"{f.relative_to(APP)}:{node.lineno} {node.value.id}.{node.attr}")
    assert offenders == []


@pytest.mark.parametrize("name", ["Error", "DatabaseError", "IntegrityError", "OperationalError"])
def test_driver_errors_catch_both_drivers(name):
    for module in (sqlite3, sqlcipher3):
        with pytest.raises(getattr(sqlite_driver, name)):
            raise getattr(module, name)("x")


def test_plaintext_file_opens_with_sqlite3_and_rows_by_name(tmp_path):
    p = tmp_path / "plain.db"
    conn = sqlite_driver.connect(str(p))
    assert isinstance(conn, sqlite3.Connection)
    conn.execute("CREATE TABLE t (name TEXT)")
    conn.execute("INSERT INTO t VALUES ('张三')")
    cur = conn.cursor()
    cur.row_factory = sqlite_driver.row_factory(cur)
    assert cur.execute("SELECT name FROM t").fetchone()["name"] == "张三"
    conn.commit()
    conn.close()
    assert not sqlite_driver.is_encrypted(p)


def test_encrypted_file_needs_its_key_and_backup_keeps_it(tmp_path):
    key = (bytes(range(32)) + bytes(range(100, 116))).hex()
    p = tmp_path / "enc.db"
    conn = sqlite_driver.connect(str(p), key=key)
    conn.execute("CREATE TABLE t (name TEXT)")
    conn.execute("INSERT INTO t VALUES ('李四')")
    conn.commit()
    cur = conn.cursor()
    cur.row_factory = sqlite_driver.row_factory(cur)
    assert cur.execute("SELECT name FROM t").fetchone()["name"] == "李四"
    sqlite_driver.backup(conn, tmp_path / "copy.db")
    conn.close()
    for f in (p, tmp_path / "copy.db"):
        assert sqlite_driver.is_encrypted(f)
        assert sqlite_driver.salt_of(f) == bytes(range(100, 116))
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            sqlite3.connect(f).execute("SELECT * FROM sqlite_master").fetchall()
    sqlite_driver.forget_all()
    with pytest.raises(sqlite_driver.KeyRequired):
        sqlite_driver.connect(p.resolve().as_uri() + "?mode=ro", uri=True)
    sqlite_driver.remember(key)
    try:
        c = sqlite_driver.connect(p.resolve().as_uri() + "?mode=ro", uri=True)
        assert c.execute("SELECT name FROM t").fetchall() == [("李四",)]
        c.close()
    finally:
        sqlite_driver.forget_all()


def test_damaged_plaintext_header_is_not_taken_for_encryption(tmp_path):
    p = tmp_path / "plain.db"
    c = sqlite3.connect(p)
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    data = bytearray(p.read_bytes())
    data[:16] = b"garbage garbage!"
    p.write_bytes(bytes(data))
    assert not sqlite_driver.is_encrypted(p)
    data[:100] = bytes(range(7, 107))  # the whole header overwritten: the schema's text still shows
    p.write_bytes(bytes(data))
    assert not sqlite_driver.is_encrypted(p)
    data[:100] = b"\0" * 100
    p.write_bytes(bytes(data))
    assert not sqlite_driver.is_encrypted(p)
