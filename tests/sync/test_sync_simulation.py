"""Issue 15's "Done means": a township with 8 stations, random work on every laptop, packets late, twice, out
of order and lost; at the end every ledger agrees with the township on every record, no payment is lost or
doubled, every injected clash is listed, and every person enrolled in two villages is on the township's
重复参保 list. A few seeds here; many more with ``python bench/sync_sim.py``."""

from __future__ import annotations

import pytest

import sync_simulation as simulation


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_eight_stations_agree_with_the_township(tmp_path, seed):
    w = simulation.run(tmp_path, seed, rounds=6, n_stations=8)
    try:
        assert w.stats["lost"] and w.stats["twice"] and w.stats["late"]  # the post really was unreliable
        assert w.payments and (w.phone_clashes or w.double_paid) and w.duplicates
        assert w.moved and w.stats["moved_paid"]  # members moved between villages, some after paying
        assert w.same_id  # the same ID number enrolled at two villages
        assert simulation.check(w) == []
        # the 专干 keeps one enrolment of each same-ID pair: the decisions reach the stations, all still agree
        assert simulation.resolve_same_id(w) == len(w.same_id)
        assert simulation.check(w) == []
        assert all(w.township.members.get(b).status == "异地参保" for _, b in w.same_id)
        for lg in [w.township, *w.stations]:
            assert lg.check() == [], lg.path.name  # integrity, foreign keys, audit chains, receipts
    finally:
        simulation.close(w)
