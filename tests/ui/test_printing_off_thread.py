"""Issue 13, printing: in a child process with progress and cancel (the window never waits on the GIL),
vector to a PDF printer, pages at the printer's resolution for paper, and scope labels that say exactly
what will print."""

from __future__ import annotations

import os
import subprocess

import pytest
from PySide6.QtPrintSupport import QPrinter

from app.ui import print_preview
from app.ui.main_window import MainWindow

from .conftest import make_id


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture()
def window(qtbot, ledger):
    h3 = ledger.households.add(village="东风村", group="二组").id
    ledger.members.add(h3, name="孙七", id_number=make_id("19800808", 71), relation="户主")
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    return w


def pdf_printer(path, dpi=None) -> QPrinter:
    p = QPrinter(QPrinter.PrinterMode.HighResolution)
    p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p.setOutputFileName(str(path))
    if dpi:
        p.setResolution(dpi)
    return p


def test_scope_label_names_the_group_that_prints(qtbot, window):
    w = window
    vid = next(v.id for v in w.ledger.settings.get().villages if v.name == "东风村")
    gid = next(g.id for v in w.ledger.settings.get().villages if v.id == vid for g in v.groups if g.name == "二组")
    w.tree.select_place(vid, gid)
    chooser = w.open_print()
    label = chooser.scope_button("place").text()
    assert label == "所选村（组）：东风村 二组"
    chooser.scope_button("place").setChecked(True)
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    text = pdf_text(blocker.args[0].pdf_path)
    assert "孙七" in text and "张三" not in text  # 二组 only, as the label says


def test_scope_labels_for_household_selection_and_township(qtbot, window):
    w = window
    w.table.selectRow(0)
    chooser = w.open_print()
    h = w.view.household
    assert chooser.scope_button("household").text() == f"当前户：{h.number}（户主 {h.head_name}）"
    assert chooser.scope_button("selected").text().startswith("列表中选中的 1 户：")
    assert chooser.scope_button("all").text() == "全乡镇：西营镇（全部村、组）"
    assert chooser.scope.checkedButton() is chooser.scope_button("household")
    w.table.selectAll()
    chooser2 = w.open_print()
    assert chooser2.scope_button("selected").text().startswith("列表中选中的 3 户")
    assert chooser2.scope.checkedButton() is chooser2.scope_button("selected")


def _notice_preview(qtbot, w):
    w.table.selectAll()
    chooser = w.open_print()
    with qtbot.waitSignal(chooser.preview_ready, timeout=20000) as blocker:
        chooser.build()
    return blocker.args[0]


def test_pdf_printer_gets_vector_text_from_a_child_process(qtbot, window, tmp_path):
    preview = _notice_preview(qtbot, window)
    out = tmp_path / "printed.pdf"
    with qtbot.waitSignal(preview.printed, timeout=30000) as blocker:
        task = preview.print_in_background(pdf_printer(out))
        assert task.process.pid != os.getpid() and task.is_running()  # another process does the work
    assert blocker.args[0] == preview.doc.pageCount() == 3
    qtbot.waitUntil(lambda: not task.process.is_alive(), timeout=10000)  # reaped without blocking the window
    text = pdf_text(out)  # real text, not a picture of text
    assert "张三" in text and "孙七" in text and "王五" in text


def test_paper_path_in_the_child_prints_each_page_at_the_printers_resolution(qtbot, window, tmp_path):
    preview = _notice_preview(qtbot, window)
    out = tmp_path / "paper.pdf"
    with qtbot.waitSignal(preview.printed, timeout=60000) as blocker:
        task = preview.print_in_background(pdf_printer(out, dpi=150), raster=True)
    assert blocker.args[0] == 3 and task.progress_seen[-1] == (3, 3)
    info = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    widths = [int(line.split()[3]) for line in info.splitlines()[2:]]
    assert len(widths) == 3 and max(widths) == pytest.approx(8.27 * 150, abs=3)  # a whole A4 page at 150 dpi


def long_pdf(path, pages=60):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for i in range(pages):
        c.drawString(100, 700, f"page {i + 1}")
        c.showPage()
    c.save()
    return path


def test_cancel_really_stops_the_print_process(qtbot, tmp_path):
    from app.ui.tasks import Cancelled

    d = print_preview.PrintPreviewDialog(long_pdf(tmp_path / "long.pdf"), "long")
    qtbot.addWidget(d)
    task = d.print_in_background(pdf_printer(tmp_path / "out.pdf", dpi=300), raster=True)
    qtbot.waitUntil(lambda: bool(task.progress_seen) or not task.is_running(), timeout=60000)
    assert task.is_running(), "a 60-page job at 300 dpi finished before it could be cancelled"
    from PySide6.QtWidgets import QPushButton

    task.dialog.findChild(QPushButton).click()  # the progress dialog's 取消
    qtbot.waitUntil(lambda: not task.is_running(), timeout=10000)
    assert isinstance(task.error, Cancelled)
    qtbot.waitUntil(lambda: not task.process.is_alive(), timeout=10000)
    assert task.progress_seen[-1][0] < 60


def test_a_child_that_dies_is_a_chinese_message(qtbot, tmp_path):
    d = print_preview.PrintPreviewDialog(long_pdf(tmp_path / "long.pdf"), "long")
    qtbot.addWidget(d)
    errors = []
    task = print_preview.run_in_child(d, "正在打印", print_preview.print_job(d.pdf_path, pdf_printer(
        tmp_path / "o.pdf", dpi=300), raster=True), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(task.progress_seen) or not task.is_running(), timeout=60000)
    task.process.kill()  # as if the driver crashed or the system ended it
    qtbot.waitUntil(lambda: not task.is_running(), timeout=10000)
    assert "打印进程意外退出" in str(errors[0]) and "信号" in str(errors[0])


def test_a_failing_job_says_why_in_chinese(qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    d = print_preview.PrintPreviewDialog(long_pdf(tmp_path / "long.pdf", 1), "x")
    qtbot.addWidget(d)
    missing = tmp_path / "gone.pdf"
    task = print_preview.run_in_child(d, "正在打印", print_preview.print_job(missing, pdf_printer(tmp_path / "o.pdf")))
    qtbot.waitUntil(lambda: not task.is_running(), timeout=30000)
    assert "打印文件无法读取" in str(task.error) and "gone.pdf" in str(task.error)
    box = d.findChild(QMessageBox, "errorBox")
    assert box is not None and "打印文件无法读取" in box.text() and "Traceback" not in box.text()


def test_the_page_range_from_the_print_dialog_is_honoured(qtbot, tmp_path):
    pdf = long_pdf(tmp_path / "five.pdf", 5)
    p = pdf_printer(tmp_path / "range.pdf", dpi=72)
    p.setFromTo(2, 3)
    assert print_preview.print_pdf(pdf, p, raster=True) == 2
    assert "Pages:           2" in subprocess.run(["pdfinfo", str(tmp_path / "range.pdf")], capture_output=True,
                                                  text=True, check=True).stdout


def test_paper_printer_gets_bands_at_its_resolution(qtbot, window, tmp_path, monkeypatch):
    preview = _notice_preview(qtbot, window)
    monkeypatch.setattr(print_preview, "is_pdf_printer", lambda p: False)  # a paper printer's code path
    monkeypatch.setattr(print_preview, "BAND_PIXELS", 200_000)  # many bands per page
    out = tmp_path / "raster.pdf"
    progress = []
    n = print_preview.print_pdf(preview.pdf_path, pdf_printer(out, dpi=150),
                                progress=lambda d, t: progress.append((d, t)))
    assert n == 3 and progress[-1] == (3, 3)
    info = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in info.splitlines()[2:]]
    widths = {int(r[3]) for r in rows}
    assert len(rows) > 3 and max(widths) == pytest.approx(8.27 * 150, abs=3)  # A4 width at 150 dpi


def test_cancel_stops_a_paper_print(qtbot, window, tmp_path, monkeypatch):
    preview = _notice_preview(qtbot, window)
    monkeypatch.setattr(print_preview, "is_pdf_printer", lambda p: False)
    seen = []

    def cancelled():
        return len(seen) >= 1

    with pytest.raises(print_preview.Cancelled):
        print_preview.print_pdf(preview.pdf_path, pdf_printer(tmp_path / "c.pdf", dpi=72),
                                progress=lambda d, t: seen.append(d), cancelled=cancelled)
    assert seen == [1]  # stopped after the first page


def test_a_long_preview_goes_page_by_page(qtbot, tmp_path):
    """A village's notices (hundreds of pages) are not laid out all at once on the GUI thread."""
    from PySide6.QtPdfWidgets import QPdfView
    from reportlab.pdfgen import canvas

    path = tmp_path / "long.pdf"
    c = canvas.Canvas(str(path))
    for i in range(25):
        c.drawString(100, 700, f"page {i + 1}")
        c.showPage()
    c.save()
    d = print_preview.PrintPreviewDialog(path, "long")
    qtbot.addWidget(d)
    d.show()
    assert d.view.pageMode() == QPdfView.PageMode.SinglePage and d.page.isVisible()
    d.page.setValue(5)
    assert d.view.pageNavigator().currentPage() == 4


def test_a_very_fine_printer_gets_bands_rendered_at_the_cap(qtbot, window, tmp_path, monkeypatch):
    preview = _notice_preview(qtbot, window)
    monkeypatch.setattr(print_preview, "is_pdf_printer", lambda p: False)
    monkeypatch.setattr(print_preview, "RENDER_DPI_MAX", 100)  # stands for 600 against a 1,200 dpi printer
    out = tmp_path / "fine.pdf"
    assert print_preview.print_pdf(preview.pdf_path, pdf_printer(out, dpi=200)) == 3
    info = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    widths = {int(line.split()[3]) for line in info.splitlines()[2:]}
    assert max(widths) == pytest.approx(8.27 * 100, abs=3)


def test_the_print_dialogs_choices_reach_the_print_process(qtbot, tmp_path):
    """The QPrinter cannot cross into the child: its settings do, and come out the same."""
    from PySide6.QtGui import QPageLayout, QPageSize

    from app.ui.print_process import printer_from_settings, printer_settings

    p = pdf_printer(tmp_path / "x.pdf", dpi=200)
    p.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    p.setPageOrientation(QPageLayout.Orientation.Landscape)
    p.setCopyCount(2)
    p.setFromTo(2, 4)
    p.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
    p.setColorMode(QPrinter.ColorMode.GrayScale)
    q = printer_from_settings(printer_settings(p))
    assert q.outputFileName() == p.outputFileName() and q.resolution() == 200 and q.copyCount() == 2
    assert (q.fromPage(), q.toPage()) == (2, 4) and q.colorMode() == QPrinter.ColorMode.GrayScale
    assert q.pageLayout().pageSize().id() == QPageSize.PageSizeId.A5
    assert q.pageLayout().orientation() == QPageLayout.Orientation.Landscape
