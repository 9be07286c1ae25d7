"""Receipt numbers that were issued but are not in this ledger (``receipts_dropped``), and keeping the
counters above every number the receipt journal remembers, so that no number is ever issued twice.

A number is *dropped* when a restore goes back to a backup made before it was issued, or when the ledger file
was replaced by an older copy by hand. It keeps its place in the sequence (``check`` counts it), and the clerk
can print the list for the township (``write_dropped``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .db import now_iso
from .journal import ReceiptJournal
from .stations import SEQ_SPAN, receipt_number
from .stations import current as current_station

if TYPE_CHECKING:
    from .db import Ledger


@dataclass(frozen=True, slots=True)
class DroppedReceipt:
    year: int
    seq: int
    receipt_no: str
    amount_fen: int | None  # None: the number was used, its amount is not known
    paid_on: str | None
    household: str
    reason: str


def journal_key(db) -> bytes | None:
    try:
        row = db.execute("SELECT value FROM ledger_secret WHERE name = 'journal_key'").fetchone()
    except Exception:  # noqa: BLE001 - an old or damaged file: read without verifying
        return None
    return bytes(row[0]) if row else None


def attach_journal(ledger: "Ledger", reconcile_now: bool = True, created: bool = False) -> None:
    """Give an opened ledger its journal and honour it (called by ``open_ledger``).

    A ledger created where an earlier ledger's journal lies (re-installed, set up again in the same folder)
    continues above that ledger's numbers; the old journal is then kept aside and a new one begun."""
    from .join_journal import finish_journal

    finish_journal(ledger)  # a ledger that joined its township, killed before its journal was begun again
    ledger.journal = ReceiptJournal(ledger.path, journal_key(ledger.db))
    ledger.journal.read()
    if not reconcile_now:
        return
    if created and ledger.journal.state.high:
        reconcile(ledger, reason="此前在同一位置的台账已开出（重新安装或重新建账）", interrupted_tail_ok=False)
        if ledger.journal.state.problems:
            import datetime as dt
            import os

            os.replace(ledger.journal.path, ledger.journal.path.with_name(
                f"{ledger.journal.path.name}.{dt.datetime.now():%Y%m%d-%H%M%S}.old"))
            ledger.journal = ReceiptJournal(ledger.path, journal_key(ledger.db))
        return
    reconcile(ledger, reason="台账文件被替换为较旧的版本（票据日志中有更大的票据号）")


def reconcile(ledger: "Ledger", *, reason: str, known: Iterable[DroppedReceipt] = (),
              interrupted_tail_ok: bool = True) -> list[DroppedReceipt]:
    """Raise the counters above every number in the journal (and in ``known``), recording the numbers this
    ledger lacks as dropped. One number just above the counter, not in the ledger and not marked committed
    in the journal, is a payment whose transaction was killed before it committed: it was never issued and
    is used again, unless
    ``interrupted_tail_ok`` is False (a restore: the file that could tell is gone)."""
    db = ledger.db
    state = ledger.journal.state if ledger.journal else None
    # only this ledger's own numbers (its station's range): other stations' payments it holds come back with
    # their stations' packets, and are never this ledger's to drop
    station = current_station(db)
    base = station.seq_base if station is not None else 0

    def mine(seq: int) -> bool:
        return base < seq <= base + SEQ_SPAN

    known = {(k.year, k.seq): k for k in known if mine(k.seq)}
    counters = dict(db.execute("SELECT year, last_seq FROM receipt_counters").fetchall())
    tops = {year: high for year, high in (state.high if state else {}).items() if mine(high)}
    for (year, seq) in [*known, *(state.receipts if state else ())]:
        if mine(seq):
            tops[year] = max(tops.get(year, 0), seq)
    dropped: list[DroppedReceipt] = []
    for year, top in sorted(tops.items()):
        last = max(counters.get(year, 0), base)
        if top <= last:
            continue
        if interrupted_tail_ok and top == last + 1 and (year, top) not in known and state \
                and (year, top) in state.receipts and state.committed.get(year, 0) < top:
            continue  # written ahead, never committed: the transaction was killed, the number never issued
        have = {s for (s,) in db.execute("SELECT seq FROM payments WHERE year = ? AND seq > ?", [year, last])}
        have |= {s for (s,) in db.execute("SELECT seq FROM receipts_dropped WHERE year = ? AND seq > ?", [year, last])}
        for seq in range(last + 1, top + 1):
            if seq in have:
                continue
            k = known.get((year, seq))
            if k is None:
                rec = state.receipts.get((year, seq), {}) if state else {}
                hh = rec.get("hh")
                k = DroppedReceipt(year, seq, rec.get("no") or receipt_number(station, year, seq), rec.get("fen"),
                                   rec.get("on"),
                                   _household_number(db, hh), reason)
            dropped.append(k)
    if not dropped:
        return []
    with ledger.transaction() as tx:
        tx.conn.executemany(
            "INSERT OR IGNORE INTO receipts_dropped (year, seq, receipt_no, amount_fen, paid_on, household, reason,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.year, d.seq, d.receipt_no, d.amount_fen, d.paid_on, d.household, d.reason, now_iso())
             for d in dropped])
        for year in {d.year for d in dropped}:
            top = max(d.seq for d in dropped if d.year == year)
            tx.execute("INSERT INTO receipt_counters (year, last_seq) VALUES (?, ?) ON CONFLICT(year)"
                       " DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)", [year, top])
        ledger.log("receipts", None, "dropped", None,
                   {"count": len(dropped), "reason": reason,
                    "receipts": [d.receipt_no for d in dropped[:50]] + (["……"] if len(dropped) > 50 else [])})
    return dropped


def _household_number(db, household_id) -> str:
    if household_id is None:
        return ""
    row = db.execute("SELECT number FROM households WHERE id = ?", [household_id]).fetchone()
    return row[0] if row else f"#{household_id}"


def list_dropped(ledger: "Ledger") -> list[DroppedReceipt]:
    return [DroppedReceipt(*r) for r in ledger.db.execute(
        "SELECT year, seq, receipt_no, amount_fen, paid_on, household, reason FROM receipts_dropped ORDER BY year, seq")]


def write_dropped(ledger: "Ledger", path: str | Path) -> Path:
    """The dropped-receipt list as an Excel workbook to print for the township (written all-or-nothing)."""
    from ..exchange.columns import Column, ColumnSet
    from ..exchange.workbook import WorkbookWriter

    cs = ColumnSet("dropped_receipts", "作废票据号", (
        Column("receipt_no", "票据号", "text", 14), Column("amount", "金额（元）", "text", 12),
        Column("paid_on", "缴费日期", "text", 12), Column("household", "户编号", "text", 12),
        Column("reason", "原因", "text", 50)))
    rows = [{"receipt_no": d.receipt_no, "amount": f"{d.amount_fen / 100:.2f}" if d.amount_fen is not None else "不详",
             "paid_on": d.paid_on or "不详", "household": d.household or "不详", "reason": d.reason}
            for d in list_dropped(ledger)]
    s = ledger.settings.get()
    with WorkbookWriter(path) as w:
        w.add_sheet(cs, rows)
        w.add_notes("说明", [("乡镇", s.township), ("年度", s.year), ("台账", str(ledger.path)),
                             ("说明", "这些票据号已经开出过，但不在本台账中（从备份恢复等），不会再次使用。")])
    return Path(path)
