"""设置 → 修改台账密码… in the window: a wrong current password is refused in the dialog, a weak or repeated new
one too; a 网格员 finds the button greyed; a 管理员's change closes the ledger, re-encrypts it and its backups,
and opens it again under the new password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.ledger import encryption, open_ledger, sqlite_driver  # noqa: E402
from app.ledger.backup import backup_ledger, list_backups  # noqa: E402
from app.ledger.operators import GRID_WORKER  # noqa: E402
from operators_helper import log_in  # noqa: E402

OLD = "Shengli-cun-2025"
NEW = "Xin-mima-Dongfeng-26"
SHOTS = Path(os.environ["CANBAO_SHOTS"]) if os.environ.get("CANBAO_SHOTS") else None


def _shot(widget, name: str) -> None:
    """With CANBAO_SHOTS=<folder>: a PNG of the widget, to look at."""
    if SHOTS is not None:
        from PySide6.QtWidgets import QApplication

        for _ in range(3):  # the layout as the event loop settles it (a longer advice wraps onto a new line)
            QApplication.processEvents()
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


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
    with open_ledger(path, create=True, backup=False, key=encryption.new_key(OLD)) as lg:
        admin = log_in(lg, "王会计")
        log_in(lg, "小李", role=GRID_WORKER)
        lg.operators.resume(admin)
        lg.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        lg.households.add(village="东风村", group="一组")
    backup_ledger(path)
    return path


def _shell(qtbot, path):
    from app.ui.app import Shell
    from app.ui.settings import Preferences

    shell = Shell(Preferences())
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10000)
    return shell


def _close(shell) -> None:
    shell.close_ledger()
    if shell.first_run is not None:
        shell.first_run.close()


def test_settings_changes_the_password_and_reopens_the_ledger(qtbot, encrypted, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    from app.ui.password_dialog import change_password_button, rekey_in_window

    monkeypatch.setattr(rekey_in_window, "box", None, raising=False)  # not one left by an earlier test

    old_salt = sqlite_driver.salt_of(encrypted)
    encryption.unlock(encrypted, OLD)
    usb = backup_ledger(encrypted, encrypted.parent / "U盘" / f"{encrypted.name}.20251101-090000.bak.db")
    shell = _shell(qtbot, encrypted)
    shell.prefs.backup_dir = str(usb.parent)  # 设置 → 备份文件夹: the second copy's folder, changed too
    try:
        settings = shell.window.open_settings()
        button = settings.findChild(QPushButton, "changeLedgerPasswordButton")
        assert button.isEnabled()
        button.click()
        d = change_password_button.dialog
        qtbot.waitUntil(d.isVisible, timeout=5000)
        qtbot.keyClicks(d.current, "not-the-password")
        qtbot.keyClicks(d.fields.password, NEW)
        qtbot.keyClicks(d.fields.again, NEW)
        d.fields.sheet.setChecked(False)
        _shot(d, "password_change_dialog")
        d.check()
        assert d.isVisible() and d.message.text().startswith("当前密码不正确")
        _shot(d, "password_change_wrong_current")
        encryption._fail_path(encrypted).unlink(missing_ok=True)
        qtbot.keyClicks(d.current, OLD)
        d.fields.again.clear()
        qtbot.keyClicks(d.fields.again, "12345678")
        d.check()
        assert d.isVisible() and "不一致" in d.message.text()
        d.fields.password.clear()
        d.fields.again.clear()
        qtbot.keyClicks(d.fields.password, OLD)
        qtbot.keyClicks(d.fields.again, OLD)
        d.check()
        assert d.isVisible() and "相同" in d.message.text()
        assert sqlite_driver.salt_of(encrypted) == old_salt  # nothing changed yet
        for e in (d.fields.password, d.fields.again):
            e.clear()
            qtbot.keyClicks(e, NEW)
        d.check()
        qtbot.waitUntil(lambda: shell.window is not None and sqlite_driver.salt_of(encrypted) != old_salt,
                        timeout=20000)
        qtbot.waitUntil(lambda: getattr(rekey_in_window, "box", None) is not None
                        and rekey_in_window.box.isVisible(), timeout=10000)
        box = rekey_in_window.box
        assert "2 份备份（「备份」文件夹和设置中的另一个备份文件夹）已改用新密码" in box.text()
        assert "原来的恢复单" in box.text()
        _shot(box, "password_changed_box")
        box.accept()
    finally:
        _close(shell)
    sqlite_driver.forget_all()
    with pytest.raises(encryption.WrongPassword):
        encryption.unlock(encrypted, OLD)
    encryption._fail_path(encrypted).unlink(missing_ok=True)
    encryption.unlock(encrypted, NEW)
    with open_ledger(encrypted, backup=False) as lg:
        assert lg.db.execute("SELECT count(*) FROM households").fetchone()[0] == 1
        last = lg.db.execute("SELECT operator, action FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(last) == ("王会计", "password")
    assert all(sqlite_driver.salt_of(b) == sqlite_driver.salt_of(encrypted) for b in [*list_backups(encrypted), usb])


def test_a_grid_worker_finds_the_button_greyed(qtbot, encrypted, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    monkeypatch.setenv("CANBAO_OPERATOR", "小李")
    encryption.unlock(encrypted, OLD)
    shell = _shell(qtbot, encrypted)
    try:
        settings = shell.window.open_settings()
        button = settings.findChild(QPushButton, "changeLedgerPasswordButton")
        assert not button.isEnabled() and "专干或管理员" in button.toolTip()
        _shot(settings, "password_change_settings_grid_worker")
    finally:
        _close(shell)


def test_restoring_a_backup_made_before_the_change_asks_for_the_password_it_was_made_with(qtbot, encrypted,
                                                                                           tmp_path):
    from app.ledger import rekey
    from app.ui.password_dialog import ask_ledger_password
    from app.ui.restore_dialog import RestoreDialog

    encryption.unlock(encrypted, OLD)
    stick = backup_ledger(encrypted, tmp_path / "U盘" / "enc.canbao.db.20251101-090000.bak.db")
    with open_ledger(encrypted, backup=False) as lg:
        op = lg.operators.get("王会计")
    rekey.change_password(encrypted, OLD, NEW, operator=op)
    sqlite_driver.forget_all()
    encryption.unlock(encrypted, NEW)
    d = RestoreDialog(encrypted)
    qtbot.addWidget(d)
    d.show_preview(str(stick))
    pw = ask_ledger_password.dialog
    qtbot.waitUntil(pw.isVisible, timeout=5000)
    assert "做这份备份时的台账密码" in pw.findChildren(type(pw.message))[0].text()
    _shot(pw, "password_backup_asks_old_password")
    qtbot.keyClicks(pw.password, NEW)
    pw.unlock()
    assert pw.isVisible() and pw.message.text().startswith("密码不正确")
    encryption._fail_path(stick).unlink(missing_ok=True)
    pw.password.clear()
    qtbot.keyClicks(pw.password, OLD)
    pw.unlock()
    qtbot.waitUntil(lambda: d.pv is not None, timeout=10000)
    assert d.pv.usable
