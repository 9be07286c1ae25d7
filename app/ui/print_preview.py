"""Print preview (QtPdf) and printing (QPrinter) of notices, receipts and reprints, and ledger printouts.

The PDFs come from ``app.paper`` (reportlab). They are built in a child process (``print_process``) with
its own ledger connection and shown in a QPdfView. Printing runs in a child process too, with progress and
取消: to a PDF printer the reportlab file itself is written (vector, exactly what the preview shows); to a
paper printer each page is rendered at the printer's own resolution (in bands for a very fine printer, never
a bitmap of hundreds of MB) straight onto the printer's painter. Neither holds the window's GIL.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from .print_process import build_job, print_job, run_in_child
from .tasks import Cancelled, show_error

KINDS = {"notice": "缴费通知单", "receipt": "收据（补打）", "ledger": "台账打印"}
SCOPES = {"household": "当前户", "selected": "列表中选中的户", "place": "所选村（组）", "all": "全乡镇"}


def pdf_folder() -> Path:
    from ..paths import scratch_dir

    return scratch_dir("canbao-print")  # private, old previews removed, emptied at exit


def new_pdf_path(kind: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return pdf_folder() / f"{kind}-{stamp}.pdf"


def build_pdf(ledger_path, kind: str, *, village: str = "", group: str = "", household: str = "",
              households: tuple[str, ...] = (), receipt_numbers: tuple[str, ...] = (), reprint: bool = False,
              paper: str = "a4", progress=None, cancelled=None, out: Path | str | None = None) -> Path:
    """Build one PDF with its own ledger connection (in the print process); returns its path: ``out``, else
    a new file in ``pdf_folder()`` (the print process is given ``out``: a folder it asked for itself would be
    emptied when it exits)."""
    from ..ledger import open_ledger
    from ..paper import from_ledger as fl
    from ..paper.ledger_sheet import render_ledger
    from ..paper.notice import render_notices
    from ..paper.receipt import render_receipts

    sels = [fl.Selection(household=h) for h in households] or [fl.Selection(village=village, group=group,
                                                                            household=household)]
    out = Path(out) if out else new_pdf_path(kind)
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


MULTI_PAGE_MAX = 20  # longer previews show one page at a time, with a page number box
# One band of a page rendered for a paper printer: at most ~48 MB of ARGB, so an A4 page at 300 dpi
# (8.7 Mpx) is one band and a page at 600 dpi three. Rendering a band costs nearly a whole page (the page is
# laid out for each band), so bands are few; they run in the print process, not on the window's GIL.
BAND_PIXELS = 12_000_000
RENDER_DPI_MAX = 600  # a 1,200 dpi printer gets 600 dpi bands scaled up: 4× less work, text still crisp


def on_white(image):
    """The rendered page (transparent where the paper shows) flattened onto white, without an alpha channel:
    a printer driver or a PDF file then gets plain RGB, not an image plus a transparency mask."""
    from PySide6.QtGui import QColor, QImage

    flat = QImage(image.width(), image.height(), QImage.Format.Format_RGB32)
    flat.fill(QColor(255, 255, 255))
    p = QPainter(flat)
    p.drawImage(0, 0, image)
    p.end()
    return flat


def is_pdf_printer(printer) -> bool:
    from PySide6.QtPrintSupport import QPrinter

    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and bool(printer.outputFileName())


def print_pdf(pdf_path: Path | str, printer, progress=None, cancelled=None, raster: bool | None = None) -> int:
    """Print the PDF at ``pdf_path`` on ``printer``; returns the number of pages printed. Runs in the print
    process (``print_process``); tests call it directly.

    A PDF printer gets the reportlab file itself (vector text and lines). A paper printer (or ``raster``)
    gets each page rendered at its resolution (``printer.resolution()`` dpi), band by band, so memory stays
    bounded; a page range chosen in the print dialog (``fromPage``–``toPage``) is honoured.
    ``progress(done, total)`` after each page; ``cancelled()`` aborts the job (nothing half-printed is kept).
    """
    doc = QPdfDocument()
    doc.load(str(pdf_path))
    n = doc.pageCount()
    if n <= 0:
        raise OSError(f"打印文件无法读取：{pdf_path}")
    if not raster and is_pdf_printer(printer):
        if cancelled is not None and cancelled():
            raise Cancelled()
        shutil.copyfile(pdf_path, printer.outputFileName())
        if progress is not None:
            progress(n, n)
        return n
    printer.setFullPage(True)  # the PDF carries its own margins
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机未就绪或文件无法写入）")
    first, last = 0, n - 1
    if printer.fromPage() > 0:
        first, last = min(printer.fromPage(), n) - 1, min(max(printer.toPage(), printer.fromPage()), n) - 1
    pages = range(first, last + 1)
    try:
        for done, i in enumerate(pages):
            if cancelled is not None and cancelled():
                printer.abort()
                raise Cancelled()
            if done:
                printer.newPage()
            target = painter.viewport()
            page = doc.pagePointSize(i)
            scale = min(target.width() / page.width(), target.height() / page.height())
            w, h = max(1, int(page.width() * scale)), max(1, int(page.height() * scale))  # device pixels
            down = min(1.0, RENDER_DPI_MAX / max(1, printer.resolution()))
            rw, rh = max(1, int(w * down)), max(1, int(h * down))  # rendered pixels
            band = max(1, BAND_PIXELS // rw)
            for y in range(0, rh, band):
                if y and cancelled is not None and cancelled():
                    printer.abort()
                    raise Cancelled()
                bh = min(band, rh - y)
                if bh == rh:  # the whole page at once
                    image = doc.render(i, QSize(rw, rh))
                else:
                    opts = QPdfDocumentRenderOptions()
                    opts.setScaledSize(QSize(rw, rh))
                    opts.setScaledClipRect(QRect(0, y, rw, bh))
                    image = doc.render(i, QSize(rw, bh), opts)
                painter.drawImage(QRectF(0, y / down, w, bh / down), on_white(image))
                del image
            if progress is not None:
                progress(done + 1, len(pages))
    finally:
        if painter.isActive():
            painter.end()
    return len(pages)


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
        self.doc.setProperty("canbaoPath", str(self.pdf_path))
        self.task = None
        self.view = QPdfView(self)
        self.view.setDocument(self.doc)
        # a long document (a village's notices) page by page: laying out hundreds of pages at once would
        # hold the GUI thread for half a second
        many = self.doc.pageCount() > MULTI_PAGE_MAX
        self.view.setPageMode(QPdfView.PageMode.SinglePage if many else QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.page = QSpinBox()
        self.page.setObjectName("page")
        self.page.setRange(1, max(1, self.doc.pageCount()))
        self.page.setPrefix("第 ")
        self.page.setSuffix(f" 页 / 共 {self.doc.pageCount()} 页")
        self.page.valueChanged.connect(lambda n: self.view.pageNavigator().jump(n - 1, QPointF(), 0))
        self.page.setVisible(many)
        self.info = QLabel(f"共 {self.doc.pageCount()} 页　文件：{self.pdf_path.name}")
        b_print = QPushButton("打印…")
        b_print.setObjectName("primary")
        b_save = QPushButton("另存为 PDF…")
        b_close = QPushButton("关闭")
        b_print.clicked.connect(self.print_dialog)
        b_save.clicked.connect(self.save_as)
        b_close.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_dialog)  # Ctrl+P
        b_print.setDefault(True)
        row = QHBoxLayout()
        row.addWidget(self.page)
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
        """Print now, on this thread (tests, small jobs); the window uses ``print_in_background``."""
        n = print_pdf(self.pdf_path, printer)
        self.printed.emit(n)
        return n

    def print_in_background(self, printer, raster: bool | None = None):
        """Print in the print process with a progress dialog (页 n/N) and 取消; returns the running task."""
        self.task = run_in_child(self, "正在打印", print_job(self.pdf_path, printer, raster=raster),
                                 self.printed.emit)
        return self.task

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_in_background(printer)

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
        scopes = QVBoxLayout()  # each choice says exactly what it prints
        labels = self.scope_labels()
        for key in SCOPES:
            b = QRadioButton(labels[key])
            b.setObjectName(f"scope_{key}")
            b.setProperty("key", key)
            self.scope.addButton(b)
            scopes.addWidget(b)
        h = main_window.view.household
        picked = main_window.selected_household_ids()
        self.scope_button("household").setEnabled(h is not None)
        self.scope_button("selected").setEnabled(bool(picked))
        self.scope_button("place").setEnabled(self.place()[0] is not None)
        default = ("selected" if len(picked) > 1 else "household" if h is not None else
                   "place" if self.place()[0] is not None else "all")
        self.scope_button(default).setChecked(True)
        from .settings import PAPERS

        self.paper = QComboBox()
        for key, label in PAPERS.items():
            self.paper.addItem(label, key)
        if prefs is not None:
            self.paper.setCurrentIndex(max(self.paper.findData(prefs.paper), 0))
        form.addRow("打印内容：", kinds)
        form.addRow("范围：", scopes)
        form.addRow("收据纸张：", self.paper)
        self.where = QLabel("在列表中按住 Ctrl 或 Shift 点选可选中多户。")
        self.where.setWordWrap(True)
        form.addRow("", self.where)
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

    def scope_button(self, key: str) -> QRadioButton:
        return next(b for b in self.scope.buttons() if b.property("key") == key)

    def place(self) -> tuple[str | None, str]:
        """The village and group chosen in the tree, by name (None: none chosen, the whole township)."""
        vid, gid = getattr(self.main, "_place", (None, None))
        for v in self.main.ledger.settings.get().villages:
            if v.id == vid:
                return v.name, next((g.name for g in v.groups if g.id == gid), "")
        return None, ""

    def scope_labels(self) -> dict[str, str]:
        h = self.main.view.household
        picked = self.main.selected_household_numbers()
        village, group = self.place()
        shown = "、".join(picked[:5]) + ("……" if len(picked) > 5 else "")
        return {
            "household": f"当前户：{h.number}（户主 {h.head_name or '未登记'}）" if h else "当前户（未选）",
            "selected": f"列表中选中的 {len(picked)} 户：{shown}" if picked else "列表中选中的户（未选）",
            "place": (f"所选村（组）：{village}{' ' + group if group else '（全村各组）'}" if village
                      else "所选村（组）（左侧未选村或组）"),
            "all": f"全乡镇：{self.main.settings.township}（全部村、组）",
        }

    def _selection(self) -> dict:
        scope = self.scope.checkedButton().property("key")
        if scope == "household" and self.main.view.household:
            return {"household": self.main.view.household.number}
        if scope == "selected":
            return {"households": tuple(self.main.selected_household_numbers())}
        if scope == "place":
            village, group = self.place()
            if village:
                return {"village": village, "group": group}
        return {}

    def build(self) -> None:
        kind = self.kind.checkedButton().property("key")
        sel = self._selection()
        path = self.main.ledger.path
        paper = self.paper.currentData()

        def done(pdf):
            self.preview = PrintPreviewDialog(pdf, KINDS[kind], self.main, self.prefs)
            self.preview_ready.emit(self.preview)
            self.accept()
            self.main._keep(self.preview)

        job = build_job(path, kind, paper=paper, reprint=kind == "receipt", out=str(new_pdf_path(kind)), **sel)
        self.task = run_in_child(self, f"正在生成{KINDS[kind]}", job, done)
