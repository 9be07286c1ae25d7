"""Column sets: which columns an export writes, in what order, under which headings — as data.

Each export has a TOML file under ``resources/templates/columns/<name>.toml``. A district can copy one into
the user's data folder (``templates/columns/``) or a folder named by ``CANBAO_COLUMNS`` and change the order,
the headings, the widths or leave columns out; no code changes. The fields an export can fill are fixed here
(``EXPORT_FIELDS``); a column file naming an unknown field is reported with its line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from ..domain.toml_lines import locate_keys
from ..paths import data_dir, resources_dir

KINDS = ("text", "id", "money", "int", "date", "percent")

# What each export's row builder provides (keys of the row dicts).
EXPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "ledger": ("station", "village", "group", "household_head", "name", "id_number", "sex", "birth_date", "relation",
               "categories", "status", "personal_amount", "assistance_amount", "paid_on", "phone", "note"),
    "unpaid": ("station", "village", "group", "household_head", "name", "id_number", "phone", "status", "reason",
               "reason_detail", "reason_date", "counts", "note"),
    "progress": ("village", "group", "required", "paid", "rate", "target", "short", "key_required", "key_paid",
                 "key_rate", "key_target", "key_short"),
    "assistance": ("village", "group", "name", "id_number", "category", "funding_source", "standard_amount",
                   "assistance_amount", "personal_amount", "paid_on"),
    "subsidy": ("village", "group", "name", "id_number", "category", "funder", "subsidy_amount",
                "personal_amount", "paid_on", "state"),
    "roster": ("household_no", "village", "group", "household_head", "name", "id_type", "id_number", "birth_date",
               "relation", "sex",
               "ethnicity", "phone", "school", "categories", "departments", "recognized_on", "status", "status_date",
               "status_detail", "note"),
}


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    heading: str
    kind: str = "text"
    width: int | None = None


@dataclass(frozen=True, slots=True)
class ColumnSet:
    name: str
    title: str  # the sheet's title
    columns: tuple[Column, ...]
    source: str = ""  # the file it came from

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(c.heading for c in self.columns)


def search_dirs() -> list[Path]:
    """Where column files are looked for, first match wins: $CANBAO_COLUMNS, the data folder, the program."""
    dirs = []
    override = os.environ.get("CANBAO_COLUMNS")
    if override:
        dirs.append(Path(override))
    try:
        dirs.append(data_dir() / "templates" / "columns")
    except Exception:  # no home folder: only the shipped files
        pass
    dirs.append(resources_dir() / "templates" / "columns")
    return dirs


def find_column_file(name: str, dirs: list[Path] | None = None) -> Path:
    for d in dirs if dirs is not None else search_dirs():
        path = Path(d) / f"{name}.toml"
        if path.is_file():
            return path
    raise ProblemsError([Problem(f"{name}.toml", f"找不到列设置文件 {name}.toml")])


def parse_column_set(name: str, text: str, source: str = "") -> tuple[ColumnSet | None, list[Problem]]:
    """Read one column file; every problem comes back with its line."""
    where = source or f"{name}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(where, f"TOML 格式错误：{exc}")]
    lines = locate_keys(text)
    problems: list[Problem] = []

    def place(*path) -> str:
        line = lines.get(tuple(path)) or lines.get(tuple(path[:2])) or lines.get(tuple(path[:1]))
        return f"{where}:{line}" if line else where

    known = EXPORT_FIELDS.get(name)
    if known is None:
        return None, [Problem(where, f"未知的导出表 {name}（可用：{'、'.join(EXPORT_FIELDS)}）")]
    title = data.get("title", "")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(place("title"), "缺少表名 title"))
        title = name
    if len(title) > 31 or any(ch in title for ch in "[]:*?/\\"):
        problems.append(Problem(place("title"), f"表名 {title!r} 不能超过31个字，也不能含 []:*?/\\"))
    raw = data.get("columns")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(place("columns"), "缺少 [[columns]]：至少要有一列"))
        raw = []
    columns: list[Column] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(Problem(place("columns", i), "每一列应是一个表 [[columns]]"))
            continue
        field = item.get("field")
        heading = item.get("heading", field)
        kind = item.get("kind", "text")
        width = item.get("width")
        ok = True
        if field not in known:
            problems.append(Problem(place("columns", i, "field"),
                                    f"第{i + 1}列的字段 {field!r} 不存在（可用：{'、'.join(known)}）"))
            ok = False
        elif field in seen:
            problems.append(Problem(place("columns", i, "field"), f"字段 {field} 出现了两次"))
            ok = False
        if not isinstance(heading, str) or not heading.strip():
            problems.append(Problem(place("columns", i, "heading"), f"第{i + 1}列缺少列名 heading"))
            ok = False
        if kind not in KINDS:
            problems.append(Problem(place("columns", i, "kind"),
                                    f"第{i + 1}列的类型 {kind!r} 无效（可用：{'、'.join(KINDS)}）"))
            ok = False
        if width is not None and (not isinstance(width, int) or isinstance(width, bool) or not 1 <= width <= 255):
            problems.append(Problem(place("columns", i, "width"), f"第{i + 1}列的列宽应为1到255的整数"))
            width = None
        if ok:
            seen.add(field)
            columns.append(Column(field=field, heading=heading.strip(), kind=kind, width=width))
    if problems:
        return None, problems
    return ColumnSet(name=name, title=title.strip(), columns=tuple(columns), source=where), []


def load_column_set(name: str, dirs: list[Path] | None = None) -> ColumnSet:
    """The column set for an export; raises ProblemsError listing every problem in the file."""
    path = find_column_file(name, dirs)
    column_set, problems = parse_column_set(name, path.read_text(encoding="utf-8"), str(path))
    if problems:
        raise ProblemsError(problems)
    return column_set
