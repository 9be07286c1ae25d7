"""Checking an imported list row by row against the ledger's facts. Pure: no SQLite here.

Every problem names its place (file sheet:第N行:列) and says what is wrong in Chinese. A row with a problem
is not imported; a row whose person is not in the ledger is "unmatched" and goes back to the user as Excel.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..domain.idnumber import IdNumberError, parse_id_number
from ..domain.money import MoneyError, to_money
from ..domain.problems import Problem
from ..domain.vocabulary import CATEGORIES, DEPARTMENTS, NON_ENROLMENT_REASONS, Status
from .import_reader import ImportTable, SourceRow

STATUS_ALIASES: dict[str, str] = {
    "已死亡": Status.DEAD, "去世": Status.DEAD, "身故": Status.DEAD,
    "职工医保": Status.EMPLOYEE, "职工": Status.EMPLOYEE, "城镇职工医保": Status.EMPLOYEE,
    "异地": Status.ELSEWHERE, "外地参保": Status.ELSEWHERE,
    "恢复本地参保": Status.ENROLLED, "尚未缴费": Status.ENROLLED, "未缴费": Status.ENROLLED,
}
for _status in Status:
    STATUS_ALIASES.setdefault(_status.value, _status)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the ledger knows about one person, as the rules need it."""

    member_id: int
    household_id: int
    name: str
    village: str
    group: str
    status: str
    paid: Decimal | None = None  # collected this year (non-voided, not refunded); None = not paid
    categories: frozenset[str] = frozenset()


@dataclass(slots=True)
class LedgerFacts:
    villages: dict[str, frozenset[str]] | None  # village -> its groups; None = do not check
    categories: dict[str, str]  # accepted name (incl. policy aliases) -> canonical name
    people: Mapping[str, PersonFacts]  # by id_number (only those named in the file are needed)
    # what the person should pay on that day: (amount, "") or (None, why it cannot be quoted)
    due_on: Callable[[PersonFacts, dt.date], tuple[Decimal | None, str]] | None = None
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(slots=True)
class CheckedRow:
    table: ImportTable
    source: SourceRow
    values: dict[str, object]  # normalised: id_number str, amount Decimal, dates dt.date …
    person: PersonFacts | None
    action: str = "write"  # write | same (already in the ledger, nothing to do)


@dataclass(slots=True)
class CheckResult:
    kind: str
    rows: list[CheckedRow] = field(default_factory=list)  # clean rows (to write or already the same)
    problems: list[Problem] = field(default_factory=list)
    rejected: list[tuple[ImportTable, SourceRow, str]] = field(default_factory=list)  # bad rows + why
    unmatched: list[tuple[ImportTable, SourceRow, str]] = field(default_factory=list)  # nobody in the ledger

    @property
    def to_write(self) -> list[CheckedRow]:
        return [r for r in self.rows if r.action == "write"]


# -- value parsers: each returns (value, message or "") ---------------------------------------------------
def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_id(value: object) -> tuple[str | None, str]:
    if value is None or text_of(value) == "":
        return None, "身份证号为空"
    if isinstance(value, float) or (isinstance(value, int) and len(str(value)) >= 16):
        return None, (f"身份证号被存成了数字（{text_of(value)}），末几位已丢失：请把该列设为“文本”格式后重新录入")
    text = unicodedata.normalize("NFKC", text_of(value)).replace(" ", "")
    if _SCIENTIFIC.match(text):
        return None, (f"身份证号显示成了科学计数法（{text}），号码已丢失：请在原表中把该列设为“文本”格式、"
                      "重新录入后再另存")
    try:
        return parse_id_number(text).number, ""
    except IdNumberError as exc:
        return None, str(exc)


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object, label: str) -> tuple[dt.date | None, str]:
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 20000 <= value <= 80000:  # an Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), ""
        value = text_of(value)
    text = text_of(value)
    for pattern in _DATE_RES:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), ""
            except ValueError:
                break
    return None, f"{label}「{text}」不是有效日期（应为 2025-10-08 这样的日期）"


def parse_amount(value: object, label: str) -> tuple[Decimal | None, str]:
    if value is None or text_of(value) == "":
        return None, f"{label}为空"
    try:
        if isinstance(value, float):
            return to_money(Decimal(repr(value))), ""  # the cell's stored number, read exactly once
        return to_money(value if isinstance(value, (int, Decimal)) else str(value)), ""
    except (MoneyError, InvalidOperation):
        return None, f"{label}「{text_of(value)}」不是有效金额（最多两位小数）"


def department_name(text: str) -> str | None:
    """民政局 / 县民政局 / 区残联 -> 民政 / 残联; None if no known department is named."""
    t = text.strip()
    if t in DEPARTMENTS:
        return t
    for dept in sorted(DEPARTMENTS, key=len, reverse=True):
        if dept != "其他" and dept in t:
            return dept
    return None


def category_names(extra_aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    names = {c: c for c in CATEGORIES}
    names.update(extra_aliases or {})
    return names


# -- the checks -----------------------------------------------------------------------------------------
def check_tables(kind: str, tables: Iterable[ImportTable], facts: LedgerFacts,
                 cancelled: Callable[[], bool] | None = None) -> CheckResult:
    """Validate every row of every table; nothing is written here."""
    result = CheckResult(kind)
    first_seen: dict[object, str] = {}
    for table in tables:
        for n, source in enumerate(table.rows):
            if cancelled is not None and n % 1000 == 0 and cancelled():
                break
            _check_row(kind, table, source, facts, result, first_seen)
    return result


def _check_row(kind: str, table: ImportTable, source: SourceRow, facts: LedgerFacts, result: CheckResult,
               first_seen: dict[object, str]) -> None:
    raw = source.values
    msgs: list[tuple[str, str]] = []  # (field, message)
    values: dict[str, object] = {}

    number, why = parse_id(raw.get("id_number"))
    if why:
        msgs.append(("id_number", why))
    values["id_number"] = number
    for fld in ("name", "village", "group", "household_head", "household_no", "relation", "phone", "department",
                "status_detail", "note"):
        if fld in table.columns:
            values[fld] = text_of(raw.get(fld))

    if kind == "roster":
        if not values.get("name"):
            msgs.append(("name", "姓名为空"))
        _check_place(values, facts, msgs)
    elif kind == "category":
        text = text_of(raw.get("category"))
        canonical = facts.categories.get(text)
        if not text:
            msgs.append(("category", "人员类别为空"))
        elif canonical is None:
            msgs.append(("category", f"未知的人员类别「{text}」（可用：{'、'.join(CATEGORIES)}）"))
        values["category"] = canonical
        if text_of(raw.get("recognized_on")):
            values["recognized_on"], why = parse_date(raw.get("recognized_on"), "认定日期")
            if why:
                msgs.append(("recognized_on", why))
            elif values["recognized_on"] > facts.today:
                msgs.append(("recognized_on", f"认定日期 {values['recognized_on']} 晚于今天"))
        if values.get("department"):
            dept = department_name(values["department"])
            if dept is None:
                msgs.append(("department", f"未知的认定部门「{values['department']}」（可用：{'、'.join(DEPARTMENTS)}）"))
            values["department"] = dept or ""
    elif kind == "payment":
        values["amount"], why = parse_amount(raw.get("amount"), "缴费金额")
        if why:
            msgs.append(("amount", why))
        elif values["amount"] <= 0:
            msgs.append(("amount", f"缴费金额应大于0：{values['amount']}"))
        if not text_of(raw.get("paid_on")):
            msgs.append(("paid_on", "缴费日期为空"))
        else:
            values["paid_on"], why = parse_date(raw.get("paid_on"), "缴费日期")
            if why:
                msgs.append(("paid_on", why))
            elif values["paid_on"] > facts.today:
                msgs.append(("paid_on", f"缴费日期 {values['paid_on']} 晚于今天"))
    elif kind == "status":
        text = text_of(raw.get("status"))
        values["status"] = STATUS_ALIASES.get(text)
        if not text:
            msgs.append(("status", "人员状态为空"))
        elif values["status"] is None:
            msgs.append(("status", f"未知的人员状态「{text}」（可用：死亡、职工医保、异地参保、"
                                   f"{'、'.join(r for r in NON_ENROLMENT_REASONS if r not in (Status.DEAD, Status.ELSEWHERE))}）"))
        if text_of(raw.get("status_date")):
            values["status_date"], why = parse_date(raw.get("status_date"), "变动日期")
            if why:
                msgs.append(("status_date", why))
            elif values["status_date"] > facts.today:
                msgs.append(("status_date", f"变动日期 {values['status_date']} 晚于今天"))
        if values["status"] == Status.DEAD and not values.get("status_date") and not any(f == "status_date" for f, _ in msgs):
            msgs.append(("status", "状态为死亡时必须有死亡日期（变动日期列）"))
        if values["status"] == Status.ELSEWHERE and not values.get("status_detail"):
            msgs.append(("status", "异地参保须写明参保地（说明/参保地列）"))

    if number:
        key = (number, values.get("category")) if kind == "category" else number
        if key in first_seen:
            msgs.append(("id_number", f"与{first_seen[key]}重复：同一人在文件里出现了两次"))
        else:
            first_seen[key] = f"{source.sheet}第{source.row}行" if source.sheet else f"第{source.row}行"

    person = facts.people.get(number) if number else None
    if person is not None and values.get("name") and values["name"] != person.name:
        msgs.append(("name", f"姓名「{values['name']}」与台账中该身份证号的姓名「{person.name}」不一致"))
    action = "write"
    if not msgs and kind == "payment" and person is not None:
        amount = values["amount"]
        if person.paid is None and person.status != Status.ENROLLED:
            msgs.append(("id_number", f"{person.name} 在台账中的状态是「{person.status}」，不在本地参保，"
                                      "不能登记缴费（先改回本地参保）"))
        elif person.paid is not None:
            if person.paid == amount:
                action = "same"
            else:
                msgs.append(("amount", f"金额不符：名单 {amount} 元，台账已登记缴费 {person.paid} 元"))
        elif facts.due_on is not None:
            due, why = facts.due_on(person, values["paid_on"])
            if due is None:
                msgs.append(("paid_on", f"无法按政策核算应缴金额：{why}"))
            elif due != amount:
                msgs.append(("amount", f"金额不符：名单 {amount} 元，按政策应缴 {due} 元"))
    if not msgs and kind == "roster" and person is not None:
        action = "same"  # already in the ledger: the roster does not move people
    if not msgs and kind == "category" and person is not None and values["category"] in person.categories:
        action = "same"
    if not msgs and kind == "status" and person is not None and person.status == values["status"]:
        action = "same"

    if msgs:
        for fld, message in msgs:
            result.problems.append(Problem(table.place(source.row, fld), message))
        result.rejected.append((table, source, "；".join(m for _, m in msgs)))
        return
    if person is None and kind != "roster":
        why = "台账中查无此人（身份证号不在台账里）"
        result.problems.append(Problem(table.place(source.row, "id_number"), why))
        result.unmatched.append((table, source, why))
        return
    result.rows.append(CheckedRow(table, source, values, person, action))


def _check_place(values: dict, facts: LedgerFacts, msgs: list[tuple[str, str]]) -> None:
    village = values.get("village") or ""
    if not village:
        msgs.append(("village", "村（社区）为空"))
        return
    if facts.villages is None:
        return
    if village not in facts.villages:
        known = "、".join(facts.villages) or "（台账尚未设置村）"
        msgs.append(("village", f"未知的村（社区）「{village}」（台账中有：{known}）"))
        return
    group = values.get("group") or ""
    if group and group not in facts.villages[village]:
        known = "、".join(sorted(facts.villages[village])) or "（无）"
        msgs.append(("group", f"「{village}」没有「{group}」（已有：{known}）"))
