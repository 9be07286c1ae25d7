"""The ledger password in the window (issue 14): asked before the login when an encrypted ledger opens,
"密码不正确" for a wrong one, and set on the new-ledger form (with strength advice)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.ledger import encryption, open_ledger, sqlite_driver  # noqa: E402
from operators_helper import log_in  # noqa: E402

PASSWORD = "Shengli-cun-2025"


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "default.canbao.db"))
    sqlite_driver.forget_all()
    yield
    sqlite_driver.forget_all()


@pytest.fixture()
def encrypted(tmp_path):
    path = tmp_path / "enc.canbao.db"
    with open_ledger(path, create=True, backup=False, key=encryption.new_key(PASSWORD)) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        lg.households.add(village="东风村", group="一组")
    sqlite_driver.forget_all()
    return path


def test_window_asks_the_ledger_password_before_the_login(qtbot, encrypted):
    from app.ui.app import Shell
    from app.ui.password_dialog import ask_ledger_password
    from app.ui.settings import Preferences

    shell = Shell(Preferences())
    try:
        shell.open_path(str(encrypted))
        d = ask_ledger_password.dialog
        qtbot.waitUntil(d.isVisible, timeout=5000)
        assert shell.window is None
        qtbot.keyClicks(d.password, "wrong-pass")
        d.unlock()
        assert d.isVisible() and d.message.text().startswith("密码不正确")
        qtbot.keyClicks(d.password, PASSWORD)
        d.unlock()
        qtbot.waitUntil(lambda: shell.window is not None, timeout=10000)
        assert shell.window.ledger.path == encrypted
        # the window's reader connections (worker threads) open the encrypted file with the held key
        qtbot.waitUntil(lambda: shell.window.model.rowCount() == 1, timeout=10000)
    finally:
        shell.close_ledger()
        if shell.first_run is not None:
            shell.first_run.close()


def test_cancelling_the_password_leaves_the_ledger_closed(qtbot, encrypted):
    from app.ui.app import Shell
    from app.ui.password_dialog import ask_ledger_password
    from app.ui.settings import Preferences

    shell = Shell(Preferences())
    try:
        shell.open_path(str(encrypted))
        ask_ledger_password.dialog.reject()
        qtbot.waitUntil(lambda: shell.first_run is not None and "未输入台账密码" in shell.first_run.message.text(),
                        timeout=5000)
        assert shell.window is None and shell.ledger is None
    finally:
        if shell.first_run is not None:
            shell.first_run.close()


def test_new_ledger_form_encrypts_with_the_password_and_advises(qtbot, tmp_path):
    from app.ui.first_run import FirstRunScreen

    screen = FirstRunScreen(operator="李会计")
    qtbot.addWidget(screen)
    form = screen.create_form
    assert "不加密" in form.password.advice.text()
    form.path.setText(str(tmp_path / "new.canbao.db"))
    form.township.setText("路村乡")
    form.villages.setPlainText("东风村：一组")
    qtbot.keyClicks(form.password.password, "12345678")
    assert "常见" in form.password.advice.text() or "太" in form.password.advice.text()
    form.create()
    assert "台账密码" in form.problems.text() and not (tmp_path / "new.canbao.db").exists()
    form.password.password.clear()
    qtbot.keyClicks(form.password.password, PASSWORD)
    qtbot.keyClicks(form.password.again, PASSWORD + "x")
    form.create()
    assert "不一致" in form.problems.text()
    form.password.again.clear()
    qtbot.keyClicks(form.password.again, PASSWORD)
    form.password.sheet.setChecked(False)
    assert "强度" in form.password.advice.text()
    with qtbot.waitSignal(screen.ledger_created, timeout=10000) as blocker:
        form.create()
    lg = blocker.args[0]
    lg.close()
    path = tmp_path / "new.canbao.db"
    assert sqlite_driver.is_encrypted(path)
    sqlite_driver.forget_all()
    with pytest.raises(encryption.PasswordRequired):
        open_ledger(path, backup=False)


def test_settings_converts_an_open_plaintext_ledger_and_asks_before_removing_the_plaintext(qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from app.ledger.backup import backup_ledger, list_backups
    from app.ui.app import Shell
    from app.ui.password_dialog import convert_in_window, encryption_row
    from app.ui.settings import Preferences

    path = tmp_path / "plain.canbao.db"
    with open_ledger(path, create=True, backup=False) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        lg.households.add(village="东风村", group="一组")
    backup_ledger(path)
    shell = Shell(Preferences())
    try:
        shell.open_path(str(path))
        qtbot.waitUntil(lambda: shell.window is not None, timeout=10000)
        settings = shell.window.open_settings()
        from PySide6.QtWidgets import QPushButton

        settings.findChild(QPushButton, "encryptLedgerButton").click()
        d = encryption_row.dialog
        qtbot.keyClicks(d.fields.password, PASSWORD)
        qtbot.keyClicks(d.fields.again, PASSWORD)
        d.fields.sheet.setChecked(False)
        d.check()
        qtbot.waitUntil(lambda: getattr(convert_in_window, "box", None) is not None
                        and convert_in_window.box.isVisible(), timeout=20000)
        assert sqlite_driver.is_encrypted(path) and encryption.pending_conversion(path) is not None
        assert shell.window is not None and shell.window.ledger.path == path
        convert_in_window.box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: encryption.pending_conversion(path) is None, timeout=10000)
        qtbot.waitUntil(lambda: all(sqlite_driver.is_encrypted(b) for b in list_backups(path)), timeout=10000)
    finally:
        shell.close_ledger()
        if shell.first_run is not None:
            shell.first_run.close()


def test_restoring_an_encrypted_backup_on_a_new_computer_asks_the_password(qtbot, encrypted, tmp_path):
    """The laptop is lost; the USB stick's encrypted backup is restored from the window on a new one (the ledger
    file is not there, the key is not held): the restore dialog asks for the ledger password, then compares."""
    from app.ledger.backup import backup_ledger
    from app.ui.password_dialog import ask_ledger_password
    from app.ui.restore_dialog import RestoreDialog

    encryption.unlock(encrypted, PASSWORD)
    stick = backup_ledger(encrypted, tmp_path / "U盘.bak.db")
    sqlite_driver.forget_all()
    new_laptop = tmp_path / "新电脑" / "ledger.canbao.db"
    new_laptop.parent.mkdir()
    d = RestoreDialog(new_laptop)
    qtbot.addWidget(d)
    d.show_preview(str(stick))
    pw = ask_ledger_password.dialog
    qtbot.waitUntil(pw.isVisible, timeout=5000)
    assert "输入台账密码" in d.lost.toPlainText() and not d.confirm.isEnabled()
    qtbot.keyClicks(pw.password, PASSWORD)
    pw.unlock()
    qtbot.waitUntil(lambda: d.pv is not None, timeout=10000)
    assert d.pv.usable and d.confirm.isEnabled()
