"""The ledger file: where it is, how it is opened (WAL, foreign keys, synchronous=FULL), migrations,
and the ``Ledger`` object that owns the sqlite-utils ``Database`` and its services."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from ..domain.problems import Problem, ProblemsError
from . import schema

DEFAULT_NAME = "ledger.canbao.db"


class LedgerError(ProblemsError):
    """A ledger that cannot be opened or used, with a Chinese message."""

    def __init__(self, message: str, place: str = ""):
        super().__init__([Problem(place, message)])


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


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def connect(path: str | os.PathLike) -> Database:
    """One connection with the ledger's pragmas. Transactions are explicit (``db.atomic()``)."""
    from ..paths import make_ledger_private

    make_ledger_private(path)  # a ledger written before Canbao made its files private (0644) becomes 0600
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
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
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


class Ledger:
    """An open ledger. Use as a context manager; services are attributes:

    ``settings``, ``households``, ``members``, ``categories``, ``payments``, ``audit``; functions
    ``search(text)``, ``dues(...)``, ``check()``, ``rollover(...)``.
    """

    def __init__(self, path: Path, db: Database, operator: str | None = None):
        from .audit import AuditLog
        from .categories import Categories
        from .claims import Claims
        from .households import Households
        from .members import Members
        from .operators import Operator, Operators
        from .payments import Payments
        from .settings import SettingsService

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
    def transaction(self) -> Iterator[Database]:
        """One transaction for a whole write (``BEGIN IMMEDIATE``: the write lock is taken first, so checks
        made inside it still hold at commit); nested uses become savepoints."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def log(self, entity: str, entity_id: int | None, action: str, before: dict | None, after: dict | None, *,
            household_id: int | None = None, member_id: int | None = None, operator: str | None = None) -> None:
        """Append to the audit table; call inside the write's transaction."""
        self.db.execute(
            "INSERT INTO audit (ts, operator, entity, entity_id, household_id, member_id, action, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [now_iso(), self.actor(operator), entity, entity_id, household_id, member_id, action,
             _json(before), _json(after)])

    # -- convenience functions
    def search(self, text: str, limit: int = 50):
        from .search import search

        return search(self, text, limit=limit)

    def dues(self, **kwargs):
        from .dues import year_dues

        return year_dues(self, **kwargs)

    def check(self, progress=None):
        from .check import check_ledger

        return check_ledger(self, progress)

    def rollover(self, new_path, policy_id: str, **kwargs):
        from .rollover import rollover

        return rollover(self, new_path, policy_id, **kwargs)

    def policy(self):
        """The campaign's policy (cached by the catalog)."""
        from ..policy_catalog import get_policy

        return get_policy(self.settings.get().policy_id)

    # -- lifetime
    def close(self) -> None:
        try:
            self.db.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _json(value: dict | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def read_only_uri(path) -> str:
    """A read-only SQLite URI that survives Windows drive letters, spaces, Chinese names, '?' and '#'."""
    return Path(path).resolve().as_uri() + "?mode=ro"


def open_ledger(path: str | os.PathLike | None = None, *, create: bool = False, backup: bool = True,
                operator=None, keep_backups: int | None = None,
                backup_interval: float | None = None) -> Ledger:
    """Open (or with ``create=True`` create) a ledger file and bring its schema up to date.

    ``operator`` is a session (``operators.Operator``) logged in elsewhere in this process, carried over; or,
    for a ledger with no operators yet, a name.

    A rotating backup is made first when an existing ledger is opened (``backup=False`` to skip; see
    ``backup.backup_on_open`` for when it is skipped as unneeded).
    """
    p = resolve_path(path)
    exists = p.exists() and p.stat().st_size > 0
    if not exists and not create:
        raise LedgerError(f"台账文件不存在：{p}（先用 canbao ledger init 建立，或用 --db 指定）", str(p))
    if exists and not is_ledger_file(p):
        raise LedgerError(f"不是台账文件（不是 SQLite 数据库）：{p}", str(p))
    if exists and backup:
        from .backup import DEFAULT_KEEP, DEFAULT_MIN_INTERVAL, backup_on_open

        backup_on_open(p, keep=keep_backups or DEFAULT_KEEP,
                       min_interval=DEFAULT_MIN_INTERVAL if backup_interval is None else backup_interval)
    if not exists:
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = connect(p)
        schema.migrate(db)
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"无法打开台账：{p}（{exc}）", str(p)) from None
    return Ledger(p, db, operator)
