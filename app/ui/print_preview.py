"""Print preview (QtPdf) and printing (QPrinter) of notices, receipts and reprints, and ledger printouts.

The PDFs come from ``app.paper`` (reportlab). They are built on a worker thread with its own ledger
connection, shown in a QPdfView, and printed page by page as images at the printer's resolution.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QPushButton, QRadioButton, QVBoxLayout, QWidget)

from .tasks import run_task, show_error

KINDS = {"notice": "缴费通知单", "receipt": "收据（补打）", "ledger": "台账打印"}
SCOPES = {"household": "当前户", "selected": "列表中选中的户", "place": "所选村（组）", "all": "全乡镇"}


def pdf_folder() -> Path:
    from ..paths import scratch_dir

    return scratch_dir("canbao-print")  # private, old previews removed, emptied at exit


def build_pdf(ledger_path, kind: str, *, village: str = "", group: str = "", household: str = "",
              households: tuple[str, ...] = (), receipt_numbers: tuple[str, ...] = (), reprint: bool = False,
              paper: str = "a4", progress=None, cancelled=None) -> Path:
    """Build one PDF with its own ledger connection (safe on a worker thread); returns its path."""
    from ..ledger import open_ledger
    from ..paper import from_ledger as fl
    from ..paper.ledger_sheet import render_ledger
    from ..paper.notice import render_notices
    from ..paper.receipt import render_receipts

    sels = [fl.Selection(household=h) for h in households] or [fl.Selection(village=village, group=group,
                                                                            household=household)]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    out = pdf_folder() / f"{kind}-{stamp}.pdf"
    with open_ledger(ledger_path, backup=False) as lg:
        one = len(sels) == 1
        if kind == "notice":
            items = [n for sel in sels for n in fl.notices(lg, sel, progress=progress if one else None,
                                                          cancelled=cancelled)]
            return render_notices(items, out, progress=progress, cancelled=cancelled)
        if kind == "receipt":
            if receipt_numbers:
                items = fl.receipts(lg, numbers=list(receipt_numbers), reprint=reprint)
            else:
                items = [r for sel in sels for r in fl.receipts(lg, sel=sel, reprint=reprint)]
            return render_receipts(items, out, paper, progress=progress, cancelled=cancelled)
        if kind == "ledger":
            if not one:
                raise ValueError("台账打印按村（组）打印，请选择「所选村（组）」或「全乡镇」")
            return render_ledger(fl.ledger_sheets(lg, sels[0], progress=progress, cancelled=cancelled), out,
                                 progress=progress, cancelled=cancelled)
    raise ValueError(f"未知的打印内容：{kind}")


def print_document(doc: QPdfDocument, printer) -> int:
    """Paint every page of ``doc`` onto ``printer``; returns the number of pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机未就绪或文件无法写入）")
    try:
        n = doc.pageCount()
        for i in range(n):
            if i:
                printer.newPage()
            target = painter.viewport()
            page = doc.pagePointSize(i)
            scale = min(target.width() / page.width(), target.height() / page.height())
            size = QSize(int(page.width() * scale), int(page.height() * scale))
            image = doc.render(i, size)
            painter.drawImage(0, 0, image)
    finally:
        painter.end()
    return n


class PrintPreviewDialog(QDialog):
    printed = Signal(int)

    def __init__(self, pdf_path: Path | str, title: str, parent: QWidget | None = None, prefs=None):
        super().__init__(parent)
        self.setObjectName("printPreview")
        self.setWindowTitle(f"打印预览：{title}")
        self.prefs = prefs
        self.pdf_path = Path(pdf_path)
        self.doc = QPdfDocument(self)
        self.doc.load(str(self.pdf_path))
        self.view = QPdfView(self)
        self.view.setDocument(self.doc)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.info = QLabel(f"共 {self.doc.pageCount()} 页　文件：{self.pdf_path.name}")
        b_print = QPushButton("打印…")
        b_print.setObjectName("primary")
        b_save = QPushButton("另存为 PDF…")
        b_close = QPushButton("关闭")
        b_print.clicked.connect(self.print_dialog)
        b_save.clicked.connect(self.save_as)
        b_close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.info, 1)
        row.addWidget(b_save)
        row.addWidget(b_print)
        row.addWidget(b_close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.resize(900, 760)

    @classmethod
    def for_receipt(cls, ledger, payment_id: int, parent=None, prefs=None, reprint: bool = False):
        try:
            pay = ledger.payments.get(payment_id)
            paper = prefs.paper if prefs is not None else "a4"
            path = build_pdf(ledger.path, "receipt", receipt_numbers=(pay.receipt_no,), reprint=reprint, paper=paper)
        except Exception as exc:  # noqa: BLE001 - shown as a Chinese message
            show_error(parent, "打印收据", exc)
            return None
        return cls(path, f"收据 {pay.receipt_no}", parent, prefs)

    def make_printer(self):
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.prefs is not None:
            if self.prefs.printer:
                info = QPrinterInfo.printerInfo(self.prefs.printer)
                if not info.isNull():
                    printer.setPrinterName(self.prefs.printer)
            printer.setCopyCount(self.prefs.copies)
        return printer

    def print_to(self, printer) -> int:
        n = print_document(self.doc, printer)
        self.printed.emit(n)
        return n

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.print_to(printer)
            except Exception as exc:  # noqa: BLE001
                show_error(self, "打印失败", exc)

    def save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "另存为", self.pdf_path.name, "PDF 文件 (*.pdf)")
        if path:
            try:
                shutil.copyfile(self.pdf_path, path)
            except OSError as exc:
                show_error(self, "保存失败", exc)


class PrintChooser(QDialog):
    """What to print (notices / receipts / ledger) and for whom (this household / the selected place / all)."""

    preview_ready = Signal(object)

    def __init__(self, main_window, prefs=None):
        super().__init__(main_window)
        self.setObjectName("printChooser")
        self.setWindowTitle("打印")
        self.main = main_window
        self.prefs = prefs
        self.kind = QButtonGroup(self)
        self.scope = QButtonGroup(self)
        form = QFormLayout()
        kinds = QHBoxLayout()
        for key, label in KINDS.items():
            b = QRadioButton(label)
            b.setProperty("key", key)
            self.kind.addButton(b)
            kinds.addWidget(b)
        self.kind.buttons()[0].setChecked(True)
        scopes = QHBoxLayout()
        for key, label in SCOPES.items():
            b = QRadioButton(label)
            b.setProperty("key", key)
            self.scope.addButton(b)
            scopes.addWidget(b)
        self.scope.buttons()[0 if main_window.view.household else 2].setChecked(True)
        from .settings import PAPERS

        self.paper = QComboBox()
        for key, label in PAPERS.items():
            self.paper.addItem(label, key)
        if prefs is not None:
            self.paper.setCurrentIndex(max(self.paper.findData(prefs.paper), 0))
        form.addRow("打印内容：", kinds)
        form.addRow("范围：", scopes)
        form.addRow("收据纸张：", self.paper)
        self.where = QLabel(self._where_text())
        self.where.setWordWrap(True)
        form.addRow("当前选择：", self.where)
        go = QPushButton("生成预览")
        go.setObjectName("primary")
        go.clicked.connect(self.build)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(go)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        self.task = None
        self.preview = None

    def _selection(self) -> dict:
        scope = self.scope.checkedButton().property("key")
        if scope == "household" and self.main.view.household:
            return {"household": self.main.view.household.number}
        if scope == "selected":
            return {"households": tuple(self.main.selected_household_numbers())}
        if scope == "place":
            vid, gid = getattr(self.main, "_place", (None, None))
            s = self.main.ledger.settings.get()
            for v in s.villages:
                if v.id == vid:
                    g = next((g.name for g in v.groups if g.id == gid), "")
                    return {"village": v.name, "group": g}
        return {}

    def _where_text(self) -> str:
        h = self.main.view.household
        vid, gid = getattr(self.main, "_place", (None, None))
        place = next((v.name for v in self.main.ledger.settings.get().villages if v.id == vid), "全乡镇")
        picked = self.main.selected_household_numbers()
        return (f"当前户：{h.number if h else '（未选）'}；选中 {len(picked)} 户；所选村（组）：{place}"
                "\n（在列表中按住 Ctrl 或 Shift 点选可选中多户）")

    def build(self) -> None:
        kind = self.kind.checkedButton().property("key")
        sel = self._selection()
        path = self.main.ledger.path
        paper = self.paper.currentData()

        def work(progress, cancelled):
            return build_pdf(path, kind, paper=paper, reprint=kind == "receipt", progress=progress,
                             cancelled=cancelled, **sel)

        def done(pdf):
            self.preview = PrintPreviewDialog(pdf, KINDS[kind], self.main, self.prefs)
            self.preview_ready.emit(self.preview)
            self.accept()
            self.main._keep(self.preview)

        self.task = run_task(self, f"正在生成{KINDS[kind]}", work, done)
