"""Importing a list into the ledger: ``preview`` reads and checks (writes nothing); ``commit`` writes every
clean row in one transaction together with an import log entry, or nothing at all.

Rows with a problem are not written; rows whose person is not in the ledger are not written either. Both
come back as an Excel file (``write_leftovers``) with the original columns and a 问题 column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from .columns import Column, ColumnSet
from .from_ledger import yuan
from .import_reader import field_catalog, read_table
from .import_rules import CheckResult, LedgerFacts, PersonFacts, category_names, check_tables
from .workbook import WorkbookWriter

KINDS = ("roster", "category", "payment", "status")
PAYMENT_METHOD = "税务APP"


@dataclass(slots=True)
class ImportPreview:
    path: Path
    kind: str
    check: CheckResult
    reading_problems: list[Problem] = field(default_factory=list)
    row_count: int = 0

    @property
    def problems(self) -> list[Problem]:
        return self.reading_problems + self.check.problems

    @property
    def to_write(self):
        return self.check.to_write

    def summary(self) -> str:
        c = self.check
        same = sum(1 for r in c.rows if r.action == "same")
        return (f"共 {self.row_count} 行：可导入 {len(c.to_write)} 行，台账中已有相同记录 {same} 行，"
                f"有问题 {len(c.rejected)} 行，查无此人 {len(c.unmatched)} 行")


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    written: int
    log_id: int | None
    leftovers: Path | None


# -- facts from the ledger ------------------------------------------------------------------------------
def ledger_facts(ledger, id_numbers: set[str]) -> LedgerFacts:
    """What the rules need, for just the people the file names."""
    villages = {v.name: frozenset(g.name for g in v.groups) for v in ledger.settings.villages()}
    try:
        policy = ledger.policy()
        aliases = dict(getattr(policy, "aliases", {}) or {})
        year = ledger.settings.get().year
    except ProblemsError:
        aliases, year = {}, None
    people: dict[str, PersonFacts] = {}
    ids = sorted(id_numbers)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        sql = ("SELECT m.id_number, m.id, m.household_id, m.name, v.name, coalesce(g.name, ''), m.status,"
               " (SELECT sum(s.amount_fen) FROM standing_items s WHERE s.member_id = m.id AND s.year = ?),"
               " (SELECT group_concat(c.category, char(31)) FROM member_categories c"
               "   WHERE c.member_id = m.id AND c.ended_on IS NULL)"
               " FROM members m JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id"
               " LEFT JOIN village_groups g ON g.id = h.group_id WHERE m.id_number IN (" + marks + ")")
        for number, mid, hid, name, village, group, status, paid_fen, cats in ledger.db.execute(sql, [year, *chunk]):
            people[number] = PersonFacts(mid, hid, name, village, group, status, yuan(paid_fen),
                                         categories=frozenset((cats or "").split("\x1f")) - {""})

    def due_on(person: PersonFacts, day: dt.date) -> tuple[Decimal | None, str]:
        try:
            q = ledger.payments.quote(person.member_id, day)
        except ProblemsError as exc:
            return None, "；".join(p.message for p in exc.problems)
        if not q.open or q.due is None:
            return None, q.reason or "政策不允许在该日缴费"
        return q.due, ""

    return LedgerFacts(villages=villages, categories=category_names(aliases), people=people, due_on=due_on)


# -- preview --------------------------------------------------------------------------------------------
def preview(ledger, path: str | Path, kind: str, cancelled: Callable[[], bool] | None = None) -> ImportPreview:
    """Read and check a list against the ledger. Writes nothing."""
    if kind not in KINDS:
        raise ProblemsError([Problem("名单类型", f"未知的名单类型 {kind}（可用：{'、'.join(KINDS)}）")])
    p = Path(path)
    tables, reading = read_table(p, kind)
    from .import_rules import parse_id

    ids = {n for t in tables for r in t.rows if (n := parse_id(r.values.get("id_number"))[0])}
    facts = ledger_facts(ledger, ids)
    check = check_tables(kind, tables, facts, cancelled)
    return ImportPreview(p, kind, check, reading, sum(len(t.rows) for t in tables))


# -- commit ---------------------------------------------------------------------------------------------
def commit(ledger, pv: ImportPreview, *, operator: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> ImportOutcome:
    """Write the preview's clean rows in one transaction with an import log; on any write error nothing is
    written and a ProblemsError lists every row that failed."""
    ledger.require("import")
    if pv.reading_problems and not pv.check.rows:
        raise ProblemsError(pv.reading_problems)
    rows = pv.to_write
    digest = hashlib.sha256(pv.path.read_bytes()).hexdigest() if pv.path.is_file() else ""
    failures: list[Problem] = []
    writer = _WRITERS[pv.kind]
    with ledger.transaction() as db:
        state: dict = {}
        for n, row in enumerate(rows, 1):
            try:
                writer(ledger, row, state, pv.path.name, operator)
            except ProblemsError as exc:
                for prob in exc.problems:
                    failures.append(Problem(row.table.place(row.source.row), f"{prob.place}：{prob.message}"
                                            if prob.place else prob.message))
            if progress is not None and n % 200 == 0:
                progress(n, len(rows))
        if failures:
            raise ProblemsError(failures)  # rolls the whole transaction back
        ledger.log("import", None, "import", None, {
            "file": pv.path.name, "sha256": digest, "kind": pv.kind, "rows": pv.row_count,
            "written": len(rows), "same": sum(1 for r in pv.check.rows if r.action == "same"),
            "rejected": len(pv.check.rejected), "unmatched": len(pv.check.unmatched)}, operator=operator)
        log_id = db.execute("SELECT max(id) FROM audit").fetchone()[0]
    if progress is not None:
        progress(len(rows), len(rows))
    return ImportOutcome(len(rows), log_id, None)


def _write_roster(ledger, row, state: dict, filename: str, operator: str | None) -> None:
    v = row.values
    key = v.get("household_no") or (v.get("village"), v.get("group"), v.get("household_head") or v.get("name"))
    households: dict = state.setdefault("households", {})
    hid = households.get(key)
    if hid is None and v.get("household_no"):
        existing = ledger.households.by_number(v["household_no"])
        hid = existing.id if existing else None
    if hid is None:
        hid = ledger.households.add(village=v["village"], group=v.get("group") or "",
                                    number=v.get("household_no") or None, phone=v.get("phone") or "",
                                    notes=f"导入自 {filename}", operator=operator).id
    households[key] = hid
    relation = v.get("relation") or ("户主" if v.get("household_head") == v["name"] else "")
    ledger.members.add(hid, name=v["name"], id_number=v["id_number"], relation=relation,
                       phone=v.get("phone") or "", notes=v.get("note") or "", operator=operator)


def _write_category(ledger, row, state: dict, filename: str, operator: str | None) -> None:
    v = row.values
    ledger.categories.add(row.person.member_id, v["category"], department=v.get("department") or "",
                          recognized_on=v.get("recognized_on"), notes=f"导入自 {filename}", operator=operator)


def _write_payment(ledger, row, state: dict, filename: str, operator: str | None) -> None:
    from ..ledger import PayLine

    v = row.values
    ledger.payments.record(row.person.household_id, [PayLine(row.person.member_id, amount=v["amount"])],
                           method=PAYMENT_METHOD, paid_on=v["paid_on"], operator=operator,
                           notes=f"税务缴费确认，导入自 {filename}")


def _write_status(ledger, row, state: dict, filename: str, operator: str | None) -> None:
    v = row.values
    ledger.members.set_status(row.person.member_id, v["status"], detail=v.get("status_detail") or "",
                              on=v.get("status_date"), operator=operator)


_WRITERS = {"roster": _write_roster, "category": _write_category, "payment": _write_payment,
            "status": _write_status}


# -- what did not go in ---------------------------------------------------------------------------------
def write_leftovers(pv: ImportPreview, path: str | Path) -> Path | None:
    """未导入: rows that match nobody, then rows with problems, with the file's own columns and 问题/来源."""
    left = [(t, s, "查无此人") for t, s, _ in pv.check.unmatched] + [(t, s, why) for t, s, why in pv.check.rejected]
    if not left:
        return None
    headings: list[str] = []
    for t, _, _ in left:
        for h in t.headings:
            if h and h not in headings:
                headings.append(h)
    id_headings = {t.headings[t.columns["id_number"]] for t, _, _ in left if "id_number" in t.columns}
    columns = [Column("problem", "问题", "text", 40), Column("place", "位置", "text", 18)]
    columns += [Column(f"c{i}", h, "id" if h in id_headings else "text", 21 if h in id_headings else 12)
                for i, h in enumerate(headings)]
    cs = ColumnSet("leftovers", "未导入", tuple(columns))
    index = {h: i for i, h in enumerate(headings)}

    def rows():
        for t, s, why in left:
            out = {"problem": why, "place": f"{s.sheet}:第{s.row}行" if s.sheet else f"第{s.row}行"}
            for j, h in enumerate(t.headings):
                if h and j < len(s.cells) and s.cells[j] not in (None, ""):
                    value = s.cells[j]
                    if isinstance(value, float):  # keep what the sender typed, not a float in our file
                        value = repr(value)[:-2] if value.is_integer() else repr(value)
                    out[f"c{index[h]}"] = value
            yield out

    with WorkbookWriter(path) as w:
        w.add_sheet(cs, rows())
    return Path(path)


def field_labels(kind: str) -> str:
    cat = field_catalog()
    spec = cat.kinds[kind]
    return "必需列：" + "、".join(cat.fields[f].label for f in spec.required) + "；可选列：" + \
        "、".join(cat.fields[f].label for f in spec.optional)
