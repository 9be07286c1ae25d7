"""吉林省 2024 年度（吉医保联〔2023〕27号，种子文件 003）— expected values from the document's words.

Key sentences:
  一、个人缴费标准为每人每年380元。长期护理保险试点统筹区居民……仍为每人每年10元。
  二、特困全额；低保、返贫致贫、脱贫不稳定（纳入监测）定额资助；因病纳入监测的边缘易致贫户和突发严重困难户可定额资助；
      定额 150 元，定额资助后个人实际缴纳 230 元。稳定脱贫人口：地方可探索……综合资助（无金额）。
  三、集中预缴期 2023-10-01 至 12-31。试点统筹区长护险在缴纳居民医保费时一并缴纳。90日内出生新生儿、边缘易致贫户、
      突发严重困难户和其他享受医疗救助资助参保政策的困难群体在期外缴费的，不设待遇等待期。其他居民期外缴费的，
      设置90日待遇等待期。
"""

from decimal import Decimal

import pytest

from policy_quotes import D, ask, assert_closed, assert_open, lines_of

P = "jilin-2024"
ADULT = D(1960, 5, 1)
IN = D(2023, 11, 15)
LATE = D(2024, 3, 1)


def test_ordinary_member_pays_380_long_term_care_off_by_default():
    # 一、380 元；长护险 only in 试点统筹区, which this provincial notice does not list
    q = ask(P, ADULT, IN)
    assert_open(q)
    assert (q.personal_standard, q.due, q.addons) == (Decimal("380"), Decimal("380"), ())
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2024, 1, 1), D(2024, 12, 31), 0)


@pytest.mark.parametrize("addon", ["长期护理保险", "长护险"])
def test_long_term_care_can_be_chosen_in_a_pilot_area(addon):
    q = ask(P, ADULT, IN, addons=[addon])
    assert_open(q)
    assert (q.addons, q.addons_total, q.due) == (("长期护理保险",), Decimal("10"), Decimal("390"))


@pytest.mark.parametrize("category, assistance, due", [
    # 二、城乡特困人员 全额资助
    ("特困人员", "380", "0"),
    ("城乡特困人员", "380", "0"),
    # 二、定额资助标准为每人每年150元，定额资助后个人实际缴纳居民医保费为每人每年230元
    ("低保对象", "150", "230"),
    ("返贫致贫人口", "150", "230"),
    ("脱贫不稳定人口", "150", "230"),
    ("边缘易致贫人口", "150", "230"),
    ("突发严重困难人口", "150", "230"),
    # 稳定脱贫人口：“地方可探索……综合资助” — no amount in this notice
    ("稳定脱贫人口", "0", "380"),
])
def test_each_category_named_by_the_document(category, assistance, due):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal(assistance), Decimal(due))
    assert q.assistance_source == ("医疗救助" if assistance != "0" else None)  # 通过医疗救助基金渠道
    assert q.subsidies == ()  # the provincial notice has no 先缴后补 subsidies


@pytest.mark.parametrize("category", ["孤儿", "劳动模范", "重度残疾人", "防止返贫监测对象"])
def test_unassisted_categories_are_accepted(category):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal("0"), Decimal("380"))


def test_full_assistance_does_not_cover_long_term_care():
    # 二、资助 is for 基本医保; 长护险: 试点统筹区“要利用社会组织、慈善基金……资助”, not 医疗救助
    q = ask(P, ADULT, IN, ["特困人员"], addons=["长期护理保险"])
    assert (q.assistance, q.due) == (Decimal("380"), Decimal("10"))


def test_categories_never_stack():
    q = ask(P, ADULT, IN, ["低保对象", "返贫致贫人口"])
    assert (q.assistance, q.due) == (Decimal("150"), Decimal("230"))
    q = ask(P, ADULT, IN, ["低保对象", "特困人员"])
    assert (q.assistance, q.due, q.assistance_category) == (Decimal("380"), Decimal("0"), "特困人员")


@pytest.mark.parametrize("paid, open_", [
    (D(2023, 9, 30), False),   # day before 2023-10-01
    (D(2023, 10, 1), True),    # first day
    (D(2023, 12, 31), True),   # last day
])
def test_window_boundaries(paid, open_):
    q = ask(P, ADULT, paid)
    if open_:
        assert_open(q)
        assert (q.due, q.benefit_start, q.waiting_days) == (Decimal("380"), D(2024, 1, 1), 0)
    else:
        assert_closed(q, "2023-10-01")


@pytest.mark.parametrize("paid, benefit_start", [
    # 三、其他居民在集中预缴期外参保缴费的，设置90日待遇等待期 (counted from the day after payment)
    (D(2024, 1, 1), D(2024, 4, 1)),     # the day after the window: 01-02 … 03-31 waiting (leap year)
    (D(2024, 3, 1), D(2024, 5, 31)),
    (D(2024, 10, 1), D(2024, 12, 31)),  # last payment whose benefit starts inside 2024
])
def test_late_payment_90_day_waiting(paid, benefit_start):
    q = ask(P, ADULT, paid)
    assert_open(q)
    assert q.due == Decimal("380")
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (benefit_start, D(2024, 12, 31), 90)


@pytest.mark.parametrize("category", [
    # 三、边缘易致贫户、突发严重困难户和其他享受医疗救助资助参保政策的困难群体……不设待遇等待期
    "边缘易致贫人口", "突发严重困难人口", "特困人员", "低保对象", "返贫致贫人口", "脱贫不稳定人口",
])
def test_exempt_groups_have_no_waiting(category):
    q = ask(P, ADULT, LATE, [category])
    assert_open(q)
    assert (q.waiting_days, q.benefit_start) == (0, D(2024, 3, 2))
    assert "不设待遇等待期" in lines_of(q, "benefit")[0].clause


def test_stable_out_of_poverty_is_not_exempt():
    # 稳定脱贫人口 gets no 医疗救助资助 here, so it is one of the “其他居民”
    q = ask(P, ADULT, LATE, ["稳定脱贫人口"])
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal("380"), 90, D(2024, 5, 31))


@pytest.mark.parametrize("birth, paid, waiting, start", [
    # 三、90日内出生新生儿……不设待遇等待期
    (D(2024, 1, 10), D(2024, 4, 9), 0, D(2024, 4, 10)),    # 90 days old
    (D(2024, 1, 10), D(2024, 4, 10), 90, D(2024, 7, 10)),  # 91 days old: an ordinary late payer
    (D(2023, 12, 20), D(2024, 1, 15), 0, D(2024, 1, 16)),  # born in 2023, 26 days old, paying for 2024
])
def test_newborn_within_90_days(birth, paid, waiting, start):
    q = ask(P, birth, paid)
    assert_open(q)
    assert q.due == Decimal("380")
    assert (q.waiting_days, q.benefit_start) == (waiting, start)


def test_waiting_that_would_end_after_the_year_is_closed():
    assert_closed(ask(P, ADULT, D(2024, 10, 2)), "2025-01-01")
    assert_closed(ask(P, ADULT, D(2025, 1, 1)))


def test_exempt_payment_on_the_last_day_of_the_year_has_no_benefit_left():
    # benefit would start the day after payment, 2025-01-01, outside the 2024 year
    assert ask(P, ADULT, D(2024, 12, 30), ["低保对象"]).benefit_start == D(2024, 12, 31)
    assert_closed(ask(P, ADULT, D(2024, 12, 31), ["低保对象"]))


def test_every_line_cites_the_document_number():
    q = ask(P, ADULT, LATE, ["边缘易致贫人口"], addons=["长期护理保险"])
    assert_open(q)
    assert all(line.clause.startswith("吉医保联〔2023〕27号") for line in q.lines if line.clause)
