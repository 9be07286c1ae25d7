"""A station's row ids are past 2³¹ (station n writes ids from n × 10¹²): every window signal that carries a
household, member, payment or conflict id must carry a Python int, not Qt's 32-bit int."""

from __future__ import annotations

import pytest

from app.ledger.ids import BLOCK

CARRIERS = [("app.ui.household_view", "HouseholdView", ["add_member", "edit_member", "edit_household",
                                                        "take_payment", "show_payments"]),
            ("app.ui.payment_dialog", "PaymentDialog", ["saved", "print_receipt"]),
            ("app.ui.void_refund", "PaymentsDialog", ["print_receipt"]),
            ("app.ui.conflict_dialog", "ConflictDialog", ["resolved"])]


def _signatures(cls) -> dict[str, str]:
    meta = cls.staticMetaObject
    out = {}
    for i in range(meta.methodCount()):
        sig = bytes(meta.method(i).methodSignature()).decode()
        out[sig.split("(")[0]] = sig
    return out


@pytest.mark.parametrize("module, name, signals", CARRIERS)
def test_id_signals_are_not_32_bit(module, name, signals):
    import importlib

    sigs = _signatures(getattr(importlib.import_module(module), name))
    for s in signals:
        assert "int" not in sigs[s].split("(")[1], f"{name}.{s} is {sigs[s]}: a station id ({BLOCK + 1}) overflows it"
