"""The exports the district asks for, each a workbook; and the 周报 that bundles them for a date range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from . import from_ledger
from .columns import load_column_set
from .from_ledger import ExportFilter
from .roster_export import roster_rows
from .workbook import Cancelled, Progress, WorkbookWriter

# name -> (row source, Chinese name)
EXPORTS: dict[str, tuple[Callable, str]] = {
    "ledger": (from_ledger.ledger_rows, "参保缴费台账"),
    "unpaid": (from_ledger.unpaid_rows, "未参保人员明细"),
    "progress": (from_ledger.progress_rows, "参保进度汇总"),
    "assistance": (from_ledger.assistance_rows, "困难群体资助名单"),
    "subsidy": (from_ledger.subsidy_rows, "先缴后补补助名单"),
    "roster": (roster_rows, "户籍名单（可导回）"),
}
WEEKLY_ORDER = ("progress", "ledger", "unpaid", "assistance", "subsidy")


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    sheets: dict[str, int]  # sheet title -> data rows


def week_range(text: str) -> tuple[dt.date, dt.date]:
    """'2025-W41' (ISO week) or any date in the week ('2025-10-08') -> Monday..Sunday."""
    t = text.strip()
    try:
        if "W" in t.upper():
            year, _, week = t.upper().partition("-W")
            monday = dt.date.fromisocalendar(int(year), int(week), 1)
        else:
            day = dt.date.fromisoformat(t)
            monday = day - dt.timedelta(days=day.weekday())
    except ValueError:
        raise ProblemsError([Problem("--week", f"周的写法应为 2025-W41 或该周内的某一天 2025-10-08：{text!r}")]) \
            from None
    return monday, monday + dt.timedelta(days=6)


def export_one(ledger, name: str, path: str | Path, flt: ExportFilter = ExportFilter(), *,
               column_dirs: list[Path] | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> ExportResult:
    """Write one export to ``path`` (atomically)."""
    if name not in EXPORTS:
        raise ProblemsError([Problem("导出", f"未知的导出表 {name}（可用：{'、'.join(EXPORTS)}）")])
    source, _ = EXPORTS[name]
    column_set = _columns(ledger, name, column_dirs)
    total = from_ledger.count_members(ledger, flt) if name == "ledger" else 0
    with WorkbookWriter(path, progress=progress, cancelled=cancelled, stamp=_stamp(ledger)) as writer:
        n = writer.add_sheet(column_set, source(ledger, flt), total=total)
    return ExportResult(Path(path), {column_set.title: n})


def export_weekly(ledger, path: str | Path, start: dt.date, end: dt.date, *, village: str | None = None,
                  group: str | None = None, column_dirs: list[Path] | None = None,
                  progress: Progress | None = None, cancelled: Cancelled | None = None) -> ExportResult:
    """周报: 说明, 参保进度汇总 (as of ``end``), 本期缴费 (payments in the range), 未参保人员明细 (as of ``end``),
    困难群体资助名单 and 先缴后补补助名单 (payments in the range)."""
    if end < start:
        raise ProblemsError([Problem("日期", f"结束日期 {end} 早于开始日期 {start}")])
    in_range = ExportFilter(village, group, start, end)
    as_of = ExportFilter(village, group, None, end)
    settings = ledger.settings.get()
    sheets: dict[str, int] = {}
    with WorkbookWriter(path, progress=progress, cancelled=cancelled, stamp=_stamp(ledger)) as writer:
        writer.add_notes("说明", [
            ("乡镇", settings.township), ("年度", settings.year), ("政策", settings.policy_id),
            ("统计区间", f"{start.isoformat()} 至 {end.isoformat()}"), ("范围", in_range.describe()),
            ("生成时间", dt.datetime.now().replace(microsecond=0)),
            ("说明", "参保进度与未参保明细截至区间末日；缴费、资助、补助名单为区间内的缴费"),
        ])
        for name in WEEKLY_ORDER:
            source, label = EXPORTS[name]
            column_set = _columns(ledger, name, column_dirs)
            flt = as_of if name in ("progress", "unpaid") else in_range
            title = "本期缴费明细" if name == "ledger" else column_set.title
            sheets[title] = writer.add_sheet(column_set, source(ledger, flt), title=title)
    return ExportResult(Path(path), sheets)


def _columns(ledger, name: str, column_dirs: list[Path] | None):
    """The export's column set; without the 站点 column on a ledger that has no stations."""
    import dataclasses

    from ..ledger.stations import known

    column_set = load_column_set(name, column_dirs)
    if "station" in column_set.fields and not known(ledger):
        column_set = dataclasses.replace(column_set, columns=tuple(c for c in column_set.columns
                                                                   if c.field != "station"))
    return column_set


def _stamp(ledger) -> str:
    """演示数据 for a demo ledger's exports."""
    from ..ledger.demo_flag import DEMO_LABEL, is_demo

    return DEMO_LABEL if is_demo(ledger) else ""
