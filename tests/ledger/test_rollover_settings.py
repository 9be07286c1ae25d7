"""Rollover carries the district's own ledger settings into the next year: a township that turned on
“网格员代收” on its notices does not find it silently off in January."""

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
