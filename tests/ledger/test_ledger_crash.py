"""A writer recording payments is killed with SIGKILL at random moments, many times. Afterwards every
payment it reported as committed is there, receipts are unique and gap-free, and the check passes."""

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ledger import open_ledger

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_never_loses_a_committed_payment(tmp_path):
    path = tmp_path / "crash.db"
    with open_ledger(path, create=True, backup=False) as lg:
        lg.settings.initialize(township="镇", year=2025, policy_id="tunliu-2025", operators=["压力测试"],
                               villages=["东风村"])
    rng = random.Random(20241008)
    reported: dict[str, str] = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kills = 0
    deadline = time.monotonic() + 35
    start = 0
    while kills < 25 and time.monotonic() < deadline:
        proc = subprocess.Popen([sys.executable, str(WRITER), str(path), str(start)], stdout=subprocess.PIPE,
                                env=env, text=True)
        ready, _, _ = select.select([proc.stdout], [], [], 10)  # wait until it is writing (startup varies)
        first = proc.stdout.readline() if ready else ""
        time.sleep(rng.uniform(0.0, 0.25))  # then kill at a random moment, mostly mid-transaction
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        kills += 1
        for line in (first + out).splitlines():
            receipt, member, amount = line.split()
            reported[receipt] = (int(member), amount)
        start += 100000
    print(f"SIGKILL x{kills}, {len(reported)} payments reported committed")
    assert kills >= 10 and len(reported) >= 20
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == []
        rows = {r[0]: (r[1], r[2]) for r in lg.db.execute(
            "SELECT p.receipt_no, i.member_id, p.amount_fen FROM payments p JOIN payment_items i ON i.payment_id = p.id")}
        for receipt, (member, amount) in reported.items():
            assert receipt in rows, f"reported {receipt} is missing"
            assert rows[receipt][0] == member and f"{rows[receipt][1] / 100:.2f}" == amount
        seqs = [r[0] for r in lg.db.execute("SELECT seq FROM payments ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1))  # no gaps, no reuse
        # every committed payment has its member and household; nothing half-written
        orphans = lg.db.execute("SELECT count(*) FROM households h WHERE NOT EXISTS"
                                " (SELECT 1 FROM payments p WHERE p.household_id = h.id)").fetchone()[0]
        assert orphans == 0
