"""Taking payment for one or more members of a household.

The dialog shows the ledger's plan (``payments.plan``) and holds no rules of its own: each chosen member's
quote line by line with the clause it comes from, the warnings the documents require and the rules that need
an override reason; optional add-ons can be ticked; the total is shown in figures and in capitals. Saving
records the plan (``payments.record(plan)``: one transaction, one receipt number) and offers the receipt.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ..domain.money import ZERO, capitals, fmt
from ..domain.problems import ProblemsError
from ..domain.vocabulary import line_label
from ..ledger.payment_plan import PayLine
from .tasks import error_text
from .widgets import date_edit

def quote_html(q) -> str:
    rows = []
    for line in q.lines:
        amount = fmt(line.amount) if line.amount is not None else ""
        clause = f'<br><span style="color:#6b7280;">依据：{html.escape(line.clause)}</span>' if line.clause else ""
        rows.append(f"<tr><td>[{line_label(line.kind)}]</td><td align=right>&nbsp;{amount}&nbsp;</td>"
                    f"<td>{html.escape(line.text)}{clause}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


class MemberPanel(QGroupBox):
    """One member: tick to include, add-on choices, quote lines and warnings."""

    changed = Signal()

    def __init__(self, dialog: "PaymentDialog", row):
        super().__init__()
        self.dialog = dialog
        self.row = row
        m = row.member
        self.member = m
        self.quote = None
        self.include = QCheckBox(f"{m.name}（{m.relation or '成员'}）")
        self.include.setObjectName(f"include_{m.id}")
        self.include.toggled.connect(lambda _on: self.changed.emit())
        self.due_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.include)
        top.addStretch(1)
        top.addWidget(self.due_label)
        self.addon_boxes: dict[str, QCheckBox] = {}
        addons_row = QHBoxLayout()
        chosen, declined = dialog.ledger.members.addon_choice(m.id)
        for a in dialog.policy.addons:
            box = QCheckBox(f"{a.label} {fmt(a.amount)}元")
            box.setChecked(a.mandatory or a.name in chosen or (a.default and a.name not in declined))
            box.setEnabled(not a.mandatory)
            box.toggled.connect(lambda _on: self._recalc())
            self.addon_boxes[a.name] = box
            addons_row.addWidget(box)
        addons_row.addStretch(1)
        special_row = self._special_row(dialog.policy)
        self.lines = QLabel()
        self.lines.setWordWrap(True)
        self.warn = QLabel()
        self.warn.setObjectName("warning")
        self.warn.setWordWrap(True)
        v = QVBoxLayout(self)
        v.addLayout(top)
        if self.addon_boxes:
            v.addLayout(addons_row)
        if special_row is not None:
            v.addLayout(special_row)
        v.addWidget(self.lines)
        v.addWidget(self.warn)

    def _special_row(self, policy):
        """特殊情形 as the policy file lists them (退役军人, 职工医保断保 …), with the event date where needed."""
        self.special_box = self.special_date = None
        if not policy.specials:
            return None
        self.special_box = QComboBox()
        self.special_box.setObjectName(f"special_{self.member.id}")
        self.special_box.addItem("无特殊情形", None)
        for sp in policy.specials:
            self.special_box.addItem(sp.name, sp.name)
            self.special_box.setItemData(self.special_box.count() - 1, sp.condition or sp.clause, 3)  # tooltip
        today = dt.date.today()
        self.special_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.special_date.setCalendarPopup(True)
        self.special_date.setDisplayFormat("yyyy-MM-dd")
        self.special_date.setEnabled(False)
        self.special_box.currentIndexChanged.connect(lambda _i: self._special_changed())
        self.special_date.dateChanged.connect(lambda _d: self._recalc())
        row = QHBoxLayout()
        row.addWidget(QLabel("特殊情形："))
        row.addWidget(self.special_box)
        row.addWidget(QLabel("事件日期："))
        row.addWidget(self.special_date)
        row.addStretch(1)
        return row

    def _special_changed(self) -> None:
        name = self.special_box.currentData()
        sp = self.dialog.policy.special_by_name.get(name) if name else None
        self.special_date.setEnabled(bool(sp and sp.needs_date))
        self._recalc()

    def special(self):
        """The special case chosen for this member (None: none)."""
        from ..domain.quote_model import SpecialFact

        if self.special_box is None or not self.special_box.currentData():
            return None
        name = self.special_box.currentData()
        sp = self.dialog.policy.special_by_name[name]
        d = self.special_date.date()
        return SpecialFact(name, dt.date(d.year(), d.month(), d.day()) if sp.needs_date else None)

    def addons(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        chosen = tuple(n for n, b in self.addon_boxes.items() if b.isChecked())
        declined = tuple(n for n, b in self.addon_boxes.items() if not b.isChecked())
        return chosen, declined

    def _recalc(self) -> None:
        self.recalc(self.dialog.paid_on())
        self.changed.emit()

    def recalc(self, day: dt.date) -> None:
        chosen, declined = self.addons()
        d = self.dialog
        plan = d.ledger.payments.plan(d.household.id, [PayLine(self.member.id, addons=chosen, declined_addons=declined,
                                                                      special=self.special())],
                                      method=d.method.currentText(), paid_on=day, operator=d.operator or None,
                                      override_reason=d.override.text().strip() or None)
        item = plan.items[0] if plan.items else None
        self.quote = item.quote if item is not None else None
        if self.quote is None:
            self.lines.setText(error_text(ProblemsError(list(plan.problems))))
            self.warn.setText("")
            self.warn.setVisible(False)
            self.due_label.setText("无法报价")
            return
        q = self.quote
        self.lines.setText(quote_html(q))
        warns = list(item.warnings) + [n + "；须填写变更原因" for n in item.needs]
        self.warn.setText("\n".join("⚠ " + w for w in warns))
        self.warn.setVisible(bool(warns))
        self.due_label.setText(f"应缴 {fmt(q.due)} 元" if q.open else "不能缴费")

    def due(self):
        return self.quote.due if self.quote is not None and self.quote.open else None


class PaymentDialog(QDialog):
    """收费. ``saved`` carries the new payment's id; ``last_payment_id`` too."""

    saved = Signal(object)
    print_receipt = Signal(object)

    def __init__(self, ledger, household_id: int, member_ids: list[int], paid_on: dt.date | None = None,
                 parent: QWidget | None = None, operator: str = ""):
        super().__init__(parent)
        from .household_view import member_rows
        from ..ledger.models import METHODS

        self.setObjectName("paymentDialog")
        self.ledger = ledger
        self.policy = ledger.policy()
        self.household = ledger.households.get(household_id)
        self.operator = operator
        self.last_payment_id: int | None = None
        self.setWindowTitle(f"收费：户 {self.household.number}（户主 {self.household.head_name or '未登记'}）")
        if paid_on is None:
            from ..ledger.dues import default_paid_on

            paid_on = min(default_paid_on(self.policy), dt.date.today())
        form = QFormLayout()
        self.date = date_edit(paid_on, maximum=max(paid_on, dt.date.today()))  # ↑/↓ open the calendar
        self.date.setObjectName("paidOn")
        self.date.dateChanged.connect(self.recalc)
        self.method = QComboBox()
        self.method.addItems(list(METHODS))
        self.override = QLineEdit()
        self.override.setPlaceholderText("仅在金额或规则需要变更时填写，例如：经乡镇医保站核准")
        form.addRow("缴费日期：", self.date)
        form.addRow("缴费方式：", self.method)
        form.addRow("变更原因：", self.override)
        body = QWidget()
        self.panels_layout = QVBoxLayout(body)
        self.panels: list[MemberPanel] = []
        rows = member_rows(ledger, household_id, paid_on)
        for r in rows:
            panel = MemberPanel(self, r)
            panel.include.setChecked(r.member.id in member_ids)
            panel.changed.connect(self.update_total)
            self.panels.append(panel)
            self.panels_layout.addWidget(panel)
        self.panels_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.total = QLabel()
        self.total.setObjectName("total")
        self.total.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.receipt = QLabel()
        self.receipt.setObjectName("ok")
        self.save_button = QPushButton("确认收费")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.print_button = QPushButton("打印收据")
        self.print_button.setVisible(False)
        self.print_button.clicked.connect(lambda: self.last_payment_id and self.print_receipt.emit(self.last_payment_id))
        self.close_button = QPushButton("取消")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.receipt, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.resize(820, 640)
        self.recalc()

    def paid_on(self) -> dt.date:
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())

    def recalc(self) -> None:
        day = self.paid_on()
        for p in self.panels:
            p.recalc(day)
        self.update_total()

    def chosen(self) -> list[MemberPanel]:
        return [p for p in self.panels if p.include.isChecked()]

    def total_due(self):
        dues = [p.due() for p in self.chosen()]
        if any(d is None for d in dues):
            return None
        return sum(dues, ZERO)

    def update_total(self) -> None:
        chosen = self.chosen()
        total = self.total_due()
        if not chosen:
            self.total.setText("请勾选要缴费的人员")
        elif total is None:
            self.total.setText("所选人员中有不能报价的，请取消勾选或改缴费日期")
        else:
            self.total.setText(f"合计 {len(chosen)} 人：{fmt(total)} 元　大写：{capitals(total)}")
        self.save_button.setEnabled(bool(chosen) and total is not None and self.last_payment_id is None)

    def plan(self):
        """The ledger's plan for what is ticked (the dialog decides nothing itself)."""
        lines = []
        for p in self.chosen():
            chosen, declined = p.addons()
            lines.append(PayLine(p.member.id, addons=chosen, declined_addons=declined, special=p.special()))
        return self.ledger.payments.plan(self.household.id, lines, method=self.method.currentText(),
                                         paid_on=self.paid_on(), operator=self.operator or None,
                                         override_reason=self.override.text().strip() or None)

    def save(self) -> int | None:
        try:
            plan = self.plan()
            plan.raise_problems()
            change = self.ledger.payments.record(plan)
        except ProblemsError as exc:
            self.problem.setText(error_text(exc))
            return None
        self.problem.setText("")
        self.last_payment_id = change.id
        pay = self.ledger.payments.get(change.id)
        self.receipt.setText(f"✓ 已收费 {fmt(pay.amount)} 元，票据号 {pay.receipt_no}。收据可以打印。")
        self.print_button.setVisible(True)
        self.close_button.setText("完成")
        self.save_button.setEnabled(False)
        for p in self.panels:
            p.setEnabled(False)
        self.saved.emit(change.id)
        return change.id
