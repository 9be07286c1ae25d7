"""A household's payments: reprint a receipt, void a payment (with a reason), refund one member's part where
the policy's refund rule allows it (the rule and its clause are shown before anything is written)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.money import fmt
from ..domain.problems import ProblemsError
from .tasks import error_text
from .widgets import date_edit, read_only_table, to_qdate

PAYMENT_COLUMNS = ("票据号", "缴费日期", "金额（元）", "方式", "人员", "操作员", "状态")


def refund_rule_text(policy) -> str:
    r = policy.refund
    if r is None:
        return f"政策 {policy.id} 的文件未规定个人缴费退费办法：不能登记退费，只能作废（当日收错时）。"
    when = []
    if r.before_benefit:
        when.append(f"本人待遇享受期开始（一般为 {policy.benefit.start}，期外缴费的为等待期满）前")
    if r.in_waiting:
        when.append("待遇等待期内")
    reasons = ""
    if r.reasons:
        reasons = (f"；原因为：{'、'.join(r.reasons)}等（其他原因须在退费说明中写明）" if r.other_reasons
                   else f"；原因限于：{'、'.join(r.reasons)}")
    return f"退费规则：{'或'.join(when) or '文件未规定时段'}可以退费{reasons}。依据：{policy.cite(r.clause)}"


class PaymentsDialog(QDialog):
    changed = Signal(object)
    print_receipt = Signal(object)

    def __init__(self, ledger, household_id: int, parent: QWidget | None = None, operator: str = ""):
        super().__init__(parent)
        self.setObjectName("paymentsDialog")
        self.ledger = ledger
        self.policy = ledger.policy()
        self.operator = operator
        self.household = ledger.households.get(household_id)
        self.setWindowTitle(f"缴费记录：户 {self.household.number}（户主 {self.household.head_name or '未登记'}）")
        self.table = read_only_table("paymentTable", PAYMENT_COLUMNS, rows=True, single=True)
        self.table.itemSelectionChanged.connect(self._selected)
        form = self._form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("作废或退费必须写明原因")
        self.refund_member = QComboBox()
        self.refund_reason = QComboBox()
        self.refund_reason.setEditable(True)
        if self.policy.refund and self.policy.refund.reasons:
            self.refund_reason.addItems(list(self.policy.refund.reasons))
        # a calendar, limited to [the payment's date, today] once a payment is chosen
        self.refund_date = date_edit(dt.date.today(), maximum=dt.date.today())
        self.refund_date.setObjectName("refundDate")
        self.refund_note = QLineEdit()  # required for a reason the document does not list (its list ends with 等原因)
        self.refund_note.setObjectName("refundNote")
        self.refund_note.setPlaceholderText("退费说明（文件未列举的原因须写明具体情况）")
        # a refund for 参加职工医保 / 死亡 / 异地参保 proposes the status change in the same step (the ledger says which)
        self.set_status = QCheckBox()
        self.set_status.setObjectName("refundSetsStatus")
        self.status_detail = QLineEdit()
        self.status_detail.setPlaceholderText("异地参保的参保地")
        self.status_date = QLineEdit()
        self.status_date.setPlaceholderText("死亡日期（年-月-日）")
        form.addRow("作废原因：", self.reason)
        form.addRow("退费人员：", self.refund_member)
        form.addRow("退费原因：", self.refund_reason)
        form.addRow("退费日期：", self.refund_date)
        form.addRow("退费说明：", self.refund_note)
        form.addRow("", self.set_status)
        form.addRow("状态说明：", self.status_detail)
        form.addRow("状态日期：", self.status_date)
        self.refund_reason.currentTextChanged.connect(self._propose)
        self.refund_member.currentIndexChanged.connect(self._propose)
        self.rule = QLabel(refund_rule_text(self.policy))
        self.rule.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.b_reprint = QPushButton("重打收据")
        self.b_void = QPushButton("作废")
        self.b_refund = QPushButton("退费")
        close = QPushButton("关闭")
        self.b_reprint.clicked.connect(lambda: self.payment and self.print_receipt.emit(self.payment.id))
        self.b_void.clicked.connect(self.void)
        self.b_refund.clicked.connect(self.refund)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.b_reprint, self.b_void, self.b_refund):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.rule)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.payment = None
        self.proposal = None
        self.resize(860, 520)
        self.load()

    def load(self) -> None:
        self.payments = self.ledger.payments.of_household(self.household.id)
        self.table.setRowCount(len(self.payments))
        for i, p in enumerate(self.payments):
            refunded = {r.member_id for r in self.ledger.payments.refunds_of(p.id)}
            state = f"已作废（{p.void_reason}）" if p.voided else ("部分退费" if refunded else "有效")
            names = "、".join(it.member_name + ("(已退)" if it.member_id in refunded else "") for it in p.items)
            cells = (p.receipt_no, str(p.paid_on), fmt(p.amount), p.method, names, p.operator, state)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        if self.payments:
            self.table.selectRow(len(self.payments) - 1)
        self._selected()

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.payment = self.payments[rows[0].row()] if rows else None
        p = self.payment
        self.refund_member.clear()
        if p:
            for it in p.items:
                if not it.refund_id:
                    self.refund_member.addItem(f"{it.member_name}（{fmt(it.amount)} 元）", it.member_id)
        if p:
            self.refund_date.setMinimumDate(to_qdate(p.paid_on))
        self.refund_date.setMaximumDate(to_qdate(dt.date.today()))
        live = bool(p and not p.voided)
        self.b_void.setEnabled(live)
        self.b_refund.setEnabled(live and self.refund_member.count() > 0 and self.policy.refund is not None)
        self.b_reprint.setEnabled(p is not None)
        self._propose()

    def _allowed(self, permission: str) -> bool:
        """The logged-in operator's permission, checked before asking (the ledger checks it again)."""
        try:
            self.ledger.require(permission)
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
            return False
        return True

    def confirm(self, title: str, text: str) -> bool:
        """Ask before a void or a refund; the question names the person, the receipt and the amount."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirmBox")
        box.button(QMessageBox.StandardButton.Yes).setText(title)
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def void_question(self) -> str:
        p = self.payment
        names = "、".join(it.member_name for it in p.items)
        return (f"作废票据 {p.receipt_no}（{p.paid_on}，{p.method}）？\n缴费人员：{names}\n金额：{fmt(p.amount)} 元"
                f"\n原因：{self.reason.text().strip()}\n\n作废后这些人员恢复为未缴，票据号不再使用。")

    def refund_question(self) -> str:
        p = self.payment
        mid = self.refund_member.currentData()
        it = next(i for i in p.items if i.member_id == mid)
        return (f"为 {it.member_name} 退费 {fmt(it.amount)} 元？\n票据：{p.receipt_no}（{p.paid_on}，{p.method}）"
                f"\n退费日期：{self.refund_date.day()}\n原因：{self.refund_reason.currentText().strip()}")

    def void(self, confirm: bool = True) -> bool:
        if self.payment is None:
            return False
        if not self.reason.text().strip():
            self.message.setText("作废原因：作废必须写明原因")
            return False
        if not self._allowed("void"):
            return False
        if confirm and not self.confirm("作废", self.void_question()):
            return False
        try:
            change = self.ledger.payments.void(self.payment.id, self.reason.text(), operator=self.operator or None)
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
            return False
        self.message.setText(f"票据 {self.payment.receipt_no} 已作废。")
        self.reason.clear()
        self.load()
        self.changed.emit(change)
        return True

    def _propose(self) -> None:
        """Show the status change the ledger says this refund implies (ticked: made in the same step)."""
        mid = self.refund_member.currentData()
        self.proposal = self.ledger.payments.implied_status(mid, self.refund_reason.currentText()) \
            if mid is not None else None
        p = self.proposal
        self.set_status.setVisible(p is not None)
        self.set_status.setText(p.text if p else "")
        self.set_status.setChecked(p is not None)
        for field, shown in ((self.status_detail, bool(p and p.needs_detail)), (self.status_date, bool(p and p.needs_date))):
            field.setVisible(shown)
            label = self._form.labelForField(field)
            if label is not None:
                label.setVisible(shown)  # no bare 状态说明：/状态日期： labels when the refund implies no status

    def refund(self, confirm: bool = True) -> bool:
        if self.payment is None or self.refund_member.currentData() is None:
            return False
        day = self.refund_date.day()
        if day < self.payment.paid_on or day > dt.date.today():  # the calendar's limits, checked again
            self.message.setText(f"退费日期 {day} 须在缴费日期 {self.payment.paid_on} 与今天之间")
            return False
        if not self._allowed("refund"):
            return False
        if confirm and self.policy.refund is not None and not self.confirm("退费", self.refund_question()):
            return False
        p = self.proposal if self.set_status.isChecked() else None
        try:
            change = self.ledger.payments.refund(self.payment.id, self.refund_member.currentData(),
                                                 self.refund_reason.currentText(),
                                                 refunded_on=day,
                                                 operator=self.operator or None, notes=self.refund_note.text().strip(),
                                                 status=p.status if p else None,
                                                 status_detail=self.status_detail.text().strip(),
                                                 status_on=self.status_date.text().strip() or None)
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
            return False
        self.message.setText("已登记退费。")
        self.load()
        self.changed.emit(change)
        return True
