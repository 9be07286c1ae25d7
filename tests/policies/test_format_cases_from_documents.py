"""Grace periods, group windows and 动态新增, each on an edited copy of a shipped file, each imitating a
published text that is named here (issue 11). Neither real notice written without the seeds (jilinshi-2024,
weifang-2025) has such a rule, so each case below says which words it imitates, where they were published,
and where the edit goes beyond them.

1. Grace period — 长春 000（长医保联〔2024〕5号，seed 000）三：“2025年1月1日至2025年2月28日期间完成居民医保缴费（含新参保）
   的，待遇享受期从缴费到账次日起计算”, put on 潍坊's file, whose window ends 2024-12-31 and whose late payers wait
   3 months. Beyond the text: 潍坊 has no such period; the edit asks what the engine does if it had.
2. Group window — “在校学生在每年9月1日至12月31日，由所在学校统一办理参保缴费手续”（a published Q&A citing 人民网,
   https://w.sf024.com/info/463594076.html), put on 潍坊's file, whose general window opens only on 2024-10-17
   (“自即日起”). Beyond the text: which year's standard the school collects is assumed to be 2025's.
3. 动态新增 — 云南省医疗保障局, 2025年度参保缴费（http://yuxinet.cn/c/2024/09/05/946721.shtml, 2024-09-05）三：
   “新生儿、低收入人口……等特殊群体不受当年集中缴费时间的限定”, put on 长春 2025 (whose file otherwise refuses
   payment after its window). Beyond the text: 云南 does not say from when benefits start nor key it by the
   recognition date; the edit keys it by recognition after the window and starts benefits the day after payment
   (``benefit_from = "next_day"``), the file format's default — a clerk copying 云南's text would have to ask.
"""

from decimal import Decimal

from app.domain.explain import explain_policy
from policy_quotes import D, edited
from policy_quotes import ask_policy as ask

ADULT = D(1960, 5, 1)
CHANGCHUN_GRACE = "2025年1月1日至2025年2月28日期间完成居民医保缴费（含新参保）的，待遇享受期从缴费到账次日起计算"
SCHOOL = "在校学生在每年9月1日至12月31日，由所在学校统一办理参保缴费手续"
YUNNAN = "新生儿、低收入人口、职工医保3个月内转居民医保人员、退役军人及随军未就业家属等特殊群体不受当年集中缴费时间的限定"


# ---------------------------------------------------------------- 1. grace period (长春 000 三's words)
WEIFANG_GRACE = f'''
[[grace]]
start = 2025-01-01
end = 2025-02-28
benefit_from = "next_day"
clause = "（仿长春 长医保联〔2024〕5号 三）{CHANGCHUN_GRACE}"
'''


def test_a_grace_period_in_the_words_of_changchun_on_weifangs_file():
    p = edited("weifang-2025", extra=WEIFANG_GRACE)
    window = ask(p, D(2024, 12, 31))
    assert (window.timing, window.due, window.benefit_start) == ("window", Decimal(400), D(2025, 1, 1))
    # 2025年1月1日至2025年2月28日期间完成缴费的，待遇享受期从缴费到账次日起计算: no waiting, no surcharge
    for paid, start in [(D(2025, 1, 1), D(2025, 1, 2)), (D(2025, 2, 28), D(2025, 3, 1))]:
        q = ask(p, paid)
        assert (q.timing, q.due, q.benefit_start, q.waiting_days) == ("grace", Decimal(400), start, 0)
        assert CHANGCHUN_GRACE in next(line.clause for line in q.lines if line.kind == "benefit")
    # after it, 潍坊's own rule again: 3个月的固定待遇等待期
    late = ask(p, D(2025, 3, 1))
    assert (late.timing, late.benefit_start, late.waiting_days) == ("late", D(2025, 6, 2), 92)
    assert "2025-01-01 至 2025-02-28 缴费的" in explain_policy(p)


# ---------------------------------------------------------------- 2. group window (school collection from 9月1日)
WEIFANG_SCHOOL = f'''
[[group_windows]]
name = "在校学生"
students = true
start = 2024-09-01
end = 2024-12-31
clause = "（仿 人民网 学生医保 问答）{SCHOOL}"
'''


def test_students_pay_through_school_before_weifangs_general_window_opens():
    p = edited("weifang-2025", extra=WEIFANG_SCHOOL)
    student = ask(p, D(2024, 9, 15), birth=D(2010, 3, 1), student=True)
    assert (student.open, student.timing, student.due, student.benefit_start) == (True, "group_window", Decimal(380),
                                                                                  D(2025, 1, 1))
    adult = ask(p, D(2024, 9, 15))  # 潍坊: 自即日起（2024-10-17）
    assert not adult.open and "尚不能缴费" in adult.reason
    assert ask(p, D(2024, 10, 17)).timing == "window"


# ---------------------------------------------------------------- 3. 动态新增 (云南: 不受当年集中缴费时间的限定)
CHANGCHUN_DYNAMIC = f'''
[dynamic]
categories = ["特困人员", "低保对象", "返贫致贫人口", "防止返贫监测对象"]
benefit_from = "next_day"
clause = "（仿云南省医疗保障局 2025年度参保缴费 三）{YUNNAN}"
'''


def test_low_income_members_recognised_after_the_window_may_still_enrol_assisted():
    p = edited("changchun-2025", extra=CHANGCHUN_DYNAMIC)
    # 低保 recognised 2025-04-01, after 长春's window: enrols at the assisted rate (400 + 10 − 150), next day
    q = ask(p, D(2025, 6, 10), [("低保对象", D(2025, 4, 1))])
    assert (q.open, q.timing, q.assistance, q.due, q.benefit_start, q.waiting_days) == (
        True, "dynamic", Decimal(150), Decimal(260), D(2025, 6, 11), 0)
    assert YUNNAN in next(line.clause for line in q.lines if line.kind == "benefit")
    # 云南's words name the groups, not the date: a 低保 member recognised back in 2024 who simply did not pay is
    # not newly added — 长春's file (no late payment) still refuses, as it did before the edit
    assert not ask(p, D(2025, 6, 10), [("低保对象", D(2024, 10, 1))]).open
    assert not ask(p, D(2025, 6, 10)).open  # nor anyone else
