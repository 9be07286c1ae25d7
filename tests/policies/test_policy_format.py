"""Rules a clerk can say in a policy file without code changes (issue 11): grace periods, group windows,
动态新增, the file's own categories/add-ons/special cases with aliases, and every field honoured.

Each case edits a shipped file the way a clerk would copy it for a real notice, and quotes the sentence the
rule comes from.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.explain import explain_policy
from app.domain.policy_loader import load_policy_text
from app.domain.quote import quote
from app.domain.quote_model import CategoryFact, QuoteRequest, SpecialFact, normalize_request
from policy_quotes import D, edited
from policy_quotes import ask_policy as ask

ROOT = Path(__file__).resolve().parents[2]
ADULT = D(1960, 5, 1)


# ---------------------------------------------------------------- grace period (its own benefit rule, not [late])
NEXT_DAY = ("next_day_from = 2025-01-01\nnext_day_clause = \"三、集中缴费期：2025年1月1日至2025年2月28日期间完成居民医保缴费"
            "（含新参保）的，待遇享受期从缴费到账次日起计算\"\n", "")
GRACE = '''
[[grace]]
start = 2025-01-01
end = 2025-02-28
benefit_from = "next_day"
clause = "三、集中缴费期：2025年1月1日至2025年2月28日期间完成居民医保缴费（含新参保）的，待遇享受期从缴费到账次日起计算"
'''


@pytest.mark.parametrize("paid, start", [(D(2024, 12, 31), D(2025, 1, 1)), (D(2025, 1, 1), D(2025, 1, 2)),
                                         (D(2025, 2, 28), D(2025, 3, 1))])
def test_changchun_said_as_a_grace_period_gives_the_same_quotes(paid, start):
    # 长春 000 三、2025年1月1日至2025年2月28日期间完成居民医保缴费（含新参保）的，待遇享受期从缴费到账次日起计算
    p = edited("changchun-2025", NEXT_DAY, extra=GRACE)
    q = ask(p, paid)
    assert (q.open, q.due, q.benefit_start, q.waiting_days) == (True, Decimal(410), start, 0)
    assert q.timing == ("window" if paid.year == 2024 else "grace")


def test_a_grace_period_after_the_window_is_not_late_payment():
    # a notice whose window ends 12-31 with “1月1日至2月28日缴费的，自缴费次日起享受待遇” and 90 days for others
    p = edited("shuangqing-2025", extra=GRACE.replace("三、集中缴费期", "（示例）"))
    q = ask(p, D(2025, 2, 1))
    assert (q.timing, q.personal_standard, q.waiting_days, q.benefit_start) == ("grace", Decimal(400), 0, D(2025, 2, 2))
    late = ask(p, D(2025, 3, 1))  # after the grace period: [late] again, 400 + 670 and 90 days
    assert (late.timing, late.personal_standard, late.waiting_days) == ("late", Decimal(1070), 90)
    shown = explain_policy(p)
    assert "2025-01-01 至 2025-02-28 缴费的，按个人缴费标准，自缴费次日起享受待遇（不属于期外缴费）" in shown


# ---------------------------------------------------------------- group windows
STUDENTS = '''
[[group_windows]]
name = "在校学生"
students = true
start = 2024-07-01
end = 2025-02-28
clause = "（示例）在校学生可自2024年7月1日起由学校统一代收代缴"
'''


def test_students_may_pay_before_the_general_window():
    p = edited("changchun-2025", extra=STUDENTS)
    early = ask(p, D(2024, 7, 15), birth=D(2010, 3, 1), student=True)
    assert (early.open, early.timing, early.due, early.benefit_start) == (True, "group_window", Decimal(410),
                                                                          D(2025, 1, 1))
    assert not ask(p, D(2024, 7, 15)).open  # an adult waits for 2024-09-01


def test_a_group_window_may_be_keyed_by_category():
    p = edited("changchun-2025", extra=STUDENTS.replace("students = true", 'categories = ["特困人员"]'))
    assert ask(p, D(2024, 8, 1), ["特困人员"]).due == Decimal(10)  # 全额资助, 长护险 10 元
    assert not ask(p, D(2024, 8, 1), ["低保对象"]).open


# ---------------------------------------------------------------- 动态新增
DYNAMIC = '''
[dynamic]
categories = ["特困人员", "低保对象", "返贫致贫人口", "防止返贫监测对象"]
within_days = 90
benefit_from = "next_day"
clause = "（示例）集中缴费期后新认定的特困人员、低保对象、返贫致贫人口、防止返贫监测对象，自认定之日起90日内参保缴费的，按规定享受资助，自缴费次日起享受待遇"
'''


def test_dynamic_additions_are_keyed_by_the_recognition_date():
    p = edited("changchun-2025", extra=DYNAMIC)
    q = ask(p, D(2025, 4, 10), [("低保对象", D(2025, 4, 1))])
    assert (q.open, q.timing, q.assistance, q.due, q.benefit_start, q.waiting_days) == (
        True, "dynamic", Decimal(150), Decimal(260), D(2025, 4, 11), 0)
    # recognised inside the window: not a 动态新增 case, and 长春 says nothing of late payment
    assert not ask(p, D(2025, 4, 10), [("低保对象", D(2024, 10, 1))]).open
    # more than 90 days after recognition
    assert not ask(p, D(2025, 7, 1), [("低保对象", D(2025, 4, 1))]).open
    assert "动态新增：2025-02-28 以后新认定的特困人员、低保对象" in explain_policy(p)


def test_dynamic_and_a_next_year_cutoff_contradict_each_other():
    text = (ROOT / "policies" / "shuangqing-2025.toml").read_text(encoding="utf-8")
    _, problems = load_policy_text(text + DYNAMIC.replace("防止返贫监测对象\"]", "防止返贫监测对象\"]"), "s.toml")
    assert any("相互矛盾" in p.message for p in problems)


# ---------------------------------------------------------------- categories, add-ons and specials of the file
OWN = '''
[[categories]]
name = "计划生育特殊家庭成员"
aliases = ["计生特殊家庭"]
assistance = "fixed"
amount = 200
source = "财政"
clause = "（示例）对计划生育特殊家庭成员个人缴费部分给予每人200元资助"

[[addons]]
name = "惠民保"
label = "城市定制型商业医疗保险（惠民保）"
amount = 59
clause = "（示例）惠民保每人每年59元，自愿参加"

[[specials]]
name = "外地转入人员"
aliases = ["跨统筹区转入"]
benefit_from = "next_day"
clause = "（示例）跨统筹区转移接续的，自缴费次日起享受待遇"
'''


def test_a_district_defines_its_own_category_addon_and_special_case():
    p = edited("jilin-2024", extra=OWN)
    req = QuoteRequest(birth_date=ADULT, paid_on=D(2024, 3, 1), categories=(CategoryFact("计生特殊家庭"),),
                       addons=("惠民保",), special=SpecialFact("跨统筹区转入"))
    req, problems = normalize_request(p, req)
    assert problems == []
    q = quote(p, req)
    # 380 − 200 + 59; the special case: from the next day, no 90-day wait
    assert (q.due, q.assistance_category, q.benefit_start, q.waiting_days) == (Decimal(239), "计划生育特殊家庭成员",
                                                                              D(2024, 3, 2), 0)


def test_a_name_may_not_mean_two_things():
    text = (ROOT / "policies" / "jilin-2024.toml").read_text(encoding="utf-8")
    _, problems = load_policy_text(text + OWN.replace('aliases = ["计生特殊家庭"]', 'aliases = ["低保对象"]'), "j.toml")
    assert any("既指" in p.message for p in problems)


# ---------------------------------------------------------------- every field honoured
def test_benefit_from_birth_is_honoured():
    # 双清 三、（四）3.（1）新生儿在出生后90天内参保并缴纳出生年度居民医保费，自出生之日起……纳入医保报销
    born, paid = D(2025, 3, 1), D(2025, 4, 1)
    p = edited("shuangqing-2025")
    assert ask(p, paid, birth=born).benefit_start == born
    without = edited("shuangqing-2025", ("benefit_from_birth = true\n", ""))
    assert ask(without, paid, birth=born).benefit_start == D(2025, 4, 2)


def test_benefit_from_recognition_is_honoured():
    # 双清 三、（四）3.（2）儿童福利机构接收的儿童……自进入儿童福利机构之日起享受医保待遇
    entered, paid = D(2025, 3, 1), D(2025, 3, 20)
    p = edited("shuangqing-2025")
    assert ask(p, paid, [("儿童福利机构儿童", entered)]).benefit_start == entered
    without = edited("shuangqing-2025", ("benefit_from_recognition = true\n", ""))
    assert ask(without, paid, [("儿童福利机构儿童", entered)]).benefit_start == paid


# ---------------------------------------------------------------- waiting periods in months (潍坊：3个月的固定待遇等待期)
def test_waiting_months_are_calendar_months_and_checked():
    text = (ROOT / "policies" / "weifang-2025.toml").read_text(encoding="utf-8")
    both = text.replace("waiting_months = 3", "waiting_months = 3\nwaiting_days = 90")
    _, problems = load_policy_text(both, "w.toml")
    assert any("waiting_days 与 waiting_months 只能写一个" in p.message for p in problems)
    absurd = text.replace("waiting_months = 3", "waiting_months = 30")
    _, problems = load_policy_text(absurd, "w.toml")
    assert any("等待期 30 个月不合理" in p.message for p in problems)
    bare = text.replace('waiting_clause = "二、未在集中缴费期内', 'note_clause = "二、未在集中缴费期内')
    _, problems = load_policy_text(bare, "w.toml")
    assert any("waiting_clause" in p.message for p in problems)
    p = edited("weifang-2025", ("waiting_months = 3", "waiting_months = 1"))
    q = ask(p, D(2025, 1, 31))  # 2月1日 — 2月28日 (one month), benefit from 3月1日
    assert (q.benefit_start, q.waiting_days) == (D(2025, 3, 1), 28)
