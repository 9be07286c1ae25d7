"""Backups: one made automatically whenever a ledger is opened (rotating, last N kept), and on demand.

Every backup is checked twice: the ledger first (``PRAGMA quick_check``; a damaged ledger is never backed up
as if it were good), then the copy, before it gets its name (``integrity_check`` up to ``FULL_CHECK_BYTES``,
else ``quick_check``, and the copy must hold the same audit log as the ledger had). The copy is written with
SQLite's online backup API to ``<name>.<pid>.part`` and renamed only when verified, so a killed backup leaves
no file that looks finished (``files.clean_leftovers`` removes the part on the next open). A backup that would
leave less than ``RESERVE_BYTES`` free is not made: the next payment needs the space more.

Good backups live in the ``备份`` folder beside the ledger: ``<ledger>.<YYYYmmdd-HHMMSS-ffffff>.bak.db``; a
file in that folder has been verified (its time is when). A copy of a *damaged* ledger (kept for whoever
repairs it) goes to ``备份/损坏`` as ``<ledger>.<stamp>.damaged.db``: it never counts as a backup and never
rotates out the last good ones.

Automatic backups are skipped when nothing changed since the last one, or the last one is younger than
``DEFAULT_MIN_INTERVAL``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from . import sqlite_driver
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..domain.problems import Problem, ProblemsError
from ..paths import make_private
from .db import LedgerDamaged, read_only_uri
from .files import atomic_path, os_error_text

DEFAULT_KEEP = 10
# At most one automatic backup per this many seconds: a burst of CLI commands on a big ledger must not copy
# it each time. A backup is still made on the first open after a pause, whenever the ledger has changed.
DEFAULT_MIN_INTERVAL = 600
BACKUP_DIR = "备份"
DAMAGED_DIR = "损坏"
KEEP_DAMAGED = 3
FULL_CHECK_BYTES = 128 * 1024 * 1024  # integrity_check of the copy up to this size (60 MB: 0.8 s), else quick
RESERVE_BYTES = 1024 * 1024  # never let a backup take the last megabyte the ledger's own writes need


def backup_dir(ledger_path: Path) -> Path:
    return Path(ledger_path).parent / BACKUP_DIR


def damaged_dir(ledger_path: Path) -> Path:
    return backup_dir(ledger_path) / DAMAGED_DIR


def list_backups(ledger_path: Path) -> list[Path]:
    """Good (verified) backups of this ledger, oldest first."""
    p = Path(ledger_path)
    d = backup_dir(p)
    if not d.is_dir():
        return []
    return sorted(d.glob(f"{p.name}.*.bak.db"))


def list_damaged(ledger_path: Path) -> list[Path]:
    p = Path(ledger_path)
    d = damaged_dir(p)
    return sorted(d.glob(f"{p.name}.*.damaged.db")) if d.is_dir() else []


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    verified_at: dt.datetime  # when it was checked and named (its file time)


def backup_infos(ledger_path: Path) -> list[BackupInfo]:
    """The good backups, newest first, for the window's settings and ``canbao backup --list``."""
    out = []
    for b in reversed(list_backups(ledger_path)):
        try:
            st = b.stat()
        except OSError:
            continue
        out.append(BackupInfo(b, st.st_size, dt.datetime.fromtimestamp(st.st_mtime)))
    return out


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def _need_space(dest_dir: Path, need: int) -> None:
    try:
        free = shutil.disk_usage(dest_dir).free
    except OSError:
        return
    if free < need + RESERVE_BYTES:
        raise ProblemsError([Problem(str(dest_dir), f"磁盘空间不足，没有备份：需要约 {need // 1024 + 1} KB，"
                                                    f"只剩 {free // 1024} KB（至少留出 {RESERVE_BYTES // 1024} KB 供记账使用）。"
                                                    "请清理磁盘，或备份到U盘")])


def _save_damaged(src: Path, damage: list[Problem]) -> Path | None:
    """Keep a raw copy of a damaged ledger apart (for whoever repairs it); the last ``KEEP_DAMAGED`` stay."""
    d = damaged_dir(src)
    try:
        d.mkdir(parents=True, exist_ok=True)
        _need_space(d, src.stat().st_size)
        dest = d / f"{src.name}.{_stamp()}.damaged.db"
        with atomic_path(dest) as part:
            shutil.copyfile(src, part)
        for old in list_damaged(src)[:-KEEP_DAMAGED]:
            old.unlink(missing_ok=True)
        return dest
    except (OSError, ProblemsError):
        return None


def backup_ledger(ledger_path: Path, dest: Path | None = None, *, keep: int | None = DEFAULT_KEEP,
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """Check the ledger, copy it consistently (online backup API), verify the copy, then name it; for rotating
    backups keep the last ``keep`` good ones. ``progress(done_pages, total_pages)`` as the copy proceeds.

    Raises ``LedgerDamaged`` (the ledger is damaged: nothing backed up as good, a labelled copy kept apart),
    ``ProblemsError`` (not enough space; the copy failed its check), ``OSError`` only from the caller's
    own folder being unusable (``files.os_error_text`` says it in Chinese)."""
    from . import health

    from .lock import SHARED, LockBusy, acquire

    src_path = Path(ledger_path)
    try:
        lock = acquire(src_path, SHARED)  # no backup while a restore replaces the file
    except LockBusy:
        raise ProblemsError([Problem(str(src_path), "台账正在从备份恢复，暂不能备份")]) from None
    except OSError:
        lock = None  # a ledger in a read-only place can still be copied elsewhere
    try:
        return _backup_checked(src_path, dest, keep, progress)
    finally:
        if lock is not None:
            lock.release()


def _backup_checked(src_path: Path, dest: Path | None, keep: int | None, progress) -> Path:
    from . import health

    damage = health.read_mark(src_path) or health.quick_problems(src_path)
    if damage:
        health.write_mark(src_path, damage)
        saved = _save_damaged(src_path, damage)
        note = [Problem(str(saved), "损坏的台账另存了一份（不作为备份，不会挤掉以前的正常备份）")] if saved else []
        raise LedgerDamaged(src_path, damage + note)
    if dest is None:
        dest = backup_dir(src_path) / f"{src_path.name}.{_stamp()}.bak.db"
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.parent == backup_dir(src_path):
            make_private(dest.parent)
        src = sqlite_driver.connect(read_only_uri(src_path), uri=True, timeout=30)
    except OSError as exc:
        raise ProblemsError([Problem(str(dest.parent), "无法备份：" + os_error_text(exc))]) from None
    try:
        page_size = int(src.execute("PRAGMA page_size").fetchone()[0])  # SQLCipher answers it as text
        size = src.execute("PRAGMA page_count").fetchone()[0] * page_size
        _need_space(dest.parent, size)
        with atomic_path(dest) as part:
            out = sqlite_driver.connect(str(part), key=sqlite_driver.key_of(src))
            try:
                src.execute("BEGIN")  # one snapshot for the copy and the mark it is compared with
                mark = _mark(src)
                if progress is None:
                    src.backup(out)
                else:
                    src.backup(out, pages=4096,
                               progress=lambda status, remaining, total: progress(total - remaining, total))
                src.execute("COMMIT")
                out.execute("PRAGMA journal_mode=DELETE")
            finally:
                out.close()
            problems = _verify_copy(part, mark, size)
            if problems:
                raise ProblemsError([Problem(str(dest), "备份副本校验失败，没有保存：" + "；".join(
                    p.message for p in problems[:3]))])
            make_private(part)  # also when the process umask is not Canbao's (a library caller)
    except sqlite_driver.DatabaseError as exc:
        damage = [Problem(str(src_path), f"台账文件已损坏（{exc}）")]
        health.write_mark(src_path, damage)
        raise LedgerDamaged(src_path, damage) from None
    except OSError as exc:
        raise ProblemsError([Problem(str(dest), "备份没有写成：" + os_error_text(exc))]) from None
    finally:
        src.close()
    if keep is not None and dest.parent == backup_dir(src_path):
        for old in list_backups(src_path)[:-keep]:
            old.unlink(missing_ok=True)
    return dest


def _mark(conn) -> tuple | None:
    try:
        return tuple(conn.execute("SELECT max(id), count(*) FROM audit").fetchone())
    except sqlite_driver.OperationalError:
        return None  # not set up yet: no audit table


def _verify_copy(part: Path, mark: tuple | None, size: int) -> list[Problem]:
    from . import health

    problems = health.quick_problems(part, "integrity_check" if size <= FULL_CHECK_BYTES else "quick_check")
    if problems:
        return problems
    conn = sqlite_driver.connect(read_only_uri(part), uri=True)
    try:
        if _mark(conn) != mark:
            return [Problem(str(part), "副本的操作日志与台账不一致")]
    finally:
        conn.close()
    return []


def _content_mark(path: Path) -> tuple | None:
    """What the ledger holds, as far as a backup cares: the last audited change and the schema version.
    Every change to the data writes the audit log (append-only), so an equal mark means nothing to back up.
    File times are not used: SQLite itself rewrites files (checkpoints, ``PRAGMA optimize`` statistics)."""
    conn = sqlite_driver.connect(read_only_uri(path), uri=True)
    try:
        audit = conn.execute("SELECT max(id), count(*) FROM audit").fetchone()
        migrations = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        return (tuple(audit), migrations)
    except sqlite_driver.Error:
        return None  # not a ledger yet, or unreadable: back it up
    finally:
        conn.close()


def _backup_due(ledger_path: Path, min_interval: float) -> bool:
    backups = list_backups(ledger_path)
    if not backups:
        return True
    last = backups[-1].stat().st_mtime
    if time.time() - last < min_interval:
        return False
    current = _content_mark(ledger_path)
    return current is None or current != _content_mark(backups[-1])


def backup_on_open(ledger_path: Path, keep: int = DEFAULT_KEEP, min_interval: float = DEFAULT_MIN_INTERVAL) -> Path | None:
    """Back up before work starts, unless nothing changed since the last backup or it is younger than
    ``min_interval`` seconds. A damaged ledger raises ``LedgerDamaged``; any other failure (no space, a
    read-only folder) must not stop the day's work: None, and ``check`` reports a missing backup."""
    try:
        if not _backup_due(ledger_path, min_interval):
            return None
        return backup_ledger(ledger_path, keep=keep)
    except LedgerDamaged:
        raise
    except (sqlite_driver.Error, OSError, ProblemsError):
        return None


def restore_ledger(backup: Path, ledger_path: Path, *, operator: str | None = None) -> Path | None:
    """Replace the ledger with a backup (see ``app.ledger.restore``); returns where the replaced file was kept."""
    from .restore import restore

    return restore(Path(backup), Path(ledger_path), operator=operator).saved
