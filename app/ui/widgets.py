"""Small widget pieces the dialogs share."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLineEdit, QPushButton, QWidget


def path_row(edit: QLineEdit, on_browse: Callable[[], None]) -> QHBoxLayout:
    """A file or folder field with its 选择… button, for a form row."""
    row = QHBoxLayout()
    browse = QPushButton("选择…")
    browse.clicked.connect(on_browse)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row


def to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def to_qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


class DateEdit(QDateEdit):
    """A date field that never changes silently: ``yyyy-MM-dd`` typed section by section (a year can be typed
    over), a calendar popup, and ↑/↓ open the calendar instead of stepping whichever section the cursor is
    in (Tab lands on the year: one ↓ used to move a payment a year back and make everyone 不能缴费).
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
        super().keyPressEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt name
        event.ignore()

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
