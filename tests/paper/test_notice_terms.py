"""Notices say what the documents say on the day they are printed for (issue 11), read back with poppler.

- after the window, the price and deadline that apply on that date (双清 三、（四）3. 期外：个人缴费标准加财政补助标准，
  并设置待遇等待期；有效期至 2025 年 12 月 31 日), not the window's;
- 屯留's pitfall (“被资助人一旦办理正常缴费，将无法办理特殊缴费”) on assisted members' notices;
- only channels and hotlines the document gives the public; no “网格员代收” unless the district turns it on.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.quote import quote
from app.domain.quote_model import CategoryFact, QuoteRequest
from app.paper.model import (Notice, benefit_text, household_total, member_from_quote, notice_terms, notice_title,
                             window_days_text)
from app.paper.notice import render_notices
from app.policy_catalog import get_policy

from . import pdftools, samples

ADULT = dt.date(1980, 3, 4)


def notice_text(tmp_path, policy_id, day, categories=(), grid=False):
    policy = get_policy(policy_id)
    q = quote(policy, QuoteRequest(birth_date=ADULT, paid_on=day, categories=tuple(CategoryFact(c) for c in categories)))
    members = (member_from_quote("张三", samples.id_number("220102", ADULT, 123), q, policy),)
    terms = notice_terms(policy, day)
    n = Notice(title=notice_title(policy), township="乡", village="村", group="", household_number="H-1",
               head_name="张三", address="", phone="", members=members, total=household_total(members),
               window_start=policy.window.start, window_end=policy.window.end, deadline=terms.deadline,
               benefit=benefit_text(policy), channels=policy.service.channels, hotline=policy.service.hotline,
               policy_doc=policy.source.doc_number, issued_on=day, window_days=window_days_text(policy),
               after_window=terms.after_window, grid_collection=grid)
    return q, pdftools.compact(render_notices([n], tmp_path / "n.pdf"))


def test_a_notice_printed_after_the_window_shows_the_late_price_and_deadline(tmp_path):
    q, text = notice_text(tmp_path, "shuangqing-2025", dt.date(2025, 3, 1))
    assert q.due == 1070 and "1,070.00" in text
    assert "集中缴费期已于2024年12月31日结束，现为期外缴费" in text
    assert "按个人缴费标准加财政补助标准（670.00元）缴费" in text and "90天待遇等待期" in text
    assert "最迟于2025年12月31日前缴费" in text
    assert "请于2024年12月31日前缴费" not in text  # not the window's deadline
    assert "待遇自5月31日起（等待期90天）" in text


def test_inside_the_window_the_notice_keeps_the_window_deadline(tmp_path):
    _, text = notice_text(tmp_path, "shuangqing-2025", dt.date(2024, 10, 8))
    assert "请于2024年12月31日前缴费" in text and "期外缴费" not in text


def test_where_the_document_is_silent_after_the_window_the_notice_says_so(tmp_path):
    # 长春 000 三、居民在集中缴费期外参保缴费的，按照相关政策规定执行
    policy = get_policy("changchun-2025")
    terms = notice_terms(policy, dt.date(2025, 3, 5))
    assert "未规定集中缴费期外的缴费办法" in terms.after_window


def test_tunliu_assisted_members_notice_carries_the_pitfall(tmp_path):
    _, text = notice_text(tmp_path, "tunliu-2025", dt.date(2024, 10, 8), ["低保对象"])
    assert "被资助人一旦办理正常缴费，将无法办理特殊缴费" in text
    _, plain = notice_text(tmp_path, "tunliu-2025", dt.date(2024, 10, 8))
    assert "将无法办理特殊缴费" not in plain


def test_no_personal_mobile_and_no_invented_grid_collection(tmp_path):
    # 双清 四、（一）联系人：伍艳华；联系电话：13707390250 — a contact for the departments, not the public
    _, text = notice_text(tmp_path, "shuangqing-2025", dt.date(2024, 10, 8))
    assert "13707390250" not in text and "伍艳华" not in text
    assert "网格员代收" not in text
    assert "湘税社保APP、微信小程序、手机银行、税务实体办税厅" in text
    _, on = notice_text(tmp_path, "shuangqing-2025", dt.date(2024, 10, 8), grid=True)
    assert "网格员代收" in on


def test_policy_check_refuses_a_mobile_number_as_the_hotline():
    from pathlib import Path

    from app.domain.policy_loader import load_policy_text

    text = (Path(__file__).resolve().parents[2] / "policies" / "tunliu-2025.toml").read_text(encoding="utf-8")
    _, problems = load_policy_text(text.replace('hotline = "区医保中心"', 'hotline = "13707390250"'), "t.toml")
    assert any("个人手机" in p.message for p in problems)


@pytest.mark.parametrize("policy_id", ["changchun-2025", "jilin-2024"])
def test_ledger_notice_after_the_window_uses_notice_terms(policy_id):
    policy = get_policy(policy_id)
    day = policy.window.end + dt.timedelta(days=1)
    assert notice_terms(policy, day).after_window.startswith("集中缴费期已于")
