"""Exchange-packet benchmark (not a test): a township ledger of ``--people`` (500,000 = 40 stations × 12,500)
and one station keeping ``--station-people`` of them; the station does a day of typical work, writes its
packet, the township previews and applies it, and writes its packet back.

    .venv/bin/python bench/sync_bench.py --people 500000 --folder /tmp/syncbench
    .venv/bin/python bench/sync_bench.py --people 20000 --station-people 5000 --folder /tmp/syncsmall

The demo ledger (``canbao demo``) is built once into ``<folder>/seed.db`` and copied for the township and the
station (as a split copies it: same ids, same packet key). Figures: packet size, time to write, to preview
and to apply; the township's packet back. Numbers go into the README's "Measured" table."""

from __future__ import annotations

import argparse
import random
import shutil
import time
from pathlib import Path

from app.domain.problems import ProblemsError
from app.ledger import PayLine, open_ledger, stations
from app.ledger.demo import build_demo_ledger
from app.ledger.operators import sign_in
from app.sync import packets, signing

PIN = "8642"
CODE = "220112"


_HOUSEHOLDS = "SELECT id FROM households WHERE village_id IN ({v})"
_MEMBERS = "SELECT id FROM members WHERE household_id IN (" + _HOUSEHOLDS + ")"
_PAYMENTS = "SELECT id FROM payments WHERE household_id IN (" + _HOUSEHOLDS + ")"
_ITEMS = "SELECT id FROM payment_items WHERE payment_id IN (" + _PAYMENTS + ")"
# (table, rows of the station's villages), parents first
_ROWS = [("households", _HOUSEHOLDS), ("members", _MEMBERS),
         ("member_categories", "SELECT id FROM member_categories WHERE member_id IN (" + _MEMBERS + ")"),
         ("payments", _PAYMENTS), ("payment_items", _ITEMS),
         ("refunds", "SELECT id FROM refunds WHERE payment_item_id IN (" + _ITEMS + ")"),
         ("claims", "SELECT id FROM claims WHERE member_id IN (" + _MEMBERS + ")"),
         ("audit", "SELECT id FROM audit WHERE household_id IN (" + _HOUSEHOLDS + ")")]


def _cut_villages(path: Path, villages: list[int]) -> None:
    """The township without the station's villages (bench only: the protecting triggers are set aside)."""
    import sqlite3

    v = ",".join(str(int(x)) for x in villages)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    guards = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                          " AND (name LIKE '%never_deleted' OR name LIKE 'sync_capture_%')").fetchall()
    conn.execute("BEGIN")
    for name, _ in guards:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"DELETE FROM member_years WHERE member_id IN ({_MEMBERS.format(v=v)})")
    for table, rows in reversed(_ROWS):
        conn.execute(f"DELETE FROM {table} WHERE id IN ({rows.format(v=v)})")
    for _, sql in guards:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()


def _all_new(station, villages: list[int]) -> None:
    """As if the station had keyed in its whole population: every row of its villages is new to the township."""
    v = ",".join(str(int(x)) for x in villages)
    with station.transaction() as db:
        for table, rows in _ROWS:
            db.execute(f"INSERT INTO sync_base (tbl, pk, row) SELECT '{table}', json_array(id), NULL"
                       f" FROM {table} WHERE id IN ({rows.format(v=v)})")
        db.execute("INSERT INTO sync_base (tbl, pk, row) SELECT 'member_years', json_array(member_id, year), NULL"
                   f" FROM member_years WHERE member_id IN ({_MEMBERS.format(v=v)})")


def _as_split(lg, *, code: str, name: str, village: str) -> None:
    """Make the copy station ``code`` as a split makes its new ledger (bench only: a used ledger is not set up in
    place as a village station — ``stations.set_up`` refuses it; the copy keeps the township's ids, as a split's
    rows do)."""
    from app.ledger.models import now_iso

    with lg.transaction() as db:
        stations._write(lg, code=code, name=name, kind="村", parent=f"{CODE}-000", village=village)
        db.execute("INSERT INTO station_self (id, code) VALUES (1, ?)", [code])
        signing.ensure_own_key(db, 1, now_iso())


def _open(path: Path):
    lg = open_ledger(path, backup=False)
    sign_in(lg, "基准测试员", PIN)
    return lg


def _prepare(folder: Path, people: int, station_people: int, initial: bool = False):
    seed = folder / "seed.db"
    if not seed.exists():
        t = time.perf_counter()
        build_demo_ledger(seed, people=people, seed=1)
        print(f"demo ledger, {people:,} people: {time.perf_counter() - t:.1f} s")
    for name in ("township.db", "station.db"):
        for suffix in ("", "-wal", "-shm"):
            Path(str(folder / name) + suffix).unlink(missing_ok=True)
        shutil.copyfile(seed, folder / name)
    keep = _station_villages(folder / "station.db", station_people)
    if initial:
        _cut_villages(folder / "township.db", keep[0])
    township = _open(folder / "township.db")
    villages = [r[0] for r in township.db.execute(
        "SELECT v.name FROM villages v JOIN households h ON h.village_id = v.id GROUP BY v.id ORDER BY v.id")]
    stations.set_up(township, code=f"{CODE}-000", name="乡镇", kind="乡镇")
    for n, v in enumerate(villages[:40], start=1):
        stations.record(township, code=f"{CODE}-{n:03d}", name=v, kind="村", parent=f"{CODE}-000", village=v)
    packets.start_station(township)
    station = _open(folder / "station.db")
    stations.record(station, code=f"{CODE}-000", name="乡镇", kind="乡镇")
    _as_split(station, code=f"{CODE}-001", name=villages[0], village=villages[0])
    packets.start_station(station)
    signing.record_key(township, 1, signing.own_public_key(station.db))  # as a split records both keys
    signing.record_key(station, 0, signing.own_public_key(township.db))
    if initial:
        _all_new(station, keep[0])
    return township, station, keep[0], keep[1]


def _station_villages(path: Path, station_people: int) -> tuple[list[int], int]:
    """The station's people: whole villages from the first, up to ``station_people``."""
    import sqlite3

    conn = sqlite3.connect(path)
    keep, total = [], 0
    for vid, n in conn.execute("SELECT h.village_id, count(*) FROM members m JOIN households h"
                               " ON h.id = m.household_id GROUP BY h.village_id ORDER BY h.village_id"):
        if total >= station_people:
            break
        keep.append(vid)
        total += n
    conn.close()
    return keep, total


def _day(station, villages: list[int], rng: random.Random, pays: int, edits: int, new_households: int,
         voids: int) -> dict:
    """A day of typical work at a village station."""
    marks = ",".join("?" * len(villages))
    unpaid = station.db.execute(
        f"SELECT m.household_id, m.id FROM members m JOIN households h ON h.id = m.household_id"
        f" WHERE h.village_id IN ({marks}) AND m.status = '本地参保'"
        f" AND NOT EXISTS (SELECT 1 FROM standing_items s WHERE s.member_id = m.id) LIMIT 5000", villages).fetchall()
    people = station.db.execute(f"SELECT m.id FROM members m JOIN households h ON h.id = m.household_id"
                                f" WHERE h.village_id IN ({marks}) LIMIT 20000", villages).fetchall()
    day = station.db.execute("SELECT max(paid_on) FROM payments").fetchone()[0] or "2024-10-08"
    village = station.db.execute("SELECT name FROM villages WHERE id = ?", [villages[0]]).fetchone()[0]
    group = station.db.execute("SELECT name FROM village_groups WHERE village_id = ? LIMIT 1",
                               [villages[0]]).fetchone()[0]
    done = {"payments": 0, "edits": 0, "households": 0, "voids": 0}
    rng.shuffle(unpaid)
    paid = []
    for h, m in unpaid:
        if done["payments"] >= pays:
            break
        try:
            paid.append(station.payments.record(h, [PayLine(m)], method="现金", paid_on=day).id)
            done["payments"] += 1
        except ProblemsError:
            continue
    for (m,) in rng.sample(people, min(edits, len(people))):
        station.members.update(m, notes=f"入户核实 {rng.randint(1, 999)}")
        done["edits"] += 1
    for k in range(new_households):
        with station.transaction():
            h = station.households.add(village=village, group=group, address=f"新户{k}").id
            for j, rel in enumerate(("户主", "配偶", "子")):
                station.members.add(h, name=f"新户{k}人{j}", id_type="无", birth_date=f"19{70 + j * 10}-01-15",
                                    sex="女" if j == 1 else "男", relation=rel)
        done["households"] += 1
    for pid in paid[:voids]:
        station.payments.void(pid, "收错了")
        done["voids"] += 1
    return done


def _took(wall: float, cpu: float) -> str:
    import os

    return (f"{time.perf_counter() - wall:.2f} s (CPU {time.process_time() - cpu:.2f} s,"
            f" load {os.getloadavg()[0]:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=500_000)
    ap.add_argument("--station-people", type=int, default=12_500)
    ap.add_argument("--folder", type=Path, default=Path("/tmp/syncbench"))
    ap.add_argument("--payments", type=int, default=300)
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--new-households", type=int, default=10)
    ap.add_argument("--voids", type=int, default=5)
    ap.add_argument("--initial", action="store_true",
                    help="instead of a day: the station's whole population is new to the township (its first packet)")
    args = ap.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    (args.folder / "post").mkdir(exist_ok=True)
    township, station, villages, people = _prepare(args.folder, args.people, args.station_people, args.initial)
    if args.initial:
        print(f"station's first packet: its {people:,} people in {len(villages)} villages, all new to the township")
    else:
        t = time.perf_counter()
        done = _day(station, villages, random.Random(1), args.payments, args.edits, args.new_households, args.voids)
        print(f"station's day ({people:,} people in {len(villages)} villages): {done} in"
              f" {time.perf_counter() - t:.1f} s")
    t, c = time.perf_counter(), time.process_time()
    s = packets.write_packet(station, 0, args.folder / "post")
    print(f"write packet: {s.changes:,} row changes, {s.size / 1024:.1f} KiB, {_took(t, c)}")
    t, c = time.perf_counter(), time.process_time()
    pv = packets.preview_packet(township, s.path)
    print(f"preview at the township ({args.people:,} people): {_took(t, c)}, ok={pv.ok},"
          f" conflicts={len(pv.conflicts)}")
    t, c = time.perf_counter(), time.process_time()
    r = packets.apply_packet(township, s.path)
    print(f"apply at the township: {_took(t, c)}, ok={r.ok}, {sum(r.counts.values()):,} changes,"
          f" new conflicts={r.new_conflicts}")
    t = time.perf_counter()
    back = packets.write_packet(township, 1, args.folder / "post")
    print(f"township's packet back: {back.changes} changes, {back.size / 1024:.1f} KiB,"
          f" {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    rb = packets.apply_packet(station, back.path)
    print(f"apply at the station: {time.perf_counter() - t:.2f} s, ok={rb.ok}")
    township.close()
    station.close()


if __name__ == "__main__":
    main()
