"""The one place Canbao opens SQLite: plaintext files through the standard ``sqlite3``, encrypted ones
(SQLCipher 4, see docs/encryption-at-rest.md) through ``sqlcipher3``. No other module imports either driver
(tests/test_architecture.py checks it).

The two drivers' exceptions are unrelated classes (``sqlcipher3.Error`` is not a ``sqlite3.Error``), so the
names here are tuples of both: ``except sqlite_driver.Error`` catches either, ``isinstance(exc, Error)``
works. ``Connection`` and ``Row`` are for annotations; a row factory is ``row_factory(conn)``.

Keys. A ledger's key is a *keyspec*: the 32-byte raw AES key derived from the password
(PBKDF2-HMAC-SHA512, 256,000 iterations — SQLCipher 4's own derivation) followed by the file's 16-byte salt,
as 96 hex digits. Every file of one ledger (the ledger, its backups, parts being written) carries the same
salt in its first 16 bytes, so the process keeps the keys it has unlocked by salt (``remember``): ``connect``
on an encrypted file finds its key there and worker, reader and backup connections never derive again.
``PRAGMA key = "x'…'"`` with a raw key skips SQLCipher's slow derivation.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import sqlcipher3

SQLITE_HEADER = b"SQLite format 3\x00"

Error = (sqlite3.Error, sqlcipher3.Error)
DatabaseError = (sqlite3.DatabaseError, sqlcipher3.DatabaseError)
IntegrityError = (sqlite3.IntegrityError, sqlcipher3.IntegrityError)
OperationalError = (sqlite3.OperationalError, sqlcipher3.OperationalError)
NotSupportedError = (sqlite3.NotSupportedError, sqlcipher3.NotSupportedError)
Connection = sqlite3.Connection | sqlcipher3.Connection
Row = sqlite3.Row | sqlcipher3.Row
complete_statement = sqlite3.complete_statement
sqlite_version = sqlite3.sqlite_version
sqlcipher_sqlite_version = sqlcipher3.sqlite_version


class KeyRequired(sqlcipher3.DatabaseError):
    """An encrypted file and no key for it in this process: ask for the ledger's password first
    (``app.ledger.encryption.unlock``). Not damage: nothing about the file is wrong."""

    def __init__(self, path):
        self.path = Path(path)
        super().__init__(f"台账已加密，需要先输入台账密码：{path}")


class _KeyedConnection(sqlcipher3.Connection):
    """A sqlcipher3 connection that remembers its keyspec (``key_of``), so a copy is keyed alike."""

    canbao_key: str | None = None


_keys: dict[bytes, str] = {}  # salt -> keyspec, for every ledger unlocked in this process
_keys_lock = threading.Lock()


def remember(keyspec: str) -> None:
    """Keep a ledger's key for this process (after the password was checked)."""
    salt = bytes.fromhex(keyspec)[32:48]
    with _keys_lock:
        _keys[salt] = keyspec


def forget_all() -> None:
    """Drop every key (the window locks for good, tests)."""
    with _keys_lock:
        _keys.clear()


def file_path(target) -> Path | None:
    """The file a ``connect`` target names (a path or a ``file:`` URI); None for memory databases."""
    text = str(target)
    if text == ":memory:" or text == "":
        return None
    if text.startswith("file:"):
        parts = urlsplit(text)
        if parts.query and "mode=memory" in parts.query:
            return None
        return Path(url2pathname(unquote(parts.path)) if parts.path else text[5:])
    return Path(text)


def head(path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(100)
    except OSError:
        return b""


PLAINTEXT_SCAN = 1 << 20  # how far a damaged plaintext file is searched for its schema's text


def is_encrypted(path) -> bool:
    """An SQLCipher file: whole pages, no SQLite header, a salt that is not zeros, and not a plaintext ledger
    whose header was damaged. Those are told apart by what is left of them: the fixed header bytes 21–23
    (64, 32, 32); the rest of the first page (a page of SQLite's b-tree is full of zero bytes — small integers,
    free space — while an SQLCipher page after its salt is ciphertext, about one zero byte in 256); or the
    schema's ``CREATE …`` text in the first MiB, which an encrypted file never shows. A salt this process holds
    a key for is ours at once (no scan on every connection)."""
    h = head(path)
    if len(h) < 100 or h[:16] == SQLITE_HEADER or h[21:24] == b"\x40\x20\x20" or not any(h[:16]):
        return False
    try:
        size = Path(path).stat().st_size
    except OSError:
        return False
    if size % 1024:
        return False
    with _keys_lock:
        if h[:16] in _keys:
            return True
    try:
        with open(path, "rb") as fh:
            data = fh.read(PLAINTEXT_SCAN)
    except OSError:
        return False
    body = data[100:4096]
    if body.count(0) > max(48, len(body) // 32):  # random: ~1/256 zeros; a b-tree page: far more
        return False
    return not any(word in data for word in (b"CREATE TABLE", b"CREATE INDEX", b"CREATE TRIGGER", b"CREATE VIEW"))


def salt_of(path) -> bytes | None:
    """The salt an encrypted file carries (its first 16 bytes), or None for a plaintext one."""
    return head(path)[:16] if is_encrypted(path) else None


def known_key(path) -> str | None:
    """The key this process holds for an encrypted file, or None."""
    salt = salt_of(path)
    if salt is None:
        return None
    with _keys_lock:
        return _keys.get(salt)


def key_of(conn) -> str | None:
    """The keyspec a connection was opened with (None: plaintext)."""
    return getattr(conn, "canbao_key", None)


def connect(target, key: str | None = None, **kw) -> Connection:
    """``sqlite3.connect`` for a plaintext file; for an encrypted one (or with ``key``, a new encrypted file)
    a keyed ``sqlcipher3`` connection. ``key``: a keyspec (96 hex digits); None = the key this process holds
    for the file's salt, or plaintext when the file is not encrypted. Raises ``KeyRequired`` for an
    encrypted file whose key is not held."""
    if key is None:
        path = file_path(target)
        if path is not None and is_encrypted(path):
            key = known_key(path)
            if key is None:
                raise KeyRequired(path)
    if key is None:
        return sqlite3.connect(target, **kw)
    kw.setdefault("factory", _KeyedConnection)
    conn = sqlcipher3.connect(target, **kw)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key}'\"")
        conn.execute("PRAGMA cache_size = -65536")  # up to 64 MiB: a page read from disk is decrypted once
    except BaseException:
        conn.close()
        raise
    conn.canbao_key = key
    return conn


def row_factory(conn_or_cursor):
    """The ``Row`` class of the driver a connection (or cursor) belongs to."""
    return sqlcipher3.Row if isinstance(conn_or_cursor, (sqlcipher3.Connection, sqlcipher3.Cursor)) else sqlite3.Row


def backup(src, dst, **kw) -> None:
    """Copy the database of connection ``src`` into ``dst`` (a path, or a connection of the same driver)
    with SQLite's online backup; a path is opened keyed like ``src`` (an encrypted ledger's copy is
    encrypted with the same key and salt), and left in rollback-journal mode so it is one file."""
    if isinstance(dst, (sqlite3.Connection, sqlcipher3.Connection)):
        src.backup(dst, **kw)
        return
    out = connect(str(dst), key=key_of(src))
    try:
        src.backup(out, **kw)
        out.execute("PRAGMA journal_mode=DELETE")
    finally:
        out.close()


def checkpoint(path) -> None:
    """Fold a WAL file into the main file (the caller holds the ledger exclusively)."""
    conn = connect(str(path), timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.close()


def export_encrypted(src, dst, key: str) -> dict[str, int]:
    """Write the plaintext SQLite file ``src`` as a new file ``dst`` encrypted under ``key``
    (``sqlcipher_export``: schema, rows, ``user_version``). Returns every table's row count in ``src``."""
    Path(dst).unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(src), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("BEGIN")  # one snapshot for the copy and the counts
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key}'\"", [str(dst)])
        counts = export_counted(conn)
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE enc")
    except BaseException:
        conn.close()
        Path(dst).unlink(missing_ok=True)
        raise
    conn.close()
    return counts


def export_counted(conn) -> dict[str, int]:
    """Copy ``main`` into the attached database ``enc`` (``sqlcipher_export``) with its ``user_version`` and
    ``application_id``, inside the caller's transaction (one snapshot), and return every table's row count in
    ``main`` for the caller to compare with the copy. Used to encrypt a ledger and to change its password."""
    version = conn.execute("PRAGMA main.user_version").fetchone()[0]
    app_id = conn.execute("PRAGMA main.application_id").fetchone()[0]
    conn.execute("SELECT sqlcipher_export('enc')").fetchall()
    conn.execute(f"PRAGMA enc.user_version = {int(version)}")
    conn.execute(f"PRAGMA enc.application_id = {int(app_id)}")
    names = [r[0] for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM main."{n}"').fetchone()[0] for n in names}
