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
    chooser.scope.buttons()[1].setChecked(True)  # 所选村（组）
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    preview = blocker.args[0]
    text = pdf_text(preview.pdf_path)
    assert "张三" in text and "王五" not in text  # 王五 lives in 胜利村


def test_ledger_printout_for_everyone(qtbot, window):
    w = window
    chooser = w.open_print()
    chooser.kind.buttons()[2].setChecked(True)
    chooser.scope.buttons()[2].setChecked(True)
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    text = pdf_text(blocker.args[0].pdf_path)
    assert "张三" in text and "王五" in text
