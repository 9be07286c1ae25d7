"""Rollover reports progress in rows copied and can be cancelled, leaving no new file."""

import pytest

from app.domain.problems import Cancelled
from app.ledger import open_ledger
from app.ledger import rollover as rollover_module
from app.ledger.demo import build_demo_ledger


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "d.db"
    build_demo_ledger(path, people=600, seed=3, policy_id="changchun-2022")
    return path


def test_progress_counts_every_row_and_the_copy_is_whole(tmp_path, demo, monkeypatch):
    monkeypatch.setattr(rollover_module, "_CHUNK", 100)  # several chunks per table
    seen = []
    with open_ledger(demo, backup=False) as lg:
        members = lg.members.count()
        new = lg.rollover(tmp_path / "next.db", "changchun-2025", progress=lambda d, t: seen.append((d, t)))
    total = seen[-1][1]
    assert seen[-1][0] == total and len(seen) > 5
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with open_ledger(new, backup=False) as nxt:
        assert nxt.members.count() == members
        assert nxt.settings.get().year == 2025
        assert nxt.check() == []


def test_cancel_leaves_no_file(tmp_path, demo, monkeypatch):
    monkeypatch.setattr(rollover_module, "_CHUNK", 100)
    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 3

    target = tmp_path / "next.db"
    with open_ledger(demo, backup=False) as lg:
        with pytest.raises(Cancelled):
            lg.rollover(target, "changchun-2025", cancel=cancel)
    assert not target.exists()
    assert not (tmp_path / "next.db-wal").exists()
