"""Build printout data from a ledger: notices for unpaid households, receipts for payments, village sheets.

Reads only. Who is paid, unpaid or not required, and what a paid member paid, come from the read model
(``app.ledger.member_year``); the quote lines come from the ledger's own quoting (``payments.quote``: the
member's categories on the day, add-on choices, area kind); IDs are masked here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..domain.idnumber import mask_id_number
from ..ledger.demo_flag import is_demo
from ..ledger.stations import as_printed
from ..domain.money import ZERO
from ..domain.problems import Problem, ProblemsError
from ..domain.vocabulary import PayState, Status
from ..ledger import member_year
from ..policy_catalog import UnknownPolicy, get_policy
from .layout import CancelCheck, Progress, tick
from .model import (LedgerRow, LedgerSheet, LedgerTotals, Notice, NoticeMember, Receipt, ReceiptLine, addons_text,
                    benefit_text, household_total, member_from_quote, notice_terms, notice_title,
                    window_days_text)

if TYPE_CHECKING:
    from ..ledger import Household, Ledger, Member, Payment

ENROLLED = Status.ENROLLED


def quote_day(policy, today: dt.date | None = None) -> dt.date:
    """The day notices are quoted for: today inside the collection window; after it, today where the document
    lets members pay then (a grace period or late payment: the price and deadline of that day), else the
    window's first day (its price, printed as reference only: see ``notice_terms``)."""
    from ..ledger.dues import default_paid_on

    today = today or dt.date.today()
    late = policy.late
    if today > policy.window.end and (any(g.start <= today <= g.end for g in policy.grace)
                                      or (late.allowed and (late.until is None or today <= late.until))):
        return today
    return default_paid_on(policy, today)


@dataclass(frozen=True, slots=True)
class Selection:
    village: str = ""
    group: str = ""
    household: str = ""  # 户编号 or #id


def select_households(lg: "Ledger", sel: Selection) -> list["Household"]:
    """The households a print covers; every unknown name is reported, with the valid ones."""
    problems: list[Problem] = []
    settings = lg.settings.get()
    villages = {v.name: v for v in settings.villages}
    if sel.village and sel.village not in villages:
        problems.append(Problem("--village", f"没有村（社区）「{sel.village}」。可用：{'、'.join(villages) or '（无）'}"))
    elif sel.group:
        groups = [g.name for v in settings.villages if not sel.village or v.name == sel.village for g in v.groups]
        if sel.group not in groups:
            problems.append(Problem("--group", f"没有组「{sel.group}」。可用：{'、'.join(dict.fromkeys(groups)) or '（无）'}"))
    if problems:
        raise ProblemsError(problems)
    if sel.household:
        h = lg.households.find(sel.household)
        if (sel.village and h.village != sel.village) or (sel.group and h.group != sel.group):
            raise ProblemsError([Problem("--household", f"户 {h.number} 不在所选的村（组）中")])
        return [h]
    out: list = []
    batch = 5000
    while True:
        page = lg.households.list(village=sel.village or None, group=sel.group or None, limit=batch,
                                  offset=len(out))
        out.extend(page)
        if len(page) < batch:
            return out


def _paid_items(lg: "Ledger", member_id: int, year: int):
    return lg.payments.paid_this_year(member_id, year)


def _payment_cache(lg: "Ledger"):
    cache: dict[int, "Payment"] = {}

    def get(pid: int) -> "Payment":
        if pid not in cache:
            cache[pid] = lg.payments.get(pid)
        return cache[pid]
    return get


def notice_for(lg: "Ledger", h: "Household", day: dt.date, today: dt.date, only_unpaid: bool = True,
               payment=None) -> Notice | None:
    """The notice for one household, or None when it has nothing left to pay (and only_unpaid)."""
    settings = lg.settings.get()
    policy = lg.policy()
    payment = payment or _payment_cache(lg)
    lines: list[NoticeMember] = []
    unpaid = 0
    years = member_year.of_household(lg, h.id, day)
    for m in lg.members.of_household(h.id):
        y = years[m.id]
        if y.state is PayState.PAID:
            items = _paid_items(lg, m.id, settings.year)
            receipts = "、".join(dict.fromkeys(payment(i.payment_id).receipt_no for i in items))
            lines.append(NoticeMember(m.name, _mask(m), m.relation, note=f"已缴 {y.paid:.2f}，回执 {receipts}",
                                      counted=False))
            continue
        if not y.enrolled_here:
            lines.append(NoticeMember(m.name, _mask(m), m.relation, note=y.why + "，不在本地缴费", counted=False))
            continue
        unpaid += 1
        try:
            q = lg.payments.quote(m.id, day)
        except ProblemsError as exc:
            lines.append(NoticeMember(m.name, _mask(m), m.relation, note="无法计算：" + "；".join(
                p.message for p in exc.problems), counted=False))
            continue
        lines.append(member_from_quote(m.name, m.id_number, q, policy, relation=m.relation))
    if only_unpaid and unpaid == 0:
        return None
    members = tuple(lines)
    return Notice(
        title=notice_title(policy), township=settings.township, village=h.village, group=h.group,
        household_number=h.number, head_name=h.head_name or (members[0].name if members else ""),
        address=h.address, phone=h.phone, members=members, total=household_total(members),
        window_start=policy.window.start, window_end=policy.window.end, deadline=notice_terms(policy, day).deadline,
        after_window=notice_terms(policy, day).after_window, grid_collection=_grid_collection(lg),
        benefit=benefit_text(policy), channels=policy.service.channels, hotline=policy.service.hotline,
        policy_doc=policy.source.doc_number, issued_on=today, window_days=window_days_text(policy),
        notes=_notice_notes(policy, day, today), demo=is_demo(lg),
    )


def _grid_collection(lg: "Ledger") -> bool:
    """The ledger setting ``notice_grid_collection`` (app.ledger.settings): print “也可交给网格员代收” on notices."""
    return lg.settings.get().notice_grid_collection


def _notice_notes(policy, day: dt.date, today: dt.date) -> tuple[str, ...]:
    notes = [f"金额按 {day.year}年{day.month}月{day.day}日 缴费计算；人员类别或附加险有变化的，以缴费时核定为准。"]
    if today > policy.window.end and day <= policy.window.end:  # after it, notice_terms states the rule
        end = policy.window.end
        notes.append(f"注意：本年度集中缴费期已于 {end.year}年{end.month}月{end.day}日 结束，"
                     f"期外缴费的金额和待遇以{policy.source.doc_number}及相关规定为准。")
    return tuple(notes)


def _mask(m: "Member") -> str:
    return mask_id_number(m.id_number or "")


def notices(lg: "Ledger", sel: Selection, *, today: dt.date | None = None, progress: Progress = None,
            cancelled: CancelCheck = None, only_unpaid: bool = True) -> list[Notice]:
    """Notices for every household of the selection that still has a member to pay (one query per member)."""
    today = today or dt.date.today()
    day = quote_day(lg.policy(), today)
    households = select_households(lg, sel)
    if sel.household:
        only_unpaid = False  # asked for by name: print it even if everyone has paid
    payment = _payment_cache(lg)
    out = []
    for done, h in enumerate(households):
        tick(done, len(households), progress, cancelled)
        n = notice_for(lg, h, day, today, only_unpaid, payment)
        if n is not None:
            out.append(n)
    tick(len(households), len(households), progress, cancelled)
    return out


def receipt_for(lg: "Ledger", p: "Payment", *, reprint: bool = False, today: dt.date | None = None) -> Receipt:
    settings = lg.settings.get()
    h = lg.households.get(p.household_id)
    lines = []
    policy_name = ""
    for item in p.items:
        try:
            policy = get_policy(item.policy_id)
            addons = addons_text(item.addons, policy)
            policy_name = policy_name or policy.name
        except UnknownPolicy:
            addons = "、".join(item.addons)
        m = lg.members.get(item.member_id)
        lines.append(ReceiptLine(item.member_name, _mask(m), addons, item.amount,
                                 "已退费" if item.refund_id is not None else ""))
    return Receipt(
        receipt_no=as_printed(p.receipt_no), paid_on=p.paid_on, payer=h.head_name or (lines[0].name if lines else ""),
        household_number=h.number, township=settings.township, village=h.village, group=h.group, year=p.year,
        policy_name=policy_name or lg.policy().name, lines=tuple(lines), total=p.amount, method=p.method,
        operator=p.operator, reprint=reprint, printed_on=today or dt.date.today(),
        voided=(p.void_reason or "已作废") if p.voided else "", demo=is_demo(lg),
    )


def receipts(lg: "Ledger", *, numbers: list[str] = (), sel: Selection = Selection(), reprint: bool = False,
             today: dt.date | None = None) -> list[Receipt]:
    """Receipts by number, else every payment of the selected households this year (voided ones too, marked)."""
    if numbers:
        return [receipt_for(lg, lg.payments.by_receipt(no), reprint=reprint, today=today) for no in numbers]
    year = lg.settings.get().year
    out = []
    for h in select_households(lg, sel):
        for p in lg.payments.of_household(h.id):
            if p.year == year:
                out.append(receipt_for(lg, p, reprint=reprint, today=today))
    return out


def ledger_sheets(lg: "Ledger", sel: Selection, *, today: dt.date | None = None, progress: Progress = None,
                  cancelled: CancelCheck = None) -> list[LedgerSheet]:
    """One sheet per village (or the selected group): every member, what is due, what was paid."""
    today = today or dt.date.today()
    settings = lg.settings.get()
    policy = lg.policy()
    day = quote_day(policy, today)
    households = select_households(lg, sel)
    payment = _payment_cache(lg)
    by_village: dict[str, list[LedgerRow]] = {}
    counts: dict[str, list[int]] = {}
    for done, h in enumerate(households):
        tick(done, len(households), progress, cancelled)
        rows = by_village.setdefault(h.village, [])
        c = counts.setdefault(h.village, [0, 0, 0])  # enrolled here, paid, unpaid
        years = member_year.of_household(lg, h.id, day)
        for m in lg.members.of_household(h.id):
            y = years[m.id]
            items = _paid_items(lg, m.id, settings.year) if y.state is PayState.PAID else []
            paid = y.paid
            pays = [payment(i.payment_id) for i in items]
            due: Decimal | None = y.due
            category = ""
            if y.enrolled_here:
                c[0] += 1
                try:
                    q = lg.payments.quote(m.id, pays[0].paid_on if pays else day)
                    category = q.assistance_category or "、".join(q.categories)
                except ProblemsError:
                    pass
            if y.state is PayState.PAID:
                c[1] += 1
            elif y.state is PayState.UNPAID:
                c[2] += 1
            status = y.state.label if y.enrolled_here or y.state is PayState.PAID else m.status
            rows.append(LedgerRow(
                seq=len(rows) + 1, household_number=h.number, group=h.group, name=m.name, relation=m.relation,
                id_masked=_mask(m), category=category, due=due, paid=paid,
                paid_on=pays[0].paid_on if pays else None,
                receipt_no="、".join(dict.fromkeys(p.receipt_no for p in pays)),
                method="、".join(dict.fromkeys(p.method for p in pays)), status=status))
    tick(len(households), len(households), progress, cancelled)
    sheets = []
    order = {v.name: i for i, v in enumerate(settings.villages)}
    for village, rows in sorted(by_village.items(), key=lambda kv: order.get(kv[0], len(order))):
        enrolled, paid_people, unpaid_people = counts[village]
        totals = LedgerTotals(
            people=len(rows), enrolled_here=enrolled, paid_people=paid_people, unpaid_people=unpaid_people,
            due=sum((r.due for r in rows if r.due is not None), ZERO),
            paid=sum((r.paid for r in rows), ZERO))
        sheets.append(LedgerSheet(
            title=f"{policy.name}参保缴费台账", township=settings.township, village=village, group=sel.group,
            year=settings.year, policy_doc=policy.source.doc_number, rows=tuple(rows), totals=totals,
            printed_on=today, demo=is_demo(lg),
            notes=(f"未缴人员的应缴金额按 {day.year}年{day.month}月{day.day}日 缴费计算；已缴人员按缴费时核定的金额。",)))
    return sheets
