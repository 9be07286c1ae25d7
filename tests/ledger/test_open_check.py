"""The open-check on a worker (issue 17, start to usable window): a ledger opened with ``check_later=True`` reads
at once, refuses every write until ``quick_check`` has passed, and a damage it finds marks the file and stops
all writes — in the ledger layer, so the CLI and the workers are covered as well as the window."""

from __future__ import annotations

import threading

import pytest
from backup_helpers import checkpoint, corrupt_page, new_ledger, pay, used_pages

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
