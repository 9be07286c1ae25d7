"""Issue 13, date fields: Tab then ↓ in the payment date no longer moves the date (it opens the calendar);
typing a year over the year works; the wheel does not change a date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication

from app.ui.widgets import date_edit


def test_tab_then_down_in_the_payment_date_changes_nothing(qtbot, ledger):
    from app.ui.main_window import MainWindow

    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.table.selectRow(0)
    d = w.open_payment(1, [1])
    qtbot.waitExposed(d)
    before, due = d.date.day(), d.total_due()
    d.date.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab lands on it: the year section
    qtbot.keyClick(d.date, Qt.Key.Key_Down)
    qtbot.keyClick(d.date, Qt.Key.Key_Up)
    assert d.date.day() == before and d.total_due() == due and d.save_button.isEnabled()
    d.reject()


def test_typing_a_year_and_limits(qtbot):
    e = date_edit(dt.date(2024, 11, 15), maximum=dt.date(2026, 11, 30))
    qtbot.addWidget(e)
    e.show()
    QApplication.sendEvent(e, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))  # Tab lands here
    assert e.currentSection() == e.Section.YearSection
    qtbot.keyClicks(e, "2025")
    assert e.day() == dt.date(2025, 11, 15)
    e.setDate(QDate(2030, 1, 1))
    assert e.day() == dt.date(2026, 11, 30)  # never after the maximum (today, for payments and refunds)


def test_wheel_does_not_change_a_date(qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    e = date_edit(dt.date(2024, 11, 15))
    qtbot.addWidget(e)
    e.show()
    ev = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(e, ev)
    assert e.day() == dt.date(2024, 11, 15)
