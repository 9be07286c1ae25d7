"""Backups: one made automatically whenever a ledger is opened (rotating, last N kept), and on demand.

Automatic backups are skipped when nothing changed since the last one, or the last one is younger than
``DEFAULT_MIN_INTERVAL``. Backups use SQLite's online backup API, so a ledger in WAL mode is copied consistently. They live in a
``备份`` folder beside the ledger file: ``<ledger>.<YYYYmmdd-HHMMSS-ffffff>.bak.db``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Callable

from ..paths import make_private
from .db import read_only_uri

DEFAULT_KEEP = 10
# At most one automatic backup per this many seconds: a burst of CLI commands on a big ledger must not copy
# it each time. A backup is still made on the first open after a pause, whenever the ledger has changed.
DEFAULT_MIN_INTERVAL = 600
BACKUP_DIR = "备份"


def backup_dir(ledger_path: Path) -> Path:
    return Path(ledger_path).parent / BACKUP_DIR


def list_backups(ledger_path: Path) -> list[Path]:
    """Backups of this ledger, oldest first."""
    p = Path(ledger_path)
    d = backup_dir(p)
    if not d.is_dir():
        return []
    return sorted(d.glob(f"{p.name}.*.bak.db"))


def backup_ledger(ledger_path: Path, dest: Path | None = None, *, keep: int | None = DEFAULT_KEEP,
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy the ledger consistently (online backup API) and, for rotating backups, keep the last ``keep``.

    ``progress(done_pages, total_pages)`` is called as the copy proceeds."""
    src_path = Path(ledger_path)
    if dest is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        dest = backup_dir(src_path) / f"{src_path.name}.{stamp}.bak.db"
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.parent == backup_dir(src_path):
        make_private(dest.parent)
    tmp = dest.with_name(dest.name + ".part")
    src = sqlite3.connect(_ro_uri(src_path), uri=True, timeout=30)
    try:
        out = sqlite3.connect(str(tmp))
        try:
            if progress is None:
                src.backup(out)
            else:
                src.backup(out, pages=4096, progress=lambda status, remaining, total: progress(total - remaining, total))
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    finally:
        src.close()
    _fsync(tmp)
    make_private(tmp)  # also when the process umask is not Canbao's (a library caller)
    os.replace(tmp, dest)
    if keep is not None and dest.parent == backup_dir(src_path):
        for old in list_backups(src_path)[:-keep]:
            old.unlink(missing_ok=True)
    return dest


def _content_mark(path: Path) -> tuple | None:
    """What the ledger holds, as far as a backup cares: the last audited change and the schema version.
    Every change to the data writes the audit log (append-only), so an equal mark means nothing to back up.
    File times are not used: SQLite itself rewrites files (checkpoints, ``PRAGMA optimize`` statistics)."""
    conn = sqlite3.connect(_ro_uri(path), uri=True)
    try:
        audit = conn.execute("SELECT max(id), count(*) FROM audit").fetchone()
        migrations = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        return (tuple(audit), migrations)
    except sqlite3.Error:
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
    ``min_interval`` seconds."""
    try:
        if not _backup_due(ledger_path, min_interval):
            return None
        return backup_ledger(ledger_path, keep=keep)
    except (sqlite3.Error, OSError):
        return None  # a failed backup must not stop the day's work; `canbao check` reports missing backups


def restore_ledger(backup: Path, ledger_path: Path, *, operator: str | None = None) -> Path | None:
    """Replace the ledger with a backup. The current file is first backed up itself (returned), and the
    restored ledger's audit log records the restore."""
    backup, ledger_path = Path(backup), Path(ledger_path)
    chk = sqlite3.connect(_ro_uri(backup), uri=True)
    try:
        ok = chk.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        chk.close()
    if ok != "ok":
        raise sqlite3.DatabaseError(f"备份文件损坏：{backup}（{ok}）")
    saved = backup_ledger(ledger_path, keep=None) if ledger_path.exists() else None
    if ledger_path.exists():
        # fold the WAL into the file first, so no committed change lives only in a -wal about to be removed
        conn = sqlite3.connect(str(ledger_path), timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    tmp = ledger_path.with_name(ledger_path.name + ".restore")
    shutil.copyfile(backup, tmp)
    _fsync(tmp)
    for suffix in ("-wal", "-shm"):  # a stale WAL must never be applied to the restored file
        Path(str(ledger_path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, ledger_path)
    from .db import open_ledger

    with open_ledger(ledger_path, backup=False, operator=operator) as lg, lg.transaction():
        lg.log("ledger", None, "restore", {"replaced_file_saved_as": str(saved) if saved else None},
               {"restored_from": str(backup)})
    return saved


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows can only flush (commit) a file opened for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_ro_uri = read_only_uri
