"""The one read model of a member's year, plans before writes, and a refund that implies a status change."""

import datetime as dt
from decimal import Decimal

import pytest

from app.cli.main import main
from app.domain.problems import ProblemsError
from app.domain.vocabulary import HouseholdState, PayState, Status
from app.ledger import PayLine
from app.ledger import member_year as my
from app.ledger.snapshots import load_quote, quote_text


def test_percentages_are_rounded_once_half_up_to_a_tenth():
    # the header: 3607/4248 is 84.9 %, not "84%" (floor) in one place and 88.0 % in another
    assert my.percent_text(3607, 4248) == "84.9%" and my.rate(3607, 4248) == Decimal("0.849")
    assert my.percent_text(1, 8) == "12.5%" and my.percent_text(2, 3) == "66.7%" and my.percent_text(1, 2000) == "0.1%"
    assert my.percent_text(0, 0) == "—" and my.rate(0, 0) is None
    assert my.Progress(3607, 4248).text() == "3607/4248（84.9%）"
    assert my.shortfall(2, 3, my.TARGET) == 1 and my.Progress(3, 3).short(my.KEY_TARGET) == 0


def test_pay_state_is_one_rule():
    assert my.pay_state(Status.ENROLLED, True) is PayState.PAID
    assert my.pay_state(Status.EMPLOYEE, True) is PayState.PAID  # paid anyway: counted and paid
    assert my.pay_state(Status.UNREACHABLE, False) is PayState.UNPAID  # 无法联系 still counts
    assert my.pay_state(Status.DEAD, False) is PayState.NOT_REQUIRED
    assert my.household_state(3, 2) is HouseholdState.PARTLY and my.household_state(0, 0) is HouseholdState.NOT_REQUIRED


def test_an_unreachable_member_is_unpaid_without_an_amount(ledger, household, ids):
    a = ledger.members.add(household, name="甲", id_number=ids("19600501"), relation="户主").id
    b = ledger.members.add(household, name="乙", id_number=ids("19610501")).id
    c = ledger.members.add(household, name="丙", id_number=ids("19620501")).id
    ledger.members.set_status(c, Status.UNREACHABLE)
    ledger.payments.record(household, [PayLine(a), PayLine(b)], method="现金", paid_on="2024-10-08")
    years = my.of_household(ledger, household, dt.date(2024, 10, 8))
    assert [years[m].state for m in (a, b, c)] == [PayState.PAID, PayState.PAID, PayState.UNPAID]
    assert years[c].due is None and "无法联系" in years[c].due_note and not years[c].owes
    progress = my.household_progress(list(years.values()))
    assert (progress.paid, progress.required) == (2, 3)
    assert my.household_state(progress.required, progress.paid) is HouseholdState.PARTLY


def test_refund_for_employee_insurance_proposes_and_makes_the_status_change(cc2022):
    lg, h, a, b = cc2022
    pid = lg.payments.record(h, [PayLine(a), PayLine(b)], method="现金", paid_on="2021-10-10").id
    assert lg.payments.implied_status(a, "重复缴费") is None
    proposal = lg.payments.implied_status(a, "参加职工医保")
    assert proposal.status is Status.EMPLOYEE and "参加职工医保" in proposal.text and not proposal.needs_date
    lg.payments.refund(pid, a, "参加职工医保", refunded_on="2021-12-01", status=proposal.status)
    assert lg.members.get(a).status == Status.EMPLOYEE
    years = my.of_household(lg, h, dt.date(2021, 12, 1))
    # no longer 本地参保/未缴 against progress: not required, not counted
    assert years[a].state is PayState.NOT_REQUIRED and not years[a].counted
    assert lg.audit.for_member(a)[-1].action == "status"


def test_refund_for_death_without_the_date_writes_nothing(cc2022):
    lg, h, a, b = cc2022
    pid = lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10").id
    proposal = lg.payments.implied_status(a, "死亡")
    assert proposal.needs_date
    with pytest.raises(ProblemsError, match="死亡日期"):
        lg.payments.refund(pid, a, "死亡", refunded_on="2021-12-01", status=proposal.status)
    assert lg.payments.refunds_of(pid) == [] and lg.members.get(a).status == Status.ENROLLED
    lg.payments.refund(pid, a, "死亡", refunded_on="2021-12-01", status=proposal.status, status_on="2021-11-20")
    assert lg.members.get(a).status == Status.DEAD and lg.members.get(a).status_date == dt.date(2021, 11, 20)


def test_cli_refund_proposes_the_status_change(cc2022, monkeypatch, capsys):
    lg, h, a, b = cc2022
    lg.payments.record(h, [PayLine(a), PayLine(b)], method="现金", paid_on="2021-10-10")
    monkeypatch.setenv("CANBAO_DB", str(lg.path))
    number = lg.members.get(a).id_number
    assert main(["ledger", "refund", "2022-000001", "--member", number, "--reason", "死亡", "--date", "2021-12-01"]) != 0
    assert "--status-date" in capsys.readouterr().err
    assert main(["ledger", "refund", "2022-000001", "--member", number, "--reason", "死亡", "--date", "2021-12-01",
                 "--status-date", "2021-11-20"]) == 0
    assert "已同时修改参保状态" in capsys.readouterr().out
    assert lg.members.get(a).status == Status.DEAD
    other = lg.members.get(b).id_number
    assert main(["ledger", "refund", "2022-000001", "--member", other, "--reason", "参加职工医保", "--date",
                 "2021-12-01", "--keep-status"]) == 0
    assert lg.members.get(b).status == Status.ENROLLED


def test_a_plan_shows_everything_before_anything_is_written(ledger, household, ids):
    a = ledger.members.add(household, name="甲", id_number=ids("19600501"), relation="户主").id
    n_audit = ledger.audit.count()
    plan = ledger.payments.plan(household, [PayLine(a, amount="350")], method="现金", paid_on="2024-10-08")
    assert plan.needs_override and not plan.ok and plan.items[0].amount == Decimal("350.00")
    assert any("实收 350.00 元与政策应缴 410.00 元不符" in p.message for p in plan.problems)
    assert ledger.audit.count() == n_audit  # a plan writes nothing
    plan = ledger.payments.plan(household, [PayLine(a)], method="现金", paid_on="2024-10-08")
    assert plan.ok and plan.total == Decimal("410.00") and plan.items[0].due == Decimal("410.00")
    # another window pays first: recording the stale plan is refused, nothing written twice
    ledger.payments.record(household, [PayLine(a)], method="现金", paid_on="2024-10-08")
    with pytest.raises(ProblemsError, match="重复缴费"):
        ledger.payments.record(plan)
    assert len(ledger.payments.paid_this_year(a)) == 1


def test_plan_warnings_come_from_the_policy(ledger, household, ids):
    a = ledger.members.add(household, name="甲", id_number=ids("19600501"), relation="户主").id
    ledger.categories.add(a, "重度残疾人", department="残联", recognized_on="2024-01-01")
    plan = ledger.payments.plan(household, [PayLine(a)], method="现金", paid_on="2024-10-08")
    # changchun-2025's document does not assist 重度残疾人 at the counter: no "assisted but charged" warning
    assert not ledger.policy().assists("重度残疾人")
    assert not any("普通标准" in w for w in plan.warnings)


def test_members_check_is_what_add_refuses(ledger, household, ids):
    number = ids("19600501")
    ledger.members.add(household, name="甲", id_number=number, relation="户主")
    fields = dict(name="", id_number=number, relation="户主", status=Status.DEAD)
    problems = ledger.members.check(fields, household_id=household)
    with pytest.raises(ProblemsError) as err:
        ledger.members.add(household, **fields)
    assert [str(p) for p in problems] == [str(p) for p in err.value.problems]
    assert {p.place for p in problems} >= {"姓名", "证件号码", "与户主关系", "日期"}


def test_stored_quotes_load_back_into_the_quote_type(ledger, household, ids):
    a = ledger.members.add(household, name="甲", id_number=ids("19600501"), relation="户主").id
    pid = ledger.payments.record(household, [PayLine(a)], method="现金", paid_on="2024-10-08").id
    item = ledger.payments.get(pid).items[0]
    stored = ledger.db.execute("SELECT json FROM quote_snapshots").fetchone()[0]
    assert item.quote == load_quote(stored) and quote_text(item.quote.to_dict()) == stored
    assert item.quote.due == Decimal("410.00") and item.quote.paid_on == dt.date(2024, 10, 8)


def test_a_status_change_that_implies_a_refund_says_so(cc2022, monkeypatch, capsys):
    lg, h, a, b = cc2022
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")
    assert lg.payments.implied_refunds(a, Status.MOVED_OUT) == ()
    assert lg.payments.implied_refunds(b, Status.EMPLOYEE) == ()  # nothing paid
    (line,) = lg.payments.implied_refunds(a, Status.EMPLOYEE)
    assert "2022-000001" in line and "退费" in line
    monkeypatch.setenv("CANBAO_DB", str(lg.path))
    assert main(["ledger", "member", "status", lg.members.get(a).id_number, "参加职工医保"]) == 0
    assert "提示：" in capsys.readouterr().out
