"""Many seeds of the year's-turn simulation (tests/sync/rollover_simulation.py; CI runs three): a township and
its stations roll over at random points among unreliable packets; every seed must end with, in each year,
all ledgers agreeing with the township and nothing made before a turn missing from the new year.

    .venv/bin/python bench/rollover_sim.py --seeds 30 [--rounds 7] [--stations 4]"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "sync")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import rollover_simulation as simulation  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--first", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--stations", type=int, default=4)
    args = ap.parse_args()
    failed = 0
    for seed in range(args.first, args.first + args.seeds):
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            try:
                w = simulation.run(Path(folder), seed, rounds=args.rounds, n_stations=args.stations)
            except AssertionError as exc:  # a packet refused for another reason than a missing earlier one
                print(f"seed {seed}: FAILED during the run: {exc}")
                failed += 1
                continue
            try:
                wrong = simulation.check(w)
                for lg in [*w.old, *w.new]:
                    wrong += [f"{lg.path.name}: {p.message}" for p in lg.check()]
            finally:
                simulation.close(w)
        failed += bool(wrong)
        print(f"seed {seed}: {'OK' if not wrong else 'FAILED'} {time.perf_counter() - t:.1f} s,"
              f" payments {len(w.payments[0])} last year / {len(w.payments[1])} new year, turns {w.turn_at}, {w.stats}")
        for line in wrong[:10]:
            print("   ", line)
    print(f"{args.seeds - failed}/{args.seeds} seeds agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
