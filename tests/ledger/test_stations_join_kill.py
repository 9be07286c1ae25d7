"""A join killed partway (SIGKILL inside its transaction) leaves the ledger exactly as it was: no station, the
printed receipt numbers, the same journal, ``check`` clean — and joining again then works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from join_helper import make_island, make_township

from app.ledger import join, join_card, open_ledger, stations
from app.ledger.journal import journal_path
from operators_helper import log_in

CHILD = Path(__file__).with_name("join_child.py")


def _contents(path: Path) -> list:
    with open_ledger(path, backup=False) as lg:
        return [lg.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("households", "members", "payments", "payment_items", "refunds", "audit",
                          "receipt_counters", "villages", "village_groups", "stations")]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("stop_at", [3, 7])  # ids moved / all written, not yet committed
def test_a_killed_join_leaves_the_ledger_as_it_was(tmp_path, stop_at):
    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100)
    a.close()
    card = join_card.write_card(town, tmp_path, village="东风村")
    before, journal = _contents(a.path), journal_path(a.path).read_bytes()
    proc = subprocess.Popen([sys.executable, str(CHILD), str(a.path), str(card.path), card.code_word, str(stop_at)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        line = proc.stdout.readline()
        assert line.strip() == "mid", proc.stderr.read()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _contents(a.path) == before
    assert journal_path(a.path).read_bytes() == journal
    with open_ledger(a.path, backup=False) as again:
        log_in(again, "王会计")
        assert stations.current(again) is None
        assert again.payments.by_receipt("2022-000001").receipt_no == "2022-000001"
        assert again.check() == []
        join.join_township(again, join_card.read_card(card.path, card.code_word))  # and now it joins
        assert stations.current(again).number == 1 and again.check() == []
    town.close()
