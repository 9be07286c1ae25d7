"""认定后补付 in the window: a member recognised as 低保对象 after paying 410 in full is owed 150 + 70 + 70
(长医保联〔2024〕5号 二（一）（二）（三)); the dialog lists it and records 已补付."""

from decimal import Decimal

from tests.ui.conftest import make_id


def test_claims_dialog_lists_and_settles(qtbot, ledger):
    from app.ledger import PayLine
    from app.ui.main_window import MainWindow

    h = ledger.households.add(village="东风村", group="二组").id
    mid = ledger.members.add(h, name="孙七", id_number=make_id("19660606", 61), relation="户主").id
    ledger.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-10-08")
    ledger.categories.add(mid, "低保对象", department="民政", recognized_on="2025-03-01")
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    d = w.open_claims()
    assert d.table.rowCount() == 1 and d.table.item(0, 1).text() == "孙七"
    assert d.table.item(0, 6).text() == "290.00" and "待补付合计 290.00 元" in d.total.text()
    assert "长医保联〔2024〕5号" in d.clause.text()
    assert not d.settle()  # nothing selected
    d.table.selectRow(0)
    d.date.setText("2025-04-10")
    assert d.settle(), d.message.text()
    assert d.table.item(0, 8).text() == "已补付" and "待补付合计 0.00 元" in d.total.text()
    assert ledger.claims.list()[0].amount == Decimal(290)
