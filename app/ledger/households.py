"""Households (户): number, village, group, address, phone, notes. The head is the member with relation 户主."""

from __future__ import annotations

import re
from . import sqlite_driver
from typing import TYPE_CHECKING

from ..domain.problems import Problem, ProblemsError
from .ids import next_id
from .models import Change, Household, now_iso, text

if TYPE_CHECKING:
    from .db import Ledger

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")  # 11-digit mobile, or landline with its area code

_SELECT = """
SELECT h.id, h.number, h.village_id, v.name, h.group_id, coalesce(g.name, ''), h.address, h.phone, h.notes,
       (SELECT m.id FROM members m WHERE m.household_id = h.id AND m.relation = '户主'),
       coalesce((SELECT m.name FROM members m WHERE m.household_id = h.id AND m.relation = '户主'), ''),
       (SELECT count(*) FROM members m WHERE m.household_id = h.id),
       h.created_at, h.updated_at
FROM households h JOIN villages v ON v.id = h.village_id LEFT JOIN village_groups g ON g.id = h.group_id
"""


def check_phone(phone: str, place: str, problems: list[Problem]) -> str:
    p = text(phone).replace(" ", "")
    if p and not PHONE_RE.match(p):
        problems.append(Problem(place, f"电话号码格式不对：{phone}（手机11位，座机如 0431-12345678）"))
    return p


class Households:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    # -- reads
    def get(self, household_id: int) -> Household:
        row = self._l.db.execute(_SELECT + " WHERE h.id = ?", [household_id]).fetchone()
        if row is None:
            raise ProblemsError([Problem("户", f"没有编号为 {household_id} 的户")])
        return Household(*row)

    def by_number(self, number: str) -> Household | None:
        row = self._l.db.execute(_SELECT + " WHERE h.number = ?", [text(number)]).fetchone()
        return Household(*row) if row else None

    def find(self, ref: str | int) -> Household:
        """A household by its 户编号, or by its internal id (``#12``)."""
        if isinstance(ref, int):
            return self.get(ref)
        text = str(ref).strip()
        if text.startswith("#") and text[1:].isdigit():
            return self.get(int(text[1:]))
        h = self.by_number(text)
        if h is None:
            raise ProblemsError([Problem("户", f"没有户编号为「{text}」的户")])
        return h

    def list(self, *, village: str | None = None, group: str | None = None, limit: int = 1000,
             offset: int = 0) -> list[Household]:
        from .member_year import kept_sql

        where, params = [kept_sql("h.id")], []  # not an 外村户 (held for a member moved between villages)
        if village:
            where.append("v.name = ?")
            params.append(village)
        if group:
            where.append("g.name = ?")
            params.append(group)
        sql = _SELECT + " WHERE " + " AND ".join(where) + " ORDER BY h.number LIMIT ? OFFSET ?"
        return [Household(*r) for r in self._l.db.execute(sql, params + [limit, offset])]

    def count(self) -> int:
        from .member_year import kept_sql

        return self._l.db.execute(f"SELECT count(*) FROM households h WHERE {kept_sql('h.id')}").fetchone()[0]

    # -- writes
    def add(self, *, village: str, group: str = "", number: str | None = None, address: str = "",
            phone: str = "", notes: str = "", operator: str | None = None) -> Change:
        self._l.require("record")
        problems: list[Problem] = []
        vid, gid = self._place(village, group, problems)
        phone = check_phone(phone, "电话", problems)
        number = (str(number) if number is not None else "").strip() or None
        address, notes = str(address or "").strip(), str(notes or "")
        if number and self.by_number(number):
            problems.append(Problem("户编号", f"户编号「{number}」已存在"))
        if problems:
            raise ProblemsError(problems)
        now = now_iso()
        try:
            return self._insert(number, vid, gid, address, phone, notes, now, village, group, operator)
        except sqlite_driver.IntegrityError as exc:
            if "households.number" not in str(exc):
                raise
            raise ProblemsError([Problem("户编号", f"户编号「{number}」刚刚已被使用（可能是另一窗口）")]) from None

    def _insert(self, number, vid, gid, address, phone, notes, now, village, group, operator) -> Change:
        with self._l.transaction() as db:
            if number is None:
                number = self._next_number()
            hid = db.execute(
                "INSERT INTO households (id, number, village_id, group_id, address, phone, notes, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [next_id(db, "households"), number, vid, gid, address, phone, notes, now, now]).lastrowid
            after = {"number": number, "village": village, "group": group, "address": address,
                     "phone": phone, "notes": notes}
            self._l.log("household", hid, "create", None, after, household_id=hid, operator=operator)
        return Change(households=frozenset({hid}), id=hid)

    def update(self, household_id: int, *, village: str | None = None, group: str | None = None,
               address: str | None = None, phone: str | None = None, notes: str | None = None,
               operator: str | None = None, number: str | None = None) -> Change:
        self._l.require("record")
        cur = self.get(household_id)
        problems: list[Problem] = []
        new_number = cur.number if number is None else str(number).strip()
        if number is not None and not new_number:
            problems.append(Problem("户编号", "户编号不能为空"))
        elif new_number != cur.number and self.by_number(new_number):
            problems.append(Problem("户编号", f"户编号「{new_number}」已存在"))
        vname = cur.village if village is None else village
        gname = (cur.group if village is None else "") if group is None else group
        vid, gid = self._place(vname, gname, problems)
        if vid is not None and vid != cur.village_id:
            self._refuse_other_station(cur, vname, problems)
        new_phone = cur.phone if phone is None else check_phone(phone, "电话", problems)
        if problems:
            raise ProblemsError(problems)
        before = {"village": cur.village, "group": cur.group, "address": cur.address, "phone": cur.phone,
                  "notes": cur.notes}
        after = {"village": vname, "group": gname or "", "address": cur.address if address is None else str(address).strip(),
                 "phone": new_phone, "notes": cur.notes if notes is None else notes}
        if new_number != cur.number:  # renumbered (a 户编号 another ledger already had: app.sync.resend)
            before, after = {"number": cur.number, **before}, {"number": new_number, **after}
        if after == before:
            return Change()
        with self._l.transaction() as db:
            db.execute("UPDATE households SET number = ?, village_id = ?, group_id = ?, address = ?, phone = ?,"
                       " notes = ?, updated_at = ? WHERE id = ?",
                       [new_number, vid, gid, after["address"], after["phone"], after["notes"], now_iso(),
                        household_id])
            self._l.log("household", household_id, "update", before, after, household_id=household_id,
                        operator=operator)
        return Change(households=frozenset({household_id}))

    # -- helpers
    def _refuse_other_station(self, cur: Household, village: str, problems: list[Problem]) -> None:
        """A village's station moves a household only between the villages it keeps: into another station's
        village the township moves it (the exchange packets carry the household whole there, app.sync.moves)."""
        from ..sync.routes import villages_kept
        from .ids import station_number
        from .member_year import AWAY_TABLE

        kept = villages_kept(self._l.db, station_number(self._l.db))
        if self._l.db.execute(f"SELECT 1 FROM {AWAY_TABLE} WHERE household_id = ?", [cur.id]).fetchone():
            problems.append(Problem("村", f"户 {cur.number} 是{cur.village}的户（外村户，仅为迁来的人员保留），"
                                          "由该村的站点或乡镇办理迁移"))
        elif kept is not None and village not in kept:
            problems.append(Problem("村", f"本站点管理的村（社区）为{'、'.join(kept) or '（无）'}，不能把户 {cur.number} "
                                          f"迁往「{village}」：跨村迁户由乡镇在乡镇台账中办理（交换包会把整户连同人员和"
                                          "缴费记录带到新村，并告知原村）"))

    def _place(self, village: str, group: str, problems: list[Problem]) -> tuple[int | None, int | None]:
        s = self._l.settings
        vid = s.village_id(str(village or ""))
        if vid is None:
            known = "、".join(v.name for v in s.villages()) or "（尚未设置村）"
            problems.append(Problem("村", f"没有村（社区）「{village}」。已有：{known}"))
            return None, None
        if not group:
            return vid, None
        gid = s.group_id(vid, str(group))
        if gid is None:
            groups = next((v.groups for v in s.villages() if v.id == vid), ())
            problems.append(Problem("组", f"「{village}」没有「{group}」。已有：{'、'.join(g.name for g in groups) or '（无）'}"))
        return vid, gid

    def _next_number(self) -> str:
        # one step down the households_number_int index (migration 0070): keep the expression and WHERE as is.
        # A station numbers in its own range (station 3: 003000001 …) so the township's ledger can hold every
        # station's households; the township and ledgers without a station keep 000001 ….
        from .ids import station_number

        station = station_number(self._l.db)
        low, high = station * 1_000_000, (station + 1) * 1_000_000
        row = self._l.db.execute(
            "SELECT max(CAST(number AS INTEGER)) FROM households WHERE number GLOB '[0-9]*'"
            " AND CAST(number AS INTEGER) >= ? AND CAST(number AS INTEGER) < ?", [low, high]).fetchone()
        n = max(row[0] or 0, low) + 1
        return f"{n:06d}" if station == 0 else f"{n:09d}"
