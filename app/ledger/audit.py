"""The audit log: every change, who, when, before and after; readable per member and per household."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING

from ..domain.idnumber import mask_fields
from .models import AuditEntry

if TYPE_CHECKING:
    from .db import Ledger

_SELECT = "SELECT id, ts, operator, entity, entity_id, household_id, member_id, action, before, after FROM audit"


def _row(r) -> AuditEntry:
    return AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                      json.loads(r[8]) if r[8] else None, json.loads(r[9]) if r[9] else None)


class AuditLog:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    def for_member(self, member_id: int) -> list[AuditEntry]:
        return [_row(r) for r in self._l.db.execute(_SELECT + " WHERE member_id = ? ORDER BY id", [member_id])]

    def for_household(self, household_id: int) -> list[AuditEntry]:
        """Changes to the household and to its members while they were in it."""
        return [_row(r) for r in self._l.db.execute(_SELECT + " WHERE household_id = ? ORDER BY id", [household_id])]

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        rows = self._l.db.execute(_SELECT + " ORDER BY id DESC LIMIT ?", [limit])
        return [_row(r) for r in rows][::-1]

    def count(self) -> int:
        return self._l.db.execute("SELECT count(*) FROM audit").fetchone()[0]


def describe(e: AuditEntry, masked: bool = True) -> str:
    """One line for the CLI and the window: 时间 操作员 对象 动作 变更. ID numbers and phones are masked
    unless ``masked=False`` (after ``operators.reveal``: role-checked and itself audited)."""
    if masked:
        e = dataclasses.replace(e, before=mask_fields(e.before), after=mask_fields(e.after))
    names = {"create": "新增", "update": "修改", "status": "参保状态", "move_out": "迁出本户", "move_in": "迁入本户",
             "end": "终止", "void": "作废", "refund": "退费", "pay": "缴费", "addons": "附加险",
             "rollover": "结转", "restore": "从备份恢复", "import": "导入", "reveal": "查看完整证件号和电话"}
    entities = {"household": "户", "member": "人员", "category": "类别", "payment": "缴费", "refund": "退费",
                "settings": "台账设置", "village": "村", "group": "组", "member_year": "年度选择",
                "ledger": "台账", "operator": "操作员"}
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
    return (f"{when} {e.operator} {entities.get(e.entity, e.entity)}#{e.entity_id or ''} "
            f"{names.get(e.action, e.action)} {diff}").strip()
