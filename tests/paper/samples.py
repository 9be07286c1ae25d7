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


def receipt(reprint=False, voided="", lines=None, number="2025-000123"):
    from app.paper.model import Receipt, ReceiptLine

    policy = get_policy(POLICY_ID)
    members = notice().members
    lines = tuple(lines or (ReceiptLine(m.name, m.id_masked, m.addons, m.due) for m in members))
    return Receipt(
        receipt_no=number, paid_on=PAID_ON, payer="张三", household_number="220102001-0001", township="永兴乡",
        village="红旗村", group="三组", year=policy.year, policy_name=policy.name, lines=lines,
        total=sum((line.amount for line in lines), start=type(lines[0].amount)("0.00")), method="现金",
        operator="刘网格", reprint=reprint, printed_on=dt.date(2024, 12, 1), voided=voided,
    )


def ledger_sheet(rows_count=60):
    from decimal import Decimal

    from app.paper.model import LedgerRow, LedgerSheet, LedgerTotals

    policy = get_policy(POLICY_ID)
    rows = []
    for i in range(rows_count):
        m = member(RARE_NAME if i == 1 else f"村民{i:03d}", dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i % 1000,
                   "户主" if i % 3 == 0 else "配偶", ("低保对象",) if i % 7 == 0 else ())
        paid = i % 4 != 3
        rows.append(LedgerRow(seq=i + 1, household_number=f"220102001-{i // 3 + 1:04d}", group=f"{i % 5 + 1}组",
                              name=m.name, relation=m.relation, id_masked=m.id_masked, category=m.category,
                              due=m.due, paid=m.due if paid else Decimal("0.00"),
                              paid_on=PAID_ON if paid else None, receipt_no=f"2025-{i + 1:06d}" if paid else "",
                              method="现金" if paid else "", status="已缴" if paid else "未缴"))
    due = sum((r.due for r in rows), Decimal("0.00"))
    paid = sum((r.paid for r in rows), Decimal("0.00"))
    npaid = sum(1 for r in rows if r.status == "已缴")
    totals = LedgerTotals(people=len(rows), enrolled_here=len(rows), paid_people=npaid,
                          unpaid_people=len(rows) - npaid, due=due, paid=paid)
    return LedgerSheet(title=f"{policy.name}参保缴费台账", township="永兴乡", village="红旗村", group="",
                       year=policy.year, policy_doc=policy.source.doc_number, rows=tuple(rows), totals=totals,
                       printed_on=dt.date(2024, 12, 1))
