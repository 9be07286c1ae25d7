"""The ledger driver's exception classes, for the packet code's ``except`` clauses.

Canbao opens SQLite through one driver module (``app.ledger.sqlite_driver``: plaintext through ``sqlite3``,
encrypted ledgers through ``sqlcipher3``, whose exceptions are unrelated classes); its ``IntegrityError`` and
``DatabaseError`` are tuples catching both. Until that module is in this tree, the standard module's classes."""

from __future__ import annotations

try:
    from ..ledger.sqlite_driver import DatabaseError, IntegrityError
except ImportError:  # a tree without the driver module: the standard driver is the only one
    import importlib

    _standard = importlib.import_module("sqlite3")
    DatabaseError, IntegrityError = _standard.DatabaseError, _standard.IntegrityError

__all__ = ["DatabaseError", "IntegrityError"]
