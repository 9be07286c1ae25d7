"""Importing a list into the ledger: ``preview`` reads and checks (writes nothing); ``commit`` writes in one
transaction together with an import log entry, or nothing at all.

All or nothing is the default: a preview with any problem row cannot be committed, unless the caller says
``only_good=True`` after the user confirmed a message naming how many rows are left out. Those rows (and the
ones matching nobody) go back as an Excel file (``write_leftovers``) wherever the user chooses — never over
the source file. A roster may name villages and groups the ledger lacks; they are created only with
``create_places=True`` (the user saw the list and confirmed it once).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import itertools
from contextlib import contextmanager
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from .columns import Column, ColumnSet
from .from_ledger import yuan
from .import_reader import ImportTable, field_catalog, read_table
from .import_rules import NO_CATEGORIES, CheckResult, LedgerFacts, PersonFacts, check_tables, parse_id
from .import_vocab import category_table
from .mappings import saved_mapping
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
    tables: list[ImportTable] = field(default_factory=list)
    mapping: dict[str, str] | None = None  # what the user chose for this run (None: aliases + saved)
    value_map: dict[str, str] = field(default_factory=dict)  # category as written -> the policy's, by the user

    @property
    def problems(self) -> list[Problem]:
        return self.reading_problems + self.check.problems

    @property
    def to_write(self):
        return self.check.to_write

    @property
    def left_out(self) -> int:
        """Rows that would not go in: problems and nobody in the ledger."""
        return len(self.check.rejected) + len(self.check.unmatched)

    @property
    def new_places(self) -> dict[str, set[str]]:
        return self.check.new_places

    @property
    def unmapped(self) -> list[ImportTable]:
        """Sheets whose required columns were not recognised: the user maps them, then previews again."""
        return [t for t in self.tables if t.missing]

    @property
    def notices(self) -> list[Problem]:
        """What is not imported without being wrong: category names read as the policy's (first: they change
        what people pay), columns not read, rows with nothing to import, the payment plan's warnings."""
        out = [Problem(self.path.name, m) for m in self.value_mappings]
        for t in self.tables:
            where = f"{t.filename} {t.sheet}:第{t.header_row}行" if t.sheet else f"{t.filename}:第{t.header_row}行"
            if t.unknown:
                out.append(Problem(where, "未识别的列（不导入）：" + "、".join(t.column_name(i) for i in t.unknown)))
            if t.ignored:
                out.append(Problem(where, "不需导入的列：" + "、".join(t.column_name(i) for i in t.ignored)))
        out += [Problem(t.place(s.row), why) for t, s, why in self.check.skipped]
        out += self.check.warnings
        return out

    @property
    def value_mappings(self) -> list[str]:
        """Every category name the preview read as another (it changes what people pay): named with the
        policy's category and where the mapping comes from."""
        return [f"人员类别 {part} → {cat}（{why or '按政策'}）：{n} 人" for part, cat, why, n in self.check.mapped_values]

    def places_text(self) -> str:
        parts = []
        for v in sorted(self.new_places):
            groups = "、".join(sorted(self.new_places[v]))
            new = "新村（社区）" if v in self.check.new_villages else "已有村"
            parts.append(f"{v}（{new}{'，组：' + groups if groups else ''}）")
        return "；".join(parts)

    def summary(self) -> str:
        c = self.check
        same = len(c.same)
        text = (f"共 {self.row_count} 行：可导入 {len(c.to_write)} 行，台账中已有相同记录 {same} 行，"
                f"有问题 {len(c.rejected)} 行，查无此人 {len(c.unmatched)} 行")
        if c.skipped:
            text += f"，无需导入 {len(c.skipped)} 行"
        return text


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    written: int
    log_id: int | None
    leftovers: Path | None
    places_created: int = 0
    left_out: int = 0

    @property
    def settings(self) -> bool:
        """New villages or groups: the window rebuilds its village tree (read like a ledger ``Change``)."""
        return self.places_created > 0


# -- facts from the ledger ------------------------------------------------------------------------------
CHUNK = 2000  # rows read, looked up and checked together: memory stays flat however long the list is


def ledger_facts(ledger, kind: str = "roster", operator: str | None = None,
                 value_map: Mapping[str, str] | None = None) -> LedgerFacts:
    """What the rules need that is not about one person; the people come chunk by chunk (``PeopleLoader``).
    ``value_map``: the user's own category names for this import (as written -> the policy's category);
    a target the policy does not know is refused (ProblemsError)."""
    villages = {v.name: frozenset(g.name for g in v.groups) for v in ledger.settings.villages()}
    try:
        policy = ledger.policy()
        aliases = dict(getattr(policy, "aliases", {}) or {})
        known = policy.category_names() if hasattr(policy, "category_names") else None
    except ProblemsError:
        aliases, known = {}, None
    names, sources = category_table(aliases, known, value_map)
    bad = [f"{k}={v}" for k, v in (value_map or {}).items() if v not in names.values() or names.get(v) != v]
    if bad:
        known_text = "、".join(dict.fromkeys(names.values()))
        raise ProblemsError([Problem(f"人员类别 {b}", f"「{b.split('=', 1)[1]}」不是本年度政策的人员类别（可用：{known_text}）")
                             for b in bad])
    planner = (lambda rows: plan_payment_rows(ledger, rows, operator)) if kind == "payment" else None
    return LedgerFacts(villages=villages, categories=names, people={}, plan_payments=planner,
                       alias_sources=sources)


def plan_payment_rows(ledger, rows, operator: str | None = None) -> list[tuple[list[tuple[str, str]], list[str]]]:
    """Each row's payment planned by ``payments.plan_many`` — the rules the window and the CLI use — as the
    commit will record it (method 税务APP, the file's date and amount). Per row: the plan's problems by the
    column they concern, and its warnings."""
    from ..ledger import PayLine
    from ..ledger.payment_plan import PlanRequest

    who = ledger.actor(operator) or "导入"  # the preview is not the commit: who imports is asked then
    requests = [PlanRequest(person.household_id, (PayLine(person.member_id, amount=amount),), PAYMENT_METHOD, day,
                            who) for person, amount, day in rows]
    out = []
    for plan in ledger.payments.plan_many(requests):
        problems = [(_plan_field(p), _plan_message(p)) for p in plan.problems]
        out.append((problems, [w for i in plan.items for w in i.warnings]))
    return out


OVERRIDE_ASKED = "；如确需办理，请填写变更原因"


def _plan_message(problem: Problem) -> str:
    """The plan's words; where the counter would ask for an override reason, an import cannot give one."""
    text = problem.message
    if text.endswith(OVERRIDE_ASKED):
        text = text[:-len(OVERRIDE_ASKED)] + "：导入的缴费不带变更原因，不能登记（如确需办理，请在缴费窗口逐人办理并填写原因）"
    return f"{problem.place}：{text}" if problem.place and problem.place not in ("缴费日期", "缴费方式") else text


def _plan_field(problem: Problem) -> str:
    if "缴费日期" in problem.place or "缴费日期" in problem.message:
        return "paid_on"
    if "参保状态" in problem.message or "重复缴费" in problem.message:
        return "id_number"
    return "amount"


class PeopleLoader:
    """Looks up the people of each chunk of rows just before they are checked: every ID cell is parsed once
    (the rules read the result from ``facts.parsed``), and only what the kind of list needs is fetched — one
    ``IN (…)`` query per 500 numbers, categories only for the rows that name one."""

    def __init__(self, ledger, kind: str, facts: LedgerFacts):
        self.ledger, self.kind, self.facts = ledger, kind, facts
        self.year = ledger.settings.get().year if kind == "payment" else None
        self._unnumbered: dict[tuple, dict] = {}
        if kind == "roster":
            facts.find_person = self.find_person

    def find_person(self, key: tuple | None, number: str | None, name: str, birth) -> PersonFacts | None:
        """Someone the chunk look-up does not cover: by another document's number, or — without a number — among
        the household's members that have none, by name and birth date (``key``: ("no", 户编号) or ("head",
        head's ID number)). Asked for the rare rows that need it; each household is read once."""
        db = self.ledger.db
        if number:
            if number not in self.facts.people:
                for mid, hid, nm, status, rel in db.execute(
                        "SELECT id, household_id, name, status, relation FROM members WHERE id_number = ?", [number]):
                    self.facts.people[number] = PersonFacts(mid, hid, nm, status, None, NO_CATEGORIES, rel)
            return self.facts.people.get(number)
        if key is None:
            return None
        members = self._unnumbered.get(key)
        if members is None:
            where = ("h.number = ?" if key[0] == "no"
                     else "h.id = (SELECT household_id FROM members WHERE id_number = ?)")
            rows = db.execute("SELECT m.id, m.household_id, m.name, m.birth_date, m.status, m.relation FROM members m"
                              f" JOIN households h ON h.id = m.household_id WHERE {where} AND m.id_number IS NULL",
                              [key[1]]).fetchall()
            cats: dict[int, list[str]] = {}
            if rows:
                ids = [r[0] for r in rows]
                for mid, cat in db.execute("SELECT member_id, category FROM member_categories WHERE ended_on IS NULL"
                                           f" AND member_id IN ({', '.join('?' * len(ids))})", ids):
                    cats.setdefault(mid, []).append(cat)
            members = self._unnumbered[key] = {
                (nm, born): PersonFacts(mid, hid, nm, status, None, frozenset(cats.get(mid, ())), rel)
                for mid, hid, nm, born, status, rel in rows}
        return members.get((name, birth.isoformat() if birth else None))

    def rows(self, table: ImportTable):
        id_cols = [table.columns[f] for f in ("id_number", "household_head_id") if f in table.columns]
        no_col = table.columns.get("household_no") if self.kind == "roster" else None
        cat_col = table.columns.get("category") if self.kind == "roster" else None
        for chunk in _batched(table.iter_rows(), CHUNK):
            self._load(chunk, id_cols, no_col, cat_col)
            yield from chunk

    def _load(self, chunk, id_cols, no_col, cat_col) -> None:
        facts = self.facts
        parsed: dict[str, tuple[str | None, str]] = {}
        wanted: set[str] = set()
        with_categories: set[str] = set()
        numbers: set[str] = set()
        people, heads = facts.people, facts.heads
        for r in chunk:
            cells = r.cells
            width = len(cells)
            for idx in id_cols:
                cell = cells[idx] if idx < width else None
                if type(cell) is str and cell:
                    hit = parsed.get(cell)
                    if hit is None:
                        hit = parsed[cell] = parse_id(cell)
                    number = hit[0]
                    if number and number not in people:
                        wanted.add(number)
                        if cat_col is not None and cat_col < width and cells[cat_col] not in (None, "") \
                                and idx == id_cols[0]:
                            with_categories.add(number)
            if no_col is not None and no_col < width and (no := cells[no_col]) not in (None, ""):
                no = str(int(no)) if isinstance(no, float) and no.is_integer() else str(no).strip()
                if no not in heads:
                    numbers.add(no)
        facts.parsed = parsed  # the previous chunk's are dropped
        if wanted:
            self._people(sorted(wanted), with_categories)
        if numbers:
            self._heads(sorted(numbers))

    def _people(self, ids: list[str], with_categories: set[str]) -> None:
        db, people = self.ledger.db, self.facts.people
        kind = self.kind
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            if kind == "payment":
                sql = ("SELECT m.id_number, m.id, m.household_id, m.name, m.status, m.relation,"
                       " (SELECT sum(s.amount_fen) FROM standing_items s WHERE s.member_id = m.id AND s.year = ?)"
                       " FROM members m WHERE m.id_number IN (" + marks + ")")
                for number, mid, hid, name, status, rel, paid_fen in db.execute(sql, [self.year, *chunk]):
                    people[number] = PersonFacts(mid, hid, name, status, yuan(paid_fen), relation=rel)
                continue
            sql = ("SELECT m.id_number, m.id, m.household_id, m.name, m.status, m.relation FROM members m"
                   " WHERE m.id_number IN (" + marks + ")")
            found = db.execute(sql, chunk).fetchall()
            cats: dict[int, list[str]] = {}
            need = [mid for number, mid, *_ in found if kind == "category" or number in with_categories]
            if need:
                sql = ("SELECT member_id, category FROM member_categories WHERE ended_on IS NULL AND member_id IN ("
                       + ", ".join("?" * len(need)) + ")")
                for mid, cat in db.execute(sql, need):
                    cats.setdefault(mid, []).append(cat)
            for number, mid, hid, name, status, rel in found:
                c = cats.get(mid)
                people[number] = PersonFacts(mid, hid, name, status, None,
                                             frozenset(c) if c else NO_CATEGORIES, rel)

    def _heads(self, numbers: list[str]) -> None:
        heads = self.facts.heads
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            sql = ("SELECT h.number, EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.relation = '户主')"
                   " FROM households h WHERE h.number IN (" + ", ".join("?" * len(chunk)) + ")")
            heads.update({n: bool(has) for n, has in self.ledger.db.execute(sql, chunk)})


def _batched(rows, n: int):
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, n)):
        yield chunk


# -- preview --------------------------------------------------------------------------------------------
def preview(ledger, path: str | Path, kind: str, cancelled: Callable[[], bool] | None = None, *,
            mapping: Mapping[str, str] | None = None, use_saved: bool = True,
            operator: str | None = None, value_map: Mapping[str, str] | None = None) -> ImportPreview:
    """Read and check a list against the ledger. Writes nothing.

    ``mapping`` (heading -> field, as ``mappings.check_mapping`` returns) is the user's choice for this run;
    without it a mapping saved for the file's layout is used. ``value_map`` names what a category written in
    the file is (脱贫户 -> 稳定脱贫人口) where the policy file does not say it. The file is streamed: rows are read, looked up
    and checked a chunk at a time, and only what the commit needs is kept."""
    if kind not in KINDS:
        raise ProblemsError([Problem("名单类型", f"未知的名单类型 {kind}（可用：{'、'.join(KINDS)}）")])
    p = Path(path)
    saved = (lambda sig: saved_mapping(kind, sig)) if use_saved else None
    with _no_cyclic_gc():
        return _preview(ledger, p, kind, cancelled, mapping, saved, operator, value_map)


@contextmanager
def _no_cyclic_gc():
    """A big list makes hundreds of thousands of small objects that live until the preview is done; Python's
    cyclic collector would walk all of them again and again while they are made (a third of the check's
    time). They hold no cycles, so the collector waits until the preview is built."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _preview(ledger, p: Path, kind: str, cancelled, mapping, saved, operator, value_map) -> ImportPreview:
    facts = ledger_facts(ledger, kind, operator, value_map)
    tables, reading = read_table(p, kind, mapping=mapping, saved=saved, lazy=True)
    loader = PeopleLoader(ledger, kind, facts)
    check = check_tables(kind, tables, facts, cancelled, rows_of=loader.rows)
    facts.parsed = {}
    return ImportPreview(p, kind, check, reading, check.count, tables,
                         dict(mapping) if mapping is not None else None, dict(value_map or {}))


# -- commit ---------------------------------------------------------------------------------------------
def commit(ledger, pv: ImportPreview, *, operator: str | None = None, only_good: bool = False,
           create_places: bool = False, progress: Callable[[int, int], None] | None = None) -> ImportOutcome:
    """Write the preview in one transaction with an import log; on any write error nothing is written and a
    ProblemsError lists every row that failed. Refused (nothing written) when the preview has problems and
    ``only_good`` is not given, or names new villages/groups and ``create_places`` is not given."""
    ledger.require("import")
    refuse = list(pv.reading_problems) if not (pv.check.rows or pv.check.same) else []
    if pv.left_out and not only_good:
        refuse.append(Problem(pv.path.name, f"有 {pv.left_out} 行有问题或查无此人，全部导入前须先改正；"
                                            f"或确认“只导入没有问题的行”（这 {pv.left_out} 行不导入）"))
    if pv.new_places and not create_places:
        refuse.append(Problem(pv.path.name, f"文件里有台账中没有的村（社区）或组：{pv.places_text()}。"
                                            "须确认新建后才能导入"))
    if refuse:
        raise ProblemsError(refuse)
    from .import_writers import WRITERS, create_places as make_places

    rows = pv.to_write
    digest = hashlib.sha256(pv.path.read_bytes()).hexdigest() if pv.path.is_file() else ""
    failures: list[Problem] = []
    writer = WRITERS[pv.kind]
    with ledger.transaction() as db:
        created = make_places(ledger, pv.new_places) if pv.new_places else 0
        state: dict = {"today": dt.date.today(), "file": pv.path.name}
        for n, row in enumerate(rows, 1):
            try:
                writer(ledger, row, state, operator)
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
            "written": len(rows), "same": len(pv.check.same),
            "rejected": len(pv.check.rejected), "unmatched": len(pv.check.unmatched),
            "places_created": created}, operator=operator)
        log_id = db.execute("SELECT max(id) FROM audit").fetchone()[0]
    if progress is not None:
        progress(len(rows), len(rows))
    return ImportOutcome(len(rows), log_id, None, created, pv.left_out)


# -- what did not go in ---------------------------------------------------------------------------------
def write_leftovers(pv: ImportPreview, path: str | Path) -> Path | None:
    """未导入: rows that match nobody, then rows with problems, with the file's own columns and 问题/来源.

    Never over the source file (a ProblemsError says so); the folder is the caller's choice."""
    left = [(t, s, "查无此人") for t, s, _ in pv.check.unmatched] + [(t, s, why) for t, s, why in pv.check.rejected]
    if not left:
        return None
    target = Path(path)
    if target.resolve() == pv.path.resolve():
        raise ProblemsError([Problem(str(target), "不能把未导入的行写到原文件上：请另选一个文件名")])
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

    try:
        with WorkbookWriter(target) as w:
            w.add_sheet(cs, rows())
    except OSError as exc:
        raise ProblemsError([Problem(str(target), f"无法写入：{exc.strerror or exc}（请换一个文件夹）")]) from None
    return target


def field_labels(kind: str) -> str:
    cat = field_catalog()
    spec = cat.kinds[kind]
    return "必需列：" + "、".join(cat.fields[f].label for f in spec.required) + "；可选列：" + \
        "、".join(cat.fields[f].label for f in spec.optional)


def field_choices(kind: str) -> list[tuple[str, str]]:
    """(field, label) a column of this kind of list can be mapped to, required first."""
    cat = field_catalog()
    spec = cat.kinds[kind]
    return [(f, cat.fields[f].label) for f in spec.fields if f in cat.fields]
