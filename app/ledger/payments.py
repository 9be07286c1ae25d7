"""Payments: one or more members of a household at once, each quoted by the policy engine.

A payment that differs from the quote, charges an assisted member the normal rate, pays for a member not
enrolled here, or pays twice in a year needs an override reason. Receipt numbers (``2025-000123``; with a
station ``220112-003-2025-000123``, see ``app.ledger.stations``) are sequential per year, taken in the payment's
transaction, never reused. Payments are never deleted: a void
keeps the record and its reason; a refund is recorded only where the policy's refund rule allows it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ..domain.money import fmt, from_fen, to_fen
from ..domain.problems import Problem, ProblemsError
from ..domain.quote_model import Quote
from ..domain.refund import refund_decision
from ..domain.vocabulary import REFUND_IMPLIES_STATUS, STATUS_NEEDS_DATE, STATUS_NEEDS_DETAIL, Status
from .members import _date
from .member_year import STANDING_VIEW
from .ids import next_id
from .models import Change, Payment, PaymentItem, Refund, named_rows, now_iso, text
from .payment_plan import PayLine, PaymentPlan, PlanRequest, plan_many, plan_payment  # noqa: F401 - PayLine is part of the API
from .quoting import quote_member
from .snapshots import load_quote, quote_text, snapshot_id
from . import stations

if TYPE_CHECKING:
    from .db import Ledger
    from .member_year import MemberStanding


_PAY = ("SELECT id, year, receipt_no, household_id, amount_fen, method, paid_on, operator, notes, created_at,"
        " voided_at, voided_by, void_reason FROM payments")
_ITEM_COLS = ("SELECT i.id, i.payment_id, i.member_id, m.name AS member_name, i.year, i.policy_id, i.due_fen,"
              " i.amount_fen, i.addons, qs.json AS quote, i.override_reason, r.id AS refund_id")
_ITEM = (_ITEM_COLS + " FROM payment_items i JOIN members m ON m.id = i.member_id"
         " JOIN quote_snapshots qs ON qs.id = i.quote_id LEFT JOIN refunds r ON r.payment_item_id = i.id")
# the member's standing items (member_year's view standing_items: not voided, not refunded)
_STANDING_ITEM = (_ITEM_COLS.replace("r.id AS refund_id", "NULL AS refund_id") + f" FROM {STANDING_VIEW} i"
                  " JOIN members m ON m.id = i.member_id JOIN quote_snapshots qs ON qs.id = i.quote_id")


@dataclass(frozen=True, slots=True)
class StatusProposal:
    """A status change another change implies (a refund for 死亡 → status 死亡), shown before it is made."""

    member_id: int
    status: Status
    text: str
    needs_detail: bool  # 异地参保: where
    needs_date: bool  # 死亡: the date of death


def receipt_number(year: int, seq: int) -> str:
    """The number of a ledger without a station (``app.ledger.stations.receipt_number`` for the rest)."""
    return f"{year}-{seq:06d}"


def _refuse_away(db, p: Payment, problems: list[Problem]) -> None:
    """A payment of an 外村户 (another village's, held here for a member who moved, app.sync.moves) is voided or
    refunded where it was taken, or at the township."""
    from .member_year import AWAY_TABLE

    if db.execute(f"SELECT 1 FROM {AWAY_TABLE} WHERE household_id = ?", [p.household_id]).fetchone():
        problems.append(Problem("缴费", f"票据 {p.receipt_no} 是其他村收取的（人员迁入本村时带来），"
                                        "作废或退费由收费的站点或乡镇办理"))


class Payments:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    # -- reads
    def get(self, payment_id: int) -> Payment:
        row = next(iter(named_rows(self._l.db, _PAY + " WHERE id = ?", [payment_id])), None)
        if row is None:
            raise ProblemsError([Problem("缴费", f"没有编号为 {payment_id} 的缴费记录")])
        return self._payment(row)

    def by_receipt(self, receipt_no: str) -> Payment:
        row = next(iter(named_rows(self._l.db, _PAY + " WHERE receipt_no = ?", [text(receipt_no)])), None)
        if row is None:  # a number printed before its station joined the township (app.ledger.join)
            from .stations import printed_matches

            found = printed_matches(self._l.db, receipt_no)
            if len(found) > 1:
                raise ProblemsError([Problem("票据号", f"票据号 {receipt_no} 在 {len(found)} 个站点都开过："
                                                     f"{'、'.join(found)}，请输入带站点代码的票据号")])
            row = next(iter(named_rows(self._l.db, _PAY + " WHERE receipt_no = ?", found)), None) if found else None
        if row is None:
            raise ProblemsError([Problem("票据号", f"没有票据号为 {receipt_no} 的缴费记录")])
        return self._payment(row)

    def of_household(self, household_id: int) -> list[Payment]:
        """Payments made by this household (as recorded at the time), newest last."""
        return [self._payment(r) for r in named_rows(self._l.db, _PAY + " WHERE household_id = ? ORDER BY id",
                                                      [household_id])]

    def of_member(self, member_id: int) -> list[Payment]:
        """Every payment that includes this member, whichever household they were in."""
        rows = named_rows(self._l.db, _PAY + " WHERE id IN (SELECT payment_id FROM payment_items WHERE member_id = ?)"
                          " ORDER BY id", [member_id])
        return [self._payment(r) for r in rows]

    def refunds_of(self, payment_id: int) -> list[Refund]:
        rows = named_rows(
            self._l.db,
            "SELECT r.id, r.payment_item_id, i.payment_id, i.member_id, r.amount_fen, r.reason, r.refunded_on,"
            " r.operator, r.clause, r.notes FROM refunds r JOIN payment_items i ON i.id = r.payment_item_id"
            " WHERE i.payment_id = ? ORDER BY r.id", [payment_id])
        return [Refund(id=r["id"], payment_item_id=r["payment_item_id"], payment_id=r["payment_id"],
                       member_id=r["member_id"], amount=from_fen(r["amount_fen"]), reason=r["reason"],
                       refunded_on=dt.date.fromisoformat(r["refunded_on"]), operator=r["operator"],
                       clause=r["clause"], notes=r["notes"]) for r in rows]

    def paid_this_year(self, member_id: int, year: int | None = None) -> list[PaymentItem]:
        """Items for the member in the year that stand: not voided, not refunded."""
        year = year or self._l.settings.get().year
        rows = named_rows(self._l.db, _STANDING_ITEM + " WHERE i.member_id = ? AND i.year = ? ORDER BY i.id",
                          [member_id, year])
        return [self._item(r) for r in rows]

    def member_year(self, member_id: int, year: int | None = None) -> "MemberStanding":
        """The member's year (``member_year.MemberStanding`` with its details): state, due, paid, claims, add-on
        choices and what stands paid, with the quotes used."""
        from .member_year import of_member

        return of_member(self._l, member_id, year)

    def quote(self, member_id: int, paid_on: dt.date | str, **kwargs) -> Quote:
        problems: list[Problem] = []
        day = _date(paid_on, "缴费日期", problems)
        if problems:
            raise ProblemsError(problems)
        return quote_member(self._l, self._l.members.get(member_id), day, **kwargs)

    # -- writes
    def plan(self, household_id: int, lines: Iterable[PayLine], *, method: str, paid_on: dt.date | str | None,
             operator: str | None = None, notes: str = "", override_reason: str | None = None) -> PaymentPlan:
        """What ``record`` would write, with warnings, override needs and every problem (reads only)."""
        return plan_payment(self._l, household_id, lines, method=method, paid_on=paid_on, operator=operator,
                            notes=notes, override_reason=override_reason)

    def plan_many(self, requests: Iterable[PlanRequest]) -> list[PaymentPlan]:
        """``plan`` for many payments (an imported list), the members' facts read once for all (reads only)."""
        return plan_many(self._l, requests)

    def record(self, household_id: "int | PaymentPlan", lines: Iterable[PayLine] | None = None, *,
               method: str | None = None, paid_on: dt.date | str | None = None, operator: str | None = None,
               notes: str = "", override_reason: str | None = None) -> Change:
        """Record one payment, from a plan (``record(plan)``) or from its parts; ``Change.id`` is the new
        payment's id. The plan is made again inside the write transaction: if the ledger changed since it
        was shown (another window paid, a category ended…), nothing is written and the problem says so."""
        self._l.require("pay")
        shown = household_id if isinstance(household_id, PaymentPlan) else None
        if shown is not None:
            household_id, lines, method, paid_on = shown.household_id, shown.lines, shown.method, shown.paid_on
            operator, notes, override_reason = shown.operator, shown.notes, shown.override_reason
        policy = self._l.policy()
        year = self._l.settings.get().year
        with self._l.transaction() as db:
            plan = plan_payment(self._l, household_id, list(lines or ()), method=method or "", paid_on=paid_on,
                                operator=operator, notes=notes, override_reason=override_reason)
            plan.raise_problems()
            if shown is not None and not shown.same_as(plan):
                raise ProblemsError([Problem("缴费", "核对之后台账已有变化（可能是另一窗口刚刚办理），请重新核对后再收费")])
            day, operator, notes, method = plan.paid_on, plan.operator, plan.notes, plan.method
            station = stations.current(db)  # a station numbers in its own range and shows its code
            base = station.seq_base if station is not None else 0
            seq = db.execute("INSERT INTO receipt_counters (year, last_seq) VALUES (?, ?) ON CONFLICT(year)"
                             " DO UPDATE SET last_seq = max(last_seq, ?) + 1 RETURNING last_seq",
                             [year, base + 1, base]).fetchone()[0]
            receipt = stations.receipt_number(station, year, seq)
            total = sum(to_fen(i.amount) for i in plan.items)
            pid = db.execute(
                "INSERT INTO payments (id, year, seq, receipt_no, household_id, amount_fen, method, paid_on, operator,"
                " notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [next_id(db, "payments"), year, seq, receipt, household_id, total, method, day.isoformat(), operator, notes, now_iso()]).lastrowid
            for it in plan.items:
                db.execute("INSERT INTO payment_items (id, payment_id, member_id, year, policy_id, due_fen, amount_fen,"
                           " addons, quote_id, override_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [next_id(db, "payment_items"), pid, it.member_id, year, policy.id, to_fen(it.due) if it.due is not None else None,
                            to_fen(it.amount), json.dumps(list(it.quote.addons), ensure_ascii=False),
                            snapshot_id(db, quote_text(it.quote.to_dict())), it.override_reason])
            after = {"receipt_no": receipt, "amount": fmt(from_fen(total)), "method": method,
                     "paid_on": day.isoformat(), "notes": notes,
                     "members": [{"member_id": it.member_id, "amount": fmt(it.amount), "due": fmt(it.due),
                                  "override_reason": it.override_reason} for it in plan.items]}
            self._l.log("payment", pid, "create", None, after, household_id=household_id, operator=operator)
            for it in plan.items:
                self._l.log("payment", pid, "pay", None, {"receipt_no": receipt, "amount": fmt(it.amount),
                                                           "override_reason": it.override_reason},
                            member_id=it.member_id, operator=operator)
        members = frozenset(i.member_id for i in plan.items)
        return Change(households=frozenset({household_id}), members=members, payments=frozenset({pid}), id=pid)

    def void(self, payment_id: int, reason: str, *, operator: str | None = None) -> Change:
        """Void a payment: it stays, with its receipt number, who voided it, when and why."""
        self._l.require("void")
        operator = self._l.actor(operator)
        with self._l.transaction() as db:
            p = self.get(payment_id)
            problems = []
            reason = str(reason or "").strip()
            if not reason:
                problems.append(Problem("作废原因", "作废必须写明原因"))
            if p.voided:
                problems.append(Problem("缴费", f"票据 {p.receipt_no} 已于 {p.voided_at[:10]} 作废（{p.void_reason}）"))
            if any(i.refund_id for i in p.items):
                problems.append(Problem("缴费", f"票据 {p.receipt_no} 已有退费记录，不能作废"))
            _refuse_away(db, p, problems)
            if problems:
                raise ProblemsError(problems)
            now = now_iso()
            db.execute("UPDATE payments SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ?",
                       [now, operator, reason.strip(), payment_id])
            self._l.log("payment", payment_id, "void", {"receipt_no": p.receipt_no, "voided": False},
                        {"receipt_no": p.receipt_no, "voided": True, "reason": reason.strip()},
                        household_id=p.household_id, operator=operator)
            for i in p.items:
                self._l.log("payment", payment_id, "void", None, {"receipt_no": p.receipt_no,
                            "reason": reason.strip()}, member_id=i.member_id, operator=operator)
        members = frozenset(i.member_id for i in p.items)
        return Change(households=frozenset({p.household_id}), members=members, payments=frozenset({payment_id}))

    def implied_status(self, member_id: int, reason: str) -> StatusProposal | None:
        """The status a refund for this reason implies (参加职工医保, 死亡, 异地参保), if the member does not
        have it yet: the window and the CLI propose it in the same step as the refund."""
        status = REFUND_IMPLIES_STATUS.get(str(reason or "").strip())
        m = self._l.members.get(member_id)
        if status is None or m.status == status:
            return None
        return StatusProposal(member_id, status, f"{m.name} 的参保状态同时由「{m.status}」改为「{status}」",
                              status in STATUS_NEEDS_DETAIL, status in STATUS_NEEDS_DATE)

    def implied_refunds(self, member_id: int, status: str) -> tuple[str, ...]:
        """What a status change implies for this year's standing payments (参加职工医保/死亡/异地参保 with a
        payment still standing: a refund under the policy's rule), as sentences to show with the change."""
        if str(status or "").strip() not in REFUND_IMPLIES_STATUS:
            return ()
        rule = self._l.policy().refund
        out = []
        for item in self.paid_this_year(member_id):
            p = self.get(item.payment_id)
            how = ("可按政策在「缴费记录 / 退费」中办理退费（退费原因：" + status + "）") if rule is not None else \
                "本政策文件未规定个人缴费退费办法"
            out.append(f"{item.member_name} 本年度已缴 {fmt(item.amount)} 元（票据 {p.receipt_no}，{p.paid_on}）："
                       f"参保状态改为「{status}」后，{how}")
        return tuple(out)

    def refund(self, payment_id: int, member_id: int, reason: str, *, refunded_on: dt.date | str,
               operator: str | None = None, notes: str = "", status: str | None = None, status_detail: str = "",
               status_on: dt.date | str | None = None) -> Change:
        """Refund one member's part of a payment, only where the policy's refund rule allows it; with
        ``status``, the member's status changes in the same transaction (see ``implied_status``)."""
        self._l.require("refund")
        operator = self._l.actor(operator)
        policy = self._l.policy()
        with self._l.transaction() as db:
            p = self.get(payment_id)
            problems: list[Problem] = []
            day = _date(refunded_on, "退费日期", problems)
            if not text(refunded_on):
                problems.append(Problem("退费日期", "必须填写退费日期"))
            item = next((i for i in p.items if i.member_id == member_id), None)
            if p.voided:
                problems.append(Problem("缴费", f"票据 {p.receipt_no} 已作废，不能退费"))
            if item is None:
                problems.append(Problem("人员", f"票据 {p.receipt_no} 中没有人员 {member_id}"))
            elif item.refund_id:
                problems.append(Problem("人员", f"{item.member_name} 在票据 {p.receipt_no} 中的缴费已退"))
            _refuse_away(db, p, problems)
            if day and day < p.paid_on:
                problems.append(Problem("退费日期", f"退费日期 {day} 早于缴费日期 {p.paid_on}"))
            if day and day > dt.date.today():
                problems.append(Problem("退费日期", f"退费日期 {day} 晚于今天"))
            decision = None
            reason = str(reason or "").strip()
            if item and day and not problems:
                if item.policy_id != policy.id:
                    from ..policy_catalog import get_policy

                    rule_policy = get_policy(item.policy_id)
                else:
                    rule_policy = policy
                decision = refund_decision(rule_policy, reason=reason, refund_on=day,
                                           member_benefit_start=item.quote.benefit_start,
                                           waiting_days=item.quote.waiting_days, note=notes)
                if not decision.allowed:
                    problems.append(Problem("退费", f"{decision.message}。依据：{decision.clause}"))
            if problems:
                raise ProblemsError(problems)
            # a claim already paid back (认定后补付, app.ledger.claims) was part of this payment: only the rest returns
            amount = max(item.amount - self._l.claims.paid_back(item.id), from_fen(0))
            rid = db.execute("INSERT INTO refunds (id, payment_item_id, amount_fen, reason, refunded_on, operator,"
                             " clause, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [next_id(db, "refunds"), item.id, to_fen(amount), reason.strip(), day.isoformat(), operator,
                              decision.clause, notes, now_iso()]).lastrowid
            self._l.log("refund", rid, "refund", None,
                        {"receipt_no": p.receipt_no, "amount": fmt(amount), "reason": reason.strip(),
                         "refunded_on": day.isoformat(), "rule": decision.message},
                        household_id=p.household_id, member_id=member_id, operator=operator)
            if status:
                self._l.members.set_status(member_id, status, detail=status_detail, on=status_on, operator=operator)
        return Change(households=frozenset({p.household_id}), members=frozenset({member_id}),
                      payments=frozenset({payment_id}), id=rid)

    # -- helpers
    def _payment(self, r) -> Payment:
        items = tuple(self._item(i) for i in named_rows(self._l.db, _ITEM + " WHERE i.payment_id = ? ORDER BY i.id",
                                                        [r["id"]]))
        return Payment(id=r["id"], year=r["year"], receipt_no=r["receipt_no"], household_id=r["household_id"],
                       amount=from_fen(r["amount_fen"]), method=r["method"], paid_on=dt.date.fromisoformat(r["paid_on"]),
                       operator=r["operator"], notes=r["notes"], created_at=r["created_at"], voided_at=r["voided_at"],
                       voided_by=r["voided_by"], void_reason=r["void_reason"], items=items)

    @staticmethod
    def _item(i) -> PaymentItem:
        return PaymentItem(id=i["id"], payment_id=i["payment_id"], member_id=i["member_id"],
                           member_name=i["member_name"], year=i["year"], policy_id=i["policy_id"],
                           due=from_fen(i["due_fen"]) if i["due_fen"] is not None else None,
                           amount=from_fen(i["amount_fen"]), addons=tuple(json.loads(i["addons"])),
                           quote=load_quote(i["quote"]), override_reason=i["override_reason"],
                           refund_id=i["refund_id"])
