"""Printing: a receipt right after payment, notices through the chooser, and QPrinter output to a PDF file."""

from __future__ import annotations

import subprocess

import pytest

from app.ui.main_window import MainWindow


@pytest.fixture()
def window(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.table.selectRow(0)
    return w


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_receipt_after_payment_previews_and_prints_to_pdf(qtbot, window, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    w = window
    d = w.open_payment(w.view.household.id, [w.view.rows[0].member.id])
    pid = d.save()
    receipt_no = w.ledger.payments.get(pid).receipt_no
    with qtbot.waitSignal(d.print_receipt, timeout=1000):
        d.print_button.click()
    preview = next(x for x in w._dialogs if x.objectName() == "printPreview")
    assert preview.doc.pageCount() >= 1
    assert receipt_no in pdf_text(preview.pdf_path)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert preview.print_to(printer) == preview.doc.pageCount()
    assert out.exists() and out.stat().st_size > 1000


def test_notices_for_a_village_through_the_chooser(qtbot, window):
    w = window
    w.tree.select_place(1, None)  # 东风村
    chooser = w.open_print()
    chooser.scope.buttons()[2].setChecked(True)  # 所选村（组）
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    preview = blocker.args[0]
    text = pdf_text(preview.pdf_path)
    assert "张三" in text and "王五" not in text  # 王五 lives in 胜利村


def test_ledger_printout_for_everyone(qtbot, window):
    w = window
    chooser = w.open_print()
    chooser.kind.buttons()[2].setChecked(True)
    chooser.scope.buttons()[3].setChecked(True)
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    text = pdf_text(blocker.args[0].pdf_path)
    assert "张三" in text and "王五" in text


def test_notices_for_selected_households(qtbot, window):
    from PySide6.QtCore import QItemSelectionModel

    w = window
    sm = w.table.selectionModel()
    sm.clearSelection()
    rows = {w.model.index(r, 1).data(): r for r in range(w.model.rowCount())}
    for name in ("张三", "王五"):  # two households, one row each
        sm.select(w.model.index(rows[name], 0),
                  QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert len(w.selected_household_numbers()) == 2
    chooser = w.open_print()
    chooser.scope.buttons()[1].setChecked(True)  # 列表中选中的户
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    text = pdf_text(blocker.args[0].pdf_path)
    assert "张三" in text and "王五" in text and blocker.args[0].doc.pageCount() == 2


def test_rollover_refused_when_no_later_policy(qtbot, window):
    from app.ui.rollover_dialog import RolloverDialog

    d = RolloverDialog(window.ledger, window)  # a 2025 ledger: no later policy ships
    qtbot.addWidget(d)
    assert d.policy.count() == 0 and not d.go.isEnabled() and "没有晚于 2025" in d.message.text()


def test_rollover_runs_off_thread_and_offers_the_new_ledger(qtbot, tmp_path):
    from app.ledger import open_ledger
    from app.ui.rollover_dialog import RolloverDialog

    from .conftest import make_id

    lg = open_ledger(tmp_path / "2024.canbao.db", create=True, operator="王")
    try:
        lg.settings.initialize(township="西营镇", year=2024, policy_id="jilin-2024", operators=["王"],
                               villages={"东风村": ["一组"]})
        hid = lg.households.add(village="东风村", group="一组").id
        lg.members.add(hid, name="张三", id_number=make_id("19700101", 11), relation="户主")
        d = RolloverDialog(lg)
        qtbot.addWidget(d)
        d.policy.setCurrentIndex(d.policy.findData("changchun-2025"))
        d.path.setText(str(tmp_path / "2025.canbao.db"))
        with qtbot.waitSignal(d.rolled_over, timeout=20000) as blocker:
            d.rollover()
        assert not d.open_new.isHidden()
        with open_ledger(blocker.args[0], backup=False) as new:
            assert (new.settings.get().year, new.members.count()) == (2025, 1)
        with qtbot.waitSignal(d.open_requested, timeout=1000) as opened:
            d.open_new.click()
        assert opened.args[0] == str(tmp_path / "2025.canbao.db")
    finally:
        lg.close()


def test_rollover_offers_the_same_regions_next_policy_first(qtbot, tmp_path):
    """A changchun-2022 ledger was offered jilin-2024 (another city's file, earliest year) as the new policy."""
    from app.ledger import open_ledger
    from app.ui.rollover_dialog import RolloverDialog, suggest_policy

    assert suggest_policy("changchun-2022", ["jilin-2024", "jilinshi-2024", "changchun-2025"]) == "changchun-2025"
    assert suggest_policy("tunliu-2025", ["weifang-2026"]) == "weifang-2026"
    assert suggest_policy("tunliu-2025", []) is None
    lg = open_ledger(tmp_path / "2022.canbao.db", create=True, operator="王")
    try:
        lg.settings.initialize(township="西营镇", year=2022, policy_id="changchun-2022", operators=["王"],
                               villages={"东风村": ["一组"]})
        d = RolloverDialog(lg)
        qtbot.addWidget(d)
        assert d.policy.count() >= 3 and d.policy.currentData() == "changchun-2025"
    finally:
        lg.close()
