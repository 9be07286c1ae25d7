"""台账 printout of a village (or a group): A4 landscape, the table header on every page, "第 x 页 共 y 页",
totals and signature lines (经办人 / 审核人 / 单位负责人) after the last row."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from reportlab.lib.units import mm

from ..domain.money import capitals
from .fonts import FontSet, default_fonts
from .layout import A4_LANDSCAPE, CancelCheck, Pen, Progress, Table, cn_date, money, demo_stamp, new_canvas, scale_columns, \
    tick, write_atomically
from .model import LedgerRow, LedgerSheet

MARGIN = 12 * mm
ROW_H = 6.6 * mm
HEADER_H = 9 * mm
TOP_BLOCK = 24 * mm  # title and the line under it
FOOTER = 10 * mm
SUMMARY_H = 40 * mm  # totals row, summary lines and signatures on the last page
COLUMNS = (
    ("序号", 6, "center"), ("户编号", 17, "center"), ("组", 8, "center"), ("姓名", 13, "center"),
    ("与户主\n关系", 8, "center"), ("身份证号码", 25, "center"), ("人员类别", 16, "center"),
    ("应缴金额\n(元)", 11, "right"), ("实缴金额\n(元)", 11, "right"), ("缴费日期", 13, "center"),
    ("回执号", 14, "center"), ("缴费\n方式", 8, "center"), ("状态", 13, "center"),
)


def paginate(count: int, page_h: float = A4_LANDSCAPE[1]) -> list[tuple[int, int]]:
    """(start, end) row ranges per page; the last page keeps room for the totals and signatures."""
    space = page_h - 2 * MARGIN - TOP_BLOCK - HEADER_H - FOOTER
    per_page = int(space // ROW_H)
    ranges = []
    start = 0
    while count - start > per_page:
        ranges.append((start, start + per_page))
        start += per_page
    rest = count - start
    if rest * ROW_H + SUMMARY_H <= space:
        ranges.append((start, count))
    else:  # the last rows fit but the signatures do not: move some rows to a last page
        keep = max(0, int((space - SUMMARY_H) // ROW_H))
        cut = max(start, count - keep) if keep else count
        ranges.append((start, cut))
        ranges.append((cut, count))
    return ranges


def _cells(r: LedgerRow) -> list[str]:
    return [str(r.seq), r.household_number, r.group, r.name, r.relation, r.id_masked or "（无证件）",
            r.category or ("普通居民" if r.status in ("已缴", "未缴") else "—"), money(r.due), money(r.paid) if r.paid else "—",
            r.paid_on.isoformat() if r.paid_on else "", r.receipt_no, r.method, r.status]


def _head(pen: Pen, s: LedgerSheet, page_w: float, top: float) -> float:
    size = pen.fit_size(s.title, page_w - 2 * MARGIN, 16, 10)
    pen.text(page_w / 2, top - 7 * mm, s.title, size, align="center", bold=True)
    y = top - 15 * mm
    place = f"乡镇（街道）：{s.township}    村（社区）：{s.village}" + (f"    组：{s.group}" if s.group else "")
    pen.text(MARGIN, y, place, 10)
    pen.text(page_w - MARGIN, y, f"参保年度：{s.year}    依据：{s.policy_doc}", 10, align="right")
    return top - TOP_BLOCK


def _summary(pen: Pen, s: LedgerSheet, page_w: float, table: Table, y: float) -> None:
    t = s.totals
    y = table.row(y, ROW_H, ["合计", f"{t.people} 人", money(t.due), money(t.paid), ""], bold=True,
                  spans=[3, 4, 1, 1, 4])
    y -= 6 * mm
    line = (f"应在本地参保 {t.enrolled_here} 人，已缴 {t.paid_people} 人，未缴 {t.unpaid_people} 人；"
            f"应缴合计 {money(t.due)} 元，实缴合计 {money(t.paid)} 元（大写：{capitals(t.paid)}）。")
    y = pen.paragraph(MARGIN, y, page_w - 2 * MARGIN, line, 10, leading=5 * mm)
    for note in s.notes:
        y = pen.paragraph(MARGIN, y, page_w - 2 * MARGIN, note, 9, leading=4.6 * mm)
    y -= 8 * mm
    x = MARGIN
    step = (page_w - 2 * MARGIN) / max(1, len(s.signers))
    for signer in s.signers:
        pen.signature(x, y, signer, 10.5, 30 * mm, date=False)
        x += step
    y -= 8 * mm
    pen.text(MARGIN, y, "日期：______年____月____日", 10.5)
    pen.text(page_w - MARGIN, y, "（单位盖章）", 9, align="right", gray=0.45)


def draw_sheet(pen: Pen, s: LedgerSheet, progress: Progress = None, cancelled: CancelCheck = None) -> int:
    page_w, page_h = A4_LANDSCAPE
    table = Table(pen, MARGIN, scale_columns(COLUMNS, page_w - 2 * MARGIN), size=9, header_size=8.5)
    ranges = paginate(len(s.rows), page_h)
    pages = len(ranges)
    for page, (start, end) in enumerate(ranges, 1):
        tick(start, len(s.rows), progress, cancelled)
        y = _head(pen, s, page_w, page_h - MARGIN)
        y = table.header(y, HEADER_H)
        for row in s.rows[start:end]:
            y = table.row(y, ROW_H, _cells(row))
        if page == pages:
            _summary(pen, s, page_w, table, y)
        pen.text(page_w / 2, MARGIN - 4 * mm, f"第 {page} 页 共 {pages} 页", 9, align="center")
        pen.text(page_w - MARGIN, MARGIN - 4 * mm, f"打印日期：{cn_date(s.printed_on)}", 8, align="right",
                 gray=0.35)
        pen.c.showPage()
    tick(len(s.rows), len(s.rows), progress, cancelled)
    return pages


def render_ledger(sheets: Sequence[LedgerSheet], path: Path | str, *, progress: Progress = None,
                  cancelled: CancelCheck = None, fonts: FontSet | None = None) -> Path:
    """One or more villages' sheets into one PDF; page numbers count within each sheet."""
    fonts = fonts or default_fonts()
    total = sum(len(s.rows) for s in sheets)

    def build(tmp: str) -> None:
        c = new_canvas(tmp, A4_LANDSCAPE, "参保缴费台账", fonts, demo_stamp(sheets))
        pen = Pen(c, fonts)
        done = 0
        for sheet in sheets:
            base = done
            draw_sheet(pen, sheet, (lambda d, _t, b=base: progress(b + d, total)) if progress else None,
                       cancelled)
            done += len(sheet.rows)
        if not sheets:
            pen.text(A4_LANDSCAPE[0] / 2, A4_LANDSCAPE[1] / 2, "没有可打印的台账", 14, align="center")
            c.showPage()
        c.save()

    return write_atomically(path, build)
