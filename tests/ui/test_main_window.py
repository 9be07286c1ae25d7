"""The main window driven through its widgets: search, filters, household view, payment, void."""

from __future__ import annotations

import datetime as dt

import pytest

from app.ui.household_model import COLUMNS, MemberListModel
from app.ui.main_window import MainWindow
from app.ui.queries import MemberFilter


@pytest.fixture()
def window(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.set_mode("members")  # these tests read the 按人 list (按户 has its own tests: test_household_mode.py)
    return w


def test_window_opens_in_household_mode_and_keeps_the_household_across_the_switch(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    assert w.mode == "households" and w.model.rowCount() == 2  # two households, five members
    assert w.model.index(0, 1).data() == "张三"  # 户主
    w.table.selectRow(1)
    assert w.view.household.id == 2
    w.set_mode("members")
    assert w.model.rowCount() == 5 and w.view.household.id == 2  # the open household stays open
    w.table.selectRow(0)
    assert w.view.household.id == 1
    w.search.setText("王五")
    w.set_mode("households")
    assert w.search.text() == "王五" and w.model.rowCount() == 1 and w.model.household_id(0) == 2


def names(w) -> list[str]:
    m = w.model
    return [m.index(r, COLUMNS.index("姓名")).data() for r in range(m.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester, ledger):
    model = MemberListModel(lambda: ledger.db.conn, 2025)
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    model.set_filter(MemberFilter(year=2025, text="zs"))
    qtmodeltester.check(model)


def test_model_fetches_lazily_in_pages(ledger, monkeypatch):
    import app.ui.household_model as hm

    monkeypatch.setattr(hm, "PAGE", 2)
    model = MemberListModel(lambda: ledger.db.conn, 2025)
    assert model.rowCount() == 0 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 5
    assert not model.canFetchMore()


def test_data_never_raises_on_a_bad_row(ledger):
    model = MemberListModel(lambda: ledger.db.conn, 2025)
    model.fetchMore()
    model._rows[0] = ("bad",)  # a corrupt row: data() must not raise
    assert model.index(0, 1).data() == "?"


def test_search_by_name_initials_id_tail_and_phone(qtbot, window):
    w = window
    assert len(names(w)) == 5
    w.search.setText("张")
    assert names(w) == ["张三", "张小明"]
    w.search.clear()
    qtbot.keyClicks(w.search, "zs")
    assert names(w) == ["张三"]
    w.search.clear()
    tail = w.ledger.members.of_household(1)[1].id_number[-6:]
    qtbot.keyClicks(w.search, tail)
    assert names(w) == ["李四"]
    w.search.clear()
    qtbot.keyClicks(w.search, "1391234")
    assert names(w) == ["张三"]
    w.search.clear()
    qtbot.keyClicks(w.search, "nothing")
    assert names(w) == []


def test_filters_are_pushed_into_sql(qtbot, window):
    w = window
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("not_required"))
    assert names(w) == ["赵六"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
    assert sorted(names(w)) == sorted(["张三", "李四", "张小明", "王五"])
    w.category.setCurrentIndex(w.category.findData("低保对象"))
    assert names(w) == ["李四"]
    w.category.setCurrentIndex(0)
    w.pay_filter.setCurrentIndex(0)
    w.tree.select_place(2, None)  # 胜利村
    assert sorted(names(w)) == ["王五", "赵六"]
    qtbot.waitUntil(lambda: "共 2 人" in w.count_label.text(), timeout=3000)


def test_tree_shows_progress(qtbot, window):
    w = window
    root = w.tree.items[(None, None)]
    qtbot.waitUntil(lambda: root.text(1) == "0.0%", timeout=3000)
    assert root.toolTip(1) == "已缴 0 人 / 应缴 4 人"  # 赵六 (职工医保) is not required
    assert w.tree.items[(1, None)].toolTip(1) == "已缴 0 人 / 应缴 3 人"


def test_household_view_shows_members_dues_and_badges(qtbot, window):
    w = window
    w.table.selectRow(0)
    v = w.view
    assert v.household is not None and v.household.number
    assert [r.member.name for r in v.rows] == ["张三", "李四", "张小明"]
    li = v.rows[1]
    assert li.categories == ["低保对象"]
    assert v.table.item(1, 5).text() == "低保对象" and v.table.item(0, 5).text() == "—"
    assert all(r.state == "未缴" for r in v.rows)
    assert all(r.due is not None for r in v.rows)
    assert li.due < v.rows[0].due  # assistance for 低保对象 is deducted at the counter


def test_take_payment_then_void(qtbot, window):
    w = window
    w.table.selectRow(0)
    hid = w.view.household.id
    ids = [r.member.id for r in w.view.rows]
    d = w.open_payment(hid, ids[:2])
    assert "合计 2 人" in d.total.text()
    expected = d.total_due()
    assert "元" in d.total.text() and ("整" in d.total.text() or "角" in d.total.text())
    pid = d.save()
    assert pid is not None, d.problem.text()
    pay = w.ledger.payments.get(pid)
    assert pay.amount == expected and len(pay.items) == 2
    assert d.print_button.isVisible() and pay.receipt_no in d.receipt.text()
    assert [r.state for r in w.view.rows] == ["已缴", "已缴", "未缴"]
    d.close()
    # the list and the tree follow
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("paid"))
    assert sorted(names(w)) == ["张三", "李四"]
    qtbot.waitUntil(lambda: w.tree.items[(None, None)].text(1) == "50.0%", timeout=3000)
    assert w.tree.items[(None, None)].toolTip(1) == "已缴 2 人 / 应缴 4 人"
    # void needs a reason
    pd = w.open_void_refund(hid)
    assert not pd.void()
    assert "原因" in pd.message.text()
    pd.reason.setText("收错人了")
    assert pd.void(confirm=False)
    assert w.ledger.payments.get(pid).voided
    assert "已作废" in pd.table.item(0, 6).text()
    assert [r.state for r in w.view.rows] == ["未缴", "未缴", "未缴"]


def test_payment_warns_for_assisted_member_and_late_date(qtbot, window):
    w = window
    w.table.selectRow(0)
    hid = w.view.household.id
    li = w.view.rows[1].member.id
    d = w.open_payment(hid, [li])
    d.date.setDate(dt.date(2025, 6, 10))  # after the window: late rules apply
    panel = next(p for p in d.panels if p.member.id == li)
    assert panel.warn.isVisible()
    assert "已过集中缴费期" in panel.warn.text() and "依据" in panel.warn.text()
    assert not d.save_button.isEnabled()  # changchun-2025 sets no late rule: nothing can be taken
    assert "不能报价" in d.total.text()
    d.date.setDate(dt.date(2025, 1, 10))
    assert "已过" not in panel.warn.text() and d.save_button.isEnabled()


def test_assisted_member_charged_normal_rate_is_warned(ledger):
    import dataclasses

    from app.ledger.payment_plan import member_warnings

    q = ledger.payments.quote(2, dt.date(2025, 1, 10))  # 李四, 低保对象: assisted
    assert q.assistance > 0
    assert not any("普通标准" in w for w in member_warnings(ledger.policy(), q, ["低保对象"]))
    normal = dataclasses.replace(q, assistance=dataclasses.replace(q).assistance * 0)
    assert any("普通标准" in w for w in member_warnings(ledger.policy(), normal, ["低保对象"]))
    # the warning comes from the policy: a category the document does not assist gives none
    assert not ledger.policy().assists("劳动模范")
    assert not any("普通标准" in w for w in member_warnings(ledger.policy(), normal, ["劳动模范"]))


def test_refund_follows_the_policy(qtbot, window):
    """changchun-2025's document sets no refund rule: the dialog says so, and a forced refund is refused."""
    w = window
    w.table.selectRow(0)
    hid = w.view.household.id
    d = w.open_payment(hid, [w.view.rows[0].member.id])
    pid = d.save()
    assert pid
    pd = w.open_void_refund(hid)
    assert "未规定" in pd.rule.text()
    assert not pd.b_refund.isEnabled() and pd.b_void.isEnabled()
    pd.refund_reason.setCurrentText("重复缴费")
    assert not pd.refund()
    assert "未规定" in pd.message.text()
    assert w.ledger.payments.refunds_of(pid) == []
