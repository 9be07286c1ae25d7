"""The window's write buttons during the open-check (app.ui.write_guard): grey with "正在检查台账完整性…" while the
file's quick_check runs, back when it passes, and off for good — saying the ledger is damaged — when it fails.
The reading ones (打印, 导出, 缴费记录 …) stay on throughout."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from backup_helpers import checkpoint, corrupt_page, households, new_ledger, used_pages

from app.ledger import health, open_ledger
from app.ui.write_guard import CHECKING_TIP, WRITE_ACTIONS, WRITE_BUTTONS

SHOTS = Path(os.environ["CANBAO_SHOTS"]) if os.environ.get("CANBAO_SHOTS") else None


def _shot(widget, name: str) -> None:
    if SHOTS is not None:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture()
def held_check(monkeypatch):
    """The worker's quick_check waits until the test lets it go (a district ledger's takes about a second)."""
    gate = threading.Event()
    real = health.quick_problems

    def slow(path, pragma="quick_check", on_connect=None):
        if pragma is not None:
            assert gate.wait(10)
        return real(path, pragma, on_connect)

    monkeypatch.setattr(health, "quick_problems", slow)
    yield gate
    gate.set()


@pytest.fixture(autouse=True)
def _prefs(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))


def _writes(window) -> list:
    return [getattr(window, n) for n in WRITE_ACTIONS] + [getattr(window.view, n) for n in WRITE_BUTTONS]


def test_write_buttons_are_grey_while_the_check_runs_and_come_back_when_it_passes(qtbot, shell, tmp_path,
                                                                                  held_check):
    path = tmp_path / "l.db"
    with new_ledger(path, 3) as lg:
        households(lg, 1)
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.model.rowCount() > 0, timeout=15000)
    w = shell.window
    assert shell.ledger.checking
    hid = shell.ledger.db.execute("SELECT id FROM households ORDER BY id LIMIT 1").fetchone()[0]
    w.view.show_household(hid)  # showing a household enables its pane's buttons — not the writing ones yet
    for control in _writes(w):
        assert not control.isEnabled() and control.toolTip() == CHECKING_TIP, control.text()
    assert w.a_print.isEnabled() and w.a_export.isEnabled() and w.view.b_payments.isEnabled()
    assert w.a_find.isEnabled() and w.a_settings.isEnabled()
    opened = len(w._dialogs)
    w.view.table.selectRow(0)
    w.view.table.doubleClicked.emit(w.view.table.model().index(0, 0))  # a member's row: no edit form meanwhile
    assert len(w._dialogs) == opened
    _shot(w, "open_check_buttons_grey")
    held_check.set()
    qtbot.waitUntil(lambda: w.a_pay.isEnabled(), timeout=10000)
    for control in _writes(w):
        assert control.isEnabled() and control.toolTip() != CHECKING_TIP, control.text()
    assert w.view.b_payments.toolTip().startswith("缴费记录")
    w.view.show_household(None)  # no household: its pane's buttons off, as before the guard
    assert not w.view.b_pay.isEnabled()
    w.view.show_household(hid)
    assert w.view.b_pay.isEnabled()
    w.view.table.selectRow(0)
    w.view.table.doubleClicked.emit(w.view.table.model().index(0, 0))  # passed: the edit form opens
    assert len(w._dialogs) == opened + 1
    _shot(w, "open_check_buttons_back")


def test_write_buttons_stay_off_saying_why_when_the_check_finds_damage(qtbot, tmp_path, held_check):
    from app.ui.main_window import MainWindow

    path = tmp_path / "l.db"
    with new_ledger(path, 40):
        pass
    checkpoint(path)
    corrupt_page(path, used_pages(path)[-2])
    lg = open_ledger(path, backup=False, check_later=True, operator="王会计")
    try:
        w = MainWindow(lg)
        qtbot.addWidget(w)
        assert not w.a_pay.isEnabled() and w.a_pay.toolTip() == CHECKING_TIP
        held_check.set()
        qtbot.waitUntil(lambda: w.a_pay.toolTip() != CHECKING_TIP, timeout=10000)
        for control in _writes(w):
            assert not control.isEnabled() and "已损坏" in control.toolTip(), control.text()
        assert w.a_print.isEnabled()
    finally:
        lg.close()


def test_a_ledger_checked_before_the_window_has_its_buttons_on(qtbot, tmp_path):
    from app.ui.main_window import MainWindow

    path = tmp_path / "l.db"
    with new_ledger(path, 2):
        pass
    with open_ledger(path, backup=False, operator="王会计") as lg:  # checked before it opened (the CLI's way)
        w = MainWindow(lg)
        qtbot.addWidget(w)
        assert w.a_pay.isEnabled() and w.a_import.isEnabled() and w.a_pay.toolTip() != CHECKING_TIP
        w.close()
