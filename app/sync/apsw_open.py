"""The one place an apsw connection to a ledger is opened (the exchange packets need apsw: Python's sqlite3
module has no session extension). If the ledger becomes an SQLCipher file (app.ledger.sqlite_driver), this
is where ``apsw-sqlite3mc`` (which also has the session extension) opens it with ``cipher=sqlcipher``."""

from __future__ import annotations

import os

import apsw


def open_ledger_apsw(path: str | os.PathLike, key: str | bytes | None = None) -> apsw.Connection:
    """A read-write apsw connection with the ledger's pragmas (foreign keys, busy timeout, synchronous=FULL)
    and the SQL functions its triggers use. ``key``: the SQLCipher key, when the ledger is encrypted."""
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READWRITE)
    conn.set_busy_timeout(30000)
    if key is not None:
        # only with apsw-sqlite3mc (SQLite3 Multiple Ciphers): plain apsw has no cipher and refuses the key
        text = key.hex() if isinstance(key, bytes) else str(key)
        conn.pragma("cipher", "sqlcipher")
        conn.pragma("legacy", 4)
        conn.pragma("key", text)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    conn.create_scalar_function("reverse_text", lambda s: s[::-1] if isinstance(s, str) else s, 1,
                                deterministic=True)
    return conn
