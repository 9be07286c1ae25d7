"""Is the ledger file sound? A quick look made on every open (header + ``PRAGMA quick_check``), and the
*damage mark*: ``<ledger>.damaged`` beside the file, written whenever a check finds damage and removed by a
restore or a ``check`` that passes. A marked ledger opens only for reading and for restore: it takes no
more payments, and its backups are kept apart (see ``backup``).

``quick_check`` reads every page (60 MB ledger, 100,000 people: about 0.07 s warm); it finds broken pages,
truncation and a bad header, not a changed amount inside a sound page (the hash chain and ``check`` do).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from . import sqlite_driver
from pathlib import Path

from ..domain.problems import Problem

SQLITE_HEADER = b"SQLite format 3\x00"


def mark_path(ledger_path: str | os.PathLike) -> Path:
    p = Path(ledger_path)
    return p.with_name(p.name + ".damaged")


def quick_problems(path: str | os.PathLike, pragma: str | None = "quick_check", on_connect=None) -> list[Problem]:
    """What SQLite's quick (or full, ``pragma="integrity_check"``) check says about the file; [] = sound.
    ``pragma=None``: only the header and the size (instant; the open-check runs the pragma later, see
    ``db.OpenCheck``); ``on_connect(conn)`` is given the checking connection (to interrupt it)."""
    from .db import read_only_uri

    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(100)
        size = p.stat().st_size
    except OSError as exc:
        return [Problem(str(p), f"无法读取台账文件（{exc.strerror or exc}）")]
    encrypted = sqlite_driver.is_encrypted(p)  # SQLCipher: no plaintext header to look at
    if head[:16] != SQLITE_HEADER and not encrypted:
        return [Problem(str(p), "文件头已损坏（不是 SQLite 数据库），台账无法读取")]
    page_size = int.from_bytes(head[16:18], "big") or 65536
    if page_size == 1:
        page_size = 65536
    pages = int.from_bytes(head[28:32], "big")
    if pages and not encrypted and size < pages * page_size and not Path(str(p) + "-wal").exists():
        return [Problem(str(p), f"文件被截断（应有 {pages * page_size} 字节，实有 {size} 字节）")]
    if pragma is None:
        return []
    try:
        conn = sqlite_driver.connect(read_only_uri(p), uri=True, timeout=30)
    except sqlite_driver.KeyRequired:
        raise  # not damage: the password was not given
    except sqlite_driver.Error as exc:
        return [Problem(str(p), f"无法打开台账（{exc}）")]
    try:
        if on_connect is not None:
            on_connect(conn)
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(20)")]
    except sqlite_driver.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc) or "interrupt" in str(exc):
            return []  # another process is busy with it, or the ledger was closed meanwhile: that is not damage
        return [Problem(str(p), f"台账文件已损坏（{exc}）")]
    except sqlite_driver.DatabaseError as exc:
        return [Problem(str(p), f"台账文件已损坏（{exc}）")]
    finally:
        conn.close()
    return [Problem("SQLite", f"完整性检查：{r}") for r in rows if r != "ok"]


def read_mark(ledger_path) -> list[Problem]:
    """The damage recorded earlier, or []."""
    try:
        data = json.loads(mark_path(ledger_path).read_text(encoding="utf-8"))
        return [Problem(d.get("place", ""), d.get("message", "")) for d in data.get("problems", [])] or \
            [Problem(str(ledger_path), "台账曾被检查出损坏")]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, AttributeError):
        return [Problem(str(ledger_path), "台账曾被检查出损坏（损坏记录无法读取）")]


def write_mark(ledger_path, problems: list[Problem]) -> None:
    """Remember the damage (best effort: a read-only folder still gets the message, just not the mark)."""
    try:
        mark_path(ledger_path).write_text(json.dumps(
            {"found_at": dt.datetime.now().isoformat(timespec="seconds"),
             "problems": [{"place": p.place, "message": p.message} for p in problems[:20]]},
            ensure_ascii=False, indent=1), encoding="utf-8")
        from ..paths import make_private

        make_private(mark_path(ledger_path))
    except OSError:
        pass


def clear_mark(ledger_path) -> None:
    try:
        mark_path(ledger_path).unlink(missing_ok=True)
    except OSError:
        pass


def inspect(ledger_path, *, pages: bool = True) -> list[Problem]:
    """Damage of an existing ledger file: the mark, else the quick check (which marks what it finds).
    ``pages=False``: the mark, the header and the size only; ``quick_check`` then runs on a worker
    (``db.OpenCheck``), and the ledger takes no write until it has passed."""
    marked = read_mark(ledger_path)
    if marked:
        return marked
    found = quick_problems(ledger_path, "quick_check" if pages else None)
    if found:
        write_mark(ledger_path, found)
    return found


def has_ledger_traces(ledger_path) -> bool:
    """Was this file a ledger (backups, a receipt journal or a damage mark beside it)? Then a bad header is
    damage to restore from, not a wrong file chosen."""
    from .backup import list_backups
    from .journal import journal_path

    return bool(mark_path(ledger_path).exists() or journal_path(ledger_path).exists() or list_backups(ledger_path))
