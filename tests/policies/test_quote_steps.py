"""Each step of the quote pipeline on its own (timing → counter → add-ons → subsidies → benefit).

The numbers come from the documents' words, quoted next to each case.
"""

from decimal import Decimal

import pytest

from app.domain.quote import (Closed, addons_of, benefit_of, counter_of, subsidies_of, timing_of)
from app.domain.quote_model import CategoryFact, QuoteRequest
from app.policy_catalog import get_policy
from policy_quotes import D

ADULT = D(1960, 5, 1)


def req(paid, cats=(), addons=(), birth=ADULT, area=""):
    return QuoteRequest(birth_date=birth, paid_on=paid, categories=tuple(CategoryFact(c) for c in cats),
                        addons=tuple(addons), area_kind=area)


def test_timing_window_and_late():
    # 双清 三、（四）2. 集中参保缴费期为2024年9月1日至12月31日
    p = get_policy("shuangqing-2025")
    assert timing_of(p, req(D(2024, 12, 31))).kind == "window"
    assert timing_of(p, req(D(2025, 1, 1))).kind == "late"


def test_timing_closed_before_the_window_quotes_the_clause():
    # 长春 三、集中缴费期为 2024 年 9 月 1 日至 2025 年 2 月 28 日
    p = get_policy("changchun-2025")
    with pytest.raises(Closed) as exc:
        timing_of(p, req(D(2024, 8, 31)))
    assert "2024 年 9 月 1 日" in exc.value.clause


def test_counter_applies_one_assistance():
    # 长春 二、（一）定额资助标准为每人每年 150 元，在缴费时直接体现
    p = get_policy("changchun-2025")
    r = req(D(2024, 10, 8), ["低保对象"])
    c = counter_of(p, r, timing_of(p, r))
    assert (c.base, c.personal_standard, c.assistance.amount) == (Decimal(400), Decimal(400), Decimal(150))


def test_counter_adds_the_fiscal_standard_when_late():
    # 双清 三、（四）3. 期外缴费的，按照个人缴费标准加财政补助标准之和缴费（400 + 670）
    p = get_policy("shuangqing-2025")
    r = req(D(2025, 3, 1))
    assert counter_of(p, r, timing_of(p, r)).personal_standard == Decimal(1070)


def test_addons_mandatory_long_term_care():
    # 长春 一、长护险个人缴费标准……每人每年 10 元；三、与居民医保费同步征收
    p = get_policy("changchun-2025")
    r = req(D(2024, 10, 8), ["特困人员"])
    t = timing_of(p, r)
    a = addons_of(p, r, t, counter_of(p, r, t))
    assert (a.charged, a.total, a.assisted) == (("长期护理保险",), Decimal(10), Decimal(0))


def test_subsidies_split_by_area():
    # 长春 二、（二）城乡低保对象……由市、区财政各补助 70 元（县财政补助 140 元）
    p = get_policy("changchun-2025")
    for area, items in (("区", (("市财政", Decimal(70)), ("区财政", Decimal(70)))), ("县", (("县财政", Decimal(140)),))):
        r = req(D(2024, 10, 8), ["低保对象"], area=area)
        t = timing_of(p, r)
        c = counter_of(p, r, t)
        s = subsidies_of(p, c, addons_of(p, r, t, c))
        assert (s.items, s.total) == (items, Decimal(140))


def test_benefit_waiting_period():
    # 吉林 三、其他居民在集中预缴期外参保缴费的，设置90日待遇等待期
    p = get_policy("jilin-2024")
    r = req(D(2024, 3, 1))
    t = timing_of(p, r)
    b = benefit_of(p, r, t, counter_of(p, r, t))
    assert (b.start, b.waiting) == (D(2024, 5, 31), 90)
