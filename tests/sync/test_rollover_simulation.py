"""The year's turn among many laptops (tests/sync/rollover_simulation.py): each laptop rolls over at its own
random point among the packets, keeps using last year's ledger for late payments, and the post is unreliable
and sometimes hands a packet to the wrong year's ledger. At the end, in each year, every ledger agrees with
the township; nothing made before a laptop's turn or in a new ledger is missing from the new year; last year's
payments stay in last year's ledgers. A few seeds here; more with ``python bench/rollover_sim.py``."""

from __future__ import annotations

import pytest

import rollover_simulation as simulation


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_laptops_turning_the_year_on_different_days_lose_nothing(tmp_path, seed):
    w = simulation.run(tmp_path, seed)
    try:
        assert w.stats["lost"] and w.stats["twice"] and w.stats["late"] and w.stats["wrong_year"]
        assert w.stats["in_flight_at_turn"] and w.stats["old_edits_after_turn"]
        assert w.payments[0] and w.payments[1] and w.notes and w.categories and w.addresses and w.clashed
        assert simulation.check(w) == []
        for lg in [*w.old, *w.new]:
            assert lg.check() == [], lg.path.name  # integrity, foreign keys, audit chains, receipts
    finally:
        simulation.close(w)
