"""The open-check on a worker (issue 17, start to usable window): a ledger opened with ``check_later=True`` reads
at once, refuses every write until ``quick_check`` has passed, and a damage it finds marks the file and stops
all writes — in the ledger layer, so the CLI and the workers are covered as well as the window."""

from __future__ import annotations

import threading

import pytest
from backup_helpers import checkpoint, corrupt_page, households, new_ledger, pay, used_pages

from app.ledger import health, open_ledger
from operators_helper import log_in
from app.ledger.db import CHECKING_MESSAGE, LedgerChecking, LedgerDamaged


@pytest.fixture()
def held_check(monkeypatch):
    """The worker's quick_check waits until the test lets it go (the check of a real district ledger takes
    about half a second; a test ledger's, a millisecond)."""
    gate = threading.Event()
    real = health.quick_problems

    def slow(path, pragma="quick_check", on_connect=None):
        if pragma is not None:
            assert gate.wait(10)
        return real(path, pragma, on_connect)

    monkeypatch.setattr(health, "quick_problems", slow)
    return gate


def test_a_write_while_the_open_check_runs_is_refused_and_nothing_is_written(tmp_path, held_check):
    path = tmp_path / "l.db"
    with new_ledger(path, 2):
        pass
    with open_ledger(path, backup=False, check_later=True, operator="王会计") as lg:
        assert lg.checking
        log_in(lg)  # the login while the check runs (the PIN is typed meanwhile)
        assert lg.db.execute("SELECT count(*) FROM households").fetchone()[0] == 2  # reads: at once
        with pytest.raises(LedgerChecking) as refused:
            pay(lg, 1)
        assert refused.value.problems[0].message == CHECKING_MESSAGE and "正在检查台账文件" in CHECKING_MESSAGE
        with pytest.raises(LedgerChecking):
            with lg.transaction() as db:
                db.execute("DELETE FROM audit")
        assert lg.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 2
        held_check.set()
        assert lg.open_check.wait(10) and not lg.checking and lg.passed
        pay(lg, 1)  # passed: writes as usual
        assert lg.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 3


def test_damage_found_by_the_open_check_marks_the_file_and_stops_every_write(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 40):
        pass
    checkpoint(path)
    pages = used_pages(path)
    corrupt_page(path, pages[-2])
    try:
        lg = open_ledger(path, backup=False, check_later=True, operator="王会计")
    except LedgerDamaged:  # the broken page was one the open itself read: found at once, as before
        assert health.read_mark(path)
        pytest.fail("the page broken was one the open reads: the background check was not reached")
    try:
        assert lg.open_check.wait(10)
        assert lg.open_check.damage and lg.damage
        with pytest.raises(LedgerDamaged):
            with lg.transaction():
                pass
        assert health.read_mark(path)  # the next open (any window, the CLI) refuses at once
    finally:
        lg.close()
    with pytest.raises(LedgerDamaged):
        open_ledger(path, backup=False)


def test_the_cli_open_still_checks_before_it_returns(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 40):
        pass
    checkpoint(path)
    corrupt_page(path, used_pages(path)[-2])
    with pytest.raises(LedgerDamaged):
        open_ledger(path, backup=False)  # check_later defaults to False: quick_check before it opens


def test_closing_during_the_check_stops_it_without_a_false_mark(tmp_path, held_check):
    path = tmp_path / "l.db"
    with new_ledger(path, 1):
        pass
    lg = open_ledger(path, backup=False, check_later=True, operator="王会计")
    check = lg.open_check
    threading.Timer(0.2, held_check.set).start()
    lg.close()
    assert not check.pending and not health.read_mark(path)


# -- in the window (pytest-qt): the household list at once, writes refused until the check passes


@pytest.fixture()
def _prefs(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))


def _window_up(shell):
    return shell.window is not None and shell.window.model.rowCount() > 0


def test_the_window_shows_the_list_during_the_check_and_refuses_a_payment_until_it_passes(
        qtbot, shell, tmp_path, held_check, _prefs):
    path = tmp_path / "l.db"
    with new_ledger(path, 3) as lg:
        households(lg, 1)  # one not paid yet
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: _window_up(shell), timeout=15000)
    lg = shell.ledger
    assert lg.checking and "正在检查台账文件" in shell.window.statusBar().currentMessage()
    hid, mid = lg.db.execute("SELECT household_id, id FROM members ORDER BY id DESC LIMIT 1").fetchone()
    d = shell.window.open_payment(hid, [mid])
    assert d.save() is None and "正在检查台账文件" in d.problem.text()
    assert lg.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 3
    held_check.set()
    qtbot.waitUntil(lambda: "没有发现损坏" in shell.window.statusBar().currentMessage(), timeout=10000)
    assert d.save() is not None, d.problem.text()
    assert lg.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 4


def test_damage_found_by_the_check_behind_the_window_ends_in_the_damaged_path(
        qtbot, shell, tmp_path, held_check, _prefs):
    path = tmp_path / "l.db"
    with new_ledger(path, 40):
        pass
    checkpoint(path)
    corrupt_page(path, used_pages(path)[-2])
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: _window_up(shell), timeout=15000)  # the list shows: the broken page is not in it
    held_check.set()
    qtbot.waitUntil(lambda: shell.window is None and shell.first_run is not None
                    and "已损坏" in shell.first_run.message.text(), timeout=15000)
    assert shell.ledger is None and shell.restore_dialog.isVisible()
    assert health.read_mark(path)


def test_a_wrong_pin_during_the_check_is_still_counted(tmp_path, held_check):
    from app.ledger.operators import LoginFailed

    path = tmp_path / "l.db"
    with new_ledger(path, 1):
        pass
    with open_ledger(path, backup=False, check_later=True) as lg:
        assert lg.checking
        threading.Timer(0.2, held_check.set).start()
        with pytest.raises(LoginFailed):  # not LedgerChecking: the count waits for the check, then is written
            lg.operators.login("王会计", "0000")
        assert lg.passed
        assert lg.db.execute("SELECT failures FROM operators WHERE name = '王会计'").fetchone()[0] == 1


def test_damage_found_while_the_login_dialog_is_open_closes_it_into_the_damaged_path(
        qtbot, shell, tmp_path, held_check, _prefs, monkeypatch):
    from app.ui.login import ensure_login

    monkeypatch.delenv("CANBAO_PIN")  # a person at the window: the login dialog asks
    monkeypatch.setattr(ensure_login, "dialog", None, raising=False)  # the deleted dialog is not left to others
    path = tmp_path / "l.db"
    with new_ledger(path, 40):
        pass
    checkpoint(path)
    corrupt_page(path, used_pages(path)[-2])
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: getattr(ensure_login, "dialog", None) is not None
                    and ensure_login.dialog.isVisible(), timeout=15000)
    dialog = ensure_login.dialog
    held_check.set()
    qtbot.waitUntil(lambda: shell.first_run is not None and "已损坏" in shell.first_run.message.text(), timeout=15000)
    import shiboken6

    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed (and deleted on close)
    assert shell.window is None and shell.restore_dialog.isVisible()
    assert "未登录" not in shell.first_run.message.text()


def test_damage_found_before_the_window_is_made_ends_in_the_damaged_path_too(qtbot, shell, tmp_path, _prefs):
    path = tmp_path / "l.db"  # a small ledger: its check ends within the open, whichever side sees it first
    with new_ledger(path, 40):
        pass
    checkpoint(path)
    corrupt_page(path, used_pages(path)[-2])
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: shell.first_run is not None and "已损坏" in shell.first_run.message.text(), timeout=15000)
    qtbot.wait(300)
    assert shell.window is None and shell.ledger is None and shell.restore_dialog.isVisible()
