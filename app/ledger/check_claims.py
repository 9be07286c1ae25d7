"""``canbao check`` for claims (认定后补付, app/ledger/claims.py): every stored claim is where it says it is,
agrees with its parts, never exceeds what was paid, is not paid twice, does not stand on a payment that no
longer stands, and agrees with recomputing it (app/domain/claim.py) from its payment and its category.

Each problem is placed at ``claims#<id>`` and names the member, the receipt and the category in Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Callable

from ..domain.money import fmt, from_fen
from ..domain.problems import Cancelled, Problem
from .claims import CANCELLED, SETTLED
from .models import named_rows

if TYPE_CHECKING:
    from .db import Ledger

_ROWS = """
SELECT c.id, c.member_id, c.payment_item_id, c.category_id, c.year, c.category, c.recognized_on, c.amount_fen,
       c.parts, c.state, m.id AS m_id, m.name, i.id AS i_id, i.member_id AS i_member, i.amount_fen AS paid_fen,
       p.receipt_no, p.voided_at,
       (SELECT coalesce(sum(r.amount_fen), 0) FROM refunds r WHERE r.payment_item_id = c.payment_item_id) AS refunded_fen,
       k.id AS k_id, k.member_id AS k_member, k.category AS k_category, k.recognized_on AS k_recognized
FROM claims c
LEFT JOIN members m ON m.id = c.member_id
LEFT JOIN payment_items i ON i.id = c.payment_item_id
LEFT JOIN payments p ON p.id = i.payment_id
LEFT JOIN member_categories k ON k.id = c.category_id
ORDER BY c.id
"""


def check_claims(ledger: "Ledger", out: list[Problem], cancel: Callable[[], bool] | None = None) -> None:
    """认定后补付"""
    rows = list(named_rows(ledger.db, _ROWS))
    live = [r for r in rows if r["state"] != CANCELLED]
    _paid_twice(live, out)
    _above_paid(live, out)
    for n, r in enumerate(rows):
        if cancel is not None and n % 50 == 0 and cancel():
            raise Cancelled("已取消检查")
        _one(ledger, r, out)


def _who(r) -> str:
    name = r["name"] or f"人员#{r['member_id']}"
    receipt = f"，票据 {r['receipt_no']}" if r["receipt_no"] else ""
    return f"（{name}{receipt}，「{r['category']}」）"


def _parts(r) -> list[tuple[str, str, Decimal]] | None:
    try:
        return [(x["kind"], x["funder"], Decimal(str(x["amount"]))) for x in json.loads(r["parts"])]
    except (ValueError, TypeError, KeyError, InvalidOperation):
        return None


def _one(ledger, r, out: list[Problem]) -> None:
    place, who, amount = f"claims#{r['id']}", _who(r), from_fen(r["amount_fen"])
    bad = len(out)
    if r["m_id"] is None:
        out.append(Problem(place, f"认定后补付记录所属的人员 #{r['member_id']} 不存在（孤立记录）{who}"))
    if r["i_id"] is None:
        out.append(Problem(place, f"认定后补付记录所依据的缴费明细 #{r['payment_item_id']} 不存在（孤立记录）{who}"))
    elif r["i_member"] != r["member_id"]:
        out.append(Problem(place, f"认定后补付记录属于人员 #{r['member_id']}，所依据的缴费明细却是人员 #{r['i_member']} 的{who}"))
    if r["k_id"] is None:
        out.append(Problem(place, f"认定后补付记录所依据的认定记录 #{r['category_id']} 不存在（孤立记录）{who}"))
    elif (r["k_member"], r["k_category"], r["k_recognized"]) != (r["member_id"], r["category"], r["recognized_on"]):
        out.append(Problem(place, f"认定后补付记录与其认定记录 #{r['k_id']}（人员 #{r['k_member']}，「{r['k_category']}」，"
                                  f"{r['k_recognized']} 认定）不符{who}"))
    parts = _parts(r)
    if parts is None:
        out.append(Problem(place, f"认定后补付的明细无法读取{who}"))
    elif sum((a for _k, _f, a in parts), Decimal(0)) != amount:
        total = sum((a for _k, _f, a in parts), Decimal(0))
        out.append(Problem(place, f"认定后补付 {fmt(amount)} 元与其明细合计 {fmt(total)} 元不符{who}"))
    if r["i_id"] is not None and r["state"] == SETTLED and r["voided_at"]:
        out.append(Problem(place, f"已补付 {fmt(amount)} 元，但其缴费（票据 {r['receipt_no']}）已作废：补付失去依据{who}"))
    # an open claim on a voided or refunded payment is no defect: it is listed as 缴费已作废 / 缴费已退费, never owed
    if len(out) > bad or r["state"] == CANCELLED or r["voided_at"] or r["refunded_fen"]:
        return
    _recompute(ledger, r, place, who, amount, parts, out)


def _recompute(ledger, r, place: str, who: str, amount: Decimal, parts, out: list[Problem]) -> None:
    """The stored claim against the domain's claim, from the payment's quote snapshot and the category."""
    from ..policy_catalog import UnknownPolicy

    item = next((i for i in ledger.payments.paid_this_year(r["member_id"], r["year"]) if i.id == r["payment_item_id"]),
                None)
    if item is None:
        return  # the payment no longer stands this year: listed, never owed
    try:
        claim = ledger.claims.compute(item, r["category_id"], r["category"], dt.date.fromisoformat(r["recognized_on"]),
                                      before_claim=r["id"])
    except UnknownPolicy as exc:
        out.append(Problem(place, f"无法重新测算：{exc}{who}"))
        return
    if claim is None or not claim.owed:
        why = claim.message if claim is not None else "缴费时已按该类别扣减资助"
        out.append(Problem(place, f"认定后补付记 {fmt(amount)} 元，按缴费和认定重新测算却无应补付金额（{why}）{who}"))
        return
    if claim.total != amount:
        out.append(Problem(place, f"认定后补付记 {fmt(amount)} 元，按缴费和认定重新测算应为 {fmt(claim.total)} 元{who}"))
        return
    want = sorted((str(p.kind), p.funder, p.amount) for p in claim.parts)
    if parts is not None and sorted(parts) != want:
        shown = "、".join(f"{f} {fmt(a)}" for _k, f, a in want)
        out.append(Problem(place, f"认定后补付的明细与重新测算（{shown}）不符{who}"))


def _paid_twice(live, out: list[Problem]) -> None:
    """Two claims (not withdrawn) for the same category on the same payment: the same help paid twice."""
    seen: dict[tuple[int, str], int] = {}
    for r in live:
        key = (r["payment_item_id"], r["category"])
        if key in seen:
            out.append(Problem(f"claims#{r['id']}", f"与认定后补付记录 #{seen[key]} 重复：同一笔缴费、同一类别补付两次{_who(r)}"))
        else:
            seen[key] = r["id"]


def _above_paid(live, out: list[Problem]) -> None:
    """Claims (not withdrawn) on a payment item, with its refunds, never give back more than was paid."""
    by_item: dict[int, list] = {}
    for r in live:
        if r["i_id"] is not None:
            by_item.setdefault(r["payment_item_id"], []).append(r)
    for rows in by_item.values():
        paid = from_fen(rows[0]["paid_fen"])
        claimed = sum((from_fen(r["amount_fen"]) for r in rows), Decimal(0))
        refunded = from_fen(rows[0]["refunded_fen"])
        last = rows[-1]
        if claimed > paid:
            out.append(Problem(f"claims#{last['id']}", f"该笔缴费的认定后补付合计 {fmt(claimed)} 元多于实收 {fmt(paid)} 元"
                                                        f"{_who(last)}"))
        settled = sum((from_fen(r["amount_fen"]) for r in rows if r["state"] == SETTLED), Decimal(0))
        if refunded and settled + refunded > paid:
            out.append(Problem(f"claims#{last['id']}", f"已补付 {fmt(settled)} 元加退费 {fmt(refunded)} 元多于实收 "
                                                        f"{fmt(paid)} 元：多退了钱{_who(last)}"))
