"""Issue 13: usable at 1366×768 in both font sizes (nothing cut: the household buttons, the list); the mode,
the panes and the column widths remembered; switching 按户/按人 brings the name column back into view;
toggling the large font and back leaves normal rows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from app.ui import style
from app.ui.main_window import MainWindow
from app.ui.settings import Preferences


@pytest.fixture()
def font_mode():
    app = QApplication.instance()
    old, large = app.font(), app.property("canbaoLargeFont")
    style.load_fonts(app, background=False)
    yield lambda large: style.apply_style(app, large)
    app.setFont(old)
    app.setProperty("canbaoLargeFont", large)
    app.setStyleSheet("")


def window(qtbot, ledger, prefs=None):
    w = MainWindow(ledger, prefs)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.table.selectRow(0)
    return w


@pytest.mark.parametrize("large", [False, True])
def test_everything_fits_1366_by_768(qtbot, ledger, font_mode, large):
    font_mode(large)
    w = window(qtbot, ledger)
    assert w.minimumSizeHint().width() <= 1366 and w.width() == 1366
    v = w.view
    for b in (v.b_pay, v.b_add, v.b_edit, v.b_house, v.b_payments):
        right = b.mapTo(w, b.rect().topRight()).x()
        assert right <= w.width() and b.width() >= b.sizeHint().width(), b.text()  # the whole label shows
    assert w.table.viewport().width() > 0 and w.view.table.viewport().width() > 300


def test_switching_mode_scrolls_back_to_the_names(qtbot, ledger):
    w = window(qtbot, ledger)
    w.set_mode("members")
    for i in range(len(w.model.columns)):
        w.table.setColumnWidth(i, 300)
    w.table.horizontalScrollBar().setValue(w.table.horizontalScrollBar().maximum())
    assert w.table.horizontalScrollBar().value() > 0
    w.set_mode("households")
    assert w.table.horizontalScrollBar().value() == 0


def test_mode_and_column_widths_are_remembered(qtbot, ledger):
    prefs = Preferences()
    w = window(qtbot, ledger, prefs)
    w.set_mode("members")
    w.table.setColumnWidth(1, 211)
    w.close()
    again = window(qtbot, ledger, prefs)
    assert again.mode == "members" and again.table.columnWidth(1) == 211
    again.set_mode("households")
    assert again.table.columnWidth(1) != 211  # each mode has its own widths
    third = window(qtbot, ledger, prefs)
    assert third.mode == "households"


def test_large_font_and_back_leaves_normal_rows(qtbot, ledger, font_mode):
    """Whatever order the window's and the headers' font events come in, once they are delivered the rows fit
    the font and the columns follow it (the last relayout runs after them)."""
    font_mode(False)
    w = window(qtbot, ledger)

    def settle():
        for _ in range(3):
            QApplication.processEvents()
            qtbot.wait(10)

    def row_fits_font():
        return w.table.verticalHeader().defaultSectionSize() == w._metrics().height() + 8

    settle()
    normal_row, normal_col = w.table.verticalHeader().defaultSectionSize(), w.table.columnWidth(1)
    assert row_fits_font()
    font_mode(True)
    settle()
    assert row_fits_font() and w.table.verticalHeader().defaultSectionSize() > normal_row
    assert w.table.columnWidth(1) > normal_col  # columns grow with the font, not truncated
    # a header's own late font event (the order that failed before) leaves the rows as they should be
    for header in (w.table.verticalHeader(), w.table.horizontalHeader()):
        for kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            QApplication.sendEvent(header, QEvent(kind))
    w.table.verticalHeader().setFont(QApplication.font())  # a header taking the new font after us
    settle()
    assert row_fits_font()
    font_mode(False)
    settle()
    assert row_fits_font() and w.table.verticalHeader().defaultSectionSize() == normal_row  # no tall rows left
    assert w.table.columnWidth(1) == normal_col
