"""Issue 13: the 未缴 list shows what is owed — per household the sum the household pane shows, per member
the member's amount — read from the read model (app.ledger.member_year), on the window's payment date."""

from __future__ import annotations

from decimal import Decimal

from app.domain.money import fmt
from app.ledger import PayLine, member_year
from app.ui.household_model import OWED_HEADER
from app.ui.main_window import MainWindow


def window(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w


def unpaid(w):
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))


def cell(w, row, header):
    return w.model.index(row, w.model.columns.index(header)).data()


def owed_by_household(ledger, day):
    out = {}
    for s in member_year.standings(ledger, day=day):
        if s.owes:
            out[s.household_id] = out.get(s.household_id, Decimal("0")) + s.due
    return out


def test_households_in_the_unpaid_list_show_the_panes_total(qtbot, ledger):
    w = window(qtbot, ledger)
    assert OWED_HEADER not in w.model.columns  # 全部: no amount column
    unpaid(w)
    assert w.model.columns[:4] == ("户编号", "户主", "缴费状态", OWED_HEADER)
    expected = owed_by_household(ledger, w.paid_on)
    shown = {w.model.household_id(r): cell(w, r, OWED_HEADER) for r in range(w.model.rowCount())}
    assert shown == {h: fmt(v) for h, v in expected.items()} and shown
    first = w.model.household_id(0)
    w.table.selectRow(0)
    assert f"合计应缴 {shown[first]} 元" in w.view.summary.text()  # the same figure as the pane
    assert w.table.columnWidth(3) >= w.fontMetrics().horizontalAdvance(shown[first])
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("all"))
    assert OWED_HEADER not in w.model.columns


def test_members_in_the_unpaid_list_show_their_amount_and_it_follows_a_payment(qtbot, ledger):
    w = window(qtbot, ledger)
    w.set_mode("members")
    unpaid(w)
    assert w.model.columns[:3] == ("户编号", "姓名", OWED_HEADER)
    dues = {s.member_id: s.due for s in member_year.standings(ledger, day=w.paid_on) if s.owes}
    shown = {w.model.member_id(r): cell(w, r, OWED_HEADER) for r in range(w.model.rowCount())}
    assert shown == {m: fmt(d) for m, d in dues.items()}
    hid = ledger.members.get(1).household_id
    ledger.payments.record(hid, [PayLine(1)], method="现金", paid_on=w.paid_on)  # 张三 pays
    w.after_change()
    assert 1 not in {w.model.member_id(r) for r in range(w.model.rowCount())}
    w.set_mode("households")
    total = owed_by_household(ledger, w.paid_on)[hid]
    row = next(r for r in range(w.model.rowCount()) if w.model.household_id(r) == hid)
    assert cell(w, row, OWED_HEADER) == fmt(total)
