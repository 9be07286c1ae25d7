"""Reviewer's cases for 屯留区 2025 预收通知 (长治市屯留区人民政府办公室 2024-09-26, seed 001), written from the
document before the code. Each case quotes the sentence it comes from. Adults are born 1975-04-01.
"""

import pytest

from policy_quotes import ask
from review_helpers import D, M, claim, cli_quote

P = "tunliu-2025"
ADULT = D(1975, 4, 1)
IN = D(2024, 10, 8)


def test_ordinary_member_pays_400():
    """缴费标准：2024年预收2025年度的个人缴费标准……达到每人每年400元。 表：普通人员 医疗救助资助 0 元 个人缴纳 400 元。"""
    q = ask(P, ADULT, IN)
    assert q.open and (q.personal_standard, q.due, q.assistance) == (M(400), M(400), M(0))


def test_benefit_year_is_2025():
    """关于开展预收2025年度城乡居民医疗保险征缴工作的通知 (the year paid for)."""
    q = ask(P, ADULT, IN)
    assert (q.benefit_start, q.benefit_end) == (D(2025, 1, 1), D(2025, 12, 31))


@pytest.mark.parametrize("paid", [D(2024, 9, 1), D(2024, 12, 25), D(2025, 1, 1), D(2025, 2, 25)])
def test_days_1_to_25_in_the_window_are_open(paid):
    """二、集中征缴期为2024年9月1日至2025年2月25日，集中征缴期间每月1–25日可办理缴费。"""
    q = ask(P, ADULT, paid)
    assert q.open and q.due == M(400)


@pytest.mark.parametrize("paid", [D(2024, 10, 26), D(2024, 12, 31), D(2025, 1, 28)])
def test_days_26_to_31_are_closed(paid):
    """二、集中征缴期间每月1–25日可办理缴费。"""
    assert not ask(P, ADULT, paid).open


@pytest.mark.parametrize("paid", [D(2024, 8, 31), D(2025, 2, 26), D(2025, 3, 10)])
def test_outside_the_window_is_closed_for_adults(paid):
    """二、集中征缴期为2024年9月1日至2025年2月25日 (the notice says nothing about later payment)."""
    assert not ask(P, ADULT, paid).open


@pytest.mark.parametrize("category, assistance, due", [
    ("稳定脱贫人口", 0, 400), ("特困人员", 400, 0), ("孤儿", 400, 0), ("事实无人抚养儿童", 400, 0),
    ("儿童福利机构儿童", 400, 0), ("低保对象", 320, 80), ("返贫致贫人口", 360, 40), ("脱贫不稳定人口", 280, 120),
    ("边缘易致贫人口", 280, 120), ("突发严重困难人口", 280, 120)])
def test_the_table_row_by_row(category, assistance, due):
    """缴费标准表：稳定脱贫人员 0/400；特困人员（含孤儿、事实无抚养儿童、儿童福利机构收留抚养儿童）400/0；低保人员 320/80；
    返贫致贫人员 360/40；脱贫不稳定人员 280/120；边缘易致贫人员 280/120；突发严重困难人口 280/120。"""
    q = ask(P, ADULT, IN, [category])
    assert (q.assistance, q.due) == (M(assistance), M(due))


def test_severely_disabled_pay_80_with_320_from_the_disability_fund():
    """表：1、2 级重度残疾人 残疾人就业保障金资助 320 元 个人缴纳 80元。 特殊缴费：对不属于医疗救助资助参保对象的二级及以上
    重度残疾人参照低保对象标准资助，资助资金由区残疾人就业保障金支付。"""
    q = ask(P, ADULT, IN, ["重度残疾人"])
    assert (q.assistance, q.due) == (M(320), M(80))
    assert "残疾人就业保障金" in (q.assistance_source or "")


def test_disabled_and_dibao_is_assisted_once_by_medical_aid():
    """特殊缴费：对不属于医疗救助资助参保对象的二级及以上重度残疾人…… — a 低保 disabled person is a 医疗救助 object:
    80 at the counter either way, assisted once, by 医疗救助."""
    q = ask(P, ADULT, IN, ["重度残疾人", "低保对象"])
    assert (q.assistance, q.due) == (M(320), M(80))
    assert q.assistance_source == "医疗救助"


@pytest.mark.parametrize("addons, due", [(["意外伤害保险"], 430), (["晋康保基础版"], 488), (["晋康保尊享版"], 528),
                                         (["意外伤害保险", "晋康保尊享版"], 558)])
def test_optional_commercial_addons(addons, due):
    """意外伤害保险标准为每人每年30元；“晋康保”分为基础版88元、尊享版128元……可与城乡居民基本医疗保险同步收缴。"""
    assert ask(P, ADULT, IN, addons=addons).due == M(due)


def test_addons_are_not_assisted():
    """表's 医疗救助资助 is of the 400 元 only: 低保 80 + 意外伤害 30 = 110."""
    assert ask(P, ADULT, IN, ["低保对象"], addons=["意外伤害保险"]).due == M(110)


def test_both_jinkangbao_tiers_are_refused():
    """“晋康保”分为基础版88元、尊享版128元 — one or the other."""
    from policy_quotes import problems_of

    assert problems_of(P, ADULT, IN, addons=["晋康保基础版", "晋康保尊享版"])


@pytest.mark.parametrize("paid", [D(2024, 12, 28), D(2025, 3, 15), D(2025, 3, 28), D(2025, 3, 31)])
def test_2024_newborn_may_pay_any_day_to_the_end_of_march(paid):
    """一、2024年出生的新生儿错过集中缴费期（2024年9月1日—12月25日）的，可于2025年3月底前办理参保缴费手续。
    Read: every day up to 2025-03-31 (the 1–25 rule is for the 集中征缴期), at 400."""
    q = ask(P, D(2024, 6, 1), paid)
    assert q.open and q.due == M(400)


def test_2024_newborn_after_march_is_closed():
    """一、……可于2025年3月底前办理参保缴费手续。"""
    assert not ask(P, D(2024, 6, 1), D(2025, 4, 1)).open


def test_adult_cannot_use_the_newborn_extension():
    """一、2024年出生的新生儿…… only."""
    assert not ask(P, ADULT, D(2025, 3, 15)).open


def test_newborn_of_the_year_needs_no_payment():
    """一、新生儿出生当年应及时办理参保登记，当年不缴纳基本医疗保险费即可享受城乡居民医保待遇。 Born 2025-01-10: covered
    in 2025 without paying (0 due)."""
    q = ask(P, D(2025, 1, 10), D(2025, 1, 20))
    assert q.open and q.due == M(0)


def test_full_payer_recognised_later_gets_nothing_back():
    """特殊缴费：被资助人一旦办理正常缴费，将无法办理特殊缴费。 (and the notice has no 先缴后补 sentence.)"""
    _, c = claim(P, ADULT, IN, "低保对象", D(2025, 3, 1))
    assert not c.owed and c.total == 0


def test_cli_quote_returned_to_poverty():
    """表：返贫致贫人员 医疗救助资助 360 元 个人缴纳 40元。"""
    d = cli_quote("--policy", P, "--birth-date", "1975-04-01", "--paid-on", "2024-10-08", "--category", "返贫致贫人口")
    assert (d["due"], d["assistance"]) == ("40.00", "360.00")


def test_cli_quote_addon_and_dibao():
    """表：低保人员 个人缴纳 80; 意外伤害保险 30; 晋康保基础版 88."""
    d = cli_quote("--policy", P, "--birth-date", "1975-04-01", "--paid-on", "2024-11-01", "--category", "低保对象",
                  "--addon", "意外伤害保险", "--addon", "晋康保基础版")
    assert d["due"] == "198.00"


def test_2024_newborn_with_dibao_in_the_extension_pays_80():
    """一、2024年出生的新生儿……可于2025年3月底前办理参保缴费手续 + 表：低保人员 个人缴纳 80。"""
    q = ask(P, D(2024, 12, 30), D(2025, 3, 31), ["低保对象"])
    assert q.open and q.due == M(80)


@pytest.mark.parametrize("category", ["低保边缘家庭成员", "重点优抚对象", "劳动模范"])
def test_groups_not_in_the_table_pay_400(category):
    """缴费标准表 has no row for these groups (退役军人部门 only mobilises 优抚对象 — 五（三）)."""
    assert ask(P, ADULT, IN, [category]).due == M(400)


def test_tekun_buying_accident_insurance_pays_30():
    """表：特困人员 个人缴纳 0 元; 意外伤害保险标准为每人每年30元 (not assisted)."""
    assert ask(P, ADULT, IN, ["特困人员"], addons=["意外伤害保险"]).due == M(30)


def _tunliu(tmp_path, birth):
    from review_helpers import ledger_member, make_id, new_ledger

    lg = new_ledger(tmp_path / "t.db", P, 2025, "")
    h, mid = ledger_member(lg, birth, make_id(birth))
    return lg, h, mid


def test_ledger_2024_newborn_in_march_is_charged_400(tmp_path):
    """一、2024年出生的新生儿错过集中缴费期……的，可于2025年3月底前办理参保缴费手续 — recorded on 2025-03-28 (day 28)."""
    from app.ledger import PayLine

    lg, h, mid = _tunliu(tmp_path, "20240601")
    try:
        pid = lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2025-03-28").id
        assert lg.payments.get(pid).items[0].amount == M(400)
    finally:
        lg.close()


def test_ledger_commercial_addon_charged_with_the_premium(tmp_path):
    """意外伤害保险……30元；“晋康保”……尊享版128元，……可与城乡居民基本医疗保险同步收缴 — 低保 80 + 30 + 128 = 238."""
    from app.ledger import PayLine

    lg, h, mid = _tunliu(tmp_path, "19750401")
    try:
        lg.categories.add(mid, "低保对象", recognized_on="2024-09-01")
        pid = lg.payments.record(h, [PayLine(mid, addons=("意外伤害保险", "晋康保尊享版"))], method="现金",
                                 paid_on="2024-10-08").id
        assert lg.payments.get(pid).items[0].amount == M(238)
    finally:
        lg.close()


def test_ledger_payment_on_the_26th_is_not_recorded_silently(tmp_path):
    """二、集中征缴期间每月1–25日可办理缴费 — a payment dated 2024-10-28 is refused (or needs an override reason)."""
    from app.domain.problems import ProblemsError
    from app.ledger import PayLine

    lg, h, mid = _tunliu(tmp_path, "19750401")
    try:
        with pytest.raises(ProblemsError):
            lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-10-28")
    finally:
        lg.close()


def test_notice_of_an_assisted_member_warns_about_normal_payment(tmp_path):
    """特殊缴费：各部门及时将资助情况通知到被资助人，被资助人一旦办理正常缴费，将无法办理特殊缴费。 The 低保 member's notice
    shows 80 and carries the warning (paying 400 at a normal counter loses the 320)."""
    from app.paper.from_ledger import Selection, notices

    lg, h, mid = _tunliu(tmp_path, "19750401")
    try:
        lg.categories.add(mid, "低保对象", recognized_on="2024-09-01")
        (n,) = notices(lg, Selection(), today=D(2024, 10, 8))
        (m,) = [x for x in n.members if x.counted]
        assert m.due == M(80)
        assert any("一旦办理正常缴费" in w for w in m.warnings)
    finally:
        lg.close()


def test_stable_exit_and_dibao_pays_the_dibao_80():
    """表：稳定脱贫人员 个人缴纳 400；低保人员 个人缴纳 80 — one person in both rows pays the lower (no stacking)."""
    q = ask(P, ADULT, IN, ["稳定脱贫人口", "低保对象"])
    assert (q.due, q.assistance) == (M(80), M(320))
