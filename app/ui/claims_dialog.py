"""认定后补付: members recognised (低保对象 …) after paying in full, and what is owed back to them.

The ledger computes and stores the claims (app.ledger.claims); this dialog lists them and records 已补付 or
已撤销. It holds no rule of its own.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ..domain.money import ZERO, fmt
from ..domain.problems import ProblemsError
from ..domain.vocabulary import ClaimPartKind
from .widgets import read_only_table
from .tasks import error_text

COLUMNS = ("编号", "姓名", "票据号", "缴费日期", "类别", "认定日期", "应补付（元）", "明细", "状态", "补付日期", "说明")


class ClaimsDialog(QDialog):
    def __init__(self, ledger, parent: QWidget | None = None, operator: str = ""):
        super().__init__(parent)
        self.setObjectName("claimsDialog")
        self.setWindowTitle("认定后补付")
        self.ledger = ledger
        self.operator = operator
        self.state = QComboBox()
        self.state.addItem("全部", None)
        for s in ("待补付", "已补付", "已撤销", "缴费已作废", "缴费已退费"):
            self.state.addItem(s, s)
        self.state.currentIndexChanged.connect(lambda _i: self.reload())
        self.table = read_only_table("claimsTable", COLUMNS, rows=True, single=True)
        self.date = QLineEdit(dt.date.today().isoformat())
        self.note = QLineEdit()
        self.note.setPlaceholderText("补付说明（如 转账凭证号）；撤销时写明原因")
        self.settle_button = QPushButton("登记已补付")
        self.settle_button.clicked.connect(self.settle)
        self.cancel_button = QPushButton("撤销")
        self.cancel_button.clicked.connect(self.cancel)
        self.total = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.clause = QLabel()
        self.clause.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("状态："))
        top.addWidget(self.state)
        top.addStretch(1)
        top.addWidget(self.total)
        row = QHBoxLayout()
        row.addWidget(QLabel("日期："))
        row.addWidget(self.date)
        row.addWidget(self.note, 1)
        row.addWidget(self.settle_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.clause)
        self.resize(1100, 560)
        try:
            ledger.claims.refresh(operator=operator or None)
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
        self.reload()

    def reload(self) -> None:
        rows = self.ledger.claims.list(state=self.state.currentData())
        self.table.setRowCount(len(rows))
        for r, c in enumerate(rows):
            parts = "、".join(f"{p.funder}{fmt(abs(p.amount))}" + ("（不再补助）" if p.kind == ClaimPartKind.WITHDRAWN else "")
                             for p in c.parts)
            cells = (f"#{c.id}", c.member_name, c.receipt_no, str(c.paid_on), c.category, str(c.recognized_on),
                     fmt(c.amount), parts, c.state, str(c.settled_on or ""), c.note)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(256, c.id)
                self.table.setItem(r, col, item)
        owed = sum((c.amount for c in self.ledger.claims.list(state="待补付")), ZERO)
        self.total.setText(f"待补付合计 {fmt(owed)} 元")
        self.clause.setText(f"依据：{rows[0].clause}" if rows else "")

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return self.table.item(items[0].row(), 0).data(256) if items else None

    def settle(self) -> bool:
        return self._close(lambda cid: self.ledger.claims.settle(cid, on=self.date.text().strip(),
                                                                 note=self.note.text(), operator=self.operator or None))

    def cancel(self) -> bool:
        return self._close(lambda cid: self.ledger.claims.cancel(cid, reason=self.note.text(),
                                                                 on=self.date.text().strip(),
                                                                 operator=self.operator or None))

    def _close(self, action) -> bool:
        cid = self.selected_id()
        if cid is None:
            self.message.setText("请先选择一条补付记录")
            return False
        try:
            c = action(cid)
        except ProblemsError as exc:
            self.message.setText(error_text(exc))
            return False
        self.message.setText(f"✓ #{c.id} {c.member_name} {fmt(c.amount)} 元：{c.state}")
        self.reload()
        return True
