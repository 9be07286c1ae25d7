"""Special cases recorded in the ledger (issue 11): the payment records the case and its event date, and is
charged and dated as the document says.

双清 004 三、（四）3. 除规定的特殊情形外，在集中参保缴费期外参保缴费的，按照个人缴费标准加财政补助标准之和缴费，并设置
待遇等待期。以下特殊情形，均按当年度居民医保个人缴费标准执行：……（3）因劳动关系终止导致职工医保断保的人员，在断保90天内……
可自职工医保断保之日起享受居民医保待遇。（4）退役军人……接续当年度医保关系，可自参保缴费之日起享受医保待遇。
"""

import datetime as dt
from decimal import Decimal

import pytest

from app.domain.quote_model import SpecialFact
from app.ledger import PayLine
from tests.ledger.conftest import _init

D = dt.date


@pytest.fixture
def sq(tmp_path):
    lg = _init(tmp_path / "sq.db", "shuangqing-2025", 2025, "")
    yield lg
    lg.close()


@pytest.fixture
def member(sq, ids):
    h = sq.households.add(village="东风村", group="一组").id
    return h, sq.members.add(h, name="刘兵", id_number=ids("19980501")).id


def test_without_the_special_case_the_ledger_charges_1070_with_a_wait(sq, member):
    h, mid = member
    pid = sq.payments.record(h, [PayLine(mid)], method="现金", paid_on="2025-03-01").id
    q = sq.payments.get(pid).items[0].quote
    assert (q.due, q.waiting_days) == (Decimal(1070), 90)


def test_a_veteran_pays_400_with_benefit_from_payment(sq, member):
    h, mid = member
    pid = sq.payments.record(h, [PayLine(mid, special=SpecialFact("退役军人"))], method="现金", paid_on="2025-03-01").id
    item = sq.payments.get(pid).items[0]
    assert (item.amount, item.quote.benefit_start, item.quote.waiting_days) == (Decimal(400), D(2025, 3, 1), 0)
    assert (item.quote.special, item.override_reason) == ("退役军人", None)  # recorded with the payment


def test_employee_insurance_lapse_records_its_date_and_dates_the_benefit_from_it(sq, member):
    h, mid = member
    sp = SpecialFact("职工医保断保", D(2025, 2, 10))
    pid = sq.payments.record(h, [PayLine(mid, special=sp)], method="现金", paid_on="2025-03-01").id
    q = sq.payments.get(pid).items[0].quote
    assert (q.due, q.benefit_start, q.special, q.special_on) == (Decimal(400), D(2025, 2, 10), "职工医保断保",
                                                                 D(2025, 2, 10))


def test_ledger_pay_cli_takes_the_special_case(sq, member, capsys):
    from app.cli.main import main

    h, mid = member
    number = sq.households.get(h).number
    assert main(["ledger", "pay", "--db", str(sq.path), "--household", number, "--member", f"#{mid}",
                 "--method", "现金", "--date", "2025-03-01", "--special", "职工医保断保:2025-01-20"]) == 0
    assert "400.00" in capsys.readouterr().out
    q = sq.payments.of_member(mid)[0].items[0].quote
    assert (q.benefit_start, q.special_on) == (D(2025, 1, 20), D(2025, 1, 20))
