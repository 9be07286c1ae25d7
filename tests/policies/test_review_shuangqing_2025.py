"""Reviewer's cases for 双政办发〔2024〕11号 (邵阳市双清区 2025, seed 004), written from the document before the code.

Each case quotes the sentence it comes from. Adults are born 1985-08-01.
"""

import pytest

from policy_quotes import ask
from review_helpers import D, M, claim, cli_quote, ledger_member, make_id, new_ledger, refund

P = "shuangqing-2025"
ADULT = D(1985, 8, 1)
IN = D(2024, 10, 8)


def test_ordinary_member_in_the_window_pays_400_for_2025():
    """三（四）1. 2025年度全省居民医保个人缴费标准统一为400元/人。 2. 集中参保缴费期为2024年9月1日至12月31日,待遇享受期
    为2025年1月1日至12月31日。"""
    q = ask(P, ADULT, IN)
    assert q.open and (q.due, q.assistance) == (M(400), M(0))
    assert (q.benefit_start, q.benefit_end, q.waiting_days or 0) == (D(2025, 1, 1), D(2025, 12, 31), 0)


@pytest.mark.parametrize("paid", [D(2024, 9, 1), D(2024, 12, 31)])
def test_window_edges(paid):
    """三（四）2. 集中参保缴费期为2024年9月1日至12月31日。"""
    assert ask(P, ADULT, paid).due == M(400)


def test_late_payment_is_400_plus_670_with_90_day_wait():
    """三（四）3. 在集中参保缴费期外参保缴费的，按照个人缴费标准加财政补助标准之和缴费，并设置待遇等待期。
    三（三）2024年居民医保财政补助标准为670元/人。 三（六）设置参保后固定待遇等待期 3 个月（按 90 天计算）。
    Ambiguity: 2025's 财政补助标准 is “按照国家规定执行” (not a number); the only number printed is 670."""
    q = ask(P, ADULT, D(2025, 1, 2))
    assert q.open and q.due == M(1070) and q.waiting_days == 90


def test_late_wait_ends_90_days_after_payment():
    """三（六）设置参保后固定待遇等待期 3 个月（按 90 天计算）。 Paid 2025-03-01. Ambiguity: counted from the payment
    day (benefit 05-30) or the day after (05-31); either is accepted here."""
    q = ask(P, ADULT, D(2025, 3, 1))
    assert q.benefit_start in (D(2025, 5, 30), D(2025, 5, 31))


@pytest.mark.parametrize("category, due", [
    ("特困人员", 0), ("孤儿", 0), ("事实无人抚养儿童", 0), ("低保对象", 200), ("低保边缘家庭成员", 200),
    ("重度残疾人", 0), ("防止返贫监测对象", 200), ("重点优抚对象", 0)])
def test_assistance_by_category(category, due):
    """三（五）1.(1) 特困供养人员、孤儿、事实无人抚养儿童……全额资助；最低生活保障对象、最低生活保障边缘家庭成员……50%资助，
    资助标准为200元/人。(2) 重度残疾人……全额资助。(3) 防止返贫监测对象……50%资助，资助标准为200元/人。
    (4) 部分重点优抚对象……由区退役军人事务局全额资助。"""
    q = ask(P, ADULT, IN, [category])
    assert (q.due, q.assistance) == (M(due), M(400 - due))


def test_monitored_subgroups_are_monitored_objects():
    """一、“防止返贫监测对象”（包括脱贫不稳定户、边缘易致贫户、突发严重困难户） → 三（五）1.(3) 200元/人."""
    for category in ("脱贫不稳定人口", "边缘易致贫人口", "突发严重困难人口"):
        assert ask(P, ADULT, IN, [category]).due == M(200), category


def test_veterans_assistance_comes_from_the_veterans_bureau():
    """三（五）1.(4) 对区辖部分重点优抚对象参加居民医保的个人缴费部分，由区退役军人事务局全额资助。"""
    q = ask(P, ADULT, IN, ["重点优抚对象"])
    assert "退役军人" in (q.assistance_source or "")


def test_newly_recognised_in_the_window_is_assisted_at_the_counter():
    """三（五）4. 在集中参保缴费期内相关部门动态新增的困难对象，可享受 2025 年度参保资助政策，实行同缴同补。"""
    q = ask(P, ADULT, D(2024, 11, 15), ["低保对象:2024-11-01"])
    assert q.due == M(200)


def test_newly_recognised_after_the_window_goes_to_next_year():
    """三（五）4. 在集中参保缴费期外相关部门动态新增的困难对象，纳入下一年度参保缴费资助范围。 Recognised 2025-01-15, paying
    2025-02-01: no 2025 assistance; as a late payer 三（四）3. applies (1,070, wait)."""
    q = ask(P, ADULT, D(2025, 2, 1), ["低保对象:2025-01-15"])
    assert q.assistance == 0 and q.due == M(1070)


def test_paid_400_then_recognised_dibao_inside_the_window_is_owed_200():
    """三（五）4. 在集中参保缴费期内相关部门动态新增的困难对象，可享受 2025 年度参保资助政策，实行同缴同补，个人只需按规定缴纳
    部分资金。 Paid 400 on 2024-10-08, 低保 recognised 2024-11-01 (still in the window). Ambiguity: “同缴同补” may mean
    the help exists only when paying after recognition; reading chosen: the sentence's subject is everyone newly
    recognised in the window, who “可享受 2025 年度参保资助政策” — so 200 is owed back. Also 三（五）5.:
    “可在户籍地申请享受参保资助政策” shows that 资助 can be applied for after paying."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2024, 11, 1))
    assert c.owed and c.total == M(200)


def test_paid_400_then_recognised_after_the_window_gets_nothing():
    """三（五）4. 在集中参保缴费期外相关部门动态新增的困难对象，纳入下一年度参保缴费资助范围。"""
    _, c = claim(P, ADULT, IN, "低保对象", D(2025, 3, 1))
    assert not c.owed and c.total == 0


@pytest.mark.parametrize("birth, paid", [(D(2025, 2, 1), D(2025, 4, 15)), (D(2025, 1, 1), D(2025, 3, 31))])
def test_newborn_within_90_days_pays_400_with_benefit_from_birth(birth, paid):
    """三（四）3.(1) 新生儿在出生后90天内参保并缴纳出生年度居民医保费，自出生之日起所发生的合规医疗费用均可纳入医保报销。
    以下特殊情形，均按当年度居民医保个人缴费标准执行。"""
    q = ask(P, birth, paid)
    assert q.open and q.due == M(400) and not q.waiting_days
    assert q.benefit_start == birth


def test_newborn_after_90_days_is_an_ordinary_late_payer():
    """三（四）3.(1) 出生后90天内 only — born 2025-01-01, paid 2025-05-01 (120 days): 400 + 670, wait."""
    q = ask(P, D(2025, 1, 1), D(2025, 5, 1))
    assert q.due == M(1070) and q.waiting_days == 90


def test_employee_insurance_lapse_within_90_days():
    """三（四）3.(3) 因劳动关系终止导致职工医保断保的人员，在断保90天内凭职工医保参保缴费证明参保并缴纳断保年度居民医保费，
    可自职工医保断保之日起享受居民医保待遇。"""
    q = ask(P, ADULT, D(2025, 3, 1), special="职工医保断保:2025-02-10")
    assert (q.due, q.benefit_start, q.waiting_days or 0) == (M(400), D(2025, 2, 10), 0)


def test_employee_insurance_lapse_after_90_days_is_late():
    """三（四）3.(3) 在断保90天内 — 断保 2024-11-01, paid 2025-03-01 (120 days)."""
    q = ask(P, ADULT, D(2025, 3, 1), special="职工医保断保:2024-11-01")
    assert q.due == M(1070) and q.waiting_days == 90


@pytest.mark.parametrize("special", ["退役军人", "征兵退回人员", "刑满释放人员", "社区矫正对象"])
def test_veterans_released_and_returned_recruits_from_payment(special):
    """三（四）3.(4) 退役军人、征兵工作退回人员、刑满释放人员、社区矫正对象接续当年度医保关系，可自参保缴费之日起享受医保待遇。"""
    q = ask(P, ADULT, D(2025, 6, 10), special=special)
    assert (q.due, q.benefit_start, q.waiting_days or 0) == (M(400), D(2025, 6, 10), 0)


def test_new_college_student_covered_from_september_2024():
    """三（四）2. 新入学大中专院校学生医保待遇享受期为2024年9月1日至2025年12月31日。"""
    q = ask(P, D(2006, 3, 1), D(2024, 9, 10), special="新入学大中专学生")
    assert (q.due, q.benefit_start, q.benefit_end) == (M(400), D(2024, 9, 1), D(2025, 12, 31))


def test_welfare_child_outside_the_window_is_paid_by_the_institution():
    """三（四）3.(2) 儿童福利机构接收的儿童，经核实未参保的可随参随缴，自进入儿童福利机构之日起享受医保待遇。……集中参保
    缴费规定时间外的，其参保费用，由儿童福利机构全额资助。 Entered 2025-03-01, enrolled 2025-03-05: nothing from the
    child, no wait."""
    q = ask(P, D(2016, 4, 1), D(2025, 3, 5), ["儿童福利机构儿童:2025-03-01"])
    assert q.open and q.due == M(0) and not q.waiting_days


def test_refund_before_the_benefit_year():
    """三（七）在相应待遇享受期未开始前因重复缴费、参加职工医保或参加其他统筹地区医保等原因，可……申请办理居民参保缴费退费。"""
    assert refund(P, "参加职工医保", D(2024, 12, 1), D(2025, 1, 1), 0).allowed


def test_no_refund_after_the_benefit_period_began():
    """三（七）待遇享受期开始后，对暂停居民医保参保关系的，个人缴费不再退回。"""
    assert not refund(P, "重复缴费", D(2025, 2, 1), D(2025, 1, 1), 0).allowed


def test_late_payer_refunded_before_their_own_benefit_starts():
    """三（七）在相应待遇享受期未开始前 — the member's own period: paid 2025-03-01, benefit from ~05-30; refund 04-01."""
    assert refund(P, "重复缴费", D(2025, 4, 1), D(2025, 5, 30), 90).allowed


def test_other_reasons_need_a_note():
    """三（七）……等原因 — the list is open; an unnamed reason is accepted when written down (reading chosen)."""
    assert refund(P, "死亡", D(2024, 12, 1), D(2025, 1, 1), 0, note="2024-11-20 病故").allowed
    assert not refund(P, "死亡", D(2024, 12, 1), D(2025, 1, 1), 0).allowed


def test_cli_quote_late_adult():
    """三（四）3. 个人缴费标准加财政补助标准之和 (400 + 670)."""
    d = cli_quote("--policy", P, "--birth-date", "1985-08-01", "--paid-on", "2025-03-01")
    assert (d["open"], d["due"], d["waiting_days"]) == (True, "1070.00", 90)


def test_cli_quote_veteran():
    """三（四）3.(4) 退役军人……可自参保缴费之日起享受医保待遇。"""
    d = cli_quote("--policy", P, "--birth-date", "1985-08-01", "--paid-on", "2025-03-01", "--special", "退役军人")
    assert (d["due"], d["benefit_start"]) == ("400.00", "2025-03-01")


def test_ledger_records_the_lapse_special_case(tmp_path):
    """三（四）3.(3): recorded in the ledger with its 断保 date, charged 400 with benefit from the 断保 date."""
    from app.domain.quote_model import SpecialFact
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        h, mid = ledger_member(lg, "19850801", make_id("19850801"))
        sp = SpecialFact("职工医保断保", D(2025, 2, 10))
        pid = lg.payments.record(h, [PayLine(mid, special=sp)], method="现金", paid_on="2025-03-01").id
        item = lg.payments.get(pid).items[0]
        assert (item.amount, item.quote.benefit_start) == (M(400), D(2025, 2, 10))
    finally:
        lg.close()


def test_veteran_paying_in_the_window_is_covered_from_2025_01_01():
    """三（四）2. 待遇享受期为2025年1月1日至12月31日; (4) “可自参保缴费之日起” is for those who 接续当年度医保关系
    outside the window — a veteran paying 2024-10-08 pays for 2025 and is covered from 2025-01-01, not 2024-10-08."""
    q = ask(P, ADULT, IN, special="退役军人")
    assert (q.due, q.benefit_start) == (M(400), D(2025, 1, 1))


def test_newborn_of_late_2024_paying_in_january_is_a_late_payer_for_2025():
    """三（四）3.(1) 新生儿在出生后90天内参保并缴纳出生年度居民医保费，自出生之日起所发生的合规医疗费用均可纳入医保报销。
    Born 2024-11-01, paying the 2025 premium on 2025-01-15 (75 days). Ambiguity: a clerk may expect 400 (within
    90 days of birth); but the special case is about the *birth year's* (2024) premium, and for the 2025 premium the
    child had the window to 2024-12-31. Reading chosen (the code's, policy file ``same_year_only``): 三（四）3. late
    rule, 400 + 670 with a wait. My first expectation was 400; re-reading the clause, the code's reading is the
    literal one."""
    q = ask(P, D(2024, 11, 1), D(2025, 1, 15))
    assert q.open and q.due == M(1070) and q.waiting_days == 90


def test_welfare_child_benefit_from_the_day_of_entry():
    """三（四）3.(2) 自进入儿童福利机构之日起享受医保待遇 — entered 2025-03-01, enrolled 2025-03-05."""
    q = ask(P, D(2016, 4, 1), D(2025, 3, 5), ["儿童福利机构儿童:2025-03-01"])
    assert q.benefit_start == D(2025, 3, 1)


def test_newborn_with_tekun_pays_nothing():
    """三（四）3.(1) + 三（五）1.(1) 特困供养人员……全额资助."""
    assert ask(P, D(2025, 2, 1), D(2025, 3, 1), ["特困人员"]).due == M(0)


def test_cli_quote_lapse_special_with_date():
    """三（四）3.(3) 可自职工医保断保之日起享受居民医保待遇。"""
    d = cli_quote("--policy", P, "--birth-date", "1985-08-01", "--paid-on", "2025-03-01", "--special",
                  "职工医保断保:2025-02-10")
    assert (d["due"], d["benefit_start"], d["special_on"]) == ("400.00", "2025-02-10", "2025-02-10")


def test_late_tekun_is_still_fully_assisted():
    """三（五）1.(1) 对区辖特困供养人员、孤儿、事实无人抚养儿童参加居民医保的个人缴费部分，通过医疗救助资金给予全额资助。
    三（四）3. 在集中参保缴费期外参保缴费的，按照个人缴费标准加财政补助标准之和缴费。 Ambiguity: is the 670 surcharge part of
    the “个人缴费部分” that is assisted 全额? Reading chosen: yes — 全额 means the member pays nothing (a clerk would not
    ask a 特困供养人员 for 670). The fixed-amount groups (低保 200元/人) keep 200 (870), which the code does."""
    q = ask(P, ADULT, D(2025, 2, 1), ["特困人员"])
    assert q.due == M(0)


def test_late_dibao_keeps_the_fixed_200():
    """三（五）1.(1) 最低生活保障对象……资助标准为200元/人 (a fixed amount) + 三（四）3. 个人缴费标准加财政补助标准之和:
    1070 − 200 = 870, with the wait."""
    q = ask(P, ADULT, D(2025, 2, 1), ["低保对象"])
    assert (q.due, q.waiting_days) == (M(870), 90)


def test_welfare_child_in_the_window_without_a_recognised_category_pays_400():
    """三（四）3.(2) 集中参保缴费规定时间内，且经民政部门审核认定为重点保障对象的，其参保个人缴费部分，由医疗救助资金按认定
    类别予以资助 — without such a recognition, the standard 400."""
    assert ask(P, D(2016, 4, 1), IN, ["儿童福利机构儿童"]).due == M(400)


def test_ledger_newborn_is_charged_400_from_birth(tmp_path):
    """三（四）3.(1) 新生儿在出生后90天内参保并缴纳出生年度居民医保费，自出生之日起…… — in the ledger (birth from the ID
    number), not 1,070 with a wait."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        h, mid = ledger_member(lg, "20250201", make_id("20250201"))
        pid = lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2025-03-01").id
        item = lg.payments.get(pid).items[0]
        assert (item.amount, item.quote.benefit_start, item.quote.waiting_days or 0) == (M(400), D(2025, 2, 1), 0)
    finally:
        lg.close()


def test_ledger_veteran_special_case(tmp_path):
    """三（四）3.(4) 退役军人……可自参保缴费之日起享受医保待遇 (and 均按当年度居民医保个人缴费标准执行)."""
    from app.domain.quote_model import SpecialFact
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        h, mid = ledger_member(lg, "19850801", make_id("19850801"))
        pid = lg.payments.record(h, [PayLine(mid, special=SpecialFact("退役军人"))], method="现金",
                                 paid_on="2025-06-10").id
        item = lg.payments.get(pid).items[0]
        assert (item.amount, item.quote.benefit_start) == (M(400), D(2025, 6, 10))
    finally:
        lg.close()


def test_ledger_refund_of_a_late_payer_before_their_own_benefit(tmp_path):
    """三（七）在相应待遇享受期未开始前因重复缴费……可……申请办理居民参保缴费退费 — paid 1,070 on 2025-03-01 (benefit after the
    90-day wait), refunded on 2025-04-01 for 重复缴费: the 1,070 comes back."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        h, mid = ledger_member(lg, "19850801", make_id("19850801"))
        pid = lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2025-03-01").id
        lg.payments.refund(pid, mid, "重复缴费", refunded_on="2025-04-01")
        (r,) = lg.payments.refunds_of(pid)
        assert r.amount == M(1070)
    finally:
        lg.close()


def test_notice_printed_after_the_window_shows_the_late_price(tmp_path):
    """三（四）3. 在集中参保缴费期外参保缴费的，按照个人缴费标准加财政补助标准之和缴费，并设置待遇等待期。 A notice printed on
    2025-02-01 tells the household what it must pay from that day: 1,070 (issue 11: "Notices printed on a date after
    the window show the price … that apply on that date")."""
    from app.paper.from_ledger import Selection, notices

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        ledger_member(lg, "19850801", make_id("19850801"))
        (n,) = notices(lg, Selection(), today=D(2025, 2, 1))
        (m,) = [x for x in n.members if x.counted]
        assert m.due == M(1070)
    finally:
        lg.close()


def test_notice_printed_in_the_window_shows_the_assisted_price(tmp_path):
    """三（五）1.(1) 最低生活保障对象……资助标准为200元/人 — a 低保 member's notice in the window: 200."""
    from app.paper.from_ledger import Selection, notices

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        h, mid = ledger_member(lg, "19850801", make_id("19850801"))
        lg.categories.add(mid, "低保对象", recognized_on="2024-09-01")
        (n,) = notices(lg, Selection(), today=D(2024, 10, 8))
        (m,) = [x for x in n.members if x.counted]
        assert (m.due, n.total) == (M(200), M(200))
    finally:
        lg.close()


def test_new_college_student_paying_in_november_is_still_covered_from_september():
    """三（四）2. 新入学大中专院校学生医保待遇享受期为2024年9月1日至2025年12月31日。"""
    q = ask(P, D(2006, 3, 1), D(2024, 11, 1), special="新入学大中专学生")
    assert (q.due, q.benefit_start) == (M(400), D(2024, 9, 1))


def test_no_refund_for_a_new_student_once_their_own_period_began():
    """三（七）在相应待遇享受期未开始前……可……退费；待遇享受期开始后……个人缴费不再退回。 三（四）2. 新入学大中专院校学生医保
    待遇享受期为2024年9月1日至2025年12月31日。 “相应” = the member's own period (issue 11's reading too): for a new
    student it began 2024-09-01, so a refund asked on 2024-10-15 is refused."""
    assert not refund(P, "参加职工医保", D(2024, 10, 15), D(2024, 9, 1), 0).allowed


def test_ledger_refuses_the_refund_of_a_covered_new_student(tmp_path):
    """三（七）+ 三（四）2., through the ledger: paid 2024-09-10 as 新入学大中专学生, refund asked 2024-10-15."""
    from app.domain.problems import ProblemsError
    from app.domain.quote_model import SpecialFact
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "")
    try:
        h, mid = ledger_member(lg, "20060301", make_id("20060301"))
        pid = lg.payments.record(h, [PayLine(mid, special=SpecialFact("新入学大中专学生"))], method="现金",
                                 paid_on="2024-09-10").id
        with pytest.raises(ProblemsError):
            lg.payments.refund(pid, mid, "参加职工医保", refunded_on="2024-10-15")
    finally:
        lg.close()


def test_recognised_on_the_last_day_of_the_window():
    """三（五）4. 在集中参保缴费期内相关部门动态新增的困难对象，可享受 2025 年度参保资助政策 — recognised and paid 2024-12-31."""
    assert ask(P, ADULT, D(2024, 12, 31), ["低保对象:2024-12-31"]).due == M(200)


def test_recognised_on_the_first_day_after_the_window():
    """三（五）4. 在集中参保缴费期外相关部门动态新增的困难对象，纳入下一年度参保缴费资助范围 — recognised 2025-01-01."""
    q = ask(P, ADULT, D(2025, 1, 1), ["低保对象:2025-01-01"])
    assert (q.assistance, q.due) == (M(0), M(1070))


def test_welfare_child_late_is_charged_the_standard_400_to_the_institution():
    """三（四）3. 以下特殊情形，均按当年度居民医保个人缴费标准执行：(2) 儿童福利机构接收的儿童……集中参保缴费规定时间外的，
    其参保费用，由儿童福利机构全额资助。 → 400 (not 1,070), all of it from the institution, no wait."""
    q = ask(P, D(2016, 4, 1), D(2025, 3, 5), ["儿童福利机构儿童:2025-03-01"])
    assert (q.assistance, q.due, q.waiting_days or 0) == (M(400), M(0), 0)
    assert "儿童福利机构" in (q.assistance_source or "")


def test_veteran_who_is_a_priority_entitled_person_pays_nothing():
    """三（四）3.(4) 退役军人……均按当年度居民医保个人缴费标准执行 + 三（五）1.(4) 部分重点优抚对象……由区退役军人事务局全额
    资助 — paid 2025-06-10: 400 standard, fully assisted, benefit from payment."""
    q = ask(P, ADULT, D(2025, 6, 10), ["重点优抚对象"], special="退役军人")
    assert (q.due, q.assistance, q.benefit_start) == (M(0), M(400), D(2025, 6, 10))


def test_lapse_special_case_with_dibao_pays_200():
    """三（四）3.(3) 断保……均按当年度居民医保个人缴费标准执行 + 三（五）1.(1) 最低生活保障对象……资助标准为200元/人."""
    q = ask(P, ADULT, D(2025, 3, 1), ["低保对象"], special="职工医保断保:2025-02-10")
    assert (q.due, q.benefit_start) == (M(200), D(2025, 2, 10))


def test_newborn_with_dibao_pays_200():
    """三（四）3.(1) 新生儿……均按当年度居民医保个人缴费标准执行 + 三（五）1.(1) 200元/人."""
    assert ask(P, D(2025, 2, 1), D(2025, 3, 1), ["低保对象"]).due == M(200)


def test_returned_to_poverty_has_no_amount_in_this_notice():
    """三（五）1.(5) 其他困难群体参保居民医保的个人缴费部分，通过医疗救助资金给予分类资助 — no amount. 返贫致贫人口 is not named
    (一、 lists 防止返贫监测对象 as 脱贫不稳定户、边缘易致贫户、突发严重困难户). Reading chosen (ambiguous): Canbao charges
    400 and says the document gives no amount; a clerk records such a person as 防止返贫监测对象 if the 农业农村 list
    says so (then 200)."""
    q = ask(P, ADULT, IN, ["返贫致贫人口"])
    assert (q.due, q.assistance) == (M(400), M(0))


@pytest.mark.parametrize("paid, due", [(D(2025, 4, 1), 400), (D(2025, 4, 2), 1070)])
def test_newborn_90_day_boundary(paid, due):
    """三（四）3.(1) 新生儿在出生后90天内参保 — born 2025-01-01; reading chosen: day 90 after birth (04-01) is inside."""
    assert ask(P, D(2025, 1, 1), paid).due == M(due)


@pytest.mark.parametrize("paid, due", [(D(2025, 5, 11), 400), (D(2025, 5, 12), 1070)])
def test_lapse_90_day_boundary(paid, due):
    """三（四）3.(3) 在断保90天内……参保 — 断保 2025-02-10; day 90 (05-11) inside, day 91 not."""
    assert ask(P, ADULT, paid, special="职工医保断保:2025-02-10").due == M(due)


@pytest.mark.parametrize("category", ["重度残疾人", "重点优抚对象", "孤儿"])
def test_late_fully_assisted_groups_pay_nothing(category):
    """三（五）1.(1)(2)(4) ……全额资助 — same reading as for 特困 (the late surcharge is within the 个人缴费部分)."""
    assert ask(P, ADULT, D(2025, 2, 1), [category]).due == M(0)
