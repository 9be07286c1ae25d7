"""日结 / 交款单: what one operator collected over a day (or a date range) and hands over — computed here only.

The sheet (PDF, xlsx), the window's dialog and ``canbao handover`` all show a ``Handover`` from ``compute``;
none of them adds anything up itself. The rules, on a cash basis:

- **Receipts**: the operator's payments whose payment date (缴费日期, the date on the receipt) is in the
  range, in receipt-number order. A receipt voided at any time is listed as 作废 and counts nothing.
- **Refunds**: refunds the operator recorded with a refund date (退费日期) in the range: money paid back,
  taken off the method of the receipt it came from (a refund of an earlier day's receipt is in this sheet).
- **By method**: per payment method, the standing receipts' amounts (collected), refunds (refunded),
  and collected − refunded (to hand over). The hand-over amount is the sum over methods, the count the
  number of standing receipts.

A handed-over range is marked (table ``handovers``, with a digest and each receipt's state at the time).
When a later void, refund or a back-dated payment changes a marked range, ``compute`` flags it: the mark
is listed with the receipts that changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..domain.dates import date_into
from ..domain.money import ZERO, fmt, from_fen, to_fen
from ..domain.problems import Problem, ProblemsError
from .db import now_iso
from .demo_flag import is_demo
from .ids import BLOCK, station_number
from .models import METHODS, named_rows

if TYPE_CHECKING:
    from .db import Ledger


@dataclass(frozen=True, slots=True)
class HandoverReceipt:
    receipt_no: str
    paid_on: dt.date
    household_number: str
    payer: str  # the household head, else the first member paid for
    people: int
    amount: Decimal
    method: str
    voided: bool
    void_reason: str
    created_at: str

    @property
    def state(self) -> str:
        return "作废" if self.voided else "有效"


@dataclass(frozen=True, slots=True)
class HandoverRefund:
    receipt_no: str
    member_name: str
    amount: Decimal
    method: str  # the original receipt's
    refunded_on: dt.date
    reason: str


# Paid by the resident straight to the tax bureau (its app): the collector records the confirmation but never
# holds the money, so it is listed and totalled on the sheet but not handed over. Everything else (cash, WeChat
# or Alipay to the collector, bank card, 代缴 collected for others) is the collector's to hand over.
SELF_PAID_METHODS = frozenset({"税务APP"})


@dataclass(frozen=True, slots=True)
class MethodTotal:
    method: str
    receipts: int
    collected: Decimal
    refunded: Decimal
    handed: bool = True  # False: the money never passed through the collector's hands (SELF_PAID_METHODS)

    @property
    def net(self) -> Decimal:
        return self.collected - self.refunded

    @property
    def to_hand(self) -> Decimal:
        """What the collector hands over for this method."""
        return self.net if self.handed else ZERO


@dataclass(frozen=True, slots=True)
class HandoverMark:
    """A range marked as handed over; ``changes`` lists what differs now (empty: unchanged)."""

    id: int
    operator: str
    start: dt.date
    end: dt.date
    receipts: int
    amount: Decimal
    handed_at: str
    receiver: str
    changes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True, slots=True)
class Handover:
    operator: str
    start: dt.date
    end: dt.date
    township: str
    year: int
    receipts: tuple[HandoverReceipt, ...]
    refunds: tuple[HandoverRefund, ...]
    marks: tuple[HandoverMark, ...] = field(default=())
    demo: bool = False  # from a demo ledger: the sheet says 演示数据

    @property
    def standing(self) -> tuple[HandoverReceipt, ...]:
        return tuple(r for r in self.receipts if not r.voided)

    @property
    def voided(self) -> tuple[HandoverReceipt, ...]:
        return tuple(r for r in self.receipts if r.voided)

    @property
    def by_method(self) -> tuple[MethodTotal, ...]:
        """Every method with a receipt or a refund, in the ledger's order of methods."""
        out = []
        for m in METHODS + tuple(sorted({r.method for r in self.receipts} - set(METHODS))):
            got = [r for r in self.standing if r.method == m]
            back = [f for f in self.refunds if f.method == m]
            if got or back:
                out.append(MethodTotal(m, len(got), sum((r.amount for r in got), ZERO),
                                       sum((f.amount for f in back), ZERO), handed=m not in SELF_PAID_METHODS))
        return tuple(out)

    @property
    def collected(self) -> Decimal:
        return sum((r.amount for r in self.standing), ZERO)

    @property
    def voided_amount(self) -> Decimal:
        return sum((r.amount for r in self.voided), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((f.amount for f in self.refunds), ZERO)

    @property
    def hand_over_count(self) -> int:
        """Standing receipts whose money the collector holds (not SELF_PAID_METHODS)."""
        return sum(1 for r in self.standing if r.method not in SELF_PAID_METHODS)

    @property
    def hand_over_amount(self) -> Decimal:
        """Collected minus refunded, for the methods whose money the collector holds."""
        return sum((m.to_hand for m in self.by_method), ZERO)

    @property
    def period(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start} 至 {self.end}"

    @property
    def handed_over(self) -> HandoverMark | None:
        """The mark for exactly this range, if it was handed over."""
        return next((m for m in self.marks if m.start == self.start and m.end == self.end), None)

    def state(self) -> dict[str, list]:
        """Each receipt's and refund's state: what a mark stores and later compares."""
        return {"receipts": {r.receipt_no: [to_fen(r.amount), r.method, r.voided] for r in self.receipts},
                "refunds": {f"{f.receipt_no}/{f.member_name}": [to_fen(f.amount), str(f.refunded_on)]
                            for f in self.refunds}}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.state(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _range(operator: str, start, end) -> tuple[str, dt.date, dt.date]:
    problems: list[Problem] = []
    operator = str(operator or "").strip()
    if not operator:
        problems.append(Problem("操作员", "请选择操作员"))
    a = date_into(start, "开始日期", problems, required=True)
    b = date_into(end if end is not None else start, "结束日期", problems, required=True)
    if a and b and b < a:
        problems.append(Problem("结束日期", f"结束日期 {b} 早于开始日期 {a}"))
    if problems:
        raise ProblemsError(problems)
    return operator, a, b


# The cash an operator hands over is what they took and paid out AT THIS LAPTOP: payments and refunds made in
# this station's block of ids (app.ledger.ids) — wherever the household lives now (a household that moved to
# another station's village is an 外村户 here, but its receipt was still paid into this laptop's cash), and never
# another station's payment this ledger holds a copy of (the same operator name may be on two laptops).
_MADE_HERE = "{id} / %d = ?" % BLOCK


def _collect(ledger: "Ledger", operator: str, start: dt.date, end: dt.date) -> tuple[tuple, tuple]:
    db = ledger.db
    here = station_number(db)
    receipts = tuple(HandoverReceipt(
        receipt_no=r["receipt_no"], paid_on=dt.date.fromisoformat(r["paid_on"]), household_number=r["number"],
        payer=r["payer"] or "", people=r["people"], amount=from_fen(r["amount_fen"]), method=r["method"],
        voided=r["voided_at"] is not None, void_reason=r["void_reason"] or "", created_at=r["created_at"])
        for r in named_rows(db,
        "SELECT p.receipt_no, p.paid_on, h.number,"
        " coalesce((SELECT m.name FROM payment_items i JOIN members m ON m.id = i.member_id"
        "           WHERE i.payment_id = p.id AND m.relation = '户主'),"
        "          (SELECT m.name FROM payment_items i JOIN members m ON m.id = i.member_id"
        "           WHERE i.payment_id = p.id ORDER BY i.id LIMIT 1)) AS payer,"
        " (SELECT count(*) FROM payment_items i WHERE i.payment_id = p.id) AS people,"
        " p.amount_fen, p.method, p.voided_at, p.void_reason, p.created_at"
        " FROM payments p JOIN households h ON h.id = p.household_id"
        " WHERE p.operator = ? AND p.paid_on BETWEEN ? AND ?"
        f" AND {_MADE_HERE.format(id='p.id')} ORDER BY p.year, p.seq",
        [operator, start.isoformat(), end.isoformat(), here]))
    refunds = tuple(HandoverRefund(
        receipt_no=r["receipt_no"], member_name=r["name"], amount=from_fen(r["amount_fen"]), method=r["method"],
        refunded_on=dt.date.fromisoformat(r["refunded_on"]), reason=r["reason"]) for r in named_rows(db,
        "SELECT p.receipt_no, m.name, f.amount_fen, p.method, f.refunded_on, f.reason"
        " FROM refunds f JOIN payment_items i ON i.id = f.payment_item_id JOIN payments p ON p.id = i.payment_id"
        " JOIN members m ON m.id = i.member_id"
        " WHERE f.operator = ? AND f.refunded_on BETWEEN ? AND ?"
        f" AND {_MADE_HERE.format(id='f.id')} ORDER BY f.refunded_on, f.id",
        [operator, start.isoformat(), end.isoformat(), here]))
    return receipts, refunds


def _changes(then: dict, now: dict) -> tuple[str, ...]:
    out = []
    for no, (fen, method, voided) in now["receipts"].items():
        old = then["receipts"].get(no)
        if old is None:
            out.append(f"票据 {no} 在交款后补录（{fmt(from_fen(fen))} 元，{method}）")
        elif voided and not old[2]:
            out.append(f"票据 {no} 在交款后作废（{fmt(from_fen(fen))} 元）")
        elif old != [fen, method, voided]:
            out.append(f"票据 {no} 在交款后有改动")
    for no in then["receipts"].keys() - now["receipts"].keys():
        out.append(f"票据 {no} 已不在本期（缴费日期或操作员被改动）")
    for key, (fen, day) in now["refunds"].items():
        if key not in then["refunds"]:
            out.append(f"交款后登记退费：票据 {key.replace('/', ' ')} {fmt(from_fen(fen))} 元（{day}）")
    return tuple(out)


def _marks(ledger: "Ledger", operator: str, start: dt.date, end: dt.date) -> tuple[HandoverMark, ...]:
    rows = named_rows(ledger.db,
        "SELECT id, date_from, date_to, receipts, amount_fen, handed_at, receiver, state FROM handovers"
        " WHERE operator = ? AND date_from <= ? AND date_to >= ? ORDER BY id",
        [operator, end.isoformat(), start.isoformat()])
    out = []
    for r in rows:
        a, b = dt.date.fromisoformat(r["date_from"]), dt.date.fromisoformat(r["date_to"])
        now = Handover(operator, a, b, "", 0, *_collect(ledger, operator, a, b)).state()
        out.append(HandoverMark(r["id"], operator, a, b, r["receipts"], from_fen(r["amount_fen"]), r["handed_at"],
                                r["receiver"], _changes(json.loads(r["state"]), now)))
    return tuple(out)


def compute(ledger: "Ledger", operator: str, start, end=None) -> Handover:
    """The handover of ``operator`` from ``start`` to ``end`` (inclusive; ``end`` None = one day)."""
    operator, a, b = _range(operator, start, end)
    s = ledger.settings.get()
    receipts, refunds = _collect(ledger, operator, a, b)
    return Handover(operator, a, b, s.township, s.year, receipts, refunds, _marks(ledger, operator, a, b),
                    demo=is_demo(ledger))


def operators(ledger: "Ledger") -> list[str]:
    """Everyone who took a payment or a refund, and the ledger's configured operators."""
    here = station_number(ledger.db)
    names = [r[0] for r in ledger.db.execute(
        f"SELECT operator FROM payments WHERE {_MADE_HERE.format(id='id')}"
        f" UNION SELECT operator FROM refunds WHERE {_MADE_HERE.format(id='id')} ORDER BY 1", [here, here])]
    configured = list(getattr(ledger.settings.get(), "operators", ()) or ())
    return list(dict.fromkeys(configured + names))


def mark_handed_over(ledger: "Ledger", h: Handover, *, receiver: str = "", by: str | None = None):
    """Record that ``h`` was handed over (to ``receiver``), with its state for later comparison."""
    from .models import Change

    if h.handed_over is not None and not h.handed_over.changed:
        raise ProblemsError([Problem("交款", f"{h.operator} {h.period} 已于 {h.handed_over.handed_at[:16]} 交款")])
    with ledger.transaction() as db:
        hid = db.execute(
            "INSERT INTO handovers (operator, date_from, date_to, receipts, amount_fen, digest, state, handed_at,"
            " handed_by, receiver) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [h.operator, h.start.isoformat(), h.end.isoformat(), h.hand_over_count,
             to_fen(h.hand_over_amount), h.digest(), json.dumps(h.state(), ensure_ascii=False), now_iso(),
             (by or ledger.operator or h.operator), str(receiver or "").strip()]).lastrowid
        ledger.log("handover", hid, "handover", None,
                   {"operator": h.operator, "period": h.period, "receipts": h.hand_over_count,
                    "amount": fmt(h.hand_over_amount), "receiver": str(receiver or "").strip()},
                   operator=by or None)
    return Change(id=hid)
