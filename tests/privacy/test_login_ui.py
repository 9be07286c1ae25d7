"""The window's login, the refusal of a role without the right, and the idle lock."""

from __future__ import annotations

import os

import pytest
from operators_helper import TEST_PIN, log_in

from app.ledger import PayLine, open_ledger
from app.ledger.operators import GRID_WORKER
from app.ui import login as login_mod
from app.ui.login import IdleLock, LoginDialog

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _ui_ini(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))


@pytest.fixture
def book(tmp_path):
    lg = open_ledger(tmp_path / "w.canbao.db", create=True, backup=False)
    lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                           villages={"东风村": ["一组"]}, area_kind="区")
    log_in(lg, "王会计")
    log_in(lg, "李网格", GRID_WORKER)
    h = lg.households.add(village="东风村", group="一组").id
    m = lg.members.add(h, name="张三", id_number="229999196005011233", relation="户主").id
    lg.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08")
    lg.close()
    return tmp_path / "w.canbao.db"


def test_login_dialog_refuses_a_wrong_pin_and_logs_the_right_one_in(qtbot, book):
    with open_ledger(book, backup=False) as lg:
        d = LoginDialog(lg)
        qtbot.addWidget(d)
        d.name.setCurrentIndex(d.name.findData("李网格"))
        d.pin.setText("0000")
        assert not d.log_in() and "口令错误" in d.problem.text() and lg.session is None
        d.pin.setText(TEST_PIN)
        assert d.log_in() and lg.session.name == "李网格" and lg.session.role == GRID_WORKER


def test_a_ledger_without_operators_registers_its_first_admin(qtbot, tmp_path):
    with open_ledger(tmp_path / "old.db", create=True, backup=False) as lg:
        d = LoginDialog(lg)
        qtbot.addWidget(d)
        assert d.first
        d.name.setText("zhao")
        d.pin.setText("2580")
        d.again.setText("2581")
        assert not d.log_in() and "不一致" in d.problem.text()
        d.pin.setText("2580")
        d.again.setText("2580")
        assert d.log_in() and lg.session.name == "zhao" and lg.session.role == "管理员"


def test_the_window_opens_only_after_login_and_refuses_a_grid_worker_a_void(qtbot, book, monkeypatch):
    from app.ui.app import Shell
    from app.ui.settings import Preferences

    monkeypatch.delenv("CANBAO_OPERATOR")
    monkeypatch.delenv("CANBAO_PIN")
    shell = Shell(Preferences())
    try:
        shell.show_first_run()
        shell.open_path(str(book))
        qtbot.waitUntil(lambda: getattr(login_mod.ensure_login, "dialog", None) is not None
                        and login_mod.ensure_login.dialog.isVisible(), timeout=10000)
        assert shell.window is None  # nothing of the ledger is shown before the login
        d = login_mod.ensure_login.dialog
        d.name.setCurrentIndex(d.name.findData("李网格"))
        d.pin.setText(TEST_PIN)
        assert d.log_in()
        qtbot.waitUntil(lambda: shell.window is not None, timeout=10000)
        w = shell.window
        assert "李网格" in w.info.text()
        hid = w.ledger.households.list()[0].id
        pd = w.open_void_refund(hid)
        pd.table.selectRow(0)
        pd.reason.setText("收错")
        assert not pd.void()
        assert "无权作废票据" in pd.message.text()
        assert not w.ledger.payments.get(w.ledger.payments.of_household(hid)[0].id).voided
        pd.close()
    finally:
        shell.close_ledger()
        if shell.first_run is not None:
            shell.first_run.close()


def test_idle_lock_hides_the_window_until_the_pin_is_typed(qtbot, book):
    from PySide6.QtWidgets import QMainWindow

    with open_ledger(book, backup=False) as lg:
        lg.operators.login("王会计", TEST_PIN)
        w = QMainWindow()
        qtbot.addWidget(w)
        w.show()
        lock = IdleLock(w, lg, minutes=0.002)  # 120 ms
        qtbot.waitUntil(lambda: lock.locked, timeout=3000)
        assert not w.isVisible() and lock.dialog.isVisible()
        lock.dialog.pin.setText("9999")
        assert not lock.dialog.unlock() and not w.isVisible()
        lock.dialog.pin.setText(TEST_PIN)
        assert lock.dialog.unlock()
        assert w.isVisible() and not lock.locked
        lock.lock()  # Ctrl+Shift+L does this at once
        assert lock.locked and not w.isVisible()
        lock.dialog.pin.setText(TEST_PIN)
        assert lock.dialog.unlock()
