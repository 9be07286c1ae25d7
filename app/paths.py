"""Where Canbao's files are. One module resolves resources the same way from source and from a
PyInstaller bundle (sys._MEIPASS), and the user's data folder via platformdirs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Canbao"


def install_root() -> Path:
    """The folder holding ``policies/`` and ``resources/``: the bundle dir when frozen, else the repo."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def policies_dir() -> Path:
    override = os.environ.get("CANBAO_POLICIES")
    return Path(override) if override else install_root() / "policies"


def resources_dir() -> Path:
    return install_root() / "resources"


def data_dir() -> Path:
    """The user's data folder (ledgers, backups): never the program folder. On Windows it is in the user's
    own profile (``%LOCALAPPDATA%\\Canbao``), which other users of the laptop cannot read."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


# ---------------------------------------------------------------------------- files private to the user
PRIVATE_UMASK = 0o077  # files 0600, folders 0700


def make_files_private() -> None:
    """From now on every file and folder this process creates (ledger, -wal/-shm, backups, exports, PDFs,
    logs) is readable by its owner only. Called first by every entry point (``canbao`` CLI and window).

    POSIX only: on Windows files inherit the folder's ACL, and the data folder is in the user's profile."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)
        make_private(data_dir())  # a data folder made by an older version (0755)


def make_private(path: str | os.PathLike) -> None:
    """Tighten a file (0600) or folder (0700) that may have been written before Canbao made its files
    private. Silently does nothing where permissions do not apply (Windows, FAT USB sticks, not the owner)."""
    if os.name != "posix":
        return
    p = Path(path)
    try:
        mode = p.stat().st_mode
        if mode & 0o077:
            p.chmod(mode & 0o700)  # drop group and other, keep the owner's bits
    except OSError:
        pass


def make_ledger_private(ledger_path: str | os.PathLike) -> None:
    """The ledger file and its ``-wal`` / ``-shm`` / ``-journal`` companions."""
    base = Path(ledger_path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        f = base.with_name(base.name + suffix)
        if f.exists():
            make_private(f)


def scratch_dir(name: str, max_age_s: float = 3600) -> Path:
    """A private folder for files that exist only to be looked at or printed (print previews), one per running
    program (``<temp>/<name>/<pid>``, so a second copy of Canbao ending does not take this one's previews away),
    emptied when the program ends; files older than ``max_age_s`` left by programs that ended without
    cleaning up (killed, power cut) are removed each time it is asked for: printouts with people's data are not
    left in the temp folder."""
    import atexit
    import tempfile
    import time

    base = Path(tempfile.gettempdir()) / name
    base.mkdir(parents=True, exist_ok=True)
    make_private(base)
    d = base / str(os.getpid())
    d.mkdir(exist_ok=True)
    make_private(d)
    now = time.time()
    for f in [*base.glob("*"), *base.glob("*/*")]:
        try:
            if f.is_file() and now - f.stat().st_mtime > max_age_s:
                f.unlink()
            elif f.is_dir() and f != d and not any(f.iterdir()) and now - f.stat().st_mtime > max_age_s:
                f.rmdir()
        except OSError:
            pass  # open in a viewer (Windows): next time
    if str(d) not in _EMPTY_AT_EXIT:
        _EMPTY_AT_EXIT.add(str(d))
        atexit.register(_empty, d)
    return d


_EMPTY_AT_EXIT: set[str] = set()


def _empty(d: Path) -> None:
    for f in d.glob("*"):
        try:
            f.unlink()
        except OSError:
            pass
    try:
        d.rmdir()
    except OSError:
        pass  # a file still open in a viewer: removed by a later program once old
