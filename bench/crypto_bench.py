"""Encryption at rest: the same demo ledger, plaintext and encrypted, side by side (not a test).

    .venv/bin/python bench/crypto_bench.py [--people 100000] [--queries 300] [--export]

Builds a demo ledger, converts a copy in place the way ``canbao ledger encrypt`` does
(``encryption.encrypt_in_place``: ``sqlcipher_export``, verified, swapped), checks that plain ``sqlite3``
cannot read it, then opens BOTH the way the program does (``open_ledger``: the plaintext one through the
standard ``sqlite3``, the encrypted one through ``sqlcipher3`` with the raw key held after ``unlock``) and times
the real code: ``Ledger.search`` (p50/p95 over last-4-digit, name and pinyin queries), ``Ledger.dues`` for the
whole year, and (``--export``) the full-ledger Excel export. Target: encrypted ≤ 1.3× plaintext for each.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ledger import encryption, open_ledger, sqlite_driver  # noqa: E402
from app.ledger.db import Ledger  # noqa: E402
from app.ledger.demo import build_demo_ledger  # noqa: E402
from app.ledger.operators import ADMIN, Operator  # noqa: E402

PASSWORD = "benchmark-Passphrase-2025"


def _open(path: Path) -> Ledger:
    lg = open_ledger(path, backup=False)
    lg.operators.resume(Operator(0, "bench", ADMIN))  # as a logged-in 管理员 (export needs a role)
    return lg


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _queries(lg: Ledger, n: int) -> list[str]:
    rows = lg.db.execute("SELECT id_number, name, name_initials FROM members WHERE id_number IS NOT NULL "
                         "ORDER BY random() LIMIT ?", [n]).fetchall()
    rng = random.Random(1)
    return [rng.choice((r[0][-4:], r[1], r[2])) for r in rows]


def measure(lg: Ledger, queries: list[str], export: bool, out_dir: Path, label: str) -> dict:
    times, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        lg.search(q, limit=50)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    runs, cpu_runs = [], []
    for _ in range(3):  # best of 3: the machine is shared, the best run is the least disturbed one
        t, c = time.perf_counter(), time.process_time()
        report = lg.dues()
        runs.append(time.perf_counter() - t)
        cpu_runs.append(time.process_time() - c)
    dues_s = min(runs)
    # CPU time beside wall time: on a machine shared with other jobs the wall clock mostly measures them
    result = {"search_p95_ms": _pct(times, 95), "search_p50_ms": statistics.median(times), "dues_s": dues_s,
              "search_p95_cpu_ms": _pct(cpu, 95), "dues_cpu_s": min(cpu_runs), "members": report.members}
    if export:
        result["export_s"], result["export_cpu_s"] = export_time(lg, out_dir, label)
    return result


def export_time(lg: Ledger, out_dir: Path, label: str) -> tuple[float, float]:
    """(wall, CPU) seconds of the full-ledger Excel export."""
    from app.exchange.exports import export_one

    t, c = time.perf_counter(), time.process_time()
    export_one(lg, "ledger", out_dir / f"{label}.xlsx")
    return time.perf_counter() - t, time.process_time() - c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--cold", action="store_true",
                    help="search after a whole-ledger scan on the same connection (its cache full of other pages)")
    ap.add_argument("--export", action="store_true", help="also time the full-ledger Excel export")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="canbao-crypto-") as tmp:
        tmp = Path(tmp)
        plain, enc = tmp / "plain.canbao.db", tmp / "encrypted.canbao.db"
        t = time.perf_counter()
        build_demo_ledger(plain, people=args.people)
        print(f"demo ledger, {args.people:,} people: built in {time.perf_counter() - t:.1f} s, "
              f"{plain.stat().st_size / 2**20:.0f} MiB")
        enc.write_bytes(plain.read_bytes())
        t = time.perf_counter()
        conv = encryption.encrypt_in_place(enc, PASSWORD)
        encryption.finish_conversion(enc)
        print(f"encrypt_in_place (derive, export, verify, swap, shred): {time.perf_counter() - t:.1f} s, "
              f"{conv.rows:,} rows checked, {enc.stat().st_size / 2**20:.0f} MiB")
        try:
            sqlite3.connect(enc).execute("SELECT count(*) FROM members").fetchone()
            print("!! plain sqlite3 READ the encrypted copy")
            return 1
        except sqlite3.DatabaseError as exc:
            print(f"plain sqlite3 on the encrypted copy: {exc} (as it should)")
        sqlite_driver.forget_all()
        t = time.perf_counter()
        encryption.unlock(enc, PASSWORD)
        print(f"unlock (the one key derivation): {time.perf_counter() - t:.3f} s")
        results = {}
        lg = _open(plain)
        try:  # the same queries on both sides (ORDER BY random() would draw a different set per connection)
            queries = _queries(lg, args.queries)
        finally:
            lg.close()
        # the conversion just wrote ~2× the ledger's size (the encrypted copy, the plaintext overwritten): let the
        # disk finish before timing, or the first side measured pays for the other's write-back
        os.sync()
        for round_no in (1, 2):  # two rounds, alternating; the second is kept (warm, nothing else settling)
            for label, path in (("plaintext", plain), ("encrypted", enc)):
                lg = _open(path)
                try:
                    if round_no == 1:
                        print(f"{label}: driver {type(lg.db.conn).__module__}")
                    # warm the page cache for both alike with the searches only: in the program the whole-ledger
                    # scans (dues, dashboard, exports) run on worker connections of their own, so they do not push
                    # the search pages out of the window's connection's cache (an encrypted connection decrypts
                    # every page it reads again after that; run --cold to see that case)
                    for q in queries:
                        lg.search(q, limit=50)
                    if args.cold:
                        lg.dues()
                    results[label] = measure(lg, queries, args.export and round_no == 2, tmp, label)
                finally:
                    lg.close()
        if args.export:  # once more each, alternating: the best of two, so a busy moment does not decide
            for label, path in (("plaintext", plain), ("encrypted", enc)):
                lg = _open(path)
                try:
                    wall, cpu = export_time(lg, tmp, label)
                    results[label]["export_s"] = min(results[label]["export_s"], wall)
                    results[label]["export_cpu_s"] = min(results[label]["export_cpu_s"], cpu)
                finally:
                    lg.close()
        p, e = results["plaintext"], results["encrypted"]
        print(f"{'':18}{'plaintext':>12}{'encrypted':>12}{'ratio':>8}")
        for k in ("search_p50_ms", "search_p95_ms", "search_p95_cpu_ms", "dues_s", "dues_cpu_s") + (
                ("export_s", "export_cpu_s") if args.export else ()):
            print(f"{k:18}{p[k]:12.3f}{e[k]:12.3f}{e[k] / p[k]:8.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
