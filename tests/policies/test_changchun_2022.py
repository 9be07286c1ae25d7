"""长春市 2022 年（长医保联（2021）10号，种子文件 002）— expected values from the document's words.

Key sentences:
  一、参加我市居民医保的城乡居民，视同同步参加……居民照护险。
  二、成年人个人缴费标准 360 元；大中小学生及 18 周岁以下人员(2003 年 12 月 31 日 24 时后出生) 220 元；
      居民照护险 10 元。
  三、集中预缴期 2021-10-08 至 12-31；期内缴费待遇期 2022-01-01 至 12-31；期外缴费的，除规定的特殊情形外，
      自缴费成功次日起设置 90 天待遇等待期。
  四、资（补）助范围不包括居民照护险个人缴费。（一）特困全额；低保、返贫致贫、脱贫不稳定（纳入监测）每人 130 元，
      在缴费时体现。（二）低保：成年人市、区各 70（县 140），学生及 18 岁以下市、区各 35（县 70）；返贫致贫、脱贫
      不稳定：成年人市、县（区）各 70，学生及 18 岁以下各 35；劳动模范：市财政、市总工会各 180。先缴后补。
  五、连续 2 年以上参保……在中断缴费 3 个月以内按年度标准全额缴费的，不设待遇等待期。
"""

from decimal import Decimal

import pytest

from policy_quotes import D, ask, assert_closed, assert_open, lines_of

P = "changchun-2022"
ADULT = D(1960, 5, 1)
CHILD = D(2010, 6, 1)
IN = D(2021, 11, 15)
LATE = D(2022, 3, 1)


@pytest.mark.parametrize("birth, student, tier, standard", [
    # 二、成年人 360；大中小学生及 18 周岁以下人员(2003 年 12 月 31 日 24 时后出生) 220
    (D(1960, 5, 1), False, "成年人", "360"),
    (D(2003, 12, 31), False, "成年人", "360"),           # born on 12-31: not “after 24:00 of 12-31”
    (D(2004, 1, 1), False, "学生及18周岁以下", "220"),   # the first day after that moment
    (D(2021, 10, 1), False, "学生及18周岁以下", "220"),
    (D(2000, 3, 3), True, "学生及18周岁以下", "220"),    # a university student of 21: 大中小学生
    (D(2003, 12, 31), True, "学生及18周岁以下", "220"),
])
def test_adult_and_student_tiers(birth, student, tier, standard):
    q = ask(P, birth, IN, student=student)
    assert_open(q)
    assert q.tier == tier
    assert q.personal_standard == Decimal(standard)
    # 居民照护险 10 元, collected with the premium (三、“由参保居民个人在缴纳居民医保费时一并缴纳”)
    assert q.addons == ("长期护理保险",) and q.addons_total == Decimal("10")
    assert q.due == Decimal(standard) + Decimal("10")
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2022, 1, 1), D(2022, 12, 31), 0)


@pytest.mark.parametrize("category, birth, area, assistance, due, subsidies", [
    # 四、（一）特困全额 — 照护险 10 not assisted (“资（补）助范围不包括居民照护险个人缴费”)
    ("特困人员", ADULT, "区", "360", "10", ()),
    ("特困人员", CHILD, "区", "220", "10", ()),
    # 四、（一）低保 130 at the counter; （二）成年人 市、区各 70 / 县 140
    ("低保对象", ADULT, "区", "130", "240", (("市财政", "70"), ("区财政", "70"))),
    ("低保对象", ADULT, "县", "130", "240", (("县财政", "140"),)),
    # 学生及 18 岁以下：市、区各 35 / 县 70
    ("低保对象", CHILD, "区", "130", "100", (("市财政", "35"), ("区财政", "35"))),
    ("低保对象", CHILD, "县", "130", "100", (("县财政", "70"),)),
    # 返贫致贫 / 脱贫不稳定：成年人 市、县（区）各 70；学生及 18 岁以下各 35
    ("返贫致贫人口", ADULT, "区", "130", "240", (("市财政", "70"), ("县（区）财政", "70"))),
    ("返贫致贫人口", ADULT, "县", "130", "240", (("市财政", "70"), ("县（区）财政", "70"))),
    ("返贫致贫人口", CHILD, "区", "130", "100", (("市财政", "35"), ("县（区）财政", "35"))),
    ("脱贫不稳定人口", ADULT, "区", "130", "240", (("市财政", "70"), ("县（区）财政", "70"))),
    ("脱贫不稳定人口", CHILD, "县", "130", "100", (("市财政", "35"), ("县（区）财政", "35"))),
    # 劳动模范：市财政、市总工会各补助 180 元; nothing at the counter
    ("劳动模范", ADULT, "区", "0", "370", (("市财政", "180"), ("市总工会", "180"))),
])
def test_each_category_named_by_the_document(category, birth, area, assistance, due, subsidies):
    q = ask(P, birth, IN, [category], area=area)
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal(assistance), Decimal(due))
    assert q.subsidies == tuple((f, Decimal(a)) for f, a in subsidies)
    assert q.assistance_source == ("医疗救助" if assistance != "0" else None)


def test_labour_model_subsidy_is_for_the_city_districts_only():
    # 四、（二）“长春市城区内无医疗保障的困难劳动模范” — not in a 县
    q = ask(P, ADULT, IN, ["劳动模范"], area="县")
    assert (q.due, q.after_subsidy) == (Decimal("370"), Decimal("0"))
    q = ask(P, ADULT, IN, ["劳动模范"], area="区")
    assert q.subsidies == (("市财政", Decimal("180")), ("市总工会", Decimal("180")))


def test_student_by_flag_gets_student_subsidy_amounts():
    # a 20-year-old university student is in the 220 tier and gets the 35 + 35 student subsidy
    q = ask(P, D(2001, 9, 1), IN, ["低保对象"], student=True)
    assert (q.personal_standard, q.due) == (Decimal("220"), Decimal("100"))
    assert q.subsidies == (("市财政", Decimal("35")), ("区财政", Decimal("35")))


def test_born_2004_01_01_vs_2003_12_31_subsidies():
    adult = ask(P, D(2003, 12, 31), IN, ["返贫致贫人口"])
    minor = ask(P, D(2004, 1, 1), IN, ["返贫致贫人口"])
    assert (adult.due, adult.after_subsidy) == (Decimal("240"), Decimal("140"))
    assert (minor.due, minor.after_subsidy) == (Decimal("100"), Decimal("70"))


def test_labour_model_in_the_220_tier_is_paid_back_at_most_what_was_paid():
    # 四、（二）市财政、市总工会各补助 180 元 — 360 in all, which is the adult premium. For a member in the
    # 220 tier the engine pays back no more than the 220 paid (document order: 市财政 180, then 市总工会 40).
    # The split is the engine's reading; the document does not address it (see report).
    q = ask(P, D(2005, 1, 1), IN, ["劳动模范"])
    assert q.due == Decimal("230")
    assert q.after_subsidy == Decimal("220")
    assert q.subsidies == (("市财政", Decimal("180")), ("市总工会", Decimal("40")))


@pytest.mark.parametrize("categories, assistance, due", [
    (["低保对象", "特困人员"], "360", "10"),
    (["低保对象", "返贫致贫人口"], "130", "240"),  # 130 once, not 260
])
def test_assistance_never_stacks(categories, assistance, due):
    q = ask(P, ADULT, IN, categories)
    assert (q.assistance, q.due) == (Decimal(assistance), Decimal(due))
    assert q.after_subsidy <= Decimal("140")


@pytest.mark.parametrize("category", ["孤儿", "稳定脱贫人口", "边缘易致贫人口", "重度残疾人"])
def test_groups_the_2022_document_does_not_assist(category):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due, q.after_subsidy) == (Decimal("0"), Decimal("370"), Decimal("0"))


@pytest.mark.parametrize("paid, open_", [
    (D(2021, 10, 7), False),  # day before 2021-10-08
    (D(2021, 10, 8), True),   # first day
    (D(2021, 12, 31), True),  # last day
])
def test_window_boundaries(paid, open_):
    q = ask(P, ADULT, paid)
    if open_:
        assert_open(q)
        assert (q.due, q.benefit_start, q.waiting_days) == (Decimal("370"), D(2022, 1, 1), 0)
    else:
        assert_closed(q, "2021-10-08")


@pytest.mark.parametrize("paid, benefit_start", [
    # 三、自缴费成功次日起设置 90 天待遇等待期: waiting = paid+1 … paid+90, benefit from paid+91
    (D(2022, 1, 1), D(2022, 4, 2)),     # the day after the window: 01-02 … 04-01 waiting
    (D(2022, 3, 1), D(2022, 5, 31)),    # 03-02 … 05-30 waiting
    (D(2022, 10, 1), D(2022, 12, 31)),  # the last payment whose waiting ends inside 2022 (one day of benefit)
])
def test_late_payment_same_amount_and_90_day_waiting(paid, benefit_start):
    q = ask(P, ADULT, paid)
    assert_open(q)
    assert q.due == Decimal("370")  # no surcharge in this document
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (benefit_start, D(2022, 12, 31), 90)
    assert "次日起设置 90 天" in lines_of(q, "waiting")[0].clause


def test_late_payment_with_assistance_still_waits_90_days():
    # 三、“除规定的特殊情形外” — the only 特殊情形 is 五's 转移接续; a 低保 paying late still waits
    q = ask(P, ADULT, LATE, ["低保对象"])
    assert (q.due, q.after_subsidy, q.waiting_days, q.benefit_start) == (
        Decimal("240"), Decimal("140"), 90, D(2022, 5, 31))


def test_waiting_that_would_end_after_2022_is_closed():
    # paid 2022-10-02: waiting 10-03 … 12-31, benefit would begin 2023-01-01 — outside the 2022 year
    assert_closed(ask(P, ADULT, D(2022, 10, 2)), "2023-01-01")
    assert_closed(ask(P, ADULT, D(2023, 1, 1)))


@pytest.mark.parametrize("event, paid, benefit_start", [
    # 五、在中断缴费 3 个月以内按年度标准全额缴费的，不设待遇等待期 (benefit from the day after payment)
    (D(2022, 2, 1), D(2022, 3, 15), D(2022, 3, 16)),
    (D(2022, 2, 1), D(2022, 5, 1), D(2022, 5, 2)),   # exactly 3 months
])
def test_employee_insurance_break_within_3_months_has_no_waiting(event, paid, benefit_start):
    q = ask(P, ADULT, paid, special=f"职工医保断保:{event.isoformat()}")
    assert_open(q)
    assert q.due == Decimal("370")  # 按年度标准全额缴费
    assert (q.benefit_start, q.waiting_days) == (benefit_start, 0)


def test_employee_insurance_break_after_3_months_falls_to_the_general_late_rule():
    # 五、的条件（中断缴费 3 个月以内）不满足 → 三、“除规定的特殊情形外，自缴费成功次日起设置 90 天待遇享受等待期”
    q = ask(P, ADULT, D(2022, 5, 2), special="职工医保断保:2022-02-01")
    assert_open(q)
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal("370"), 90, D(2022, 8, 1))
    assert any("3 个月" in line.text for line in lines_of(q, "note"))


def test_employee_insurance_break_needs_its_date():
    assert_closed(ask(P, ADULT, D(2022, 3, 15), special="职工医保断保"), "日期")
    # a break dated after the payment is a typing error, not a late payment
    assert_closed(ask(P, ADULT, D(2022, 3, 15), special="职工医保断保:2022-04-01"), "晚于缴费日期")


def test_special_case_not_in_this_document_falls_to_the_general_rule():
    q = ask(P, ADULT, LATE, special="退役军人")
    assert_open(q)
    assert (q.waiting_days, q.benefit_start) == (90, D(2022, 5, 31))
    assert any("退役军人" in line.text for line in lines_of(q, "note"))


def test_care_insurance_is_not_declinable():
    # 一、视同同步参加居民照护险，无需另行登记参保
    q = ask(P, ADULT, IN, declined=("长期护理保险",))
    assert q.due == Decimal("370")


def test_every_line_cites_the_document_number():
    q = ask(P, CHILD, LATE, ["低保对象"], area="县")
    assert_open(q)
    assert all(line.clause.startswith("长医保联（2021）10号") for line in q.lines if line.clause)
