"""日结 / 交款单 dialog: pick an operator and a day (or a range); see the receipts, totals by payment method,
voids, refunds and the amount to hand over; print it, export it to Excel, and record that it was handed
over. The figures are ``app.ledger.handover.compute``'s; this dialog only shows them."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.money import fmt
from ..domain.problems import ProblemsError
from .tasks import error_text, show_error
from .widgets import date_edit, read_only_table, to_date

RECEIPT_HEADERS = ("票据号", "缴费日期", "户编号", "缴费人", "人数", "金额（元）", "方式", "状态")


class HandoverDialog(QDialog):
    marked = Signal(int)

    def __init__(self, ledger, parent: QWidget | None = None, operator: str = "", day: dt.date | None = None,
                 prefs=None):
        super().__init__(parent)
        from ..ledger import handover as ho

        self.setObjectName("handoverDialog")
        self.setWindowTitle("日结 / 交款单")
        self.ledger = ledger
        self.prefs = prefs
        self.handover = None
        day = day or dt.date.today()
        self.operator = QComboBox()
        self.operator.setObjectName("operator")
        self.operator.setEditable(True)
        self.operator.addItems(ho.operators(ledger))
        if operator:
            i = self.operator.findText(operator)
            if i < 0:
                self.operator.addItem(operator)
                i = self.operator.count() - 1
            self.operator.setCurrentIndex(i)
        self.start = date_edit(day, maximum=dt.date.today())
        self.start.setObjectName("start")
        self.end = date_edit(day, maximum=dt.date.today())
        self.end.setObjectName("end")
        self._last_start = self.start.date()
        self.receiver = QLineEdit()
        self.receiver.setPlaceholderText("收款人姓名（登记交款时填写）")
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.end)
        dates.addStretch(1)
        form = QFormLayout()
        form.addRow("操作员（交款人）：", self.operator)
        form.addRow("日期：", dates)
        self.table = read_only_table("handoverReceipts", RECEIPT_HEADERS)
        self.methods = QLabel()
        self.methods.setObjectName("methods")
        self.methods.setWordWrap(True)
        self.total = QLabel()
        self.total.setObjectName("total")
        self.total.setWordWrap(True)
        self.flag = QLabel()
        self.flag.setObjectName("warning")
        self.flag.setWordWrap(True)
        self.b_print = QPushButton("打印交款单…")
        self.b_print.setObjectName("primary")
        self.b_xlsx = QPushButton("导出 Excel…")
        self.b_mark = QPushButton("登记已交款…")
        close = QPushButton("关闭")
        self.b_print.clicked.connect(self.print_sheet)
        self.b_xlsx.clicked.connect(lambda: self.export_xlsx())
        self.b_mark.clicked.connect(lambda: self.mark())
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("收款人："))
        buttons.addWidget(self.receiver, 1)
        buttons.addWidget(self.b_mark)
        buttons.addWidget(self.b_xlsx)
        buttons.addWidget(self.b_print)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.methods)
        layout.addWidget(self.total)
        layout.addWidget(self.flag)
        layout.addLayout(buttons)
        self.operator.currentTextChanged.connect(lambda _t: self.refresh())
        self.start.dateChanged.connect(self._start_changed)
        self.end.dateChanged.connect(lambda _d: self.refresh())
        em = self.fontMetrics().horizontalAdvance("汉")
        self.resize(min(62 * em, 1300), min(40 * em, 700))
        self.refresh()

    def _start_changed(self, _d) -> None:
        """One day stays one day (the end moves with the start); a range keeps its end unless it would
        come before the start."""
        single = self.end.date() == self._last_start
        self._last_start = self.start.date()
        if single or self.end.date() < self.start.date():
            self.end.setDate(self.start.date())  # refresh follows from the end's change
        else:
            self.refresh()

    def refresh(self) -> None:
        from ..ledger import handover as ho

        try:
            h = ho.compute(self.ledger, self.operator.currentText(), to_date(self.start.date()),
                           to_date(self.end.date()))
        except ProblemsError as exc:
            self.handover = None
            self.table.setRowCount(0)
            self.methods.setText("")
            self.total.setText(error_text(exc))
            self.flag.setVisible(False)
            self._enable()
            return
        self.handover = h
        self.table.setRowCount(len(h.receipts))
        for i, r in enumerate(h.receipts):
            state = r.state + (f"（{r.void_reason}）" if r.voided and r.void_reason else "")
            for j, text in enumerate((r.receipt_no, str(r.paid_on), r.household_number, r.payer, str(r.people),
                                      fmt(r.amount), r.method, state)):
                item = QTableWidgetItem(text)
                if j == 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r.voided:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.methods.setText("　".join(f"{m.method}：{m.receipts} 张 收 {fmt(m.collected)}"
                                      + (f" 退 {fmt(m.refunded)}" if m.refunded else "")
                                      + (f" 应交 {fmt(m.to_hand)}" if m.handed else "（直接缴入税务，不经手）")
                                      for m in h.by_method) or "本期没有收款")
        self.total.setText(f"应交款：{h.hand_over_count} 张，{fmt(h.hand_over_amount)} 元"
                           f"（作废 {len(h.voided)} 张 {fmt(h.voided_amount)} 元不计入；退费 {len(h.refunds)} 笔"
                           f" {fmt(h.refunded)} 元）")
        notes = []
        for m in h.marks:
            when = m.handed_at[:16].replace("T", " ")
            span = "" if (m.start, m.end) == (h.start, h.end) else f"{m.start} 至 {m.end} "
            notes.append(f"{span}已于 {when} 交款（{m.receipts} 张 {fmt(m.amount)} 元）"
                         + (f"；⚠ 此后有变动：{'；'.join(m.changes)}" if m.changed else "。"))
        self.flag.setText("\n".join(notes))
        self.flag.setVisible(bool(notes))
        self._enable()

    def _enable(self) -> None:
        h = self.handover
        self.b_print.setEnabled(h is not None)
        self.b_xlsx.setEnabled(h is not None)
        done = h is not None and h.handed_over is not None and not h.handed_over.changed
        self.b_mark.setEnabled(h is not None and bool(h.receipts or h.refunds) and not done)

    def pdf(self):
        from ..paper.handover import render_handover
        from .print_preview import pdf_folder

        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        return render_handover(self.handover, pdf_folder() / f"handover-{stamp}.pdf")

    def print_sheet(self):
        from .print_preview import PrintPreviewDialog

        if self.handover is None:
            return None
        try:
            path = self.pdf()
        except Exception as exc:  # noqa: BLE001 - shown as a Chinese message
            show_error(self, "交款单", exc)
            return None
        self.preview = PrintPreviewDialog(path, f"交款单 {self.handover.operator} {self.handover.period}", self,
                                          self.prefs)
        self.preview.open()
        return self.preview

    def export_xlsx(self, path: str | None = None):
        from ..paper.handover import write_handover_xlsx

        if self.handover is None:
            return None
        h = self.handover
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出交款单", f"交款单-{h.operator}-{h.period}.xlsx",
                                                  "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        try:
            return write_handover_xlsx(h, path)
        except Exception as exc:  # noqa: BLE001
            show_error(self, "导出交款单", exc)
            return None

    def mark(self, confirm: bool = True) -> bool:
        from ..ledger import handover as ho

        h = self.handover
        if h is None:
            return False
        receiver = self.receiver.text().strip()
        if confirm:
            text = (f"登记 {h.operator} {h.period} 已交款：{h.hand_over_count} 张，{fmt(h.hand_over_amount)} 元"
                    + (f"，收款人 {receiver}" if receiver else "") + "？\n登记后如再有作废、退费或补录，会在交款单上标出。")
            box = QMessageBox(QMessageBox.Icon.Question, "登记已交款", text,
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
            box.setObjectName("confirmBox")
            box.button(QMessageBox.StandardButton.Yes).setText("登记")
            box.button(QMessageBox.StandardButton.No).setText("取消")
            if box.exec() != QMessageBox.StandardButton.Yes:
                return False
        try:
            change = ho.mark_handed_over(self.ledger, h, receiver=receiver)
        except ProblemsError as exc:
            show_error(self, "登记已交款", exc)
            return False
        self.refresh()
        self.marked.emit(change.id)
        return True
