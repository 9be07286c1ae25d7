"""Restore: put a backup in the ledger's place — after saying what the backup lacks, and only when nobody
else has the ledger open.

``preview(backup, ledger)`` lists what would be lost: payments (receipt numbers and amounts), voids, refunds,
members and imports made after the backup, read from the current file when it can still be read, and from the
receipt journal when it cannot. ``restore(backup, ledger, expect=preview)`` then:

1. takes the ledger's exclusive lock (refused while any window or command has it open; nobody can open it
   until the restore is done);
2. checks the preview still holds (nothing was written since it was shown) and the backup is sound;
3. copies the backup to ``<ledger>.<pid>.part`` and verifies the copy;
4. keeps the current file aside in the backup folder (``<ledger>.<stamp>.replaced.db``, with its WAL), even
   when it is damaged or unreadable; folds its WAL first when it can be read;
5. removes the ledger's stale ``-wal``/``-shm`` *before* the copy takes the ledger's name (a stale WAL
   applied to another file malforms it), renames the copy into place;
6. records every receipt number the backup lacks as dropped and raises the counters above it (never issued
   again), clears the damage mark, and logs the restore in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from . import sqlite_driver
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.idnumber import mask_id_number
from ..domain.problems import Problem, ProblemsError
from .db import read_only_uri


@dataclass(frozen=True, slots=True)
class LostPayment:
    receipt_no: str
    year: int
    seq: int
    amount_fen: int | None
    paid_on: str | None
    household: str
    voided: bool
    source: str  # "台账" (read from the current file) or "票据日志"


@dataclass
class RestorePreview:
    backup: Path
    ledger: Path
    backup_problems: list[Problem] = field(default_factory=list)
    current_readable: bool = True
    current_problems: list[Problem] = field(default_factory=list)
    payments: list[LostPayment] = field(default_factory=list)
    voids: list[str] = field(default_factory=list)  # receipt numbers voided after the backup
    refunds: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # "姓名 证件（掩码） 户 000123"
    imports: list[str] = field(default_factory=list)
    changes: int = 0  # audit entries after the backup
    backup_counters: dict[int, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    numbers_only: int = 0  # numbers the journal knows only as "used up to N" (bulk writes): dropped too

    @property
    def usable(self) -> bool:
        return not self.backup_problems

    @property
    def loses_something(self) -> bool:
        return bool(self.payments or self.voids or self.refunds or self.members or self.imports or self.changes
                    or self.numbers_only)

    def fingerprint(self) -> tuple:
        return (tuple(p.receipt_no for p in self.payments), tuple(self.voids), tuple(self.refunds), len(self.members),
                len(self.imports), self.changes)

    def lines(self) -> list[str]:
        """What the clerk reads before confirming (CLI and window)."""
        out = [f"备份文件：{self.backup}"]
        if self.backup_problems:
            out.append("备份文件已损坏，不能用于恢复：" + "；".join(p.message for p in self.backup_problems[:3]))
            return out
        if not self.current_readable:
            out.append("当前台账无法读取（" + "；".join(p.message for p in self.current_problems[:2])
                       + "），以下按票据日志列出")
        for w in self.warnings:
            out.append("注意：" + w)
        if not self.loses_something:
            out.append("当前台账中的记录都在备份里，恢复不会丢失记录。")
            return out
        out.append("恢复后将失去备份之后的以下记录（票据号不再使用，将列入作废票据号清单）：")
        if self.payments:
            total = sum(p.amount_fen or 0 for p in self.payments)
            out.append(f"  缴费 {len(self.payments)} 笔，合计 {total / 100:.2f} 元：")
            for p in self.payments:
                amount = f"{p.amount_fen / 100:.2f} 元" if p.amount_fen is not None else "金额不详"
                out.append(f"    票据 {p.receipt_no}  {amount}  {p.paid_on or '日期不详'}  户 {p.household or '不详'}"
                           + ("（已作废）" if p.voided else "") + ("" if p.source == "台账" else "（据票据日志）"))
        if self.voids:
            out.append(f"  作废 {len(self.voids)} 张：{'、'.join(self.voids[:20])}" + ("……" if len(self.voids) > 20 else ""))
        if self.refunds:
            out.append(f"  退费 {len(self.refunds)} 笔：{'、'.join(self.refunds[:20])}" + ("……" if len(self.refunds) > 20 else ""))
        if self.members:
            out.append(f"  新增人员 {len(self.members)} 人：" + "、".join(self.members[:20])
                       + ("……" if len(self.members) > 20 else ""))
        if self.imports:
            out.append(f"  导入 {len(self.imports)} 次：" + "；".join(self.imports))
        if self.numbers_only:
            out.append(f"  另有 {self.numbers_only} 个票据号只知已用（批量写入，金额不详），同样不再使用")
        if self.changes:
            out.append(f"  操作日志中共 {self.changes} 条变更")
        return out


class RestoreRefused(ProblemsError):
    pass


def _ro(path: Path) -> sqlite_driver.Connection:
    conn = sqlite_driver.connect(read_only_uri(path), uri=True, timeout=30)
    conn.execute("PRAGMA query_only=ON")
    return conn


def preview(backup: str | os.PathLike, ledger_path: str | os.PathLike) -> RestorePreview:
    from . import health
    from .journal import ReceiptJournal

    backup, ledger_path = Path(backup), Path(ledger_path)
    pv = RestorePreview(backup, ledger_path)
    if not backup.is_file():
        pv.backup_problems = [Problem(str(backup), "备份文件不存在")]
        return pv
    pv.backup_problems = health.quick_problems(backup, "integrity_check")
    if pv.backup_problems:
        return pv
    key = None
    b = _ro(backup)
    try:
        pv.backup_counters = dict(b.execute("SELECT year, last_seq FROM receipt_counters"))
        from .receipts import journal_key

        key = journal_key(b)
        b_audit = b.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
        b_receipts = {r[0] for r in b.execute("SELECT receipt_no FROM payments")}
    except sqlite_driver.Error as exc:
        pv.backup_problems = [Problem(str(backup), f"不是台账的备份（{exc}）")]
        return pv
    finally:
        b.close()
    held: set[str] = set()
    if ledger_path.exists():
        pv.current_problems = health.quick_problems(ledger_path)
        try:
            _diff_current(pv, ledger_path, backup, b_audit)
            held = {p.receipt_no for p in pv.payments} | b_receipts
        except sqlite_driver.Error as exc:
            pv.current_readable = False
            pv.current_problems = pv.current_problems or [Problem(str(ledger_path), f"无法读取（{exc}）")]
            pv.payments, pv.voids, pv.refunds, pv.members, pv.imports, pv.changes = [], [], [], [], [], 0
    else:
        pv.current_readable = False
        pv.current_problems = [Problem(str(ledger_path), "台账文件不存在")]
    journal = ReceiptJournal(ledger_path, key)
    state = journal.read()
    if state.problems and journal.path.exists():
        pv.warnings.append("票据日志与这份备份对不上（来自另一本台账，或被改动）；其中的票据号仍不会再用")
    ledger_counters: dict[int, int] = {}
    for p in pv.payments:
        ledger_counters[p.year] = max(ledger_counters.get(p.year, 0), p.seq)
    for (year, seq), rec in sorted(state.receipts.items()):
        if seq <= pv.backup_counters.get(year, 0) or rec.get("no") in held:
            continue
        if pv.current_readable and seq == max(ledger_counters.get(year, 0), pv.backup_counters.get(year, 0)) + 1 \
                and seq == state.high.get(year):
            continue  # the one number of a payment killed before it committed: never issued
        pv.payments.append(LostPayment(rec.get("no") or f"{year}-{seq:06d}", year, seq, rec.get("fen"), rec.get("on"),
                                       "", False, "票据日志"))
    pv.payments.sort(key=lambda p: (p.year, p.seq))
    listed = {(p.year, p.seq) for p in pv.payments}
    for year, high in state.high.items():
        pv.numbers_only += sum(1 for s in range(pv.backup_counters.get(year, 0) + 1, high + 1)
                               if (year, s) not in listed and (year, s) not in state.receipts)
    return pv


def _diff_current(pv: RestorePreview, ledger_path: Path, backup: Path, b_audit: int) -> None:
    conn = _ro(ledger_path)
    try:
        conn.execute("ATTACH DATABASE ? AS b", [read_only_uri(backup)])
        for no, year, seq, fen, on, hh, voided in conn.execute(
                "SELECT p.receipt_no, p.year, p.seq, p.amount_fen, p.paid_on, h.number, p.voided_at IS NOT NULL"
                " FROM main.payments p LEFT JOIN main.households h ON h.id = p.household_id"
                " WHERE p.receipt_no NOT IN (SELECT receipt_no FROM b.payments) ORDER BY p.year, p.seq"):
            pv.payments.append(LostPayment(no, year, seq, fen, on, hh or "", bool(voided), "台账"))
        pv.voids = [r[0] for r in conn.execute(
            "SELECT p.receipt_no FROM main.payments p JOIN b.payments q ON q.receipt_no = p.receipt_no"
            " WHERE p.voided_at IS NOT NULL AND NOT (q.voided_at IS NOT NULL) ORDER BY p.id")]
        pv.refunds = [f"{r[0]} {r[1]} {r[2] / 100:.2f} 元" for r in conn.execute(
            "SELECT p.receipt_no, m.name, r.amount_fen FROM main.refunds r JOIN main.payment_items i"
            " ON i.id = r.payment_item_id JOIN main.payments p ON p.id = i.payment_id JOIN main.members m"
            " ON m.id = i.member_id WHERE r.id NOT IN (SELECT id FROM b.refunds) ORDER BY r.id")]
        pv.members = [f"{name} {mask_id_number(idn or '') or '无证件'} 户 {hh or '?'}" for name, idn, hh in conn.execute(
            "SELECT m.name, m.id_number, h.number FROM main.members m LEFT JOIN main.households h"
            " ON h.id = m.household_id WHERE m.id NOT IN (SELECT id FROM b.members) ORDER BY m.id")]
        for ts, after in conn.execute("SELECT ts, after FROM main.audit WHERE action = 'import' AND id > ? ORDER BY id",
                                      [b_audit]):
            info = json.loads(after or "{}")
            pv.imports.append(f"{ts[:10]} {info.get('file', '')}（写入 {info.get('written', '?')} 行）")
        pv.changes = conn.execute("SELECT count(*) FROM main.audit WHERE id > ?", [b_audit]).fetchone()[0]
    finally:
        conn.close()


@dataclass(frozen=True)
class RestoreOutcome:
    saved: Path | None  # where the replaced file was kept
    dropped: int  # receipt numbers recorded as dropped


def restore(backup: str | os.PathLike, ledger_path: str | os.PathLike, *, operator: str | None = None,
            expect: RestorePreview | None = None) -> RestoreOutcome:
    """Replace the ledger with the backup (see the module's steps). ``expect``: the preview the clerk
    confirmed; the restore is refused if the ledger changed since."""
    from . import health
    from .backup import backup_dir
    from .db import open_ledger
    from .files import fsync_dir, os_error_text, part_path
    from .journal import ReceiptJournal
    from .lock import EXCLUSIVE, LockBusy, acquire
    from .receipts import DroppedReceipt, journal_key, reconcile

    backup, ledger_path = Path(backup), Path(ledger_path)
    try:
        lock = acquire(ledger_path, EXCLUSIVE)
    except LockBusy:
        raise RestoreRefused([Problem(str(ledger_path), "台账正在另一个窗口或程序中打开，不能恢复。"
                                                        "请先关闭其他窗口和正在运行的 canbao 命令，再恢复")]) from None
    try:
        pv = preview(backup, ledger_path)
        if not pv.usable:
            raise RestoreRefused(pv.backup_problems)
        if expect is not None and expect.fingerprint() != pv.fingerprint():
            raise RestoreRefused([Problem(str(ledger_path), "确认之后台账又有了变化，请重新查看将丢失的记录后再恢复")])
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside_dir = backup_dir(ledger_path)
        try:
            aside_dir.mkdir(parents=True, exist_ok=True)
            part = part_path(ledger_path)
            shutil.copyfile(backup, part)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(str(part) + suffix).unlink(missing_ok=True)
            if health.quick_problems(part):
                part.unlink(missing_ok=True)
                raise RestoreRefused([Problem(str(backup), "备份复制后校验失败（磁盘有问题？），台账没有改动")])
            saved = None
            if ledger_path.exists():
                if pv.current_readable:
                    try:  # fold the WAL in, so the file kept aside is whole by itself
                        c = sqlite_driver.connect(str(ledger_path), timeout=30)
                        try:
                            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        finally:
                            c.close()
                    except sqlite_driver.Error:
                        pass
                saved = aside_dir / f"{ledger_path.name}.{stamp}.replaced.db"
                for suffix in ("", "-wal"):
                    src = Path(str(ledger_path) + suffix)
                    if src.exists():
                        _link_or_copy(src, Path(str(saved) + suffix))
            from ..paths import make_private

            make_private(part)
            for suffix in ("-wal", "-shm"):  # a stale WAL must never meet the restored file
                Path(str(ledger_path) + suffix).unlink(missing_ok=True)
            os.replace(part, ledger_path)
            fsync_dir(ledger_path.parent)
        except OSError as exc:
            raise RestoreRefused([Problem(str(ledger_path), "恢复没有完成，台账没有改动：" + os_error_text(exc))]) from None
        health.clear_mark(ledger_path)
        known = [DroppedReceipt(p.year, p.seq, p.receipt_no, p.amount_fen, p.paid_on, p.household,
                                f"从备份恢复（{backup.name}）时，备份中没有这张票据") for p in pv.payments]
        with open_ledger(ledger_path, backup=False, operator=operator, reconcile=False) as lg:
            key = journal_key(lg.db)
            if lg.journal.state.problems and lg.journal.path.exists():
                # another ledger's journal (or an edited one): its numbers count, then it is kept aside
                dropped = reconcile(lg, reason=f"从备份恢复（{backup.name}）", known=known, interrupted_tail_ok=False)
                os.replace(lg.journal.path, Path(str(saved or ledger_path) + ".receipts.old"))
                lg.journal = ReceiptJournal(ledger_path, key)
                known = []
            else:
                dropped = []
            dropped += reconcile(lg, reason=f"从备份恢复（{backup.name}）", known=known, interrupted_tail_ok=False)
            with lg.transaction():
                lg.log("ledger", None, "restore", {"replaced_file_saved_as": str(saved) if saved else None},
                       {"restored_from": str(backup), "dropped_receipts": len(dropped),
                        "lost_payments": [p.receipt_no for p in pv.payments[:50]]})
        return RestoreOutcome(saved, len(dropped))
    finally:
        lock.release()


def _link_or_copy(src: Path, dest: Path) -> None:
    """Keep ``src``'s content at ``dest``: a hard link (no space, instant) where the disk allows, else a copy."""
    try:
        os.link(src, dest)
    except OSError:
        from .files import atomic_path

        with atomic_path(dest) as part:
            shutil.copyfile(src, part)
