"""Small widget pieces the dialogs share."""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from PySide6.QtCore import QDate, QDateTime, QEvent, Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import (QAbstractItemView, QDateEdit, QHBoxLayout, QHeaderView, QLineEdit, QPushButton,
                               QTableWidget, QWidget)


def path_row(edit: QLineEdit, on_browse: Callable[[], None]) -> QHBoxLayout:
    """A file or folder field with its 选择… button, for a form row."""
    row = QHBoxLayout()
    browse = QPushButton("选择…")
    browse.clicked.connect(on_browse)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row


def read_only_table(name: str, headers, *, rows: bool = False, single: bool = False, fit: bool = False,
                    stretch_last: bool = True) -> QTableWidget:
    """A table the user reads but does not edit: its column headers, no row numbers; ``rows`` selects whole
    rows (``single``: one at a time), ``fit`` sizes columns to their contents, the last column takes the rest."""
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if rows:
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    if fit:
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(stretch_last)
    return t


def to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def to_qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


_WHOLE_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*日?\s*$")
_DATE_CHARS = re.compile(r"^[\d\s\-/.年月日]{0,12}$")


def parse_typed_date(text: str) -> dt.date | None:
    """A whole date as people type it: 2025-03-01, 2025-3-1, 20250301, 2025/3/1, 2025.3.1, 2025年3月1日."""
    m = _WHOLE_DATE.match(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


class DateEdit(QDateEdit):
    """A date field that never changes silently: ``yyyy-MM-dd`` typed section by section (a year can be typed
    over) or typed whole over the selected text (``parse_typed_date``: 20250301, 2025/3/1 …), a calendar
    popup, and ↑/↓ open the calendar instead of stepping whichever section the cursor is in (Tab lands on the
    year: one ↓ used to move a payment a year back and make everyone 不能缴费).
    The mouse wheel does not change it either."""

    def __init__(self, day: dt.date, parent: QWidget | None = None):
        super().__init__(to_qdate(day), parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus (and no change) by the wheel

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            super().keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F4, Qt.KeyboardModifier.NoModifier))
            return
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            event.ignore()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._take_typed()
        super().keyPressEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt name
        event.ignore()

    # a whole date typed over the text: Qt's section parser refuses it character by character
    def validate(self, text: str, pos: int):
        result = super().validate(text, pos)
        state = result[0] if isinstance(result, tuple) else result
        if state == QValidator.State.Acceptable:
            return result
        day = parse_typed_date(text)
        if day is not None and self.minimumDate() <= to_qdate(day) <= self.maximumDate():
            return QValidator.State.Acceptable, text, pos
        if _DATE_CHARS.match(text):
            return QValidator.State.Intermediate, text, pos
        return result

    def dateTimeFromText(self, text: str) -> QDateTime:  # noqa: N802 - Qt name
        day = parse_typed_date(text)
        if day is not None:
            return QDateTime(to_qdate(day), self.time())
        return super().dateTimeFromText(text)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._take_typed()
        super().focusOutEvent(event)

    def _take_typed(self) -> None:
        """A whole date typed in (or a half-typed one, which is put back as it was)."""
        day = parse_typed_date(self.lineEdit().text())
        if day is not None and self.minimumDate() <= to_qdate(day) <= self.maximumDate():
            self.setDate(to_qdate(day))
        else:
            self.setDate(self.date())  # redisplay the date the field holds

    def day(self) -> dt.date:
        return to_date(self.date())


def date_edit(day: dt.date, *, minimum: dt.date | None = None, maximum: dt.date | None = None) -> DateEdit:
    """A ``DateEdit`` limited to [minimum, maximum] (e.g. never before the payment nor after today)."""
    d = DateEdit(day)
    if minimum is not None:
        d.setMinimumDate(to_qdate(minimum))
    if maximum is not None:
        d.setMaximumDate(to_qdate(maximum))
    return d
