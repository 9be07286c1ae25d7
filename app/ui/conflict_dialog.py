"""冲突: what exchange packets could not merge by themselves, with both versions side by side, and a 专干's
decision (``app.sync.conflicts.resolve``: role-checked and audited by the ledger; never silently overwritten).
ID numbers and phones are shown masked, as everywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QRadioButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ..domain.idnumber import mask_fields
from ..domain.problems import ProblemsError
from ..ledger import stations
from ..sync.conflicts import who as conflicts_who
from ..sync.fields import ABSENT, FIELDS, absent, local_time, shown_keys, value_text
from .tasks import error_text

LIST_COLUMNS = ("序号", "类型", "人员 / 户", "说明", "发现时间", "处理")
CHOICE_TEXT = {"重复缴费": ("保留站点 {a} 的缴费（另一笔作为退费候选）", "保留站点 {b} 的缴费（另一笔作为退费候选）")}


class ConflictDialog(QDialog):
    payments_requested = Signal(object)  # a household id: its payments, to void or refund (a double payment)
    resolved = Signal(object)  # the conflict's id (ids run in station blocks of 10¹²: beyond a Qt int)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle("冲突处理")
        self.ledger = ledger
        self.may_resolve = ledger.session is None or ledger.session.can("sync")
        self.names = {s.number: f"{s.code} {s.name}" for s in stations.known(ledger)}
        mine = stations.current(ledger)
        self.me = mine.number if mine is not None else None
        self.items: list = []

        self.show_resolved = QCheckBox("显示已处理的")
        self.show_resolved.toggled.connect(self.refresh)
        self.list = QTableWidget(0, len(LIST_COLUMNS))
        self.list.setObjectName("conflictList")
        self.list.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.list.verticalHeader().setVisible(False)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.list.itemSelectionChanged.connect(self._show_selected)

        self.title = QLabel("选择一个冲突，查看两处的版本。")
        self.title.setObjectName("conflictTitle")
        self.title.setWordWrap(True)
        # a wrapped label in a splitter is given one line's height: keep room for the heading and the message
        self.title.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.sides = QTableWidget(0, 3)
        self.sides.setObjectName("conflictSides")
        self.sides.verticalHeader().setVisible(False)
        self.sides.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sides.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.pick_a = QRadioButton()
        self.pick_a.setObjectName("pickA")
        self.pick_b = QRadioButton()
        self.pick_b.setObjectName("pickB")
        self.picks = QButtonGroup(self)
        self.picks.addButton(self.pick_a)
        self.picks.addButton(self.pick_b)
        self.note = QLineEdit()
        self.note.setObjectName("conflictNote")
        self.note.setPlaceholderText("说明（如：已与村专干电话核实）；重复缴费必须写明")
        self.resolve_button = QPushButton("确定处理")
        self.resolve_button.setObjectName("primary")
        self.resolve_button.clicked.connect(self.resolve)
        self.payments_button = QPushButton("该户缴费记录（作废、退费）…")
        self.payments_button.setObjectName("openPayments")
        self.payments_button.setToolTip("重复缴费：退费候选的那一笔，按通常的退费办理（按政策的退费规定）")
        self.payments_button.clicked.connect(self._open_payments)

        detail = QWidget()
        box = QVBoxLayout(detail)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addWidget(self.sides, 1)
        box.addWidget(self.pick_a)
        box.addWidget(self.pick_b)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.resolve_button)
        box.addLayout(row)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.payments_button)
        box.addLayout(row)
        top = QWidget()
        tbox = QVBoxLayout(top)
        tbox.setContentsMargins(0, 0, 0, 0)
        tbox.addWidget(self.show_resolved)
        tbox.addWidget(self.list)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(detail)

        self.message = QLabel("" if self.may_resolve else
                              f"{ledger.session.name}（{ledger.session.role}）只能查看冲突；处理须专干或管理员登录。")
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        em = self.fontMetrics().horizontalAdvance("汉")
        self.setMinimumSize(em * 50, em * 44)
        self.refresh()

    def _household(self, c) -> int | None:
        """The household whose payments a conflict is about (a double payment), if it is in this ledger."""
        if c is None or c.kind != "重复缴费":
            return None
        try:
            if c.member_id is not None:
                return self.ledger.members.get(c.member_id).household_id
            return self.ledger.households.get(c.household_id).id if c.household_id is not None else None
        except ProblemsError:
            return None

    def _open_payments(self) -> None:
        hid = self._household(self.current())
        if hid is not None:
            self.payments_requested.emit(hid)

    def _station(self, number: int) -> str:
        return self.names.get(number, f"站点 {number}")

    def _chosen(self, c) -> str:
        """The station whose version a resolved conflict kept, by its code and name."""
        return self._station(int(c.choice)) if str(c.choice or "").isdigit() else str(c.choice or "")

    def refresh(self) -> None:
        from ..sync.conflicts import list_conflicts

        self.items = list_conflicts(self.ledger, open_only=not self.show_resolved.isChecked())
        self.list.setRowCount(len(self.items))
        for r, c in enumerate(self.items):
            state = "待处理" if c.open else f"{c.resolved_by} 采用 {self._chosen(c)}"
            cells = (str(r + 1), c.kind, conflicts_who(self.ledger, c), c.message, local_time(c.found_at), state)
            for col, text in enumerate(cells):
                self.list.setItem(r, col, QTableWidgetItem(text))
        if self.items:
            self.list.selectRow(0)
        self._show(self.current())  # also when the selection stayed on row 0 (no signal)

    def current(self):
        rows = self.list.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _show_selected(self) -> None:
        self._show(self.current())

    def _show(self, c) -> None:
        enabled = c is not None and c.open and self.may_resolve
        self.payments_button.setEnabled(self._household(c) is not None)
        for w in (self.pick_a, self.pick_b, self.note, self.resolve_button):
            w.setEnabled(enabled)
        if c is None:
            self.title.setText("没有待处理的冲突。" if not self.show_resolved.isChecked() else "没有冲突。")
            self.sides.setRowCount(0)
            self.pick_a.setText("")
            self.pick_b.setText("")
            return
        a, b = self._station(c.a_station), self._station(c.b_station)
        self.title.setText(f"{c.kind}：{conflicts_who(self.ledger, c)}（冲突编号 {c.id}）\n{c.message}")
        (sa, va), (sb, vb) = c.versions()
        va, vb = mask_fields(va) or {}, mask_fields(vb) or {}
        base = mask_fields(c.base_values) or {}
        # each column is the version of the station named on it (a double payment's: the station that took it)
        self.sides.setHorizontalHeaderLabels(("字段", *(f"{self._station(n)}\n（本台账）" if n == self.me else self._station(n)
                                                      for n in (c.a_station, c.b_station))))
        keys = shown_keys(va, vb)
        self.sides.setRowCount(len(keys))

        def cell(stored, values, r, k):  # a side with no such record says so once, at the top
            if absent(stored):
                return ABSENT if r == 0 else ""
            return value_text(k, values.get(k), self.ledger)

        for r, k in enumerate(keys):
            cells = (FIELDS.get(k, k), cell(c.a_values, va, r, k), cell(c.b_values, vb, r, k))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col and va.get(k) != vb.get(k):
                    item.setBackground(QBrush(QColor("#fef3c7")))
                if col and k in base:
                    item.setToolTip(f"原来：{value_text(k, base.get(k))}")
                self.sides.setItem(r, col, item)
        texts = CHOICE_TEXT.get(c.kind, ("采用站点 {a} 的版本", "采用站点 {b} 的版本"))
        self.pick_a.setText(texts[0].format(a=a, b=b))
        self.pick_b.setText(texts[1].format(a=a, b=b))
        self.picks.setExclusive(False)
        self.pick_a.setChecked(False)
        self.pick_b.setChecked(False)
        self.picks.setExclusive(True)
        self.note.clear()
        if not c.open:
            self.title.setText(self.title.text() + f"\n已于 {local_time(c.resolved_at)} 由 {c.resolved_by}"
                                                   f" 处理：采用 {self._chosen(c)}。{c.note or ''}")

    def resolve(self) -> None:
        from ..sync.conflicts import resolve

        c = self.current()
        if c is None:
            return
        if not (self.pick_a.isChecked() or self.pick_b.isChecked()):
            self._say("请选择采用哪一处的版本。", False)
            return
        try:
            done = resolve(self.ledger, c.id, "a" if self.pick_a.isChecked() else "b", self.note.text())
        except ProblemsError as exc:
            self._say(error_text(exc), False)
            return
        text = f"冲突 #{done.id} 已处理：采用站点 {self._station(int(done.choice))} 的版本。"
        if done.kind == "重复缴费":
            text += "另一笔是退费候选：点「该户缴费记录…」按通常的退费办理。"
        self._say(text, True)
        self.refresh()
        self.resolved.emit(done.id)

    def _say(self, text: str, ok: bool) -> None:
        self.message.setObjectName("ok" if ok else "problem")
        self.message.setText(text)
        self.message.style().polish(self.message)
