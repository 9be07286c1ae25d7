"""Shared by every test folder: ``operators_helper`` (log an operator in) is importable from any of them, and
the CLI finds a test operator's credentials in the environment, as a script would."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from operators_helper import TEST_PIN  # noqa: E402


@pytest.fixture(autouse=True)
def _operator_credentials(monkeypatch):
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    monkeypatch.setenv("CANBAO_PIN", TEST_PIN)


@pytest.fixture()
def shell(qtbot):
    """The application shell with fresh preferences, closed with whatever it opened (ledger, first-run screen)."""
    from app.ui.app import Shell
    from app.ui.settings import Preferences

    s = Shell(Preferences())
    yield s
    s.close_ledger()
    if s.first_run is not None:
        s.first_run.close()
