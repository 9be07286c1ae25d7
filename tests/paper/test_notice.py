"""Household payment notices, read back with poppler: names (rare ones too), masked IDs, amounts, capitals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.domain.money import capitals
from app.paper.layout import Cancelled
from app.paper.notice import render_notices

from . import pdftools, samples


@pytest.fixture(scope="module")
def one_notice(tmp_path_factory):
    path = tmp_path_factory.mktemp("notice") / "notice.pdf"
    n = samples.notice()
    render_notices([n], path)
    return n, path


def test_amounts_come_from_the_policy_engine(one_notice):
    n, _ = one_notice
    dues = [m.due for m in n.members]
    assert dues == [Decimal("410.00"), Decimal("260.00"), Decimal("410.00")]
    assert n.total == Decimal("1080.00")


def test_notice_text_has_names_masked_ids_amounts_and_capitals(one_notice):
    n, path = one_notice
    text = pdftools.compact(path)
    for name in ("张三", samples.RARE_NAME, samples.RARE_NAME_A):
        assert name in text
    assert "\U0002020C" in text and "\u4dae" in text
    for m in n.members:
        assert m.id_masked in text
        assert len(m.id_masked) == 18 and m.id_masked[4:14] == "*" * 10
    # the full ID number never appears
    assert samples.id_number("220102", dt.date(1980, 3, 4), 123) not in text
    assert "410.00" in text and "260.00" in text and "-150.00" in text
    assert "1,080.00" in text and "壹仟零捌拾元整" in text
    assert "长医保联〔2024〕5号" in text
    assert "2024年9月1日至2025年2月28日" in text
    assert "微信小程序、支付宝、电子税务局、自助办税机" in text
    assert "市财政、区财政参保补助140.00元" in text  # 低保对象: 先缴后补, not deducted
    assert "网格员（签字）" in text and "户主或家庭成员（签收）" in text


def test_single_adult_in_window_is_410_in_capitals(tmp_path):
    m = samples.member("赵六", dt.date(1975, 1, 2), 111)
    n = samples.notice(members=(m,), head="赵六")
    path = render_notices([n], tmp_path / "one.pdf")
    lines = [line.replace(" ", "") for line in pdftools.text(path, layout=True).splitlines()]
    assert n.total == Decimal("410.00")
    assert "本户应缴合计：410.00元大写：肆佰壹拾元整" in lines


def test_fonts_are_embedded_and_page_is_a4(one_notice):
    _, path = one_notice
    fonts = pdftools.fonts(path)
    assert fonts, "no fonts listed"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    names = {f["name"].split("+", 1)[1] for f in fonts}
    assert any(n.startswith("WenQuanYiMicroHei") for n in names)
    assert "HanaMinA" in names and "HanaMinB" in names  # the rare characters' fallbacks
    assert pdftools.page_size_mm(path) == (210.0, 297.0)
    assert pdftools.pages(path) == 1


def test_batch_reports_progress_and_puts_every_household_in_one_pdf(tmp_path):
    notices = [samples.notice(f"H-{i:04d}") for i in range(5)]
    seen = []
    path = render_notices(notices, tmp_path / "batch.pdf", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert pdftools.pages(path) == 5
    text = pdftools.compact(path)
    assert all(f"H-{i:04d}" in text for i in range(5))


def test_cancel_leaves_no_file(tmp_path):
    notices = [samples.notice(f"H-{i}") for i in range(4)]
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    target = tmp_path / "cancelled.pdf"
    with pytest.raises(Cancelled):
        render_notices(notices, target, cancelled=cancelled)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_large_household_continues_on_a_second_page_with_the_total_on_the_last(tmp_path):
    members = tuple(samples.member(f"成员{i}", dt.date(1970 + i, 1, 1), 100 + i, "子") for i in range(30))
    n = samples.notice(members=members, head="成员0")
    path = render_notices([n], tmp_path / "big.pdf")
    assert pdftools.pages(path) == 2
    text = pdftools.compact(path)
    assert all(f"成员{i}" in text for i in range(30))
    assert n.total == Decimal("12300.00")
    assert "壹万贰仟叁佰元整" in text and "第2页共2页" in text


@pytest.mark.parametrize("policy_id", ["changchun-2025", "tunliu-2025", "changchun-2022", "jilin-2024",
                                       "shuangqing-2025"])
def test_every_shipped_policy_prints_its_window_channels_and_hotline(policy_id, tmp_path):
    from app.domain.quote import quote
    from app.domain.quote_model import QuoteRequest
    from app.paper.model import (Notice, benefit_text, household_total, member_from_quote, notice_title,
                                 window_days_text)
    from app.policy_catalog import get_policy

    policy = get_policy(policy_id)
    day = policy.window.start
    if policy.window.day_from is not None:
        day = day.replace(day=max(day.day, policy.window.day_from))
    q = quote(policy, QuoteRequest(birth_date=dt.date(1980, 3, 4), paid_on=day))
    assert q.open, q.reason
    members = (member_from_quote("张三", samples.id_number("220102", dt.date(1980, 3, 4), 123), q, policy),)
    n = Notice(title=notice_title(policy), township="乡", village="村", group="", household_number="H-1",
               head_name="张三", address="", phone="", members=members, total=household_total(members),
               window_start=policy.window.start, window_end=policy.window.end, deadline=policy.window.end,
               benefit=benefit_text(policy), channels=policy.service.channels, hotline=policy.service.hotline,
               policy_doc=policy.source.doc_number, issued_on=day, window_days=window_days_text(policy))
    path = render_notices([n], tmp_path / "n.pdf")
    text = pdftools.compact(path)
    assert n.total == q.due and f"{q.due:,.2f}" in text
    assert capitals(q.due) in text
    assert "、".join(policy.service.channels).replace(" ", "") in text
    if policy.service.hotline:
        assert policy.service.hotline.replace(" ", "") in text
    assert pdftools.pages(path) == 1
    if policy.window.day_from is not None:
        assert f"每月{policy.window.day_from}–{policy.window.day_to}日可办理缴费" in text
