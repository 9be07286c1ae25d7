"""Quote throughput: a large batch of varied members under every policy, quotes per second on one core.

    .venv/bin/python bench/quote_bench.py [--members 200000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain import vocabulary  # noqa: E402
from app.domain.quote import quote  # noqa: E402
from app.domain.quote_model import CategoryFact, QuoteRequest  # noqa: E402
from app.policy_catalog import catalog  # noqa: E402


def make_requests(policy, n: int, rng: random.Random) -> list[QuoteRequest]:
    span = (policy.benefit.end - policy.window.start).days
    out = []
    for _ in range(n):
        paid = policy.window.start + dt.timedelta(days=rng.randrange(span))
        birth = paid - dt.timedelta(days=rng.randrange(1, 90 * 365))
        cats = ()
        r = rng.random()
        if r < 0.15:
            cats = (CategoryFact(rng.choice(vocabulary.CATEGORIES)),)
        elif r < 0.18:
            cats = tuple(CategoryFact(c) for c in rng.sample(vocabulary.CATEGORIES, 2))
        addons = tuple(a.name for a in policy.addons if not a.mandatory and not a.group and rng.random() < 0.3)
        out.append(QuoteRequest(birth, paid, cats, addons, (), rng.random() < 0.15))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=200_000)
    args = ap.parse_args()
    rng = random.Random(7)
    policies = catalog()[0]
    per = args.members // len(policies)
    batches = [(p, make_requests(p, per, rng)) for p in policies.values()]
    total = sum(len(reqs) for _, reqs in batches)
    start = time.perf_counter()
    opened = 0
    for policy, reqs in batches:
        for req in reqs:
            opened += quote(policy, req).open
    elapsed = time.perf_counter() - start
    print(f"quotes: {total:,}  open: {opened:,}  time: {elapsed:.2f} s  rate: {total / elapsed:,.0f} quotes/s (one core)")


if __name__ == "__main__":
    main()
