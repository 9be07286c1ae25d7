"""The year's turn of a township and one station with a day of work not yet acknowledged (not a test): what
the exchange adds to a rollover, and the new year's first packets.

    .venv/bin/python bench/rollover_exchange_bench.py --people 100000 --station-people 12500 --folder /tmp/rollx

The demo ledger (policy changchun-2022) is built once into ``<folder>/seed.db`` and copied for the township
and the station (``bench/sync_bench.py``'s set-up). The station works a day and sends a packet the township
never reads (lost), works another day without a packet; then the township and the station roll over to 2025,
the station's new ledger writes its first packet and the township's new ledger applies it. Figures: the
rollover of each (with the exchange carried), the same rollover of a copy without carrying the exchange
(what it adds), the first packet's size and times."""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sync_bench  # noqa: E402

from app.ledger.demo import build_demo_ledger  # noqa: E402
from app.ledger.rollover import pending_exchange  # noqa: E402
from app.sync import packets  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--station-people", type=int, default=12_500)
    ap.add_argument("--folder", type=Path, default=Path("/tmp/rollx"))
    args = ap.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    (args.folder / "post").mkdir(exist_ok=True)
    for name in ("township-2025.db", "station-2025.db", "plain.db", "plain-2025.db"):
        (args.folder / name).unlink(missing_ok=True)
    seed = args.folder / "seed.db"
    if not seed.exists():
        t = time.perf_counter()
        build_demo_ledger(seed, people=args.people, seed=1, policy_id="changchun-2022")
        print(f"demo ledger, {args.people:,} people: {time.perf_counter() - t:.1f} s")
    township, station, villages, people = sync_bench._prepare(args.folder, args.people, args.station_people)
    rng = random.Random(1)
    sync_bench._day(station, villages, rng, 300, 60, 10, 5)
    lost = packets.write_packet(station, 0, args.folder / "post")
    sync_bench._day(station, villages, rng, 300, 60, 10, 5)
    print(f"station ({people:,} people): a day in a packet the township never read ({lost.changes:,} row changes),"
          " a day in no packet")
    t = time.perf_counter()
    lines = pending_exchange(station)
    print(f"pending_exchange: {time.perf_counter() - t:.2f} s: " + " / ".join(lines))
    station.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(station.path, args.folder / "plain.db")
    for lg, name in ((township, "township-2025.db"), (station, "station-2025.db")):
        t, c = time.perf_counter(), time.process_time()
        lg.rollover(args.folder / name, "changchun-2025")
        print(f"rollover {lg.path.name}: {sync_bench._took(t, c)}")
    from app.sync import turns

    plain = sync_bench._open(args.folder / "plain.db")
    kept = turns.record_turn, turns.carry_forward
    turns.record_turn, turns.carry_forward = (lambda *a: None), (lambda *a: 0)  # nothing of the exchange carried
    try:
        t, c = time.perf_counter(), time.process_time()
        plain.rollover(args.folder / "plain-2025.db", "changchun-2025")
        print(f"the same station ledger's rollover without carrying the exchange: {sync_bench._took(t, c)}")
    finally:
        turns.record_turn, turns.carry_forward = kept
        plain.close()
    town, vil = sync_bench._open(args.folder / "township-2025.db"), sync_bench._open(args.folder / "station-2025.db")
    t, c = time.perf_counter(), time.process_time()
    s = packets.write_packet(vil, 0, args.folder / "post")
    print(f"new year's first packet: {s.entries} entries, {s.changes:,} row changes, {s.size / 1024:.1f} KiB,"
          f" written in {sync_bench._took(t, c)}")
    t, c = time.perf_counter(), time.process_time()
    r = packets.apply_packet(town, s.path)
    print(f"applied at the township's new ledger: {r.ok}, {r.counts}, {r.new_conflicts} conflicts, {sync_bench._took(t, c)}")
    for lg in (town, vil, township, station):
        lg.close()


if __name__ == "__main__":
    main()
