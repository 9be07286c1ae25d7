"""长春市 2025 年度（长医保联〔2024〕5号，种子文件 000）— expected values worked out from the document's words.

Key sentences:
  一、个人缴费标准为每人每年 400 元；长护险个人缴费标准……仍为每人每年 10 元。
  二、（一）城乡特困人员、孤儿全额资助；低保、返贫致贫、脱贫不稳定（纳入监测）定额资助；未消除风险的防止返贫
      监测对象、因病纳入监测的边缘易致贫户和突发严重困难户可定额资助。定额 150 元，在缴费时直接体现。
  二、（二）低保：市、区财政各 70 元（县财政 140 元）；返贫致贫等：市、县（区）财政各 70 元；劳动模范：居民医保
      由市财政、市总工会各 200 元，长护险由市总工会 10 元。“先缴后补、缴补分离”，在缴费时不体现。
  三、集中缴费期 2024-09-01 至 2025-02-28；2025-01-01 前缴费的待遇期 2025-01-01 至 12-31；2025-01-01 至
      02-28 缴费的，待遇从缴费到账次日起算；期外“按照相关政策规定执行”（本文件未规定）。
"""

from decimal import Decimal

import pytest

from policy_quotes import D, ask, assert_closed, assert_open, lines_of, problems_of

P = "changchun-2025"
ADULT = D(1960, 5, 1)
IN = D(2024, 10, 8)  # a day inside the window, before 2025


def test_ordinary_member_pays_400_plus_10_long_term_care():
    # 一、筹资标准: 400 + 长护险 10 (三、“长护险个人缴费与居民医保费同步征收”)
    q = ask(P, ADULT, IN)
    assert_open(q)
    assert (q.personal_standard, q.assistance, q.due) == (Decimal("400"), Decimal("0"), Decimal("410"))
    assert q.addons == ("长期护理保险",) and q.addons_total == Decimal("10")
    assert q.after_subsidy == Decimal("0") and q.subsidies == ()
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (D(2025, 1, 1), D(2025, 12, 31), 0)
    assert q.assistance_source is None


@pytest.mark.parametrize("category, assistance, due, subsidies", [
    # 二、（一）对城乡特困人员、孤儿给予全额资助 — of the 居民医保 personal premium; 长护险 10 still paid
    ("特困人员", "400", "10", ()),
    ("城乡特困人员", "400", "10", ()),  # the document's own wording, an alias
    ("孤儿", "400", "10", ()),
    # 二、（一）低保 定额 150; 二、（二）市、区财政各补助 70 元 (default area 区)
    ("低保对象", "150", "260", (("市财政", "70"), ("区财政", "70"))),
    ("城乡低保对象", "150", "260", (("市财政", "70"), ("区财政", "70"))),
    # 二、（一）返贫致贫人口 定额 150; 二、（二）市、县（区）财政各补助 70 元
    ("返贫致贫人口", "150", "260", (("市财政", "70"), ("县（区）财政", "70"))),
    # 脱贫不稳定且纳入相关部门农村低收入人口监测范围的 — same 150 / 70+70
    ("脱贫不稳定人口", "150", "260", (("市财政", "70"), ("县（区）财政", "70"))),
    # 未消除风险的防止返贫监测对象 — 可通过医疗救助给予定额资助 150; 补助 70+70
    ("防止返贫监测对象", "150", "260", (("市财政", "70"), ("县（区）财政", "70"))),
    # 因病纳入监测范围的边缘易致贫户和突发严重困难户 — 150; 补助 70+70
    ("边缘易致贫人口", "150", "260", (("市财政", "70"), ("县（区）财政", "70"))),
    ("突发严重困难人口", "150", "260", (("市财政", "70"), ("县（区）财政", "70"))),
    # 二、（二）劳动模范: no assistance at the counter; 市财政 200 + 市总工会 200 on 居民医保, 市总工会 10 on 长护险
    ("劳动模范", "0", "410", (("市财政", "200"), ("市总工会", "200"), ("市总工会", "10"))),
])
def test_each_category_named_by_the_document(category, assistance, due, subsidies):
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert q.personal_standard == Decimal("400")
    assert q.assistance == Decimal(assistance)
    assert q.due == Decimal(due)
    assert q.subsidies == tuple((f, Decimal(a)) for f, a in subsidies)
    assert q.after_subsidy == sum((Decimal(a) for _, a in subsidies), Decimal(0))
    # assistance is paid by 医疗救助 (二、（一）“通过医疗救助渠道对其个人缴费给予资助”)
    assert q.assistance_source == ("医疗救助" if assistance != "0" else None)
    # subsidies are never deducted at the counter (“在缴费时不体现”)
    assert q.due == Decimal("400") - q.assistance + Decimal("10")


def test_full_assistance_does_not_cover_long_term_care():
    # 二、（一）资助“其个人缴费”即居民医保个人缴费；长护险是另一项（一、筹资标准），文件未写资助长护险
    q = ask(P, ADULT, IN, ["特困人员"])
    assert q.due == Decimal("10")
    assert [line.amount for line in lines_of(q, "assistance")] == [Decimal("-400")]


@pytest.mark.parametrize("area, subsidies", [
    # 二、（二）对城乡低保对象……由市、区财政各补助 70 元（县财政补助 140 元）
    ("区", (("市财政", "70"), ("区财政", "70"))),
    ("县", (("县财政", "140"),)),
])
def test_low_income_subsidy_split_by_area_kind(area, subsidies):
    q = ask(P, ADULT, IN, ["低保对象"], area=area)
    assert_open(q)
    assert q.due == Decimal("260")
    assert q.subsidies == tuple((f, Decimal(a)) for f, a in subsidies)
    assert q.after_subsidy == Decimal("140")


@pytest.mark.parametrize("area", ["区", "县"])
def test_other_monitored_groups_city_and_county_district_each_70_whatever_the_area(area):
    # 二、（二）……的个人缴费部分，由市、县（区）财政各补助 70 元 — no 区/县 split for these groups
    q = ask(P, ADULT, IN, ["返贫致贫人口"], area=area)
    assert q.subsidies == (("市财政", Decimal("70")), ("县（区）财政", Decimal("70")))


def test_labour_model_subsidy_includes_10_for_long_term_care():
    # 二、（二）居民医保个人缴费由市财政、市总工会各补助 200 元，长护险个人缴费由市总工会补助 10 元
    q = ask(P, ADULT, IN, ["劳动模范"])
    assert q.due == Decimal("410")
    assert q.after_subsidy == Decimal("410")  # everything paid comes back later
    texts = [line.text for line in lines_of(q, "subsidy")]
    assert any("长期护理保险" in t for t in texts)
    assert all("缴费时不体现" in t for t in texts)


def test_labour_model_subsidy_is_for_the_city_districts_only():
    # 二、（二）“长春市城区内无医疗保障的困难劳动模范” — a member in a 县 is not in 城区: no labour-model subsidy
    q = ask(P, ADULT, IN, ["劳动模范"], area="县")
    assert_open(q)
    assert (q.due, q.after_subsidy, q.subsidies) == (Decimal("410"), Decimal("0"), ())
    # a 低保 labour model in a 县 then gets the 低保 help: 150 at the counter, 县财政 140 later
    q = ask(P, ADULT, IN, ["低保对象", "劳动模范"], area="县")
    assert (q.due, q.subsidies) == (Decimal("260"), (("县财政", Decimal("140")),))


@pytest.mark.parametrize("categories, assistance, due, chosen", [
    # assistance never stacks: the most favourable single category applies
    (["低保对象", "特困人员"], "400", "10", "特困人员"),
    (["孤儿", "低保对象"], "400", "10", "孤儿"),
    (["低保对象", "返贫致贫人口"], "150", "260", None),  # both 150: 150 once, not 300
    (["返贫致贫人口", "脱贫不稳定人口", "突发严重困难人口"], "150", "260", None),
])
def test_several_categories_never_stack(categories, assistance, due, chosen):
    q = ask(P, ADULT, IN, categories)
    assert_open(q)
    assert q.assistance == Decimal(assistance)
    assert q.due == Decimal(due)
    if chosen:
        assert q.assistance_category == chosen
    assert len(lines_of(q, "assistance")) == 1
    # subsidies of one category only: at most 140 for the 70+70 groups, nothing beside full assistance
    assert q.after_subsidy <= Decimal("140")


def test_low_income_labour_model_takes_the_more_favourable_labour_model_subsidy():
    # 低保: 150 at the counter + 140 later = 290; 劳动模范: 400 + 10 later. Not both (no stacking).
    q = ask(P, ADULT, IN, ["低保对象", "劳动模范"])
    assert q.assistance == Decimal("0") and q.due == Decimal("410")
    assert q.after_subsidy == Decimal("410")
    assert q.assistance_category is None


@pytest.mark.parametrize("category", ["稳定脱贫人口", "重度残疾人", "低保边缘家庭成员", "重点优抚对象"])
def test_categories_the_document_does_not_assist_are_accepted_without_assistance(category):
    # 长医保联〔2024〕5号 names none of these: full standard, a note says the document has no rule for them
    q = ask(P, ADULT, IN, [category])
    assert_open(q)
    assert (q.assistance, q.due, q.after_subsidy) == (Decimal("0"), Decimal("410"), Decimal("0"))
    assert any(category in line.text for line in lines_of(q, "note"))


@pytest.mark.parametrize("paid, benefit_start", [
    # 三、集中缴费期 2024-09-01 至 2025-02-28
    (D(2024, 9, 1), D(2025, 1, 1)),    # first day
    (D(2024, 12, 31), D(2025, 1, 1)),  # 2025年1月1日之前完成缴费的，待遇享受期为2025年1月1日至12月31日
    (D(2025, 1, 1), D(2025, 1, 2)),    # 2025年1月1日至2月28日期间缴费的，待遇从缴费到账次日起计算
    (D(2025, 1, 31), D(2025, 2, 1)),
    (D(2025, 2, 28), D(2025, 3, 1)),   # last day of the window
])
def test_window_and_benefit_start(paid, benefit_start):
    q = ask(P, ADULT, paid)
    assert_open(q)
    assert q.due == Decimal("410")
    assert (q.benefit_start, q.benefit_end, q.waiting_days) == (benefit_start, D(2025, 12, 31), 0)


def test_jan_feb_payment_with_assistance_keeps_the_amounts():
    q = ask(P, ADULT, D(2025, 2, 10), ["低保对象"], area="县")
    assert (q.due, q.after_subsidy) == (Decimal("260"), Decimal("140"))
    assert q.benefit_start == D(2025, 2, 11)
    assert "次日" in lines_of(q, "benefit")[0].clause


def test_day_before_window_is_refused():
    assert_closed(ask(P, ADULT, D(2024, 8, 31)), "2024-09-01", "集中缴费期")


@pytest.mark.parametrize("paid", [D(2025, 3, 1), D(2025, 6, 30), D(2025, 12, 31)])
def test_after_the_window_the_document_is_silent_so_no_quote(paid):
    # 三、“居民在集中缴费期外参保缴费的，按照相关政策规定执行” — no amount, no benefit rule in this document
    q = ask(P, ADULT, paid)
    assert_closed(q, "按照相关政策规定执行")
    assert "2025-02-28" in q.reason


def test_category_recognised_after_payment_is_not_deducted_at_the_counter():
    # 二、（一）定额资助“在缴费时直接体现” — a 低保 recognised after the payment could not be deducted then
    q = ask(P, ADULT, D(2024, 10, 8), ["低保对象:2025-01-05"])
    assert_open(q)
    assert (q.assistance, q.due) == (Decimal("0"), Decimal("410"))
    # recognised before paying: deducted
    q = ask(P, ADULT, D(2025, 1, 8), ["低保对象:2025-01-05"])
    assert (q.assistance, q.due, q.benefit_start) == (Decimal("150"), Decimal("260"), D(2025, 1, 9))


def test_long_term_care_is_mandatory_and_not_declinable_here():
    # 三、长护险个人缴费与居民医保费同步征收
    q = ask(P, ADULT, IN, declined=("长期护理保险",))
    assert q.addons == ("长期护理保险",) and q.due == Decimal("410")


def test_tunliu_addons_are_not_offered_here():
    msgs = problems_of(P, ADULT, IN, addons=["意外伤害保险"])
    assert len(msgs) == 1 and "长期护理保险" in msgs[0]


def test_every_line_cites_the_document_number():
    q = ask(P, ADULT, D(2025, 1, 15), ["低保对象", "劳动模范"], area="县")
    assert_open(q)
    assert all(line.clause.startswith("长医保联〔2024〕5号") for line in q.lines if line.clause)
    assert {line.kind for line in q.lines} >= {"standard", "addon", "subsidy", "benefit"}
