"""Realistic printout data built with the real policy engine (changchun-2025)."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric

from app.domain.quote import quote
from app.domain.quote_model import CategoryFact, QuoteRequest
from app.paper.model import Notice, benefit_text, household_total, member_from_quote, notice_title
from app.policy_catalog import get_policy

POLICY_ID = "changchun-2025"
PAID_ON = dt.date(2024, 11, 15)
RARE_NAME = "王\U0002020C"  # 𠈌 U+2020C, CJK Extension B
RARE_NAME_A = "李\u4dae"  # 䶮 U+4DAE, CJK Extension A


def id_number(county: str, birth: dt.date, seq: int) -> str:
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def member(name, birth, seq, relation="户主", categories=(), county="220102"):
    policy = get_policy(POLICY_ID)
    q = quote(policy, QuoteRequest(birth_date=birth, paid_on=PAID_ON,
                                   categories=tuple(CategoryFact(c) for c in categories)))
    return member_from_quote(name, id_number(county, birth, seq), q, policy, relation=relation)


def notice(number="220102001-0001", members=None, head="张三") -> Notice:
    policy = get_policy(POLICY_ID)
    members = tuple(members or (
        member(head, dt.date(1980, 3, 4), 123),
        member(RARE_NAME, dt.date(1982, 5, 6), 224, "配偶", ("低保对象",)),
        member(RARE_NAME_A, dt.date(2010, 7, 8), 345, "子"),
    ))
    return Notice(
        title=notice_title(policy), township="永兴乡", village="红旗村", group="三组", household_number=number,
        head_name=head, address="红旗村三组 18 号", phone="13812345678", members=members,
        total=household_total(members), window_start=policy.window.start, window_end=policy.window.end,
        deadline=policy.window.end, benefit=benefit_text(policy), channels=policy.service.channels,
        hotline=policy.service.hotline, policy_doc=policy.source.doc_number, issued_on=dt.date(2024, 11, 1),
    )
