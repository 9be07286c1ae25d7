"""Household and member forms that check as you type.

The member form reads birth date and sex from a valid ID number, says where a duplicate ID already is,
takes categories with department and dates, the non-enrolment reason and date, and shows the member's
history from the audit log. Every problem is shown at once; nothing is written until all are fixed.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QPushButton, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from ..domain import vocabulary
from ..domain.vocabulary import Status
from ..ledger.identity import NO_ID
from ..ledger.members import RELATIONS
from ..ledger.models import ID_TYPES
from ..domain.dates import date_into
from ..domain.idnumber import IdNumberError, parse_id_number
from ..domain.problems import Problem, ProblemsError
from . import queries
from .login import conceal
from .tasks import error_text

STATUSES = tuple(Status)


def _buttons(dialog: QDialog, ok_text: str = "保存") -> QDialogButtonBox:
    b = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    b.button(QDialogButtonBox.StandardButton.Save).setText(ok_text)
    b.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    b.rejected.connect(dialog.reject)
    return b


class HouseholdForm(QDialog):
    """新增户 / 修改户: village and group, address, phone, notes."""

    saved = Signal(object)  # Change

    def __init__(self, ledger, household=None, parent: QWidget | None = None, village_id=None, group_id=None):
        super().__init__(parent)
        self.setObjectName("householdForm")
        self.setWindowTitle("修改户信息" if household else "新增户")
        self.ledger = ledger
        self.household = household
        self.villages = ledger.settings.get().villages
        form = QFormLayout()
        self.village = QComboBox()
        for v in self.villages:
            self.village.addItem(v.name, v.id)
        self.group = QComboBox()
        self.village.currentIndexChanged.connect(self._fill_groups)
        form.addRow("村（社区）：", self.village)
        form.addRow("组：", self.group)
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机11位，或座机 0431-12345678")
        self.notes = QLineEdit()
        form.addRow("住址：", self.address)
        form.addRow("联系电话：", self.phone)
        form.addRow("备注：", self.notes)
        self.number = QLineEdit()  # editing: a hand-given 户编号 another ledger already had can be changed
        self.number.setObjectName("householdNumber")
        if household:
            self.number.setText(household.number or "")
            form.insertRow(0, "户编号：", self.number)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        buttons = _buttons(self)
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        if household:
            village_id, group_id = household.village_id, household.group_id
            self.address.setText(household.address)
            self.phone.setText(household.phone)
            self.notes.setText(household.notes)
            conceal([self.phone], ledger, self.problem, household=household)  # app.ui.login
        if village_id is not None:
            self.village.setCurrentIndex(max(self.village.findData(village_id), 0))
        self._fill_groups()
        if group_id is not None:
            self.group.setCurrentIndex(max(self.group.findData(group_id), 0))
        self.phone.textChanged.connect(self._check_phone)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 30)

    def _fill_groups(self) -> None:
        self.group.clear()
        self.group.addItem("（不分组）", None)
        vid = self.village.currentData()
        for v in self.villages:
            if v.id == vid:
                for g in v.groups:
                    self.group.addItem(g.name, g.id)
                if v.groups:
                    self.group.setCurrentIndex(1)

    def _check_phone(self) -> None:
        from ..ledger.households import check_phone

        problems: list[Problem] = []
        check_phone(self.phone.text(), "联系电话", problems)
        self.problem.setText("\n".join(str(p) for p in problems))

    def save(self) -> None:
        group = self.group.currentText() if self.group.currentData() is not None else ""
        fields = dict(village=self.village.currentText(), group=group, address=self.address.text(),
                      phone=self.phone.text(), notes=self.notes.text())
        try:
            if self.household:
                number = self.number.text().strip()
                if number != (self.household.number or ""):
                    fields["number"] = number
                change = self.ledger.households.update(self.household.id, **fields)
            else:
                change = self.ledger.households.add(**fields)
        except ProblemsError as exc:
            self.problem.setText(error_text(exc))
            return
        self.change = change
        self.saved.emit(change)
        self.accept()


class MemberForm(QDialog):
    """新增人员 / 修改人员, with categories and history tabs."""

    saved = Signal(object)

    def __init__(self, ledger, household_id: int, member=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("memberForm")
        self.setWindowTitle(f"修改人员：{member.name}" if member else "新增人员")
        self.ledger = ledger
        self.household_id = household_id
        self.member = member
        self.new_categories: list[tuple[str, str, str]] = []  # (category, department, recognized_on)
        self.ended: list[tuple[int, str]] = []
        tabs = QTabWidget()
        tabs.addTab(self._identity_tab(), "基本信息")
        tabs.addTab(self._categories_tab(), "人员类别")
        if member:
            tabs.addTab(self._history_tab(), "变更历史")
        self.tabs = tabs
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 34)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        buttons = _buttons(self)
        buttons.accepted.connect(self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        if member:
            self._load(member)
        elif self._head() is not None:
            self.relation.setCurrentText("")  # the household has its head: the next member is someone else
        self.check()
        self._pristine = self._snapshot()

    def _head(self):
        return queries.household_head(self.ledger, self.household_id)

    def _snapshot(self) -> tuple:
        return (self.fields(), self.status.currentText(), self.status_detail.text(), self.status_date.text(),
                len(self.new_categories), len(self.ended))

    def reject(self) -> None:
        """Escape or 取消 on a form with entries asks before throwing them away."""
        if getattr(self, "_pristine", None) is not None and self._snapshot() != self._pristine:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Question, "放弃填写？", "已填写的内容还没有保存，放弃吗？",
                              QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
            box.setObjectName("discardBox")
            box.button(QMessageBox.StandardButton.Discard).setText("放弃")
            box.button(QMessageBox.StandardButton.Cancel).setText("继续填写")
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            if box.exec() != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    # -- tabs
    def _identity_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.name = QLineEdit()
        self.id_type = QComboBox()
        self.id_type.addItems(ID_TYPES)
        self.id_number = QLineEdit()
        self.id_number.setObjectName("idNumber")
        self.id_number.setPlaceholderText("18位身份证号码，输入后自动读出生日期和性别")
        self.id_hint = QLabel()
        self.id_hint.setWordWrap(True)
        self.id_hint.setMinimumHeight(self.id_hint.fontMetrics().lineSpacing() * 2 + 8)
        self.birth = QLineEdit()
        self.birth.setPlaceholderText("年-月-日，如 1980-05-01")
        self.sex = QComboBox()
        self.sex.addItems(["", "男", "女"])
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(RELATIONS)
        self.phone = QLineEdit()
        self.student = QCheckBox("在校学生")
        self.school = QLineEdit()
        self.status = QComboBox()
        self.status.addItems(STATUSES)
        self.status_detail = QLineEdit()
        self.status_detail.setPlaceholderText("如：异地参保的参保地；其他原因的说明")
        self.status_date = QLineEdit()
        self.status_date.setPlaceholderText("原因发生日期（死亡填死亡日期）")
        form.addRow("姓名：", self.name)
        form.addRow("证件类型：", self.id_type)
        form.addRow("证件号码：", self.id_number)
        form.addRow("", self.id_hint)
        form.addRow("出生日期：", self.birth)
        form.addRow("性别：", self.sex)
        form.addRow("与户主关系：", self.relation)
        form.addRow("联系电话：", self.phone)
        form.addRow("", self.student)
        form.addRow("学校：", self.school)
        form.addRow("参保状态：", self.status)
        form.addRow("原因说明：", self.status_detail)
        form.addRow("原因日期：", self.status_date)
        for widget in (self.name, self.id_number, self.birth, self.phone, self.status_detail, self.status_date):
            widget.textChanged.connect(self.check)
        for combo in (self.id_type, self.sex, self.status):
            combo.currentIndexChanged.connect(self.check)
        self.relation.currentTextChanged.connect(self.check)
        return w

    def _categories_tab(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        self.cat_table = QTableWidget(0, 5)
        self.cat_table.setObjectName("categoryTable")
        self.cat_table.setHorizontalHeaderLabels(["类别", "认定部门", "认定日期", "终止日期", "终止原因"])
        self.cat_table.horizontalHeader().setStretchLastSection(True)
        v.addWidget(self.cat_table)
        row = QHBoxLayout()
        self.cat_name = QComboBox()
        self.cat_name.addItems(self.ledger.policy().category_names())  # the policy file's own, then the common ones
        self.cat_dept = QComboBox()
        self.cat_dept.addItem("（认定部门）", "")
        for d in vocabulary.DEPARTMENTS:
            self.cat_dept.addItem(d, d)
        self.cat_date = QLineEdit()
        self.cat_date.setPlaceholderText("认定（或终止）日期 年-月-日")
        add = QPushButton("添加类别")
        add.setObjectName("addCategory")
        add.clicked.connect(self.add_category)
        end = QPushButton("终止所选认定")
        end.clicked.connect(self.end_selected_category)
        em = self.fontMetrics().horizontalAdvance("汉")
        self.cat_date.setMinimumWidth(em * 9)
        self.cat_dept.setMinimumWidth(em * 6)
        for x in (self.cat_name, self.cat_dept, self.cat_date):
            row.addWidget(x)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(add)
        buttons.addWidget(end)
        v.addLayout(row)
        v.addLayout(buttons)
        self._existing: list = []
        if self.member:
            self._existing = self.ledger.categories.of_member(self.member.id)
        self._fill_categories()
        return w

    def _history_tab(self) -> QWidget:
        from ..ledger.audit import describe

        self.history = QListWidget()
        self.history.setObjectName("history")
        for e in self.ledger.audit.for_member(self.member.id):
            self.history.addItem(describe(e))
        if self.history.count() == 0:
            self.history.addItem("（没有记录）")
        return self.history

    def _fill_categories(self) -> None:
        rows = [(c.category, c.department, str(c.recognized_on or ""), str(c.ended_on or ""), c.end_reason)
                for c in self._existing]
        rows += [(n, d, r, "", "（待保存）") for n, d, r in self.new_categories]
        self.cat_table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, text in enumerate(r):
                self.cat_table.setItem(i, j, QTableWidgetItem(text))
        self.cat_table.resizeColumnsToContents()

    def add_category(self) -> None:
        problems: list[Problem] = []
        when = date_into(self.cat_date.text(), "认定日期", problems)
        name = self.cat_name.currentText()
        if any(c.category == name and c.ended_on is None for c in self._existing) or \
                any(n == name for n, _, _ in self.new_categories):
            problems.append(Problem("类别", f"已有未终止的「{name}」认定"))
        if problems:
            self.problem.setText("\n".join(str(p) for p in problems))
            return
        self.new_categories.append((name, self.cat_dept.currentData() or "", when.isoformat() if when else ""))
        self.cat_date.clear()
        self._fill_categories()
        self.check()

    def end_selected_category(self) -> None:
        """End the selected recognition on the date typed in the date box (today if empty)."""
        row = self.cat_table.currentRow()
        problems: list[Problem] = []
        when = date_into(self.cat_date.text(), "终止日期", problems) or dt.date.today()
        if problems:
            self.problem.setText("\n".join(str(p) for p in problems))
            return
        if 0 <= row < len(self._existing) and self._existing[row].ended_on is None:
            self.ended.append((self._existing[row].id, when.isoformat()))
            self.cat_table.setItem(row, 3, QTableWidgetItem(when.isoformat() + "（待保存）"))

    def _load(self, m) -> None:
        self.name.setText(m.name)
        self.id_type.setCurrentText(m.id_type)
        self.id_number.setText(m.id_number or "")
        self.birth.setText(m.birth_date.isoformat())
        self.sex.setCurrentText(m.sex)
        self.relation.setCurrentText(m.relation)
        self.phone.setText(m.phone)
        self.student.setChecked(m.student)
        self.school.setText(m.school)
        self.status.setCurrentText(m.status)
        self.status_detail.setText(m.status_detail)
        self.status_date.setText(m.status_date.isoformat() if m.status_date else "")
        conceal([self.id_number, self.phone], self.ledger, self.problem, member=m)  # app.ui.login

    # -- checking as you type
    def check(self) -> list[Problem]:
        """The ledger's own check (``members.check``) of what is typed; the form only reads the ID number's
        birth date and sex into their fields as a convenience."""
        id_type = self.id_type.currentText()
        number = self.id_number.text().strip().upper().replace(" ", "")
        self.id_number.setEnabled(id_type != NO_ID)
        info = None
        if id_type == ID_TYPES[0] and len(number) == 18:
            try:
                info = parse_id_number(number)
            except IdNumberError:
                info = None
        if info is not None:
            for widget, value in ((self.birth, info.birth_date.isoformat()), (self.sex, info.sex)):
                widget.blockSignals(True)
                widget.setText(value) if isinstance(widget, QLineEdit) else widget.setCurrentText(value)
                widget.blockSignals(False)
        status, detail, when = self._status()
        problems = self.ledger.members.check(
            {**self.fields(), "status": status, "status_detail": detail, "status_date": when},
            member_id=self.member.id if self.member is not None else None, household_id=self.household_id)
        id_problems = [p for p in problems if p.place == "证件号码"]
        self.id_hint.setObjectName("ok" if info is not None and not id_problems else "problem")
        if id_type == ID_TYPES[0] and 0 < len(number) < 18:
            self.id_hint.setText(f"已输入 {len(number)}/18 位")
        elif id_problems:
            self.id_hint.setText(id_problems[0].message)
        elif info is not None:
            self.id_hint.setText(f"✓ 号码有效：{info.birth_date} 出生，{info.sex}")
        else:
            self.id_hint.setText("")
        self.id_hint.style().unpolish(self.id_hint)
        self.id_hint.style().polish(self.id_hint)
        enrolled = status == Status.ENROLLED
        self.status_detail.setEnabled(not enrolled)
        self.status_date.setEnabled(not enrolled)
        notes = []
        if self.member is not None and status != self.member.status:
            notes = ["提示：" + line for line in self.ledger.payments.implied_refunds(self.member.id, status)]
        self.problem.setText("\n".join([str(p) for p in problems] + notes))
        self.save_button.setEnabled(not problems) if hasattr(self, "save_button") else None
        return problems

    def _status(self) -> tuple[str, str, str | None]:
        status = self.status.currentText()
        if status == Status.ENROLLED:
            return status, "", None
        return status, self.status_detail.text().strip(), self.status_date.text().strip() or None

    def fields(self) -> dict:
        number = self.id_number.text().strip().upper() if self.id_type.currentText() != "无" else None
        return dict(name=self.name.text().strip(), id_type=self.id_type.currentText(), id_number=number or None,
                    birth_date=self.birth.text().strip() or None, sex=self.sex.currentText(),
                    relation=self.relation.currentText().strip(), phone=self.phone.text().strip(),
                    student=self.student.isChecked(), school=self.school.text().strip())

    def save(self) -> None:
        if self.check():
            return
        lg = self.ledger
        status, detail, when = self._status()
        try:
            with lg.transaction():
                if self.member is None:
                    change = lg.members.add(self.household_id, **self.fields(), status=status,
                                            status_detail=detail, status_date=when)
                    mid = change.id
                else:
                    mid = self.member.id
                    change = lg.members.update(mid, **self.fields())
                    if status != self.member.status or detail != self.member.status_detail or \
                            (when or None) != (self.member.status_date.isoformat() if self.member.status_date else None):
                        change = change | lg.members.set_status(mid, status, detail=detail, on=when)
                for name, dept, rec in self.new_categories:
                    change = change | lg.categories.add(mid, name, department=dept, recognized_on=rec or None)
                for rid, on in self.ended:
                    change = change | lg.categories.end(rid, ended_on=on, reason="在人员表单中终止")
        except ProblemsError as exc:
            self.problem.setText(error_text(exc))
            return
        self.change = change
        self.member_id = mid
        self.saved.emit(change)
        self.accept()
