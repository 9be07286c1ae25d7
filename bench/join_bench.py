"""Joining a village ledger used alone before stations to its township (``app.ledger.join``): wall and CPU time
of the join (and of the backup made first), the file's size before and after, a ``check`` after, and the first
packet it then sends (everything) written and applied at the township. Not a test; run by hand:

    .venv/bin/python bench/join_bench.py --people 12500

A ``canbao demo`` ledger of ``--people`` (no station: ids 1, 2, 3 …, receipts 2025-000001 …) is the village's
laptop; the township is a new ledger with the same villages (so they are matched by name and take its ids).

By default (``--held``) the township already holds the village's people, as when it imported the district's
roster itself (``app.ledger.join_merge``): the demo's villages are made one (all people in the first village,
groups kept apart by name), and the township gets its households, members, categories and year choices under
other ids (``+ 500000``) and no payments; on the laptop ``--changed`` people then get a new phone. ``--fresh``:
the township holds none of them (the first packet brings everything).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 2 ** 20:.1f} MB"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=12_500)
    ap.add_argument("--db", default="", help="reuse this demo ledger (copied; never changed)")
    ap.add_argument("--fresh", action="store_true", help="the township holds none of the village's people")
    ap.add_argument("--changed", type=int, default=300, help="people whose phone the village changed (--held)")
    ap.add_argument("--audit", type=int, default=2, help="audit entries per member to add first (a demo ledger"
                                                        " logs its bulk load once; a clerk's has one per change)")
    args = ap.parse_args()
    from app.ledger import join, join_card, open_ledger, stations
    from app.ledger.backup import backup_ledger
    from app.ledger.demo import build_demo_ledger
    from app.sync import packets

    tmp = Path(tempfile.mkdtemp())
    src = Path(args.db) if args.db else tmp / "demo.db"
    if not src.exists():
        t = time.perf_counter()
        build_demo_ledger(src, people=args.people)
        print(f"demo ledger: {args.people:,} people in {time.perf_counter() - t:.1f} s")
    village = tmp / "village.db"
    with open_ledger(src, backup=False) as lg:
        lg.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        s = lg.settings.get()
        villages = {v: [] for (v,) in lg.db.execute("SELECT name FROM villages ORDER BY id")}
        counts = {t: lg.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("households", "members", "payments", "audit")}
    shutil.copyfile(src, village)
    if not args.fresh:
        villages = _one_village(village)
    if args.audit:
        with open_ledger(village, backup=False) as lg, lg.transaction():
            for mid, hid, name in lg.db.execute("SELECT id, household_id, name FROM members").fetchall():
                for k in range(args.audit):
                    lg.log("member", mid, "create" if k == 0 else "update", None, {"name": name, "k": k},
                           household_id=hid, member_id=mid)
            counts["audit"] = lg.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    print(f"village ledger: {counts['members']:,} people, {counts['households']:,} households, "
          f"{counts['payments']:,} payments, {counts['audit']:,} audit entries, {len(villages)} villages; {_size(village)}")
    town_path = tmp / "town.db"
    town = open_ledger(town_path, create=True, backup=False, operator="王会计")
    town.settings.initialize(township=s.township, year=s.year, policy_id=s.policy_id, operators=["王会计"],
                             villages=villages, area_kind="县")
    if not args.fresh:
        t = time.perf_counter()
        _roster(town, village)
        print(f"township holds {town.db.execute('SELECT count(*) FROM members').fetchone()[0]:,} of them"
              f" (imported in {time.perf_counter() - t:.1f} s); the village changes {args.changed} phones")
        _new_phones(village, args.changed)
    stations.set_up(town, code="220112-000", name=s.township, kind="乡镇")
    t = time.perf_counter()
    card = join_card.write_card(town, tmp, village=next(iter(villages)))
    print(f"join card: {card.path.stat().st_size / 1024:.0f} KiB, written in {time.perf_counter() - t:.2f} s")
    with open_ledger(village, backup=False) as lg:
        t = time.perf_counter()
        backup_ledger(village)
        backup_wall = time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        out = join.join_township(lg, join_card.read_card(card.path, card.code_word), backup=False)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        print(f"backup first: {backup_wall:.2f} s")
        if out.merged.get("people_matched"):
            print("merged with the township's: " + ", ".join(f"{k} {v:,}" for k, v in out.merged.items()))
        print(f"join: {wall:.2f} s (CPU {cpu:.2f} s); {out.receipts:,} receipts kept as printed, "
              f"{out.villages_matched} villages matched; rows moved {sum(v for k, v in out.counts.items() if k != 'households_renumbered'):,}")
        lg.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"file after: {_size(village)}")
        t = time.perf_counter()
        problems = lg.check()
        print(f"check after the join: {time.perf_counter() - t:.2f} s, {len(problems)} problems"
              + "".join(f"\n  {p}" for p in problems[:5]))
        post = tmp / "post"
        post.mkdir()
        t, c = time.perf_counter(), time.process_time()
        first = packets.write_packet(lg, 0, post)
        print(f"first packet: {first.changes:,} changes, {first.size / 1024:.0f} KiB, written in "
              f"{time.perf_counter() - t:.2f} s (CPU {time.process_time() - c:.2f} s)")
    t, c = time.perf_counter(), time.process_time()
    r = packets.apply_packet(town, first.path)
    print(f"applied at the township: {time.perf_counter() - t:.2f} s (CPU {time.process_time() - c:.2f} s), "
          f"ok={r.ok}, conflicts={len(r.conflicts)}; " + ", ".join(f"{k} {v:,}" for k, v in sorted(r.counts.items())
                                                                    if k.split()[0] in ("households", "members")))
    print("township: " + ", ".join(f"{n} {town.db.execute(sql).fetchone()[0]:,}" for n, sql in (
        ("members", "SELECT count(*) FROM members"),
        ("ID numbers held twice", "SELECT count(*) FROM (SELECT id_number FROM members WHERE id_number IS NOT NULL"
                                  " GROUP BY id_number HAVING count(*) > 1)"),
        ("not 本地参保", "SELECT count(*) FROM members WHERE status <> '本地参保'"))))
    t = time.perf_counter()
    problems = town.check()
    print(f"township check: {time.perf_counter() - t:.2f} s, {len(problems)} problems"
          + "".join(f"\n  {p}" for p in problems[:5]))
    town.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _one_village(path: Path) -> dict[str, list]:
    """Every household of the demo ledger into its first village (groups renamed apart)."""
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        first, name = con.execute("SELECT id, name FROM villages ORDER BY id LIMIT 1").fetchone()
        con.execute("UPDATE village_groups SET name = name || '·' || village_id, village_id = ? WHERE village_id <> ?",
                    [first, first])
        con.execute("UPDATE households SET village_id = ?", [first])
        groups = [g for (g,) in con.execute("SELECT name FROM village_groups WHERE village_id = ? ORDER BY id", [first])]
    con.close()
    return {name: groups}


def _new_phones(path: Path, changed: int) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        rows = [(f"139{mid:08d}", f"139{mid:08d}"[::-1], mid)
                for (mid,) in con.execute("SELECT id FROM members ORDER BY id LIMIT ?", [changed])]
        con.executemany("UPDATE members SET phone = ?, phone_rev = ? WHERE id = ?", rows)
    con.close()


def _roster(town, village: Path) -> None:
    """The township imports the village's people itself (its own ids: + 500000), without their payments."""
    db = town.db
    db.execute("ATTACH DATABASE ? AS v", [str(village)])
    with town.transaction():
        db.execute("INSERT INTO households (id, number, village_id, group_id, address, phone, notes, created_at,"
                   " updated_at) SELECT h.id + 500000, h.number, tv.id, tg.id, h.address, h.phone, h.notes,"
                   " h.created_at, h.updated_at FROM v.households h JOIN v.villages vv ON vv.id = h.village_id"
                   " JOIN villages tv ON tv.name = vv.name LEFT JOIN v.village_groups vg ON vg.id = h.group_id"
                   " LEFT JOIN village_groups tg ON tg.village_id = tv.id AND tg.name = vg.name")
        cols = [r[1] for r in db.execute("PRAGMA v.table_info(members)")]
        sel = ", ".join(f"m.{c} + 500000" if c in ("id", "household_id") else f"m.{c}" for c in cols)
        db.execute(f"INSERT INTO members ({', '.join(cols)}) SELECT {sel} FROM v.members m")
        cols = [r[1] for r in db.execute("PRAGMA v.table_info(member_categories)")]
        sel = ", ".join(f"c.{c} + 500000" if c in ("id", "member_id") else f"c.{c}" for c in cols)
        db.execute(f"INSERT INTO member_categories ({', '.join(cols)}) SELECT {sel} FROM v.member_categories c")
        cols = [r[1] for r in db.execute("PRAGMA v.table_info(member_years)")]
        sel = ", ".join(f"y.{c} + 500000" if c == "member_id" else f"y.{c}" for c in cols)
        db.execute(f"INSERT INTO member_years ({', '.join(cols)}) SELECT {sel} FROM v.member_years y")
    db.execute("DETACH DATABASE v")


if __name__ == "__main__":
    sys.exit(main())
