"""屯留区 2025 年度（屯留区人民政府办公室 2024年9月26日通知，种子文件 001；原文未印文号）.

Key sentences:
  一、新生儿出生当年……当年不缴纳基本医疗保险费即可享受城乡居民医保待遇。2024年出生的新生儿错过集中缴费期……
      可于2025年3月底前办理参保缴费手续。
  二、集中征缴期为2024年9月1日至2025年2月25日，集中征缴期间每月1–25日可办理缴费。
  缴费标准：个人缴费标准……每人每年400元。表：普通 0/400；稳定脱贫 0/400；特困（含孤儿、事实无抚养儿童、
      儿童福利机构收留抚养儿童）400/0；低保 320/80；返贫致贫 360/40；脱贫不稳定、边缘易致贫、突发严重困难 280/120；
      1、2级重度残疾人 残疾人就业保障金资助 320/80。意外伤害保险 30 元；“晋康保”基础版 88 元、尊享版 128 元。
  特殊缴费：对不属于医疗救助资助参保对象的二级及以上重度残疾人参照低保对象标准资助，资金由区残疾人就业保障金支付。
"""

from decimal import Decimal

import pytest

from policy_quotes import D, ask, assert_closed, assert_open, lines_of, problems_of

P = "tunliu-2025"
DOC = "屯留区政府办2024年9月26日通知"
ADULT = D(1960, 5, 1)
IN = D(2024, 10, 8)


def test_ordinary_member_pays_400_and_nothing_else_by_default():
    # 缴费标准：每人每年400元；表“普通人员 医疗救助资助 0 元 个人缴纳 400 元”; add-ons are voluntary (“鼓励支持”)
    q = ask(P, ADULT, IN)
    assert_open(q)
    assert (q.personal_standard, q.assistance, q.due, q.addons) == (Decimal("400"), Decimal("0"), Decimal("400"), ())
    # the notice names no other benefit period than “2025年度”
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2025, 1, 1), D(2025, 12, 31), 0)


@pytest.mark.parametrize("category, assistance, due, source", [
    # 表 — 医疗救助资助 / 个人缴纳
    ("稳定脱贫人口", "0", "400", None),
    ("稳定脱贫人员", "0", "400", None),  # the table's own word
    ("特困人员", "400", "0", "医疗救助"),
    ("孤儿", "400", "0", "医疗救助"),              # 特困人员（含孤儿 …）
    ("事实无人抚养儿童", "400", "0", "医疗救助"),  # 含……事实无抚养儿童
    ("儿童福利机构儿童", "400", "0", "医疗救助"),  # 含……儿童福利机构收留抚养儿童
    ("低保对象", "320", "80", "医疗救助"),
    ("低保人员", "320", "80", "医疗救助"),
    ("返贫致贫人口", "360", "40", "医疗救助"),
    ("脱贫不稳定人口", "280", "120", "医疗救助"),
    ("边缘易致贫人口", "280", "120", "医疗救助"),
    ("突发严重困难人口", "280", "120", "医疗救助"),
    # 1、2 级重度残疾人：残疾人就业保障金资助 320 元，个人缴纳 80 元
    ("重度残疾人", "320", "80", "残疾人就业保障金"),
    ("1、2级重度残疾人", "320", "80", "残疾人就业保障金"),
])
def test_the_table_row_by_row(category, assistance, due, source):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert q.personal_standard == Decimal("400")
    assert (q.assistance, q.due) == (Decimal(assistance), Decimal(due))
    assert q.assistance_source == source
    assert q.subsidies == () and q.after_subsidy == Decimal("0")  # Tunliu has no 先缴后补


@pytest.mark.parametrize("category", ["劳动模范", "防止返贫监测对象", "重点优抚对象", "低保边缘家庭成员"])
def test_groups_without_a_row_in_the_table_pay_400(category):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal("0"), Decimal("400"))


@pytest.mark.parametrize("categories, assistance, due, source", [
    # 特殊缴费：重度残疾人的资助只给“不属于医疗救助资助参保对象的”
    (["低保对象", "重度残疾人"], "320", "80", "医疗救助"),        # 低保 assisted by 医疗救助: 320 from 医疗救助
    (["脱贫不稳定人口", "重度残疾人"], "280", "120", "医疗救助"),  # NOT the 320 from 残保金, though larger
    (["边缘易致贫人口", "1、2级重度残疾人"], "280", "120", "医疗救助"),
    (["特困人员", "重度残疾人"], "400", "0", "医疗救助"),
    # 稳定脱贫: 医疗救助资助 0 元 — not a 医疗救助资助参保对象, so the disability assistance applies (see report)
    (["稳定脱贫人口", "重度残疾人"], "320", "80", "残疾人就业保障金"),
    # assistance never stacks; the most favourable applies
    (["低保对象", "返贫致贫人口"], "360", "40", "医疗救助"),
    (["脱贫不稳定人口", "低保对象"], "320", "80", "医疗救助"),
    (["低保对象", "孤儿"], "400", "0", "医疗救助"),
])
def test_several_categories(categories, assistance, due, source):
    q = ask(P, ADULT, IN, categories)
    assert_open(q)
    assert (q.assistance, q.due, q.assistance_source) == (Decimal(assistance), Decimal(due), source)
    assert len(lines_of(q, "assistance")) == 1


def test_the_quote_says_why_the_disability_assistance_does_not_apply():
    # not “the most favourable”: 320 > 280, but the document excludes 医疗救助资助参保对象 from the 残保金 assistance
    q = ask(P, ADULT, IN, ["脱贫不稳定人口", "重度残疾人"])
    notes = [line for line in lines_of(q, "note") if "重度残疾人" in line.text]
    assert len(notes) == 1
    assert "不属于医疗救助资助参保对象" in notes[0].text and "最有利" not in notes[0].text
    assert notes[0].clause.startswith(DOC) and "不属于医疗救助资助参保对象" in notes[0].clause


def test_assisted_members_are_warned_that_a_normal_payment_forfeits_assistance():
    # 特殊缴费：被资助人一旦办理正常缴费，将无法办理特殊缴费
    assert ask(P, ADULT, IN, ["低保对象"]).warnings
    assert not ask(P, ADULT, IN).warnings


@pytest.mark.parametrize("addons, total", [
    # 意外伤害保险标准为每人每年30元；“晋康保”分为基础版88元、尊享版128元
    (["意外伤害保险"], "30"),
    (["晋康保基础版"], "88"),
    (["晋康保尊享版"], "128"),
    (["意外伤害保险", "晋康保基础版"], "118"),
    (["意外伤害保险", "晋康保尊享版"], "158"),
])
def test_voluntary_commercial_addons(addons, total):
    q = ask(P, ADULT, IN, addons=addons)
    assert_open(q)
    assert q.addons_total == Decimal(total)
    assert q.due == Decimal("400") + Decimal(total)
    # the premium is unchanged by add-ons
    assert q.personal_standard == Decimal("400")


def test_addons_are_paid_in_full_even_when_the_premium_is_fully_assisted():
    # the table's assistance is for the 医保 premium; the commercial insurance is the member's own choice
    q = ask(P, ADULT, IN, ["特困人员"], addons=["意外伤害保险", "晋康保尊享版"])
    assert (q.assistance, q.due) == (Decimal("400"), Decimal("158"))


def test_jinkangbao_basic_and_premium_exclude_each_other():
    msgs = problems_of(P, ADULT, IN, addons=["晋康保基础版", "晋康保尊享版"])
    assert len(msgs) == 1 and "只能选一个" in msgs[0]


def test_long_term_care_is_not_offered_in_tunliu():
    msgs = problems_of(P, ADULT, IN, addons=["长期护理保险"])
    assert len(msgs) == 1 and "意外伤害保险" in msgs[0]  # lists the valid ones


@pytest.mark.parametrize("paid, open_", [
    (D(2024, 8, 31), False),   # before 2024-09-01
    (D(2024, 9, 1), True),     # first day
    (D(2024, 9, 25), True),    # 每月1–25日: the 25th is fine
    (D(2024, 9, 26), False),   # the 26th is refused
    (D(2024, 10, 31), False),
    (D(2024, 11, 1), True),
    (D(2024, 12, 25), True),
    (D(2024, 12, 26), False),
    (D(2025, 1, 1), True),
    (D(2025, 2, 25), True),    # last day of the window (a 25th)
    (D(2025, 2, 26), False),   # day after the window
    (D(2025, 3, 1), False),
])
def test_window_and_days_1_to_25(paid, open_):
    q = ask(P, ADULT, paid)
    if open_:
        assert_open(q)
        assert q.due == Decimal("400")
        assert (q.benefit_start, q.benefit_end) == (D(2025, 1, 1), D(2025, 12, 31))
    else:
        assert not q.open


def test_the_26th_is_refused_citing_the_days_clause():
    assert_closed(ask(P, ADULT, D(2024, 11, 26)), "每月1–25日")


@pytest.mark.parametrize("paid", [D(2025, 2, 26), D(2025, 3, 10), D(2025, 6, 1)])
def test_after_the_window_the_notice_is_silent_so_no_quote(paid):
    # the notice names only the 集中征缴期; no rule for payments after it
    q = ask(P, ADULT, paid)
    assert_closed(q, "集中征缴期")
    assert "2025-02-25" in q.reason


@pytest.mark.parametrize("paid, open_", [
    # 一、2024年出生的新生儿错过集中缴费期的，可于2025年3月底前办理参保缴费手续
    (D(2025, 2, 26), True),
    (D(2025, 3, 1), True),
    (D(2025, 3, 26), True),   # the extension is not limited to days 1–25 (it is outside the 集中征缴期)
    (D(2025, 3, 31), True),   # 3月底: the last day
    (D(2025, 4, 1), False),   # the day after
])
def test_newborn_of_2024_may_pay_until_end_of_march(paid, open_):
    q = ask(P, D(2024, 5, 1), paid)
    if open_:
        assert_open(q)
        assert (q.due, q.personal_standard) == (Decimal("400"), Decimal("400"))
        assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2025, 1, 1), D(2025, 12, 31), 0)
        assert any("2025-03-31" in line.text for line in lines_of(q, "note"))
    else:
        assert_closed(q)


@pytest.mark.parametrize("paid", [D(2024, 12, 26), D(2025, 1, 26), D(2025, 1, 31), D(2025, 2, 26), D(2025, 3, 27)])
def test_newborn_of_2024_may_pay_on_every_day_up_to_end_of_march(paid):
    # 一、2024年出生的新生儿错过集中缴费期（2024年9月1日—12月25日）的，可于2025年3月底前办理参保缴费手续:
    # for these newborns the days 1–25 of 二 do not apply; any day up to 2025-03-31 is open
    q = ask(P, D(2024, 5, 1), paid)
    assert_open(q)
    assert (q.due, q.benefit_start, q.waiting_days) == (Decimal("400"), D(2025, 1, 1), 0)


def test_adults_inside_the_window_still_keep_days_1_to_25():
    # 二、集中征缴期间每月1–25日可办理缴费 — for everyone else
    assert_closed(ask(P, ADULT, D(2025, 1, 26)), "1–25")
    assert_closed(ask(P, D(2023, 5, 1), D(2025, 1, 26)), "1–25")  # born 2023: no extension


def test_newborn_extension_keeps_the_table_assistance_and_addons():
    q = ask(P, D(2024, 12, 1), D(2025, 3, 15), ["低保对象"], addons=["意外伤害保险"])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal("320"), Decimal("110"))


def test_born_in_2023_has_no_extension():
    q = ask(P, D(2023, 12, 31), D(2025, 3, 1))
    assert_closed(q)


@pytest.mark.parametrize("birth, paid, start", [
    # 一、新生儿出生当年……当年不缴纳基本医疗保险费即可享受城乡居民医保待遇 — a child born in 2025 pays nothing
    (D(2025, 1, 10), D(2025, 1, 20), D(2025, 1, 10)),
    (D(2025, 3, 10), D(2025, 4, 1), D(2025, 3, 10)),   # after the window too: no payment at all
    (D(2025, 1, 10), D(2025, 1, 26), D(2025, 1, 10)),  # and not bound to days 1–25 (nothing is paid)
    (D(2025, 12, 30), D(2025, 12, 31), D(2025, 12, 30)),
])
def test_newborn_of_2025_is_free_for_2025(birth, paid, start):
    q = ask(P, birth, paid)
    assert_open(q)
    assert (q.due, q.personal_standard, q.assistance) == (Decimal("0"), Decimal("0"), Decimal("0"))
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (start, D(2025, 12, 31), 0)
    assert "当年不缴纳基本医疗保险费" in lines_of(q, "standard")[0].clause


def test_free_newborn_still_pays_chosen_commercial_insurance():
    q = ask(P, D(2025, 2, 1), D(2025, 2, 10), addons=["晋康保基础版"])
    assert (q.due, q.addons_total) == (Decimal("88"), Decimal("88"))


def test_every_open_quote_line_cites_the_notice():
    q = ask(P, ADULT, IN, ["脱贫不稳定人口", "重度残疾人"], addons=["意外伤害保险"])
    assert_open(q)
    assert all(line.clause.startswith(DOC) for line in q.lines if line.kind != "note")
