"""Converting a plaintext ledger in place, killed (SIGKILL, a real process) at every step and at random
moments: afterwards either the old plaintext ledger or the new encrypted one opens, with every row; a second
conversion then finishes the job (issue 14)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ledger import encryption, open_ledger, sqlite_driver
from operators_helper import log_in

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Hongqi-sheqv-2025"
CHILD = """
import sys, time
from app.ledger import encryption
stage = sys.argv[2]
def hook(s):
    if s == stage:
        print(s, flush=True)
        time.sleep(60)
print("ready", flush=True)
sys.stdin.readline()
encryption.encrypt_in_place(sys.argv[1], sys.argv[3], hook=hook)
print("done", flush=True)
"""
STAGES = ["exported", "verified", "kept", "swapped"]


@pytest.fixture(autouse=True)
def _no_keys():
    sqlite_driver.forget_all()
    yield
    sqlite_driver.forget_all()


@pytest.fixture(scope="module")
def plain(tmp_path_factory, ):
    from stdnum.cn import ric

    path = tmp_path_factory.mktemp("plain") / "l.db"
    with open_ledger(path, create=True, backup=False) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        for i in range(60):
            h = lg.households.add(village="东风村", group="一组").id
            body = f"220102196005{i % 28 + 1:02d}{i:03d}"
            lg.members.add(h, name=f"张{i}", id_number=body + ric.calc_check_digit(body + "0"), relation="户主")
        with lg.transaction() as db:  # bulk, so the export takes long enough to be hit at random moments
            db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, t TEXT)")
            db.conn.executemany("INSERT INTO filler (t) VALUES (?)", [("x" * 400,) for _ in range(20000)])
    return path


def _copy(src: Path, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    (dest_dir / src.name).write_bytes(src.read_bytes())
    return dest_dir / src.name


def _child(path: Path, stage: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(path), stage, PASSWORD], cwd=ROOT, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.stdout.readline().strip() == "ready"
    p.stdin.write("go\n")
    p.stdin.flush()
    return p


def _opens_whole(path: Path) -> bool:
    """The ledger opens (with the password when it is encrypted) with all 60 members and the filler rows.
    Returns whether it was encrypted."""
    encrypted = sqlite_driver.is_encrypted(path)
    if encrypted:
        encryption.unlock(path, PASSWORD)
    with open_ledger(path, backup=False) as lg:
        assert lg.members.count() == 60
        assert lg.db.execute("SELECT count(*) FROM filler").fetchone()[0] == 20000
        assert lg.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    return encrypted


def _finish(path: Path) -> None:
    """A second conversion (when the first was killed before the swap) and the confirmation both work."""
    if not sqlite_driver.is_encrypted(path):
        encryption.encrypt_in_place(path, PASSWORD)
    else:
        encryption.unlock(path, PASSWORD)
    encryption.finish_conversion(path)
    sqlite_driver.forget_all()
    assert _opens_whole(path)
    leftovers = [f.name for f in path.parent.iterdir() if f.name not in (path.name, path.name + ".lock", "备份")
                 and not f.name.endswith((".receipts",))]
    assert leftovers == []


@pytest.mark.parametrize("stage", STAGES)
def test_killed_at_each_step_leaves_a_ledger_that_opens(plain, tmp_path, stage):
    path = _copy(plain, tmp_path / stage)
    p = _child(path, stage)
    assert p.stdout.readline().strip() == stage
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert _opens_whole(path) == (stage == "swapped")
    sqlite_driver.forget_all()
    _finish(path)


def test_killed_at_random_moments(plain, tmp_path):
    path = _copy(plain, tmp_path / "timing")
    p = _child(path, "never")
    t0 = time.monotonic()
    assert p.stdout.readline().strip() == "done"
    p.wait()
    span = time.monotonic() - t0
    rng = random.Random(14)
    outcomes = []
    for trial in range(4):
        path = _copy(plain, tmp_path / f"r{trial}")
        p = _child(path, "never")
        time.sleep(rng.uniform(0.0, span))
        p.send_signal(signal.SIGKILL)
        p.wait()
        outcomes.append(_opens_whole(path))
        sqlite_driver.forget_all()
        _finish(path)
        sqlite_driver.forget_all()
    print(f"\nconversion killed at random: encrypted after kill {outcomes} (span {span:.2f} s)")
