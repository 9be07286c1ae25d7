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


def test_export_dates_take_a_typed_year_and_a_typed_date(qtbot, ledger):
    """The export dialog's 周报 dates: a year typed over the year, a whole date typed over the field (as
    20250301, 2025-03-01 or 2025/3/1), and ↑/↓ as in every other date field (no silent step)."""
    from app.ui.exchange_dialogs import ExportDialog

    d = ExportDialog(ledger)
    qtbot.addWidget(d)
    d.show()
    start = d.start
    before = start.day()
    QApplication.sendEvent(start, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
    qtbot.keyClicks(start, "2024")
    assert start.day() == before.replace(year=2024)
    qtbot.keyClick(start, Qt.Key.Key_Down)
    qtbot.keyClick(start, Qt.Key.Key_Up)
    assert start.day() == before.replace(year=2024)  # ↑/↓ do not step the year (they open the calendar)
    for typed, day in (("20250301", dt.date(2025, 3, 1)), ("2025-03-08", dt.date(2025, 3, 8)),
                       ("2025/3/9", dt.date(2025, 3, 9))):
        start.lineEdit().selectAll()
        qtbot.keyClicks(start, typed)
        QApplication.sendEvent(start, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))  # Tab on
        assert start.day() == day and start.text() == day.isoformat()
    d.end.lineEdit().selectAll()
    qtbot.keyClicks(d.end, "2025-3")  # half a date, then away: the field keeps its date
    held = d.end.day()
    QApplication.sendEvent(d.end, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
    assert d.end.day() == held and d.end.text() == held.isoformat()
