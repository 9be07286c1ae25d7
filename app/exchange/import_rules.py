"""Checking an imported list row by row against the ledger's facts. Pure: no SQLite here.

Every problem names its place (file sheet:第N行:列) and says what is wrong in Chinese. A row with a problem
is not imported; a row whose person is not in the ledger is "unmatched" and goes back to the user as Excel.
Whatever the ledger would refuse on commit (control characters, over-long text, a second head) is found here
first, so the preview and the commit agree. Roster rows (people and their households): ``roster_rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from decimal import Decimal

from ..domain.duplicate_match import TWO_HOLDERS
from ..domain.problems import Problem
from ..domain.vocabulary import DEPARTMENTS, NON_ENROLMENT_REASONS, Status
from .import_reader import ImportTable, SourceRow
from .import_values import (MAX_LENGTH, id_birth, parse_amount, parse_date, parse_id, suspect, text_of,
                            text_problem)
from .import_vocab import SEVERE_GRADES, STATUS_ALIASES, category_names, split_categories

__all__ = ["PersonFacts", "LedgerFacts", "CheckedRow", "SameRow", "CheckResult", "check_tables", "parse_id", "parse_date",
           "parse_amount", "text_of", "category_names", "department_name", "STATUS_ALIASES"]


NO_CATEGORIES: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the ledger knows about one person, as the rules need it (only what the kind of list needs is
    looked up: a roster needs no payments, a payment list no categories)."""

    member_id: int
    household_id: int
    name: str
    status: str = ""
    paid: Decimal | None = None  # collected this year (non-voided, not refunded); None = not paid
    categories: frozenset[str] = NO_CATEGORIES
    relation: str = ""
    twice: bool = False  # two members hold the number and no 专干 decided which stands (重复参保): refused


@dataclass(slots=True)
class LedgerFacts:
    villages: dict[str, frozenset[str]] | None  # village -> its groups; None = do not check
    categories: dict[str, str]  # accepted name (incl. policy aliases) -> canonical name
    people: Mapping[str, PersonFacts]  # by id_number (only those named in the file are needed)
    # the rows' payments planned by the ledger's one payment plan, the rules the window and the CLI use:
    # [(person, amount, day)] -> per row ([(field, problem)], [warning]) (``imports.plan_payment_rows``)
    plan_payments: Callable[[list[tuple[PersonFacts, Decimal, dt.date]]],
                            list[tuple[list[tuple[str, str]], list[str]]]] | None = None
    today: dt.date = field(default_factory=dt.date.today)
    heads: Mapping[str, bool] = field(default_factory=dict)  # 户编号 in the ledger -> that household has a head
    parsed: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # ID cells of the rows being checked
    # accepted name -> (canonical, where the name comes from) for names that are not the canonical one
    alias_sources: Mapping[str, str] = field(default_factory=dict)
    # someone the chunked ID look-up cannot find: (household key, number, name, birth date) -> the person;
    # a number of another document, or none (then the household's members without one, by name and birth)
    find_person: Callable[[tuple | None, str | None, str, dt.date | None], PersonFacts | None] | None = None
    applied: dict[tuple[str, str], int] = field(default_factory=dict)  # (as written, category) -> rows
    unknown: dict[str, int] = field(default_factory=dict)  # category names nobody named -> rows

    def parse_id(self, value: object) -> tuple[str | None, str]:
        """An ID cell parsed once: the preview parses the cells of each chunk of rows before looking the people
        up, and the rules read that result here."""
        if type(value) is str:
            hit = self.parsed.get(value)
            if hit is not None:
                return hit
        return parse_id(value)


@dataclass(slots=True)
class CheckedRow:
    table: ImportTable
    source: SourceRow
    values: dict[str, object]  # normalised: id_number str, amount Decimal, dates dt.date …
    person: PersonFacts | None
    action: str = "write"  # write | category (roster: add categories to someone already in the ledger)


class SameRow(NamedTuple):
    """A row the ledger already holds exactly: nothing to write, so nothing of it is kept but where it is."""

    table: ImportTable
    row: int
    id_number: str


@dataclass(slots=True)
class CheckResult:
    kind: str
    rows: list[CheckedRow] = field(default_factory=list)  # clean rows to write
    problems: list[Problem] = field(default_factory=list)
    rejected: list[tuple[ImportTable, SourceRow, str]] = field(default_factory=list)  # bad rows + why
    unmatched: list[tuple[ImportTable, SourceRow, str]] = field(default_factory=list)  # nobody in the ledger
    new_places: dict[str, set[str]] = field(default_factory=dict)  # roster: village -> groups to create
    new_villages: set[str] = field(default_factory=set)  # roster: of those, the villages that are new
    skipped: list[tuple[ImportTable, SourceRow, str]] = field(default_factory=list)  # fine, but nothing to import
    same: list[SameRow] = field(default_factory=list)  # already in the ledger as the file says
    count: int = 0  # data rows checked
    mapped_values: list[tuple[str, str, str, int]] = field(default_factory=list)  # (as written, to, why, rows)
    unknown_categories: list[tuple[str, int]] = field(default_factory=list)  # (as written, rows): the user maps
    category_choices: list[str] = field(default_factory=list)  # the policy's categories, to map them to
    warnings: list[Problem] = field(default_factory=list)  # what the documents want said (payments)
    problem_rows: list[tuple[ImportTable, int]] = field(default_factory=list, repr=False)  # where each problem is
    table_order: dict[int, int] = field(default_factory=dict, repr=False)  # id(table) -> its place in the file

    @property
    def to_write(self) -> list[CheckedRow]:
        return self.rows

    def reject(self, table: ImportTable, source: SourceRow, msgs: list[tuple[str, str]]) -> None:
        for fld, message in msgs:
            self.problems.append(Problem(table.place(source.row, fld), message))
            self.problem_rows.append((table, source.row))
        self.rejected.append((table, source, "；".join(m for _, m in msgs)))

    def in_file_order(self) -> None:
        """Problems and refused rows by sheet and row (the payment plan judges rows after they were read)."""
        order = self.table_order
        keyed = sorted(zip(self.problem_rows, self.problems), key=lambda kp: (order.get(id(kp[0][0]), 0), kp[0][1]))
        self.problem_rows = [k for k, _ in keyed]
        self.problems = [p for _, p in keyed]
        self.rejected.sort(key=lambda r: (order.get(id(r[0]), 0), r[1].row))

    def keep(self, row: CheckedRow, settled: bool = True) -> None:
        """A clean row. ``settled``: no later check can refuse it any more, so its cells (wanted only for the
        file of rows left out) are let go — a long list is not held in memory twice."""
        if row.action == "same":
            self.same.append(SameRow(row.table, row.source.row, row.values.get("id_number") or ""))
        else:
            if settled:
                row.source.cells = ()
            self.rows.append(row)


def department_name(text: str) -> str | None:
    """民政局 / 县民政局 / 区残联 / 乡村振兴局 -> 民政 / 残联 / 乡村振兴; None if no known department is named."""
    t = text.strip()
    if t in DEPARTMENTS:
        return t
    for dept in sorted(DEPARTMENTS, key=len, reverse=True):
        if dept != "其他" and dept in t:
            return dept
    if "残疾人联合会" in t:
        return "残联"
    return None


# -- the checks -----------------------------------------------------------------------------------------
def check_tables(kind: str, tables: Iterable[ImportTable], facts: LedgerFacts,
                 cancelled: Callable[[], bool] | None = None,
                 rows_of: Callable[[ImportTable], Iterable[SourceRow]] | None = None) -> CheckResult:
    """Validate every row of every table; nothing is written here. ``rows_of`` gives a table's rows (the
    preview streams them, looking up the people of each chunk before its rows are checked)."""
    rows_of = rows_of or ImportTable.iter_rows
    if kind == "roster":
        from .roster_rules import check_roster

        result = check_roster(tables, facts, cancelled, rows_of)
    else:
        result = _check_lists(kind, tables, facts, cancelled, rows_of)
    result.mapped_values = [(part, cat, facts.alias_sources.get(part, ""), n)
                            for (part, cat), n in sorted(facts.applied.items())]
    result.unknown_categories = sorted(facts.unknown.items())
    result.category_choices = [c for c, canonical in facts.categories.items() if c == canonical]
    return result


def _check_lists(kind, tables, facts, cancelled, rows_of) -> CheckResult:
    result = CheckResult(kind)
    first_seen: dict[object, str] = {}
    for table in tables:
        result.table_order[id(table)] = len(result.table_order)
        for n, source in enumerate(rows_of(table)):
            if cancelled is not None and n % 1000 == 0 and cancelled():
                break
            result.count += 1
            _check_row(kind, table, source, facts, result, first_seen)
    if kind == "payment":
        _plan_payments(result, facts)
    return result


def check_texts(table: ImportTable, source: SourceRow, fields: tuple[str, ...], values: dict,
                msgs: list[tuple[str, str]]) -> None:
    """Plain text fields into ``values``, with what the ledger would refuse as problems."""
    specs = table.cache.get(fields)
    if specs is None:  # the fields this table has, their columns, labels and limits: worked out once
        specs = table.cache[fields] = [(f, table.columns[f], table.headings[table.columns[f]] or f, MAX_LENGTH.get(f))
                                       for f in fields if f in table.columns]
    cells = source.cells
    width = len(cells)
    texts = []
    for fld, idx, label, limit in specs:
        value = cells[idx] if idx < width else None
        text = value.strip() if type(value) is str else text_of(value)
        values[fld] = text
        if text:
            texts.append(text)
            if limit is not None and len(text) > limit:
                msgs.append((fld, f"{label}过长：{len(text)} 个字，最多 {limit} 个字"))
    if texts and suspect("|".join(texts)):  # one search per row; the field and the character only on a hit
        for fld, _idx, label, _limit in specs:
            why = text_problem(values[fld], label, None)
            if why:
                msgs.append((fld, why))


def check_date(raw: object, fld: str, label: str, facts: LedgerFacts, values: dict,
               msgs: list[tuple[str, str]]) -> None:
    if not text_of(raw):
        return
    values[fld], why = parse_date(raw, label)
    if why:
        msgs.append((fld, why))
    elif values[fld] > facts.today:
        msgs.append((fld, f"{label} {values[fld]} 晚于今天"))


def parse_categories(text: str, facts: LedgerFacts) -> tuple[list[str], str]:
    """Canonical categories named in one cell, or a message naming the unknown one. A name that is not the
    category's own is counted in ``facts.applied`` (the preview lists each mapping it applied)."""
    if not text:
        return [], ""
    out = []
    for part in split_categories(text):
        canonical = facts.categories.get(part)
        if canonical is None:
            facts.unknown[part] = facts.unknown.get(part, 0) + 1
            known = "、".join(dict.fromkeys(facts.categories.values()))
            return [], (f"未知的人员类别「{part}」：政策文件没有这个名称，不猜测它是哪一类（可用：{known}；"
                        f"如确是其中一类，请在预览里指定，命令行用 --map-value {part}=类别）")
        if canonical not in out:
            out.append(canonical)
        if part != canonical:
            key = (part, canonical)
            facts.applied[key] = facts.applied.get(key, 0) + 1
    return out, ""


def _check_row(kind: str, table: ImportTable, source: SourceRow, facts: LedgerFacts, result: CheckResult,
               first_seen: dict[object, str]) -> None:
    msgs: list[tuple[str, str]] = []  # (field, message)
    values: dict[str, object] = {}

    number, why = facts.parse_id(source.get("id_number"))
    if why:
        msgs.append(("id_number", why))
    values["id_number"] = number
    check_texts(table, source, ("name", "village", "group", "department", "status_detail", "note"), values, msgs)

    if kind == "category":
        _category_values(table, source, facts, values, msgs)
    elif kind == "payment":
        values["amount"], why = parse_amount(source.get("amount"), "缴费金额")
        if why:
            msgs.append(("amount", why))
        elif values["amount"] <= 0:
            msgs.append(("amount", f"缴费金额应大于0：{values['amount']}"))
        if not text_of(source.get("paid_on")):
            msgs.append(("paid_on", "缴费日期为空"))
        else:
            check_date(source.get("paid_on"), "paid_on", "缴费日期", facts, values, msgs)
    elif kind == "status":
        text = text_of(source.get("status"))
        values["status"] = STATUS_ALIASES.get(text)
        if not text:
            msgs.append(("status", "人员状态为空"))
        elif values["status"] is None:
            msgs.append(("status", f"未知的人员状态「{text}」（可用：死亡、职工医保、异地参保、"
                                   f"{'、'.join(r for r in NON_ENROLMENT_REASONS if r not in (Status.DEAD, Status.ELSEWHERE))}）"))
        check_date(source.get("status_date"), "status_date", "变动日期", facts, values, msgs)
        if values["status"] == Status.DEAD and not values.get("status_date") and not any(f == "status_date" for f, _ in msgs):
            msgs.append(("status", "状态为死亡时必须有死亡日期（变动日期列）"))
        if values["status"] == Status.ELSEWHERE and not values.get("status_detail"):
            msgs.append(("status", "异地参保须写明参保地（说明/参保地列）"))
        if values.get("status_date") and number and values["status_date"] < id_birth(number):
            msgs.append(("status_date", f"变动日期 {values['status_date']} 早于出生日期 {id_birth(number)}"))

    if number:
        key = (number, tuple(values.get("categories") or ())) if kind == "category" else number
        if key in first_seen:
            msgs.append(("id_number", f"与{first_seen[key]}重复：同一人在文件里出现了两次"))
        else:
            first_seen[key] = f"{source.sheet}第{source.row}行" if source.sheet else f"第{source.row}行"

    person = facts.people.get(number) if number else None
    if person is not None and person.twice:
        msgs.append(("id_number", TWO_HOLDERS))
    elif person is not None and values.get("name") and values["name"] != person.name:
        msgs.append(("name", f"姓名「{values['name']}」与台账中该身份证号的姓名「{person.name}」不一致"))
    action = "write"
    if not msgs and kind == "category" and not values["categories"]:  # 残联's 三级/四级残疾
        grade = text_of(source.get("disability_grade"))
        result.skipped.append((table, source, f"残疾等级「{grade}」不是重度残疾（一级、二级），不计为人员类别"))
        return
    if not msgs and kind == "payment" and person is not None:
        action = _payment_action(person, values, facts, msgs)
    if not msgs and kind == "category" and person is not None:
        values["categories"] = [c for c in values["categories"] if c not in person.categories]
        if not values["categories"]:
            action = "same"
    if not msgs and kind == "status" and person is not None and person.status == values["status"]:
        action = "same"

    if msgs:
        result.reject(table, source, msgs)
        return
    if person is None:
        why = "台账中查无此人（身份证号不在台账里）"
        result.problems.append(Problem(table.place(source.row, "id_number"), why))
        result.problem_rows.append((table, source.row))
        result.unmatched.append((table, source, why))
        return
    result.keep(CheckedRow(table, source, values, person, action), settled=kind != "payment")


def _category_values(table, source, facts: LedgerFacts, values: dict, msgs: list) -> None:
    if "category" in table.columns:
        text = text_of(source.get("category"))
        if not text:
            msgs.append(("category", "人员类别为空"))
        values["categories"], why = parse_categories(text, facts)
        if why:
            msgs.append(("category", why))
        elif text and not values["categories"]:
            msgs.append(("category", f"「{text}」不是人员类别：人员类别名单里每一行都应有类别"))
    else:  # 残联: 残疾等级 一级/二级 = 重度残疾人
        grade = text_of(source.get("disability_grade")).replace(" ", "")
        values["categories"] = ["重度残疾人"] if grade in SEVERE_GRADES else []
        if not grade:
            msgs.append(("disability_grade", "残疾等级为空"))
    check_date(source.get("recognized_on"), "recognized_on", "认定日期", facts, values, msgs)
    if values.get("department"):
        dept = department_name(values["department"])
        if dept is None:
            msgs.append(("department", f"未知的认定部门「{values['department']}」（可用：{'、'.join(DEPARTMENTS)}）"))
        values["department"] = dept or ""


def _payment_action(person: PersonFacts, values: dict, facts: LedgerFacts, msgs: list) -> str:
    """A payment the ledger already holds at that amount is the same row (the file imported again); at another
    amount the file and the ledger disagree. Everything else — status, amount due, the payment window — is
    the payment plan's to judge (``_plan_payments``), as at the counter."""
    if person.paid is None:
        return "write"
    if person.paid == values["amount"]:
        return "same"
    msgs.append(("amount", f"金额不符：名单 {values['amount']} 元，台账已登记缴费 {person.paid} 元"))
    return "write"


def _plan_payments(result: CheckResult, facts: LedgerFacts) -> None:
    """Every payment row planned by the ledger's payment plan (one batch: the look-ups are shared). A row the
    plan refuses, or that would need an override reason at the counter, is refused here with the plan's
    words; the plan's warnings are shown with the preview."""
    if facts.plan_payments is None or not result.rows:
        return
    verdicts = facts.plan_payments([(r.person, r.values["amount"], r.values["paid_on"]) for r in result.rows])
    keep: list[CheckedRow] = []
    for row, (problems, warnings) in zip(result.rows, verdicts):
        if problems:
            result.reject(row.table, row.source, problems)
            continue
        for w in warnings:
            result.warnings.append(Problem(row.table.place(row.source.row), w))
        row.source.cells = ()  # planned: nothing can refuse it now
        keep.append(row)
    result.rows = keep
    result.in_file_order()
