"""Excel exchange in the window: export the weekly workbook or any single list; import a list with a preview
that shows every problem before anything is written. Both run on a worker thread with their own connection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QDialog, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from .tasks import error_text, run_task
from .widgets import path_row

IMPORT_KINDS = {"payment": "缴费名单（税务系统导出）", "roster": "花名册（户和人员）", "category": "人员类别名单",
                "status": "参保状态名单"}


def _open(path, session=None):
    from ..ledger import open_ledger

    return open_ledger(path, backup=False, operator=session)  # the worker carries the logged-in operator


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        from ..exchange.exports import EXPORTS

        self.setObjectName("exportDialog")
        self.setWindowTitle("导出 Excel")
        self.ledger = ledger
        form = QFormLayout()
        self.what = QComboBox()
        self.what.addItem("周报（多张表）", "weekly")
        for key, (_src, label) in EXPORTS.items():
            self.what.addItem(label, key)
        self.village = QComboBox()
        self.village.addItem("全乡镇", None)
        for v in ledger.settings.get().villages:
            self.village.addItem(v.name, v.name)
        today = dt.date.today()
        monday = today - dt.timedelta(days=today.weekday())
        self.start = QDateEdit(_qdate(monday))
        self.end = QDateEdit(_qdate(monday + dt.timedelta(days=6)))
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.path = QLineEdit()
        path_field = path_row(self.path, self._browse)
        form.addRow("导出内容：", self.what)
        form.addRow("范围：", self.village)
        form.addRow("周报开始：", self.start)
        form.addRow("周报结束：", self.end)
        form.addRow("保存到：", path_field)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.go = QPushButton("导出")
        self.go.setObjectName("primary")
        self.go.clicked.connect(self.export)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(close)
        row.addWidget(self.go)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 44)
        self.what.currentIndexChanged.connect(self._suggest)
        self._suggest()
        self.task = None
        self.result = None

    def _suggest(self) -> None:
        weekly = self.what.currentData() == "weekly"
        self.start.setEnabled(weekly)
        self.end.setEnabled(weekly)
        from ..paths import data_dir

        folder = Path(self.path.text()).parent if self.path.text() else Path.home()
        if not folder.exists():
            folder = data_dir()
        name = "周报" if weekly else self.what.currentText()
        self.path.setText(str(folder / f"{name}-{dt.date.today():%Y%m%d}.xlsx"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出到", self.path.text(), "Excel 工作簿 (*.xlsx)")
        if path:
            self.path.setText(path)

    def export(self) -> None:
        from ..exchange.exports import export_one, export_weekly
        from ..exchange.from_ledger import ExportFilter

        what, village = self.what.currentData(), self.village.currentData()
        path, start, end = Path(self.path.text().strip()), _pydate(self.start.date()), _pydate(self.end.date())
        db = self.ledger.path

        def work(progress, cancelled):
            with _open(db) as lg:
                if what == "weekly":
                    return export_weekly(lg, path, start, end, village=village, progress=progress,
                                         cancelled=cancelled)
                return export_one(lg, what, path, ExportFilter(village=village), progress=progress,
                                  cancelled=cancelled)

        def done(result):
            self.result = result
            rows = "，".join(f"{k} {v} 行" for k, v in result.sheets.items())
            self.message.setText(f"已导出：{result.path}（{rows}）")
            self.go.setEnabled(True)
            self.exported.emit(result)

        def failed(exc):
            self.go.setEnabled(True)
            self.message.setText(f"导出失败：{error_text(exc)}")

        self.go.setEnabled(False)
        self.message.setText("正在导出……")
        self.task = run_task(self, "正在导出", work, done, failed)


class ImportDialog(QDialog):
    """Choose a file and its kind → preview (every problem, by sheet and row) → 导入 writes the clean rows."""

    imported = Signal(object)
    previewed = Signal(object)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("导入 Excel 名单")
        self.ledger = ledger
        self.pv = None
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText("选择 .xlsx / .xls / .csv 文件")
        row = path_row(self.path, self._browse)
        self.kind = QComboBox()
        for key, label in IMPORT_KINDS.items():
            self.kind.addItem(label, key)
        self.columns = QLabel()
        self.columns.setWordWrap(True)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addRow("文件：", row)
        form.addRow("名单类型：", self.kind)
        form.addRow("", self.columns)
        self.summary = QLabel("请选择文件后点「预览」。预览不会改动台账。")
        self.summary.setWordWrap(True)
        self.problems = QTableWidget(0, 2)
        self.problems.setObjectName("importProblems")
        self.problems.setHorizontalHeaderLabels(["位置", "问题"])
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().setVisible(False)
        self.problems.setWordWrap(True)
        self.b_preview = QPushButton("预览")
        self.b_import = QPushButton("导入可导入的行")
        self.b_import.setObjectName("primary")
        self.b_import.setEnabled(False)
        self.b_leftovers = QPushButton("保存未导入的行…")
        self.b_leftovers.setEnabled(False)
        close = QPushButton("关闭")
        self.b_preview.clicked.connect(self.preview)
        self.b_import.clicked.connect(self.commit)
        self.b_leftovers.clicked.connect(self.save_leftovers)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.b_preview)
        buttons.addWidget(self.b_leftovers)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.b_import)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        layout.addLayout(buttons)
        self.resize(860, 560)
        self._kind_changed()
        self.task = None

    def _kind_changed(self) -> None:
        from ..exchange.imports import field_labels

        try:
            self.columns.setText(field_labels(self.kind.currentData()))
        except Exception:  # noqa: BLE001 - column hints are a help, not a requirement
            self.columns.setText("")
        self.pv = None
        self.b_import.setEnabled(False)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择名单", self.path.text(),
                                              "Excel 或 CSV (*.xlsx *.xls *.csv);;所有文件 (*)")
        if path:
            self.path.setText(path)

    def preview(self) -> None:
        from ..exchange.imports import preview

        path, kind, db = Path(self.path.text().strip()), self.kind.currentData(), self.ledger.path
        if not self.path.text().strip():
            self.summary.setText("请先选择文件。")
            return

        def work(progress, cancelled):
            with _open(db) as lg:
                return preview(lg, path, kind, cancelled)

        def done(pv):
            self.show_preview(pv)
            self.previewed.emit(pv)

        def failed(exc):
            self.summary.setText(f"无法读取：{error_text(exc)}")

        self.b_import.setEnabled(False)
        self.summary.setText("正在检查……")
        self.task = run_task(self, "正在检查名单", work, done, failed)

    def show_preview(self, pv) -> None:
        self.pv = pv
        rows = [(p.place, p.message) for p in pv.problems]
        rows += [(f"{s.sheet}:第{s.row}行", f"查无此人：{why}") for _t, s, why in pv.check.unmatched
                 if not any(f"第{s.row}行" in r[0] for r in rows)]
        self.problems.setRowCount(len(rows))
        for i, (place, message) in enumerate(rows):
            self.problems.setItem(i, 0, QTableWidgetItem(place))
            item = QTableWidgetItem(message)
            item.setToolTip(message)
            self.problems.setItem(i, 1, item)
        self.problems.resizeColumnToContents(0)
        self.problems.resizeRowsToContents()
        n = len(pv.to_write)
        self.summary.setText(pv.summary() + ("。有问题的行不会导入；请改正后重新导入，或保存未导入的行。" if rows else "。"))
        self.b_import.setEnabled(n > 0)
        self.b_import.setText(f"导入 {n} 行")
        self.b_leftovers.setEnabled(bool(pv.check.rejected or pv.check.unmatched))

    def commit(self) -> None:
        from ..exchange.imports import commit, preview

        pv_path, kind, db = self.pv.path, self.pv.kind, self.ledger.path
        operator, session = self.ledger.operator, self.ledger.session

        def work(progress, cancelled):
            with _open(db, session) as lg:
                fresh = preview(lg, pv_path, kind, cancelled)  # re-checked against the ledger as it is now
                return commit(lg, fresh, operator=operator, progress=progress)

        def done(outcome):
            self.summary.setText(f"已导入 {outcome.written} 行。")
            self.b_import.setEnabled(False)
            self.imported.emit(outcome)

        def failed(exc):
            self.summary.setText(f"导入失败，台账没有改动：{error_text(exc)}")

        self.b_import.setEnabled(False)
        self.task = run_task(self, "正在导入", work, done, failed)

    def save_leftovers(self) -> None:
        from ..exchange.imports import write_leftovers

        if self.pv is None:
            return
        default = str(self.pv.path.with_name(self.pv.path.stem + "-未导入.xlsx"))
        path, _ = QFileDialog.getSaveFileName(self, "保存未导入的行", default, "Excel 工作簿 (*.xlsx)")
        if path:
            try:
                write_leftovers(self.pv, path)
                self.summary.setText(f"未导入的行已保存到：{path}")
            except Exception as exc:  # noqa: BLE001
                self.summary.setText(f"保存失败：{error_text(exc)}")
