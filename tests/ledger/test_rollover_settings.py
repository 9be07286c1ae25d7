"""Rollover carries the district's own ledger settings into the next year (every setting but the campaign's
year, policy …): a township that turned on “网格员代收” on its notices does not find it silently off in
January, and a demo ledger's next year still says 演示数据."""

from __future__ import annotations

from app.ledger import open_ledger
from backup_helpers import households, new_ledger


def test_the_grid_collection_setting_carries_into_the_next_year(tmp_path):
    with new_ledger(tmp_path / "2022.db", 0, "changchun-2022", 2022) as lg:
        households(lg, 1)
        lg.settings.set_notice_grid_collection(True)
        lg.rollover(tmp_path / "on.db", "changchun-2025")
        lg.settings.set_notice_grid_collection(False)
        lg.rollover(tmp_path / "off.db", "changchun-2025")
    with open_ledger(tmp_path / "on.db", backup=False) as new:
        assert new.settings.get().notice_grid_collection is True
    with open_ledger(tmp_path / "off.db", backup=False) as new:
        assert new.settings.get().notice_grid_collection is False


def test_a_demo_ledgers_next_year_is_still_stamped_demo_data(tmp_path):
    """A demo ledger rolled over is still demo data: every printout and export of it says 演示数据."""
    from app.ledger.demo_flag import is_demo, mark_demo

    with new_ledger(tmp_path / "2022.db", 0, "changchun-2022", 2022) as lg:
        households(lg, 1)
        with lg.transaction():
            mark_demo(lg)
        lg.rollover(tmp_path / "next.db", "changchun-2025")
    with open_ledger(tmp_path / "next.db", backup=False) as new:
        assert is_demo(new)
