"""Reading the lists people send: .xlsx/.xls/.ods (python-calamine) and .csv (UTF-8 with or without BOM,
else GB18030, which covers GBK) into rows keyed by field, plus every problem with its sheet:row:column.

The header row is found among the first rows of each sheet (lists often start with a title line) and its
headings are matched to fields by the aliases in ``resources/templates/import_fields.toml``.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl.utils import get_column_letter

from ..domain.problems import Problem
from ..paths import resources_dir

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
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


@dataclass(slots=True)
class SourceRow:
    """One data row of a list: where it is, its values by field and the original cells."""

    sheet: str
    row: int  # 1-based row number as the user sees it
    values: dict[str, object]
    cells: list[object]


@dataclass(slots=True)
class ImportTable:
    filename: str
    sheet: str
    header_row: int
    headings: list[str]
    columns: dict[str, int]  # field -> 0-based column index
    rows: list[SourceRow] = field(default_factory=list)

    def place(self, row: int, fld: str | None = None) -> str:
        """名单.xlsx 表1:第5行:身份证号（C列）"""
        base = f"{self.filename} {self.sheet}:第{row}行" if self.sheet else f"{self.filename}:第{row}行"
        if fld is None or fld not in self.columns:
            return base
        idx = self.columns[fld]
        return f"{base}:{self.headings[idx]}（{get_column_letter(idx + 1)}列）"


def normalize_heading(text: object) -> str:
    s = "" if text is None else str(text)
    s = s.replace("（", "(").replace("）", ")").replace("\u3000", "")
    s = re.sub(r"\s+", "", s).replace("*", "").replace("＊", "")
    s = re.sub(r"\((元|人民币元|人|%)\)$", "", s)
    return s


@lru_cache(maxsize=4)
def _load_catalog(path: str) -> FieldCatalog:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    fields = {name: FieldSpec(name, spec.get("label", name), tuple(spec.get("aliases", ())))
              for name, spec in data.get("fields", {}).items()}
    kinds = {name: KindSpec(name, spec.get("label", name), tuple(spec.get("required", ())),
                            tuple(spec.get("optional", ())))
             for name, spec in data.get("kinds", {}).items()}
    return FieldCatalog(fields, kinds)


def field_catalog(path: str | Path | None = None) -> FieldCatalog:
    return _load_catalog(str(path or resources_dir() / "templates" / "import_fields.toml"))


# -- raw grids ------------------------------------------------------------------------------------------
def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not), else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8（带BOM）"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030", errors="replace"), "GB18030/GBK"


def _read_csv(path: Path) -> tuple[list[tuple[str, list[list[object]]]], list[Problem]]:
    text, encoding = decode_csv_bytes(path.read_bytes())
    problems = []
    if "\ufffd" in text:
        problems.append(Problem(path.name, "文件里有无法识别的字符：请另存为 UTF-8 或 GBK 编码的 CSV"))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return [("", rows)], problems  # a CSV has no sheets: places read "名单.csv:第5行"


def _read_spreadsheet(path: Path) -> tuple[list[tuple[str, list[list[object]]]], list[Problem]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for a bad file
        return [], [Problem(path.name, f"无法读取这个表格文件（{type(exc).__name__}：{exc}）")]
    sheets = []
    problems = []
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001
            problems.append(Problem(f"{path.name} {name}", f"无法读取这个工作表（{exc}）"))
            continue
        sheets.append((name, rows))
    return sheets, problems


def read_grids(path: str | Path) -> tuple[list[tuple[str, list[list[object]]]], list[Problem]]:
    """Every sheet of a file as (sheet name, rows of cell values)."""
    p = Path(path)
    if not p.is_file():
        return [], [Problem(str(p), "文件不存在")]
    suffix = p.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return _read_csv(p)
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(p)
    return [], [Problem(p.name, f"不支持的文件类型 {p.suffix}（可用 .xlsx、.xls、.ods、.csv）")]


# -- headers --------------------------------------------------------------------------------------------
def _match_header(cells: list[object], kind: KindSpec, catalog: FieldCatalog) -> dict[str, int]:
    """field -> column index; where several columns fit one field the best-ranked alias wins."""
    best: dict[str, tuple[int, int]] = {}
    for idx, cell in enumerate(cells):
        heading = normalize_heading(cell)
        if not heading:
            continue
        for fld in kind.fields:
            spec = catalog.fields.get(fld)
            if spec is None:
                continue
            aliases = [normalize_heading(a) for a in spec.aliases]
            if heading in aliases:
                rank = aliases.index(heading)
                if fld not in best or rank < best[fld][0]:
                    best[fld] = (rank, idx)
    # one column serves one field: keep the field whose alias fits it best
    by_column: dict[int, tuple[int, str]] = {}
    for fld, (rank, idx) in best.items():
        if idx not in by_column or rank < by_column[idx][0]:
            by_column[idx] = (rank, fld)
    return {fld: idx for idx, (rank, fld) in by_column.items()}


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_table(path: str | Path, kind: str, catalog: FieldCatalog | None = None) -> tuple[list[ImportTable], list[Problem]]:
    """The list's sheets that carry a header for ``kind``, and every reading problem.

    A sheet is used when its header row names at least two of the kind's fields; a used sheet missing a
    required column is a problem. If no sheet has such a header, that is a problem too.
    """
    catalog = catalog or field_catalog()
    spec = catalog.kinds.get(kind)
    p = Path(path)
    if spec is None:
        return [], [Problem(p.name, f"未知的名单类型 {kind}（可用：{'、'.join(catalog.kinds)}）")]
    grids, problems = read_grids(p)
    tables: list[ImportTable] = []
    for sheet, rows in grids:
        header_at, columns = None, {}
        for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
            found = _match_header(list(cells), spec, catalog)
            if len(found) >= 2 and len(found) > len(columns):
                header_at, columns = i, found
        if header_at is None:
            continue
        headings = [_cell_text(c) for c in rows[header_at]]
        table = ImportTable(p.name, sheet, header_at + 1, headings, columns)
        missing = [catalog.fields[f].label for f in spec.required if f not in columns]
        if missing:
            problems.append(Problem(table.place(header_at + 1),
                                    f"缺少必需的列：{'、'.join(missing)}（{spec.label}须有："
                                    f"{'、'.join(catalog.fields[f].label for f in spec.required)}）"))
            continue
        for j, cells in enumerate(rows[header_at + 1:], start=header_at + 2):
            cells = list(cells)
            if not any(_cell_text(c) for c in cells):
                continue
            values = {fld: (cells[idx] if idx < len(cells) else None) for fld, idx in columns.items()}
            table.rows.append(SourceRow(sheet, j, values, cells))
        tables.append(table)
    if not tables and not any("缺少必需的列" in pr.message for pr in problems) and grids:
        need = "、".join(catalog.fields[f].label for f in spec.required)
        problems.append(Problem(p.name, f"在前{HEADER_SCAN_ROWS}行里找不到{spec.label}的表头（须有列：{need}）"))
    return tables, problems
