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
    removed += sweep_pending()
    return removed


# ---------------------------------------------------------------------------- files written anywhere
# An export or a printout goes wherever the clerk chooses (a USB stick, the desktop), so a part file left there
# by a killed process cannot be found by looking beside the ledger. Each one is noted while it is written
# (``pending``) in the data folder, and the next start removes the parts of processes that no longer run.
def _pending_dir() -> Path:
    from ..paths import data_dir

    return data_dir() / "pending-parts"


@contextmanager
def pending(part: Path) -> Iterator[Path]:
    """Note ``part`` while it is being written; forgotten again when the write ends (either way)."""
    record = None
    try:
        folder = _pending_dir()
        folder.mkdir(parents=True, exist_ok=True)
        record = folder / f"{os.getpid()}-{id(part):x}.txt"
        record.write_text(str(Path(part).resolve()), encoding="utf-8")
    except OSError:
        record = None  # no data folder (read-only profile): the part is still removed by the writer itself
    try:
        yield part
    finally:
        if record is not None:
            try:
                record.unlink(missing_ok=True)
            except OSError:
                pass


def sweep_pending() -> list[Path]:
    """Remove the part files that processes no longer running left wherever they wrote. Returns them."""
    removed: list[Path] = []
    try:
        records = list(_pending_dir().glob("*.txt"))
    except OSError:
        return removed
    for record in records:
        pid = record.name.partition("-")[0]
        if pid.isdigit() and _pid_alive(int(pid)):
            continue
        try:
            part = Path(record.read_text(encoding="utf-8").strip())
            if part.name.endswith(PART) and part.exists():
                part.unlink()
                removed.append(part)
            record.unlink(missing_ok=True)
        except OSError:
            pass  # in use or read-only: next time
    return removed
