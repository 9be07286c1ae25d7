"""The whole year's dues through the read model (``Ledger.dues`` → ``member_year.standings``) side by side
with a bare SQL + Decimal pass over the same rows (not a timed test).

    .venv/bin/python bench/dues_bench.py [--people 50000 500000] [--dir DIR] [--reuse] [--runs 3]

The bare pass runs the read model's own query and, per row, only what any implementation must do for the same
answer: take a paid member's recorded due, else look the due up in a quote cache (quoting on a miss, the same
quotes), and add due and paid up as Decimal. The
read model additionally decides every member's pay state and builds one frozen ``MemberStanding`` each.
Target: read model ≤ 2× the bare pass at both sizes. Prints best-of-``runs`` seconds for each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ledger import member_year as my  # noqa: E402
from app.ledger import open_ledger  # noqa: E402
from app.ledger.demo import build_demo_ledger  # noqa: E402
from app.ledger.dues import default_paid_on  # noqa: E402

TARGET = 2.0


def bare_pass(lg) -> tuple[Decimal, Decimal, int]:
    """The same rows, the same quotes, Decimal sums: no states, no objects."""
    settings = lg.settings.get()
    policy = lg.policy()
    day = default_paid_on(policy)
    cache = my.QuoteCache(policy, settings.area_kind, day)
    sql = my._QUERY.format(cat_where="", paid_join="", where="")
    due = paid = 0
    n = 0
    for (_mid, _hid, birth, student, status, _detail, cats, addons, declined, paid_fen, paid_n, paid_due,
         paid_ndue) in lg.db.execute(sql, {"year": settings.year}):
        n += 1
        paid += paid_fen
        if paid_n and paid_ndue == paid_n:  # a paid member's due is what their payment recorded
            due += paid_due
        elif status == my.Status.ENROLLED:
            fen, _note = cache.due(birth, student, cats, addons, declined)
            if fen is not None:
                due += fen
    return Decimal(due).scaleb(-2), Decimal(paid).scaleb(-2), n


def best(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, nargs="+", default=[50_000, 500_000])
    ap.add_argument("--dir", type=Path, help="where the demo ledgers go (default: a temporary folder)")
    ap.add_argument("--reuse", action="store_true", help="use demo ledgers already in --dir")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    tmp = None
    if args.dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="canbao-dues-")
        args.dir = Path(tmp.name)
    args.dir.mkdir(parents=True, exist_ok=True)
    worst = 0.0
    for people in args.people:
        path = args.dir / f"dues-{people}.canbao.db"
        if not (args.reuse and path.exists()):
            t = time.perf_counter()
            build_demo_ledger(path, people=people, seed=1, replace=True)
            print(f"{people:,} people: demo ledger built in {time.perf_counter() - t:.1f} s")
        with open_ledger(path, backup=False) as lg:
            t_bare, (due_b, paid_b, n) = best(lambda: bare_pass(lg), args.runs)
            t_model, report = best(lambda: lg.dues(), args.runs)
            assert (report.members, report.paid_total, report.due_total) == (n, paid_b, due_b)
            ratio = t_model / t_bare
            worst = max(worst, ratio)
            print(f"{people:>9,} people: read model {t_model:6.2f} s ({n / t_model:,.0f}/s), bare SQL+Decimal"
                  f" {t_bare:6.2f} s ({n / t_bare:,.0f}/s): {ratio:.2f}× (target ≤ {TARGET:.0f}×)"
                  f"; {report.distinct_quotes:,} quotes; paid {report.paid_total:,} yuan, rate"
                  f" {my.percent_text(report.paid_members, report.required)}")
    if tmp is not None:
        tmp.cleanup()
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
