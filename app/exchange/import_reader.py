"""Reading the lists people send: .xlsx/.xls/.ods (python-calamine) and .csv (UTF-8 with or without BOM,
else GB18030, which covers GBK) into rows keyed by field, plus every problem with its sheet:row:column.

District files come as they come: title lines above the header, a header over two merged rows (a parent
label such as 户主信息 above 姓名 / 身份证号), columns in any order, brackets full- or half-width. The header
row is the one among the first rows whose headings name the most of the kind's fields, by the aliases in
``resources/templates/import_fields.toml``; a user's own mapping (heading -> field) comes on top. Headings
that map to no field are kept in ``ImportTable.unknown`` so the preview can list them.

Rows are streamed from calamine and kept as their cells only (values are looked up by column when asked).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl.utils import get_column_letter

from ..domain.problems import Problem
from ..paths import resources_dir

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# a column that can stand in for a required one: 残联's 残疾等级 (一级/二级 = 重度残疾人) for 人员类别
STANDS_IN: dict[str, tuple[str, ...]] = {"category": ("disability_grade",)}
HEADER_SCAN_ROWS = 15


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KindSpec:
    name: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True, slots=True)
class FieldCatalog:
    fields: dict[str, FieldSpec]
    kinds: dict[str, KindSpec]
    ignored: tuple[str, ...] = ()  # headings known and deliberately not imported (序号, 年龄 …)


@dataclass(slots=True)
class SourceRow:
    """One data row of a list: where it is and its original cells; ``values`` by field on demand."""

    sheet: str
    row: int  # 1-based row number as the user sees it
    cells: tuple
    columns: Mapping[str, int]

    @property
    def values(self) -> dict[str, object]:
        cells = self.cells
        return {fld: (cells[idx] if idx < len(cells) else None) for fld, idx in self.columns.items()}

    def get(self, fld: str) -> object:
        idx = self.columns.get(fld)
        return self.cells[idx] if idx is not None and idx < len(self.cells) else None


@dataclass(slots=True)
class ImportTable:
    filename: str
    sheet: str
    header_row: int  # the last header row (1-based); data starts below it
    headings: list[str]
    columns: dict[str, int]  # field -> 0-based column index
    rows: list[SourceRow] = field(default_factory=list)  # read whole (``read_table``) ...
    header_rows: int = 1  # 2 for a parent row merged over child labels
    unknown: list[int] = field(default_factory=list)  # column indexes whose heading maps to no field
    ignored: list[int] = field(default_factory=list)  # known headings deliberately not imported
    missing: list[str] = field(default_factory=list)  # required fields with no column: the rows were not read
    mapped: dict[str, str] = field(default_factory=dict)  # heading -> field, from the user's mapping
    layout: str = ""  # the layout's key before any mapping: what a saved mapping is filed under
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # per-table lookups the checks reuse
    stream: Iterator[SourceRow] | None = field(default=None, repr=False, compare=False)  # ... or streamed once

    def iter_rows(self) -> Iterator[SourceRow]:
        """The data rows: the list read whole, or (``read_table(lazy=True)``) the file's rows as they are read,
        once — nothing of a row is kept here after it is handed on."""
        if self.stream is None:
            yield from self.rows
            return
        stream, self.stream = self.stream, None
        yield from stream

    def place(self, row: int, fld: str | None = None) -> str:
        """名单.xlsx 表1:第5行:身份证号（C列）"""
        base = f"{self.filename} {self.sheet}:第{row}行" if self.sheet else f"{self.filename}:第{row}行"
        if fld is None or fld not in self.columns:
            return base
        idx = self.columns[fld]
        return f"{base}:{self.headings[idx]}（{get_column_letter(idx + 1)}列）"

    def column_name(self, idx: int) -> str:
        return f"{self.headings[idx]}（{get_column_letter(idx + 1)}列）"

    @property
    def signature(self) -> str:
        """The file layout's key: its normalised headings in order, hashed (same layout next week, same key)."""
        return layout_signature(self.headings)


def layout_signature(headings) -> str:
    text = "|".join(normalize_heading(h) for h in headings)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


_UNIT = re.compile(r"\((元|人民币元|人|%|必填|选填|18位|文本)\)$")
_PARENS = re.compile(r"\([^)]*\)")


def normalize_heading(text: object) -> str:
    """NFKC (full-width brackets and letters to half-width), no spaces, stars, line breaks or units."""
    s = "" if text is None else unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s).replace("*", "").replace("※", "")
    s = s.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    while True:
        t = _UNIT.sub("", s)
        if t == s:
            return s
        s = t


def _without_parens(heading: str) -> str:
    return _PARENS.sub("", heading)


@lru_cache(maxsize=4)
def _load_catalog(path: str) -> FieldCatalog:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    fields = {name: FieldSpec(name, spec.get("label", name), tuple(spec.get("aliases", ())))
              for name, spec in data.get("fields", {}).items()}
    kinds = {name: KindSpec(name, spec.get("label", name), tuple(spec.get("required", ())),
                            tuple(spec.get("optional", ())))
             for name, spec in data.get("kinds", {}).items()}
    ignored = tuple(normalize_heading(h) for h in data.get("ignored", {}).get("headings", ()))
    return FieldCatalog(fields, kinds, ignored)


def field_catalog(path: str | Path | None = None) -> FieldCatalog:
    return _load_catalog(str(path or resources_dir() / "templates" / "import_fields.toml"))


# -- raw grids ------------------------------------------------------------------------------------------
def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not), else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8（带BOM）"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode 文本" (tab-separated UTF-16)
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030", errors="replace"), "GB18030/GBK"


Grid = tuple[str, Iterator[tuple]]


def _read_csv(path: Path) -> tuple[list[Grid], list[Problem]]:
    text, _encoding = decode_csv_bytes(path.read_bytes())
    problems = []
    if "\ufffd" in text:
        problems.append(Problem(path.name, "文件里有无法识别的字符：请另存为 UTF-8 或 GBK 编码的 CSV"))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = (tuple(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return [("", rows)], problems  # a CSV has no sheets: places read "名单.csv:第5行"


def _read_spreadsheet(path: Path) -> tuple[list[Grid], list[Problem]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for a bad file
        return [], [Problem(path.name, f"无法读取这个表格文件（{type(exc).__name__}：{exc}）")]
    sheets: list[Grid] = []
    problems = []
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
            start = sheet.start  # calamine's rows begin at row 1, its columns at the first used column
            rows = sheet.iter_rows()
        except Exception as exc:  # noqa: BLE001
            problems.append(Problem(f"{path.name} {name}", f"无法读取这个工作表（{exc}）"))
            continue
        lead = start[1] if start else 0
        sheets.append((name, _padded_rows(rows, lead)))
    return sheets, problems


def _padded_rows(rows, lead: int) -> Iterator:
    if not lead:
        return iter(rows)  # calamine's own lists: no copy per row
    pad = [None] * lead
    return (pad + r for r in rows)


def read_grids(path: str | Path) -> tuple[list[Grid], list[Problem]]:
    """Every sheet of a file as (sheet name, an iterator of rows of cell values)."""
    p = Path(path)
    if not p.is_file():
        return [], [Problem(str(p), "文件不存在")]
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(p)
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(p)
    return [], [Problem(p.name, f"不支持的文件类型 {p.suffix}（可用 .xlsx、.xls、.ods、.csv）")]


# -- headers --------------------------------------------------------------------------------------------
class _Matcher:
    """Normalised heading -> (field, rank) for one kind, the user's mapping first."""

    def __init__(self, kind: KindSpec, catalog: FieldCatalog, mapping: Mapping[str, str] | None):
        self.by_heading: dict[str, tuple[str, int]] = {}
        for fld in kind.fields:
            spec = catalog.fields.get(fld)
            for rank, alias in enumerate(spec.aliases if spec else ()):
                self.by_heading.setdefault(normalize_heading(alias), (fld, rank + 1))
        self.mapping = {normalize_heading(h): f for h, f in (mapping or {}).items() if f}
        self.ignored = set(catalog.ignored)

    def match(self, labels: list[str]) -> tuple[str, int, str] | None:
        """The first label (most specific first) that names a field: (field, rank, how)."""
        for label in labels:
            if label in self.mapping:
                return self.mapping[label], 0, "mapped"
        for label in labels:
            hit = self.by_heading.get(label) or self.by_heading.get(_without_parens(label))
            if hit:
                return hit[0], hit[1], "alias"
        return None


_PARENT_SUFFIX = re.compile(r"(基本信息|信息|情况)$")
_DATA_LIKE = re.compile(r"\d{6,}")


def _looks_like_data(cells: tuple) -> bool:
    """A row with ID numbers, dates or amounts is data, not the second row of a header."""
    import datetime as dt

    for c in cells:
        if isinstance(c, (int, float, dt.date, dt.datetime)) and not isinstance(c, bool):
            return True
        if isinstance(c, str) and _DATA_LIKE.search(c):
            return True
    return False


def _header_labels(top: tuple, below: tuple | None) -> list[list[str]]:
    """Per column, the labels to try: for two rows (parent merged over children), parent+child, child, parent."""
    if below is None:
        return [[normalize_heading(c)] if normalize_heading(c) else [] for c in top]
    width = max(len(top), len(below))
    out, parent = [], ""
    for i in range(width):
        p = normalize_heading(top[i]) if i < len(top) else ""
        c = normalize_heading(below[i]) if i < len(below) else ""
        if p:
            parent = p
        elif not c:
            parent = ""
        if c:  # a merged parent cell is empty to the right of its first column: it still covers the child
            short = _PARENT_SUFFIX.sub("", parent)
            # the last is the heading as shown (户主信息/姓名): what a user's mapping names
            out.append(list(dict.fromkeys([short + c, parent + c, c, parent, f"{parent}/{c}"])) if parent else [c])
        else:
            out.append([p] if p else [])
    return out


def _match_labels(labels: list[list[str]], matcher: _Matcher) -> tuple[dict[str, int], dict[str, str]]:
    """field -> column; where several columns fit one field the best-ranked label wins."""
    best: dict[str, tuple[int, int]] = {}
    mapped: dict[str, str] = {}
    for idx, cand in enumerate(labels):
        if not cand:
            continue
        hit = matcher.match(cand)
        if hit is None:
            continue
        fld, rank, how = hit
        if fld not in best or rank < best[fld][0]:
            best[fld] = (rank, idx)
        if how == "mapped":
            mapped[cand[0]] = fld
    return {fld: idx for fld, (rank, idx) in best.items()}, mapped


def _heading_texts(labels: list[list[str]], top: tuple, below: tuple | None) -> list[str]:
    """What the user sees above each column: the heading, or 户主信息/姓名 for a two-row header."""
    if below is None:
        return [_cell_text(c) for c in top]
    out, parent = [], ""
    for i in range(max(len(top), len(below))):
        p = _cell_text(top[i]) if i < len(top) else ""
        c = _cell_text(below[i]) if i < len(below) else ""
        if p:
            parent = p
        elif not c:
            parent = ""
        out.append(f"{parent}/{c}" if parent and c else (c or p))
    return out


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def find_header(head: list[tuple], kind: KindSpec, matcher: _Matcher):
    """(row index of the last header row, header rows 1|2, columns, labels) or None."""
    best = None
    for i, cells in enumerate(head):
        for below in (None, head[i + 1] if i + 1 < len(head) else None):
            if below is not None and (not any(_cell_text(c) for c in below) or _looks_like_data(below)):
                continue
            labels = _header_labels(cells, below)
            columns, mapped = _match_labels(labels, matcher)
            score = (len([f for f in kind.required if f in columns or not columns.keys().isdisjoint(STANDS_IN.get(f, ()))]), len(columns), -1 if below is not None else 0)
            if len(columns) >= 2 and (best is None or score > best[0]):
                best = (score, i + (1 if below is not None else 0), 2 if below is not None else 1, columns, labels,
                        mapped, cells, below)
    return best


def read_table(path: str | Path, kind: str, catalog: FieldCatalog | None = None,
               mapping: Mapping[str, str] | None = None,
               saved: Callable[[str], Mapping[str, str]] | None = None,
               lazy: bool = False) -> tuple[list[ImportTable], list[Problem]]:
    """The list's sheets that carry a header for ``kind``, and every reading problem.

    A sheet is used when its header names at least two of the kind's fields. A sheet missing a required
    column comes back with ``missing`` set and no rows (the preview shows its headings for mapping) and a
    problem. ``mapping`` (heading -> field) is the user's own choice and wins over the aliases; ``saved``
    gives the mapping saved for a layout signature (used when ``mapping`` is not given).

    ``lazy``: the rows are not read here but streamed by ``ImportTable.iter_rows`` (once), so a preview holds
    no more of the file than the row it checks; a problem found while streaming (no data rows) is appended
    to the returned problem list then.
    """
    catalog = catalog or field_catalog()
    spec = catalog.kinds.get(kind)
    p = Path(path)
    if spec is None:
        return [], [Problem(p.name, f"未知的名单类型 {kind}（可用：{'、'.join(catalog.kinds)}）")]
    grids, problems = read_grids(p)
    plain = _Matcher(spec, catalog, mapping)
    tables: list[ImportTable] = []
    fallback: ImportTable | None = None
    for sheet, rows in grids:
        head: list[tuple] = []
        for cells in rows:
            head.append(cells)
            if len(head) >= HEADER_SCAN_ROWS + 1:
                break
        matcher, found = plain, find_header(head, spec, plain)
        layout = (_fallback_table(p.name, sheet, head) if found is None
                  else ImportTable(p.name, sheet, 0, _heading_texts(found[4], found[6], found[7]), {}))
        layout_key = layout.signature if layout is not None else ""
        if mapping is None and saved is not None and layout_key:
            user = saved(layout_key)
            if user:
                matcher = _Matcher(spec, catalog, user)
                found = find_header(head, spec, matcher) or found
        if found is None:
            if fallback is None and layout is not None:
                fallback = layout
                fallback.layout = layout_key
            continue
        _score, last, nrows, columns, labels, mapped, top, below = found
        table = ImportTable(p.name, sheet, last + 1, _heading_texts(labels, top, below), dict(columns),
                            header_rows=nrows, mapped=mapped, layout=layout_key)
        used = set(columns.values())
        for idx, cand in enumerate(labels):
            if cand and idx not in used:
                (table.ignored if any(c in matcher.ignored or _without_parens(c) in matcher.ignored
                                      for c in cand) else table.unknown).append(idx)
        table.missing = [f for f in spec.required
                         if f not in columns and columns.keys().isdisjoint(STANDS_IN.get(f, ()))]
        tables.append(table)
        if table.missing:
            labels_missing = "、".join(catalog.fields[f].label for f in table.missing)
            problems.append(Problem(table.place(table.header_row),
                                    f"缺少必需的列：{labels_missing}（{spec.label}须有："
                                    f"{'、'.join(catalog.fields[f].label for f in spec.required)}；"
                                    "可在预览里指定哪一列是它）"))
            continue
        if last + 1 < len(head) and _column_numbers(head[last + 1]):
            last += 1  # a 栏次 row (1, 2, 3 … under the headings) as government forms have: not data
        data = _data_rows(table, _rest(head[last + 1:], rows), last + 2, problems)
        if lazy:
            table.stream = data
        else:
            table.rows = list(data)
    if not tables and grids:
        if fallback is not None:
            fallback.missing = list(spec.required)
            tables.append(fallback)
        need = "、".join(catalog.fields[f].label for f in spec.required)
        problems.append(Problem(p.name, f"在前{HEADER_SCAN_ROWS}行里找不到{spec.label}的表头（须有列：{need}；"
                                        "可在预览里指定各列）"))
    return tables, problems


def _data_rows(table: ImportTable, cells_iter: Iterator[tuple], first: int, problems: list[Problem]) -> Iterator[SourceRow]:
    """The non-empty rows below the header, numbered as the user sees them; a header with none below is a
    problem (added when the rows are used up)."""
    sheet, frozen = table.sheet, dict(table.columns)
    any_row = False
    for j, cells in enumerate(cells_iter, start=first):
        lead = cells[0] if cells else None
        if (lead is None or lead == "" or (type(lead) is str and not lead.strip())) and not any(
                c is not None and c != "" and (type(c) is not str or c.strip()) for c in cells):
            continue
        any_row = True
        yield SourceRow(sheet, j, cells, frozen)
    if not any_row:
        problems.append(Problem(table.place(table.header_row), "表头下面没有数据行"))


def _column_numbers(cells) -> bool:
    """1, 2, 3 … (or 栏次, 1, 2 …) across the row under a form's headings."""
    texts = [t for t in (_cell_text(c) for c in cells) if t]
    nums = [t[:-2] if t.endswith(".0") else t for t in texts]
    if nums and not nums[0].isdigit():
        nums = nums[1:]  # 栏次 / 序号 label in the first column
    return len(nums) >= 3 and nums == [str(k) for k in range(1, len(nums) + 1)]


def _rest(head: list[tuple], rows: Iterator[tuple]) -> Iterator[tuple]:
    return itertools.chain(head, rows)


def _fallback_table(filename: str, sheet: str, head: list[tuple]) -> ImportTable | None:
    """No header recognised: the first row with three or more texts, so the user can map its columns."""
    for i, cells in enumerate(head):
        texts = [_cell_text(c) for c in cells]
        if sum(1 for t in texts if t) >= 3:
            return ImportTable(filename, sheet, i + 1, texts, {}, unknown=[j for j, t in enumerate(texts) if t])
    return None
