"""Identity categories per member (低保对象, 特困人员 …): recognising department, recognition and end dates.

History is kept: ending a category sets its end date; recognising it again adds a new record.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..domain import vocabulary
from ..domain.problems import Problem, ProblemsError
from .members import _date
from .ids import next_id
from .models import CategoryRecord, Change, named_rows, now_iso

if TYPE_CHECKING:
    from .db import Ledger

_SELECT = ("SELECT id, member_id, category, department, recognized_on, ended_on, end_reason, notes"
           " FROM member_categories")


def _row(r) -> CategoryRecord:
    d = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
    return CategoryRecord(id=r["id"], member_id=r["member_id"], category=r["category"], department=r["department"],
                          recognized_on=d(r["recognized_on"]), ended_on=d(r["ended_on"]), end_reason=r["end_reason"],
                          notes=r["notes"])


class Categories:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    def of_member(self, member_id: int, *, include_ended: bool = True) -> list[CategoryRecord]:
        sql = _SELECT + " WHERE member_id = ?" + ("" if include_ended else " AND ended_on IS NULL") + " ORDER BY id"
        return [_row(r) for r in named_rows(self._l.db, sql, [member_id])]

    def active_on(self, member_id: int, day: dt.date) -> list[CategoryRecord]:
        return [c for c in self.of_member(member_id) if c.active_on(day)]

    def get(self, record_id: int) -> CategoryRecord:
        row = next(iter(named_rows(self._l.db, _SELECT + " WHERE id = ?", [record_id])), None)
        if row is None:
            raise ProblemsError([Problem("类别", f"没有编号为 {record_id} 的类别记录")])
        return _row(row)

    def add(self, member_id: int, category: str, *, department: str = "", recognized_on: dt.date | str | None = None,
            notes: str = "", operator: str | None = None) -> Change:
        self._l.require("record")
        member = self._l.members.get(member_id)
        problems: list[Problem] = []
        name = self._canonical(str(category or "").strip())
        known = self._known()
        if name not in known:
            problems.append(Problem("类别", f"未知的人员类别「{category}」。可用：{'、'.join(known)}"))
        dept = str(department or "").strip()
        notes = str(notes or "")
        if dept and dept not in vocabulary.DEPARTMENTS:
            problems.append(Problem("认定部门", f"认定部门「{dept}」无效。可用：{'、'.join(vocabulary.DEPARTMENTS)}"))
        when = _date(recognized_on, "认定日期", problems)
        if when and when > dt.date.today():
            problems.append(Problem("认定日期", f"认定日期 {when} 晚于今天"))
        if any(c.category == name and c.ended_on is None for c in self.of_member(member_id)):
            problems.append(Problem("类别", f"{member.name} 已有未终止的「{name}」认定；如需重新认定，请先终止原认定"))
        if problems:
            raise ProblemsError(problems)
        after = {"category": name, "department": dept, "recognized_on": when.isoformat() if when else None,
                 "notes": notes}
        with self._l.transaction() as db:
            cid = db.execute("INSERT INTO member_categories (id, member_id, category, department, recognized_on,"
                             " notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [next_id(db, "member_categories"), member_id, name, dept, after["recognized_on"], notes,
                              now_iso()]).lastrowid
            self._l.log("category", cid, "create", None, after, household_id=member.household_id,
                        member_id=member_id, operator=operator)
            self._l.claims.on_category_recorded(cid, operator=operator)  # recognised after paying: money back
        return Change(households=frozenset({member.household_id}), members=frozenset({member_id}), id=cid)

    def end(self, record_id: int, *, ended_on: dt.date | str, reason: str = "",
            operator: str | None = None) -> Change:
        """End a recognition: the record stays, with its end date and reason."""
        self._l.require("record")
        rec = self.get(record_id)
        member = self._l.members.get(rec.member_id)
        problems: list[Problem] = []
        when = _date(ended_on, "终止日期", problems)
        if when is None and not problems:
            problems.append(Problem("终止日期", "必须填写终止日期"))
        if rec.ended_on is not None:
            problems.append(Problem("类别", f"该「{rec.category}」认定已于 {rec.ended_on} 终止"))
        if when and rec.recognized_on and when < rec.recognized_on:
            problems.append(Problem("终止日期", f"终止日期 {when} 早于认定日期 {rec.recognized_on}"))
        if problems:
            raise ProblemsError(problems)
        with self._l.transaction() as db:
            db.execute("UPDATE member_categories SET ended_on = ?, end_reason = ? WHERE id = ?",
                       [when.isoformat(), str(reason or "").strip(), record_id])
            self._l.log("category", record_id, "end", {"category": rec.category, "ended_on": None},
                        {"category": rec.category, "ended_on": when.isoformat(), "reason": str(reason or "").strip()},
                        household_id=member.household_id, member_id=member.id, operator=operator)
        return Change(households=frozenset({member.household_id}), members=frozenset({member.id}))

    def _known(self) -> tuple[str, ...]:
        """The ledger policy's categories (a file may define its own) and the common ones."""
        try:
            return self._l.policy().category_names()
        except Exception:  # noqa: BLE001 - no policy set yet: the common names
            return vocabulary.CATEGORIES

    def _canonical(self, name: str) -> str:
        if name in vocabulary.CATEGORIES:
            return name
        try:
            return self._l.policy().canonical(name)
        except Exception:  # noqa: BLE001 - no policy set yet: names must be canonical
            return name
