"""``canbao ledger pay | void | refund``: taking a payment (through the ledger's payment plan), voiding a receipt
and refunding one person of it (registered by ledger_cmd.py)."""

from __future__ import annotations

import datetime as dt

from ..domain.money import fmt
from ..domain.problems import Problem, ProblemsError
from .ledger_cmd import _command, _date, _member, _open


@_command
def cmd_pay(args) -> int:
    from ..ledger import PayLine

    with _open(args) as lg:
        h = lg.households.find(args.household)
        lines = []
        special = _special(args.special)
        for spec in args.member:
            ref, _, amount = spec.partition("=")
            m = _member(lg, ref, h.id)
            lines.append(PayLine(m.id, amount=amount.strip() or None, special=special))
        plan = lg.payments.plan(h.id, lines, method=args.method, paid_on=_date(args.date, "--date") or dt.date.today(),
                                override_reason=args.override, notes=args.notes)
        plan.raise_problems()
        ch = lg.payments.record(plan)
        p = lg.payments.get(ch.id)
        print(f"已收款：票据号 {p.receipt_no}  合计 {fmt(p.amount)} 元  {p.method}  {p.paid_on}")
        warnings = {i.member_id: i.warnings for i in plan.items}
        for i in p.items:
            note = f"（政策应缴 {fmt(i.due)}，原因：{i.override_reason}）" if i.override_reason else ""
            print(f"  {i.member_name} {fmt(i.amount)} 元{note}")
            for w in warnings.get(i.member_id, ()):
                print(f"  提示：{w}")
    return 0


def _special(text: str | None):
    """``退役军人`` or ``职工医保断保:2025-03-01`` (the event date) for ``ledger pay --special``."""
    from ..domain.quote_model import SpecialFact

    if not text:
        return None
    name, _, when = text.replace("：", ":").partition(":")
    return SpecialFact(name.strip(), _date(when, "--special") if when.strip() else None)


@_command
def cmd_void(args) -> int:
    with _open(args) as lg:
        p = lg.payments.by_receipt(args.receipt)
        lg.payments.void(p.id, args.reason)
        print(f"已作废票据 {p.receipt_no}（记录保留，票据号不再使用）")
    return 0


@_command
def cmd_refund(args) -> int:
    with _open(args) as lg:
        p = lg.payments.by_receipt(args.receipt)
        m = _member(lg, args.member, p.household_id)
        proposal = None if args.keep_status else lg.payments.implied_status(m.id, args.reason)
        if proposal and ((proposal.needs_date and not args.status_date)
                         or (proposal.needs_detail and not args.status_detail.strip())):
            need = "--status-date 死亡日期" if proposal.needs_date else "--status-detail 参保地"
            raise ProblemsError([Problem("--reason", f"退费原因「{args.reason}」意味着{proposal.text}：请加 {need}，"
                                                     "或加 --keep-status 只退费不改状态")])
        ch = lg.payments.refund(p.id, m.id, args.reason, refunded_on=_date(args.date, "--date") or dt.date.today(),
                                notes=args.notes,
                                status=proposal.status if proposal else None, status_detail=args.status_detail,
                                status_on=_date(args.status_date, "--status-date"))
        r = next(x for x in lg.payments.refunds_of(p.id) if x.id == ch.id)
        print(f"已退费：{m.name} {fmt(r.amount)} 元（票据 {p.receipt_no}，原因 {r.reason}）\n依据：{r.clause}")
        if proposal:
            print(f"已同时修改参保状态：{proposal.text}")
    return 0
