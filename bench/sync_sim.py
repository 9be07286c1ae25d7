"""Many seeds of the township simulation (tests/sync/sync_simulation.py; CI runs three): 8 stations, random work,
an unreliable post; every seed must end with all ledgers agreeing with the township.

    .venv/bin/python bench/sync_sim.py --seeds 50 [--rounds 8] [--stations 8]"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "sync")]

import sync_simulation as simulation  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--first", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--stations", type=int, default=8)
    args = ap.parse_args()
    failed = 0
    for seed in range(args.first, args.first + args.seeds):
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            w = simulation.run(Path(folder), seed, rounds=args.rounds, n_stations=args.stations)
            try:
                wrong = simulation.check(w)
                for lg in [w.township, *w.stations]:
                    wrong += [f"{lg.path.name}: {p.message}" for p in lg.check()]
            finally:
                simulation.close(w)
        failed += bool(wrong)
        print(f"seed {seed}: {'OK' if not wrong else 'FAILED'} {time.perf_counter() - t:.1f} s, {len(w.payments)}"
              f" payments, {len(w.phone_clashes)} both-sides edits, {len(w.double_paid)} double payments, "
              f"{len(w.duplicates)} people in two villages, {len(w.same_id)} with one ID number at two, post {w.stats}")
        for line in wrong[:10]:
            print("   ", line)
    print(f"{args.seeds - failed}/{args.seeds} seeds agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
