"""``canbao check``: SQLite's integrity check, foreign keys, and the ledger's own invariants
(duplicates, orphans, payment sums, receipt counters, derived search keys). Returns every problem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..domain.problems import Problem
from .members import STATUSES

if TYPE_CHECKING:
    from .db import Ledger


def check_ledger(ledger: "Ledger", progress: Callable[[int, int], None] | None = None) -> list[Problem]:
    """Every problem found; ``progress(done, total)`` after each of the (slow) steps."""
    db = ledger.db
    out: list[Problem] = []
    tick = progress or (lambda done, total: None)
    tick(0, 3)
    for (msg,) in db.execute("PRAGMA integrity_check"):
        if msg != "ok":
            out.append(Problem("SQLite", f"完整性检查：{msg}"))
    tick(1, 3)
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check"):
        out.append(Problem(f"{table}#{rowid}", f"引用了不存在的 {parent} 记录（孤立记录）"))
    tick(2, 3)
    for number, n in db.execute("SELECT upper(id_number), count(*) FROM members WHERE id_number IS NOT NULL"
                                " GROUP BY upper(id_number) HAVING count(*) > 1"):
        out.append(Problem("members", f"证件号码 {number} 重复登记 {n} 次"))
    for hid, n in db.execute("SELECT household_id, count(*) FROM members WHERE relation = '户主'"
                             " GROUP BY household_id HAVING count(*) > 1"):
        out.append(Problem(f"households#{hid}", f"一户有 {n} 名户主"))
    for name, birth, n in db.execute("SELECT name, birth_date, count(*) FROM members WHERE id_number IS NULL"
                                     " GROUP BY name, birth_date HAVING count(*) > 1"):
        out.append(Problem("members", f"无证件人员「{name}」（出生 {birth}）登记了 {n} 次，可能重复"))
    for (hid, number) in db.execute("SELECT id, number FROM households h WHERE NOT EXISTS"
                                    " (SELECT 1 FROM members m WHERE m.household_id = h.id)"):
        out.append(Problem(f"households#{hid}", f"户 {number} 没有成员"))
    marks = ",".join("?" * len(STATUSES))
    for mid, status in db.execute(f"SELECT id, status FROM members WHERE status NOT IN ({marks})", list(STATUSES)):
        out.append(Problem(f"members#{mid}", f"参保状态「{status}」无效"))
    for (mid,) in db.execute("SELECT id FROM members WHERE (id_number IS NULL) != (id_rev IS NULL)"
                             " OR id_rev != reverse_text(id_number) OR phone_rev != reverse_text(phone)"):
        out.append(Problem(f"members#{mid}", "检索用的派生列（id_rev/phone_rev）与证件号码或电话不一致"))
    for pid, receipt, amount, total in db.execute(
            "SELECT p.id, p.receipt_no, p.amount_fen, coalesce(sum(i.amount_fen), -1) FROM payments p"
            " LEFT JOIN payment_items i ON i.payment_id = p.id GROUP BY p.id HAVING p.amount_fen != coalesce(sum(i.amount_fen), -1)"):
        out.append(Problem(f"payments#{pid}", f"票据 {receipt} 金额 {amount} 分与明细合计 {total} 分不符"))
    for year, last, top, n in db.execute(
            "SELECT p.year, c.last_seq, max(p.seq), count(*) FROM payments p LEFT JOIN receipt_counters c"
            " ON c.year = p.year GROUP BY p.year"):
        if last is None or last < top:
            out.append(Problem(f"receipt_counters#{year}", f"{year} 年票据计数器 {last} 小于已用最大序号 {top}，可能重用票据号"))
    for pid, receipt in db.execute("SELECT id, receipt_no FROM payments WHERE receipt_no != printf('%d-%06d', year, seq)"):
        out.append(Problem(f"payments#{pid}", f"票据号 {receipt} 与年度和序号不符"))
    for rid, amount, item_amount in db.execute(
            "SELECT r.id, r.amount_fen, i.amount_fen FROM refunds r JOIN payment_items i ON i.id = r.payment_item_id"
            " WHERE r.amount_fen > i.amount_fen"):
        out.append(Problem(f"refunds#{rid}", f"退费 {amount} 分多于实收 {item_amount} 分"))
    tick(3, 3)
    return out
