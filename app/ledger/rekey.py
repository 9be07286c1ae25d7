"""Changing the ledger password (``canbao ledger password``, 设置 → 修改台账密码…): a clerk whose password was
seen, a township handing the laptop to a new clerk.

Why a re-encrypted copy and a rename, not ``PRAGMA rekey``. SQLCipher 4's rekey rewrites every page of the
live file in place: it is not supported on a WAL database (the ledger is one), it keeps the file's salt (this
program keeps the keys it has unlocked by salt, ``sqlite_driver.remember``, so a backup under the old key and
the ledger under the new one could not both be known), and a process killed or a disk filling up in the middle
depends on a rollback journal of a whole-file rewrite. Here instead, with the ledger closed everywhere (its
exclusive lock, as a restore):

1. the old password is checked (the back-off after wrong passwords applies) and the new one must pass the
   strength rule every new ledger password passes;
2. the WAL is folded into the main file, then ``sqlcipher_export`` writes every table into
   ``<ledger>.<pid>.part`` under the new key with a new salt (``PRAGMA max_page_count`` or a full disk stops
   it: the part is removed, the ledger is untouched);
3. the copy is checked (``integrity_check``, every table's row count against the ledger's);
4. the audit entry (who, when; never a password) is written into the copy, so it exists exactly when the new
   file does;
5. the copy is renamed over the ledger (``os.replace``, the folder fsynced) — the one step that switches;
6. the old file's blocks are overwritten (it is linked as ``<ledger>.旧密码.shred`` before the switch; a
   process killed after it leaves the link, shredded by the next change — never when it is still the ledger);
7. every backup in the ``备份`` folder under the old key — and this ledger's backups in the folders ``also`` (the
   settings' second backup folder) — is re-encrypted the same way, one at a time (each file whole under the old
   or the new password at every moment).

A process killed at any moment therefore leaves a ledger that opens with the old password (before 5) or the new
one (from 5), never neither. Backups elsewhere (a USB stick not plugged in, copies made by hand), or those
not yet re-encrypted when a process was killed, keep the password they were made with: restoring one asks for
that password, and the restored ledger opens with it (change it again afterwards).

The exchange packets are not affected: their keys come from the township's ``ledger_secret.sync_key`` stored
inside the ledger (``app.sync.packet_file``), not from the ledger password, and the copy carries it unchanged;
so are the receipt journal's key and the station's signing key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.problems import Cancelled, Problem, ProblemsError
from . import encryption, sqlite_driver
from . import password as pw

PERMISSION = "ledger_password"
OLD_SUFFIX = ".旧密码.shred"


@dataclass(frozen=True)
class PasswordChange:
    ledger: Path
    tables: int
    rows: int
    backups: list[Path] = field(default_factory=list)  # re-encrypted under the new password
    backups_left: list[Path] = field(default_factory=list)  # could not be read: left under the old one


def new_password_problems(old: str, new: str) -> list[Problem]:
    """What is wrong with the new password (every problem at once; the old one is checked against the file)."""
    problems = [Problem("新密码", p.message) for p in encryption.password_problems(new)]
    if new and new == old:
        problems.append(Problem("新密码", "新密码与当前密码相同"))
    return problems


def check_old_password(path, old: str) -> str:
    """The keyspec the current password gives, checked against the file (``WrongPassword`` otherwise, counted
    for the back-off). Nothing is written."""
    if not sqlite_driver.is_encrypted(path):
        raise ProblemsError([Problem(str(path), "台账没有加密，没有密码可改：请先在「设置 → 台账加密」中加密台账")])
    try:
        return encryption.unlock(path, old or "")
    except encryption.WrongPassword as exc:
        raise encryption.WrongPassword("当前" + exc.problems[0].message, exc.wait_seconds) from None


def change_password(ledger_path, old: str, new: str, *, operator=None, hook=None, progress=None,
                    cancel=None, also=()) -> PasswordChange:
    """Re-encrypt the ledger (and its backups) under ``new``; see the module's steps. ``operator``: the logged-in
    session (``operators.Operator``) — the change needs the ``ledger_password`` right (专干 / 管理员) and is
    written to the audit log under that name. ``progress(done, total)``: files done of the ledger and its
    backups; ``cancel()`` returning True stops it with ``Cancelled`` — before the switch nothing has changed,
    after it the backups not yet done keep the old password. ``also``: more folders whose backups of this ledger
    (``<ledger>.*.bak.db``, the settings' second backup folder) are re-encrypted too, where they can be reached.
    ``hook(stage[, conn])``: for the fault-injection tests."""
    from .files import clean_leftovers, commit_part, part_path
    from .lock import EXCLUSIVE, LockBusy, acquire

    p = Path(ledger_path)
    if not p.exists() or p.stat().st_size == 0:
        raise ProblemsError([Problem(str(p), "台账文件不存在")])
    problems = new_password_problems(old, new)
    if problems:
        raise ProblemsError(problems)
    old_spec = check_old_password(p, old)
    try:
        lock = acquire(p, EXCLUSIVE)
    except LockBusy:
        raise ProblemsError([Problem(str(p), "台账正被其他窗口或程序使用，请先关闭它们再修改密码")]) from None
    try:
        clean_leftovers(p)
        sweep_old_copies(p)
        _require_right(p, operator)
        from . import health

        damage = health.read_mark(p) or health.quick_problems(p)
        if damage:
            raise ProblemsError([Problem(str(p), "台账已损坏，不能修改密码；请先从备份恢复"), *damage])
        old_salt = bytes.fromhex(old_spec)[32:]
        total = 1 + len(_old_backups(p, old_salt, also))
        _step(progress, cancel, 0, total)
        salt = pw.new_salt()
        new_spec = pw.keyspec(pw.derive(new, salt), salt)
        sqlite_driver.checkpoint(p)  # everything in the main file, the -wal empty and gone
        part = part_path(p)
        try:
            counts = reencrypt(p, part, old_spec, new_spec, hook=hook)
            if hook:
                hook("verified")
            _audit(part, new_spec, operator)
            if hook:
                hook("audited")
            _step(None, cancel, 0, total)  # the last moment a 取消 leaves everything as it was
        except (*sqlite_driver.Error, OSError) as exc:
            _remove(part)
            raise _unchanged(p, exc) from None
        except BaseException:
            _remove(part)
            raise
        old_copy = p.with_name(p.name + OLD_SUFFIX)
        _link(p, old_copy)
        for suffix in ("-wal", "-shm"):  # a WAL of the old file must never meet the new one
            Path(str(p) + suffix).unlink(missing_ok=True)
        try:
            commit_part(part, p)  # the one step that switches: os.replace, then the folder is fsynced
        except OSError as exc:  # not switched (the rename is the switch): the old ledger stands
            _remove(part)
            if _same_file(old_copy, p):
                old_copy.unlink(missing_ok=True)
            raise _unchanged(p, exc) from None
        sqlite_driver.remember(new_spec)
        if hook:
            hook("swapped")
        try:
            encryption._fail_path(p).unlink(missing_ok=True)
        except OSError:
            pass
        if old_copy.exists() and not _same_file(old_copy, p):
            encryption.shred(old_copy)
        _step(progress, None, 1, total)
        done, left = reencrypt_backups(p, old_spec, new_spec, hook=hook, also=also,
                                       each=lambda n: _step(progress, cancel if 1 + n < total else None, 1 + n, total))
        return PasswordChange(p, len(counts), sum(counts.values()), done, left)
    finally:
        lock.release()


def _step(progress, cancel, done: int, total: int) -> None:
    if cancel is not None and cancel():
        raise Cancelled("已取消修改台账密码" + ("（台账已改用新密码，其余备份仍是原密码）" if done else "，台账没有改动"))
    if progress is not None:
        progress(done, total)


def _old_backups(ledger_path: Path, old_salt: bytes, also=()) -> list[Path]:
    """The backups (and kept damaged copies) beside the ledger — and this ledger's backups in the folders
    ``also`` — still under the key with ``old_salt``."""
    from .backup import backup_dir, damaged_dir

    found = []
    for folder, pattern in [(backup_dir(ledger_path), "*.db"), (damaged_dir(ledger_path), "*.db"),
                            *[(Path(f), f"{ledger_path.name}.*.bak.db") for f in also if f]]:
        try:
            found += [f for f in sorted(folder.glob(pattern)) if f.is_file() and f not in found
                      and sqlite_driver.head(f)[:16] == old_salt]
        except OSError:
            continue  # a USB stick not plugged in: its backups keep the old password
    return found


def _unchanged(p: Path, exc: BaseException) -> BaseException:
    """A write of the copy failed (a full disk: SQLite's "database or disk is full", or the OS's ENOSPC): the
    ledger was not touched — said in the clerk's words."""
    from .files import os_error_text

    if isinstance(exc, OSError):
        why = os_error_text(exc)
    elif "full" in str(exc).lower():
        why = "磁盘空间已满，新密码的台账副本没有写成。请清理磁盘后重试"
    else:
        return exc
    return ProblemsError([Problem(str(p), f"{why}（台账没有改动，仍用原密码）")])


def _require_right(p: Path, operator) -> None:
    """专干 / 管理员 only (``operators``), asked of the ledger itself on a read-only connection."""
    from .db import Ledger, connect

    lg = Ledger(p, connect(p, read_only=True), operator)
    try:
        lg.require(PERMISSION)
    finally:
        lg.db.close()


def _audit(part: Path, spec: str, operator) -> None:
    """The audit entry, written into the verified copy (in the ledger exactly when the new password is)."""
    from .db import Ledger, connect

    lg = Ledger(part, connect(part, key=spec), operator)
    try:
        with lg.transaction():
            lg.log("ledger", None, "password", None, {"ledger_password": "已修改（新的台账密码和盐值）"})
    finally:
        lg.db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)


def reencrypt(src: Path, dest: Path, old_spec: str, new_spec: str, *, hook=None) -> dict[str, int]:
    """Write the encrypted SQLite file ``src`` (key ``old_spec``) as a new file ``dest`` under ``new_spec``
    (``sqlcipher_export``: schema, rows, ``user_version``, ``application_id``) and check the copy. Returns every
    table's row count in ``src``. ``dest`` is removed again on any failure (a full disk included)."""
    dest = Path(dest)
    _remove(dest)
    conn = sqlite_driver.connect(str(src), key=old_spec, timeout=30, isolation_level=None)
    try:
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{new_spec}'\"", [str(dest)])
        if hook:
            hook("attached", conn)
        conn.execute("BEGIN")  # one snapshot for the copy and the counts
        counts = sqlite_driver.export_counted(conn)
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE enc")
    except BaseException:
        conn.close()
        _remove(dest)
        raise
    conn.close()
    if hook:
        hook("exported")
    try:
        encryption._verify(dest, new_spec, counts)
    except BaseException:
        _remove(dest)
        raise
    if bytes.fromhex(new_spec)[32:] != sqlite_driver.head(dest)[:16]:
        _remove(dest)
        raise ProblemsError([Problem(str(dest), "新密码的台账副本没有用新的盐值加密，台账没有改动")])
    return counts


def reencrypt_backups(ledger_path: Path, old_spec: str, new_spec: str, *, hook=None, each=None,
                      also=()) -> tuple[list[Path], list[Path]]:
    """Every backup (and kept damaged copy) beside the ledger still under ``old_spec``: re-encrypted under
    ``new_spec``, each through a part file renamed over it, the old bytes overwritten. Returns (done, left):
    a backup that cannot be read or written stays as it is, under the old password. ``each(n)`` after the n-th
    (it may raise ``Cancelled``: the rest keep the old password)."""
    from .files import commit_part, part_path

    done, left = [], []
    for n, f in enumerate(_old_backups(ledger_path, bytes.fromhex(old_spec)[32:], also), 1):
        if not sqlite_driver.is_encrypted(f):
            continue
        part = part_path(f)
        try:
            reencrypt(f, part, old_spec, new_spec)
        except (ProblemsError, *sqlite_driver.Error, OSError):
            _remove(part)
            left.append(f)
            continue
        old_copy = f.with_name(f.name + OLD_SUFFIX)
        try:
            _link(f, old_copy)
            commit_part(part, f)
        except OSError:
            _remove(part)
            left.append(f)
            continue
        if old_copy.exists() and not _same_file(old_copy, f):
            encryption.shred(old_copy)
        done.append(f)
        if hook:
            hook("backup")
        if each is not None:
            each(n)
    return done, left


def sweep_old_copies(ledger_path) -> list[Path]:
    """Overwrite the old-password copies a killed change left (``*.旧密码.shred``) — unless one is still the very
    file it was linked from (killed before the switch): then only the extra name goes."""
    from .backup import backup_dir, damaged_dir

    p = Path(ledger_path)
    removed = []
    for folder in (p.parent, backup_dir(p), damaged_dir(p)):
        for old in sorted(folder.glob(f"*{OLD_SUFFIX}")) if folder.is_dir() else []:
            original = old.with_name(old.name[: -len(OLD_SUFFIX)])
            if _same_file(old, original):
                old.unlink(missing_ok=True)
            else:
                encryption.shred(old)
            removed.append(old)
    return removed


def _link(src: Path, dest: Path) -> None:
    """``dest`` another name of ``src``'s bytes (to overwrite them once the new file is in place); nothing on
    a file system without hard links (FAT), where the old bytes are only unlinked by the rename."""
    dest.unlink(missing_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        pass


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _remove(part: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            Path(str(part) + suffix).unlink(missing_ok=True)
        except OSError:
            pass
