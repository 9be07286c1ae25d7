"""Recognised after payment → money back (app.domain.claim), from the documents' words.

长春 002 四（三）：2022 年 1 月 1 日至 12 月 31 日期间，经民政或乡村振兴部门认定的符合条件的困难人员均可享受参保资（补）
    助，已全额缴费的,可向辖区医保部门申请支付其应享有的医疗救助参保资助和财政参保补助资金。
长春 000 二（三）：2025 年 1 月 1 日至 12 月 31 日期间，经民政或农业农村部门认定的符合条件的困难人员均可享受参保资（补）助。
吉林 003 二：按照“身份认证、以缴定补”原则……2024年1月1日至12月31日期间，经民政或乡村振兴部门确认的符合条件的困难人员
    均可享受参保资助。
"""

from decimal import Decimal

from app.domain.claim import claim_after_recognition
from app.domain.quote_model import CategoryFact, QuoteRequest
from app.policy_catalog import get_policy
from policy_quotes import D, ask

ADULT = D(1960, 5, 1)


def claim(pid, paid_on, category, recognized_on, birth=ADULT, area="", cats=()):
    policy = get_policy(pid)
    paid = ask(pid, birth, paid_on, cats, area=area)
    req = QuoteRequest(birth_date=birth, paid_on=paid_on, area_kind=area)
    return paid, claim_after_recognition(policy, req, paid, category, recognized_on)


def test_changchun_2022_paid_370_then_dibao_recognised_gets_270_back():
    # 二、成年人 360 元 + 居民照护险 10 元 = 370; 四（一）低保 130 元定额资助; 四（二）市、区财政各补助 70 元
    paid, c = claim("changchun-2022", D(2021, 11, 1), "低保对象", D(2022, 3, 1))
    assert paid.due == Decimal(370)
    assert c.owed and c.total == Decimal(270)
    assert [(x.kind, x.funder, x.amount) for x in c.parts] == [
        ("assistance", "医疗救助", Decimal(130)), ("subsidy", "市财政", Decimal(70)), ("subsidy", "区财政", Decimal(70))]
    assert "已全额缴费的,可向辖区医保部门申请支付" in c.clause and c.clause.startswith("长医保联（2021）10号")


def test_changchun_2022_county_splits_the_subsidy_differently():
    # 四（二）县财政补助 140 元
    _, c = claim("changchun-2022", D(2021, 11, 1), "城乡低保对象", D(2022, 3, 1), area="县")
    assert c.total == Decimal(270) and [x.funder for x in c.parts] == ["医疗救助", "县财政"]


def test_jilin_2024_gives_back_the_150_assistance():
    # 二、定额资助标准为每人每年150元 (no 先缴后补 in the province's notice)
    paid, c = claim("jilin-2024", D(2023, 11, 1), "低保对象", D(2024, 5, 10))
    assert paid.due == Decimal(380)
    assert c.owed and c.total == Decimal(150) and c.parts[0].funder == "医疗救助"


def test_recognised_after_the_year_gives_nothing():
    # “2024年1月1日至12月31日期间” — recognised in 2025 it is the next year's business
    _, c = claim("jilin-2024", D(2023, 11, 1), "低保对象", D(2025, 1, 2))
    assert not c.owed and c.total == 0 and "2024-12-31" in c.message


def test_a_member_already_assisted_gets_only_the_difference():
    # 长春 2025: paid as 低保 (150 at the counter → 250 + 长护险 10; 市、区财政各补助 70 later, so 110 net);
    # recognised 特困人员 (二（一）全额资助): 250 more assistance, and the 140 先缴后补 of 低保 is no longer due
    policy = get_policy("changchun-2025")
    paid = ask("changchun-2025", ADULT, D(2024, 10, 8), ["低保对象"])
    assert (paid.due, paid.after_subsidy) == (Decimal(260), Decimal(140))
    req = QuoteRequest(birth_date=ADULT, paid_on=D(2024, 10, 8), categories=(CategoryFact("低保对象"),))
    c = claim_after_recognition(policy, req, paid, "特困人员", D(2025, 4, 1))
    assert [(x.kind, x.funder, x.amount) for x in c.parts] == [
        ("assistance", "医疗救助", Decimal(250)), ("withdrawn", "市财政", Decimal(-70)), ("withdrawn", "区财政", Decimal(-70))]
    # the member bore 260 − 140 = 120; as 特困人员 they bear 10 (长护险 is not assisted): 110 back
    assert c.owed and c.total == Decimal(110)


def test_recognised_with_nothing_more_to_give():
    # 长春 2025 劳动模范: assistance “none”, and its subsidy is only for 城区 (区) members — a 县 member gets nothing
    _, c = claim("changchun-2025", D(2024, 10, 8), "劳动模范", D(2025, 4, 1), area="县")
    assert not c.owed and "无需补付" in c.message


def test_policies_whose_documents_say_nothing_give_nothing():
    # 屯留: no such sentence; 双清 三（五）4.: 期外动态新增的困难对象，纳入下一年度参保缴费资助范围
    for pid, paid_on in (("tunliu-2025", D(2024, 10, 8)), ("shuangqing-2025", D(2024, 10, 8))):
        _, c = claim(pid, paid_on, "低保对象", D(2025, 3, 1))
        assert not c.owed and c.total == 0
