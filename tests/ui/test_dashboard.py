"""The dashboard counts what the ledger holds: villages against 95%, key groups against 100%, days."""

from __future__ import annotations

import datetime as dt

from app.ledger import PayLine
from app.ui.dashboard import DashboardDialog


def test_dashboard_after_a_payment(qtbot, ledger):
    ledger.payments.record(1, [PayLine(2)], method="现金", paid_on=dt.date(2024, 10, 8))  # 李四, 低保对象
    ledger.payments.record(2, [PayLine(4)], method="微信", paid_on=dt.date(2024, 10, 9))  # 王五
    d = DashboardDialog(ledger)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=10000) as blocker:
        pass
    data = blocker.args[0]
    assert [(n, p.paid, p.required) for n, p in data.villages] == [("东风村", 1, 3), ("胜利村", 1, 1)]
    assert (data.total.paid, data.total.required) == (2, 4)
    assert [(c, p.paid, p.required) for c, p in data.key_groups] == [("低保对象", 1, 1)]
    assert data.key_unpaid == []
    assert [(d_, n) for d_, n, _ in data.per_day] == [(dt.date(2024, 10, 8), 1), (dt.date(2024, 10, 9), 1)]
    table = d.tabs.widget(0)
    assert table.item(0, 4).text() == "还差 2 人" and table.item(1, 4).text() == "已达标"
    assert "50.0%" in d.headline.text()
    d.tabs.setCurrentIndex(2)
    img = d.chart.grab()
    assert img.width() > 0


def test_key_unpaid_list_names_who_is_missing(qtbot, ledger):
    d = DashboardDialog(ledger)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=10000) as blocker:
        pass
    unpaid = blocker.args[0].key_unpaid
    assert [(r[1], r[2], r[4]) for r in unpaid] == [("李四", "东风村", "低保对象")]


def test_key_unpaid_list_shows_masked_phone_and_owed_and_opens_the_household(qtbot, ledger):
    """Issue 13: the unpaid list has the phone (masked) and the amount owed, and a double-click opens the
    household in the window; the progress columns say 应参保人数, not 应缴."""
    from app.ui.main_window import MainWindow

    ledger.members.update(2, phone="13712345678")  # 李四
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.search.setText("王五")  # another household is open
    assert w.view.household.id == 2
    with qtbot.waitSignal(w.open_dashboard().loaded, timeout=10000) as blocker:
        pass
    d = next(x for x in w._dialogs if x.objectName() == "dashboard")
    (row,) = blocker.args[0].key_unpaid
    owed = ledger.payments.quote(2, w.paid_on).due
    assert row[5] == "137****5678" and row[6] == owed and row[7] == 1
    assert d.unpaid.item(0, 5).text() == "137****5678" and d.unpaid.item(0, 6).text() == f"{owed:,.2f}"
    header = d.tabs.widget(0)
    assert [header.horizontalHeaderItem(i).text() for i in (1, 2)] == ["已缴人数", "应参保人数"]
    d.unpaid.cellDoubleClicked.emit(0, 1)
    assert w.view.household.id == 1 and w.selected_household_ids() == [1]
