"""Changing the ledger password on a large encrypted ledger (not a test; run by hand):

    .venv/bin/python -m bench.rekey_bench [--people 100000] [--backups 2]

A demo ledger is built, encrypted, backed up; then ``rekey.change_password`` is timed (wall and CPU) with the
ledger's own part (check, export, verify, audit, swap, shred) and the backups' part reported apart."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app.ledger import encryption, open_ledger, rekey, sqlite_driver
from app.ledger.backup import backup_ledger
from app.ledger.demo import build_demo_ledger

OLD, NEW = "Bench-old-pass-2025", "Bench-new-pass-2026"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--backups", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="canbao-rekey-") as tmp:
        path = Path(tmp) / "l.canbao.db"
        build_demo_ledger(path, people=args.people)
        encryption.encrypt_in_place(path, OLD)
        encryption.finish_conversion(path)
        for _ in range(args.backups):
            backup_ledger(path)
        with open_ledger(path, backup=False) as lg:
            op = lg.operators.list()[0] if lg.operators.any() else None
        size = path.stat().st_size / 2**20
        sqlite_driver.forget_all()
        stamps = {}

        def hook(stage, conn=None):
            stamps.setdefault(stage, (time.perf_counter(), time.process_time()))

        t, c = time.perf_counter(), time.process_time()
        out = rekey.change_password(path, OLD, NEW, operator=op, hook=hook)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        sw, sc = stamps["swapped"]
        print(f"{args.people:,} people, {size:.0f} MiB, {out.rows:,} rows checked, {len(out.backups)} backups")
        print(f"ledger (check, export, verify, audit, switch): {sw - t:.1f} s wall, {sc - c:.1f} s CPU")
        print(f"whole change incl. shredding and {len(out.backups)} backups: {wall:.1f} s wall, {cpu:.1f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
