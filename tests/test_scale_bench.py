"""The scale benchmark's harness still runs end to end (a smoke test on a tiny ledger, not a timed test:
the figures it prints mean nothing at this size)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scale_bench_runs_every_row_beside_its_raw_baseline(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "scale_bench.py"), "--people", "2000", "--db",
                          str(tmp_path / "bench.canbao.db"), "--queries", "10", "--timeout", "120"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    table = [ln for ln in out.stdout.splitlines() if ln.startswith("| ") and "---" not in ln][1:]
    labels = [ln.split(" | ")[0][2:] for ln in table]
    for row in ("roster commit", "roster import preview", "dashboard", "rollover", "weekly export",
                "full ledger export", "whole-year dues", "start to usable window", "canbao check",
                "search p95: ID last 4", "search p95: pinyin initials", "notices"):
        assert any(label.startswith(row) for label in labels), (row, labels)
    for ln in table:  # every row has a ratio: both sides ran and reported a time
        assert ln.split(" | ")[1].endswith("×"), ln
