"""重复参保排查: the pairs the ledger finds (app.ledger.duplicates), most certain first; the selected pair's two
places side by side, each with 打开此户; with a note (专干 / 管理员): 标记为非重复 (two people), or 保留甲 / 保留乙
(one person enrolled twice: the other enrolment becomes 异地参保, ``duplicates.keep``); 导出 Excel.

The scan runs on a worker thread with its own connection; the dialog holds no rule of its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from .widgets import read_only_table
from .tasks import error_text, run_task

COLUMNS = ("可信度", "类型", "甲", "甲的位置", "甲本年度", "乙", "乙的位置", "乙本年度", "判断依据")


def _open(path, session=None):
    from ..ledger import open_ledger

    return open_ledger(path, backup=False, operator=session)  # the worker carries the logged-in operator


class PlacePane(QGroupBox):
    """One side of the pair: who and where, and a button to open the household."""

    open_household = Signal(object)

    def __init__(self, title: str, name: str):
        super().__init__(title)
        self.setObjectName(name)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (("name", "姓名"), ("id", "证件号码"), ("person", "性别 / 出生日期"),
                           ("station", "站点"), ("place", "村（社区）/ 组"), ("household", "户编号 / 关系"),
                           ("status", "参保状态"), ("paid", "本年度缴费")):
            value = QLabel("—")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(label + "：", value)
        self.open_button = QPushButton("打开此户")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self.household_id and self.open_household.emit(self.household_id))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        self.household_id: int | None = None

    def show_place(self, place, full: bool) -> None:
        self.household_id = place.household_id if place else None
        self.open_button.setEnabled(place is not None)
        if place is None:
            for v in self.fields.values():
                v.setText("—")
            return
        f = self.fields
        f["name"].setText(f"{place.name}（#{place.member_id}）")
        f["id"].setText(f"{place.id_type} {place.shown_id(full)}" if place.id_number else place.shown_id(full))
        f["person"].setText(f"{place.sex or '—'} / {place.birth_date}")
        f["station"].setText(place.station)
        f["place"].setText(f"{place.village} / {place.group or '—'}")
        f["household"].setText(f"{place.household_no} / {place.relation or '—'}")
        f["status"].setText(place.status)
        f["paid"].setText(place.pay_state)
        f["paid"].setStyleSheet("color: #15803d;" if place.paid else "color: #b91c1c;")


class DuplicatesDialog(QDialog):
    loaded = Signal(object)  # the Report shown
    open_household = Signal(object)
    changed = Signal()  # a pair was marked 非重复, or one enrolment kept

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("duplicatesDialog")
        self.setWindowTitle("重复参保排查")
        self.ledger = ledger
        self.report = None
        self.task = None
        self.full = False
        self.summary = QLabel("正在排查……")
        self.summary.setObjectName("pageTitle")
        self.summary.setWordWrap(True)
        self.full_box = QCheckBox("显示完整证件号码")
        self.full_box.setToolTip("须专干或管理员，记入操作日志")
        self.full_box.toggled.connect(self._toggle_full)
        self.dismissed_box = QCheckBox("也显示已判定非重复的")
        self.dismissed_box.setObjectName("showDismissed")
        self.dismissed_box.toggled.connect(lambda _on: self.reload())
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.clicked.connect(self.export)
        refresh = QPushButton("重新排查")
        refresh.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.dismissed_box)
        top.addWidget(self.full_box)
        top.addWidget(self.export_button)
        top.addWidget(refresh)
        self.table = read_only_table("duplicatesTable", COLUMNS, rows=True, single=True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.pane_a = PlacePane("甲", "placeA")
        self.pane_b = PlacePane("乙", "placeB")
        for pane in (self.pane_a, self.pane_b):
            pane.open_household.connect(self.open_household.emit)
        self.why = QLabel()
        self.why.setObjectName("duplicateWhy")
        self.why.setWordWrap(True)
        self.why.setMinimumHeight(self.why.fontMetrics().lineSpacing() * 2 + 6)  # two lines, never squeezed
        sides = QHBoxLayout()
        sides.addWidget(self.pane_a, 1)
        sides.addWidget(self.pane_b, 1)
        self.note = QLineEdit()
        self.note.setObjectName("dismissNote")
        self.note.setPlaceholderText("判定依据（如：双胞胎，不是重复；或：户籍在东风村，已电话核实）")
        self.dismiss_button = QPushButton("标记为非重复")
        self.dismiss_button.setObjectName("dismissButton")
        self.dismiss_button.setToolTip("两个不同的人。须专干或管理员；判定记入操作日志，该对不再列出")
        self.dismiss_button.setEnabled(False)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.keep_a_button = QPushButton("确是重复：保留甲")
        self.keep_b_button = QPushButton("确是重复：保留乙")
        for button, side in ((self.keep_a_button, "a"), (self.keep_b_button, "b")):
            button.setObjectName(f"keep{side.upper()}Button")
            button.setToolTip("同一人参保两处：保留这一处的登记，另一处改为异地参保（写明保留处）。"
                              "须专干或管理员；记入操作日志，由交换包带回该站点")
            button.setEnabled(False)
            button.clicked.connect(lambda _on=False, side=side: self.keep(side))
        mark = QHBoxLayout()
        mark.addWidget(QLabel("判定说明："))
        mark.addWidget(self.note, 1)
        mark.addWidget(self.dismiss_button)
        mark.addWidget(self.keep_a_button)
        mark.addWidget(self.keep_b_button)
        self.message = QLabel()
        self.message.setObjectName("duplicatesMessage")
        self.message.setWordWrap(True)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.why)
        layout.addLayout(sides, 2)
        layout.addLayout(mark)
        layout.addLayout(bottom)
        self.resize(1100, 720)
        self.reload()

    # -- loading
    def reload(self) -> None:
        from ..ledger import duplicates

        path, session, everything = self.ledger.path, self.ledger.session, self.dismissed_box.isChecked()

        def work(progress, cancelled):
            with _open(path, session) as lg:
                return duplicates.find(lg, include_dismissed=everything, progress=progress, cancel=cancelled)

        self.summary.setText("正在排查……")
        self.task = run_task(self, "正在排查重复参保", work, self.show_report,
                             lambda exc: self.message.setText(f"排查失败：{error_text(exc)}"))

    def show_report(self, report) -> None:
        self.report = report
        open_pairs = sum(1 for f in report.findings if f.dismissal is None)
        decided = ([f"{report.dismissed} 对已判定非重复"] if report.dismissed else []) + (
            [f"{report.resolved} 对重复参保已处理"] if report.resolved else [])
        self.summary.setText(f"排查 {report.people} 人，疑似重复参保 {open_pairs} 对"
                             + (f"（另有 {'，'.join(decided)}）" if decided else ""))
        t = self.table
        t.setRowCount(len(report.findings))
        for i, f in enumerate(report.findings):
            why = f"【{f.dismissal.text}】{f.why}" if f.dismissal else f.why
            cells = (str(f.certainty), f.kind.value, f.a.name, f.a.where(), f.a.pay_state, f.b.name, f.b.where(),
                     f.b.pay_state, why)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if f.dismissal is not None:
                    item.setForeground(QColor("#6b7280"))
                if j == 8:
                    item.setToolTip(text)
                if j == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    if f.dismissal is None:
                        item.setForeground(QColor("#b91c1c") if f.certainty >= 85 else QColor("#92400e"))
                t.setItem(i, j, item)
        t.resizeColumnsToContents()
        t.setColumnWidth(8, 320)
        if report.findings:
            t.selectRow(0)
        self._selected()  # also when row 0 was selected before the reload (no selection signal then)
        self.loaded.emit(report)

    def current(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or self.report is None or rows[0].row() >= len(self.report.findings):
            return None
        return self.report.findings[rows[0].row()]

    def _selected(self) -> None:
        f = self.current()
        self.pane_a.show_place(f.a if f else None, self.full)
        self.pane_b.show_place(f.b if f else None, self.full)
        both_paid = "。两处本年度都已缴费：保留一处后，另一处的缴费为退费候选（在缴费记录中办理退费）"
        self.why.setText((f"【{f.kind.value}，可信度 {f.certainty}，{f.where}】{f.why}"
                          + (both_paid if f.a.paid and f.b.paid and f.dismissal is None else "")
                          + (f"。{f.dismissal.text}" if f.dismissal else "")) if f else "")
        for button in (self.dismiss_button, self.keep_a_button, self.keep_b_button):
            button.setEnabled(f is not None and f.dismissal is None)

    def _toggle_full(self, on: bool) -> None:
        if on and not self.full:
            from ..ledger import duplicates

            try:
                duplicates.reveal(self.ledger)
            except ProblemsError as exc:
                self.message.setText(error_text(exc))
                self.full_box.blockSignals(True)
                self.full_box.setChecked(False)
                self.full_box.blockSignals(False)
                return
        self.full = on
        self._selected()

    # -- actions
    def dismiss(self) -> None:
        from ..ledger import duplicates

        f = self.current()
        if f is None:
            return
        try:
            duplicates.dismiss(self.ledger, f.a.member_id, f.b.member_id, self.note.text())
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
            return
        self.message.setText(f"已判定 {f.a.name}（{f.a.where()}）与 {f.b.name}（{f.b.where()}）不是重复参保")
        self.note.clear()
        self.changed.emit()
        self.reload()

    def keep(self, side: str) -> None:
        """One person enrolled twice: the enrolment on ``side`` ("a" 甲 / "b" 乙) stands (``duplicates.keep``)."""
        from ..ledger import duplicates

        f = self.current()
        if f is None:
            return
        kept, other = (f.a, f.b) if side == "a" else (f.b, f.a)
        try:
            done = duplicates.keep(self.ledger, kept.member_id, other.member_id, self.note.text())
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
            return
        self.message.setText(f"已保留 {kept.name}（{kept.where()}）的参保登记；{other.name}（{other.where()}）"
                             f"改为「{done.status}」" + ("。" + "；".join(done.refunds) if done.refunds else ""))
        self.note.clear()
        self.changed.emit()
        self.reload()

    def export(self) -> None:
        from ..paths import data_dir

        default = str(data_dir() / f"重复参保排查-{dt.date.today():%Y%m%d}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出到", default, "Excel 工作簿 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from ..exchange.duplicates_export import export

        db, session = self.ledger.path, self.ledger.session

        def work(progress, cancelled):
            with _open(db, session) as lg:
                return export(lg, path, progress=progress, cancelled=cancelled)

        self.export_button.setEnabled(False)
        self.message.setText("正在导出……")

        def done(n):
            self.export_button.setEnabled(True)
            self.message.setText(f"已导出 {n} 对到 {path}（含完整证件号码，请妥善保管）")

        def failed(exc):
            self.export_button.setEnabled(True)
            self.message.setText(f"导出失败：{error_text(exc)}")

        self.task = run_task(self, "正在导出", work, done, failed)
