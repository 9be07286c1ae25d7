"""Reviewer's cases for 长医保联〔2024〕5号 (长春 2025, seed 000), written from the document before the code.

Each case quotes the sentence it comes from. Members are adults born 1960-05-01 unless said otherwise.
"""

import pytest

from policy_quotes import ask
from review_helpers import D, M, claim, cli_quote, ledger_member, make_id, new_ledger

P = "changchun-2025"
ADULT = D(1960, 5, 1)
IN = D(2024, 10, 8)


def test_ordinary_member_pays_400_plus_ltc_10():
    """一、2025 年度居民医保个人缴费标准为每人每年 400 元，……长护险……仍为每人每年 10 元。
    三、长护险个人缴费与居民医保费同步征收。"""
    q = ask(P, ADULT, IN)
    assert q.open and (q.personal_standard, q.due, q.assistance) == (M(400), M(410), M(0))
    assert q.after_subsidy == 0


@pytest.mark.parametrize("paid", [D(2024, 9, 1), D(2024, 12, 31)])
def test_paid_before_2025_benefit_is_the_whole_year(paid):
    """三、2025年1月1日之前完成居民医保缴费（含新参保）的，待遇享受期为2025年1月1日至12月31日。"""
    q = ask(P, ADULT, paid)
    assert q.open and q.due == M(410)
    assert (q.benefit_start, q.benefit_end) == (D(2025, 1, 1), D(2025, 12, 31))
    assert not q.waiting_days


@pytest.mark.parametrize("paid, start", [(D(2025, 1, 1), D(2025, 1, 2)), (D(2025, 2, 28), D(2025, 3, 1))])
def test_january_february_benefit_from_the_day_after_payment(paid, start):
    """三、2025年1月1日至2025年2月28日期间完成居民医保缴费（含新参保）的，待遇享受期从缴费到账次日起计算。
    Read: same price (still 集中缴费期), no waiting period, benefit from the next day."""
    q = ask(P, ADULT, paid)
    assert q.open and q.due == M(410)
    assert (q.benefit_start, q.benefit_end) == (start, D(2025, 12, 31))


def test_the_day_after_the_window_is_not_priced():
    """三、居民在集中缴费期外参保缴费的，按照相关政策规定执行。 The document gives no price or waiting period
    after 2025-02-28, so Canbao must not invent one (README: closed quote citing the clause)."""
    q = ask(P, ADULT, D(2025, 3, 1))
    assert not q.open and q.due is None
    assert "按照相关政策规定执行" in (q.reason or "") + (q.reason_clause or "")


def test_before_the_window_opens_is_not_priced():
    """三、集中缴费期为 2024 年 9 月 1 日至 2025 年 2 月 28 日。"""
    assert not ask(P, ADULT, D(2024, 8, 31)).open


@pytest.mark.parametrize("category", ["特困人员", "孤儿"])
def test_tekun_and_orphans_fully_assisted_but_ltc_still_paid(category):
    """二（一）对城乡特困人员、孤儿给予全额资助。 The 资助 is of 居民医保 个人缴费; the document says nothing about
    长护险 being assisted, so the 10 元 长护险 is still collected (reading chosen: 410 − 400 = 10)."""
    q = ask(P, ADULT, IN, [category])
    assert (q.assistance, q.due, q.after_subsidy) == (M(400), M(10), M(0))
    assert q.assistance_source == "医疗救助"


@pytest.mark.parametrize("category", ["低保对象", "返贫致贫人口", "脱贫不稳定人口", "防止返贫监测对象",
                                      "边缘易致贫人口", "突发严重困难人口"])
def test_fixed_150_at_the_counter(category):
    """二（一）对城乡低保对象、返贫致贫人口以及脱贫不稳定……给予定额资助；对未消除风险的防止返贫监测对象及因病纳入
    监测范围的边缘易致贫户和突发严重困难户可通过医疗救助给予定额资助。定额资助标准为每人每年 150 元，在缴费时直接体现。"""
    q = ask(P, ADULT, IN, [category], area="区")
    assert (q.assistance, q.due) == (M(150), M(260))


def test_dibao_district_subsidy_paid_back_later():
    """二（二）对城乡低保对象的个人缴费部分，由市、区财政各补助 70 元（县财政补助 140 元）……在缴费时不体现。"""
    q = ask(P, ADULT, IN, ["低保对象"], area="区")
    assert q.due == M(260) and q.after_subsidy == M(140)
    assert dict(q.subsidies) == {"市财政": M(70), "区财政": M(70)}


def test_dibao_county_subsidy_140_from_the_county():
    """二（二）……（县财政补助 140 元）"""
    q = ask(P, ADULT, IN, ["低保对象"], area="县")
    assert q.due == M(260) and dict(q.subsidies) == {"县财政": M(140)}


@pytest.mark.parametrize("category", ["返贫致贫人口", "脱贫不稳定人口", "防止返贫监测对象", "边缘易致贫人口",
                                      "突发严重困难人口"])
@pytest.mark.parametrize("area", ["区", "县"])
def test_monitored_groups_subsidy_city_and_county_70_each(category, area):
    """二（二）对返贫致贫人口以及脱贫不稳定……、未消除风险的防止返贫监测对象及因病纳入监测范围的边缘易致贫户和突发严重
    困难户的个人缴费部分，由市、县（区）财政各补助 70 元。"""
    q = ask(P, ADULT, IN, [category], area=area)
    assert q.due == M(260) and q.after_subsidy == M(140)
    assert dict(q.subsidies).get("市财政") == M(70)


def test_model_worker_in_the_city_gets_410_back():
    """二（二）长春市城区内无医疗保障的困难劳动模范……居民医保个人缴费由市财政、市总工会各补助 200 元，长护险个人缴费
    由市总工会补助 10 元。……先缴后补……在缴费时不体现。"""
    q = ask(P, ADULT, IN, ["劳动模范"], area="区")
    assert q.due == M(410) and q.assistance == 0
    assert q.after_subsidy == M(410)


@pytest.mark.parametrize("category", ["稳定脱贫人口", "重度残疾人", "重点优抚对象"])
def test_groups_the_document_does_not_assist_pay_in_full(category):
    """二、参保资助政策 lists 特困、孤儿、低保、返贫致贫、脱贫不稳定、监测对象、边缘易致贫、突发严重困难、劳动模范 only."""
    q = ask(P, ADULT, IN, [category])
    assert (q.due, q.assistance, q.after_subsidy) == (M(410), M(0), M(0))


def test_recognised_after_payment_is_not_assisted_at_the_counter():
    """二（三）2025 年 1 月 1 日至 12 月 31 日期间……认定的……均可享受参保资（补）助 — recognised 2025-01-15, paid
    2024-10-08: the counter collected the full 410 (the help comes as a claim, below)."""
    q = ask(P, ADULT, IN, ["低保对象:2025-01-15"])
    assert q.due == M(410)


def test_recognised_then_paid_in_january_gets_150_and_next_day_benefit():
    """二（一）定额资助……在缴费时直接体现；三、1月1日至2月28日……从缴费到账次日起计算。"""
    q = ask(P, ADULT, D(2025, 2, 1), ["低保对象:2025-01-20"], area="区")
    assert (q.due, q.benefit_start) == (M(260), D(2025, 2, 2))


def test_paid_410_then_dibao_recognised_in_march_gets_290_back():
    """二（三）2025 年 1 月 1 日至 12 月 31 日期间，经民政或农业农村部门认定的符合条件的困难人员均可享受参保资（补）助。
    150 (二（一）) + 市 70 + 区 70 (二（二）) = 290."""
    paid, c = claim(P, ADULT, IN, "低保对象", D(2025, 3, 1), area="区")
    assert paid.due == M(410)
    assert c.owed and c.total == M(290)


def test_paid_410_then_tekun_recognised_gets_400_back():
    """二（一）对城乡特困人员、孤儿给予全额资助 + 二（三）. 长护险 10 is not assisted: 400 back."""
    _, c = claim(P, ADULT, IN, "特困人员", D(2025, 6, 1))
    assert c.owed and c.total == M(400)


def test_paid_410_then_edge_household_recognised_in_a_county_gets_290_back():
    """二（一）边缘易致贫户……150 元; 二（二）市、县（区）财政各补助 70 元; 二（三）."""
    _, c = claim(P, ADULT, IN, "边缘易致贫人口", D(2025, 11, 30), area="县")
    assert c.owed and c.total == M(290)


def test_recognised_in_2026_gets_nothing_back():
    """二（三）2025 年 1 月 1 日至 12 月 31 日期间 — a 2026 recognition is outside it."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2026, 1, 5))
    assert not c.owed and c.total == 0


def test_recognised_as_stable_poverty_exit_gets_nothing():
    """稳定脱贫人口 is named nowhere in 二、参保资助政策."""
    _, c = claim(P, ADULT, IN, "稳定脱贫人口", D(2025, 3, 1))
    assert not c.owed and c.total == 0


def test_cli_quote_dibao_district():
    """二（一）150 at the counter; 二（二）市、区各 70 先缴后补; 一、长护险 10."""
    d = cli_quote("--policy", P, "--birth-date", "1960-05-01", "--paid-on", "2024-10-08", "--category", "低保对象",
                  "--area-kind", "区")
    assert (d["due"], d["assistance"], d["after_subsidy"]) == ("260.00", "150.00", "140.00")
    assert (d["benefit_start"], d["benefit_end"]) == ("2025-01-01", "2025-12-31")


def test_cli_quote_january_payment_next_day():
    """三、……待遇享受期从缴费到账次日起计算。"""
    d = cli_quote("--policy", P, "--birth-date", "1990-01-01", "--paid-on", "2025-01-15")
    assert (d["open"], d["due"], d["benefit_start"]) == (True, "410.00", "2025-01-16")


def test_ledger_recognition_after_payment_stores_the_claim(tmp_path):
    """二（三）: paid 410 in the ledger on 2024-11-01, 返贫致贫人口 recognised 2025-05-01 → 150 + 70 + 70 = 290 owed."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "区")
    try:
        h, mid = ledger_member(lg, "19600501", make_id("19600501"))
        lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-11-01")
        lg.categories.add(mid, "返贫致贫人口", recognized_on="2025-05-01")
        (c,) = lg.claims.list()
        assert c.amount == M(290)
    finally:
        lg.close()


def test_no_separate_student_or_child_rate_in_2025():
    """一、2025 年度居民医保个人缴费标准为每人每年 400 元 — one rate for everyone (no 学生 rate in this notice)."""
    assert ask(P, D(2012, 1, 1), IN, student=True).due == M(410)


def test_recognised_in_2024_before_payment_is_assisted_at_the_counter():
    """二（一）定额资助……在缴费时直接体现 — 低保 recognised 2024-09-15, paid 2024-10-08: 260."""
    assert ask(P, ADULT, IN, ["低保对象:2024-09-15"]).due == M(260)


def test_paid_in_january_then_recognised_gets_290_back():
    """二（三）2025 年 1 月 1 日至 12 月 31 日期间……认定的……均可享受参保资（补）助 — paid 410 on 2025-01-15."""
    _, c = claim(P, ADULT, D(2025, 1, 15), "低保对象", D(2025, 7, 1), area="区")
    assert c.owed and c.total == M(290)


def test_paid_in_the_window_recognised_late_2024_still_owed():
    """二（三）: paid 410 on 2024-10-08, 低保 recognised 2024-11-15 (after payment, before 2025) and 低保 during 2025.
    Reading chosen: a recognition in force during 2025 counts (the sentence names the period in which a person is
    recognised as eligible; someone recognised in November 2024 is eligible in 2025) → 290."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2024, 11, 15), area="区")
    assert c.owed and c.total == M(290)


def test_model_worker_recognised_after_payment_in_the_city_gets_410():
    """二（二）劳动模范……居民医保个人缴费由市财政、市总工会各补助 200 元，长护险个人缴费由市总工会补助 10 元 + 二（三）."""
    _, c = claim(P, ADULT, IN, "劳动模范", D(2025, 4, 1), area="区")
    assert c.owed and c.total == M(410)


def test_newborn_after_the_window_is_not_priced_either():
    """三、居民在集中缴费期外参保缴费的，按照相关政策规定执行。 This notice has no newborn rule: a child born 2025-03-10
    paying 2025-03-20 is not priced by Canbao from this document."""
    assert not ask(P, D(2025, 3, 10), D(2025, 3, 20)).open


def _paid_member(tmp_path):
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "区")
    h, mid = ledger_member(lg, "19600501", make_id("19600501"))
    pay = lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-11-01")
    return lg, h, mid, pay.id


def _owed(lg, mid):
    return sum((c.amount for c in lg.claims.list(member_id=mid) if c.state in ("待补付", "已补付")), M(0))


def test_ledger_two_recognitions_with_the_same_help_are_not_paid_twice(tmp_path):
    """二（一）定额资助 150 / 二（二）各补助 70 — per person per year (每人每年), not per category: 低保 recognised 03-01,
    then also 返贫致贫人口 04-01 → 290 in all, not 580."""
    lg, h, mid, pid = _paid_member(tmp_path)
    try:
        lg.categories.add(mid, "低保对象", recognized_on="2025-03-01")
        lg.categories.add(mid, "返贫致贫人口", recognized_on="2025-04-01")
        lg.claims.refresh()
        assert _owed(lg, mid) == M(290)
    finally:
        lg.close()


def test_ledger_dibao_then_tekun_adds_up_to_the_full_400(tmp_path):
    """二（一）对城乡特困人员、孤儿给予全额资助 — paid 410, 低保 (290 owed) then 特困 (the member then bears only the
    10 元 长护险): 400 owed in all."""
    lg, h, mid, pid = _paid_member(tmp_path)
    try:
        lg.categories.add(mid, "低保对象", recognized_on="2025-03-01")
        lg.categories.add(mid, "特困人员", recognized_on="2025-05-01")
        lg.claims.refresh()
        assert _owed(lg, mid) == M(400)
    finally:
        lg.close()


def test_ledger_claim_follows_the_standing_payment_not_the_voided_one(tmp_path):
    """二（三）: a voided receipt and a new payment of 410 → one claim of 290 that stands."""
    from app.ledger import PayLine

    lg, h, mid, pid = _paid_member(tmp_path)
    try:
        lg.payments.void(pid, "收错金额")
        lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-11-02")
        lg.categories.add(mid, "低保对象", recognized_on="2025-03-01")
        lg.claims.refresh()
        assert [c.amount for c in lg.claims.list(member_id=mid) if c.state == "待补付"] == [M(290)]
    finally:
        lg.close()


def test_ledger_recognition_in_2026_stores_no_claim(tmp_path):
    """二（三）2025 年 1 月 1 日至 12 月 31 日期间."""
    lg, h, mid, pid = _paid_member(tmp_path)
    try:
        lg.categories.add(mid, "低保对象", recognized_on="2026-01-03")
        lg.claims.refresh()
        assert _owed(lg, mid) == 0
    finally:
        lg.close()


def test_model_worker_in_a_county_gets_nothing():
    """二（二）长春市城区内无医疗保障的困难劳动模范 — a county member is not 城区内."""
    q = ask(P, ADULT, IN, ["劳动模范"], area="县")
    assert (q.due, q.after_subsidy) == (M(410), M(0))


def test_ledger_payment_after_the_window_is_not_priced_silently(tmp_path):
    """三、居民在集中缴费期外参保缴费的，按照相关政策规定执行 — the ledger must not record a price the notice does not give
    without the clerk saying why (refused, or needing an override reason)."""
    from app.domain.problems import ProblemsError
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "区")
    try:
        h, mid = ledger_member(lg, "19600501", make_id("19600501"))
        with pytest.raises(ProblemsError):
            lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2025-03-01")
    finally:
        lg.close()


def test_recognised_on_the_payment_day_is_assisted_at_the_counter():
    """二（一）定额资助……在缴费时直接体现 — recognised 2024-10-08, paid the same day: 260."""
    assert ask(P, ADULT, IN, ["低保对象:2024-10-08"]).due == M(260)


def test_recognised_the_day_after_payment_is_a_claim():
    """二（三） — paid 410 on 2024-10-08, recognised 2024-10-09: full at the counter, 290 owed."""
    assert ask(P, ADULT, IN, ["低保对象:2024-10-09"]).due == M(410)
    _, c = claim(P, ADULT, IN, "低保对象", D(2024, 10, 9), area="区")
    assert c.total == M(290)


def test_dibao_model_worker_help_never_stacks():
    """二（一）150 at the counter + 二（二）低保 70 + 70 later; or 劳动模范: pay the full 410, 410 back (按个人缴费标准缴费后).
    Either way the member bears 0 or 120, never less than nothing (no 150 + 410 stacking)."""
    q = ask(P, ADULT, IN, ["低保对象", "劳动模范"], area="区")
    assert q.due - q.after_subsidy in (M(0), M(120))
    assert q.after_subsidy <= q.due


@pytest.mark.parametrize("category", ["事实无人抚养儿童", "儿童福利机构儿童", "低保边缘家庭成员"])
def test_2025_groups_not_named_pay_410(category):
    """二（一）names 特困人员、孤儿 (全额) and 低保、返贫致贫、脱贫不稳定、监测对象、边缘易致贫、突发严重困难 (150) only."""
    q = ask(P, D(2015, 1, 1), IN, [category])
    assert (q.due, q.assistance) == (M(410), M(0))


def test_recognised_after_the_window_without_payment_is_not_priced():
    """三、居民在集中缴费期外参保缴费的，按照相关政策规定执行。 二（三）says a person recognised in 2025 “均可享受参保资（补）
    助”, but not how or when they may enrol after 2025-02-28. Reading chosen (ambiguous): Canbao does not price it; a
    clerk would ask the 医保局. (A person who already paid gets the claim above.)"""
    assert not ask(P, ADULT, D(2025, 4, 10), ["特困人员:2025-04-01"]).open


def test_exported_assistance_and_subsidy_lists_add_up(tmp_path):
    """二（一）150 at the counter (资助名单) and 二（二）市、区各 70 (先缴后补名单), for A (低保 on file, paid 260) and B (paid 410,
    低保 recognised 2025-03-01 → 150 + 70 + 70 owed, 二（三）): 资助 300 in all, 补助 280 in all."""
    from app.exchange.from_ledger import assistance_rows, subsidy_rows
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2025, "区")
    try:
        h1, a = ledger_member(lg, "19600501", make_id("19600501", 101))
        lg.categories.add(a, "低保对象", recognized_on="2024-09-01")
        lg.payments.record(h1, [PayLine(a)], method="现金", paid_on="2024-10-08")
        h2, b = ledger_member(lg, "19700101", make_id("19700101", 103))
        lg.payments.record(h2, [PayLine(b)], method="现金", paid_on="2024-10-08")
        lg.categories.add(b, "低保对象", recognized_on="2025-03-01")
        assert sum(r["assistance_amount"] for r in assistance_rows(lg)) == M(300)
        assert sum(r["subsidy_amount"] for r in subsidy_rows(lg)) == M(280)
    finally:
        lg.close()


def test_no_refund_rule_in_this_notice():
    """The notice has no 退费 sentence (unlike 长医保联（2021）10号 五): Canbao does not invent one."""
    from review_helpers import refund

    assert not refund(P, "重复缴费", D(2024, 11, 1), D(2025, 1, 1), 0).allowed


def test_ledger_a_cancelled_claim_does_not_count_as_received(tmp_path):
    """二（一）（二）（三）: 低保 recorded 03-01 by mistake (claim of 290 withdrawn, 已撤销); the member is really 返贫致贫人口,
    recognised 04-01 → the 290 is owed on that recognition (a withdrawn claim paid nothing)."""
    lg, h, mid, pid = _paid_member(tmp_path)
    try:
        lg.categories.add(mid, "低保对象", recognized_on="2025-03-01")
        (c,) = lg.claims.list(member_id=mid)
        lg.claims.cancel(c.id, reason="认定录入错误", on="2025-03-05")
        lg.categories.add(mid, "返贫致贫人口", recognized_on="2025-04-01")
        lg.claims.refresh()
        assert _owed(lg, mid) == M(290)
    finally:
        lg.close()


def test_ledger_notice_after_the_window_says_the_window_price_is_not_the_late_price(tmp_path):
    """三、居民在集中缴费期外参保缴费的，按照相关政策规定执行 — a notice printed on 2025-03-10 cannot know the late price.
    My first expectation was “no 410 on it”; the notice prints 410 but states it is computed for a window date and
    that after 2025-02-28 the amount follows the document — an honest reading (reported as a remark, not a defect).
    Checked: if 410 is printed, both statements are there."""
    from app.paper.from_ledger import Selection, notices

    lg = new_ledger(tmp_path / "l.db", P, 2025, "区")
    try:
        ledger_member(lg, "19600501", make_id("19600501"))
        (n,) = notices(lg, Selection(), today=D(2025, 3, 10))
        if any(m.due == M(410) for m in n.members):
            text = "".join(n.notes)
            assert "2024年9月1日" in text and "集中缴费期已于 2025年2月28日 结束" in text
    finally:
        lg.close()
