"""Export and import through the dialogs: the weekly workbook, a single list, and an import whose preview
lists every problem before anything is written."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from app.ui.exchange_dialogs import ExportDialog, ImportDialog

from .conftest import make_id


def counts(lg) -> dict:
    return {t: lg.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("members", "payments")}


def test_export_weekly_and_unpaid_list(qtbot, ledger, tmp_path):
    d = ExportDialog(ledger)
    qtbot.addWidget(d)
    d.path.setText(str(tmp_path / "周报.xlsx"))
    d.start.setDate(dt.date(2024, 9, 2))
    d.end.setDate(dt.date(2024, 9, 8))
    with qtbot.waitSignal(d.exported, timeout=20000) as blocker:
        d.export()
    wb = openpyxl.load_workbook(blocker.args[0].path)
    assert "说明" in wb.sheetnames and len(wb.sheetnames) >= 4
    assert "已导出" in d.message.text()

    d.what.setCurrentIndex(d.what.findData("unpaid"))
    d.path.setText(str(tmp_path / "未缴.xlsx"))
    with qtbot.waitSignal(d.exported, timeout=20000) as blocker:
        d.export()
    ws = openpyxl.load_workbook(blocker.args[0].path).active
    rows = {row[3]: row for row in ws.iter_rows(values_only=True)}
    assert rows["张三"][-2] == "是"
    assert rows["赵六"][-2] == "否"  # in 职工医保: listed, but not counted as required


def test_import_shows_every_problem_then_writes_only_clean_rows(qtbot, ledger, tmp_path):
    zhang = ledger.members.get(1)
    path = tmp_path / "税务.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["证件号码", "姓名", "缴费金额", "缴费日期"],
                [zhang.id_number, "张三", "1", "2024-10-10"],                    # 2: amount differs from quote
                [zhang.id_number[:-1] + ("1" if zhang.id_number[-1] != "1" else "2"), "张三", 400, "2024-10-10"],
                [make_id("19880808", 77), "路人甲", 400, "2024-10-10"],           # 4: nobody in the ledger
                [ledger.members.get(4).id_number, "王五", "四百", "2024-10-10"]):  # 5: bad amount
        ws.append(row)
    wb.save(path)
    # a clean row: 王五's real due on that day
    due = ledger.payments.quote(4, dt.date(2024, 10, 10)).due
    ws.cell(5, 3, str(due))
    wb.save(path)

    d = ImportDialog(ledger)
    qtbot.addWidget(d)
    d.path.setText(str(path))
    d.kind.setCurrentIndex(d.kind.findData("payment"))
    before = counts(ledger)
    with qtbot.waitSignal(d.previewed, timeout=20000):
        d.preview()
    places = [d.problems.item(i, 0).text() for i in range(d.problems.rowCount())]
    assert any("第2行" in p for p in places)
    assert any("第3行" in p for p in places)
    assert any("第4行" in p for p in places)
    assert not any("第5行" in p for p in places)
    assert counts(ledger) == before  # preview wrote nothing
    assert d.b_import.isEnabled() and d.b_import.text() == "只导入没有问题的 1 行…"
    asked = []
    d.confirm = lambda title, text: asked.append(text) or True  # the user confirms leaving 3 rows out
    with qtbot.waitSignal(d.imported, timeout=20000):
        d.commit()
    assert "有 3 行有问题或查无此人" in asked[0]
    assert counts(ledger)["payments"] == before["payments"] + 1
    assert [i.amount for i in ledger.payments.paid_this_year(4)] == [due]
    assert ledger.payments.paid_this_year(1) == []


def test_import_of_an_unreadable_file_is_a_message(qtbot, ledger, tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    d = ImportDialog(ledger)
    qtbot.addWidget(d)
    d.path.setText(str(bad))
    d.preview()
    qtbot.waitUntil(lambda: d.task is not None and not d.task.is_running() and "检查" not in d.summary.text(),
                    timeout=10000)
    assert "Traceback" not in d.summary.text()
    assert d.summary.text() and not d.b_import.isEnabled()
