"""Backup and restore figures on a demo ledger (not a timed test).

    .venv/bin/python bench/backup_bench.py [--people 100000] [--db PATH] [--reuse]

Prints: the file size; the quick look made on every open (``quick_check``) and a whole open; a backup (check
first, online copy, ``integrity_check`` of the copy, rename); ``check`` step by step; a restore preview.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ledger import check as checks  # noqa: E402
from app.ledger import open_ledger  # noqa: E402
from app.ledger.backup import backup_ledger  # noqa: E402
from app.ledger.demo import build_demo_ledger  # noqa: E402
from app.ledger.health import quick_problems  # noqa: E402
from app.ledger.restore import preview  # noqa: E402


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<42} {time.perf_counter() - t:7.2f} s")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--reuse", action="store_true", help="use an existing demo ledger at --db")
    args = ap.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench.canbao.db"
    if not (args.reuse and path.exists()):
        timed(f"build demo ledger ({args.people:,} people)", lambda: build_demo_ledger(path, people=args.people))
    print(f"{'file size':<42} {path.stat().st_size / 1e6:7.1f} MB")
    timed("quick_check (every open)", lambda: quick_problems(path))
    lg = timed("open_ledger (lock, quick_check, journal)", lambda: open_ledger(path, backup=False))
    with lg:
        for step in (checks._integrity, checks._foreign_keys, checks._invariants, checks._triggers, checks._chain,
                     checks._receipt_sequences, checks._payments_vs_audit, checks._journal, checks._totals):
            timed(f"check: {step.__doc__}", lambda: step(lg, [], None))
    b = timed("backup (check, copy, integrity_check, rename)", lambda: backup_ledger(path))
    timed("restore preview", lambda: preview(b, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
