"""The one place the exchange packets open an apsw connection — and it is never the ledger file.

Python's sqlite3 module has no session extension, so changesets are made and applied with apsw; but apsw
carries its own copy of SQLite, and two copies of SQLite in one process must never open the same file: POSIX
locks belong to the process, so each copy believes it is alone (one's close drops the other's locks, one
rebuilds the WAL index under the other — a stale read at best, "disk I/O error" or a damaged ledger at
worst; we saw both). So apsw only ever works on in-memory databases holding the few rows a packet touches
(``outbox``, ``applying``); the ledger itself is read and written through the app's own connection, inside
its transaction — which also means an encrypted ledger (SQLCipher, app.ledger.sqlite_driver) needs nothing
from apsw (``apsw-sqlite3mc`` would be the apsw build for that; it has the session extension too)."""

from __future__ import annotations

import apsw


def scratch() -> apsw.Connection:
    """A private in-memory database for building or applying a changeset."""
    conn = apsw.Connection(":memory:")
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


def create_like(mem: apsw.Connection, schema: str, table: str, cols: list[str], pks: list[str]) -> None:
    """A table in ``mem`` with the ledger table's columns and primary key (no other constraints)."""
    ddl = ", ".join(f'"{c}"' for c in cols) + ", PRIMARY KEY (" + ", ".join(f'"{c}"' for c in pks) + ")"
    mem.execute(f'DROP TABLE IF EXISTS {schema}."{table}"')
    mem.execute(f'CREATE TABLE {schema}."{table}" ({ddl})')
