"""Splitting a village out of a large township ledger (``app.ledger.split.split_village``): wall and CPU time,
the rows written, the new file's size, and a ``check`` of the new ledger. Not a test; run by hand:

    .venv/bin/python bench/split_bench.py --people 500000 --db /tmp/scale500k.db

``--db`` reuses the demo ledger there (or builds it first); the split works on a copy in a temporary folder,
so the ledger at ``--db`` is never changed. The largest village is split (``--village`` names another).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--db", default="")
    ap.add_argument("--village", default="")
    ap.add_argument("--merge", type=int, default=0, help="first fold this many other villages into the one split"
                                                         " (a demo village has ~1,200 people; 10 make ~12,500)")
    args = ap.parse_args()
    from app.ledger import open_ledger, stations
    from app.ledger.demo import build_demo_ledger
    from app.ledger.split import split_village

    tmp = Path(tempfile.mkdtemp())
    src = Path(args.db) if args.db else tmp / "demo.db"
    if not src.exists():
        t = time.perf_counter()
        build_demo_ledger(src, people=args.people)
        print(f"demo ledger: {args.people:,} people in {time.perf_counter() - t:.1f} s")
    town = tmp / "town.db"
    conn = sqlite3.connect(src)
    conn.execute("VACUUM INTO ?", [str(town)])
    conn.close()
    with open_ledger(town, backup=False) as lg:
        people = lg.db.execute("SELECT count(*) FROM members").fetchone()[0]
        village = args.village or lg.db.execute(
            "SELECT v.name FROM members m JOIN households h ON h.id = m.household_id JOIN villages v"
            " ON v.id = h.village_id GROUP BY v.id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        if args.merge:
            vid = lg.settings.village_id(village)
            with lg.transaction() as db:
                db.execute("UPDATE households SET village_id = ? WHERE village_id IN (SELECT id FROM villages"
                           " WHERE id <> ? ORDER BY id LIMIT ?)", [vid, vid, args.merge])
        if stations.current(lg) is None:
            stations.set_up(lg, code="220112-000", name=lg.settings.get().township, kind="乡镇")
        t, c = time.perf_counter(), time.process_time()
        out = split_village(lg, village, tmp / "village.db")
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    with open_ledger(out.path, backup=False) as v:
        t = time.perf_counter()
        problems = v.check()
        check = time.perf_counter() - t
    print(f"township: {people:,} people; split {village}: {out.counts.get('members', 0):,} people,"
          f" {out.counts.get('households', 0):,} households, {out.counts.get('payments', 0):,} payments,"
          f" {out.counts.get('audit', 0):,} audit entries ({out.carried_along} carried along)")
    print(f"split: {wall:.2f} s wall, {cpu:.2f} s CPU; new file {out.path.stat().st_size / 1e6:.1f} MB;"
          f" check of the new ledger {check:.2f} s, {len(problems)} problems")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
