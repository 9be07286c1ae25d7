"""Claims: money owed back to a member recognised (低保对象 …) after paying the full rate.

The amount is the domain's (``app.domain.claim.claim_after_recognition``); the ledger stores one claim per
standing payment item and recognition, when the category is recorded (in the same transaction) or when a
payment predates a recognition already on file (``refresh``). A claim goes 待补付 → 已补付 (with the date,
operator and a note), or 已撤销 with a reason; claims are never deleted. A claim whose payment is later voided or
refunded is listed as such, never as owed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..domain.claim import Claim as DomainClaim
from ..domain.claim import ClaimPart
from ..domain.claim import Received, claim_after_recognition
from ..domain.dates import date_into
from ..domain.money import fmt, from_fen, to_fen
from ..domain.problems import Problem, ProblemsError
from ..domain.quote_model import CategoryFact, QuoteRequest
from ..domain.vocabulary import ClaimPartKind
from .member_year import STANDING_VIEW
from .ids import next_id
from .models import named_rows, now_iso

if TYPE_CHECKING:
    from .db import Ledger

OPEN, SETTLED, CANCELLED = "待补付", "已补付", "已撤销"
STATES = (OPEN, SETTLED, CANCELLED)
NOT_STANDING = ("缴费已作废", "缴费已退费")  # shown instead of 待补付 when the claim's payment no longer stands


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    id: int
    member_id: int
    member_name: str
    payment_item_id: int
    receipt_no: str
    paid_on: dt.date
    year: int
    policy_id: str
    category: str
    recognized_on: dt.date
    amount: Decimal
    parts: tuple[ClaimPart, ...]
    message: str
    clause: str
    state: str  # 待补付 / 已补付 / 已撤销, or 缴费已作废 / 缴费已退费 when its payment no longer stands
    settled_on: dt.date | None
    settled_by: str
    note: str


_SELECT = """
SELECT c.id, c.member_id, m.name AS member_name, c.payment_item_id, p.receipt_no, p.paid_on, c.year, c.policy_id,
       c.category, c.recognized_on, c.amount_fen, c.parts, c.message, c.clause,
       CASE WHEN c.state = '待补付' AND p.voided_at IS NOT NULL THEN '缴费已作废'
            WHEN c.state = '待补付' AND EXISTS (SELECT 1 FROM refunds r WHERE r.payment_item_id = c.payment_item_id)
            THEN '缴费已退费' ELSE c.state END AS state,
       c.settled_on, coalesce(c.settled_by, '') AS settled_by, coalesce(c.note, '') AS note
FROM claims c JOIN members m ON m.id = c.member_id
JOIN payment_items pi ON pi.id = c.payment_item_id JOIN payments p ON p.id = pi.payment_id
"""


def _record(r) -> ClaimRecord:
    """A claims row (``_SELECT``, read with ``models.named_rows``) by column name."""
    d = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
    parts = tuple(ClaimPart(ClaimPartKind(x["kind"]), x["funder"], Decimal(x["amount"])) for x in json.loads(r["parts"]))
    return ClaimRecord(id=r["id"], member_id=r["member_id"], member_name=r["member_name"],
                       payment_item_id=r["payment_item_id"], receipt_no=r["receipt_no"], paid_on=d(r["paid_on"]),
                       year=r["year"], policy_id=r["policy_id"], category=r["category"],
                       recognized_on=d(r["recognized_on"]), amount=from_fen(r["amount_fen"]), parts=parts,
                       message=r["message"], clause=r["clause"], state=r["state"], settled_on=d(r["settled_on"]),
                       settled_by=r["settled_by"], note=r["note"])


class Claims:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    # -- reads
    def list(self, *, year: int | None = None, state: str | None = None, member_id: int | None = None) -> list[ClaimRecord]:
        year = year or self._l.settings.get().year
        from .member_year import kept_sql

        # the village's own people (not a member who moved to another village: app.sync.moves)
        rows = [_record(r) for r in named_rows(self._l.db, _SELECT + f" WHERE c.year = ? AND {kept_sql()} ORDER BY c.id",
                                               [year])]
        return [c for c in rows if (state is None or c.state == state) and (member_id is None or c.member_id == member_id)]

    def get(self, claim_id: int) -> ClaimRecord:
        row = next(iter(named_rows(self._l.db, _SELECT + " WHERE c.id = ?", [claim_id])), None)
        if row is None:
            raise ProblemsError([Problem("补付", f"没有编号为 {claim_id} 的认定后补付记录")])
        return _record(row)

    # -- writes
    def on_category_recorded(self, category_record_id: int, *, operator: str | None = None) -> list[int]:
        """Store the claims a new recognition creates on the member's standing payments (call it inside the
        transaction that records the category). Returns the new claim ids."""
        row = self._l.db.execute("SELECT member_id, category, recognized_on FROM member_categories WHERE id = ?",
                                 [category_record_id]).fetchone()
        if row is None or not row[2]:
            return []  # no recognition date: nothing can be computed
        member_id, category, recognized_on = row[0], row[1], dt.date.fromisoformat(row[2])
        year = self._l.settings.get().year
        new = []
        for item in self._l.payments.paid_this_year(member_id, year):
            cid = self._store(item, category_record_id, category, recognized_on, operator)
            if cid:
                new.append(cid)
        return new

    def paid_back(self, payment_item_id: int) -> Decimal:
        """What settled claims (已补付) gave back on a payment item: a refund of that payment returns only the rest."""
        row = self._l.db.execute("SELECT coalesce(sum(amount_fen), 0) FROM claims WHERE payment_item_id = ?"
                                 " AND state = '已补付'", [payment_item_id]).fetchone()
        return from_fen(row[0])

    def refresh(self, *, operator: str | None = None) -> list[int]:
        """Claims for recognitions already on file that postdate a standing payment (e.g. a payment recorded
        late, or a ledger from before claims existed). Idempotent."""
        year = self._l.settings.get().year
        rows = self._l.db.execute(
            f"SELECT DISTINCT c.id FROM member_categories c JOIN {STANDING_VIEW} s ON s.member_id = c.member_id"
            " WHERE s.year = ? AND c.recognized_on IS NOT NULL AND (c.recognized_on > s.paid_on"
            # or recognised in time but charged more than the quote (the counter missed the assistance)
            " OR (s.due_fen IS NOT NULL AND s.amount_fen > s.due_fen AND (c.ended_on IS NULL OR c.ended_on > s.paid_on)))"
            " AND NOT EXISTS (SELECT 1 FROM claims x WHERE x.category_id = c.id AND x.payment_item_id = s.id)",
            [year]).fetchall()
        new = []
        for (record_id,) in rows:
            with self._l.transaction():
                new += self.on_category_recorded(record_id, operator=operator)
        return new

    def settle(self, claim_id: int, *, on: dt.date | str, note: str = "", operator: str | None = None) -> ClaimRecord:
        """Mark a claim paid back (已补付)."""
        return self._close(claim_id, SETTLED, on, note, operator)

    def cancel(self, claim_id: int, *, reason: str, on: dt.date | str | None = None,
               operator: str | None = None) -> ClaimRecord:
        """Withdraw a claim (已撤销), with a reason."""
        if not str(reason or "").strip():
            raise ProblemsError([Problem("撤销原因", "撤销补付必须写明原因")])
        return self._close(claim_id, CANCELLED, on or dt.date.today(), reason, operator)

    # -- helpers
    def _close(self, claim_id: int, state: str, on, note: str, operator: str | None) -> ClaimRecord:
        self._l.require("refund")  # money paid back, like a refund: a clerk's act
        operator = self._l.actor(operator)
        problems: list[Problem] = []
        day = date_into(on, "日期", problems, required=True)
        with self._l.transaction() as db:
            c = self.get(claim_id)
            # a claim whose payment no longer stands (缴费已作废 / 缴费已退费) can still be withdrawn, never paid
            if c.state != OPEN and not (state == CANCELLED and c.state in NOT_STANDING):
                problems.append(Problem("补付", f"补付记录 {claim_id} 的状态是「{c.state}」，不能改为「{state}」"))
            if day and day < c.recognized_on:
                problems.append(Problem("日期", f"日期 {day} 早于认定日期 {c.recognized_on}"))
            if day and day > dt.date.today():
                problems.append(Problem("日期", f"日期 {day} 晚于今天"))
            if problems:
                raise ProblemsError(problems)
            db.execute("UPDATE claims SET state = ?, settled_on = ?, settled_by = ?, note = ? WHERE id = ?",
                       [state, day.isoformat(), operator, str(note or "").strip(), claim_id])
            self._l.log("claim", claim_id, "settle" if state == SETTLED else "cancel", {"state": OPEN},
                        {"state": state, "on": day.isoformat(), "amount": fmt(c.amount), "note": str(note or "")},
                        member_id=c.member_id, operator=operator)
        return self.get(claim_id)

    def compute(self, item, category_record_id: int, category: str, recognized_on: dt.date,
                before_claim: int | None = None) -> DomainClaim | None:
        """The claim a recognition gives on a standing payment item, computed by the domain from the payment's
        quote snapshot and the member's categories (``None``: the counter counted it already). ``before_claim``:
        recompute a stored claim — only the claims made before it on the same payment count as earlier."""
        from ..policy_catalog import get_policy

        q = item.quote
        paid_on = q.paid_on
        overpaid = q.due is not None and item.amount > q.due  # collected more than the quote (an override)
        if recognized_on <= paid_on and category in q.categories and not overpaid:
            return None  # counted at the counter already
        policy = get_policy(item.policy_id)
        member = self._l.members.get(item.member_id)
        # claims already made on this payment: their categories count as if recognised at payment, and what
        # they give back counts as received (two recognitions never pay the same help twice)
        sql = "SELECT category_id, parts FROM claims WHERE payment_item_id = ? AND state <> '已撤销'"
        args: list = [item.id]
        if before_claim is not None:
            sql += " AND id < ?"
            args.append(before_claim)
        earlier_rows = named_rows(self._l.db, sql, args)
        claimed = {r["category_id"] for r in earlier_rows}
        earlier = tuple(ClaimPart(ClaimPartKind(x["kind"]), x["funder"], Decimal(x["amount"]))
                        for r in earlier_rows for x in json.loads(r["parts"]))
        others = tuple(CategoryFact(c.category, None if c.id in claimed else c.recognized_on)
                       for c in self._l.categories.of_member(member.id)
                       if c.id != category_record_id and (c.id in claimed or c.active_on(paid_on)))
        req = QuoteRequest(birth_date=member.birth_date, paid_on=paid_on, categories=others,
                           addons=tuple(q.addons), student=member.student,
                           area_kind=self._l.settings.get().area_kind)
        got = Received.of(q)
        if overpaid:  # 已全额缴费: what the counter collected counts, the assistance it did not give is owed
            got = Received(item.amount, max(got.assistance - (item.amount - q.due), Decimal(0)), got.subsidies)
        return claim_after_recognition(policy, req, got, category, recognized_on, earlier)

    def _store(self, item, category_record_id: int, category: str, recognized_on: dt.date,
               operator: str | None) -> int | None:
        db = self._l.db
        if db.execute("SELECT 1 FROM claims WHERE payment_item_id = ? AND category_id = ?",
                      [item.id, category_record_id]).fetchone():
            return None
        claim = self.compute(item, category_record_id, category, recognized_on)
        if claim is None or not claim.owed:
            return None
        member = self._l.members.get(item.member_id)
        parts = json.dumps([{"kind": p.kind, "funder": p.funder, "amount": str(p.amount)} for p in claim.parts],
                           ensure_ascii=False)
        cid = db.execute(
            "INSERT INTO claims (id, member_id, payment_item_id, category_id, year, policy_id, category,"
            " recognized_on, amount_fen, parts, message, clause, state, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [next_id(db, "claims"), member.id, item.id, category_record_id, item.year, item.policy_id, claim.category,
             recognized_on.isoformat(), to_fen(claim.total), parts, claim.message, claim.clause, OPEN,
             now_iso()]).lastrowid
        self._l.log("claim", cid, "create", None, {"amount": fmt(claim.total), "category": claim.category,
                    "recognized_on": recognized_on.isoformat(), "payment_item_id": item.id},
                    household_id=member.household_id, member_id=member.id, operator=operator)
        return cid


MIGRATION_0020 = """
CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    payment_item_id INTEGER NOT NULL REFERENCES payment_items(id),
    category_id INTEGER NOT NULL REFERENCES member_categories(id),
    year INTEGER NOT NULL,
    policy_id TEXT NOT NULL,
    category TEXT NOT NULL,
    recognized_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    parts TEXT NOT NULL,                -- JSON [{kind, funder, amount}]
    message TEXT NOT NULL,
    clause TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '待补付' CHECK (state IN ('待补付', '已补付', '已撤销')),
    settled_on TEXT,
    settled_by TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (payment_item_id, category_id)
);
CREATE INDEX claims_member ON claims(member_id);
CREATE INDEX claims_year_state ON claims(year, state);
CREATE TRIGGER claims_never_deleted BEFORE DELETE ON claims
BEGIN SELECT RAISE(ABORT, '认定后补付记录不能删除（可撤销并写明原因）'); END;
"""
