"""Members: identity, household, relation, student, and enrolment status (with reason and date)."""

from __future__ import annotations

import datetime as dt
import json
from . import sqlite_driver
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterable

from ..domain import vocabulary
from ..domain.dates import date_into
from ..domain.idnumber import mask_id_number
from ..domain.problems import Problem, ProblemsError
from .households import check_phone
from .identity import NO_ID, search_keys, validate_identity
from .ids import next_id
from .models import ENROLLED, ID_TYPES, Change, Member, named_rows, now_iso, text

if TYPE_CHECKING:
    from .db import Ledger

STATUSES: tuple[str, ...] = tuple(vocabulary.Status)
HEAD = "户主"
RELATIONS = ("户主", "配偶", "子", "女", "父母", "祖父母", "孙子女", "兄弟姐妹", "儿媳", "女婿", "其他")

_COLS = ("id, household_id, (SELECT number FROM households h WHERE h.id = m.household_id) AS household_number,"
         " name, id_type, id_number, sex, birth_date, ethnicity, relation, phone, student, school, status,"
         " status_detail, status_date, notes, name_initials")
SELECT = f"SELECT {_COLS} FROM members m"


def row_to_member(r) -> Member:
    """A members row (``SELECT`` above, read with ``models.named_rows``) as a ``Member``, by column name."""
    return Member(id=r["id"], household_id=r["household_id"], household_number=r["household_number"] or "",
                  name=r["name"], id_type=r["id_type"], id_number=r["id_number"], sex=r["sex"],
                  birth_date=dt.date.fromisoformat(r["birth_date"]), ethnicity=r["ethnicity"],
                  relation=r["relation"], phone=r["phone"], student=bool(r["student"]), school=r["school"],
                  status=r["status"], status_detail=r["status_detail"],
                  status_date=dt.date.fromisoformat(r["status_date"]) if r["status_date"] else None,
                  notes=r["notes"], name_initials=r["name_initials"])


def _one(db, sql: str, params) -> "Member | None":
    rows = named_rows(db, sql, params)
    return row_to_member(rows[0]) if rows else None


@contextmanager
def _conflicts_as_problems():
    """Another window or process wrote the same ID number (or a second head) between our check and our write:
    the unique indexes refuse it; say so in Chinese instead of crashing."""
    try:
        yield
    except sqlite_driver.IntegrityError as exc:
        if "members.id_number" in str(exc) or "members_id_number" in str(exc):
            raise ProblemsError([Problem("证件号码", "该证件号码刚刚已被登记（可能是另一窗口），请搜索后再试")]) from None
        if "household_id" in str(exc):
            raise ProblemsError([Problem("与户主关系", "该户刚刚已登记户主（可能是另一窗口），一户只能有一名户主")]) from None
        raise


counts_for_rate = vocabulary.counts_for_rate  # required to enrol here (in the rate's denominator)?


_date = date_into  # the shared parser (app/domain/dates.py); categories, payments, claims import it here


def _record(m: Member) -> dict:
    return {"household_id": m.household_id, "name": m.name, "id_type": m.id_type, "id_number": m.id_number,
            "sex": m.sex, "birth_date": m.birth_date.isoformat(), "ethnicity": m.ethnicity, "relation": m.relation,
            "phone": m.phone, "student": m.student, "school": m.school, "status": m.status,
            "status_detail": m.status_detail, "status_date": m.status_date.isoformat() if m.status_date else None,
            "notes": m.notes}


class Members:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger

    # -- reads
    def get(self, member_id: int) -> Member:
        m = _one(self._l.db, SELECT + " WHERE id = ?", [member_id])
        if m is None:
            raise ProblemsError([Problem("人员", f"没有编号为 {member_id} 的人员")])
        return m

    def of_household(self, household_id: int) -> list[Member]:
        rows = named_rows(self._l.db, SELECT + " WHERE household_id = ? ORDER BY relation != '户主', id",
                          [household_id])
        return [row_to_member(r) for r in rows]

    def holders(self, number: str) -> list[Member]:
        """Every member holding this ID number: one — or two when one person was enrolled at two stations
        (重复参保: the township holds both until a 专干 decides, app.ledger.duplicates)."""
        rows = named_rows(self._l.db, SELECT + " WHERE id_number = ? ORDER BY id", [text(number).upper()])
        return [row_to_member(r) for r in rows]

    def by_id_number(self, number: str) -> Member | None:
        """The member holding this ID number, None if nobody. Of two holders, the one a 专干 kept
        (``duplicates.keep``); undecided, a ProblemsError naming both — never one of them picked silently."""
        found = self.holders(number)
        if len(found) < 2:
            return found[0] if found else None
        from ..domain.duplicate_match import TWO_HOLDERS
        from .duplicates import standing_holder

        kept = standing_holder(self._l.db, [m.id for m in found])
        if kept is not None:
            return next(m for m in found if m.id == kept)
        both = "；".join(f"#{m.id} {self.where_is(m)}" for m in found)
        raise ProblemsError([Problem("证件号码", f"{TWO_HOLDERS}：{both}")])

    def count(self) -> int:
        """This ledger's people (not a moved member held in an 外村户, app.sync.moves)."""
        from .member_year import kept_sql

        return self._l.db.execute(f"SELECT count(*) FROM members m WHERE {kept_sql()}").fetchone()[0]

    def where_is(self, member: Member) -> str:
        """``户 000012（东风村 三组，户主 张三）的 李四``: where a member is, for messages."""
        h = self._l.households.get(member.household_id)
        place = h.village + (f" {h.group}" if h.group else "")
        head = f"，户主 {h.head_name}" if h.head_name else ""
        return f"户 {h.number}（{place}{head}）的 {member.name}"

    def check(self, fields: dict, *, member_id: int | None = None, household_id: int | None = None) -> list[Problem]:
        """Every problem that ``add`` (or ``update`` + ``set_status`` of ``member_id``) would refuse these
        fields for, in the same words (reads only), and a relation word that contradicts the sex. Forms call it
        as the user types; they hold no rules."""
        problems: list[Problem] = []
        merged = {"id_type": ID_TYPES[0], "status": ENROLLED, **fields}  # add's defaults
        if member_id is not None:
            cur = self.get(member_id)
            merged = {**_record(cur), **fields}
            household_id = household_id if household_id is not None else cur.household_id
        elif household_id is not None:
            self._household_exists(household_id, problems)
        rec = self._validate(member_id, household_id, merged, problems)
        # One more, for what is typed: a relation word that says the other sex (子 for a woman). The ledger itself
        # takes such rows from district rolls (the ID number decides the sex; the roll's relation may be wrong).
        conflict = vocabulary.relation_sex_conflict(rec["relation"], rec["sex"])
        if conflict:
            problems.append(Problem("与户主关系", conflict))
        return problems

    # -- writes
    def add(self, household_id: int, *, name: str, id_type: str = "居民身份证", id_number: str | None = None,
            birth_date: dt.date | str | None = None, sex: str = "", ethnicity: str = "", relation: str = "",
            phone: str = "", student: bool = False, school: str = "", status: str = ENROLLED,
            status_detail: str = "", status_date: dt.date | str | None = None, notes: str = "",
            operator: str | None = None) -> Change:
        self._l.require("record")
        problems: list[Problem] = []
        self._household_exists(household_id, problems)
        rec = self._validate(None, household_id, dict(
            name=name, id_type=id_type, id_number=id_number, birth_date=birth_date, sex=sex, ethnicity=ethnicity,
            relation=relation, phone=phone, student=student, school=school, status=status,
            status_detail=status_detail, status_date=status_date, notes=notes), problems)
        if problems:
            raise ProblemsError(problems)
        now = now_iso()
        row = {**rec, **search_keys(rec["name"], rec["id_number"], rec["phone"]), "household_id": household_id,
               "student": int(rec["student"]), "created_at": now, "updated_at": now}
        with _conflicts_as_problems(), self._l.transaction() as db:
            row = {"id": next_id(db, "members"), **row}
            cols = ", ".join(row)
            mid = db.execute(f"INSERT INTO members ({cols}) VALUES ({', '.join('?' * len(row))})",
                             list(row.values())).lastrowid
            self._l.log("member", mid, "create", None, {**rec, "household_id": household_id},
                        household_id=household_id, member_id=mid, operator=operator)
        return Change(households=frozenset({household_id}), members=frozenset({mid}), id=mid)

    def update(self, member_id: int, *, operator: str | None = None, **fields) -> Change:
        """Change any of: name, id_type, id_number, birth_date, sex, ethnicity, relation, phone, student,
        school, notes. (Status: ``set_status``; household: ``move``.)"""
        self._l.require("record")
        allowed = {"name", "id_type", "id_number", "birth_date", "sex", "ethnicity", "relation", "phone", "student",
                   "school", "notes"}
        unknown = set(fields) - allowed
        if unknown:
            raise ProblemsError([Problem(k, "不能用 update 修改此项") for k in sorted(unknown)])
        cur = self.get(member_id)
        self._refuse_away(cur)
        before = _record(cur)
        merged = {**before, **fields}
        number = text(merged.get("id_number"))
        derives = merged.get("id_type") in ("居民身份证", "港澳台居民居住证") or (
            merged.get("id_type") == "外国人永久居留身份证" and len(number) == 18)
        if "id_number" in fields and derives:  # re-read birth date and sex from the new number
            if "birth_date" not in fields:
                merged["birth_date"] = None
            if "sex" not in fields:
                merged["sex"] = ""
        problems: list[Problem] = []
        rec = self._validate(member_id, cur.household_id, merged, problems)
        if problems:
            raise ProblemsError(problems)
        after = {**before, **rec}
        if after == before:
            return Change()
        row = {**rec, **search_keys(rec["name"], rec["id_number"], rec["phone"]), "student": int(rec["student"]),
               "updated_at": now_iso()}
        with _conflicts_as_problems(), self._l.transaction() as db:
            db.execute(f"UPDATE members SET {', '.join(k + ' = ?' for k in row)} WHERE id = ?",
                       [*row.values(), member_id])
            self._l.log("member", member_id, "update", before, after, household_id=cur.household_id,
                        member_id=member_id, operator=operator)
        return Change(households=frozenset({cur.household_id}), members=frozenset({member_id}))

    def set_status(self, member_id: int, status: str, *, detail: str = "", on: dt.date | str | None = None,
                   operator: str | None = None) -> Change:
        """Enrolled here (本地参保), or not with the reason, where (异地参保) and its date (死亡: date of death)."""
        self._l.require("record")
        cur = self.get(member_id)
        self._refuse_away(cur)
        status, detail = text(status), text(detail)
        problems: list[Problem] = []
        when = _date(on, "日期", problems)
        self._check_status(status, detail, when, cur.birth_date, problems)
        if problems:
            raise ProblemsError(problems)
        before = {"status": cur.status, "status_detail": cur.status_detail,
                  "status_date": cur.status_date.isoformat() if cur.status_date else None}
        after = {"status": status, "status_detail": detail.strip(), "status_date": when.isoformat() if when else None}
        if before == after:
            return Change()
        with self._l.transaction() as db:
            db.execute("UPDATE members SET status = ?, status_detail = ?, status_date = ?, updated_at = ? WHERE id = ?",
                       [status, after["status_detail"], after["status_date"], now_iso(), member_id])
            self._l.log("member", member_id, "status", before, after, household_id=cur.household_id,
                        member_id=member_id, operator=operator)
        return Change(households=frozenset({cur.household_id}), members=frozenset({member_id}))

    def move(self, member_id: int, to_household_id: int, *, relation: str | None = None, reason: str = "",
             operator: str | None = None) -> Change:
        """Move a member to another household; categories, payments and audit stay with the member."""
        self._l.require("record")
        cur = self.get(member_id)
        problems: list[Problem] = []
        self._household_exists(to_household_id, problems)
        if to_household_id == cur.household_id:
            problems.append(Problem("户", f"{cur.name} 已在该户"))
        if not problems and (self._away(cur.household_id) or self._away(to_household_id)):
            problems.append(Problem("户", f"{cur.name} 迁往或迁自其他村的户：跨村迁移由乡镇在乡镇台账中办理"
                                          "（交换包会把人员连同缴费记录带到新村，并告知原村）"))
        rel = cur.relation if relation is None else str(relation).strip()
        reason = str(reason or "")
        if rel == HEAD and not problems:
            self._check_head(member_id, to_household_id, problems)
        if problems:
            raise ProblemsError(problems)
        before = {"household_id": cur.household_id, "household_number": cur.household_number, "relation": cur.relation}
        to = self._l.households.get(to_household_id)
        after = {"household_id": to_household_id, "household_number": to.number, "relation": rel, "reason": reason}
        with _conflicts_as_problems(), self._l.transaction() as db:
            db.execute("UPDATE members SET household_id = ?, relation = ?, updated_at = ? WHERE id = ?",
                       [to_household_id, rel, now_iso(), member_id])
            # logged under both households, so each one's history shows the move
            self._l.log("member", member_id, "move_out", before, after, household_id=cur.household_id,
                        member_id=member_id, operator=operator)
            self._l.log("member", member_id, "move_in", before, after, household_id=to_household_id,
                        member_id=member_id, operator=operator)
        return Change(households=frozenset({cur.household_id, to_household_id}), members=frozenset({member_id}))

    # -- add-on choices per year
    def addon_choice(self, member_id: int, year: int | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        year = year or self._l.settings.get().year
        row = self._l.db.execute("SELECT addons, declined_addons FROM member_years WHERE member_id = ? AND year = ?",
                                 [member_id, year]).fetchone()
        if row is None:
            return (), ()
        return tuple(json.loads(row[0])), tuple(json.loads(row[1]))

    def choose_addons(self, member_id: int, addons: Iterable[str] = (), declined: Iterable[str] = (), *,
                      year: int | None = None, operator: str | None = None) -> Change:
        """Record the add-ons a member chose (and default ones declined) for the campaign year."""
        self._l.require("pay")
        cur = self.get(member_id)
        policy = self._l.policy()
        year = year or self._l.settings.get().year
        addons = tuple(dict.fromkeys(policy.canonical(text(a)) for a in addons if text(a)))
        declined = tuple(dict.fromkeys(policy.canonical(text(a)) for a in declined if text(a)))
        problems = []
        for a in addons + declined:
            if a not in policy.addon_by_name:
                offered = "、".join(x.name for x in policy.addons) or "（本政策没有附加险）"
                problems.append(Problem("附加险", f"政策 {policy.id} 没有附加险「{a}」。可选：{offered}"))
        groups: dict[str, str] = {}
        for a in addons:
            g = policy.addon_by_name[a].group if a in policy.addon_by_name else ""
            if g and g in groups:
                problems.append(Problem("附加险", f"「{groups[g]}」与「{a}」只能选一个（同属{g}）"))
            if g:
                groups[g] = a
        if problems:
            raise ProblemsError(problems)
        before = self.addon_choice(member_id, year)
        with self._l.transaction() as db:
            db.execute("INSERT OR REPLACE INTO member_years (member_id, year, addons, declined_addons) VALUES (?,?,?,?)",
                       [member_id, year, json.dumps(addons, ensure_ascii=False), json.dumps(declined, ensure_ascii=False)])
            self._l.log("member_year", member_id, "addons", {"addons": before[0], "declined": before[1]},
                        {"addons": addons, "declined": declined, "year": year}, household_id=cur.household_id,
                        member_id=member_id, operator=operator)
        return Change(members=frozenset({member_id}))

    # -- validation
    def _away(self, household_id: int) -> bool:
        """An 外村户: another village's household held here for a member moved between villages (app.sync.moves)."""
        from .member_year import AWAY_TABLE

        return self._l.db.execute(f"SELECT 1 FROM {AWAY_TABLE} WHERE household_id = ?",
                                  [household_id]).fetchone() is not None

    def _refuse_away(self, m: Member) -> None:
        if self._away(m.household_id):
            raise ProblemsError([Problem("人员", f"{m.name} 已迁往其他村（户 {m.household_number}），由该村的站点登记和修改")])

    def _household_exists(self, household_id: int, problems: list[Problem]) -> None:
        if self._l.db.execute("SELECT 1 FROM households WHERE id = ?", [household_id]).fetchone() is None:
            problems.append(Problem("户", f"没有编号为 {household_id} 的户"))

    def _check_head(self, member_id: int | None, household_id: int, problems: list[Problem]) -> None:
        row = self._l.db.execute("SELECT id, name FROM members WHERE household_id = ? AND relation = '户主'",
                                 [household_id]).fetchone()
        if row and row[0] != member_id:
            problems.append(Problem("与户主关系", f"该户已有户主 {row[1]}，一户只能有一名户主"))

    def _check_status(self, status: str, detail: str, when: dt.date | None, birth: dt.date | None,
                      problems: list[Problem]) -> None:
        if status not in STATUSES:
            problems.append(Problem("参保状态", f"参保状态「{status}」无效。可用：{'、'.join(STATUSES)}"))
            return
        if status in vocabulary.STATUS_NEEDS_DATE and when is None:
            problems.append(Problem("日期", "状态为死亡时必须填写死亡日期"))
        if status in vocabulary.STATUS_NEEDS_DETAIL and not detail.strip():
            problems.append(Problem("说明", "异地参保须写明参保地"))
        if when and when > dt.date.today():
            problems.append(Problem("日期", f"日期 {when} 晚于今天"))
        if when and birth and when < birth:
            problems.append(Problem("日期", f"日期 {when} 早于出生日期 {birth}"))

    def _validate(self, member_id: int | None, household_id: int, f: dict, problems: list[Problem]) -> dict:
        name = text(f.get("name"))
        if not name:
            problems.append(Problem("姓名", "姓名不能为空"))
        elif len(name) > 50 or any(ord(ch) < 32 for ch in name):
            problems.append(Problem("姓名", f"姓名过长或含有控制字符：{name[:20]}…"))
        birth = _date(f.get("birth_date"), "出生日期", problems)
        id_type = text(f.get("id_type"))
        number, birth, sex = validate_identity(id_type, text(f.get("id_number")), birth, text(f.get("sex")), problems)
        if id_type == NO_ID:
            number = None
        if birth and birth > dt.date.today():
            problems.append(Problem("出生日期", f"出生日期 {birth} 晚于今天"))
        if number:
            # refused when anyone else holds it — except a member keeping the number it has, which another
            # station's member may hold too (重复参保, listed until a 专干 decides: app.ledger.duplicates)
            db = self._l.db
            other = db.execute("SELECT id FROM members WHERE id_number = ? AND id IS NOT ? ORDER BY id LIMIT 1",
                               [number, member_id]).fetchone()
            if other and not (member_id is not None and db.execute(
                    "SELECT 1 FROM members WHERE id = ? AND id_number = ?", [member_id, number]).fetchone()):
                where = self.where_is(self.get(other[0]))
                problems.append(Problem("证件号码", f"证件号码 {mask_id_number(number)} 已登记在 {where} 名下，不能重复登记"))
        relation = text(f.get("relation"))
        if relation == HEAD and household_id is not None:
            self._check_head(member_id, household_id, problems)
        phone = check_phone(f.get("phone"), "电话", problems)
        status = text(f.get("status")) or ENROLLED
        status_date = _date(f.get("status_date"), "日期", problems)
        self._check_status(status, text(f.get("status_detail")), status_date, birth, problems)
        student = bool(f.get("student"))
        return {"name": name, "id_type": id_type, "id_number": number, "sex": sex or "",
                "birth_date": birth.isoformat() if birth else None, "ethnicity": text(f.get("ethnicity")),
                "relation": relation, "phone": phone, "student": student, "school": text(f.get("school")),
                "status": status, "status_detail": text(f.get("status_detail")),
                "status_date": status_date.isoformat() if status_date else None, "notes": text(f.get("notes"))}
