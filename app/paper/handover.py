"""交款单 (日结): one operator's receipts, refunds, totals by payment method and signature lines — as a PDF
(A4 portrait) and as an xlsx workbook. Both show a ``app.ledger.handover.Handover``; nothing is added up
here that the ledger did not compute."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm

from ..domain.money import capitals
from .fonts import FontSet, default_fonts
from .layout import A4, CancelCheck, Pen, Progress, Table, cn_date, demo_stamp, money, new_canvas, scale_columns, tick, \
    write_atomically

MARGIN = 14 * mm
ROW_H = 6.4 * mm
HEADER_H = 7.5 * mm
RECEIPT_COLUMNS = (("序号", 6, "center"), ("票据号", 16, "center"), ("缴费日期", 13, "center"),
                   ("户编号", 12, "center"), ("缴费人", 14, "center"), ("人数", 6, "center"),
                   ("金额(元)", 13, "right"), ("方式", 9, "center"), ("状态", 14, "center"))
METHOD_COLUMNS = (("缴费方式", 20, "center"), ("有效票据(张)", 16, "center"), ("收款(元)", 20, "right"),
                  ("退费(元)", 20, "right"), ("应交(元)", 24, "right"))
REFUND_COLUMNS = (("票据号", 16, "center"), ("人员", 14, "center"), ("退费日期", 13, "center"),
                  ("金额(元)", 13, "right"), ("方式", 9, "center"), ("原因", 38, "left"))
SIGNERS = ("交款人（签字）", "收款人（签字）", "复核人（签字）")


def _receipt_cells(i: int, r) -> list[str]:
    state = r.state + (f"（{r.void_reason}）" if r.voided and r.void_reason else "")
    return [str(i), r.receipt_no, str(r.paid_on), r.household_number, r.payer, str(r.people), money(r.amount),
            r.method, state]


def _summary_lines(h) -> list[str]:
    lines = [f"有效票据 {len(h.standing)} 张，收款 {money(h.collected)} 元；作废 {len(h.voided)} 张"
             f"（{money(h.voided_amount)} 元，不计入）；退费 {len(h.refunds)} 笔 {money(h.refunded)} 元。",
             f"应交款合计：{money(h.hand_over_amount)} 元（大写：{capitals(h.hand_over_amount)}）。"]
    for m in h.marks:
        note = f"已于 {m.handed_at[:16].replace('T', ' ')} 交款" + (f"（收款人 {m.receiver}）" if m.receiver else "")
        if m.start != h.start or m.end != h.end:
            note = f"{m.start} 至 {m.end} " + note
        lines.append(note + ("。" if not m.changed else "；此后有变动：" + "；".join(m.changes) + "。"))
    return lines


def render_handover(h, path: Path | str, *, progress: Progress = None, cancelled: CancelCheck = None,
                    fonts: FontSet | None = None) -> Path:
    fonts = fonts or default_fonts()
    page_w, page_h = A4
    width = page_w - 2 * MARGIN
    title = f"参保缴费交款单（日结）　{h.operator}　{h.period}"

    def build(tmp: str) -> None:
        c = new_canvas(tmp, A4, title, fonts, demo_stamp([h]))
        pen = Pen(c, fonts)
        page = [1]

        def head() -> float:
            pen.text(page_w / 2, page_h - MARGIN - 6 * mm, "参保缴费交款单（日结）", 16, align="center", bold=True)
            y = page_h - MARGIN - 14 * mm
            pen.text(MARGIN, y, f"乡镇（街道）：{h.township}　　操作员（交款人）：{h.operator}", 10)
            pen.text(page_w - MARGIN, y, f"期间：{h.period}　　参保年度：{h.year}", 10, align="right")
            return y - 5 * mm

        def foot() -> None:
            pen.text(page_w / 2, MARGIN - 6 * mm, f"第 {page[0]} 页", 9, align="center")
            pen.text(page_w - MARGIN, MARGIN - 6 * mm, f"打印日期：{cn_date(dt.date.today())}", 8, align="right",
                     gray=0.35)

        def new_page() -> float:
            foot()
            c.showPage()
            page[0] += 1
            return head()

        def room(y: float, need: float) -> float:
            return new_page() if y - need < MARGIN + 4 * mm else y

        y = head()
        pen.text(MARGIN, y - 4 * mm, "一、收款票据（按票据号）", 11, bold=True)
        y -= 6 * mm
        table = Table(pen, MARGIN, scale_columns(RECEIPT_COLUMNS, width), size=9, header_size=9)
        y = table.header(y, HEADER_H)
        for i, r in enumerate(h.receipts, 1):
            tick(i - 1, len(h.receipts), progress, cancelled)
            if y - ROW_H < MARGIN + 4 * mm:
                y = table.header(new_page(), HEADER_H)
            y = table.row(y, ROW_H, _receipt_cells(i, r))
        if not h.receipts:
            y = table.row(y, ROW_H, ["本期没有收款票据"], spans=[len(RECEIPT_COLUMNS)])
        y = room(y - 4 * mm, 12 * mm + HEADER_H + ROW_H * (len(h.by_method) + 1))
        pen.text(MARGIN, y - 4 * mm, "二、按缴费方式汇总", 11, bold=True)
        y -= 6 * mm
        mt = Table(pen, MARGIN, scale_columns(METHOD_COLUMNS, width), size=9.5, header_size=9)
        y = mt.header(y, HEADER_H)
        for m in h.by_method:
            y = mt.row(y, ROW_H, [m.method, str(m.receipts), money(m.collected), money(m.refunded),
                                  money(m.to_hand) if m.handed else "不经手"])
        y = mt.row(y, ROW_H, ["合计", str(len(h.standing)), money(h.collected), money(h.refunded),
                              money(h.hand_over_amount)], bold=True)
        if h.refunds:
            y = room(y - 4 * mm, 12 * mm + HEADER_H + ROW_H * 2)
            pen.text(MARGIN, y - 4 * mm, "三、退费", 11, bold=True)
            y -= 6 * mm
            rt = Table(pen, MARGIN, scale_columns(REFUND_COLUMNS, width), size=9, header_size=9)
            y = rt.header(y, HEADER_H)
            for f in h.refunds:
                if y - ROW_H < MARGIN + 4 * mm:
                    y = rt.header(new_page(), HEADER_H)
                y = rt.row(y, ROW_H, [f.receipt_no, f.member_name, str(f.refunded_on), money(f.amount), f.method,
                                      f.reason])
        lines = _summary_lines(h)
        y = room(y - 6 * mm, 6 * mm * len(lines) + 40 * mm)
        for line in lines:
            y = pen.paragraph(MARGIN, y - 2 * mm, width, line, 10.5, leading=5.5 * mm)
        y -= 14 * mm
        step = width / len(SIGNERS)
        for k, signer in enumerate(SIGNERS):
            pen.signature(MARGIN + k * step, y, signer, 10.5, 22 * mm, date=False)
        y -= 10 * mm
        pen.text(MARGIN, y, "交款日期：______年____月____日", 10.5)
        tick(len(h.receipts), len(h.receipts), progress, cancelled)
        foot()
        c.showPage()
        c.save()

    return write_atomically(path, build)


def write_handover_xlsx(h, path: Path | str) -> Path:
    """The same sheet as a workbook: 交款单 (summary and method totals), 票据, 退费. Amounts are numbers
    (Decimal, two decimals) so a clerk can sum them; written to a temporary file and moved into place."""
    from openpyxl import Workbook

    from ..ledger.files import part_path, pending
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "交款单"
    bold = Font(bold=True)
    ws.append(["参保缴费交款单（日结）" + (f"　{demo_stamp([h])}" if h.demo else "")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["乡镇（街道）", h.township, "操作员（交款人）", h.operator])
    ws.append(["期间", h.period, "参保年度", h.year])
    ws.append([])
    ws.append(["缴费方式", "有效票据(张)", "收款(元)", "退费(元)", "应交(元)"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for m in h.by_method:
        ws.append([m.method, m.receipts, m.collected, m.refunded, m.to_hand if m.handed else "不经手（直接缴入税务）"])
    ws.append(["合计", len(h.standing), h.collected, h.refunded, h.hand_over_amount])
    for cell in ws[ws.max_row]:
        cell.font = bold
    ws.append([])
    for line in _summary_lines(h):
        ws.append([line])
    ws.append([])
    ws.append([s + "：" for s in SIGNERS])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 18
    for col in "BCDE":
        ws.column_dimensions[col].width = 16
    rs = wb.create_sheet("票据")
    rs.append([c[0] for c in RECEIPT_COLUMNS] + ["作废原因"])
    for i, r in enumerate(h.receipts, 1):
        rs.append([i, r.receipt_no, str(r.paid_on), r.household_number, r.payer, r.people, r.amount,
                   r.method, r.state, r.void_reason])
        rs.cell(rs.max_row, 7).number_format = "#,##0.00"
    fs = wb.create_sheet("退费")
    fs.append([c[0] for c in REFUND_COLUMNS])
    for f in h.refunds:
        fs.append([f.receipt_no, f.member_name, str(f.refunded_on), f.amount, f.method, f.reason])
        fs.cell(fs.max_row, 4).number_format = "#,##0.00"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(path)
    try:
        with pending(tmp):  # a killed export's part is removed at the next start (app.ledger.files)
            wb.save(tmp)
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
