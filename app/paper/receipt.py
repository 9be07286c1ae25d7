"""收款回执: the village's own acknowledgement of a payment, in two copies (存根联 kept, 交款人联 handed over).

A4: both copies on one page, one above the other, with a cut line. 241×93 mm continuous forms (dot-matrix
printers): one copy per form. A household too large for one form continues on the next ("第 1 张 共 2 张"),
the total on the last. A reprint is marked 补打; a voided payment 已作废.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from reportlab.lib.units import mm

from ..domain.money import capitals
from .fonts import FontSet, default_fonts
from .layout import A4, CONTINUOUS_241x93, PAPERS, CancelCheck, Pen, Progress, Table, cn_date, money, \
    demo_stamp, new_canvas, scale_columns, tick, write_atomically
from .model import Receipt, ReceiptLine

DISCLAIMER = "本回执仅为村（社区）内部收款确认，不作为税务缴费凭证；正式缴费凭证以税务部门出具的为准。"
COPIES = ("存根联", "交款人联")
COLUMNS = (("序号", 6, "center"), ("姓名", 16, "center"), ("身份证号码", 30, "center"),
           ("附加险", 20, "center"), ("金额(元)", 15, "right"), ("备注", 18, "center"))


class _Box:
    """Sizes for one copy: A4 half-page or a 241×93 form. draw_copy uses exactly these offsets."""

    def __init__(self, w: float, h: float, compact: bool):
        self.w, self.h = w, h
        self.pad_x = 10 * mm if compact else 15 * mm
        self.pad_top = 4 * mm if compact else 9 * mm
        self.pad_bottom = 3.5 * mm if compact else 8 * mm
        self.title = 13 if compact else 15
        self.text = 9 if compact else 10
        self.row = 4.4 * mm if compact else 6.5 * mm
        self.header = 5 * mm if compact else 7 * mm
        self.small = 7.5 if compact else 8.5
        self.title_gap = self.title + (7 if compact else 8.5) * mm  # title and copy name, to the place line
        self.line_gap = self.text * 0.45 * mm + 3 * mm  # place line to payer line
        self.before_table = 2.2 * mm
        self.method_gap = self.text * 0.35 * mm + 3.6 * mm  # table bottom to the method line
        self.disclaimer_gap = self.small * 0.35 * mm + 3.4 * mm
        self.footer_room = self.pad_bottom + 2.5 * mm  # the footer line and a clear gap above it

    def table_top(self) -> float:
        """Distance from the copy's top edge to the table's top."""
        return self.pad_top + self.title_gap + self.line_gap + self.before_table

    def rows_per_copy(self) -> int:
        fixed = (self.table_top() + self.header + self.row + self.method_gap + self.disclaimer_gap
                 + self.footer_room)
        return max(1, int((self.h - fixed) // self.row))


def _chunks(lines: Sequence[ReceiptLine], per: int) -> list[list[ReceiptLine]]:
    lines = list(lines)
    return [lines[i:i + per] for i in range(0, len(lines), per)] or [[]]


def _stamp(pen: Pen, x: float, y: float, text: str, size: float) -> None:
    """A boxed mark such as 补打 / 已作废, top-right at (x, y)."""
    w = pen.width(text, size) + 3 * mm
    h = size + 2.5 * mm
    pen.rect(x - w, y - h, w, h, 1.4)
    pen.text(x - w / 2, y - h + 1.3 * mm + size * 0.12, text, size, align="center", bold=True)


def draw_copy(pen: Pen, r: Receipt, x0: float, y0: float, box: _Box, copy: str, lines: list[ReceiptLine],
              sheet: int, sheets: int) -> float:
    """One copy of the receipt in the box whose bottom-left is (x0, y0); returns the disclaimer's baseline
    (which must stay above ``y0 + box.footer_room``)."""
    left = x0 + box.pad_x
    right = x0 + box.w - box.pad_x
    width = right - left
    top = y0 + box.h - box.pad_top
    title = f"{r.year}年度城乡居民医疗保险费收款回执"
    pen.text(x0 + box.w / 2, top - box.title, title, box.title, align="center", bold=True)
    pen.text(x0 + box.w / 2, top - box.title - 4.2 * mm, f"（{copy}）", box.small, align="center")
    number = f"No. {r.receipt_no}"
    title_right = x0 + box.w / 2 + pen.width(title, box.title) / 2
    fits = right - pen.width(number, box.text) > title_right + 2 * mm  # a station-coded number is longer
    pen.text(right, top - box.title + 1 if fits else top - box.title - 4.2 * mm, number, box.text, align="right",
             bold=True)
    marks = []
    if r.reprint:
        marks.append("补打")
    if r.voided:
        marks.append("已作废")
    mx = left
    for mark in marks:
        w = pen.width(mark, box.title) + 3 * mm
        _stamp(pen, mx + w, top + 1 * mm, mark, box.title)
        mx += w + 2 * mm
    y = top - box.title_gap
    where = f"{r.township} {r.village}" + (f" {r.group}" if r.group else "") + f"    户编号：{r.household_number}"
    pen.text(left, y, where, box.text)
    pen.text(right, y, f"收款日期：{cn_date(r.paid_on)}", box.text, align="right")
    y -= box.line_gap
    payer = f"交款人：{r.payer}"
    pen.text(left, y, payer, box.text)
    if sheets > 1:
        pen.text(right, y, f"第 {sheet} 张 共 {sheets} 张", box.text, align="right")
    y -= box.before_table
    table = Table(pen, left, scale_columns(COLUMNS, width), size=box.text, header_size=box.small + 0.5)
    y = table.header(y, box.header)
    first_no = (sheet - 1) * box.rows_per_copy() + 1
    for i, line in enumerate(lines, first_no):
        y = table.row(y, box.row, [str(i), line.name, line.id_masked or "（无证件）", line.addons or "—",
                                   money(line.amount), line.note])
    if sheet == sheets:
        y = table.row(y, box.row, ["合计", f"人民币（大写）{capitals(r.total)}", money(r.total), ""], bold=True,
                      spans=[2, 2, 1, 1])
    else:
        y = table.row(y, box.row, ["", "（接下张）", "", ""], spans=[2, 2, 1, 1])
    y -= box.method_gap
    pen.text(left, y, f"缴费方式：{r.method}", box.text)
    pen.text(left + width * 0.30, y, f"收款人：{r.operator}", box.text)
    pen.signature(left + width * 0.56, y, "交款人签字", box.text, 28 * mm, date=False)
    y -= box.disclaimer_gap
    pen.text(left, y, DISCLAIMER, pen.fit_size(DISCLAIMER, width, box.small, 6), bold=True)
    foot = []
    if r.reprint:
        foot.append(f"补打日期：{cn_date(r.printed_on)}")
    if r.voided:
        foot.append(f"已作废：{r.voided}")
    foot.append(r.policy_name)
    pen.text(x0 + box.w / 2, y0 + box.pad_bottom - 1.5 * mm, "    ".join(foot), box.small - 1, align="center",
             gray=0.35)
    return y


def draw_receipt(pen: Pen, r: Receipt, paper: str = "a4") -> int:
    """Both copies of one receipt; returns the pages drawn."""
    page_w, page_h = PAPERS[paper]
    pages = 0
    if paper == "a4":
        box = _Box(page_w, page_h / 2, compact=False)
        chunks = _chunks(r.lines, box.rows_per_copy())
        for sheet, lines in enumerate(chunks, 1):
            draw_copy(pen, r, 0, page_h / 2, box, COPIES[0], lines, sheet, len(chunks))
            draw_copy(pen, r, 0, 0, box, COPIES[1], lines, sheet, len(chunks))
            pen.line(6 * mm, page_h / 2, page_w - 6 * mm, page_h / 2, 0.5, dash=(3, 3))
            pen.text(page_w / 2, page_h / 2 + 1.2 * mm, "沿此线剪开", 7, align="center", gray=0.4)
            pen.c.showPage()
            pages += 1
    else:
        box = _Box(page_w, page_h, compact=True)
        chunks = _chunks(r.lines, box.rows_per_copy())
        for copy in COPIES:
            for sheet, lines in enumerate(chunks, 1):
                draw_copy(pen, r, 0, 0, box, copy, lines, sheet, len(chunks))
                pen.c.showPage()
                pages += 1
    return pages


def render_receipts(receipts: Sequence[Receipt], path: Path | str, paper: str = "a4", *,
                    progress: Progress = None, cancelled: CancelCheck = None,
                    fonts: FontSet | None = None) -> Path:
    """Receipts into one PDF on A4 or 241×93 mm forms, written only if all of them were drawn."""
    if paper not in PAPERS:
        raise ValueError(f"不支持的纸张「{paper}」。可用：{'、'.join(PAPERS)}")
    fonts = fonts or default_fonts()
    size = A4 if paper == "a4" else CONTINUOUS_241x93
    total = len(receipts)

    def build(tmp: str) -> None:
        c = new_canvas(tmp, size, "收款回执", fonts, demo_stamp(receipts))
        pen = Pen(c, fonts)
        tick(0, total, progress, cancelled)
        for done, receipt in enumerate(receipts, 1):
            draw_receipt(pen, receipt, paper)
            tick(done, total, progress, cancelled)
        if total == 0:
            pen.text(size[0] / 2, size[1] / 2, "没有可打印的回执", 14, align="center")
            c.showPage()
        c.save()

    return write_atomically(path, build)
