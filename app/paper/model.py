"""What a printout shows, as plain data: the renderers take these, never a database.

``from_ledger.py`` builds them from a ledger; tests and the benchmark build them from quotes directly
(``member_from_quote``). Money is Decimal yuan; ID numbers are already masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.idnumber import mask_id_number
from ..domain.money import ZERO
from ..domain.policy import Policy
from ..domain.quote_model import Quote


@dataclass(frozen=True, slots=True)
class NoticeMember:
    name: str
    id_masked: str
    relation: str = ""
    category: str = ""  # e.g. "低保对象"; "" = 普通居民
    personal_standard: Decimal | None = None
    assistance: Decimal = ZERO  # deducted at payment (positive number)
    addons: str = ""  # "长期护理保险 10.00"
    due: Decimal | None = None  # None: nothing to collect here (closed quote, paid, not enrolled)
    note: str = ""  # 已缴 / 参加职工医保 / why the quote is closed
    counted: bool = True  # included in the household total
    later: str = ""  # 先缴后补 subsidy paid back after payment, printed below the table
    warnings: tuple[str, ...] = ()  # the document's warnings for this member (屯留: 一旦正常缴费，将无法办理特殊缴费)


@dataclass(frozen=True, slots=True)
class Notice:
    """缴费通知单 for one household."""

    title: str  # 长春市2025年度城乡居民基本医疗保险缴费通知单
    township: str
    village: str
    group: str
    household_number: str
    head_name: str
    address: str
    phone: str
    members: tuple[NoticeMember, ...]
    total: Decimal
    window_start: dt.date
    window_end: dt.date
    deadline: dt.date
    benefit: str  # 待遇享受期 text
    channels: tuple[str, ...]
    hotline: str
    policy_doc: str  # 长医保联〔2024〕5号
    issued_on: dt.date
    notes: tuple[str, ...] = ()
    window_days: str = ""  # "每月1–25日可办理缴费" where the policy limits the days of the month
    demo: bool = False  # from a demo ledger: every page says 演示数据
    after_window: str = ""  # printed after the window: the rule, price and deadline that apply on that date
    grid_collection: bool = False  # “也可交给网格员代收”: only where the district turns it on (no document says it)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    id_masked: str
    addons: str
    amount: Decimal
    note: str = ""  # 已退费 …


@dataclass(frozen=True, slots=True)
class Receipt:
    """收款回执 for one payment."""

    receipt_no: str
    paid_on: dt.date
    payer: str
    household_number: str
    township: str
    village: str
    group: str
    year: int
    policy_name: str
    lines: tuple[ReceiptLine, ...]
    total: Decimal
    method: str
    operator: str
    reprint: bool = False
    printed_on: dt.date | None = None
    voided: str = ""  # "" or the void reason: printed as 已作废
    demo: bool = False  # from a demo ledger: every page says 演示数据


@dataclass(frozen=True, slots=True)
class LedgerRow:
    seq: int
    household_number: str
    group: str
    name: str
    relation: str
    id_masked: str
    category: str
    due: Decimal | None
    paid: Decimal  # collected, refunds deducted
    paid_on: dt.date | None
    receipt_no: str
    method: str
    status: str  # 已缴 / 未缴 / 参加职工医保 …


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    people: int
    enrolled_here: int
    paid_people: int
    unpaid_people: int
    due: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class LedgerSheet:
    """台账 of one village (or group)."""

    title: str  # 长春市2025年度城乡居民基本医疗保险参保缴费台账
    township: str
    village: str
    group: str  # "" = whole village
    year: int
    policy_doc: str
    rows: tuple[LedgerRow, ...]
    totals: LedgerTotals
    printed_on: dt.date
    signers: tuple[str, ...] = ("经办人", "审核人", "单位负责人")
    notes: tuple[str, ...] = field(default=())
    demo: bool = False  # from a demo ledger: every page says 演示数据


# -- building blocks from the policy engine ------------------------------------------------------------

def addons_text(names: tuple[str, ...] | list[str], policy: Policy) -> str:
    """"长护险 10.00" for the add-ons a quote charges (the shortest of the name and its aliases)."""
    parts = []
    for name in names:
        addon = policy.addon_by_name.get(name)
        amount = f" {addon.amount:.2f}" if addon else ""
        short = min((name, *addon.aliases), key=len) if addon else name  # 长护险 rather than 长期护理保险
        parts.append(f"{short}{amount}")
    return "、".join(parts)


def subsidy_note(quote: Quote) -> str:
    """先缴后补: money paid back later, never deducted on the notice."""
    if not quote.subsidies:
        return ""
    total = sum((amount for _, amount in quote.subsidies), ZERO)
    funders = "、".join(dict.fromkeys(funder for funder, _ in quote.subsidies))
    return f"缴费后另有{funders}参保补助 {total:.2f} 元（先缴后补，缴费时不扣减）"


def member_from_quote(name: str, id_number: str | None, quote: Quote, policy: Policy, relation: str = "",
                      note: str = "") -> NoticeMember:
    """One notice line from the real policy engine's quote."""
    category = quote.assistance_category or "、".join(quote.categories)
    if not quote.open:
        return NoticeMember(name, mask_id_number(id_number or ""), relation, category, None, ZERO, "", None,
                            note or f"暂不能计算：{quote.reason}", counted=False)
    if not note and quote.benefit_start and quote.benefit_start != policy.benefit.start:
        b = quote.benefit_start
        note = f"待遇自{b.month}月{b.day}日起" + (f"（等待期{quote.waiting_days}天）" if quote.waiting_days else "")
    return NoticeMember(
        name=name, id_masked=mask_id_number(id_number or ""), relation=relation, category=category,
        personal_standard=quote.personal_standard, assistance=quote.assistance or ZERO,
        addons=addons_text(quote.addons, policy), due=quote.due, note=note, later=subsidy_note(quote),
        warnings=tuple(quote.warnings),
    )


@dataclass(frozen=True, slots=True)
class NoticeTerms:
    """What applies on the day a notice is printed for: the deadline and, after the window, the rule."""

    deadline: dt.date
    after_window: str  # "" inside the window


def notice_terms(policy: Policy, day: dt.date) -> NoticeTerms:
    """The price rule and deadline that apply on ``day`` (a notice printed after the window must not show the
    window's)."""
    w, late = policy.window, policy.late
    if day <= w.end:
        return NoticeTerms(w.end, "")
    end = f"集中缴费期已于{_cn(w.end)}结束"
    grace = next((g for g in policy.grace if g.start <= day <= g.end), None)
    if grace is not None:
        start = {"payment": "自缴费之日", "next_day": "自缴费次日", "period_start": "自待遇享受期开始之日"}[grace.benefit_from]
        return NoticeTerms(grace.end, f"{end}；{_cn(grace.start)}至{_cn(grace.end)}缴费的，按个人缴费标准缴费，{start}起享受待遇"
                           + (f"（等待期{grace.waiting_days}天）" if grace.waiting_days else "")
                           + f"，请于{_cn(grace.end)}前缴费。")
    if not late.allowed:
        return NoticeTerms(w.end, f"{end}。{policy.source.doc_number}未规定集中缴费期外的缴费办法"
                           "（表中金额为集中缴费期标准，仅供参考），请向医保经办机构咨询。")
    price = "按个人缴费标准加财政补助标准" + (f"（{policy.standard.fiscal_amount:.2f}元）" if policy.standard.fiscal_amount
                                               else "") + "缴费" if late.surcharge_fiscal else "按个人缴费标准缴费"
    wait = f"，自缴费次日起设{late.waiting_words}待遇等待期（另有规定的除外）" if late.waiting_words else ""
    until = late.until or policy.benefit.end
    return NoticeTerms(until, f"{end}，现为期外缴费：{price}{wait}，最迟于{_cn(until)}前缴费；表中金额已按此计算。")


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def household_total(members: tuple[NoticeMember, ...] | list[NoticeMember]) -> Decimal:
    return sum((m.due for m in members if m.counted and m.due is not None), ZERO)


def benefit_text(policy: Policy) -> str:
    b = policy.benefit
    text = f"{b.start.year}年{b.start.month}月{b.start.day}日至{b.end.year}年{b.end.month}月{b.end.day}日"
    if b.next_day_from:
        d = b.next_day_from
        text += f"（{d.year}年{d.month}月{d.day}日起缴费的，自缴费到账次日起）"
    return text


def notice_title(policy: Policy) -> str:
    return f"{policy.name}缴费通知单"


def window_days_text(policy: Policy) -> str:
    w = policy.window
    if w.day_from is None:
        return ""
    return f"集中缴费期内每月{w.day_from}–{w.day_to}日可办理缴费"
