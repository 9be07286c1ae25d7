"""The window's import, driven with pytest-qt: choosing a file, mapping a column the preview did not recognise,
confirming the new village, seeing every problem, committing only the good rows after confirming how many are
left out, and the household list refreshing to show the new households.

Screenshots go to $CANBAO_SCREENSHOTS when set (docs/screenshots/ in the repo), else to the test's temp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exchange_helpers import build_ledger, make_id, write_xlsx

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "default.canbao.db"))
    monkeypatch.setenv("CANBAO_IMPORT_MAPPINGS", str(tmp_path / "mappings.json"))
    from app.ui.main_window import MainWindow

    lg, _ = build_ledger(tmp_path / "t.canbao.db")
    w = MainWindow(lg)
    qtbot.addWidget(w)
    w.resize(1200, 760)
    w.show()
    yield w
    lg.close()


def _shot(widget, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CANBAO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    from PySide6.QtWidgets import QApplication

    if widget.layout() is not None:
        widget.layout().activate()
    QApplication.processEvents()
    assert widget.grab().save(str(path))
    return path


def test_import_window_maps_a_column_confirms_villages_and_refreshes_the_list(qtbot, window, tmp_path):
    a, b, c, d = (make_id("19810101", 201), make_id("19820202", 202), make_id("19830303", 203),
                  make_id("19840404", 204))
    path = write_xlsx(tmp_path / "新增户.xlsx", [
        ["西山村新增人员花名册"],
        ["所在村民委员会", "组别", "姓名", "公民身份号码", "与户主关系", "民族", "人员类别", "籍贯"],
        ["西山村", "一组", "孙大", a, "本人", "汉", "低保", "吉林"],
        ["西山村", "一组", "刘二", b, "妻", "汉族", "低保", "吉林"],
        ["西山村", "二组", "周三", c, "户主", "回族", "", "吉林"],
        ["西山村", "二组", "吴\n四", d, "户主", "", "", "吉林"],  # a line break in the name
    ])
    households_before = window.model.rowCount()
    assert households_before == 3
    dialog = window.open_import()
    qtbot.addWidget(dialog)
    dialog.path.setText(str(path))
    dialog.kind.setCurrentIndex(dialog.kind.findData("roster"))
    with qtbot.waitSignal(dialog.previewed, timeout=20000):
        dialog.preview()
    # the village column was not recognised: the preview says so and offers the file's headings
    assert dialog.mapping_box.isVisible() and not dialog.b_import.isEnabled()
    assert "有必需的列没认出来" in dialog.summary.text()
    headings = [dialog.mapping_table.item(r, 0).text() for r in range(dialog.mapping_table.rowCount())]
    assert headings[0] == "所在村民委员会（A列）" and "籍贯（H列）" in headings
    _shot(dialog, "import_1_mapping.png", tmp_path)

    dialog.set_mapping("所在村民委员会", "village")
    with qtbot.waitSignal(dialog.previewed, timeout=20000):
        dialog.preview_with_mapping()
    pv = dialog.pv
    assert pv.new_places == {"西山村": {"一组", "二组"}}
    assert dialog.create_places.isVisible() and "西山村（新村（社区），组：一组、二组）" in dialog.create_places.text()
    rows = [(dialog.problems.item(r, 0).text(), dialog.problems.item(r, 1).text())
            for r in range(dialog.problems.rowCount())]
    assert rows == [("新增户.xlsx Sheet1:第6行:姓名（C列）", "姓名里有换行符：请删去换行，写在一行里"),
                    ("新增户.xlsx", "说明：人员类别 低保 → 低保对象（按常用简称）：2 人"),
                    ("新增户.xlsx Sheet1:第2行", "说明：未识别的列（不导入）：籍贯（H列）")]
    assert dialog.b_import.isEnabled() and dialog.b_import.text() == "只导入没有问题的 3 行…"
    _shot(dialog, "import_2_problems.png", tmp_path)

    # importing before ticking the new villages: refused with a message, nothing written
    dialog.commit()
    assert "请先勾选" in dialog.summary.text()
    dialog.create_places.setChecked(True)
    asked = []
    dialog.confirm = lambda title, text: asked.append(text) or True
    with qtbot.waitSignal(dialog.imported, timeout=20000) as sig:
        dialog.commit()
    assert asked == ["有 1 行有问题或查无此人，这 1 行不会导入。\n只导入没有问题的 3 行吗？"]
    assert sig.args[0].written == 3 and sig.args[0].places_created == 3
    assert "已导入 3 行，新建村组 3 个，1 行未导入" in dialog.summary.text()
    _shot(dialog, "import_3_done.png", tmp_path)

    # the main window's list and village tree now show the new households
    def listed():
        if window.model.canFetchMore():
            window.model.fetchMore()
        return window.model.rowCount()
    qtbot.waitUntil(lambda: listed() == households_before + 2, timeout=10000)
    assert "西山村" in [v.name for v in window.ledger.settings.get().villages]
    lg = window.ledger
    sun = lg.members.by_id_number(a)
    assert (sun.relation, sun.ethnicity) == ("户主", "汉族")
    assert [x.category for x in lg.categories.of_member(sun.id)] == ["低保对象"]
    dialog.close()
    qtbot.waitUntil(lambda: window.count_label.text() == "共 5 户", timeout=10000)  # recounted too
    _shot(window, "import_4_list.png", tmp_path)

    # next week the same layout: the mapping is remembered, no questions asked
    dialog2 = window.open_import()
    qtbot.addWidget(dialog2)
    dialog2.path.setText(str(path))
    dialog2.kind.setCurrentIndex(dialog2.kind.findData("roster"))
    with qtbot.waitSignal(dialog2.previewed, timeout=20000):
        dialog2.preview()
    assert not dialog2.pv.unmapped and dialog2.pv.summary().startswith("共 4 行：可导入 0 行，台账中已有相同记录 3 行")


def test_import_window_asks_what_an_unnamed_category_is(qtbot, window, tmp_path):
    """脱贫户 is not a name the policy gives (稳定脱贫人口 or 脱贫不稳定人口: different money): the preview lists it
    with how many people it concerns; the user picks the category; the preview lists the mapping applied and
    the commit sets the chosen category."""
    head, wife = make_id("19660606", 301), make_id("19680808", 302)
    path = write_xlsx(tmp_path / "脱贫户.xlsx", [
        ["村（社区）", "组", "姓名", "身份证号", "与户主关系", "人员类别"],
        ["东风村", "一组", "马六", head, "户主", "脱贫户"],
        ["东风村", "一组", "牛七", wife, "配偶", "脱贫户"],
    ])
    dialog = window.open_import()
    qtbot.addWidget(dialog)
    dialog.path.setText(str(path))
    dialog.kind.setCurrentIndex(dialog.kind.findData("roster"))
    with qtbot.waitSignal(dialog.previewed, timeout=20000):
        dialog.preview()
    box = dialog.values_box
    assert box.isVisible() and box.table.item(0, 0).text() == "脱贫户（2 人）"
    assert not dialog.b_import.isEnabled() or dialog.pv.to_write == []
    assert "未知的人员类别「脱贫户」" in dialog.problems.item(0, 1).text()
    assert "请在“人员类别对应”里指定是哪一类" in dialog.summary.text()
    _shot(dialog, "import_5_category_values.png", tmp_path)

    box.choose("脱贫户", "脱贫不稳定人口")
    with qtbot.waitSignal(dialog.previewed, timeout=20000):
        box.b_remap.click()
    pv = dialog.pv
    assert pv.problems == [] and len(pv.to_write) == 2 and pv.value_map == {"脱贫户": "脱贫不稳定人口"}
    rows = [dialog.problems.item(r, 1).text() for r in range(dialog.problems.rowCount())]
    assert rows == ["说明：人员类别 脱贫户 → 脱贫不稳定人口（按用户指定）：2 人"]
    assert box.isVisible() and box.chosen() == {"脱贫户": "脱贫不稳定人口"}  # shown as chosen, can be undone
    with qtbot.waitSignal(dialog.imported, timeout=20000) as sig:
        dialog.commit()
    assert sig.args[0].written == 2
    lg = window.ledger
    assert [c.category for c in lg.categories.of_member(lg.members.by_id_number(wife).id)] == ["脱贫不稳定人口"]
    dialog.close()
