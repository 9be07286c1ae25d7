"""The household view: the household's facts, and each member with category badges, enrolment status,
what the member owes (the policy's quote for the payment date) and what is already paid this year."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QTableWidgetItem, QVBoxLayout, QWidget

from ..domain.idnumber import mask_id_number, mask_phone
from ..domain.money import ZERO, fmt
from ..domain.vocabulary import PayState
from ..ledger import member_year
from .style import BADGE_COLOURS
from .widgets import read_only_table

# What matters at the counter comes first, so a narrow pane (or the large font) clips only the ID column.
MEMBER_COLUMNS = ("姓名", "关系", "缴费情况", "应缴（元）", "已缴（元）", "人员类别", "参保状态", "身份证号")
C_STATE, C_DUE, C_PAID, C_CATS = 2, 3, 4, 5


class MemberRow:
    """What the view shows for one member: the member, their active categories and their year's standing
    (``app.ledger.member_year``: state, due, paid)."""

    __slots__ = ("member", "categories", "standing")

    def __init__(self, member, categories: list[str], standing):
        self.member = member
        self.categories = categories
        self.standing = standing  # the one member's-year type (member_year.MemberStanding): read, never copied

    due = property(lambda self: self.standing.due)
    due_note = property(lambda self: self.standing.due_note)
    paid = property(lambda self: self.standing.paid)
    state = property(lambda self: self.standing.state)


def member_rows(ledger, household_id: int, paid_on: dt.date) -> list[MemberRow]:
    years = member_year.of_household(ledger, household_id, paid_on)
    rows = []
    for m in ledger.members.of_household(household_id):
        cats = [c.category for c in ledger.categories.of_member(m.id, include_ended=False)
                if c.ended_on is None or paid_on < c.ended_on]
        rows.append(MemberRow(m, cats, years[m.id]))
    return rows


def _receipts(ledger, member_ids: list[int]) -> dict[int, str]:
    """member id -> ``票据 … （缴费日期 …）`` of the year's standing payments (``payment_plan.standing_receipts``)."""
    from ..ledger.payment_plan import standing_receipts

    out: dict[int, list[str]] = {}
    if member_ids:
        for mid, paid_on, receipt in standing_receipts(ledger.db, ledger.settings.get().year, member_ids):
            out.setdefault(mid, []).append(f"票据 {receipt}（{paid_on} 缴费）")
    return {mid: "\n".join(lines) for mid, lines in out.items()}


def summary_text(rows: list[MemberRow], paid_on: dt.date) -> str:
    """The pane's summary line: who is unpaid and what they owe (the same states as the lists)."""
    unpaid = [r for r in rows if r.state is PayState.UNPAID]
    if not unpaid:
        return f"缴费日期 {paid_on}：本户没有待缴人员"
    due_total = sum((r.due for r in unpaid if r.due is not None), ZERO)
    no_amount = [r for r in unpaid if r.due is None]
    why = ""
    if no_amount:
        why = "，其中 " + "、".join(f"{r.member.name}（{r.standing.why or r.due_note or '无法报价'}）"
                                   for r in no_amount) + " 无应缴金额"
    return f"缴费日期 {paid_on}：未缴 {len(unpaid)} 人{why}，合计应缴 {fmt(due_total)} 元"


class HouseholdView(QWidget):
    """Right-hand pane. Buttons emit signals; the main window opens the dialogs."""

    add_member = Signal(object)
    edit_member = Signal(object, object)  # household id, member id
    edit_household = Signal(object)
    take_payment = Signal(object, list)  # household id, selected member ids
    show_payments = Signal(object)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("householdView")
        self.ledger = ledger
        self.household = None
        self.rows: list[MemberRow] = []
        self.paid_on = dt.date.today()
        self.title = QLabel("请在左侧列表中选择一户")
        self.title.setObjectName("pageTitle")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.table = read_only_table("memberTable", MEMBER_COLUMNS, rows=True, fit=True)
        self.table.doubleClicked.connect(lambda idx: self.b_edit.isEnabled() and self._edit_member())  # not while
        # writes are off (app.ui.write_guard): the button says why
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)  # a long line wraps in the pane instead of widening the whole window
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.b_pay = QPushButton("收费…")
        self.b_pay.setObjectName("primary")
        self.b_add = QPushButton("新增人员…")
        self.b_edit = QPushButton("修改人员…")
        self.b_house = QPushButton("修改户…")
        self.b_payments = QPushButton("缴费记录…")  # short: the pane must fit 1366 px in the large font
        self.b_payments.setToolTip("缴费记录：重打收据、作废、退费")
        self.b_pay.clicked.connect(self._pay)
        self.b_add.clicked.connect(lambda: self.household and self.add_member.emit(self.household.id))
        self.b_edit.clicked.connect(self._edit_member)
        self.b_house.clicked.connect(lambda: self.household and self.edit_household.emit(self.household.id))
        self.b_payments.clicked.connect(lambda: self.household and self.show_payments.emit(self.household.id))
        buttons = QHBoxLayout()
        for b in (self.b_pay, self.b_add, self.b_edit, self.b_house, self.b_payments):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self._enable(False)

    write_block = ""  # why writes are off (the open-check: app.ui.write_guard); "" = they are on

    def _enable(self, on: bool) -> None:
        for b in (self.b_pay, self.b_add, self.b_edit, self.b_house, self.b_payments):
            b.setEnabled(on and not (self.write_block and b is not self.b_payments))

    def set_paid_on(self, day: dt.date) -> None:
        self.paid_on = day
        self.refresh()

    def show_household(self, household_id: int | None, select_member: int | None = None) -> None:
        if household_id is None:
            self.household = None
            self.rows = []
            self.title.setText("请在左侧列表中选择一户")
            self.facts.setText("")
            self.table.setRowCount(0)
            self.summary.setText("")
            self._enable(False)
            return
        self.household = self.ledger.households.get(household_id)
        self.refresh(select_member)

    def refresh(self, select_member: int | None = None) -> None:
        if self.household is None:
            return
        h = self.household = self.ledger.households.get(self.household.id)
        self._enable(True)
        self.title.setText(f"户 {h.number}　户主：{h.head_name or '（未登记）'}")
        place = h.village + (f" {h.group}" if h.group else "")
        self.facts.setText(f"{place}　住址：{h.address or '—'}　电话：{mask_phone(h.phone) or '—'}　共 {h.member_count} 人"
                           + (f"　备注：{h.notes}" if h.notes else ""))
        self.rows = member_rows(self.ledger, h.id, self.paid_on)
        receipts = _receipts(self.ledger, [r.member.id for r in self.rows if r.state is PayState.PAID])
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            m = r.member
            cells = [m.name, m.relation, r.state.label, fmt(r.due) if r.due is not None else "—",
                     fmt(r.paid) if r.paid else "—", "", m.status,
                     mask_id_number(m.id_number) if m.id_number else "（无证件）"]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                if j in (C_DUE, C_PAID):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == C_DUE and r.due_note:
                    item.setToolTip(r.due_note)
                if j == C_STATE and m.id in receipts:  # which receipt; where, when another household paid
                    item.setToolTip(receipts[m.id])
                if j == C_STATE:
                    item.setForeground(Qt.GlobalColor.darkGreen if r.state is PayState.PAID else
                                       (Qt.GlobalColor.darkRed if r.state is PayState.UNPAID else
                                        Qt.GlobalColor.gray))
                self.table.setItem(i, j, item)
            self._badge(i, r.categories)
        self.table.resizeColumnsToContents()
        self.summary.setText(summary_text(self.rows, self.paid_on))
        if select_member is not None:
            for i, r in enumerate(self.rows):
                if r.member.id == select_member:
                    self.table.selectRow(i)

    def _badge(self, row: int, categories: list[str]) -> None:
        """Category badges: the names on a coloured cell (red: assisted at the counter, blue: other)."""
        item = self.table.item(row, C_CATS)
        item.setText("、".join(categories) if categories else "—")
        if categories:
            policy = self.ledger.policy()
            kind = "assisted" if any(policy.assists(c) for c in categories) else "other"
            bg, fg = BADGE_COLOURS[kind]
            item.setBackground(QColor(bg))
            item.setForeground(QColor(fg))
            item.setToolTip("人员类别：" + "、".join(categories))

    def selected_member_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[r].member.id for r in rows if r < len(self.rows)]

    def _edit_member(self) -> None:
        ids = self.selected_member_ids()
        if self.household and ids:
            self.edit_member.emit(self.household.id, ids[0])

    def _pay(self) -> None:
        if self.household is None:
            return
        ids = self.selected_member_ids() or [r.member.id for r in self.rows if r.standing.owes]
        self.take_payment.emit(self.household.id, ids)
