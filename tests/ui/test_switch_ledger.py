"""Issue 13: 切换台账 opens a clean welcome screen (not the old 新建台账 form with its entries and error),
with the recent ledgers listed; the same ledger opened in a second window is refused with a reason."""

from __future__ import annotations

import pytest

from app.ui.app import Shell, recent_ledgers
from app.ui.settings import Preferences


@pytest.fixture()
def shells(qtbot):
    made = []

    def make():
        s = Shell(Preferences())
        made.append(s)
        return s

    yield make
    for s in made:
        s.close_ledger()
        if s.first_run is not None:
            s.first_run.close()


def test_switch_ledger_gives_a_clean_form_and_recent_ledgers(qtbot, shells, ledger, book):
    a, b = ledger.path, book.path
    ledger.close()
    book.close()
    shell = shells()
    shell.start()
    form = shell.first_run.create_form
    form.township.setText("旧镇")
    form.create()  # leaves entries and a problem message behind
    assert form.problems.text()
    shell.open_path(str(a))
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10000)
    shell.window.switch_ledger.emit()
    qtbot.waitUntil(lambda: shell.first_run is not None and shell.first_run.isVisible(), timeout=5000)
    fresh = shell.first_run
    assert fresh.create_form.township.text() == "" and fresh.create_form.problems.text() == ""
    assert fresh.stack.currentIndex() == 0
    shell.open_path(str(b))
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.ledger.path == b, timeout=10000)
    assert recent_ledgers(shell.prefs)[:2] == [str(b), str(a)]
    shell.window.switch_ledger.emit()
    qtbot.waitUntil(lambda: shell.first_run is not None and shell.first_run.isVisible(), timeout=5000)
    items = shell.first_run.recent
    assert [items.item(i).toolTip() for i in range(items.count())][:2] == [str(b), str(a)]
    items.itemActivated.emit(items.item(1))  # double-click the older one
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.ledger.path == a, timeout=10000)


def test_the_same_ledger_in_two_windows_is_refused(qtbot, shells, ledger):
    path = ledger.path
    ledger.close()
    first, second = shells(), shells()
    first.open_path(str(path))
    qtbot.waitUntil(lambda: first.window is not None, timeout=10000)
    second.open_path(str(path))
    assert second.window is None
    assert "已在另一个窗口中打开" in second.first_run.message.text()
    first.close_ledger()  # the lock goes with the window
    second.open_path(str(path))
    qtbot.waitUntil(lambda: second.window is not None, timeout=10000)
