"""The ledger's operators: who may work in it, in which role, and who is working now.

Each operator has a name, a role and a PIN (or password) stored only as a slow salted hash (scrypt, a
salt per operator). The window and the CLI log an operator in (``login``); from then on every audit entry
and payment carries that operator's name — never a name typed on the command line — and every service that
changes something asks ``ledger.require(permission)``, here, in one place.

Roles (``ROLES``): 网格员 finds people, records members and households, takes payments and prints;
专干 and 管理员 also void, refund, import, restore, roll over, change the policy and settings, see full ID
numbers and phones, and manage operators.

A ledger made before operators existed has none: the first login creates the first 管理员 (``sign_in``),
so nobody is locked out. Until then the ledger is open (``require`` lets everything through), as it was.
Repeated wrong PINs make the operator wait (``BACKOFF_AFTER`` failures, then a doubling wait).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.problems import Problem, ProblemsError
from .models import Change

if TYPE_CHECKING:
    from .db import Ledger

GRID_WORKER, CLERK, ADMIN = "网格员", "专干", "管理员"
ROLES = (GRID_WORKER, CLERK, ADMIN)

# permission -> what it lets one do (for messages)
PERMISSIONS = {
    "find": "查找人员", "record": "登记户和人员", "pay": "收费", "print": "打印",
    "void": "作废票据", "refund": "办理退费", "import": "导入名单", "restore": "从备份恢复",
    "rollover": "结转下一年度", "policies": "修改政策和台账设置", "reveal": "查看完整证件号码和电话",
    "operators": "管理操作员", "sync": "导入交换包、处理冲突", "duplicates": "判定重复参保（非重复，或保留一处）",
    "ledger_password": "修改台账密码",
}
_GRID = frozenset({"find", "record", "pay", "print"})
ROLE_PERMISSIONS = {GRID_WORKER: _GRID, CLERK: frozenset(PERMISSIONS), ADMIN: frozenset(PERMISSIONS)}

MIN_PIN = 4
BACKOFF_AFTER = 5  # wrong PINs in a row before the operator must wait
BACKOFF_SECONDS = 30  # then 30 s, 60 s, 120 s … (at most an hour)

# scrypt: 16 MiB and ~50 ms per try on an old laptop; the parameters are stored with each hash
_N, _R, _P = 2 ** 14, 8, 1


@dataclass(frozen=True, slots=True)
class Operator:
    """A logged-in (or listed) operator. A session is one of these, set on the ``Ledger`` by ``login``."""

    id: int
    name: str
    role: str
    disabled: bool = False

    def can(self, permission: str) -> bool:
        return not self.disabled and permission in ROLE_PERMISSIONS.get(self.role, frozenset())


class PermissionDenied(ProblemsError):
    """The logged-in operator's role does not allow this (or nobody is logged in)."""

    def __init__(self, message: str):
        super().__init__([Problem("操作员", message)])


class LoginFailed(ProblemsError):
    """Unknown operator, wrong PIN, or too many wrong PINs (then ``wait_seconds`` says how long)."""

    def __init__(self, message: str, wait_seconds: int = 0):
        self.wait_seconds = wait_seconds
        super().__init__([Problem("登录", message)])


# ---------------------------------------------------------------------------- hashing
def hash_pin(pin: str, *, salt: bytes | None = None, n: int = _N, r: int = _R, p: int = _P) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex): the only form a PIN is ever stored in."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        again = hash_pin(pin, salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(again, stored)


def pin_problems(pin: str) -> list[Problem]:
    pin = pin or ""
    if len(pin) < MIN_PIN:
        return [Problem("口令", f"口令至少 {MIN_PIN} 位")]
    if len(set(pin)) == 1:
        return [Problem("口令", "口令不能是同一个字符重复")]
    return []


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# ---------------------------------------------------------------------------- the service
class Operators:
    """``ledger.operators``: list, add, change PIN or role, disable; ``login``; ``require``."""

    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    # -- reads
    def list(self, include_disabled: bool = False) -> list[Operator]:
        sql = "SELECT id, name, role, disabled_at IS NOT NULL FROM operators"
        if not include_disabled:
            sql += " WHERE disabled_at IS NULL"
        return [Operator(i, n, r, bool(d)) for i, n, r, d in self._l.db.execute(sql + " ORDER BY id")]

    def get(self, name: str) -> Operator | None:
        for i, n, r, d in self._l.db.execute("SELECT id, name, role, disabled_at IS NOT NULL FROM operators"
                                             " WHERE name = ?", [(name or "").strip()]):
            return Operator(i, n, r, bool(d))
        return None

    def any(self) -> bool:
        """Does this ledger have operators at all (else it is open, as ledgers were before operators)?"""
        return self._l.db.execute("SELECT 1 FROM operators WHERE disabled_at IS NULL LIMIT 1").fetchone() is not None

    # -- who is working
    def login(self, name: str, pin: str) -> Operator:
        """Check the PIN; on success the ledger's session is this operator. Wrong PINs are counted."""
        name = (name or "").strip()
        row = self._l.db.execute("SELECT id, name, role, secret, disabled_at, failures, locked_until FROM operators "
                                 "WHERE name = ?", [name]).fetchone()
        if row is None or row[4] is not None:
            raise LoginFailed(f"没有名为「{name}」的操作员（或已停用）")
        oid, name, role, secret, _, failures, locked_until = row
        if locked_until:
            wait = int((dt.datetime.fromisoformat(locked_until) - _now()).total_seconds()) + 1
            if wait > 0:
                raise LoginFailed(f"口令错误次数过多，请 {wait} 秒后再试", wait)
        if not check_pin(pin or "", secret):
            failures += 1
            wait = 0
            if failures >= BACKOFF_AFTER:
                wait = min(BACKOFF_SECONDS * 2 ** (failures - BACKOFF_AFTER), 3600)
            with self._l.transaction(after_check=True) as db:
                db.execute("UPDATE operators SET failures = ?, locked_until = ? WHERE id = ?",
                           [failures, (_now() + dt.timedelta(seconds=wait)).isoformat() if wait else None, oid])
            left = BACKOFF_AFTER - failures
            raise LoginFailed("口令错误" + (f"，请 {wait} 秒后再试" if wait else
                                          f"（再错 {left} 次须等待后再试）" if left <= 2 else ""), wait)
        if failures or locked_until:
            with self._l.transaction(after_check=True) as db:
                db.execute("UPDATE operators SET failures = 0, locked_until = NULL WHERE id = ?", [oid])
        op = Operator(oid, name, role)
        self._l.session = op
        return op

    def resume(self, session: Operator) -> Operator:
        """Carry a session logged in on another connection to the same (or a new, rolled-over or restored)
        ledger: a background task opens its own. The role is re-read where the operator exists."""
        current = self.get(session.name)
        op = current if current is not None else session
        self._l.session = op
        return op

    def verify(self, pin: str) -> bool:
        """Is this the logged-in operator's PIN (unlocking the idle-locked window)?"""
        s = self._l.session
        if s is None:
            return False
        try:
            self.login(s.name, pin)
        except LoginFailed:
            return False
        return True

    def require(self, permission: str) -> None:
        """Refuse (``PermissionDenied``) unless the logged-in operator's role allows ``permission``.

        A ledger with no operators yet is open: it was made before operators existed, and its first login
        creates its first 管理员."""
        what = PERMISSIONS.get(permission, permission)
        s = self._l.session
        if s is None:
            if self.any():
                raise PermissionDenied(f"请先登录：{what}需要已登录的操作员")
            return
        if not s.can(permission):
            allowed = "、".join(r for r in ROLES if permission in ROLE_PERMISSIONS[r])
            raise PermissionDenied(f"{s.name}（{s.role}）无权{what}：需要 {allowed} 登录办理")

    # -- writes
    def add(self, name: str, role: str, pin: str) -> Change:
        """A new operator. The very first one of a ledger must be a 管理员, and needs no login."""
        first = not self.any()
        if not first:
            self.require("operators")
        name, role = (name or "").strip(), (role or "").strip()
        problems = []
        if not name:
            problems.append(Problem("姓名", "操作员姓名不能为空"))
        if role not in ROLES:
            problems.append(Problem("角色", f"角色应为 {'、'.join(ROLES)} 之一：{role}"))
        elif first and role != ADMIN:
            problems.append(Problem("角色", "台账的第一位操作员必须是管理员"))
        problems += pin_problems(pin)
        if name and self.get(name) is not None:
            problems.append(Problem("姓名", f"已有名为「{name}」的操作员"))
        if problems:
            raise ProblemsError(problems)
        secret = hash_pin(pin)
        with self._l.transaction() as db:
            oid = db.execute("INSERT INTO operators (name, role, secret, created_at) VALUES (?, ?, ?, ?)",
                             [name, role, secret, _now().isoformat()]).lastrowid
            if first and self._l.session is None:
                self._l.session = Operator(oid, name, role)
            self._l.log("operator", oid, "create", None, {"name": name, "role": role})
        return Change(id=oid)

    def set_pin(self, name: str, pin: str) -> Change:
        """Change a PIN: one's own, or (管理员) anyone's."""
        op = self._existing(name)
        if self._l.session is None or self._l.session.name != op.name:
            self.require("operators")
        if problems := pin_problems(pin):
            raise ProblemsError(problems)
        with self._l.transaction() as db:
            db.execute("UPDATE operators SET secret = ?, failures = 0, locked_until = NULL WHERE id = ?",
                       [hash_pin(pin), op.id])
            self._l.log("operator", op.id, "update", None, {"name": op.name, "pin": "已更改"})
        return Change(id=op.id)

    def set_role(self, name: str, role: str) -> Change:
        self.require("operators")
        op = self._existing(name)
        if role not in ROLES:
            raise ProblemsError([Problem("角色", f"角色应为 {'、'.join(ROLES)} 之一：{role}")])
        if op.role == ADMIN and role != ADMIN:
            self._keep_an_admin(op)
        with self._l.transaction() as db:
            db.execute("UPDATE operators SET role = ? WHERE id = ?", [role, op.id])
            self._l.log("operator", op.id, "update", {"role": op.role}, {"role": role})
        return Change(id=op.id)

    def disable(self, name: str) -> Change:
        """An operator who left: kept (their entries keep their name), but can no longer log in."""
        self.require("operators")
        op = self._existing(name)
        if op.role == ADMIN:
            self._keep_an_admin(op)
        with self._l.transaction() as db:
            db.execute("UPDATE operators SET disabled_at = ? WHERE id = ?", [_now().isoformat(), op.id])
            self._l.log("operator", op.id, "end", {"name": op.name}, {"disabled": True})
        return Change(id=op.id)

    def _existing(self, name: str) -> Operator:
        op = self.get(name)
        if op is None or op.disabled:
            raise ProblemsError([Problem("操作员", f"没有名为「{name}」的操作员（或已停用）")])
        return op

    def _keep_an_admin(self, op: Operator) -> None:
        admins = [o for o in self.list() if o.role == ADMIN and o.id != op.id]
        if not admins:
            raise ProblemsError([Problem("操作员", f"{op.name} 是唯一的管理员，不能停用或改为其他角色")])


def sign_in(ledger: "Ledger", name: str, pin: str) -> tuple[Operator, bool]:
    """Log in; on a ledger without operators, first register ``name`` as its first 管理员 with ``pin``.
    Returns (operator, created)."""
    if not ledger.operators.any():
        ledger.operators.add(name, ADMIN, pin)
        return ledger.operators.login(name, pin), True
    return ledger.operators.login(name, pin), False


def copy_operators(source: "Ledger", target: "Ledger") -> int:
    """A rolled-over ledger keeps the operators (hashes, roles) of the year before."""
    rows = source.db.execute("SELECT name, role, secret, created_at, disabled_at FROM operators ORDER BY id").fetchall()
    with target.transaction() as db:
        for row in rows:
            db.execute("INSERT OR IGNORE INTO operators (name, role, secret, created_at, disabled_at)"
                       " VALUES (?, ?, ?, ?, ?)", list(row))
    return len(rows)


def env_credentials() -> tuple[str, str] | None:
    """``CANBAO_OPERATOR`` and ``CANBAO_PIN`` from the environment (scripts, kiosk set-ups), if both are set."""
    import os

    name, pin = os.environ.get("CANBAO_OPERATOR", "").strip(), os.environ.get("CANBAO_PIN", "")
    return (name, pin) if name and pin else None


def reveal(ledger: "Ledger", member=None, *, household=None) -> None:
    """Before showing a member's (or a household's) full ID number and phone: the role must allow it, and
    it is audited."""
    ledger.require("reveal")
    with ledger.transaction():
        if member is not None:
            ledger.log("member", member.id, "reveal", None, {"shown": "完整证件号码和电话"},
                       household_id=member.household_id, member_id=member.id)
        else:
            ledger.log("household", household.id, "reveal", None, {"shown": "完整电话"}, household_id=household.id)
