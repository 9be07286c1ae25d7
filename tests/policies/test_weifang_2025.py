"""潍坊市 2025 年度（潍坊市医疗保障局、潍坊市财政局、国家税务总局潍坊市税务局 2024年10月17日通告，《潍坊晚报》
2024年10月21日；不在种子文件中，written by the file format only). The notice's words:

  经市政府研究同意，我市自即日起，在全市开展2025年度城乡居民医保参保缴费工作。
  二、参保缴费标准
  成年居民低档每人每年400元，高档每人每年510元；学生、儿童每人每年380元。低收入困难群众参保享受政府资助。在集中
  缴费期内完成参保缴费的，自2025年1月1日起享受待遇；未在集中缴费期内参保缴费的，在缴纳个人缴费部分后，有3个月
  的固定待遇等待期，待遇等待期内发生的医疗费用，由个人承担。征缴时间原则上截至2024年12月31日。
  自2025年起，未连续参保缴费的，除设置3个月固定待遇等待期外，每多断保1年，在固定待遇等待期基础上增加1个月等待期。

What the notice leaves out (高档 as a choice, the assisted groups' amounts, the age of a 儿童, the benefit end and
the last day to pay late, the extra month per year of interruption) is said in the file's header; the cases below
that depend on those readings say so.
"""

from decimal import Decimal

import pytest

from app.domain.explain import explain_policy
from app.policy_catalog import get_policy
from policy_quotes import D, ask, assert_closed, assert_open

P = "weifang-2025"
ADULT = D(1960, 5, 1)
IN = D(2024, 11, 1)


@pytest.mark.parametrize("birth, student, due", [
    (ADULT, False, "400"),            # 成年居民低档每人每年400元
    (D(2003, 9, 1), True, "380"),     # 学生……每人每年380元 (an adult student)
    (D(2019, 6, 1), False, "380"),    # 儿童每人每年380元
    (D(2007, 1, 1), False, "380"),    # reading: 儿童 = 未满18周岁 (born 2007-01-01 or later; see the file)
    (D(2006, 12, 31), False, "400"),  # 18 in 2024: an adult
])
def test_the_published_standards(birth, student, due):
    q = ask(P, birth, IN, student=student)
    assert_open(q)
    assert q.due == Decimal(due) and q.assistance == 0 and q.addons == ()
    # 在集中缴费期内完成参保缴费的，自2025年1月1日起享受待遇
    assert (q.benefit_start, q.benefit_end, q.waiting_days, q.timing) == (D(2025, 1, 1), D(2025, 12, 31), 0, "window")


def test_the_window_opens_on_the_notice_date_and_closes_on_31_december():
    # 我市自即日起……开展（落款2024年10月17日）; 征缴时间原则上截至2024年12月31日
    assert_closed(ask(P, ADULT, D(2024, 10, 16)), "尚不能缴费")
    assert ask(P, ADULT, D(2024, 10, 17)).timing == "window"
    assert ask(P, ADULT, D(2024, 12, 31)).timing == "window"


@pytest.mark.parametrize("paid, start, days", [
    # 未在集中缴费期内参保缴费的……有3个月的固定待遇等待期: three calendar months from the day after payment
    (D(2025, 1, 1), D(2025, 4, 2), 90),    # 1月2日—4月1日
    (D(2025, 1, 15), D(2025, 4, 16), 90),
    (D(2025, 3, 31), D(2025, 7, 1), 91),   # 4月1日—6月30日: 91 days, not 90
    (D(2025, 5, 31), D(2025, 9, 1), 92),   # 6月1日—8月31日
    (D(2025, 9, 30), D(2025, 12, 31), 91),
])
def test_late_payment_waits_three_months(paid, start, days):
    q = ask(P, ADULT, paid)
    assert_open(q)
    assert (q.timing, q.due, q.benefit_start, q.benefit_end, q.waiting_days) == ("late", Decimal(400), start,
                                                                                  D(2025, 12, 31), days)
    waiting = next(line for line in q.lines if line.kind == "waiting")
    assert waiting.text.startswith("待遇等待期 3 个月") and "每多断保1年" in waiting.clause  # cited, decided by hand


def test_a_payment_whose_waiting_ends_after_the_year_is_not_quoted():
    assert_closed(ask(P, ADULT, D(2025, 10, 1)), "已晚于本年度待遇享受期结束日")


def test_the_notice_gives_no_assisted_amounts_and_the_summary_says_so():
    # 低收入困难群众参保享受政府资助 — no groups, no amounts in this notice: nothing is deducted
    policy = get_policy(P)
    assert policy.categories == () and policy.subsidies == ()
    text = explain_policy(policy)
    assert "本政策文件未写资助类别和金额" in text and "期外缴费：至 2025-12-31，按个人缴费标准，等待期 3个月" in text
    assert "学生、儿童（在校学生、2007-01-01 及以后出生）：380.00 元" in text


def test_a_notice_printed_after_the_window_states_the_three_months():
    from app.paper.model import notice_terms

    terms = notice_terms(get_policy(P), D(2025, 1, 10))
    assert "自缴费次日起设3个月待遇等待期" in terms.after_window and "90天" not in terms.after_window
