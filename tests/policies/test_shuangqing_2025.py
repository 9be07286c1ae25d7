"""双清区 2025 年度（双政办发〔2024〕11号，种子文件 004）— expected values from the document's words.

Key sentences:
  三、（三）2024年居民医保财政补助标准为670元/人。
  三、（四）1. 个人缴费标准 400 元/人。2. 集中参保缴费期 2024-09-01 至 12-31，待遇享受期 2025-01-01 至 12-31；新入学
      大中专院校学生医保待遇享受期为 2024-09-01 至 2025-12-31。3. 期外缴费按个人缴费标准加财政补助标准之和缴费，并设置
      待遇等待期；特殊情形按个人缴费标准：（1）新生儿出生后 90 天内……自出生之日起；（2）儿童福利机构接收的儿童……自进入
      儿童福利机构之日起，期外由儿童福利机构全额资助；（3）职工医保断保 90 天内……自断保之日起；（4）退役军人、征兵
      工作退回人员、刑满释放人员、社区矫正对象……自参保缴费之日起。
  三、（五）1. 特困供养、孤儿、事实无人抚养儿童：医疗救助全额；低保、低保边缘家庭成员：50%，200 元；重度残疾人：财政
      全额；防止返贫监测对象：财政 50%，200 元；部分重点优抚对象：区退役军人事务局全额。4. 期外动态新增的困难对象纳入下一年度。
  三、（六）待遇等待期 3 个月（按 90 天计算）。本通知有效期至 2025 年 12 月 31 日。
"""

from decimal import Decimal

import pytest

from policy_quotes import D, ask, assert_closed, assert_open, lines_of

P = "shuangqing-2025"
ADULT = D(1960, 5, 1)
IN = D(2024, 10, 8)


def test_ordinary_member_pays_400_in_the_window():
    q = ask(P, ADULT, IN)
    assert_open(q)
    assert (q.personal_standard, q.assistance, q.due, q.addons) == (Decimal("400"), Decimal("0"), Decimal("400"), ())
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2025, 1, 1), D(2025, 12, 31), 0)


@pytest.mark.parametrize("category, assistance, due, source", [
    # 三、（五）1.（1）特困供养人员、孤儿、事实无人抚养儿童：医疗救助资金全额资助
    ("特困人员", "400", "0", "医疗救助"),
    ("特困供养人员", "400", "0", "医疗救助"),
    ("孤儿", "400", "0", "医疗救助"),
    ("事实无人抚养儿童", "400", "0", "医疗救助"),
    # （1）最低生活保障对象、最低生活保障边缘家庭成员：医疗救助等给予50%资助，资助标准为200元/人
    ("低保对象", "200", "200", "医疗救助"),
    ("最低生活保障对象", "200", "200", "医疗救助"),
    ("低保边缘家庭成员", "200", "200", "医疗救助"),
    ("最低生活保障边缘家庭成员", "200", "200", "医疗救助"),
    # （2）重度残疾人：财政资金全额资助
    ("重度残疾人", "400", "0", "财政"),
    # （3）防止返贫监测对象：财政资金 50%，200元/人; 一、“防止返贫监测对象”（包括脱贫不稳定户、边缘易致贫户、突发严重困难户）
    ("防止返贫监测对象", "200", "200", "财政"),
    ("脱贫不稳定人口", "200", "200", "财政"),
    ("边缘易致贫人口", "200", "200", "财政"),
    ("突发严重困难人口", "200", "200", "财政"),
    # （4）部分重点优抚对象：区退役军人事务局全额资助
    ("重点优抚对象", "400", "0", "区退役军人事务局"),
    ("部分重点优抚对象", "400", "0", "区退役军人事务局"),
])
def test_each_category_named_by_the_document(category, assistance, due, source):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due, q.assistance_source) == (Decimal(assistance), Decimal(due), source)
    assert q.subsidies == ()


@pytest.mark.parametrize("category", [
    # not named with an amount: （5）“其他困难群体……通过医疗救助资金给予分类资助” gives no figure
    "稳定脱贫人口", "返贫致贫人口", "劳动模范",
    # 儿童福利机构儿童 in the window: assisted “按认定类别”, i.e. only through another category (孤儿 …)
    "儿童福利机构儿童",
])
def test_categories_without_an_amount_pay_the_standard(category):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal("0"), Decimal("400"))


def test_welfare_institution_child_in_the_window_is_assisted_by_its_recognised_category():
    # 三、（四）3.（2）集中参保缴费规定时间内……由医疗救助资金按认定类别予以资助
    q = ask(P, D(2015, 1, 1), IN, ["儿童福利机构儿童", "孤儿"])
    assert (q.assistance, q.due, q.assistance_source) == (Decimal("400"), Decimal("0"), "医疗救助")


@pytest.mark.parametrize("categories, assistance, due", [
    (["低保对象", "重度残疾人"], "400", "0"),           # most favourable: full
    (["低保对象", "防止返贫监测对象"], "200", "200"),    # 200 once, not 400
    (["低保边缘家庭成员", "脱贫不稳定人口"], "200", "200"),
])
def test_assistance_never_stacks(categories, assistance, due):
    q = ask(P, ADULT, IN, categories)
    assert (q.assistance, q.due) == (Decimal(assistance), Decimal(due))
    assert len(lines_of(q, "assistance")) == 1


@pytest.mark.parametrize("paid, open_", [
    (D(2024, 8, 31), False),  # day before 2024-09-01
    (D(2024, 9, 1), True),    # first day
    (D(2024, 12, 31), True),  # last day
])
def test_window_boundaries(paid, open_):
    q = ask(P, ADULT, paid)
    if open_:
        assert_open(q)
        assert (q.due, q.benefit_start, q.waiting_days) == (Decimal("400"), D(2025, 1, 1), 0)
    else:
        assert_closed(q, "2024-09-01")


@pytest.mark.parametrize("paid, benefit_start", [
    # 三、（四）3. 期外：个人缴费标准 400 + 财政补助标准 670 = 1070，并设置待遇等待期；（六）按 90 天计算
    (D(2025, 1, 1), D(2025, 4, 2)),      # the day after the window: waiting 01-02 … 04-01
    (D(2025, 2, 1), D(2025, 5, 3)),
    (D(2025, 10, 1), D(2025, 12, 31)),   # last payment whose benefit starts inside 2025
])
def test_late_payment_costs_personal_plus_fiscal_with_90_day_waiting(paid, benefit_start):
    q = ask(P, ADULT, paid)
    assert_open(q)
    assert (q.personal_standard, q.due) == (Decimal("1070"), Decimal("1070"))
    assert [line.amount for line in lines_of(q, "surcharge")] == [Decimal("670")]
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (benefit_start, D(2025, 12, 31), 90)


def test_waiting_that_would_end_after_2025_is_closed():
    assert_closed(ask(P, ADULT, D(2025, 10, 2)), "2026-01-01")
    # 本通知有效期……至 2025 年 12 月 31 日
    assert_closed(ask(P, ADULT, D(2026, 1, 1)), "2025-12-31")


def test_late_payment_by_an_assisted_member_keeps_the_assistance_amount():
    # The document prices late payment at 400 + 670; assistance is stated per person (200 元/人, 全额 = the
    # 400 personal standard). The engine deducts that amount from 1070 and keeps the waiting period (see report).
    q = ask(P, ADULT, D(2025, 1, 1), ["低保对象"])
    assert (q.personal_standard, q.assistance, q.due, q.waiting_days) == (
        Decimal("1070"), Decimal("200"), Decimal("870"), 90)


@pytest.mark.parametrize("birth, paid, due, waiting, start", [
    # 三、（四）3.（1）新生儿在出生后90天内参保并缴纳出生年度居民医保费，自出生之日起……纳入医保报销
    (D(2025, 1, 10), D(2025, 2, 1), "400", 0, D(2025, 1, 10)),
    (D(2025, 1, 10), D(2025, 4, 10), "400", 0, D(2025, 1, 10)),   # 90 days after birth
    (D(2025, 1, 10), D(2025, 4, 11), "1070", 90, D(2025, 7, 11)),  # 91 days: the general late rule
    # born in 2024: its 出生年度 is 2024, not the 2025 year this document prices — a late payer for 2025
    (D(2024, 11, 20), D(2025, 1, 5), "1070", 90, D(2025, 4, 6)),
    # born during the window and paying in it: ordinary in-window payment
    (D(2024, 10, 1), D(2024, 11, 1), "400", 0, D(2025, 1, 1)),
])
def test_newborns(birth, paid, due, waiting, start):
    q = ask(P, birth, paid)
    assert_open(q)
    assert q.due == Decimal(due)
    assert (q.waiting_days, q.benefit_start) == (waiting, start)


def test_newborn_with_a_category_is_assisted_too():
    q = ask(P, D(2025, 1, 10), D(2025, 3, 1), ["特困人员"])
    assert (q.personal_standard, q.assistance, q.due, q.benefit_start) == (
        Decimal("400"), Decimal("400"), Decimal("0"), D(2025, 1, 10))


def test_new_college_student_benefit_from_2024_09_01():
    # 三、（四）2. 新入学大中专院校学生医保待遇享受期为2024年9月1日至2025年12月31日
    q = ask(P, D(2006, 3, 1), D(2024, 9, 10), special="新入学大中专学生")
    assert_open(q)
    assert (q.due, q.benefit_start, q.benefit_end, q.waiting_days) == (
        Decimal("400"), D(2024, 9, 1), D(2025, 12, 31), 0)


def test_new_college_student_paying_late_is_not_a_listed_special_case():
    # the four 特殊情形 of 三、（四）3. do not include new students: late payment costs 1070 with waiting
    q = ask(P, D(2006, 3, 1), D(2025, 1, 10), special="新入学大中专学生")
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal("1070"), 90, D(2025, 4, 11))


@pytest.mark.parametrize("special", ["退役军人", "征兵退回人员", "刑满释放人员", "社区矫正对象"])
def test_veterans_and_others_pay_400_with_benefit_from_payment(special):
    # 三、（四）3.（4）……接续当年度医保关系，可自参保缴费之日起享受医保待遇 (按当年度个人缴费标准)
    q = ask(P, ADULT, D(2025, 6, 15), special=special)
    assert_open(q)
    assert (q.due, q.waiting_days, q.benefit_start, q.benefit_end) == (
        Decimal("400"), 0, D(2025, 6, 15), D(2025, 12, 31))


def test_veteran_paying_in_the_window_is_an_ordinary_in_window_payment():
    q = ask(P, ADULT, IN, special="退役军人")
    assert (q.due, q.benefit_start) == (Decimal("400"), D(2025, 1, 1))


@pytest.mark.parametrize("event, paid, start", [
    # 三、（四）3.（3）在断保90天内……参保并缴纳……，可自职工医保断保之日起享受居民医保待遇
    (D(2025, 3, 1), D(2025, 3, 20), D(2025, 3, 1)),
    (D(2025, 3, 1), D(2025, 5, 30), D(2025, 3, 1)),   # 90 days after the break
])
def test_employee_insurance_break_within_90_days(event, paid, start):
    q = ask(P, ADULT, paid, special=f"职工医保断保:{event.isoformat()}")
    assert_open(q)
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal("400"), 0, start)


def test_employee_insurance_break_after_90_days_falls_to_the_general_late_rule():
    # （3）的条件（断保90天内）不满足 → 三、（四）3.“除规定的特殊情形外……按照个人缴费标准加财政补助标准之和缴费，
    # 并设置待遇等待期”: 1070, 90 days from the day after payment
    q = ask(P, ADULT, D(2025, 5, 31), special="职工医保断保:2025-03-01")
    assert_open(q)
    assert (q.due, q.waiting_days, q.benefit_start) == (Decimal("1070"), 90, D(2025, 8, 30))
    assert any("90 天" in line.text for line in lines_of(q, "note"))


def test_employee_insurance_break_without_a_date_is_refused():
    assert_closed(ask(P, ADULT, D(2025, 5, 31), special="职工医保断保"), "日期")


@pytest.mark.parametrize("recognised, paid, assistance, due", [
    # 三、（五）4. 在集中参保缴费期内动态新增的困难对象，可享受 2025 年度参保资助政策，实行同缴同补
    ("2024-12-31", D(2024, 12, 31), "200", "200"),
    ("2024-10-01", D(2024, 10, 8), "200", "200"),
    # recognised after paying: nothing to deduct at that payment (“同缴同补”)
    ("2024-12-31", D(2024, 10, 8), "0", "400"),
    # 在集中参保缴费期外动态新增的困难对象，纳入下一年度参保缴费资助范围
    ("2025-01-05", D(2025, 2, 1), "0", "1070"),
])
def test_recognition_cut_off(recognised, paid, assistance, due):
    q = ask(P, ADULT, paid, [f"低保对象:{recognised}"])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal(assistance), Decimal(due))


def test_recognition_after_cut_off_is_explained():
    q = ask(P, ADULT, D(2025, 2, 1), ["低保对象:2025-01-05"])
    assert any("下一年度" in line.text for line in lines_of(q, "note"))


@pytest.mark.parametrize("entered, paid, start", [
    # 三、（四）3.（2）儿童福利机构接收的儿童……可随参随缴，自进入儿童福利机构之日起享受医保待遇……集中参保缴费
    # 规定时间外的，其参保费用，由儿童福利机构全额资助 — 按当年度个人缴费标准 400, all paid by the institution
    (D(2024, 12, 20), D(2025, 3, 1), D(2025, 1, 1)),   # entered before the year: benefit from 2025-01-01
    # entered in 2025, after the 2024-12-31 recognition cut-off of 三、（五）4.: the institution's own rule still
    # applies (随参随缴, 自进入之日起) — the cut-off is about 参保资助 for 动态新增的困难对象, not this payment
    (D(2025, 2, 20), D(2025, 3, 1), D(2025, 2, 20)),
    (D(2025, 6, 1), D(2025, 6, 3), D(2025, 6, 1)),
    (None, D(2025, 3, 1), D(2025, 3, 1)),              # entry date not given: from the payment
])
def test_welfare_institution_child_after_the_window(entered, paid, start):
    spec = "儿童福利机构儿童" + (f":{entered.isoformat()}" if entered else "")
    q = ask(P, D(2015, 1, 1), paid, [spec])
    assert_open(q)
    assert (q.personal_standard, q.assistance, q.due) == (Decimal("400"), Decimal("400"), Decimal("0"))
    assert q.assistance_source == "儿童福利机构"
    assert (q.waiting_days, q.benefit_start) == (0, start)


def test_every_line_cites_the_document_number():
    q = ask(P, ADULT, D(2025, 2, 1), ["低保对象"])
    assert_open(q)
    assert all(line.clause.startswith("双政办发〔2024〕11号") for line in q.lines if line.clause)
