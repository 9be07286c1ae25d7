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
from contextlib import contextmanager
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from .columns import Column, ColumnSet
from .import_facts import PAYMENT_METHOD, PeopleLoader, ledger_facts, plan_payment_rows  # noqa: F401 - API
from .import_reader import ImportTable, field_catalog, read_table
from .import_rules import CheckResult, check_tables
from .mappings import saved_mapping
from .workbook import WorkbookWriter

KINDS = ("roster", "category", "payment", "status")


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


# -- preview --------------------------------------------------------------------------------------------
def preview(ledger, path: str | Path, kind: str, cancelled: Callable[[], bool] | None = None, *,
            mapping: Mapping[str, str] | None = None, use_saved: bool = True,
            operator: str | None = None, value_map: Mapping[str, str] | None = None) -> ImportPreview:
    """Read and check a list against the ledger. Writes nothing.

    ``mapping`` (heading -> field, as ``mappings.check_mapping`` returns) is the user's choice for this run;
    without it a mapping saved for the file's layout is used. ``value_map`` names what a category written in
    the file is (脱贫户 -> 稳定脱贫人口) where the policy file does not say it. The file is streamed: rows are
    read, looked up and checked a chunk at a time, and only what the commit needs is kept."""
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
    time). They hold no cycles, so the collector waits until the preview is built, and then finds them in the
    oldest generation."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            # What the preview made lives as long as the preview: put it straight into the oldest generation
            # (freeze, then unfreeze at once: nothing stays frozen) rather than have the first young collection
            # walk all of it and promote it twice (a tenth of a 100,000-row preview's time).
            gc.freeze()
            gc.unfreeze()
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
