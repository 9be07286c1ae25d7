"""Tests' operators: register and log in one without paying the slow PIN hash in every test."""

from __future__ import annotations

import datetime as dt

from app.ledger.operators import ADMIN, GRID_WORKER, Operator, hash_pin

TEST_PIN = "2468"
_SECRETS: dict[str, str] = {}


def log_in(ledger, name: str = "王会计", role: str = ADMIN, pin: str = TEST_PIN) -> Operator:
    """Register ``name`` (once per ledger) with ``pin`` and make it the ledger's logged-in operator."""
    op = ledger.operators.get(name)
    if op is None:
        secret = _SECRETS.get(pin) or _SECRETS.setdefault(pin, hash_pin(pin))
        with ledger.transaction() as db:
            oid = db.execute("INSERT INTO operators (name, role, secret, created_at) VALUES (?, ?, ?, ?)",
                             [name, role, secret, dt.datetime.now(dt.timezone.utc).isoformat()]).lastrowid
        op = Operator(oid, name, role)
    return ledger.operators.resume(op)


__all__ = ["log_in", "TEST_PIN", "ADMIN", "GRID_WORKER"]
