"""The 重复参保 list in the window: both places side by side, open either household, mark 非重复 with a note,
export; the township dashboard's count opens it. Screenshots (offscreen) under CANBAO_SCREENSHOTS if set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from duplicates_helper import build, make_id
from operators_helper import log_in


@pytest.fixture()
def town(tmp_path):
    lg, ids = build(tmp_path / "town.canbao.db")
    yield lg, ids
    lg.close()


def _shot(widget, name: str) -> None:
    folder = os.environ.get("CANBAO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _open(qtbot, lg):
    from app.ui.duplicates_dialog import DuplicatesDialog

    d = DuplicatesDialog(lg)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=20000):
        pass
    return d


def test_the_list_shows_both_places_and_marks_a_pair_not_duplicate(qtbot, town):
    lg, ids = town
    d = _open(qtbot, lg)
    d.show()
    assert d.summary.text() == "排查 23 人，疑似重复参保 7 对"
    t = d.table
    assert [t.item(0, j).text() for j in range(8)] == ["92", "证件号码只差一位", "张伟", "东风村二组 000002户", "已缴",
                                                       "張偉", "红旗社区 000004户", "未缴"]
    a, b = d.pane_a.fields, d.pane_b.fields
    assert a["name"].text() == f"张伟（#{ids['张伟']}）" and b["name"].text() == f"張偉（#{ids['張偉']}）"
    full = make_id("19750315", "123")
    assert a["id"].text() == f"居民身份证 2201**********{full[-4:]}"
    assert (a["place"].text(), b["place"].text()) == ("东风村 / 二组", "红旗社区 / —")
    assert (a["paid"].text(), b["paid"].text()) == ("已缴", "未缴")
    assert "证件号码第15、16位颠倒" in d.why.text()
    _shot(d, "duplicates-list")
    # full ID numbers: audited
    d.full_box.setChecked(True)
    assert a["id"].text() == f"居民身份证 {full}"
    assert lg.audit.recent(1)[0].after == {"shown": "重复参保名单的完整证件号码"}
    # 赵军 / 赵军 (row 5): no note -> refused with the reason; with a note -> off the list
    t.selectRow(5)
    assert (a["name"].text()[:2], b["name"].text()[:2]) == ("赵军", "赵军")
    qtbot.mouseClick(d.dismiss_button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    assert "请写明为什么不是重复参保" in d.message.text()
    d.note.setText("同名同生日的两个人，已电话核实")
    with qtbot.waitSignal(d.loaded, timeout=20000):
        d.dismiss_button.click()
    assert d.summary.text() == "排查 23 人，疑似重复参保 6 对（另有 1 对已判定非重复）"
    assert "赵军" not in [t.item(i, 2).text() for i in range(t.rowCount())]
    # shown again on request, greyed, with the decision; it cannot be marked twice
    with qtbot.waitSignal(d.loaded, timeout=20000):
        d.dismissed_box.setChecked(True)
    assert t.rowCount() == 7 and t.item(5, 2).text() == "赵军"
    assert t.item(5, 8).text().startswith("【已判定非重复：同名同生日的两个人，已电话核实（王会计 ")
    t.selectRow(5)
    assert not d.dismiss_button.isEnabled() and "已判定非重复" in d.why.text()
    _shot(d, "duplicates-dismissed")


def test_a_grid_worker_cannot_mark_or_reveal(qtbot, town):
    lg, _ = town
    log_in(lg, "小网格", role="网格员")
    d = _open(qtbot, lg)
    d.full_box.setChecked(True)
    assert not d.full_box.isChecked() and "无权查看完整证件号码" in d.message.text()
    d.note.setText("双胞胎")
    d.dismiss_button.click()
    assert "无权判定重复参保" in d.message.text()
    assert d.summary.text() == "排查 23 人，疑似重复参保 7 对"


def test_export_from_the_dialog(qtbot, town, tmp_path):
    import openpyxl

    lg, _ = town
    d = _open(qtbot, lg)
    out = tmp_path / "重复参保排查.xlsx"
    d.export_to(out)
    qtbot.waitUntil(lambda: d.message.text().startswith("已导出"), timeout=20000)
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.title == "重复参保排查" and ws.max_row == 8


def test_dashboard_count_opens_the_list_and_a_household(qtbot, town):
    from app.ui.main_window import MainWindow

    lg, ids = town
    w = MainWindow(lg)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.open_dashboard().loaded, timeout=20000):
        pass
    dash = next(x for x in w._dialogs if x.objectName() == "dashboard")
    with qtbot.waitSignal(dash.duplicates_counted, timeout=20000) as blocker:
        pass
    assert blocker.args == [7]
    assert dash.duplicates_button.isVisible() and dash.duplicates_button.text() == "重复参保：7 对"
    _shot(dash, "duplicates-dashboard")
    dash.duplicates_button.click()
    d = next(x for x in w._dialogs if x.objectName() == "duplicatesDialog")
    qtbot.waitUntil(lambda: d.report is not None, timeout=20000)
    d.table.selectRow(0)
    d.pane_b.open_button.click()
    assert w.view.household.id == lg.members.get(ids["張偉"]).household_id
    d.pane_a.open_button.click()
    assert w.view.household.id == lg.members.get(ids["张伟"]).household_id
