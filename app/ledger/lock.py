"""Who has a ledger open: an OS-level lock on ``<ledger>.lock`` beside the ledger file.

Every ``open_ledger`` (the window, every CLI command, a background task) takes a *shared* lock, so several
windows and commands may work on one ledger together (SQLite serialises their writes). Restore takes an
*exclusive* lock: it is refused while anybody else has the ledger open, and nobody can open it while a restore
runs. The operating system drops the lock when a process ends, even by ``kill -9`` or a power cut, so a lock is
never stale. Within one process the lock is counted (a window and its worker threads share it).

POSIX: ``fcntl.flock``; Windows: ``LockFileEx`` on the lock file (shared or exclusive) through ctypes.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

SHARED, EXCLUSIVE = "shared", "exclusive"


class LockBusy(Exception):
    """The ledger is held by another process (or, for exclusive, by anybody else)."""


def lock_path(ledger_path: str | os.PathLike) -> Path:
    p = Path(ledger_path)
    return p.with_name(p.name + ".lock")


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import ctypes
    import msvcrt
    from ctypes import wintypes

    class _OVERLAPPED(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                    ("Offset", wintypes.DWORD), ("OffsetHigh", wintypes.DWORD), ("hEvent", wintypes.HANDLE)]

    _k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _LOCKFILE_FAIL_IMMEDIATELY, _LOCKFILE_EXCLUSIVE_LOCK = 0x1, 0x2

    def _os_lock(fd: int, mode: str) -> bool:
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if mode == EXCLUSIVE else 0)
        ov = _OVERLAPPED()
        return bool(_k32.LockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), flags, 0, 1, 0, ctypes.byref(ov)))

    def _os_unlock(fd: int) -> None:
        ov = _OVERLAPPED()
        _k32.UnlockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), 0, 1, 0, ctypes.byref(ov))
else:
    import fcntl

    def _os_lock(fd: int, mode: str) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if mode == EXCLUSIVE else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _os_unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_held: dict[Path, list] = {}  # resolved lock path -> [fd, mode, count]
_guard = threading.Lock()


class LedgerLock:
    """A held lock; ``release()`` (or leaving the ``with``) gives it back. Idempotent."""

    def __init__(self, key: Path, mode: str):
        self.key = key
        self.mode = mode
        self._released = False

    def release(self) -> None:
        with _guard:
            if self._released:
                return
            self._released = True
            entry = _held.get(self.key)
            if entry is None:
                return
            entry[2] -= 1
            if entry[2] <= 0:
                del _held[self.key]
                try:
                    _os_unlock(entry[0])
                finally:
                    os.close(entry[0])

    def __enter__(self) -> "LedgerLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def acquire(ledger_path: str | os.PathLike, mode: str = SHARED) -> LedgerLock:
    """Take the ledger's lock or raise ``LockBusy`` at once (never waits).

    Inside one process a shared lock is counted; an exclusive lock is refused while this process holds the
    ledger open elsewhere (close the window's ledger first), and a shared one is granted under this process's
    own exclusive lock (the restore re-opens the restored file to log the restore)."""
    lp = lock_path(ledger_path)
    key = lp.resolve() if lp.parent.exists() else lp.absolute()
    with _guard:
        entry = _held.get(key)
        if entry is not None:
            if mode == EXCLUSIVE:
                raise LockBusy(str(lp))
            entry[2] += 1
            return LedgerLock(key, mode)
        lp.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o600)
        from ..paths import make_private

        make_private(lp)  # one made before Canbao's files were private
        try:
            ok = _os_lock(fd, mode)
        except OSError:
            os.close(fd)
            raise
        if not ok:
            os.close(fd)
            raise LockBusy(str(lp))
        _held[key] = [fd, mode, 1]
        return LedgerLock(key, mode)


def held_by_others(ledger_path: str | os.PathLike) -> bool:
    """Is the ledger open in another process (or elsewhere in this one)? Takes and drops an exclusive lock."""
    try:
        acquire(ledger_path, EXCLUSIVE).release()
        return False
    except LockBusy:
        return True
