"""Changing the ledger password, the process killed (SIGKILL, a real child process) at each step and at random
moments: afterwards the ledger opens with the old password or with the new one — never neither — with every
row; each backup opens with one of the two; and a second change (or the first one again) then succeeds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ledger import encryption, open_ledger, rekey, sqlite_driver
from app.ledger.backup import backup_ledger, list_backups
from operators_helper import log_in

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parents[2]
OLD = "Hongqi-sheqv-2025"
NEW = "Xin-mima-Dongfeng-26"
CHILD = """
import sys, time
from app.ledger import encryption, open_ledger, rekey
path, stage, old, new = sys.argv[1:5]
def hook(s, conn=None):
    if s == stage:
        print(s, flush=True)
        time.sleep(60)
encryption.unlock(path, old)
with open_ledger(path, backup=False) as lg:
    op = lg.operators.get("王会计")
print("ready", flush=True)
sys.stdin.readline()
rekey.change_password(path, old, new, operator=op, hook=hook)
print("done", flush=True)
"""
STAGES = ["attached", "exported", "verified", "audited", "swapped", "backup"]


@pytest.fixture(autouse=True)
def _no_keys():
    sqlite_driver.forget_all()
    yield
    sqlite_driver.forget_all()


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    path = tmp_path_factory.mktemp("orig") / "l.db"
    with open_ledger(path, create=True, backup=False, key=encryption.new_key(OLD)) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        for _ in range(30):
            lg.households.add(village="东风村", group="一组")
        with lg.transaction() as db:  # bulk, so the copy takes long enough to be hit at random moments
            db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, t TEXT)")
            db.conn.executemany("INSERT INTO filler (t) VALUES (?)", [("x" * 400,) for _ in range(20000)])
    backup_ledger(path)
    backup_ledger(path)
    sqlite_driver.forget_all()
    return path


def _copy(src: Path, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    (dest_dir / "备份").mkdir()
    (dest_dir / src.name).write_bytes(src.read_bytes())
    for b in list_backups(src):
        (dest_dir / "备份" / b.name).write_bytes(b.read_bytes())
    return dest_dir / src.name


def _child(path: Path, stage: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(path), stage, OLD, NEW], cwd=ROOT, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.stdout.readline().strip() == "ready"
    p.stdin.write("go\n")
    p.stdin.flush()
    return p


def _which_password(path: Path) -> str:
    """The password the file opens with (OLD or NEW; fails if neither)."""
    for password in (OLD, NEW):
        sqlite_driver.forget_all()
        try:
            encryption.unlock(path, password)
            return password
        except encryption.WrongPassword:
            encryption._fail_path(path).unlink(missing_ok=True)
    raise AssertionError(f"{path.name} opens with neither password")


def _opens_whole(path: Path) -> str:
    password = _which_password(path)
    with open_ledger(path, backup=False) as lg:
        assert lg.db.execute("SELECT count(*) FROM households").fetchone()[0] == 30
        assert lg.db.execute("SELECT count(*) FROM filler").fetchone()[0] == 20000
        assert lg.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    _opens_whole.backups = [_which_password(b) for b in list_backups(path)]
    sqlite_driver.forget_all()
    return password


def _finish(path: Path, password: str) -> None:
    """The clerk changes the password again (from whichever one the ledger has): it works, nothing is left."""
    encryption.unlock(path, password)
    with open_ledger(path, backup=False) as lg:
        op = lg.operators.get("王会计")
    target = "Third-mima-Hongqi-27"
    rekey.change_password(path, password, target, operator=op)
    sqlite_driver.forget_all()
    encryption.unlock(path, target)
    with open_ledger(path, backup=False) as lg:
        assert lg.db.execute("SELECT count(*) FROM filler").fetchone()[0] == 20000
    leftovers = [f.name for f in path.parent.iterdir()
                 if f.name != path.name and f.name != "备份" and not f.name.endswith((".lock", ".receipts"))]
    assert leftovers == []
    assert [f.name for f in (path.parent / "备份").iterdir() if not f.name.endswith(".bak.db")] == []


@pytest.mark.parametrize("stage", STAGES)
def test_killed_at_each_step_leaves_a_ledger_that_opens(original, tmp_path, stage):
    path = _copy(original, tmp_path / stage)
    p = _child(path, stage)
    assert p.stdout.readline().strip() == stage
    p.send_signal(signal.SIGKILL)
    p.wait()
    got = _opens_whole(path)
    assert got == (NEW if stage in ("swapped", "backup") else OLD)
    # killed after the first backup was re-encrypted: one backup under each password, both readable
    assert _opens_whole.backups == ([NEW, OLD] if stage == "backup" else [got, got] if stage != "swapped" else [OLD, OLD])
    _finish(path, got)


def test_killed_at_random_moments(original, tmp_path):
    path = _copy(original, tmp_path / "timing")
    p = _child(path, "never")
    t0 = time.monotonic()
    assert p.stdout.readline().strip() == "done"
    p.wait()
    span = time.monotonic() - t0
    rng = random.Random(26)
    outcomes = []
    for trial in range(4):
        path = _copy(original, tmp_path / f"r{trial}")
        p = _child(path, "never")
        time.sleep(rng.uniform(0.0, span))
        p.send_signal(signal.SIGKILL)
        p.wait()
        got = _opens_whole(path)
        outcomes.append("new" if got == NEW else "old")
        _finish(path, got)
        sqlite_driver.forget_all()
    print(f"\npassword change killed at random: ledger under {outcomes} password (span {span:.2f} s)")
