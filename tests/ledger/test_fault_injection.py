"""Fault injection with real processes and real files: pages corrupted at random, truncation, SIGKILL during
backup / restore / rollover / import / export, a full disk (a 3 MB tmpfs where the machine can mount one; a
fake layer always), a writer running during a restore, the ledger deleted while a writer has it open.

After each fault: no payment a writer reported as recorded is lost (it is in the ledger, or — after a restore
to an older backup — in the dropped-receipt list with its amount), no receipt number is issued twice, and the
damage is named (``LedgerDamaged`` on open, or ``check``). The counts are printed (``-s``) and recorded in the
README's Measured table. Loops are bounded (``TRIALS``) to keep the suite under about a minute.
"""

from __future__ import annotations

import errno
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from backup_helpers import (ROOT, checkpoint, cli_run, households, new_ledger, pay, person_id, receipts, reopen,
                            small_mount, used_pages)

from app.domain.problems import ProblemsError
from app.ledger import open_ledger
from app.ledger.backup import backup_ledger, list_backups
from app.ledger.db import LedgerDamaged, LedgerError
from app.ledger.health import quick_problems
from app.ledger.receipts import list_dropped

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

TRIALS = {"corrupt": 16, "truncate": 8, "backup": 4, "restore": 5, "rollover": 3, "import": 3, "export": 3,
          "restore_busy": 4}
RESULTS: dict[str, list[int]] = {}  # fault -> [trials, faults injected, losses]
CHILD = Path(__file__).with_name("fault_child.py")
WRITER = Path(__file__).with_name("crash_writer.py")


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}  # at call time: the tests' operator credentials included


def record(name: str, trials: int, faults: int, losses: int) -> None:
    RESULTS[name] = [trials, faults, losses]
    print(f"\nfault {name}: trials {trials}, faults {faults}, losses {losses}")


def copy_ledger(src: Path, dest_dir: Path) -> Path:
    """The ledger with its journal and backup folder, as a clerk's folder would be."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    for f in src.parent.iterdir():
        if f.is_file() and f.name.startswith(src.name) and not f.name.endswith(".lock"):
            shutil.copy2(f, dest_dir / f.name)
    if (src.parent / "备份").is_dir():
        shutil.copytree(src.parent / "备份", dest_dir / "备份")
    return dest_dir / src.name


def losses(path: Path, reported: dict[str, int]) -> tuple[int, int]:
    """(reported payments lost, receipt numbers used twice) in the ledger at ``path``."""
    with open_ledger(path, backup=False) as lg:
        pays = dict(lg.db.execute("SELECT receipt_no, amount_fen FROM payments"))
        dropped = {d.receipt_no: d.amount_fen for d in list_dropped(lg)}
    lost = sum(1 for no, fen in reported.items() if pays.get(no, dropped.get(no)) != fen)
    return lost, len(set(pays) & set(dropped))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """20 payments, a verified backup, then 10 more: the backup lacks 2025-000021…030."""
    path = tmp_path_factory.mktemp("base") / "l.db"
    with new_ledger(path, 20) as lg:
        backup_ledger(path)
        pay(lg, 10)
    checkpoint(path)
    return path


def child(op: str, *args: str):
    proc = subprocess.Popen([sys.executable, str(CHILD), op, *args], cwd=ROOT, env=env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


def run_timed(op: str, *args: str) -> float:
    proc = child(op, *args)
    t = time.perf_counter()
    proc.stdin.write("\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return time.perf_counter() - t


def kill_during(op: str, *args: str, delay: float) -> bool:
    """Start ``op``, SIGKILL it ``delay`` seconds in; True if it was killed before finishing."""
    proc = child(op, *args)
    proc.stdin.write("\n")
    proc.stdin.flush()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    return proc.returncode == -signal.SIGKILL


def start_writer(path: Path, start: int):
    proc = subprocess.Popen([sys.executable, str(WRITER), str(path), str(start)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env(), text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    first = proc.stdout.readline() if ready else ""
    return proc, first


def stop_writer(proc, first: str, reported: dict[str, int]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    for line in (first + out).splitlines():
        receipt, _member, amount = line.split()
        reported[receipt] = int(Decimal(amount) * 100)
    return err


def base_reported(base: Path) -> dict[str, int]:
    return receipts(base)


# ------------------------------------------------------------------------------------------------ damage
def test_corrupt_pages_at_random_are_named_and_restore_loses_nothing(base, tmp_path):
    rng = random.Random(12)
    n, detected, harmless, lost = TRIALS["corrupt"], 0, 0, 0
    reported = base_reported(base)
    before = _contents(base)
    for i in range(n):
        path = copy_ledger(base, tmp_path / f"t{i}")
        page = rng.choice(used_pages(path))
        with open(path, "r+b") as fh:
            fh.seek((page - 1) * 4096 + rng.randrange(0, 64))
            fh.write(rng.randbytes(4096 - 64))
        try:
            open_ledger(path, backup=False).close()
            with open_ledger(path, backup=False, damaged_ok=True) as lg:
                named = bool(lg.check())
        except LedgerDamaged:
            named = True
        detected += named
        if not named:  # the bytes hit only unused space in the page: nothing to name, nothing changed
            assert _contents(path) == before, f"page {page}: data changed and nothing named it"
            harmless += 1
        r = cli_run("restore", "--yes", db=path) if i < 3 else None
        if r is not None:
            assert r.returncode == 0, r.stderr
            lost += losses(path, reported)[0]
    record(f"random bytes over a random page ({harmless} hit only unused bytes)", n, n, lost)
    assert detected + harmless == n and lost == 0


def _contents(path: Path) -> list:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name")]
        # every row of every table, in a stable order (FTS shadow tables are WITHOUT ROWID: no rowid to sort by)
        return [(t, sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)) for t in tables]
    finally:
        conn.close()


def test_truncation_is_named(base, tmp_path):
    rng = random.Random(7)
    n = TRIALS["truncate"]
    for i in range(n):
        path = copy_ledger(base, tmp_path / f"t{i}")
        size = path.stat().st_size
        os.truncate(path, rng.randrange(0, size - 4096))
        with pytest.raises(LedgerDamaged):
            open_ledger(path, backup=False)
        with pytest.raises(ProblemsError):  # and nothing is backed up as good
            backup_ledger(path)
    record("truncate", n, n, 0)


# ------------------------------------------------------------------------------------------------ kill -9
def test_kill_during_backup_while_a_writer_records_payments(base, tmp_path):
    path = copy_ledger(base, tmp_path / "w")
    shutil.rmtree(path.parent / "备份")
    duration = run_timed("backup", str(path))
    rng = random.Random(3)
    reported = base_reported(base)
    proc, first = start_writer(path, 200000)
    killed = 0
    try:
        for _ in range(TRIALS["backup"]):
            killed += kill_during("backup", str(path), delay=rng.uniform(0, duration * 1.2))
    finally:
        stop_writer(proc, first, reported)
    assert all(quick_problems(b, "integrity_check") == [] for b in list_backups(path))
    with open_ledger(path, backup=False):
        assert not list((path.parent / "备份").glob("*.part*"))
    lost, reused = losses(path, reported)
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == []
    record("kill -9 during backup (writer running)", TRIALS["backup"], killed, lost)
    assert lost == 0 and reused == 0


def test_kill_during_restore(base, tmp_path):
    reported = base_reported(base)
    probe = copy_ledger(base, tmp_path / "probe")
    duration = run_timed("restore", str(list_backups(probe)[-1]), str(probe))
    rng = random.Random(5)
    killed = lost = reused = 0
    for i in range(TRIALS["restore"]):
        path = copy_ledger(base, tmp_path / f"t{i}")
        killed += kill_during("restore", str(list_backups(path)[-1]), str(path),
                              delay=rng.uniform(duration * 0.2, duration * 1.1))
        a, b = losses(path, reported)
        lost, reused = lost + a, reused + b
        with reopen(path) as lg:
            assert lg.check() == []
            assert int(pay(lg, 1)[0][0][-6:]) > 30  # numbering continues above every number ever issued
    record("kill -9 during restore", TRIALS["restore"], killed, lost)
    assert lost == 0 and reused == 0


def test_kill_during_rollover_leaves_nothing_that_looks_finished(tmp_path):
    path = tmp_path / "old.db"
    with new_ledger(path, 0, "changchun-2022", 2022) as lg:
        households(lg, 150)
    nxt = tmp_path / "next.db"
    duration = run_timed("rollover", str(path), str(nxt), "changchun-2025")
    for f in tmp_path.glob("next.db*"):
        f.unlink()
    rng = random.Random(9)
    killed = 0
    for _ in range(TRIALS["rollover"]):
        killed += kill_during("rollover", str(path), str(nxt), "changchun-2025", delay=rng.uniform(0, duration))
        if nxt.exists():  # it finished before the kill: then it is whole
            with open_ledger(nxt, backup=False) as new:
                assert new.check() == [] and new.households.count() == 150
            for f in tmp_path.glob("next.db*"):
                f.unlink()
    with reopen(path) as lg:
        assert not list(tmp_path.glob("next.db.*.part*"))
        lg.rollover(nxt, "changchun-2025")
    record("kill -9 during rollover", TRIALS["rollover"], killed, 0)


def test_kill_during_import_is_all_or_nothing(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "l.db"
    with new_ledger(path, 3):
        pass
    src = tmp_path / "户籍.xlsx"
    wb = Workbook()
    wb.active.append(["村", "组", "户主", "姓名", "身份证号码", "与户主关系"])
    for k in range(300):
        wb.active.append(["东风村", "一组", f"新{k}", f"新{k}", person_id(500000 + k), "户主"])
    wb.save(src)
    probe = copy_ledger(path, tmp_path / "probe")
    duration = run_timed("import", str(probe), str(src))
    rng = random.Random(11)
    killed = 0
    for i in range(TRIALS["import"]):
        trial = copy_ledger(path, tmp_path / f"t{i}")
        killed += kill_during("import", str(trial), str(src), delay=rng.uniform(duration * 0.1, duration * 0.8))
        with open_ledger(trial, backup=False) as lg:
            assert lg.members.count() in (3, 303) and lg.check() == []  # all or nothing
        assert losses(trial, receipts(path))[0] == 0
    record("kill -9 during import", TRIALS["import"], killed, 0)


def test_kill_during_export_leaves_no_half_file(base, tmp_path):
    from openpyxl import load_workbook

    path = copy_ledger(base, tmp_path / "w")
    out = tmp_path / "台账.xlsx"
    duration = run_timed("export", str(path), str(out))
    out.unlink()
    rng = random.Random(13)
    killed = 0
    for _ in range(TRIALS["export"]):
        killed += kill_during("export", str(path), str(out), delay=rng.uniform(0, duration))
        if out.exists():
            assert len(list(load_workbook(out, read_only=True).worksheets[0].iter_rows())) >= 30
            out.unlink()
        assert not [f for f in tmp_path.glob("*.xlsx") if f != out]  # no half-written file under a real name
    record("kill -9 during export", TRIALS["export"], killed, 0)


# ------------------------------------------------------------------------------------------------ disk
def test_full_disk_never_loses_a_reported_payment(tmp_path):
    with small_mount(tmp_path / "disk", "3m") as disk:
        if disk is None:
            pytest.skip("cannot mount a tmpfs here; test_fake_full_disk covers it")
        path = disk / "l.db"
        with new_ledger(path, 1):
            pass
        reported = receipts(path)
        proc, first = start_writer(path, 300000)
        try:
            proc.wait(timeout=90)  # it writes until the disk is full, then stops with an error
        except subprocess.TimeoutExpired:
            pass
        err = stop_writer(proc, first, reported)
        assert "磁盘空间已满" in err or "full" in err or "disk" in err.lower(), err[-500:]
        lost, reused = losses(path, reported)
        with open_ledger(path, backup=False) as lg:
            assert lg.check() == []
        with pytest.raises(ProblemsError, match="磁盘空间不足"):
            backup_ledger(path)  # the backup refuses rather than take the last space
        assert not list((disk / "备份").glob("*"))
    record(f"full disk (3 MB tmpfs, {len(reported)} payments until full)", 1, 1, lost)
    assert lost == 0 and reused == 0


def test_fake_full_disk(tmp_path, monkeypatch):
    """Where no tmpfs can be mounted: the same answers through a fake layer that says ENOSPC."""
    path = tmp_path / "l.db"
    lg = new_ledger(path, 2)
    try:
        real_write = os.write

        def full(fd, data):
            if lg.journal is not None and os.fstat(fd).st_ino == os.stat(lg.journal.path).st_ino:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", full)
        with pytest.raises(LedgerError, match="磁盘空间已满"):
            pay(lg, 1)
        monkeypatch.setattr(os, "write", real_write)
        assert len(receipts(path)) == 2 and lg.check() == []  # nothing half-written, no number used
        assert pay(lg, 1)[0][0] == "2025-000003"
        real = shutil.disk_usage
        monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=100 * 1024))
        with pytest.raises(ProblemsError, match="磁盘空间不足"):
            backup_ledger(path)
        from openpyxl import Workbook

        from app.exchange.exports import export_one

        def no_space(self, filename):
            raise OSError(errno.ENOSPC, "No space left on device", filename)

        monkeypatch.setattr(Workbook, "save", no_space)
        with pytest.raises(ProblemsError, match="磁盘空间已满"):
            export_one(lg, "ledger", tmp_path / "x.xlsx")
        assert not list(tmp_path.glob("*.xlsx"))
    finally:
        lg.close()
    record("full disk (fake layer)", 3, 3, 0)


# ------------------------------------------------------------------------------------------------ concurrency
def test_restore_is_refused_while_a_writer_runs_then_loses_nothing(base, tmp_path):
    from app.ledger.restore import RestoreRefused, restore

    path = copy_ledger(base, tmp_path / "w")
    reported = base_reported(base)
    proc, first = start_writer(path, 400000)
    refused = 0
    try:
        for _ in range(TRIALS["restore_busy"]):
            with pytest.raises(RestoreRefused):
                restore(list_backups(path)[-1], path)
            refused += 1
            time.sleep(0.05)
    finally:
        stop_writer(proc, first, reported)
    out = restore(list_backups(path)[-1], path)  # now nobody has it open
    assert out.dropped >= 10
    lost, reused = losses(path, reported)
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == []
    record("restore with a writer running", TRIALS["restore_busy"], refused, lost)
    assert lost == 0 and reused == 0


def test_ledger_deleted_while_a_writer_has_it_open(base, tmp_path):
    path = copy_ledger(base, tmp_path / "w")
    reported = base_reported(base)
    proc, first = start_writer(path, 500000)
    time.sleep(0.5)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    err = stop_writer(proc, first, reported)
    assert "被删除" in err, err[-400:]
    lost, reused = losses(path, reported)
    record("ledger deleted while open (writer running)", 1, 1, lost)
    assert lost == 0 and reused == 0 and len(reported) > 30


def test_zz_print_counts():
    total = [sum(v[i] for v in RESULTS.values()) for i in range(3)]
    print("\n| fault | trials | faults | losses |")
    for name, (t, f, lo) in RESULTS.items():
        print(f"| {name} | {t} | {f} | {lo} |")
    print(f"| total | {total[0]} | {total[1]} | {total[2]} |")
