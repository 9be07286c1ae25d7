"""All-or-nothing files: a write goes to ``<target>.<pid>.part`` beside the target, is flushed and fsynced,
then renamed over it (``os.replace``), so a killed write leaves nothing that looks finished. Leftover
``.part`` files of dead processes are removed on the next open (``clean_leftovers``). A full disk or a
read-only folder becomes a Chinese sentence (``os_error_text``), never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PART = ".part"


def part_path(target: str | os.PathLike) -> Path:
    t = Path(target)
    return t.with_name(f"{t.name}.{os.getpid()}{PART}")


def os_error_text(exc: OSError) -> str:
    """What went wrong with a file, in the clerk's words."""
    where = f"（{exc.filename}）" if getattr(exc, "filename", None) else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"磁盘空间已满，文件没有写成{where}。请清理磁盘或换一个位置（如U盘）后重试"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
        return f"没有写入权限或文件夹是只读的{where}。请换一个文件夹，或关闭正在使用该文件的程序（如 Excel）后重试"
    if exc.errno == errno.ENOENT:
        return f"文件或文件夹不存在{where}"
    return f"文件读写失败{where}：{exc.strerror or exc}"


def fsync_file(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))  # Windows flushes only a file opened for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename durable (POSIX; Windows has no directory handles for this)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def commit_part(part: Path, target: Path) -> Path:
    """fsync ``part``, make it private to the user (0600), rename it over ``target``, fsync the folder."""
    from ..paths import make_private

    make_private(part)
    fsync_file(part)
    os.replace(part, target)
    fsync_dir(target.parent)
    return target


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """``with atomic_path(t) as part: write(part)`` — ``t`` appears whole or not at all."""
    target = Path(target)
    part = part_path(target)
    try:
        yield part
        commit_part(part, target)
    except BaseException:
        for p in (part, Path(str(part) + "-journal"), Path(str(part) + "-wal"), Path(str(part) + "-shm")):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass
        raise


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - a file still being written cannot be deleted there anyway
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(ledger_path: str | os.PathLike) -> list[Path]:
    """Remove ``*.<pid>.part`` files (and their SQLite journals) of processes that no longer run, beside the
    ledger and in its backup folders. Returns what was removed."""
    from .backup import backup_dir, damaged_dir

    removed = []
    ledger_path = Path(ledger_path)
    for folder in (ledger_path.parent, backup_dir(ledger_path), damaged_dir(ledger_path)):
        try:
            candidates = list(folder.glob(f"*{PART}*"))
        except OSError:
            continue
        for f in candidates:
            stem = f.name
            for suffix in ("-journal", "-wal", "-shm", ".lock", ".receipts"):
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
            if not stem.endswith(PART):
                continue
            pid = stem[: -len(PART)].rpartition(".")[2]
            if pid.isdigit() and _pid_alive(int(pid)):
                continue
            try:
                f.unlink()
                removed.append(f)
            except OSError:
                pass  # in use (Windows) or a read-only folder: try again next time
    return removed
