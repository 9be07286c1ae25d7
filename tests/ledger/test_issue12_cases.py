"""Issue 12's eight numbered cases, literally: each as the tester did it, with what must happen now."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from app.ledger import open_ledger
from app.ledger.backup import backup_ledger, list_backups, list_damaged
from app.ledger.db import LedgerDamaged, LedgerError
from app.ledger.health import quick_problems
from app.ledger.receipts import list_dropped
from app.ledger.restore import RestoreRefused, preview, restore

from backup_helpers import (ROOT, checkpoint, cli_process, cli_run, corrupt_page, households, new_ledger, pay, receipts,
                            person_id, reopen, small_mount, used_pages)


def test_case1_a_damaged_ledger_stops_taking_payments_and_is_never_backed_up_as_good(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 6):
        pass
    for _ in range(3):
        backup_ledger(path)
    good = list_backups(path)
    checkpoint(path)
    pages = used_pages(path)
    corrupt_page(path, pages[len(pages) // 2])  # damage in the middle of the file
    with pytest.raises(LedgerDamaged, match="已停止记账"):
        open_ledger(path)
    r = cli_run("ledger", "household", "add", "--village", "东风村", db=path)
    assert r.returncode == 2 and "已损坏" in r.stderr and "canbao restore" in r.stderr and "Traceback" not in r.stderr
    r = cli_run("backup", db=path)  # `canbao backup` checks first
    assert r.returncode == 2 and "已损坏" in r.stderr
    for _ in range(10):  # ten openings: none takes a payment, none rotates the good backups out
        with pytest.raises(LedgerDamaged):
            open_ledger(path, backup_interval=0, keep_backups=3)
        with pytest.raises(LedgerDamaged):
            backup_ledger(path, keep=3)
    assert list_backups(path) == good and all(quick_problems(b, "integrity_check") == [] for b in good)
    assert 1 <= len(list_damaged(path)) <= 3  # the damaged copies are kept apart, labelled, few
    r = cli_run("check", db=path)
    assert r.returncode == 1 and "完整性" in r.stdout + r.stderr
    r = cli_run("restore", "--yes", db=path)
    assert r.returncode == 0, r.stderr
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == [] and lg.payments.by_receipt("2025-000006")


def test_case2_restore_lists_what_it_drops_and_never_reissues_a_number(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 3) as lg:
        backup = backup_ledger(path)
        later = pay(lg, 2)  # 2025-000004 and -000005 are not in the backup
    r = cli_run("restore", str(backup), db=path)
    assert r.returncode == 2 and "--yes" in r.stderr  # tells, takes nothing
    assert "2025-000004" in r.stdout and "2025-000005" in r.stdout and "缴费 2 笔" in r.stdout
    assert set(receipts(path)) >= {no for no, _ in later}
    r = cli_run("restore", str(backup), "--yes", db=path)
    assert r.returncode == 0 and "作废票据号" in r.stdout, r.stderr
    with reopen(path) as lg:
        assert [d.receipt_no for d in list_dropped(lg)] == ["2025-000004", "2025-000005"]
        assert all(d.amount_fen for d in list_dropped(lg))
        nxt = pay(lg, 1)[0][0]
        assert nxt == "2025-000006"
        assert lg.check() == []
    r = cli_run("dropped-receipts", "-o", str(tmp_path / "作废.xlsx"), db=path)
    assert r.returncode == 0 and "2025-000004" in r.stdout and (tmp_path / "作废.xlsx").exists()


def test_case3_restore_is_refused_while_another_process_has_the_ledger_open(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 2):
        backup = backup_ledger(path)
    writer = subprocess.Popen([sys.executable, str(ROOT / "tests/ledger/crash_writer.py"), str(path), "0"],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        first = writer.stdout.readline()
        assert first
        with pytest.raises(RestoreRefused, match="另一个窗口或程序"):
            restore(backup, path)
        r = cli_run("restore", str(backup), "--yes", db=path)
        assert r.returncode == 2 and "另一个窗口或程序" in r.stderr
    finally:
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
    reported = [line.split()[0] for line in (first + out).splitlines()]
    assert len(reported) >= 1 and set(reported) <= set(receipts(path))


def test_case3_a_ledger_deleted_while_open_is_rescued_not_lost(tmp_path):
    path = tmp_path / "l.db"
    lg = new_ledger(path, 3)
    before = pay(lg, 2)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"l.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(LedgerError, match="被删除"):
        pay(lg, 1)
    with pytest.raises(LedgerDamaged):  # and it takes nothing more
        pay(lg, 1)
    lg.close()
    assert set(receipts(path)) == {f"2025-00000{i}" for i in range(1, 6)}
    assert {no for no, _ in before} <= set(receipts(path))


def test_case4_restore_works_with_a_damaged_header_and_a_stale_wal(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 3) as lg:
        backup = backup_ledger(path)
        pay(lg, 1)
    checkpoint(path)
    other = tmp_path / "other.db"  # a stale -wal from another file beside the ledger
    oc = sqlite3.connect(other)
    oc.execute("PRAGMA journal_mode=WAL")
    oc.execute("PRAGMA wal_autocheckpoint=0")
    oc.execute("CREATE TABLE x (y)")
    oc.executemany("INSERT INTO x VALUES (?)", [(i,) for i in range(500)])
    oc.commit()
    (tmp_path / "l.db-wal").write_bytes((tmp_path / "other.db-wal").read_bytes())
    oc.close()
    with open(path, "r+b") as fh:
        fh.write(b"\0" * 100)  # the header
    with pytest.raises(LedgerDamaged):
        open_ledger(path)
    pv = preview(backup, path)
    assert pv.usable and not pv.current_readable and [p.receipt_no for p in pv.payments] == ["2025-000004"]
    r = cli_run("restore", str(backup), "--yes", db=path)
    assert r.returncode == 0, r.stderr
    with reopen(path) as lg:
        assert lg.check() == []
        assert [d.receipt_no for d in list_dropped(lg)] == ["2025-000004"]  # known from the journal alone
        assert pay(lg, 1)[0][0] == "2025-000005"
    replaced = list((tmp_path / "备份").glob("l.db.*.replaced.db"))
    assert replaced and replaced[0].read_bytes()[:100] == b"\0" * 100  # the damaged file is kept aside


def test_case5_a_killed_rollover_leaves_no_ledger_and_can_be_retried(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 0, "changchun-2022", 2022) as lg:
        households(lg, 2)
    nxt = tmp_path / "next.db"
    script = (
        "import os, signal, sys\n"
        "from app.ledger import open_ledger\n"
        "def die(done, total): os.kill(os.getpid(), signal.SIGKILL)\n"
        f"with open_ledger({str(path)!r}, backup=False) as lg:\n"
        "    lg.operators.login(os.environ['CANBAO_OPERATOR'], os.environ['CANBAO_PIN'])\n"
        f"    lg.rollover({str(nxt)!r}, 'changchun-2025', progress=die)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    assert not nxt.exists() and list(tmp_path.glob("next.db.*.part"))
    with reopen(path) as lg:  # the next start cleans up, the retry is not refused
        assert not list(tmp_path.glob("next.db.*.part*"))
        lg.rollover(nxt, "changchun-2025")
    with open_ledger(nxt, backup=False) as new:
        assert new.check() == [] and new.households.count() == 2


def test_case6_killed_backups_leave_nothing_and_a_nearly_full_disk_keeps_room_for_payments(tmp_path, monkeypatch):
    path = tmp_path / "l.db"
    with new_ledger(path, 2):
        pass
    script = (
        "import os, signal\n"
        "from pathlib import Path\n"
        "from app.ledger.backup import backup_ledger\n"
        f"backup_ledger(Path({str(path)!r}), progress=lambda d, t: os.kill(os.getpid(), signal.SIGKILL))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == -signal.SIGKILL
    assert list((tmp_path / "备份").glob("*.part")) and not list_backups(path)
    with reopen(path) as lg:
        assert not list((tmp_path / "备份").glob("*.part*"))
        import shutil

        real = shutil.disk_usage
        monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=200 * 1024))
        with pytest.raises(Exception, match="磁盘空间不足"):
            backup_ledger(path)
        assert not list((tmp_path / "备份").glob("*.part")) and not list_backups(path)
        pay(lg, 1)  # the day's work goes on


def test_case7_tampering_with_the_sqlite_shell_is_named_and_edits_are_refused(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 3) as lg:
        lg.payments.void(lg.payments.by_receipt("2025-000003").id, "收错")
    conn = sqlite3.connect(path)
    edits = ["UPDATE payment_items SET amount_fen = 1", "UPDATE payments SET paid_on = '2024-01-01'",
             "UPDATE payments SET method = '微信'", "UPDATE payments SET voided_at = NULL WHERE seq = 3",
             "UPDATE payments SET void_reason = '另一个原因' WHERE seq = 3", "UPDATE receipt_counters SET last_seq = 1",
             "DELETE FROM receipt_counters", "UPDATE audit SET operator = 'x'", "DELETE FROM payments WHERE seq = 2",
             "UPDATE payments SET amount_fen = 1"]
    for sql in edits:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)
    conn.execute("DROP TRIGGER payments_never_deleted")
    conn.execute("DELETE FROM payments WHERE seq = 2")
    conn.commit()
    conn.close()
    r = cli_run("check", db=path)
    assert r.returncode == 1 and "检查通过" not in r.stdout
    for named in ("payments_never_deleted", "缺少 1 张票据", "2025-000002", "被删除"):
        assert named in r.stdout, named
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_append_only")
    conn.execute("UPDATE audit SET operator = '别人' WHERE id = 3")
    conn.commit()
    conn.close()
    r = cli_run("check", db=path)
    assert "哈希链" in r.stdout and "audit#3" in r.stdout


def test_case8_full_disk_export_and_read_only_leftovers_are_messages(tmp_path):
    path = tmp_path / "l.db"
    with new_ledger(path, 40):
        pass
    with small_mount(tmp_path / "full", "4k") as full:
        if full is None:
            pytest.skip("cannot mount a small tmpfs here (see test_fault_injection for the fake layer)")
        r = cli_process("export", "ledger", "-o", str(full / "台账.xlsx"), db=path)  # as the tester ran it
        assert r.returncode == 2 and "磁盘空间已满" in r.stderr and "Traceback" not in r.stderr
        assert list(full.iterdir()) == []  # nothing half-written
    from openpyxl import Workbook

    stranger = tmp_path / "缴费.xlsx"
    wb = Workbook()
    for row in [["身份证号", "缴费金额", "缴费日期"], [person_id(99999), 410, "2024-10-10"]]:
        wb.active.append(row)
    wb.save(stranger)
    with small_mount(tmp_path / "ro", "1m", read_only=True) as ro:
        if ro is None:
            pytest.skip("cannot mount a read-only tmpfs here")
        r = cli_run("import", "payment", str(stranger), "--leftovers", str(ro / "未导入.xlsx"), db=path)
        assert r.returncode in (1, 2) and "只读" in r.stderr and "Traceback" not in r.stderr


def test_receipt_numbers_survive_setting_the_ledger_up_again_in_the_same_place(tmp_path):
    """Re-installed, the ledger file lost, set up again in the same folder for the same year: the numbers
    already on paper are not issued again."""
    path = tmp_path / "l.db"
    with new_ledger(path, 3):
        pass
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"l.db{suffix}").unlink(missing_ok=True)
    with new_ledger(path, 0) as lg:
        assert pay(lg, 1)[0][0] == "2025-000004"
        assert [d.receipt_no for d in list_dropped(lg)] == ["2025-000001", "2025-000002", "2025-000003"]
        assert lg.check() == []


def test_a_copy_exactly_one_receipt_older_never_reissues_that_receipt(tmp_path):
    """A copy taken by hand one payment before the last, put back over the ledger: the last receipt was
    committed (and perhaps printed), so it is dropped, never issued again — only a number whose
    transaction was killed before COMMIT may be used again."""
    import shutil

    path = tmp_path / "l.db"
    with new_ledger(path, 2):
        pass
    checkpoint(path)
    shutil.copy2(path, tmp_path / "older.db")
    with reopen(path) as lg:
        last = pay(lg, 1)[0][0]
    assert last == "2025-000003"
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"l.db{suffix}").unlink(missing_ok=True)
    shutil.copy2(tmp_path / "older.db", path)
    with reopen(path) as lg:
        assert pay(lg, 1)[0][0] == "2025-000004"
        assert [d.receipt_no for d in list_dropped(lg)] == ["2025-000003"]
        assert lg.check() == []
