"""重复参保排查.xlsx: one row per probable pair, both places side by side, full ID numbers (as the district's
exports carry them), most certain first; a 说明 sheet says what each kind means. Written by the shared workbook
writer (part file noted while written, renamed into place)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from ..domain.duplicate_match import Kind
from ..ledger import duplicates
from .columns import Column, ColumnSet
from .workbook import Cancelled, Progress, WorkbookWriter

TITLE = "重复参保排查"

_SIDE = (("station", "站点", "text", 12), ("village", "村（社区）", "text", 14), ("group", "组", "text", 8),
         ("household_no", "户编号", "id", 10), ("name", "姓名", "text", 10), ("id_number", "证件号码", "id", 21),
         ("sex", "性别", "text", 5), ("birth_date", "出生日期", "date", 11), ("status", "参保状态", "text", 12),
         ("pay_state", "本年度缴费", "text", 10))


def column_set() -> ColumnSet:
    cols = [Column("no", "序号", "int", 6), Column("certainty", "可信度", "int", 7), Column("kind", "类型", "text", 26),
            Column("where", "两处", "text", 10)]
    for side, label in (("a", "甲"), ("b", "乙")):
        cols += [Column(f"{side}_{field}", f"{label}·{heading}", kind, width) for field, heading, kind, width in _SIDE]
    cols.append(Column("why", "判断依据", "text", 100))
    return ColumnSet("duplicates", TITLE, tuple(cols))


def _side(prefix: str, place: duplicates.Place) -> dict:
    return {f"{prefix}_station": place.station, f"{prefix}_village": place.village, f"{prefix}_group": place.group,
            f"{prefix}_household_no": place.household_no, f"{prefix}_name": place.name,
            f"{prefix}_id_number": place.id_number or "（无证件）", f"{prefix}_sex": place.sex,
            f"{prefix}_birth_date": dt.date.fromisoformat(place.birth_date) if place.birth_date else None,
            f"{prefix}_status": place.status, f"{prefix}_pay_state": place.pay_state}


def rows(report: duplicates.Report) -> Iterator[dict]:
    for n, f in enumerate(report.findings, 1):
        yield {"no": n, "certainty": f.certainty, "kind": f.kind.value, "where": f.where, **_side("a", f.a),
               **_side("b", f.b), "why": f.why}


def export(ledger, path: str | Path, *, report: duplicates.Report | None = None, progress: Progress | None = None,
           cancelled: Cancelled | None = None) -> int:
    """Write the list to ``path`` (atomically); returns the number of pairs."""
    from .exports import _stamp

    report = report if report is not None else duplicates.find(ledger, cancel=cancelled)
    settings = ledger.settings.get()
    with WorkbookWriter(path, progress=progress, cancelled=cancelled, stamp=_stamp(ledger)) as writer:
        n = writer.add_sheet(column_set(), rows(report), total=len(report))
        writer.add_notes("说明", [
            ("乡镇", settings.township), ("年度", settings.year), ("排查人数", report.people),
            ("疑似重复", f"{n} 对（按可信度从高到低）"), ("已判定非重复", f"{report.dismissed} 对（不列出）"),
            ("生成时间", dt.datetime.now().replace(microsecond=0)),
            (Kind.SAME_ID.value, "两处登记的证件号码完全相同"),
            (Kind.ID_TYPO.value, "姓名（或读音）相同，证件号码前17位只差一位数字或相邻两位颠倒"),
            (Kind.SAME_PERSON.value, "姓名、出生日期、性别都相同，证件号码不同或一方没有"),
            (Kind.SIMILAR_NAME.value, "出生日期、性别相同，姓名读音相同（繁简字、异体字、同音字）或只差一个读音相近的字"),
            ("处理", "核实后：确属重复的，在其中一处改参保状态或退费；不是重复的，由专干在「重复参保」中标记为非重复"),
        ])
    return n
