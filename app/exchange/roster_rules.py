"""Roster rows (户籍名单 / 花名册): people, their households, villages and groups, categories. Pure.

Households are keyed by 户编号 when the file has one, else by the head's ID number (a 户主身份证号 column,
or the 户主 row a member follows) — never by the head's name: two 张伟 heads in one group are two
households. 本人 / 户主本人 mean 户主. Villages and groups the ledger lacks are collected for the preview to
offer (``CheckResult.new_places``); they are created on commit only when the user confirms.
"""

from __future__ import annotations

import re
from operator import itemgetter
from collections.abc import Callable, Iterable

from ..domain.duplicate_match import TWO_HOLDERS
from ..domain.vocabulary import DEPARTMENTS, Status
from ..ledger.households import check_phone
from ..ledger.identity import NO_ID, RESIDENT_ID, validate_identity
from .import_reader import ImportTable, SourceRow
from .import_rules import (CheckedRow, CheckResult, LedgerFacts, check_date, check_texts, department_name,
                           parse_categories)
from .import_values import id_birth, id_sex, text_of
from .import_vocab import (ENROLLED, HEAD, ROSTER_STATUS, SEX, ethnicity_of, group_of, relation_of,
                           village_of)

_LIST_SPLIT = re.compile(r"[、,，;；]")  # parallel lists in one cell (not "/": 2023/6/1 is one date)
NOT_GIVEN = "-"  # in a parallel list: this category has no department / date


def _parallel(text: str) -> list[str]:
    return [p.strip() for p in _LIST_SPLIT.split(text)] if text.strip() else []

TEXT_FIELDS = ("name", "village", "group", "household_head", "household_no", "relation", "ethnicity", "school",
               "status_detail", "note", "department")


class _Block:
    """The household the rows below a 户主 row belong to (until the next 户主)."""

    __slots__ = ("key", "head_name", "village", "group", "row")

    def __init__(self, key, head_name, village, group, row):
        self.key, self.head_name, self.village, self.group, self.row = key, head_name, village, group, row


def check_roster(tables: Iterable[ImportTable], facts: LedgerFacts,
                 cancelled: Callable[[], bool] | None = None,
                 rows_of: Callable[[ImportTable], Iterable[SourceRow]] = ImportTable.iter_rows) -> CheckResult:
    """Rows are checked as they stream by; of each row only what the commit or the preview needs is kept
    (where a person was first seen, a household's head row: as (sheet, row), never the row's cells)."""
    result = CheckResult("roster")
    places: dict[tuple[str, str], tuple[str, str]] = {}  # (village, group) as written -> the ledger's names
    first_seen: dict[str, tuple[str, int]] = {}
    heads: dict[tuple, tuple[str, int]] = {}  # household key -> where its head row is
    bad_heads: dict[tuple, str] = {}  # household key -> where its (rejected) head row is
    for table in tables:
        block: _Block | None = None
        for n, source in enumerate(rows_of(table)):
            if cancelled is not None and n % 1000 == 0 and cancelled():
                break
            result.count += 1
            block = _check_row(table, source, facts, result, first_seen, heads, bad_heads, block, places)
    _second_pass(result, facts, heads, bad_heads)
    for row in result.rows:
        if row.action != "write":
            continue
        v, g = row.values["village"], row.values.get("group") or ""
        if facts.villages is not None and v not in facts.villages:
            result.new_villages.add(v)
            result.new_places.setdefault(v, set())
        if facts.villages is not None and g and g not in facts.villages.get(v, frozenset()):
            result.new_places.setdefault(v, set()).add(g)
    return result


def _raw_values(table: ImportTable, cells) -> dict[str, object]:
    """The row's cells by field (``SourceRow.values``), picked in one C call with a getter made once per table."""
    spec = table.cache.get("raw")
    if spec is None:
        keys, idxs = tuple(table.columns), tuple(table.columns.values())
        spec = table.cache["raw"] = (keys, itemgetter(*idxs) if len(idxs) > 1 else None, max(idxs, default=-1) + 1)
    keys, pick, width = spec
    if pick is not None and len(cells) >= width:
        return dict(zip(keys, pick(cells)))
    return {k: (cells[i] if i < len(cells) else None) for k, i in table.columns.items()}


def _where(source: SourceRow | tuple[str, int]) -> str:
    sheet, row = (source.sheet, source.row) if isinstance(source, SourceRow) else source
    return f"{sheet}第{row}行" if sheet else f"第{row}行"


def _check_row(table: ImportTable, source: SourceRow, facts: LedgerFacts, result: CheckResult,
               first_seen: dict, heads: dict, bad_heads: dict, block: _Block | None,
               places: dict) -> _Block | None:
    msgs: list[tuple[str, str]] = []
    values: dict[str, object] = {}
    raw = _raw_values(table, source.cells)  # one dict per row: cheaper than a lookup per field
    number = _identity(raw, facts, values, msgs)
    check_texts(table, source, TEXT_FIELDS, values, msgs)
    if not values.get("name"):
        msgs.append(("name", "姓名为空"))
    place = (values.get("village") or "", values.get("group") or "")
    if place not in places:
        known = facts.villages or {}
        village = village_of(place[0], known)
        places[place] = (village, group_of(place[1], known.get(village, ())))
    village, values["group"] = places[place]
    values["village"] = village
    if not village:
        msgs.append(("village", "村（社区）为空"))
    relation = relation_of(values.get("relation") or "")
    if not relation and values.get("household_head") and values.get("household_head") == values.get("name"):
        relation = HEAD
    values["relation"] = relation
    _person_fields(raw, facts, values, msgs, number)

    # the household this row belongs to
    key, block = _household_key(table, raw, facts, values, block, msgs)
    values["household_key"] = key
    # who this is in the ledger: by ID number; a person without one (证件类型 无) by household, name and birth
    # date, so the same file imported twice does not add them twice (another household's 张三 is another man)
    if number:
        person = facts.people.get(number)
        if person is None and values.get("id_type") != RESIDENT_ID and facts.find_person is not None:
            person = facts.find_person(None, number, "", None)  # a passport, permit …: not looked up by chunk
        seen_key: object = number
    else:
        person = None
        seen_key = ("无证件", key, values.get("name"), values.get("birth_date")) if key is not None else None
        if seen_key is not None and values.get("name") and facts.find_person is not None:
            person = facts.find_person(key, None, values["name"], values.get("birth_date"))
    if seen_key is not None:
        if seen_key in first_seen:
            msgs.append(("id_number" if number else "name",
                         f"与{_where(first_seen[seen_key])}重复：同一人在文件里出现了两次"))
        else:
            first_seen[seen_key] = (source.sheet, source.row)
    if key is not None and relation == HEAD:
        if key in heads:
            msgs.append(("relation", f"这一户已有户主（{_where(heads[key])}）：一户只能有一名户主"))
        elif key[0] == "no" and facts.heads.get(key[1]) and person is None:
            msgs.append(("relation", f"台账中户编号「{key[1]}」的户已有户主：一户只能有一名户主"))
        elif key[0] == "head" and key[1] != number and key[1] in facts.people and person is None:
            msgs.append(("relation", f"这一户在台账中已有户主 {facts.people[key[1]].name}：一户只能有一名户主"))

    if person is not None and person.twice:
        msgs.append(("id_number", TWO_HOLDERS))
    elif person is not None and values.get("name") and values["name"] != person.name:
        msgs.append(("name", f"姓名「{values['name']}」与台账中该证件号码的姓名「{person.name}」不一致"))
    if key is not None and key[0] == "head" and key[1] != number and getattr(facts.people.get(key[1]), "twice", False):
        msgs.append(("household_head_id" if "household_head_id" in table.columns else "relation", TWO_HOLDERS.replace("该身份证号", "户主身份证号")))
    if msgs:
        if key is not None and relation == HEAD:
            bad_heads.setdefault(key, _where(source))
        result.reject(table, source, msgs)
        return block
    if key is not None and relation == HEAD:
        heads[key] = (source.sheet, source.row)
    action = "write"
    if person is not None:  # already in the ledger: the roster does not move people; it adds categories
        values["categories"] = [c for c in values["categories"] if c[0] not in person.categories]
        action = "category" if values["categories"] else "same"
    # settled: the second pass refuses only a new person whose household's head is neither accepted nor in
    # the ledger; any other row keeps nothing of the file's cells
    settled = person is not None or key in heads or (key[0] == "head" and key[1] in facts.people) or (
        key[0] == "no" and bool(facts.heads.get(key[1])))
    result.keep(CheckedRow(table, source, values, person, action), settled)
    return block


def _identity(raw: dict, facts: LedgerFacts, values: dict, msgs: list) -> str | None:
    """The person's document: a 居民身份证 (most rows), another document checked by the ledger's own rule,
    or none (证件类型 无, with a 出生日期)."""
    id_type = text_of(raw.get("id_type")).replace(" ", "") if "id_type" in raw else ""
    id_type = RESIDENT_ID if id_type in ("", "身份证", "居民身份证", "第二代居民身份证") else id_type
    values["id_type"] = id_type
    if "birth_date" in raw and text_of(raw["birth_date"]):
        check_date(raw["birth_date"], "birth_date", "出生日期", facts, values, msgs)
    if id_type == RESIDENT_ID:
        number, why = facts.parse_id(raw.get("id_number"))
        if why:
            msgs.append(("id_number", why))
        elif values.get("birth_date") and values["birth_date"] != id_birth(number):
            msgs.append(("birth_date", f"出生日期 {values['birth_date']} 与身份证号中的 {id_birth(number)} 不一致"))
        values["id_number"] = number
        return number
    problems: list = []
    number, birth, _sex = validate_identity(id_type, text_of(raw.get("id_number")), values.get("birth_date"),
                                            "", problems)
    field_of = {"证件类型": "id_type", "证件号码": "id_number", "出生日期": "birth_date"}
    msgs.extend((field_of.get(p.place, "id_number"), p.message) for p in problems)
    values["id_number"], values["birth_date"] = (number if id_type != NO_ID else None), birth
    return values["id_number"]


def _person_fields(raw: dict, facts: LedgerFacts, values: dict, msgs: list, number: str | None) -> None:
    phone = text_of(raw.get("phone"))
    if phone:
        phone_problems: list = []
        phone = check_phone(phone, "电话", phone_problems)
        msgs.extend(("phone", p.message) for p in phone_problems)
    values["phone"] = phone
    sex_text = text_of(raw.get("sex"))
    sex = SEX.get(sex_text, "") if sex_text else ""
    if sex_text and not sex:
        msgs.append(("sex", f"性别应为 男 或 女：{sex_text}"))
    elif sex and number and values["id_type"] == RESIDENT_ID and sex != id_sex(number):
        msgs.append(("sex", f"性别「{sex}」与身份证号（{id_sex(number)}）不一致"))
    values["sex"] = sex or (id_sex(number) if number and values["id_type"] == RESIDENT_ID else "")
    values["ethnicity"] = ethnicity_of(values.get("ethnicity") or "")

    if "status" not in raw and "status_date" not in raw:
        values["status"] = ENROLLED
    else:
        _status(raw, facts, values, msgs, number)
    _categories(raw, facts, values, msgs)


def _status(raw: dict, facts: LedgerFacts, values: dict, msgs: list, number: str | None) -> None:
    status_text = text_of(raw.get("status"))
    status = ROSTER_STATUS.get(status_text) or ROSTER_STATUS.get(status_text.replace(" ", ""))
    if status is None:
        msgs.append(("status", f"未知的参保状态「{status_text}」（可用：本地参保、参加职工医保、异地参保、死亡、迁出……）"))
    values["status"] = status or ENROLLED
    check_date(raw.get("status_date"), "status_date", "变动日期", facts, values, msgs)
    if values["status"] == Status.DEAD and not values.get("status_date") and not any(f == "status_date" for f, _ in msgs):
        msgs.append(("status", "状态为死亡时必须有死亡日期（变动日期列）"))
    if values["status"] == Status.ELSEWHERE and not values.get("status_detail"):
        msgs.append(("status", "异地参保须写明参保地（说明/参保地列）"))
    if values.get("status_date"):
        birth = id_birth(number) if number and values["id_type"] == RESIDENT_ID else values.get("birth_date")
        if birth and values["status_date"] < birth:
            msgs.append(("status_date", f"变动日期 {values['status_date']} 早于出生日期 {birth}"))


def _categories(raw: dict, facts: LedgerFacts, values: dict, msgs: list) -> None:
    """One cell may name several categories (低保对象、重度残疾人), with parallel departments and dates."""
    cats, why = parse_categories(text_of(raw.get("category")), facts)
    if why:
        msgs.append(("category", why))
    if not cats:
        values["categories"] = ()  # shared: most rows name none (and a list per row is one more object to keep)
        return
    depts = _parallel(values.get("department") or "")
    raw_day = raw.get("recognized_on")
    days = _parallel(text_of(raw_day)) if text_of(raw_day) and not hasattr(raw_day, "year") else [raw_day]
    out = []
    for i, cat in enumerate(cats):
        dept_text = depts[i] if i < len(depts) else (depts[0] if len(depts) == 1 else "")
        dept = department_name(dept_text) if dept_text not in ("", NOT_GIVEN) else ""
        if dept is None:
            msgs.append(("department", f"未知的认定部门「{dept_text}」（可用：{'、'.join(DEPARTMENTS)}）"))
        day = days[i] if i < len(days) else (days[0] if len(days) == 1 else None)
        day_values: dict = {}
        if day == NOT_GIVEN:
            day_values["recognized_on"] = NOT_GIVEN  # the ledger had no date: keep none (not the import date)
        else:
            check_date(day, "recognized_on", "认定日期", facts, day_values, msgs)
        out.append((cat, dept or "", day_values.get("recognized_on")))
    values["categories"] = out


def _household_key(table: ImportTable, raw: dict, facts: LedgerFacts, values: dict, block: _Block | None,
                   msgs: list) -> tuple[tuple | None, _Block | None]:
    number, relation = values["id_number"], values["relation"]
    if values.get("household_no"):
        key = ("no", values["household_no"])
    elif "household_head_id" in table.columns and text_of(raw.get("household_head_id")):
        head_id, why = facts.parse_id(raw.get("household_head_id"))
        if why:
            msgs.append(("household_head_id", f"户主身份证号：{why}"))
            return None, block
        key = ("head", head_id)
    elif relation == HEAD:
        if not number:
            msgs.append(("relation", "户主没有身份证号：这样的户须有户编号列"))
            return None, block
        key = ("head", number)
    elif block is not None and block.village == values["village"] and block.group == values.get("group") and (
            not values.get("household_head") or values["household_head"] == block.head_name):
        return block.key, block
    else:
        head = values.get("household_head")
        msgs.append(("relation", "找不到这个人的户主" + (f"「{head}」" if head else "")
                     + "：请把成员排在本户户主那一行下面，或加上户编号、户主身份证号列"))
        return None, block
    if relation == HEAD and key is not None:
        block = _Block(key, values.get("name"), values["village"], values.get("group"), 0)
    return key, block


def _second_pass(result: CheckResult, facts: LedgerFacts, heads: dict, bad_heads: dict) -> None:
    """Members whose head row was refused go too; a household keyed by a head found nowhere is a problem."""
    keep: list[CheckedRow] = []
    for row in result.rows:
        key = row.values.get("household_key")
        msg = ""
        in_ledger = key is not None and ((key[0] == "head" and key[1] in facts.people)
                                         or (key[0] == "no" and facts.heads.get(key[1])))
        if row.person is None and key is not None and key not in heads and not in_ledger:
            if key in bad_heads:
                msg = f"本户户主那一行（{bad_heads[key]}）有问题，本行一并不导入"
            elif key[0] == "head" and key[1] not in facts.people:
                msg = "户主身份证号既不在文件里，也不在台账里：请先导入户主"
        if msg:
            result.reject(row.table, row.source, [("id_number", msg)])
        else:
            keep.append(row)
    result.rows = keep
