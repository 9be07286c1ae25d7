"""吉林市 2024 年度（吉林市人民政府发布的缴费须知；不在种子文件中，written by the file format only).

Key sentences (policies/jilinshi-2024.toml cites the published text):
  一、（1）普通城乡居民（包括普通成年人、大中小学生及18周岁以下人员）：390元（含长护险费10元）；
     （2）城乡低保对象、返贫致贫人口以及脱贫不稳定……、因病纳入监测范围的边缘易致贫户和突发严重困难户：240元（含长护险费10元）；
     （3）城乡特困人员：10元（长护险费）。
  三、集中预缴期为2023年10月1日至2023年12月31日……待遇享受期2024年1月1日至2024年12月31日。
     除90日内出生新生儿、边缘易致贫户、突发严重困难户和其他享受医疗救助资助参保政策的困难群体以外，其他居民在集中
     预缴期外参保缴费的（含新参保），设置90日待遇等待期。
"""

from decimal import Decimal

import pytest

from policy_quotes import D, ask, assert_closed, assert_open

P = "jilinshi-2024"
ADULT = D(1960, 5, 1)
IN = D(2023, 11, 1)


@pytest.mark.parametrize("categories, birth, due", [
    ([], ADULT, "390"),                     # 一、（1）390元（含长护险费10元）
    ([], D(2010, 3, 1), "390"),             # 大中小学生及18周岁以下人员: the same 390
    (["低保对象"], ADULT, "240"),           # 一、（2）240元（含长护险费10元）
    (["城乡低保对象"], ADULT, "240"),
    (["返贫致贫人口"], ADULT, "240"),
    (["脱贫不稳定人口"], ADULT, "240"),
    (["边缘易致贫户"], ADULT, "240"),
    (["突发严重困难户"], ADULT, "240"),
    (["城乡特困人员"], ADULT, "10"),        # 一、（3）10元（长护险费）
    (["特困人员", "低保对象"], ADULT, "10"),  # assistance never stacks: the most favourable
])
def test_the_published_amounts(categories, birth, due):
    q = ask(P, birth, IN, categories)
    assert_open(q)
    assert q.due == Decimal(due)
    assert q.addons == ("长期护理保险",) and q.addons_total == Decimal(10)
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2024, 1, 1), D(2024, 12, 31), 0)


@pytest.mark.parametrize("paid, open_", [(D(2023, 9, 30), False), (D(2023, 10, 1), True), (D(2023, 12, 31), True)])
def test_the_window(paid, open_):
    q = ask(P, ADULT, paid)
    if open_:
        assert q.open and q.timing == "window"
    else:
        assert_closed(q, "2023-10-01")


def test_others_paying_after_the_window_wait_90_days():
    # 三、其他居民在集中预缴期外参保缴费的（含新参保），设置90日待遇等待期
    q = ask(P, ADULT, D(2024, 3, 1))
    assert_open(q)
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal(390), 90, D(2024, 5, 31))


@pytest.mark.parametrize("categories", [["低保对象"], ["边缘易致贫户"], ["突发严重困难户"], ["特困人员"]])
def test_assisted_groups_paying_late_have_no_waiting_period(categories):
    # 三、除……边缘易致贫户、突发严重困难户和其他享受医疗救助资助参保政策的困难群体以外
    q = ask(P, ADULT, D(2024, 3, 1), categories)
    assert (q.waiting_days, q.benefit_start) == (0, D(2024, 3, 2))


def test_a_newborn_within_90_days_has_no_waiting_period():
    # 三、除90日内出生新生儿……以外
    q = ask(P, D(2024, 2, 1), D(2024, 3, 1))
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal(390), 0, D(2024, 3, 2))
    older = ask(P, D(2023, 10, 1), D(2024, 3, 1))  # 152 days old: the general rule
    assert older.waiting_days == 90


def test_a_late_payment_whose_wait_runs_past_the_year_is_refused():
    # 90 days from 2024-10-15 ends after 2024-12-31, the end of the benefit year
    assert_closed(ask(P, ADULT, D(2024, 10, 15)), "2024-12-31")
