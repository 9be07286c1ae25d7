"""Issue 13, 'wrong household charged': actions apply to what is selected and visible; the pane follows
the list and the search; Enter and ↓ in the search box move into the list; search → payment → receipt by
keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.main_window import MainWindow


@pytest.fixture()
def window(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def payment_dialogs(w):
    from app.ui.payment_dialog import PaymentDialog

    return [d for d in w._dialogs if isinstance(d, PaymentDialog)]


def test_f5_after_a_search_that_hides_the_open_household_never_charges_it(qtbot, window):
    w = window
    w.table.selectRow(0)
    assert w.view.household.id == 1
    w.search.setText("王五")  # someone in the other household
    assert w.model.rowCount() == 1
    assert w.view.household.id == 2  # the pane follows the search
    w.a_pay.trigger()
    (d,) = payment_dialogs(w)
    assert d.household.id == 2  # the visible, selected household — not the one opened before
    d.reject()


def test_f5_with_nothing_found_does_nothing_and_says_why(qtbot, window):
    w = window
    w.table.selectRow(0)
    w.search.setText("nosuchperson")
    assert w.model.rowCount() == 0
    assert w.view.household is None  # the pane is emptied with the list
    w.a_pay.trigger()
    assert payment_dialogs(w) == []
    assert "没有选中的户" in w.statusBar().currentMessage()


def test_f5_with_two_households_selected_asks_for_one(qtbot, window):
    w = window
    w.table.selectAll()
    w.a_pay.trigger()
    assert payment_dialogs(w) == []
    assert "只选一户" in w.statusBar().currentMessage()


def test_clearing_the_search_keeps_the_visible_household(qtbot, window):
    w = window
    w.search.setText("王五")
    assert w.view.household.id == 2
    w.search.setText("")
    assert w.model.rowCount() == 2
    assert w.view.household.id == 2 and w.selected_household_ids() == [2]


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_Return])
def test_enter_and_down_in_the_search_box_move_into_the_list(qtbot, window, key):
    w = window
    w.search.setFocus()
    qtbot.keyClicks(w.search, "ww")  # 王五's initials
    assert w.model.rowCount() == 1
    qtbot.keyClick(w.search, key)
    assert QApplication.focusWidget() is w.table
    assert w.table.currentIndex().row() == 0 and w.selected_household_ids() == [2]


def test_search_to_payment_to_receipt_in_at_most_six_keystrokes(qtbot, window, monkeypatch):
    w = window
    opened = []
    monkeypatch.setattr(w, "print_receipt", lambda pid: opened.append(pid))
    w.search.setFocus()
    qtbot.keyClicks(w.search, "ww")
    keys = 0

    def press(key, widget=None):
        nonlocal keys
        keys += 1
        qtbot.keyClick(widget or QApplication.focusWidget(), key)

    press(Qt.Key.Key_Return)  # into the list
    press(Qt.Key.Key_F5)  # 收费
    (d,) = payment_dialogs(w)
    qtbot.waitExposed(d)
    d.activateWindow()
    d.setFocus()
    assert d.household.id == 2 and d.total_due() is not None
    press(Qt.Key.Key_Return, d)  # 确认收费
    assert d.last_payment_id is not None
    assert w.ledger.payments.of_household(2)[0].amount == d.total_due()
    press(Qt.Key.Key_Return, d)  # 打印收据
    assert opened == [d.last_payment_id]
    assert keys <= 6
