"""设置 → 站点, driven through its widgets: setting the ledger's station (problems shown as typed), the
township's list, registering a station, 拆分村台账… on a worker thread; a grid worker only looks."""

from __future__ import annotations

import os
from pathlib import Path

from operators_helper import GRID_WORKER, log_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.ledger import open_ledger, stations
from app.ui.main_window import MainWindow
from app.ui.station_dialog import StationDialog

SHOTS = Path(os.environ.get("CANBAO_SHOTS", "")) if os.environ.get("CANBAO_SHOTS") else None


def _shot(widget, name: str) -> None:
    """With CANBAO_SHOTS=<folder>: a PNG of the widget, to look at."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def test_set_up_the_station_and_split_a_village(qtbot, ledger, tmp_path):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.open_stations()
    d = next(x for x in w._dialogs if isinstance(x, StationDialog))
    assert "还没有设定站点" in d.own_text.text() and not d.split_button.isEnabled()
    f = d.own_form
    f.code.setText("220112")
    f.name.setText("西营镇")
    assert "站点代码应为" in f.problems.text()
    d.set_button.click()
    assert stations.current(ledger) is None  # refused, nothing written
    f.code.setText("220112-000")
    f.kind.setCurrentText("乡镇")
    assert f.problems.text() == ""
    _shot(d, "station-setup")
    d.set_button.click()
    assert stations.current(ledger).code == "220112-000"
    assert "220112-000-2025-000001" in d.own_text.text() and f.code.isReadOnly()
    assert d.table.rowCount() == 1 and d.table.item(0, 5).text() == "本台账"

    add = d.open_add()
    assert add.form.code.text() == "220112-001" and add.form.parent_code.text() == "220112-000"
    add.form.name.setText("胜利村网格")
    add.form.kind.setCurrentText("网格")
    add.form.village.setCurrentIndex(add.form.village.findData("胜利村"))
    add.save()
    assert stations.get(ledger, "220112-001").kind == "网格"

    split = d.open_split()
    assert [split.village.itemText(i) for i in range(split.village.count())] == ["东风村", "胜利村"]
    out = tmp_path / "东风村.canbao.db"
    split.path.setText(str(out))
    split.go.click()
    qtbot.waitUntil(lambda: split.outcome is not None, timeout=20000)
    assert "2 户" not in split.message.text() and "1 户，3 人" in split.message.text()
    _shot(split, "station-split")
    assert out.exists() and d.table.rowCount() == 3
    assert d.table.item(2, 0).text() == "220112-002" and d.table.item(2, 3).text() == "东风村"
    _shot(d, "station-list")
    with open_ledger(out, backup=False) as v:
        assert stations.current(v).code == "220112-002" and v.members.count() == 3


def test_a_failed_split_says_so_and_leaves_nothing(qtbot, ledger, tmp_path):
    stations.set_up(ledger, code="220112-000", name="西营镇", kind="乡镇")
    d = StationDialog(ledger)
    qtbot.addWidget(d)
    split = d.open_split()
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"x")
    split.path.setText(str(taken))
    split.go.click()
    qtbot.waitUntil(lambda: split.go.isEnabled(), timeout=20000)
    assert "没有留下新台账" in split.message.text() and "已存在" in split.message.text()
    assert [s.number for s in stations.known(ledger)] == [0]


def test_a_grid_worker_only_looks(qtbot, ledger):
    stations.set_up(ledger, code="220112-000", name="西营镇", kind="乡镇")
    log_in(ledger, "小李", GRID_WORKER)
    d = StationDialog(ledger)
    qtbot.addWidget(d)
    assert not d.set_button.isEnabled() and not d.split_button.isEnabled() and not d.add_button.isEnabled()
    assert "只能查看" in d.message.text() and d.table.rowCount() == 1


def test_settings_opens_the_station_page(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    s = w.open_settings()
    qtbot.mouseClick(s.findChild(QPushButton, "stationsButton"), Qt.MouseButton.LeftButton)
    assert any(isinstance(x, StationDialog) for x in w._dialogs)
