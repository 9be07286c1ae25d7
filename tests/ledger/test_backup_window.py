"""Backups in the window: the settings' 备份与恢复 panel (where, how many, last verified, size; 立即备份,
检查台账), the restore dialog that lists what a backup lacks before it takes, and a damaged ledger that the
window refuses to open and offers to restore."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from backup_helpers import checkpoint, corrupt_page, new_ledger, pay, used_pages  # noqa: E402

from app.ledger import open_ledger  # noqa: E402
from app.ledger.backup import backup_ledger, list_backups  # noqa: E402
from app.ledger.receipts import list_dropped  # noqa: E402


@pytest.fixture(autouse=True)
def _prefs(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))


def test_settings_show_backups_and_back_up_and_check_off_the_gui_thread(qtbot, tmp_path):
    from app.ui.settings import Preferences, SettingsDialog

    lg = new_ledger(tmp_path / "l.db", 2)
    try:
        d = SettingsDialog(Preferences(), lg)
        qtbot.addWidget(d)
        panel = d.backups
        assert "还没有备份" in panel.summary.text() and "备份" in panel.summary.text()
        panel.b_now.click()
        qtbot.waitUntil(lambda: "已备份并校验" in panel.message.text(), timeout=15000)
        assert len(list_backups(lg.path)) == 1
        assert "正常备份 1 份" in panel.summary.text() and "校验通过" in panel.summary.text()
        panel.b_check.click()
        qtbot.waitUntil(lambda: "检查通过" in panel.message.text(), timeout=15000)
    finally:
        lg.close()


def test_restore_from_the_window_lists_what_it_drops_then_reopens(qtbot, shell, tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 2) as lg:
        backup_ledger(path)
        pay(lg, 1)  # 2025-000003: not in the backup
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15000)
    settings = shell.window.open_settings()
    dialog = settings.backups.open_restore()
    qtbot.waitUntil(lambda: "2025-000003" in dialog.lost.toPlainText(), timeout=15000)
    assert "缴费 1 笔" in dialog.lost.toPlainText()
    assert not dialog.go.isEnabled()  # nothing is taken before the clerk ticks that they have read it
    dialog.confirm.setChecked(True)
    dialog.go.click()
    qtbot.waitUntil(lambda: shell.window is not None and "已从备份恢复" in shell.window.statusBar().currentMessage()
                    or (shell.window is not None and shell.ledger is not None
                        and shell.ledger.db.execute("SELECT count(*) FROM receipts_dropped").fetchone()[0] == 1),
                    timeout=20000)
    assert [d.receipt_no for d in list_dropped(shell.ledger)] == ["2025-000003"]
    assert shell.ledger.check() == []


def test_a_damaged_ledger_is_named_at_once_and_restore_is_offered(qtbot, shell, tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 4):
        backup_ledger(path)
    checkpoint(path)
    pages = used_pages(path)
    corrupt_page(path, pages[len(pages) // 2])
    shell.start()
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: shell.first_run is not None and "已损坏" in shell.first_run.message.text(),
                    timeout=15000)
    assert shell.window is None
    dialog = shell.restore_dialog
    qtbot.waitUntil(lambda: "当前台账中的记录都在备份里" in dialog.lost.toPlainText()
                    or "恢复后将失去" in dialog.lost.toPlainText(), timeout=15000)
    dialog.confirm.setChecked(True)
    dialog.go.click()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=20000)
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == [] and lg.payments.by_receipt("2025-000004")
