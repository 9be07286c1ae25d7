"""The audit log: every change, who, when, before and after; readable per member and per household.

It is a hash chain: each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry itself
(``chain_hash``), so an entry edited or removed with another tool breaks every later hash; ``verify_chain``
(run by ``check``) names the first broken entry. The triggers refuse updates and deletes besides."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING

from ..domain.idnumber import mask_fields
from .models import AuditEntry, named_rows

if TYPE_CHECKING:
    from .db import Ledger

_SELECT = "SELECT id, ts, operator, entity, entity_id, household_id, member_id, action, before, after FROM audit"


def _row(r) -> AuditEntry:
    return AuditEntry(id=r["id"], ts=r["ts"], operator=r["operator"], entity=r["entity"], entity_id=r["entity_id"],
                      household_id=r["household_id"], member_id=r["member_id"], action=r["action"],
                      before=json.loads(r["before"]) if r["before"] else None,
                      after=json.loads(r["after"]) if r["after"] else None)


CHAIN_COLUMNS = "id, ts, operator, entity, entity_id, household_id, member_id, action, before, after"


def chain_hash(prev: str, row) -> str:
    """The hash of one entry (``row`` holds ``CHAIN_COLUMNS`` in order) chained onto ``prev``."""
    body = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + "|" + body).encode("utf-8")).hexdigest()


def verify_chain(db, cancel=None) -> tuple[int, int | None, str]:
    """(entries checked, id of the first entry whose hash does not follow, what is wrong).

    Each station writes its own chain in its own block of ids (``app.ledger.ids``). This ledger's own block
    must run without gaps; a block received from another station may hold only the entries routed here
    (a village gets the township's entries about its own households), so a gap there starts a new chain."""
    from .ids import BLOCK, block_of, station_number

    own = station_number(db)
    prev = ""
    n = 0
    last_id = 0
    block = 0
    for row in db.execute(f"SELECT {CHAIN_COLUMNS}, hash FROM audit ORDER BY id"):
        n += 1
        if cancel is not None and n % 5000 == 0 and cancel():
            from ..domain.problems import Cancelled

            raise Cancelled("已取消检查")
        if block_of(row[0]) != block:
            block = block_of(row[0])
            last_id, prev = block * BLOCK, ""
        if row[0] != last_id + 1:
            if block == own:
                return n, row[0], f"日志 #{last_id + 1}–#{row[0] - 1} 缺失（被删除）"
            prev = None  # another station's chain, only partly routed here: the entry after a gap is not checked
        last_id = row[0]
        if prev is None:
            prev = row[-1]
            continue
        want = chain_hash(prev, row[:-1])
        if row[-1] != want:
            return n, row[0], "日志内容与哈希链不符（被改动、删除或插入）"
        prev = want
    return n, None, ""


class AuditLog:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    def for_member(self, member_id: int) -> list[AuditEntry]:
        return [_row(r) for r in named_rows(self._l.db, _SELECT + " WHERE member_id = ? ORDER BY id", [member_id])]

    def for_household(self, household_id: int) -> list[AuditEntry]:
        """Changes to the household and to its members while they were in it."""
        return [_row(r) for r in named_rows(self._l.db, _SELECT + " WHERE household_id = ? ORDER BY id", [household_id])]

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        rows = named_rows(self._l.db, _SELECT + " ORDER BY id DESC LIMIT ?", [limit])
        return [_row(r) for r in rows][::-1]

    def count(self) -> int:
        return self._l.db.execute("SELECT count(*) FROM audit").fetchone()[0]


# the Chinese words for what the audit log records (every action and entity written by ``Ledger.log``)
ACTIONS = {"create": "新增", "update": "修改", "status": "参保状态", "move_out": "迁出本户", "move_in": "迁入本户",
           "end": "终止", "void": "作废", "refund": "退费", "pay": "缴费", "addons": "附加险",
           "rollover": "结转", "restore": "从备份恢复", "import": "导入", "reveal": "查看完整证件号和电话",
           "dropped": "票据号列入作废清单", "split": "拆分村台账", "self": "设为本台账的站点",
           "dismiss": "判定非重复参保", "resolve": "处理冲突", "password": "修改台账密码",
           "keep": "判定重复参保（保留一处）", "join": "加入乡镇", "invite": "写出入站文件",
           "key": "记录签名密钥", "key_change": "更换签名密钥", "handover": "交款", "settle": "登记已补付",
           "cancel": "取消补付"}
ENTITIES = {"household": "户", "member": "人员", "category": "类别", "payment": "缴费", "refund": "退费",
            "settings": "台账设置", "village": "村", "group": "组", "member_year": "年度选择",
            "ledger": "台账", "operator": "操作员", "receipts": "票据号", "station": "站点", "duplicate": "重复参保",
            "conflict": "交换冲突", "claim": "认定后补付", "handover": "交款单", "import": "导入"}


def describe(e: AuditEntry, masked: bool = True) -> str:
    """One line for the CLI and the window: 时间 操作员 对象 动作 变更. ID numbers and phones are masked
    unless ``masked=False`` (after ``operators.reveal``: role-checked and itself audited)."""
    if masked:
        e = dataclasses.replace(e, before=mask_fields(e.before), after=mask_fields(e.after))
    diff = ""
    if e.before and e.after:
        keys = [k for k in e.after if e.before.get(k) != e.after.get(k)]
        diff = "；".join(f"{k}: {e.before.get(k)!s} → {e.after.get(k)!s}" for k in keys)
    elif e.after:
        diff = "；".join(f"{k}={v}" for k, v in e.after.items() if v not in (None, "", [], {}))
    try:
        when = dt.datetime.fromisoformat(e.ts).astimezone().strftime("%Y-%m-%d %H:%M:%S")  # local time
    except ValueError:
        when = e.ts[:19].replace("T", " ")
    return (f"{when} {e.operator} {ENTITIES.get(e.entity, e.entity)}#{e.entity_id or ''} "
            f"{ACTIONS.get(e.action, e.action)} {diff}").strip()
