"""The ledger file: where it is, how it is opened (WAL, foreign keys, synchronous=FULL), migrations,
and the ``Ledger`` object that owns the sqlite-utils ``Database`` and its services."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from . import sqlite_driver
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from ..domain.problems import Problem, ProblemsError
from . import schema
from .audit import AuditLog
from .categories import Categories
from .claims import Claims
from .households import Households
from .members import Members
from .open_check import OpenCheck
from .models import now_iso  # noqa: F401 - the ledger's clock, imported from here by bulk writers
from .operators import Operator, Operators
from .payments import Payments
from .settings import SettingsService

DEFAULT_NAME = "ledger.canbao.db"


class LedgerError(ProblemsError):
    """A ledger that cannot be opened or used, with a Chinese message."""

    def __init__(self, message: str, place: str = ""):
        super().__init__([Problem(place, message)])


class LedgerDamaged(ProblemsError):
    """The ledger file is damaged: it takes no more writes; restore from a backup (``canbao restore``)."""

    def __init__(self, path, damage: list[Problem]):
        self.path = Path(path)
        self.damage = list(damage)
        super().__init__([Problem(str(path), "台账文件已损坏，已停止记账（不再收款）。请用备份恢复："
                                             "在窗口中选「恢复…」，或运行 canbao restore"), *self.damage])


CHECKING_MESSAGE = "正在检查台账文件…（打开时的完整性检查，通常不到一秒）：检查完成前不能收款、修改、导入、作废或退费，请稍候再试"


class LedgerChecking(LedgerError):
    """A write while the open-check (``OpenCheck``) has not yet passed: refused, nothing written."""

    def __init__(self, path):
        super().__init__(CHECKING_MESSAGE, str(path))


def default_path() -> Path:
    """``CANBAO_DB`` if set, else ``ledger.canbao.db`` in the user's data folder."""
    env = os.environ.get("CANBAO_DB")
    if env:
        return Path(env)
    from ..paths import data_dir

    return data_dir() / DEFAULT_NAME


def resolve_path(path: str | os.PathLike | None) -> Path:
    """``--db PATH`` wins, then ``CANBAO_DB``, then the data folder."""
    return Path(path) if path else default_path()


def connect(path: str | os.PathLike, read_only: bool = False, key: str | None = None) -> Database:
    """One connection with the ledger's pragmas. Transactions are explicit (``db.atomic()``).
    ``read_only``: for a damaged ledger (reading, checking, restoring); nothing is written, not even the WAL."""
    if read_only:
        conn = sqlite_driver.connect(read_only_uri(path), uri=True, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        conn.create_function("reverse_text", 1, lambda s: s[::-1] if isinstance(s, str) else s, deterministic=True)
        return Database(conn, execute_plugins=False)
    from ..paths import make_ledger_private

    make_ledger_private(path)  # a ledger written before Canbao made its files private (0644) becomes 0600
    conn = sqlite_driver.connect(str(path), key=key, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys=ON")
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise LedgerError(f"无法以 WAL 模式打开台账（当前 {mode}），文件可能在只读位置", str(path))
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    # reverse_text(x): for the id_rev / phone_rev search columns (bulk loaders may use it in SQL)
    conn.create_function("reverse_text", 1, lambda s: s[::-1] if isinstance(s, str) else s, deterministic=True)
    return Database(conn, execute_plugins=False)


def is_ledger_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00" or sqlite_driver.is_encrypted(path)
    except OSError:
        return False


class Ledger:
    """An open ledger. Use as a context manager; services are attributes:

    ``settings``, ``households``, ``members``, ``categories``, ``payments``, ``audit``; functions
    ``search(text)``, ``dues(...)``, ``check()``, ``rollover(...)``.
    """

    def __init__(self, path: Path, db: Database, operator: str | None = None, *, lock=None,
                 damage: list[Problem] | None = None, open_check: OpenCheck | None = None):
        self.path = path
        self.db = db
        self.session: Operator | None = None  # the logged-in operator (app.ledger.operators)
        self.operators = Operators(self)
        if isinstance(operator, Operator):  # a session logged in on another connection
            self.operators.resume(operator)
            operator = None
        self._operator = operator
        self.settings = SettingsService(self)
        self.households = Households(self)
        self.members = Members(self)
        self.categories = Categories(self)
        self.payments = Payments(self)
        self.audit = AuditLog(self)
        self.claims = Claims(self)
        self.lock = lock  # the shared ledger lock (app.ledger.lock), released by close()
        self.damage = list(damage or [])  # non-empty: opened read-only because the file is damaged
        self.open_check = open_check  # the quick_check still running or not yet looked at (None: passed)
        if open_check is not None:
            open_check.when_done(self._check_over)
        self.journal = None  # the receipt journal (app.ledger.journal), set by open_ledger
        self._identity = _file_identity(path)

    # -- who is working
    @property
    def operator(self) -> str:
        """The logged-in operator's name; on a ledger without operators (made before they existed) the
        name given when opening it, else the first in the settings, else the computer's user."""
        if self.session is not None:
            return self.session.name
        if self._operator:
            return self._operator
        ops = self.settings.get().operators if self.settings.initialized() else ()
        if ops:
            return ops[0]
        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name on this machine
            return "未知操作员"

    @operator.setter
    def operator(self, name: str | None) -> None:
        self._operator = name

    def actor(self, claimed: str | None = None) -> str:
        """Who an entry is written by: the logged-in operator, whatever name a caller passes; a caller's name
        only on a ledger that has no operators yet."""
        if self.session is not None:
            return self.session.name
        return (claimed or self.operator).strip()

    def require(self, permission: str) -> None:
        """Refuse unless the logged-in operator may do this (see ``app.ledger.operators``)."""
        self.operators.require(permission)

    # -- transactions and audit
    @contextmanager
    def transaction(self, *, after_check: bool = False) -> Iterator[Database]:
        """One transaction for a whole write (``BEGIN IMMEDIATE``: the write lock is taken first, so checks
        made inside it still hold at commit); nested uses become savepoints. Refused while the open-check runs
        (``LedgerChecking``) — or, ``after_check=True`` (the login's counters), after waiting for it."""
        if after_check and self.open_check is not None:
            self.open_check.wait()
        if self.damage:
            raise LedgerDamaged(self.path, self.damage)
        self._require_checked()
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except sqlite_driver.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._damaged_by(exc)
            raise
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                self._still_there()
                from .place_totals import refresh

                refresh(self)  # stored progress totals in step with this write, in its transaction
                written = self._journal_receipts()  # the journal is written before the receipts it names commit
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            self._journal_committed(written)
            self._saved_after_commit()

    def _check_over(self, damage: list[Problem] | None) -> None:
        if damage:  # from here on read-only, as a ledger found damaged at open
            self.damage = list(damage)

    @property
    def checking(self) -> bool:
        """The open-check (``OpenCheck``) is still running: reads yes, writes not yet."""
        return self.open_check is not None and self.open_check.pending

    @property
    def passed(self) -> bool:
        """The open-check is over and found nothing (or the file was checked before it opened)."""
        check = self.open_check
        return check is None or (not check.pending and check.damage == [])

    def _require_checked(self) -> None:
        """No write before the open-check has passed: ``LedgerChecking`` while it runs, ``LedgerDamaged`` if it
        found damage (or could not look)."""
        check = self.open_check
        if check is None:
            return
        if check.pending:
            raise LedgerChecking(self.path)
        if check.damage is None or check.damage:
            self.damage = list(check.damage or [Problem(str(self.path), "台账文件的检查没有完成")])
            raise LedgerDamaged(self.path, self.damage)
        self.open_check = None

    def _saved_after_commit(self) -> None:
        """The file vanished between the check and the commit: the commit went into the deleted file, so save
        everything this connection sees; then no more writes."""
        if self._identity is None or _file_identity(self.path) == self._identity:
            return
        saved = self._rescue()
        self.damage = [Problem(str(self.path), "台账文件在使用中被删除或替换")]
        if saved is None:
            raise LedgerError("台账文件在使用中被删除了，未能救回最近的记录，请立即联系技术人员", str(self.path))

    def _damaged_by(self, exc: sqlite_driver.DatabaseError) -> None:
        """SQLite found the file damaged in the middle of a write: mark it (no more payments, here or in any
        other window) and say so."""
        text = str(exc)
        if not any(w in text for w in ("malformed", "not a database", "corrupt")):
            return
        from . import health

        self.damage = [Problem(str(self.path), f"台账文件已损坏（{text}）")]
        health.write_mark(self.path, self.damage)
        raise LedgerDamaged(self.path, self.damage) from exc

    def _still_there(self) -> None:
        """Refuse to commit into a file that was deleted or replaced while open (its writes would vanish with
        it): save what this connection still sees (``_rescue``) and stop."""
        now = _file_identity(self.path)
        if self._identity is None or now == self._identity:
            return
        self.db.conn.execute("ROLLBACK")
        saved = self._rescue()
        self.damage = [Problem(str(self.path), "台账文件在使用中被删除或替换")]
        where = f"已把删除前的全部记录救回到：{saved}" if saved else "未能救回删除前的记录"
        raise LedgerError(f"台账文件在使用中被删除或替换了，本次没有保存。{where}。请重新打开台账", str(self.path))

    def _rescue(self) -> Path | None:
        from .files import atomic_path

        target = self.path if not self.path.exists() else self.path.with_name(
            f"{self.path.name}.{dt.datetime.now():%Y%m%d-%H%M%S}.rescued.db")
        try:
            with atomic_path(target) as part:
                out = sqlite_driver.connect(str(part), key=sqlite_driver.key_of(self.db.conn))
                try:
                    self.db.conn.backup(out)
                    out.execute("PRAGMA journal_mode=DELETE")
                finally:
                    out.close()
            return target
        except (OSError, sqlite_driver.Error):
            return None

    def _journal_receipts(self) -> list[dict]:
        """Write the receipts this transaction issues to the journal (before COMMIT); returns what was written."""
        if self.journal is None:
            return []
        from .journal import new_records

        if not new_records(self.db, self.journal.state.high):
            return []
        try:
            self.journal.read()
            records = new_records(self.db, self.journal.state.high)
            self.journal.append(records)
            return records
        except OSError as exc:
            from .files import os_error_text

            raise LedgerError(f"无法写入票据日志 {self.journal.path}，本次未保存：{os_error_text(exc)}",
                              str(self.journal.path)) from None

    def _journal_committed(self, written: list[dict]) -> None:
        """After COMMIT: mark the journal's numbers as committed. If this mark cannot be written the payment
        still stands (it is in the ledger); only a later restore of an older copy loses the mark's help."""
        if not written or self.journal is None:
            return
        from .journal import commit_records

        try:
            self.journal.append(commit_records(written))
        except OSError:
            pass

    def log(self, entity: str, entity_id: int | None, action: str, before: dict | None, after: dict | None, *,
            household_id: int | None = None, member_id: int | None = None, operator: str | None = None) -> None:
        """Append to the audit table (the next link of its hash chain); call inside the write's transaction."""
        from .audit import chain_hash
        from .ids import BLOCK, station_number

        low = station_number(self.db) * BLOCK  # each station chains its own block of ids (app.ledger.ids)
        last = self.db.execute("SELECT id, hash FROM audit WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1",
                               [low, low + BLOCK]).fetchone()
        row = [(last[0] if last else low) + 1, now_iso(), self.actor(operator), entity, entity_id, household_id,
               member_id, action, _json(before), _json(after)]
        self.db.execute(
            "INSERT INTO audit (id, ts, operator, entity, entity_id, household_id, member_id, action, before, after,"
            " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row, chain_hash((last[1] or "") if last else "", row)])

    # -- convenience functions
    def search(self, text: str, limit: int = 50):
        from .search import search

        return search(self, text, limit=limit)

    def dues(self, **kwargs):
        from .dues import year_dues

        return year_dues(self, **kwargs)

    def check(self, progress=None, cancel=None):
        from .check import check_ledger

        return check_ledger(self, progress, cancel)

    def rollover(self, new_path, policy_id: str, **kwargs):
        from .rollover import rollover

        return rollover(self, new_path, policy_id, **kwargs)

    def policy(self):
        """The campaign's policy (cached by the catalog)."""
        from ..policy_catalog import get_policy

        return get_policy(self.settings.get().policy_id)

    # -- lifetime
    def close(self) -> None:
        if self.open_check is not None:
            self.open_check.stop()  # before the ledger's lock goes: a restore may replace the file after
        try:
            if not self.damage and self.passed:
                self.db.execute("PRAGMA optimize")
        except sqlite_driver.Error:
            pass
        try:
            self.db.close()
        finally:
            if self.lock is not None:
                self.lock.release()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _json(value: dict | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _file_identity(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return ("missing",)
    return (st.st_dev, st.st_ino) if st.st_ino else None  # no inode numbers (some Windows drives): not checked


def read_only_uri(path) -> str:
    """A read-only SQLite URI that survives Windows drive letters, spaces, Chinese names, '?' and '#'."""
    return Path(path).resolve().as_uri() + "?mode=ro"


def open_ledger(path: str | os.PathLike | None = None, *, create: bool = False, backup: bool = True,
                operator=None, keep_backups: int | None = None,
                backup_interval: float | None = None, damaged_ok: bool = False, reconcile: bool = True,
                key: str | None = None, check_later: bool = False) -> Ledger:
    """Open (or with ``create=True`` create) a ledger file and bring its schema up to date.

    ``operator`` is a session (``operators.Operator``) logged in elsewhere in this process, carried over; or,
    for a ledger with no operators yet, a name.

    Every open takes the ledger's shared lock (``app.ledger.lock``: a restore waits for nobody and is refused
    while anyone has the ledger open), removes leftovers of killed writes, and looks at the file
    (``health.inspect``): a damaged ledger raises ``LedgerDamaged`` — or, with ``damaged_ok=True`` (check,
    restore preview, read-only views), opens read-only and refuses every write. Then a rotating backup is made
    (``backup=False`` to skip; see ``backup.backup_on_open``), and the receipt journal is read: numbers it holds
    above the ledger's counters are never issued again (``receipts.reconcile``; the restore passes
    ``reconcile=False`` to record its own, better described list first).

    ``check_later=True`` (the window): only the mark, the header and the size are looked at before it opens;
    ``quick_check`` runs on a worker (``OpenCheck``, ``Ledger.open_check``) and every write is refused until it
    has passed. A ledger that needs migrations is checked first all the same (migrating writes).

    An encrypted ledger needs its key in this process first (``encryption.unlock``; else
    ``encryption.PasswordRequired``); ``key`` (``encryption.new_key``) creates a new ledger encrypted.
    """
    from . import health
    from .files import clean_leftovers
    from .lock import SHARED, LockBusy, acquire

    p = resolve_path(path)
    exists = p.exists() and p.stat().st_size > 0
    if not exists and not create:
        raise LedgerError(f"台账文件不存在：{p}（先用 canbao ledger init 建立，或用 --db 指定）", str(p))
    if exists and not is_ledger_file(p) and not health.has_ledger_traces(p):
        raise LedgerError(f"不是台账文件（不是 SQLite 数据库）：{p}", str(p))
    if exists:
        from .encryption import require_key

        require_key(p)  # an encrypted ledger not unlocked in this process: PasswordRequired
    try:
        lock = acquire(p, SHARED)
    except LockBusy:
        raise LedgerError(f"台账正在从备份恢复，请稍后再打开：{p}", str(p)) from None
    except OSError as exc:
        from .files import os_error_text

        raise LedgerError(f"无法打开台账：{p}（{os_error_text(exc)}）", str(p)) from None
    check = None
    try:
        clean_leftovers(p)
        later = check_later and exists
        damage = health.inspect(p, pages=not later) if exists else []
        if damage and not damaged_ok:
            raise LedgerDamaged(p, damage)
        check = OpenCheck(p).start() if later and not damage else None
        if exists and backup and not damage:
            from .backup import DEFAULT_KEEP, DEFAULT_MIN_INTERVAL, backup_on_open

            backup_on_open(p, keep=keep_backups or DEFAULT_KEEP,
                           min_interval=DEFAULT_MIN_INTERVAL if backup_interval is None else backup_interval)
        if not exists:
            p.parent.mkdir(parents=True, exist_ok=True)
        db = None
        try:
            db = connect(p, read_only=bool(damage), key=None if exists else key)
            if check is not None and list(schema.MIGRATIONS.pending(db)):
                damage = _checked_now(check)  # migrations write: only into a file known sound
                check = None
                if damage:
                    db.close()
                    if not damaged_ok:
                        raise LedgerDamaged(p, damage)
                    db = connect(p, read_only=True)
            if not damage:
                schema.migrate(db)
        except sqlite_driver.DatabaseError as exc:
            if db is not None:
                db.close()
            if check is not None:
                damage = _checked_now(check)
            if damage:
                raise LedgerDamaged(p, damage) from None
            raise LedgerError(f"无法打开台账：{p}（{exc}）", str(p)) from None
        ledger = Ledger(p, db, operator, lock=lock, damage=damage, open_check=check)
    except BaseException:
        if check is not None:
            check.stop()
        lock.release()
        raise
    if not damage:
        try:
            from .receipts import attach_journal

            try:
                attach_journal(ledger, reconcile_now=reconcile, created=not exists)
            except LedgerChecking:  # the journal has numbers to record: after the check, as any write
                ledger.open_check.wait()
                attach_journal(ledger, reconcile_now=reconcile, created=not exists)
        except BaseException:
            ledger.close()
            raise
    return ledger


def _checked_now(check: OpenCheck) -> list[Problem]:
    """Wait for an open-check and return its damage (a check that could not finish counts as damage)."""
    check.wait()
    if check.damage is None:
        return [Problem(str(check.path), "台账文件的检查没有完成")]
    return check.damage
