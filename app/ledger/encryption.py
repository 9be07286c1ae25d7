"""Encryption at rest (issue 14, docs/encryption-at-rest.md): unlocking an encrypted ledger with its
password, the back-off after wrong passwords, and converting a plaintext ledger (and its backups) in place.

A ledger is encrypted with SQLCipher 4 (AES-256, HMAC per page) under a key derived once from the password
(``app.ledger.password``). ``unlock`` checks a password against the file and hands the key to
``sqlite_driver.remember``; from then on every connection in the process (worker threads, readers, backups,
restore previews) opens the ledger's files with the raw key.

Wrong passwords are counted in ``<ledger>.pwfail`` beside the file (it cannot live inside the encrypted file):
after ``BACKOFF_AFTER`` misses in a row each try waits, doubling. Nothing is written to the ledger by a wrong
password.

Converting (``encrypt_in_place``): ``sqlcipher_export`` of the plaintext into ``<ledger>.<pid>.part``, the
copy verified (``integrity_check``, every table's row count), the plaintext kept as
``<ledger>.明文备份.db`` and the copy renamed over the ledger. A process killed at any moment leaves either the
old or the new ledger in place (a part of a dead process is removed by the next open). ``finish_conversion``
(after the user confirmed that the encrypted ledger opens) overwrites and removes the plaintext copy and
encrypts the old backups, each the same way.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from . import password as pw
from . import sqlite_driver

BACKOFF_AFTER = 3  # wrong passwords in a row before each try must wait
BACKOFF_SECONDS = 10  # then 10 s, 20 s, 40 s … (at most an hour)
PLAINTEXT_KEPT = ".明文备份.db"


class PasswordRequired(ProblemsError):
    """The ledger is encrypted and this process does not hold its key: ask for the password (``unlock``)."""

    def __init__(self, path):
        self.path = Path(path)
        super().__init__([Problem(str(path), f"台账已加密，需要台账密码：请在终端中运行以输入密码，或设置环境变量 {pw.ENV}"
                                             "（窗口中打开时会询问）")])


class WrongPassword(ProblemsError):
    """``密码不正确`` (or too many tries: ``wait_seconds`` says how long to wait)."""

    def __init__(self, message: str, wait_seconds: int = 0):
        self.wait_seconds = wait_seconds
        super().__init__([Problem("台账密码", message)])


# ---------------------------------------------------------------------------- unlocking
def is_encrypted(path) -> bool:
    return sqlite_driver.is_encrypted(path)


def needs_password(path) -> bool:
    """An encrypted ledger whose key this process does not hold yet."""
    return sqlite_driver.is_encrypted(path) and sqlite_driver.known_key(path) is None


def require_key(path) -> None:
    if needs_password(path):
        raise PasswordRequired(path)


def _fail_path(path) -> Path:
    p = Path(path)
    return p.with_name(p.name + ".pwfail")


def _failures(path) -> tuple[int, float]:
    try:
        data = json.loads(_fail_path(path).read_text(encoding="utf-8"))
        return int(data.get("failures", 0)), float(data.get("until", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0, 0.0


def _record_failure(path) -> int:
    failures, _ = _failures(path)
    failures += 1
    wait = min(BACKOFF_SECONDS * 2 ** (failures - BACKOFF_AFTER), 3600) if failures >= BACKOFF_AFTER else 0
    try:
        from ..paths import make_private

        _fail_path(path).write_text(json.dumps({"failures": failures, "until": time.time() + wait}),
                                    encoding="utf-8")
        make_private(_fail_path(path))
    except OSError:
        pass  # a read-only folder: the wait still applies to this try
    return wait


def wait_seconds(path) -> int:
    """How long before the next try is allowed (0: now)."""
    _, until = _failures(path)
    return max(0, int(until - time.time() + 0.999))


def _try_key(path: Path, spec: str) -> bool:
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite_driver.connect(uri, key=spec, uri=True, timeout=30)
    except sqlite_driver.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite_driver.DatabaseError as exc:
        if "not a database" in str(exc):
            return False
        raise
    finally:
        conn.close()


def key_for(path, password: str) -> str:
    """The keyspec a password gives for this file (the slow derivation; does not check it)."""
    salt = sqlite_driver.salt_of(path)
    if salt is None:
        raise ProblemsError([Problem(str(path), "台账没有加密，不需要密码")])
    recovered = pw.parse_recovery(password)
    if recovered is not None and bytes.fromhex(recovered)[32:] == salt:
        return recovered  # the recovery key from the printed sheet
    return pw.keyspec(pw.derive(password, salt), salt)


def unlock(path, password: str) -> str:
    """Check the ledger password (or the recovery key) against the file; on success this process holds the
    key (every later connection to the ledger and its backups uses it). ``WrongPassword`` otherwise; after
    repeated misses, tries are refused until a wait is over. Nothing is written to the ledger."""
    path = Path(path)
    if not sqlite_driver.is_encrypted(path):
        return ""
    wait = wait_seconds(path)
    if wait:
        raise WrongPassword(f"密码错误次数过多，请 {wait} 秒后再试", wait)
    spec = key_for(path, password or "")
    if not _try_key(path, spec):
        wait = _record_failure(path)
        failures, _ = _failures(path)
        left = BACKOFF_AFTER - failures
        raise WrongPassword("密码不正确" + (f"，请 {wait} 秒后再试" if wait else
                                         f"（再错 {left} 次须等待后再试）" if 0 < left <= 2 else ""), wait)
    try:
        _fail_path(path).unlink(missing_ok=True)
    except OSError:
        pass
    sqlite_driver.remember(spec)
    return spec


def unlock_from_env_or_prompt(path, prompt=None) -> None:
    """The CLI's way in: ``CANBAO_LEDGER_PASSWORD``, else ask on the terminal (``prompt``: a getpass-like
    function). Raises ``PasswordRequired`` when neither is available, ``WrongPassword`` for a wrong one."""
    if not needs_password(path):
        return
    secret = os.environ.get(pw.ENV)
    if secret is None:
        if prompt is None:
            raise PasswordRequired(path)
        secret = prompt(f"台账密码（{Path(path).name}）：")
    unlock(path, secret)


def new_key(password: str) -> str:
    """The key for a new encrypted ledger (fresh salt); held by this process."""
    problems = password_problems(password)
    if problems:
        raise ProblemsError(problems)
    salt = pw.new_salt()
    spec = pw.keyspec(pw.derive(password, salt), salt)
    sqlite_driver.remember(spec)
    return spec


def password_problems(password: str) -> list[Problem]:
    s = pw.strength(password)
    return [] if s.acceptable else [Problem("台账密码", "；".join(s.advice))]


# ---------------------------------------------------------------------------- converting in place
@dataclass(frozen=True)
class Conversion:
    ledger: Path
    plaintext_kept: Path
    tables: int
    rows: int


def plaintext_kept_path(ledger_path) -> Path:
    p = Path(ledger_path)
    return p.with_name(p.name + PLAINTEXT_KEPT)


def pending_conversion(ledger_path) -> Path | None:
    """The plaintext copy kept by a conversion not yet confirmed (``finish_conversion``), or None."""
    kept = plaintext_kept_path(ledger_path)
    return kept if kept.exists() else None


def _counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _verify(part: Path, spec: str, expected: dict[str, int]) -> None:
    conn = sqlite_driver.connect(Path(part).resolve().as_uri() + "?mode=ro", key=spec, uri=True)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
        if result != ["ok"]:
            raise ProblemsError([Problem(str(part), "加密副本完整性检查未通过：" + "；".join(result[:3]))])
        got = _counts(conn)
    finally:
        conn.close()
    if got != expected:
        diff = [f"{t}: {expected.get(t)} → {got.get(t)}" for t in sorted(set(got) | set(expected))
                if got.get(t) != expected.get(t)]
        raise ProblemsError([Problem(str(part), "加密副本的行数与原台账不一致：" + "；".join(diff[:5]))])


def encrypt_file(src: Path, dest: Path, spec: str, *, hook=None) -> dict[str, int]:
    """Write an encrypted, verified copy of the plaintext SQLite file ``src`` at ``dest`` (through a part
    file: ``dest`` appears whole or not at all). Returns the row counts it was checked against."""
    from .files import atomic_path

    with atomic_path(dest) as part:
        counts = sqlite_driver.export_encrypted(src, part, spec)
        if hook:
            hook("exported")
        _verify(part, spec, counts)
        if hook:
            hook("verified")
    return counts


def encrypt_in_place(ledger_path, password: str | None = None, *, key: str | None = None, hook=None) -> Conversion:
    """Convert a plaintext ledger to an encrypted one under ``password`` (or an already derived ``key``).
    Needs the ledger closed everywhere (an exclusive lock, as a restore). The plaintext is kept beside it
    until ``finish_conversion``. ``hook(stage)``: for the fault-injection tests."""
    from .files import clean_leftovers, commit_part, fsync_dir, part_path
    from .lock import EXCLUSIVE, LockBusy, acquire

    p = Path(ledger_path)
    if not p.exists() or p.stat().st_size == 0:
        raise ProblemsError([Problem(str(p), "台账文件不存在")])
    if sqlite_driver.is_encrypted(p):
        raise ProblemsError([Problem(str(p), "台账已经加密了")])
    spec = key or new_key(password or "")
    try:
        lock = acquire(p, EXCLUSIVE)
    except LockBusy:
        raise ProblemsError([Problem(str(p), "台账正被其他窗口或程序使用，请先关闭它们再加密")]) from None
    try:
        clean_leftovers(p)
        from . import health

        damage = health.read_mark(p) or health.quick_problems(p)
        if damage:
            raise ProblemsError([Problem(str(p), "台账已损坏，不能加密；请先从备份恢复"), *damage])
        sqlite_driver.checkpoint(p)  # everything in the main file, the -wal empty and gone
        part = part_path(p)
        counts = sqlite_driver.export_encrypted(p, part, spec)
        if hook:
            hook("exported")
        _verify(part, spec, counts)
        if hook:
            hook("verified")
        kept = plaintext_kept_path(p)
        _copy_durably(p, kept)
        if hook:
            hook("kept")
        commit_part(part, p)  # the one step that switches: os.replace, then the folder is fsynced
        fsync_dir(p.parent)
        if hook:
            hook("swapped")
        sqlite_driver.remember(spec)
        return Conversion(p, kept, len(counts), sum(counts.values()))
    finally:
        lock.release()


def _copy_durably(src: Path, dest: Path) -> None:
    """``dest`` the same bytes as ``src``: a hard link where the file system has them (so overwriting the
    kept copy later overwrites the plaintext ledger's own blocks), else a copy written through a part file."""
    import shutil

    from .files import atomic_path, fsync_dir

    dest.unlink(missing_ok=True)  # a copy left by an earlier attempt that was killed (never shredded here:
    try:                          # it may be a link to the plaintext ledger still in use)
        os.link(src, dest)
        fsync_dir(dest.parent)
        return
    except OSError:
        pass
    with atomic_path(dest) as part:
        shutil.copyfile(src, part)


def finish_conversion(ledger_path, *, hook=None) -> list[Path]:
    """After the user saw the encrypted ledger open: overwrite and remove the plaintext copy, and encrypt every
    plaintext backup of the ledger (each verified before its plaintext is overwritten). Returns the backups
    encrypted. Needs the ledger's key in this process."""
    from .backup import backup_dir, damaged_dir

    p = Path(ledger_path)
    spec = sqlite_driver.known_key(p)
    if spec is None:
        raise PasswordRequired(p)
    done = []
    for folder in (backup_dir(p), damaged_dir(p)):
        for old in sorted(folder.glob("*.shred")) if folder.is_dir() else []:
            shred(old)  # left by a process killed between the swap and the overwrite
        for f in sorted(folder.glob("*.db")) if folder.is_dir() else []:
            if sqlite_driver.is_encrypted(f) or not _is_plain_sqlite(f):
                continue
            try:
                encrypt_file(f, f.with_name(f.name + ".enc"), spec, hook=hook)
            except (ProblemsError, sqlite_driver.Error):
                continue  # an unreadable old backup stays as it is (the check reports it)
            _replace_shredding(f.with_name(f.name + ".enc"), f)
            done.append(f)
    kept = pending_conversion(p)
    if kept is not None and sqlite_driver.is_encrypted(p) and not _same_file(kept, p):
        shred(kept)
    return done


def _replace_shredding(new: Path, target: Path) -> None:
    """Rename ``new`` over ``target`` atomically, then overwrite the old ``target``'s bytes: the old file is
    first linked as ``<target>.shred`` (the next ``finish_conversion`` finishes one left by a killed process)."""
    old = target.with_name(target.name + ".shred")
    try:
        os.link(target, old)
    except OSError:
        old = None  # no hard links here (FAT): the old bytes are only unlinked
    os.replace(new, target)
    if old is not None:
        shred(old)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_plain_sqlite(path: Path) -> bool:
    return sqlite_driver.head(path)[:16] == sqlite_driver.SQLITE_HEADER


def shred(path: Path) -> None:
    """Overwrite a file with zeros (where the file system keeps it in place) and remove it."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            block = b"\0" * (1 << 20)
            left = size
            while left > 0:
                n = min(left, len(block))
                fh.write(block[:n])
                left -= n
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(str(path) + suffix).unlink(missing_ok=True)
        except OSError:
            pass
