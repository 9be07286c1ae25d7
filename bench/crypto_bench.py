"""Encrypted-at-rest spike: the same demo ledger, plaintext and SQLCipher-encrypted, side by side (not a test).

    pip install sqlcipher3-wheels          # NOT a Canbao dependency yet: see docs/encryption-at-rest.md
    .venv/bin/python bench/crypto_bench.py [--people 100000] [--queries 300] [--export]

Builds a demo ledger, converts a copy with ``sqlcipher_export`` (the in-place conversion path an upgrade
would use), checks that plain ``sqlite3`` cannot read the encrypted copy, then opens BOTH through the
sqlcipher3 driver — wrapped as Canbao ``Ledger`` objects over ``sqlite_utils.Database(conn)`` — and times
the real code: ``Ledger.search`` (p95 over last-4-digit, name and pinyin queries), ``Ledger.dues`` for the
whole year, and (``--export``) the full-ledger Excel export. Target: encrypted ≤ 1.3× plaintext for each.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database  # noqa: E402

from app.ledger.db import Ledger  # noqa: E402
from app.ledger.demo import build_demo_ledger  # noqa: E402

KEY = "benchmark passphrase 2025"
CACHE_MIB = 64


def _driver():
    try:
        import sqlcipher3
    except ImportError:
        sys.exit("sqlcipher3 is not installed: pip install sqlcipher3-wheels (the spike's driver)")
    return sqlcipher3


def _open(path: Path, key: str | None) -> Ledger:
    sqlcipher3 = _driver()
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    if key:
        conn.execute(f"PRAGMA key = '{key}'")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA cache_size=-{CACHE_MIB * 1024}")  # decrypted pages stay in memory (both alike)
    conn.create_function("reverse_text", 1, lambda s: s[::-1] if isinstance(s, str) else s, deterministic=True)
    return Ledger(path, Database(conn, execute_plugins=False))


def encrypt_copy(plain: Path, encrypted: Path, key: str) -> float:
    """``sqlcipher_export``: how a plaintext ledger would be converted (then verified, then swapped in)."""
    sqlcipher3 = _driver()
    t = time.perf_counter()
    conn = sqlcipher3.connect(str(plain), isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS enc KEY ?", [str(encrypted), key])
    conn.execute("SELECT sqlcipher_export('enc')")
    conn.execute("DETACH DATABASE enc")
    conn.close()
    return time.perf_counter() - t


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _queries(lg: Ledger, n: int) -> list[str]:
    rows = lg.db.execute("SELECT id_number, name, name_initials FROM members WHERE id_number IS NOT NULL "
                         "ORDER BY random() LIMIT ?", [n]).fetchall()
    rng = random.Random(1)
    return [rng.choice((r[0][-4:], r[1], r[2])) for r in rows]


def measure(lg: Ledger, queries: list[str], export: bool, out_dir: Path, label: str) -> dict:
    times = []
    for q in queries:
        t = time.perf_counter()
        lg.search(q, limit=50)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    report = lg.dues()
    dues_s = time.perf_counter() - t
    result = {"search_p95_ms": _pct(times, 95), "search_p50_ms": statistics.median(times), "dues_s": dues_s,
              "members": report.members}
    if export:
        from app.exchange.exports import export_one

        t = time.perf_counter()
        export_one(lg, "ledger", out_dir / f"{label}.xlsx")
        result["export_s"] = time.perf_counter() - t
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--export", action="store_true", help="also time the full-ledger Excel export")
    args = ap.parse_args(argv)
    _driver()
    with tempfile.TemporaryDirectory(prefix="canbao-crypto-") as tmp:
        tmp = Path(tmp)
        plain, enc = tmp / "plain.canbao.db", tmp / "encrypted.canbao.db"
        t = time.perf_counter()
        build_demo_ledger(plain, people=args.people)
        print(f"demo ledger, {args.people:,} people: built in {time.perf_counter() - t:.1f} s, "
              f"{plain.stat().st_size / 2**20:.0f} MiB")
        print(f"sqlcipher_export to an encrypted copy: {encrypt_copy(plain, enc, KEY):.1f} s, "
              f"{enc.stat().st_size / 2**20:.0f} MiB")
        try:
            sqlite3.connect(enc).execute("SELECT count(*) FROM members").fetchone()
            print("!! plain sqlite3 READ the encrypted copy")
            return 1
        except sqlite3.DatabaseError as exc:
            print(f"plain sqlite3 on the encrypted copy: {exc} (as it should)")
        results = {}
        for label, path, key in (("plaintext", plain, None), ("encrypted", enc, KEY)):
            lg = _open(path, key)
            try:
                queries = _queries(lg, args.queries)
                t = time.perf_counter()
                lg.db.execute("SELECT count(*) FROM members").fetchone()
                print(f"{label}: open + first query {time.perf_counter() - t:.3f} s (the key derivation)")
                measure(lg, queries, False, tmp, label)  # warm the page cache for both alike
                results[label] = measure(lg, queries, args.export, tmp, label)
            finally:
                lg.db.close()
        p, e = results["plaintext"], results["encrypted"]
        print(f"{'':18}{'plaintext':>12}{'encrypted':>12}{'ratio':>8}")
        for k in ("search_p50_ms", "search_p95_ms", "dues_s") + (("export_s",) if args.export else ()):
            print(f"{k:18}{p[k]:12.3f}{e[k]:12.3f}{e[k] / p[k]:8.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
