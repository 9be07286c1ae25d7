"""Shared by the backup/restore tests: a small ledger with payments, page damage, the CLI, ro/full folders."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from stdnum.cn import ric

from app.ledger import PayLine, open_ledger
from operators_helper import log_in

ROOT = Path(__file__).resolve().parents[2]


def person_id(n: int) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=n // 500)
    body = f"220102{birth:%Y%m%d}{(n % 500) * 2 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def new_ledger(path: Path, payments: int = 0, policy: str = "tunliu-2025", year: int = 2025):
    lg = open_ledger(path, create=True, backup=False, operator="王会计")
    lg.settings.initialize(township="测试镇", year=year, policy_id=policy, operators=["王会计"],
                           villages={"东风村": ["一组"]})
    log_in(lg)  # the ledger's first operator (the CLI logs in as 王会计 from the tests' environment)
    pay(lg, payments)
    return lg


_counter = iter(range(1, 10**6))


def pay(lg, n: int) -> list[tuple[str, str]]:
    """Record ``n`` payments (each a new one-person household); returns (receipt_no, amount) pairs."""
    out = []
    for _ in range(n):
        k = next(_counter)
        with lg.transaction():
            h = lg.households.add(village="东风村", group="一组").id
            m = lg.members.add(h, name=f"测试{k}", id_number=person_id(k), relation="户主").id
            pid = lg.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
        p = lg.payments.get(pid)
        out.append((p.receipt_no, str(p.amount)))
    return out


def households(lg, n: int) -> None:
    for _ in range(n):
        k = next(_counter)
        with lg.transaction():
            h = lg.households.add(village="东风村", group="一组").id
            lg.members.add(h, name=f"测试{k}", id_number=person_id(k), relation="户主")


def receipts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT receipt_no, amount_fen FROM payments"))
    finally:
        conn.close()


def checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def used_pages(path: Path) -> list[int]:
    """Pages that hold b-tree data (not free, not the header page)."""
    conn = sqlite3.connect(path)
    try:
        try:
            return sorted({r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE pageno > 1")})
        except sqlite3.OperationalError:  # no dbstat in this build: every page but the first
            n = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            return list(range(2, n - free + 1))
    finally:
        conn.close()


def corrupt_page(path: Path, pageno: int, fill: bytes = b"\xa5") -> None:
    size = 4096
    with open(path, "r+b") as fh:
        fh.seek((pageno - 1) * size)
        fh.write(fill * size)
        fh.flush()
        os.fsync(fh.fileno())


def cli_run(*argv, db: Path) -> subprocess.CompletedProcess:
    """``canbao …`` in this process (an exception — a traceback — fails the test by itself)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from app.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([*argv, "--db", str(db)])
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def cli_process(*argv, db: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    """``canbao …`` as its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CANBAO_DB": str(db)}
    return subprocess.run([_python(), "-m", "app.cli.main", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _python() -> str:
    import sys

    return sys.executable


@contextmanager
def small_mount(path: Path, size: str = "2m", read_only: bool = False):
    """A real size-capped (or read-only) tmpfs at ``path`` where this machine allows mounting; else yields None."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    ok = os.geteuid() == 0 if hasattr(os, "geteuid") else False
    if ok:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
                            capture_output=True).returncode == 0
    try:
        yield path if ok else None
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def reopen(path: Path, **kwargs):
    """``open_ledger`` logged in as the tests' operator (writes need a logged-in operator)."""
    lg = open_ledger(path, **{"backup": False, **kwargs})
    log_in(lg)
    return lg
