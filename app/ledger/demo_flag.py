"""Is this a demo ledger (``canbao demo``)? Then every printout and export says 演示数据.

The flag is the settings row ``is_demo``; ledgers built before the flag existed are recognised by the audit
entry ``canbao demo`` writes (entity ``demo``)."""

from __future__ import annotations

from . import sqlite_driver
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Ledger

DEMO_KEY = "is_demo"
DEMO_ENTITY = "demo"
DEMO_LABEL = "演示数据"


def is_demo(ledger: "Ledger") -> bool:
    """Read once per open ledger (printing asks for every page)."""
    cached = getattr(ledger, "_is_demo", None)
    if cached is None:
        try:
            row = ledger.db.execute("SELECT 1 FROM settings WHERE key = ? AND value = 'true' UNION ALL "
                                    "SELECT 1 FROM audit WHERE entity = ? LIMIT 1", [DEMO_KEY, DEMO_ENTITY]).fetchone()
        except sqlite_driver.Error:
            row = None
        cached = ledger._is_demo = row is not None
    return cached


def mark_demo(ledger: "Ledger") -> None:
    """Flag a ledger as demo data (inside the demo builder's transaction)."""
    ledger.db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'true')", [DEMO_KEY])
    ledger._is_demo = True
