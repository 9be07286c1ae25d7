"""The pieces under backup and restore: the ledger lock, the receipt journal's signatures, check's cancel, the
damaged-copy folder, and leftovers of killed writes."""

from __future__ import annotations

import os

import pytest

from backup_helpers import checkpoint, cli_process, corrupt_page, new_ledger, pay, reopen, used_pages

from app.domain.problems import Cancelled
from app.ledger import open_ledger
from app.ledger.backup import KEEP_DAMAGED, backup_ledger, list_backups, list_damaged
from app.ledger.db import LedgerDamaged
from app.ledger.files import clean_leftovers
from app.ledger.journal import journal_path
from app.ledger.lock import EXCLUSIVE, SHARED, LockBusy, acquire, held_by_others


def test_the_lock_is_shared_for_work_and_exclusive_for_restore(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path) as lg:
        assert held_by_others(path)  # this ledger is open
        with pytest.raises(LockBusy):
            acquire(path, EXCLUSIVE)
        again = acquire(path, SHARED)  # a worker thread's own connection: counted, granted
        again.release()
    assert not held_by_others(path)
    with acquire(path, EXCLUSIVE):  # a restore running: another process cannot open the ledger
        r = cli_process("ledger", "info", db=path)
        assert r.returncode == 2 and "正在从备份恢复" in r.stderr
    with open_ledger(path, backup=False) as lg:
        assert lg.lock is not None


def test_an_edited_journal_is_named_by_check(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 3):
        pass
    jp = journal_path(path)
    text = jp.read_text(encoding="utf-8")
    assert "2025-000003" in text
    jp.write_text(text.replace('"fen":40000', '"fen":100'), encoding="utf-8")  # an amount lowered by hand
    with reopen(path) as lg:
        texts = " ".join(p.message for p in lg.check())
    assert "签名不符" in texts


def test_check_reports_progress_and_can_be_cancelled(tmp_path):
    with new_ledger(tmp_path / "l.db", 2) as lg:
        seen = []
        assert lg.check(progress=lambda d, t: seen.append((d, t))) == []
        assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] == 11  # 11 steps: … claims, place totals
        with pytest.raises(Cancelled):
            lg.check(cancel=lambda: True)


def test_damaged_copies_are_few_and_apart(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 3):
        backup_ledger(path)
    checkpoint(path)
    corrupt_page(path, used_pages(path)[2])
    for _ in range(KEEP_DAMAGED + 2):
        with pytest.raises(LedgerDamaged):
            backup_ledger(path)
    assert len(list_damaged(path)) == KEEP_DAMAGED and len(list_backups(path)) == 1
    assert all(p.name.endswith(".damaged.db") for p in list_damaged(path))


def test_leftovers_of_dead_processes_are_removed_ours_are_kept(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path):
        pass
    (tmp_path / "备份").mkdir(exist_ok=True)
    dead = tmp_path / "备份" / "l.db.20250101-000000-000000.bak.db.999999.part"
    dead.write_bytes(b"half")
    (tmp_path / "next.db.999999.part-wal").write_bytes(b"x")
    mine = tmp_path / f"export.{os.getpid()}.part"
    mine.write_bytes(b"being written")
    removed = clean_leftovers(path)
    assert dead in removed and not dead.exists() and not (tmp_path / "next.db.999999.part-wal").exists()
    assert mine.exists()


def test_a_payment_is_refused_on_a_ledger_found_damaged_while_open(tmp_path):
    path = tmp_path / "l.db"
    lg = new_ledger(path, 2)
    try:
        checkpoint(path)
        corrupt_page(path, used_pages(path)[3])
        with open_ledger(path, backup=False, damaged_ok=True) as other:  # another window checks and finds it
            assert other.damage and other.check()
        with pytest.raises(LedgerDamaged):
            reopen(path)
    finally:
        lg.close()


def test_restore_counts_numbers_known_only_as_used(tmp_path):
    """A bulk write journals one "used up to N" line: after a restore those numbers are dropped, not reused."""
    from app.ledger.journal import ReceiptJournal
    from app.ledger.receipts import journal_key, list_dropped
    from app.ledger.restore import preview, restore

    path = tmp_path / "l.db"
    with new_ledger(path, 2) as lg:
        backup = backup_ledger(path)
        ReceiptJournal(path, journal_key(lg.db)).append([{"k": "h", "y": 2025, "s": 7}])
    pv = preview(backup, path)
    assert pv.numbers_only == 5 and "5 个票据号只知已用" in "\n".join(pv.lines())
    restore(backup, path)
    with reopen(path) as lg:
        assert len(list_dropped(lg)) == 5 and pay(lg, 1)[0][0] == "2025-000008"
        assert lg.check() == []


def test_a_ledger_damaged_under_an_open_window_stops_taking_payments(tmp_path):
    path = tmp_path / "l.db"
    lg = new_ledger(path, 3)
    try:
        checkpoint(path)
        for page in used_pages(path)[5:]:  # the disk fails under the open ledger
            corrupt_page(path, page)
        with pytest.raises(LedgerDamaged, match="已停止记账"):
            pay(lg, 1)
        with pytest.raises(LedgerDamaged):  # and the next one is refused before it starts
            pay(lg, 1)
    finally:
        lg.close()
    with pytest.raises(LedgerDamaged):  # every other window and command is told too (the mark)
        open_ledger(path, backup=False)
