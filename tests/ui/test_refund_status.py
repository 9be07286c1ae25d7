"""The refund dialog proposes the status change a refund implies, and makes it in the same step."""

import datetime as dt

import pytest

from app.domain.vocabulary import Status
from app.ledger import PayLine, open_ledger
from app.ui.void_refund import PaymentsDialog
from app.ui.widgets import to_qdate

from .conftest import make_id


@pytest.fixture()
def cc2022(tmp_path):
    lg = open_ledger(tmp_path / "cc.canbao.db", create=True, operator="王会计")
    lg.settings.initialize(township="测试镇", year=2022, policy_id="changchun-2022", operators=["王会计"],
                           villages={"东风村": ["一组"]}, area_kind="县")
    h = lg.households.add(village="东风村", group="一组").id
    a = lg.members.add(h, name="张三", id_number=make_id("19600501", 11), relation="户主").id
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")
    yield lg, h, a
    lg.close()


def test_refund_for_employee_insurance_changes_the_status_too(qtbot, cc2022):
    lg, h, a = cc2022
    d = PaymentsDialog(lg, h)
    qtbot.addWidget(d)
    d.refund_reason.setCurrentText("重复缴费")
    assert not d.set_status.isVisibleTo(d)
    assert not d._form.labelForField(d.status_date).isVisibleTo(d)  # no bare 状态日期： label either
    d.refund_reason.setCurrentText("参加职工医保")
    assert d.set_status.isVisibleTo(d) and d.set_status.isChecked() and "参加职工医保" in d.set_status.text()
    assert not d.status_date.isVisibleTo(d)
    d.refund_date.setDate(to_qdate(dt.date(2021, 12, 1)))
    assert d.refund(confirm=False), d.message.text()
    assert lg.members.get(a).status == Status.EMPLOYEE


def test_refund_for_death_asks_for_the_date(qtbot, cc2022):
    lg, h, a = cc2022
    d = PaymentsDialog(lg, h)
    qtbot.addWidget(d)
    d.refund_reason.setCurrentText("死亡")
    assert d.status_date.isVisibleTo(d)
    d.refund_date.setDate(to_qdate(dt.date(2021, 12, 1)))
    assert not d.refund(confirm=False) and "死亡日期" in d.message.text()
    assert lg.payments.refunds_of(lg.payments.of_household(h)[0].id) == []  # nothing half-written
    d.status_date.setText("2021-11-20")
    assert d.refund(confirm=False), d.message.text()
    assert lg.members.get(a).status == Status.DEAD
