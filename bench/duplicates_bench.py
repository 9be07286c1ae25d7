"""重复参保排查 over a large demo ledger (not a test; run by hand, figures into the README's Measured table):

    .venv/bin/python bench/duplicates_bench.py --people 500000 [--db /tmp/dupes500k.canbao.db] [--inject 50]

Builds (or reuses) a ``canbao demo`` ledger of ``--people``, copies it, injects ``--inject`` known duplicates of
each kind into other villages through the ledger API — 繁体/异体字 names (刘→劉, 张→張 …) without an ID number, a
homophone typo in the given name (明→铭 …), the same name with two neighbouring ID digits swapped, the same name
+ birth date + sex without an ID number — then times ``duplicates.find`` cold (the scan is cached per change
in a process, so the cache is cleared first), checks every injected pair is listed, and prints what the demo's
own people give (coincidences of a limited name list: same name and birthday, names that read alike).

Target (issue 15): the scan over 500,000 people ≤ 30 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum.cn import ric  # noqa: E402

VARIANTS = {"刘": "劉", "张": "張", "陈": "陳", "黄": "黃", "赵": "趙", "吴": "吳", "郑": "鄭", "杨": "楊",
            "孙": "孫", "马": "馬", "罗": "羅", "韩": "韓", "冯": "馮", "邓": "鄧", "伟": "偉", "华": "華",
            "军": "軍", "丽": "麗", "红": "紅", "龙": "龍", "国": "國", "东": "東"}
HOMOPHONES = {"明": "铭", "伟": "玮", "华": "桦", "丽": "莉", "军": "君", "静": "晶", "林": "琳", "婷": "亭",
              "杰": "洁", "勇": "永", "芳": "方", "敏": "民", "强": "墙", "涛": "滔", "斌": "彬", "超": "朝"}


def _swap_id(number: str) -> str:
    """Swap digits 15 and 16 (the sequence number) and recompute the check digit."""
    body = number[:14] + number[15] + number[14] + number[16]
    return body + ric.calc_check_digit(body + "0")


def build(path: Path, people: int) -> float:
    from app.ledger.demo import build_demo_ledger

    t = time.perf_counter()
    build_demo_ledger(path, people=people, seed=7, replace=True)
    return time.perf_counter() - t


def inject(db: Path, per_kind: int, seed: int = 11) -> list[tuple[int, int, str]]:
    """Add ``per_kind`` duplicates of each kind; returns (original member id, injected member id, kind)."""
    from app.ledger import open_ledger

    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT m.id, m.name, m.id_number, m.sex, m.birth_date, h.village_id FROM members m"
                        " JOIN households h ON h.id = m.household_id WHERE m.id_number IS NOT NULL").fetchall()
    villages = dict(conn.execute("SELECT id, name FROM villages").fetchall())
    have = {r[2] for r in rows}
    conn.close()
    rng.shuffle(rows)
    out: list[tuple[int, int, str]] = []
    used: set[int] = set()
    with open_ledger(db, backup=False) as lg:
        def other_village(vid):
            return villages[rng.choice([v for v in villages if v != vid])]

        def add(kind, row, name, number=None):
            mid, _, _, sex, birth, vid = row
            hid = lg.households.add(village=other_village(vid)).id
            new = lg.members.add(hid, name=name, id_type="居民身份证" if number else "无", id_number=number,
                                 birth_date=None if number else birth, sex="" if number else sex, relation="户主").id
            used.add(mid)
            out.append((mid, new, kind))

        def pick(test, n, kind, make):
            done = 0
            for row in rows:
                if done >= n:
                    break
                if row[0] in used or not test(row):
                    continue
                if make(kind, row):
                    done += 1

        pick(lambda r: any(c in VARIANTS for c in r[1]), per_kind, "variant",
             lambda k, r: add(k, r, "".join(VARIANTS.get(c, c) for c in r[1])) or True)
        pick(lambda r: any(c in HOMOPHONES for c in r[1][1:]), per_kind, "homophone",
             lambda k, r: add(k, r, r[1][0] + "".join(HOMOPHONES.get(c, c) for c in r[1][1:])) or True)

        def swapped(k, r):
            n = _swap_id(r[2])
            if n == r[2] or n in have:
                return False
            have.add(n)
            add(k, r, r[1], n)
            return True
        pick(lambda r: r[2][14] != r[2][15], per_kind, "id_swap", swapped)
        pick(lambda r: True, per_kind, "no_id", lambda k, r: add(k, r, r[1]) or True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=500_000)
    ap.add_argument("--db", type=Path, help="the demo ledger (built there if missing)")
    ap.add_argument("--inject", type=int, default=50, help="duplicates injected per kind")
    args = ap.parse_args()
    from app.ledger import duplicates, open_ledger

    demo = args.db or Path(f"/tmp/dupes{args.people // 1000}k.canbao.db")
    if not demo.exists():
        print(f"building a {args.people:,}-person demo at {demo} … {build(demo, args.people):.1f} s")
    work = demo.with_name(demo.stem + ".dupes-bench.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copyfile(demo, work)
    t = time.perf_counter()
    injected = inject(work, args.inject)
    print(f"injected {len(injected)} duplicates ({Counter(k for *_, k in injected)}) in {time.perf_counter() - t:.1f} s")

    with open_ledger(work, backup=False) as lg:
        people = lg.db.execute("SELECT count(*) FROM members").fetchone()[0]
        from app.domain.duplicate_match import scan

        t0 = time.perf_counter()
        plist = duplicates._people(lg.db)
        t1 = time.perf_counter()
        c0 = time.process_time()
        found = scan(plist)
        t2 = time.perf_counter()
        scan_cpu = time.process_time() - c0
        del plist
        duplicates._cache.clear()
        t3, c3 = time.perf_counter(), time.process_time()
        cold = duplicates.find(lg)  # read, scan, both places of every pair
        t4, cold_cpu = time.perf_counter(), time.process_time() - c3
        duplicates.find(lg)  # again: nothing changed, the scan is not repeated
        warm = time.perf_counter() - t4
    full = t4 - t3
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"people {people:,}: read {t1 - t0:.1f} s, scan {t2 - t1:.1f} s (CPU {scan_cpu:.1f} s); "
          f"find() cold {full:.1f} s (CPU {cold_cpu:.1f} s) for {len(cold):,} pairs, again unchanged {warm:.2f} s; peak RSS {rss:.0f} MB")
    pairs = {(f.a.member_id, f.b.member_id): f for f in cold.findings}
    missed = [(a, b, k) for a, b, k in injected if (min(a, b), max(a, b)) not in pairs]
    by_kind = Counter(pairs[(min(a, b), max(a, b))].kind.value for a, b, _ in injected
                      if (min(a, b), max(a, b)) in pairs)
    injected_pairs = {(min(a, b), max(a, b)) for a, b, _ in injected}
    natural = [f for k, f in pairs.items() if k not in injected_pairs]
    print(f"injected found {len(injected) - len(missed)}/{len(injected)} ({dict(by_kind)}); missed {missed[:5]}")
    print(f"the demo's own pairs: {len(natural):,} "
          f"({dict(Counter((f.kind.value, f.certainty) for f in natural).most_common(8))})")
    print(f"matches in total {len(found):,}")
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
