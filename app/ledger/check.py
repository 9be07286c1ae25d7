"""``canbao check`` (and the window's 检查台账): everything that can be wrong with a ledger, each named.

1. SQLite's ``integrity_check`` (damage marks the ledger: no more payments until restored) and foreign keys;
2. the ledger's own invariants: duplicates, orphans, heads of household, statuses, derived search keys;
3. the triggers that guard money, receipts and the audit log are all there, unchanged;
4. the audit log's hash chain is unbroken;
5. receipt numbers per year run 1…counter without a gap (voided and dropped numbers included);
6. every payment has its audit entry (receipt number and amount), every logged payment exists, every void
   is logged;
7. the receipt journal is intact and agrees with the payments;
8. every payment's amount is the sum of its items; no refund exceeds what was paid;
9. every claim (认定后补付) agrees with recomputing it, and none is orphaned, doubled or above what was paid
   (app/ledger/check_claims.py);
10. the stored progress totals per place equal a fresh count (app.ledger.place_totals).

``progress(done, total)`` after each step; ``cancel()`` returning True stops it with ``Cancelled``.
"""

from __future__ import annotations

import json
from . import sqlite_driver
from typing import TYPE_CHECKING, Callable

from ..domain.problems import Cancelled, Problem
from .member_year import kept_sql
from .members import STATUSES

if TYPE_CHECKING:
    from .db import Ledger

DEMO_ENTITY = "demo"  # app.ledger.demo: payments bulk-written by ``canbao demo`` have one entry for all


def check_ledger(ledger: "Ledger", progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> list[Problem]:
    """Every problem found (an empty list: the ledger is sound)."""
    from . import health

    out: list[Problem] = []
    steps = [_integrity, _foreign_keys, _invariants, _triggers, _chain, _receipt_sequences, _payments_vs_audit,
             _journal, _totals, _claims, _place_totals]
    total = len(steps)
    tick = progress or (lambda done, total: None)
    for done, step in enumerate(steps):
        if cancel is not None and cancel():
            raise Cancelled("已取消检查")
        tick(done, total)
        try:
            step(ledger, out, cancel)
        except Cancelled:
            raise
        except sqlite_driver.DatabaseError as exc:
            out.append(Problem("SQLite", f"检查「{step.__doc__}」时读取出错：{exc}"))
        if step is _integrity:
            if out:
                health.write_mark(ledger.path, out)
            else:
                health.clear_mark(ledger.path)
    tick(total, total)
    return out


def _integrity(ledger, out, cancel) -> None:
    """完整性"""
    for (msg,) in ledger.db.execute("PRAGMA integrity_check(50)"):
        if msg != "ok":
            out.append(Problem("SQLite", f"完整性检查：{msg}"))


def _foreign_keys(ledger, out, cancel) -> None:
    """外键"""
    for table, rowid, parent, _ in ledger.db.execute("PRAGMA foreign_key_check"):
        out.append(Problem(f"{table}#{rowid}", f"引用了不存在的 {parent} 记录（孤立记录）"))


def _invariants(ledger, out, cancel) -> None:
    """人员与户"""
    db = ledger.db
    # twice within one station's block of ids is damage; from two stations it is 重复参保 (app.ledger.duplicates)
    for number, n in db.execute("SELECT upper(id_number), count(*) FROM members WHERE id_number IS NOT NULL"
                                " GROUP BY upper(id_number), id / 1000000000000 HAVING count(*) > 1"):
        out.append(Problem("members", f"证件号码 {number} 重复登记 {n} 次"))
    for hid, n in db.execute("SELECT household_id, count(*) FROM members WHERE relation = '户主'"
                             " GROUP BY household_id HAVING count(*) > 1"):
        out.append(Problem(f"households#{hid}", f"一户有 {n} 名户主"))
    for name, birth, n in db.execute("SELECT name, birth_date, count(*) FROM members WHERE id_number IS NULL"
                                     " GROUP BY name, birth_date HAVING count(*) > 1"):
        out.append(Problem("members", f"无证件人员「{name}」（出生 {birth}）登记了 {n} 次，可能重复"))
    for (hid, number) in db.execute("SELECT id, number FROM households h WHERE NOT EXISTS"
                                    " (SELECT 1 FROM members m WHERE m.household_id = h.id)"
                                    f" AND {kept_sql('h.id')}"):  # an 外村户 holds only a moved member's payer
        out.append(Problem(f"households#{hid}", f"户 {number} 没有成员"))
    marks = ",".join("?" * len(STATUSES))
    for mid, status in db.execute(f"SELECT id, status FROM members WHERE status NOT IN ({marks})", list(STATUSES)):
        out.append(Problem(f"members#{mid}", f"参保状态「{status}」无效"))
    for (mid,) in db.execute("SELECT id FROM members WHERE (id_number IS NULL) != (id_rev IS NULL)"
                             " OR id_rev != reverse_text(id_number) OR phone_rev != reverse_text(phone)"):
        out.append(Problem(f"members#{mid}", "检索用的派生列（id_rev/phone_rev）与证件号码或电话不一致"))


def _triggers(ledger, out, cancel) -> None:
    """保护触发器"""
    from .schema import protecting_triggers

    have = {name: sql for name, sql in ledger.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    norm = lambda s: " ".join((s or "").split()).rstrip(";")  # noqa: E731
    for name, sql in protecting_triggers().items():
        if name not in have:
            out.append(Problem(f"trigger {name}", "保护缴费、票据或日志的触发器被删除了（台账曾被其他工具改动）"))
        elif norm(have[name]) != norm(sql):
            out.append(Problem(f"trigger {name}", "保护缴费、票据或日志的触发器被改动了（台账曾被其他工具改动）"))
    for name in ("payment_items_need_quote", "quote_snapshots_fixed", "quote_snapshots_never_deleted"):
        if name not in have:
            out.append(Problem(f"trigger {name}", "保护测算快照的触发器被删除了"))


def _chain(ledger, out, cancel) -> None:
    """操作日志哈希链"""
    from .audit import verify_chain

    _n, bad, why = verify_chain(ledger.db, cancel)
    if bad is not None:
        out.append(Problem(f"audit#{bad}", f"操作日志哈希链断开：{why}"))


def _receipt_sequences(ledger, out, cancel) -> None:
    """票据号连续"""
    from . import stations
    from .stations import SEQ_SPAN, known, receipt_number, seq_base, station_of_seq

    db = ledger.db
    base = seq_base(db)
    counters = dict(db.execute("SELECT year, last_seq FROM receipt_counters"))
    used: dict[int, set[int]] = {}
    for year, seq in db.execute("SELECT year, seq FROM payments UNION ALL SELECT year, seq FROM receipts_dropped"):
        used.setdefault(year, set()).add(seq)
    for year in sorted(set(counters) | set(used)):
        # the numbers this ledger issues: the range its counter is in (other stations' receipts it holds,
        # from packets or a split, are theirs to number)
        last = counters.get(year)
        low = base if last is None or last > base else (last - 1) // SEQ_SPAN * SEQ_SPAN
        seqs = {s for s in used.get(year, set()) if low < s <= low + SEQ_SPAN}
        top = max(seqs, default=0)
        if (last is None and seqs) or (last is not None and last < top):
            out.append(Problem(f"receipt_counters#{year}", f"{year} 年票据计数器 {last} 小于已用最大序号 {top}，可能重用票据号"))
        missing = [s for s in range(low + 1, (last or 0) + 1) if s not in seqs]
        if missing:
            station = station_of_seq(db, low + 1) if low else None
            shown = "、".join(receipt_number(station, year, s) for s in missing[:10]) + ("……" if len(missing) > 10 else "")
            out.append(Problem(f"payments#{year}", f"{year} 年缺少 {len(missing)} 张票据（缴费记录被删除？）：{shown}"))
    codes = {s.number: s for s in known(db)}
    for pid, year, seq, receipt in db.execute("SELECT id, year, seq, receipt_no FROM payments"
                                              " WHERE receipt_no != printf('%d-%06d', year, seq)"):
        # a station this ledger does not list (a payment that came in a packet) still has the code's shape
        station = codes.get(seq // SEQ_SPAN) or stations.Station(
            f"{receipt.split('-')[0]}-{seq // SEQ_SPAN:03d}", "", "", seq // SEQ_SPAN)
        if receipt not in (receipt_number(station, year, seq), stations.joined_receipt_number(station, year, seq)) \
                or not stations.CODE_RE.match(station.code):
            out.append(Problem(f"payments#{pid}", f"票据号 {receipt} 与年度和序号不符"))
    for year, seq, receipt in db.execute("SELECT d.year, d.seq, d.receipt_no FROM receipts_dropped d JOIN payments p"
                                         " ON p.year = d.year AND p.seq = d.seq"):
        out.append(Problem(f"receipts_dropped#{receipt}", f"票据号 {receipt} 既在作废票据号清单中又有缴费记录"))


def _payments_vs_audit(ledger, out, cancel) -> None:
    """缴费与日志"""
    db = ledger.db
    demo = db.execute("SELECT min(ts) FROM audit WHERE entity = ?", [DEMO_ENTITY]).fetchone()[0]
    logged: dict[int, tuple[str, str]] = {}
    voids: set[int] = set()
    for eid, action, after in db.execute("SELECT entity_id, action, after FROM audit WHERE entity = 'payment'"
                                         " AND action IN ('create', 'void') AND household_id IS NOT NULL"):
        info = json.loads(after or "{}")
        if action == "create":
            logged[eid] = (info.get("receipt_no"), info.get("amount"))
        else:
            voids.add(eid)
    for pid, receipt, fen, created, voided in db.execute(
            "SELECT id, receipt_no, amount_fen, created_at, voided_at FROM payments ORDER BY id"):
        entry = logged.pop(pid, None)
        if entry is None:
            if demo is None or created > demo:
                out.append(Problem(f"payments#{pid}", f"票据 {receipt} 在操作日志中没有记录（不是由本程序记入的）"))
            continue
        if entry[0] != receipt or entry[1] is None or _fen(entry[1]) != fen:
            out.append(Problem(f"payments#{pid}", f"票据 {receipt} 金额 {fen / 100:.2f} 元与操作日志"
                                                  f"（{entry[0]} {entry[1]} 元）不符"))
        if voided and pid not in voids:
            out.append(Problem(f"payments#{pid}", f"票据 {receipt} 已作废，但操作日志中没有作废记录"))
        if not voided and pid in voids:
            out.append(Problem(f"payments#{pid}", f"票据 {receipt} 在操作日志中已作废，台账中却未作废（作废被撤销）"))
    for pid, (receipt, amount) in sorted(logged.items()):
        out.append(Problem(f"payments#{pid}", f"操作日志记有票据 {receipt}（{amount} 元），台账中却没有这笔缴费（被删除）"))


def _fen(amount: str) -> int | None:
    try:
        from decimal import Decimal

        return int(Decimal(str(amount).replace(",", "")) * 100)
    except Exception:  # noqa: BLE001 - an unreadable amount in the log is a mismatch
        return None


def _journal(ledger, out, cancel) -> None:
    """票据日志"""
    if ledger.journal is None:
        return
    state = ledger.journal.read()
    out.extend(state.problems)
    db = ledger.db
    counters = dict(db.execute("SELECT year, last_seq FROM receipt_counters"))
    for year, high in state.high.items():
        if high > counters.get(year, 0) + 1:
            out.append(Problem(str(ledger.journal.path), f"票据日志中 {year} 年已开到 {high} 号，台账计数器只到"
                                                        f" {counters.get(year, 0)}（重新打开台账会补记为作废票据号）"))
    if not state.receipts:
        return
    low = min(seq for _y, seq in state.receipts)
    pays = {(y, s): (no, fen) for y, s, no, fen in db.execute(
        "SELECT year, seq, receipt_no, amount_fen FROM payments WHERE seq >= ?", [low])}
    dropped = {(y, s) for y, s in db.execute("SELECT year, seq FROM receipts_dropped")}
    for (year, seq), rec in sorted(state.receipts.items()):
        if seq > counters.get(year, 0) or (year, seq) in dropped:
            continue
        have = pays.get((year, seq))
        if have is None:
            out.append(Problem(f"payments#{rec.get('no')}", f"票据日志记有票据 {rec.get('no')}，台账中却没有（被删除）"))
        elif have[0] != rec.get("no") or have[1] != rec.get("fen"):
            out.append(Problem(f"payments#{have[0]}", f"票据 {have[0]} 金额 {have[1] / 100:.2f} 元与票据日志"
                                                      f"（{(rec.get('fen') or 0) / 100:.2f} 元）不符"))


def _totals(ledger, out, cancel) -> None:
    """金额合计"""
    db = ledger.db
    for pid, receipt, amount, total in db.execute(
            "SELECT p.id, p.receipt_no, p.amount_fen, coalesce(sum(i.amount_fen), -1) FROM payments p"
            " LEFT JOIN payment_items i ON i.payment_id = p.id"
            # an 外村户's payment holds only the moved member's items here (app.sync.moves)
            f" WHERE {kept_sql('p.household_id')}"
            " GROUP BY p.id HAVING p.amount_fen != coalesce(sum(i.amount_fen), -1)"):
        out.append(Problem(f"payments#{pid}", f"票据 {receipt} 金额 {amount} 分与明细合计 {total} 分不符"))
    for rid, amount, item_amount in db.execute(
            "SELECT r.id, r.amount_fen, i.amount_fen FROM refunds r JOIN payment_items i ON i.id = r.payment_item_id"
            " WHERE r.amount_fen > i.amount_fen"):
        out.append(Problem(f"refunds#{rid}", f"退费 {amount} 分多于实收 {item_amount} 分"))
    for iid, year, pyear in db.execute("SELECT i.id, i.year, p.year FROM payment_items i JOIN payments p"
                                       " ON p.id = i.payment_id WHERE i.year != p.year"):
        out.append(Problem(f"payment_items#{iid}", f"缴费明细年度 {year} 与票据年度 {pyear} 不符"))


def _claims(ledger, out, cancel) -> None:
    """认定后补付"""
    from .check_claims import check_claims

    check_claims(ledger, out, cancel)


def _place_totals(ledger, out, cancel) -> None:
    """参保进度合计"""
    from .place_totals import verify

    out.extend(verify(ledger))
