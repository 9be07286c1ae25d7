"""Reviewer's cases for 长医保联（2021）10号 (长春 2022, seed 002), written from the document before the code.

Each case quotes the sentence it comes from. "Adult" is born 1980-03-01; "child" is born 2010-06-01.
"""

import pytest

from policy_quotes import ask
from review_helpers import D, M, claim, cli_quote, ledger_member, make_id, new_ledger, refund

P = "changchun-2022"
ADULT = D(1980, 3, 1)
CHILD = D(2010, 6, 1)
IN = D(2021, 11, 1)


def test_adult_pays_360_plus_care_10():
    """二、成年人个人缴费标准为每人每年 360 元；……居民照护险个人缴费标准为每人每年 10 元。
    三、居民照护险个人缴费部分与居民医保费同步征收。"""
    q = ask(P, ADULT, IN)
    assert q.open and (q.personal_standard, q.due) == (M(360), M(370))
    assert (q.benefit_start, q.benefit_end) == (D(2022, 1, 1), D(2022, 12, 31)) and not q.waiting_days


def test_child_pays_220_plus_care_10():
    """二、大中小学生及 18 周岁以下人员(2003 年 12 月 31 日 24 时后出生)个人缴费标准为每人每年 220 元。"""
    q = ask(P, CHILD, IN)
    assert (q.personal_standard, q.due) == (M(220), M(230))


@pytest.mark.parametrize("birth, standard", [(D(2003, 12, 31), M(360)), (D(2004, 1, 1), M(220))])
def test_the_age_line_is_born_after_2003_12_31_24h(birth, standard):
    """二、18 周岁以下人员(2003 年 12 月 31 日 24 时后出生) — born on 2003-12-31 is an adult, 2004-01-01 is not."""
    assert ask(P, birth, IN).personal_standard == standard


def test_university_student_over_18_pays_the_student_rate():
    """二、大中小学生……个人缴费标准为每人每年 220 元 — a 20-year-old university student."""
    q = ask(P, D(2001, 5, 1), IN, student=True)
    assert (q.personal_standard, q.due) == (M(220), M(230))


@pytest.mark.parametrize("paid", [D(2021, 10, 8), D(2021, 12, 31)])
def test_window_edges_give_the_whole_year(paid):
    """三、集中预缴期为 2021 年 10 月 8 日至 12 月 31 日……集中预缴期内完成居民医保缴费（含新参保）的，待遇享受期为
    2022 年 1 月 1 日至 12 月 31 日。"""
    q = ask(P, ADULT, paid)
    assert q.open and q.due == M(370) and q.benefit_start == D(2022, 1, 1) and not q.waiting_days


def test_late_payment_has_90_day_wait_from_the_day_after_payment():
    """三、集中预缴期外缴费的（含新参保），除规定的特殊情形外，自缴费成功次日起设置 90 天待遇享受等待期。
    Paid 2022-01-10: the wait is 01-11 … 04-10 (90 days), benefit from 2022-04-11. The price is unchanged
    (the document names no surcharge)."""
    q = ask(P, ADULT, D(2022, 1, 10))
    assert q.open and q.due == M(370) and q.waiting_days == 90
    assert q.benefit_start == D(2022, 4, 11)


@pytest.mark.parametrize("birth", [ADULT, CHILD])
def test_tekun_fully_assisted_but_pays_care_insurance(birth):
    """四（一）对城乡特困人员全额资助; 四、资（补）助范围不包括居民照护险个人缴费。 → only the 10 元 is collected."""
    q = ask(P, birth, IN, ["特困人员"])
    assert q.due == M(10) and q.after_subsidy == 0


@pytest.mark.parametrize("category", ["低保对象", "返贫致贫人口", "脱贫不稳定人口"])
def test_adult_130_at_the_counter_and_140_later(category):
    """四（一）对城乡低保对象、返贫致贫人口以及脱贫不稳定……给予每人 130 元定额资助……在缴费时体现;
    四（二）成年人由市、区（县（区））财政各补助 70 元……先缴后补，缴补分离……在缴费时不体现。"""
    q = ask(P, ADULT, IN, [category], area="区")
    assert (q.assistance, q.due, q.after_subsidy) == (M(130), M(240), M(140))


@pytest.mark.parametrize("category", ["低保对象", "返贫致贫人口", "脱贫不稳定人口"])
def test_child_130_at_the_counter_and_70_later(category):
    """四（二）大中小學生及 18 周岁以下人员，由市、区财政各补助 35 元（县财政补助 70 元） / 市、县（区）财政各补助 35 元。
    220 − 130 + 10 = 100 at the counter."""
    q = ask(P, CHILD, IN, [category], area="区")
    assert (q.assistance, q.due, q.after_subsidy) == (M(130), M(100), M(70))


def test_dibao_in_a_county_subsidy_from_the_county():
    """四（二）城乡低保对象，成年人由市、区财政各补助 70 元（县财政补助 140 元）。"""
    q = ask(P, ADULT, IN, ["低保对象"], area="县")
    assert dict(q.subsidies) == {"县财政": M(140)}


def test_model_worker_gets_360_back():
    """四（二）困难劳动模范，参加 2022 年居民医保并完成缴费后，经市总工会审定，由市财政、市总工会各补助 180 元。
    (照护险 not included: 四、资（补）助范围不包括居民照护险个人缴费.)"""
    q = ask(P, ADULT, IN, ["劳动模范"], area="区")
    assert (q.due, q.after_subsidy) == (M(370), M(360))


@pytest.mark.parametrize("category", ["边缘易致贫人口", "突发严重困难人口", "稳定脱贫人口", "防止返贫监测对象"])
def test_groups_the_2022_notice_does_not_assist(category):
    """四（一）lists only 特困、低保、返贫致贫、脱贫不稳定且纳入监测; 对未纳入监测范围的其他脱贫人口，各地可通过慈善救助、
    社会资助等其它渠道 — nothing from Canbao's fund lines."""
    q = ask(P, ADULT, IN, [category])
    assert (q.due, q.assistance, q.after_subsidy) == (M(370), M(0), M(0))


def test_paid_370_then_dibao_recognised_gets_270_back():
    """四（三）2022 年 1 月 1 日至 12 月 31 日期间……认定的……已全额缴费的,可向辖区医保部门申请支付其应享有的医疗救助参保
    资助和财政参保补助资金。 130 + 70 + 70."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2022, 3, 1), area="区")
    assert c.owed and c.total == M(270)


def test_child_paid_230_then_dibao_recognised_gets_200_back():
    """四（三）+ 四（一）130 + 四（二）市、区各 35."""
    _, c = claim(P, CHILD, IN, "低保对象", D(2022, 3, 1), area="区")
    assert c.owed and c.total == M(200)


def test_paid_370_then_tekun_recognised_gets_360_back():
    """四（三）+ 四（一）全额资助 (of the 360; 照护险 excluded)."""
    _, c = claim(P, ADULT, IN, "特困人员", D(2022, 7, 1))
    assert c.owed and c.total == M(360)


def test_late_payer_recognised_later_still_gets_270():
    """四（三）已全额缴费的 — paid 370 late on 2022-02-01, 返贫致贫人口 recognised 2022-06-01."""
    _, c = claim(P, ADULT, D(2022, 2, 1), "返贫致贫人口", D(2022, 6, 1), area="区")
    assert c.owed and c.total == M(270)


def test_recognised_in_2023_gets_nothing():
    """四（三）2022 年 1 月 1 日至 12 月 31 日期间."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2023, 1, 2))
    assert not c.owed and c.total == 0


def test_lapse_from_employee_insurance_within_3_months_has_no_wait():
    """五、对连续2年(含2年)以上参加基本医保,因就业等个人状态变化由职工医保转为参加居民医保……且在中断缴费3个月以内按年度
    标准全额缴费的,不设待遇等待期。 断保 2022-01-15, paid 2022-03-01 (full 370)."""
    q = ask(P, ADULT, D(2022, 3, 1), special="职工医保断保:2022-01-15")
    assert q.open and q.due == M(370) and not q.waiting_days


def test_lapse_longer_than_3_months_waits_90_days():
    """五、……在中断缴费3个月以内…… — 断保 2021-10-01, paid 2022-03-01: more than 3 months, so 三's 90-day wait."""
    q = ask(P, ADULT, D(2022, 3, 1), special="职工医保断保:2021-10-01")
    assert q.waiting_days == 90


@pytest.mark.parametrize("reason", ["重复缴费", "死亡", "参加职工医保", "异地参保"])
def test_refund_before_the_benefit_year_for_each_named_reason(reason):
    """五、已缴费参保的城乡居民在待遇享受期未开始前或待遇等待期内,因重复缴费、死亡退保以及参加职工医保或其他统筹区居民
    医保的,可同步办理参保终止和个人退费。"""
    assert refund(P, reason, D(2021, 12, 15), D(2022, 1, 1), 0).allowed


def test_no_refund_after_the_benefit_period_started():
    """五、待遇享受期开始后或待遇等待期后不予办理个人退费。"""
    assert not refund(P, "死亡", D(2022, 2, 1), D(2022, 1, 1), 0).allowed


def test_refund_in_the_waiting_period_then_not_after():
    """五、……或待遇等待期内……可……退费 / 待遇等待期后不予办理 — late payer, benefit from 2022-04-11."""
    assert refund(P, "参加职工医保", D(2022, 3, 1), D(2022, 4, 11), 90).allowed
    assert not refund(P, "参加职工医保", D(2022, 5, 1), D(2022, 4, 11), 90).allowed


def test_refund_for_an_unlisted_reason_is_refused():
    """五、因重复缴费、死亡退保以及参加职工医保或其他统筹区居民医保的 — a closed list (no 等原因)."""
    assert not refund(P, "不想参保了", D(2021, 12, 15), D(2022, 1, 1), 0, note="本人要求").allowed


def test_cli_quote_child_low_income_in_a_county():
    """四（一）130 at the counter; 四（二）县财政补助 70 元 for 18 周岁以下."""
    d = cli_quote("--policy", P, "--birth-date", "2010-06-01", "--paid-on", "2021-11-01", "--category", "低保对象",
                  "--area-kind", "县")
    assert (d["due"], d["assistance"], d["after_subsidy"]) == ("100.00", "130.00", "70.00")


def test_ledger_claim_after_recognition(tmp_path):
    """四（三）: the ledger stores the 270 元 claim when 低保 is recorded after a full payment."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2022, "区")
    try:
        h, mid = ledger_member(lg, "19800301", make_id("19800301"))
        lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2021-11-01")
        lg.categories.add(mid, "低保对象", recognized_on="2022-03-01")
        (c,) = lg.claims.list()
        assert c.amount == M(270)
    finally:
        lg.close()


def test_assisted_member_paying_late_still_waits():
    """三、集中预缴期外缴费的（含新参保），除规定的特殊情形外，自缴费成功次日起设置 90 天待遇享受等待期。 This notice's only
    特殊情形 is 五's transfer; a 低保 member paying 2022-02-01 pays 240 and waits 90 days (benefit 2022-05-03).
    Ambiguity: “规定的特殊情形” may point at provincial rules not in this notice; reading chosen: this notice's."""
    q = ask(P, ADULT, D(2022, 2, 1), ["低保对象"], area="区")
    assert q.due == M(240) and q.waiting_days == 90 and q.benefit_start == D(2022, 5, 3)


def test_lapse_of_exactly_3_months_has_no_wait():
    """五、在中断缴费3个月以内 (以内 includes 3 months) — 断保 2021-12-01, paid 2022-03-01."""
    q = ask(P, ADULT, D(2022, 3, 1), special="职工医保断保:2021-12-01")
    assert not q.waiting_days


def test_late_payment_whose_wait_ends_after_2022_gives_no_2022_benefit():
    """三、90 天待遇等待期 + 待遇享受期为 2022 年 ... 12 月 31 日 — paid 2022-10-15: the wait ends 2023-01-13, so no 2022
    benefit can be promised (closed, or open with no benefit inside 2022)."""
    q = ask(P, ADULT, D(2022, 10, 15))
    assert (not q.open) or q.benefit_start is None or q.benefit_start > q.benefit_end


def test_model_worker_recognised_after_payment_gets_360():
    """四（二）市财政、市总工会各补助 180 元 + 四（三）已全额缴费的,可……申请支付."""
    _, c = claim(P, ADULT, IN, "劳动模范", D(2022, 4, 1), area="区")
    assert c.owed and c.total == M(360)


def test_edge_household_recognised_later_gets_nothing_in_2022():
    """四（一）lists no 边缘易致贫户 in 2022 — no money back."""
    _, c = claim(P, ADULT, IN, "边缘易致贫人口", D(2022, 4, 1))
    assert not c.owed


def _late_payer_with_claim(tmp_path):
    """Paid 370 late on 2022-01-10 (wait to 2022-04-10), 低保 recognised 2022-02-01 → 270 claim."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2022, "区")
    h, mid = ledger_member(lg, "19800301", make_id("19800301"))
    pay = lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2022-01-10")
    lg.categories.add(mid, "低保对象", recognized_on="2022-02-01")
    return lg, mid, pay.id


def test_ledger_refund_in_the_waiting_period_drops_the_open_claim(tmp_path):
    """五、……待遇等待期内,因……参加职工医保……的,可同步办理参保终止和个人退费。 A member refunded the 370 is no longer owed
    the 270 of 四（三）（已全额缴费的 … no longer true)."""
    lg, mid, pid = _late_payer_with_claim(tmp_path)
    try:
        (c,) = lg.claims.list()
        assert c.amount == M(270)
        lg.payments.refund(pid, mid, "参加职工医保", refunded_on="2022-03-01")
        (c,) = lg.claims.list()
        assert c.state != "待补付"
    finally:
        lg.close()


def test_ledger_refund_after_the_claim_was_paid_never_returns_more_than_the_member_bore(tmp_path):
    """五、可同步办理参保终止和个人退费 — 个人退费 is the member's own money. Paid 370, the 270 of 四（三） was paid back
    (已补付), so the member bore 100; a refund must not pay 370 again (370 + 270 = 640 out for 370 in). Expected:
    the refund is refused or limited to 100."""
    from app.domain.problems import ProblemsError

    lg, mid, pid = _late_payer_with_claim(tmp_path)
    try:
        (c,) = lg.claims.list()
        lg.claims.settle(c.id, on="2022-02-20")
        try:
            lg.payments.refund(pid, mid, "参加职工医保", refunded_on="2022-03-01")
        except ProblemsError:
            return  # refused: acceptable
        (r,) = lg.payments.refunds_of(pid)
        assert r.amount == M(100)
    finally:
        lg.close()


def test_ledger_pay_cli_records_the_lapse_without_a_wait(tmp_path, capsys):
    """五、……由职工医保转为参加居民医保……且在中断缴费3个月以内按年度标准全额缴费的,不设待遇等待期。 Through
    `canbao ledger pay --special 职工医保断保:2022-01-15` on 2022-03-01: 370 collected, no waiting period."""
    from app.cli.main import main

    lg = new_ledger(tmp_path / "l.db", P, 2022, "区")
    try:
        h, mid = ledger_member(lg, "19800301", make_id("19800301"))
        number = lg.households.get(h).number
        assert main(["ledger", "pay", "--db", str(lg.path), "--household", number, "--member", f"#{mid}",
                     "--method", "现金", "--date", "2022-03-01", "--special", "职工医保断保:2022-01-15"]) == 0
        assert "370.00" in capsys.readouterr().out
        item = lg.payments.of_member(mid)[0].items[0]
        assert item.amount == M(370) and not item.quote.waiting_days
    finally:
        lg.close()


def test_child_paid_230_then_tekun_recognised_gets_220_back():
    """四（一）对城乡特困人员全额资助 (of the 220 student/child rate) + 四（三）; 照护险 10 excluded (四、资（补）助范围不包括
    居民照护险个人缴费)."""
    _, c = claim(P, CHILD, IN, "特困人员", D(2022, 5, 1))
    assert c.owed and c.total == M(220)


def test_ledger_recognised_member_who_paid_the_full_rate_is_owed_the_assistance(tmp_path):
    """四（一）医疗救助参保资助在缴费时体现 / 四（三）……认定的符合条件的困难人员均可享受参保资（补）助，已全额缴费的,可向辖区医保
    部门申请支付其应享有的医疗救助参保资助和财政参保补助资金。 低保 recognised 2022-01-15 is on file; paying on 2022-02-01
    the counter collected the full 370 (the tax system had not marked them; recorded with an override reason): the 130 not given
    at the counter is owed (the 140 先缴后补 stays on the subsidy list)."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2022, "区")
    try:
        h, mid = ledger_member(lg, "19800301", make_id("19800301"))
        lg.categories.add(mid, "低保对象", recognized_on="2022-01-15")
        lg.payments.record(h, [PayLine(mid, amount="370", override_reason="税务系统未标识低保，按普通标准收取")],
                           method="现金", paid_on="2022-02-01")
        lg.claims.refresh()
        assert sum((c.amount for c in lg.claims.list(member_id=mid)), M(0)) == M(130)
    finally:
        lg.close()


@pytest.mark.parametrize("category", ["孤儿", "事实无人抚养儿童", "儿童福利机构儿童", "低保边缘家庭成员", "重度残疾人",
                                      "重点优抚对象"])
def test_groups_not_named_in_2022_pay_the_standard(category):
    """四（一）通过医疗救助渠道对城乡特困人员全额资助，对城乡低保对象、返贫致贫人口以及脱贫不稳定……给予每人 130 元定额资助 —
    孤儿 (unlike the 2025 notice), 残疾人 etc. are not named: 360 + 10 (unless also recognised as 特困)."""
    q = ask(P, CHILD, IN, [category])
    assert (q.due, q.assistance) == (M(230), M(0))


def test_ledger_refund_removes_the_member_from_the_subsidy_list(tmp_path):
    """五、……死亡退保……可同步办理参保终止和个人退费 + 四（二）先缴后补: a 低保 member paid 240 on 2021-11-01 (130 at the
    counter), died, refunded 240 on 2021-12-20 — the 140 先缴后补 must no longer be listed, nor the 130 资助."""
    from app.exchange.from_ledger import assistance_rows, subsidy_rows
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2022, "区")
    try:
        h, mid = ledger_member(lg, "19800301", make_id("19800301"))
        lg.categories.add(mid, "低保对象", recognized_on="2021-10-01")
        pid = lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2021-11-01").id
        assert sum(r["subsidy_amount"] for r in subsidy_rows(lg)) == M(140)
        lg.payments.refund(pid, mid, "死亡", refunded_on="2021-12-20")
        (r,) = lg.payments.refunds_of(pid)
        assert r.amount == M(240)
        assert list(subsidy_rows(lg)) == [] and list(assistance_rows(lg)) == []
    finally:
        lg.close()


def test_model_worker_in_a_county_gets_no_subsidy():
    """四（二）长春市城区内无医疗保障的困难劳动模范 — a county member is not 城区内: 370, nothing back."""
    q = ask(P, ADULT, IN, ["劳动模范"], area="县")
    assert (q.due, q.after_subsidy) == (M(370), M(0))
