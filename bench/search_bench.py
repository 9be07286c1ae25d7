"""Search benchmark: p95 per kind of query on a demo ledger, through the FTS5 indexes and, side by side, the
same query on a bare index (not a timed test).

    .venv/bin/python bench/search_bench.py [--people 500000] [--db PATH] [--reuse] [--queries 200]

Kinds: pinyin initials (zs…), a full name, the last 4 ID digits, a character from the middle of a name
(a given-name character), 8 digits from the middle of an ID number, 7 digits from the middle of a phone.
``fts``  = ``Ledger.search`` (prefix indexes, then app.ledger.search.fragment_ids for middles);
``bare`` = the same match without a full-text index: a prefix range on the column's B-tree where one
exists, else ``instr`` over the column's covering index (what search did before migration 0041).
Also the window list (按人 / 按户, ``queries.member_page`` / ``household_page``) for the middle kinds.
Target: p95 ≤ 50 ms for every kind.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ledger import open_ledger  # noqa: E402
from app.ledger.demo import build_demo_ledger  # noqa: E402
from app.ledger.identity import name_initials  # noqa: E402

TARGET_MS = 50.0
LIMIT = 50


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def sample_queries(lg, n: int, seed: int = 5) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    top = lg.db.execute("SELECT max(id) FROM members").fetchone()[0]
    rows = []
    while len(rows) < n:
        r = lg.db.execute("SELECT name, id_number, phone FROM members WHERE id >= ? AND id_number IS NOT NULL"
                          " AND phone != '' AND length(name) >= 2 LIMIT 1", [rnd.randint(1, top)]).fetchone()
        if r:
            rows.append(r)
    return {
        "initials": [name_initials(r[0])[:2] for r in rows],
        "name": [r[0] for r in rows],
        "last4 ID": [r[1][-4:] for r in rows],
        "middle of name": [r[0][1 + rnd.randrange(len(r[0]) - 1)] for r in rows],
        "middle of ID": [r[1][6:14] if rnd.random() < 0.5 else r[1][8:16] for r in rows],
        "middle of phone": [r[2][2:9] for r in rows],
    }


BARE = {  # the same match without a full-text index
    "initials": ("SELECT id FROM members WHERE name_initials >= ? AND name_initials < ? LIMIT ?", "range"),
    "name": ("SELECT id FROM members WHERE name >= ? AND name < ? LIMIT ?", "range"),
    "last4 ID": ("SELECT id FROM members WHERE id_rev >= ? AND id_rev < ? LIMIT ?", "rev"),
    "middle of name": ("SELECT id FROM members WHERE name > '' AND instr(name, ?) > 0 LIMIT ?", "instr"),
    "middle of ID": ("SELECT id FROM members WHERE id_number > '' AND instr(id_number, ?) > 0 LIMIT ?", "instr"),
    "middle of phone": ("SELECT id FROM members WHERE phone > '' AND instr(phone, ?) > 0 LIMIT ?", "instr"),
}


def bare(conn, kind: str, q: str) -> int:
    sql, how = BARE[kind]
    if how == "instr":
        return len(conn.execute(sql, [q, LIMIT]).fetchall())
    key = q[::-1] if how == "rev" else q
    return len(conn.execute(sql, [key, key[:-1] + chr(ord(key[-1]) + 1), LIMIT]).fetchall())


def timed(fn, queries) -> tuple[float, float, float]:
    times, hits = [], 0
    for q in queries:
        t = time.perf_counter()
        hits += fn(q)
        times.append((time.perf_counter() - t) * 1000)
    return pct(times, 50), pct(times, 95), hits / max(1, len(queries))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=500_000)
    ap.add_argument("--db", default="")
    ap.add_argument("--reuse", action="store_true", help="use --db as it is (built before)")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "search-bench.canbao.db"
    if not (args.reuse and db.exists()):
        t = time.perf_counter()
        build_demo_ledger(db, people=args.people, seed=11, replace=True)
        print(f"demo ledger: {args.people:,} people built in {time.perf_counter() - t:.1f} s ({db})")
    from app.ui import queries as uq

    with open_ledger(db, backup=False) as lg:
        conn = lg.db.conn
        year = lg.settings.get().year
        kinds = sample_queries(lg, args.queries)
        for q in kinds["name"][:20]:  # warm the page cache, as a user who has been working would have it
            lg.search(q, limit=LIMIT)
        print(f"{'kind':<16} {'fts p50':>8} {'fts p95':>8} {'bare p50':>9} {'bare p95':>9} {'hits':>6}"
              f"  {'list 按人 p95':>12} {'list 按户 p95':>12}")
        worst = 0.0
        for kind, qs in kinds.items():
            f50, f95, hits = timed(lambda q: len(lg.search(q, limit=LIMIT)), qs)
            b50, b95, _ = timed(lambda q, k=kind: bare(conn, k, q), qs)
            m95 = h95 = float("nan")
            if kind.startswith("middle") or kind == "initials":
                m95 = timed(lambda q: len(uq.member_page(conn, uq.MemberFilter(year=year, text=q), 0, 200)), qs)[1]
                h95 = timed(lambda q: len(uq.household_page(conn, uq.MemberFilter(year=year, text=q), 0, 200)),
                            qs)[1] if hasattr(uq, "household_page") else float("nan")
            worst = max(worst, f95)
            print(f"{kind:<16} {f50:8.1f} {f95:8.1f} {b50:9.1f} {b95:9.1f} {hits:6.1f}  {m95:12.1f} {h95:12.1f}")
        size = db.stat().st_size / 2**20
        fts = sum(conn.execute("SELECT count(*) FROM dbstat WHERE name LIKE ?", [f"{t}%"]).fetchone()[0]
                  for t in ("member_names", "member_numbers")) if _has_dbstat(conn) else None
        print(f"ledger file {size:.0f} MiB" + (f"; FTS pages {fts:,}" if fts is not None else ""))
        print(f"worst fts p95 {worst:.1f} ms (target ≤ {TARGET_MS:.0f} ms): {'OK' if worst <= TARGET_MS else 'MISSED'}")
    return 0


def _has_dbstat(conn) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except Exception:  # noqa: BLE001 - SQLite built without dbstat
        return False


if __name__ == "__main__":
    sys.exit(main())
