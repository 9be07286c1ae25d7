"""缴费通知单: one household per A4 page (more pages only for very large households); a batch in one PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from reportlab.lib.units import mm

from ..domain.money import capitals
from .fonts import FontSet, default_fonts
from .layout import A4, CancelCheck, Pen, Progress, Table, cn_date, money, demo_stamp, new_canvas, scale_columns, tick, \
    write_atomically
from .model import Notice, NoticeMember

MARGIN = 15 * mm
COLUMNS = (  # title, relative width, alignment
    ("序号", 6, "center"), ("姓名", 15, "center"), ("身份证号码", 27, "center"), ("与户主\n关系", 9, "center"),
    ("人员类别", 17, "center"), ("个人缴费\n标准(元)", 13, "right"), ("医疗救助\n资助(元)", 13, "right"),
    ("附加险(元)", 16, "center"), ("应缴金额\n(元)", 14, "right"), ("备注", 20, "center"),
)
ROW_H = 8 * mm
MIN_ROW_H = 6 * mm
HEADER_H = 10 * mm
BOTTOM_H = 92 * mm  # totals, time, channels, notes, signatures, footer


def _member_cells(i: int, m: NoticeMember) -> list[str]:
    assistance = f"-{money(m.assistance)}" if m.assistance else ("—" if m.due is None else "0.00")
    category = m.category or ("普通居民" if m.personal_standard is not None else "—")
    return [str(i), m.name, m.id_masked or "（无证件）", m.relation, category,
            money(m.personal_standard), assistance, m.addons or "—", money(m.due) if m.counted else "—", m.note]


def _head(pen: Pen, n: Notice, page_w: float, top: float, continued: bool) -> float:
    title = n.title + ("（续）" if continued else "")
    size = pen.fit_size(title, page_w - 2 * MARGIN, 17, 11)
    pen.text(page_w / 2, top - 7 * mm, title, size, align="center", bold=True)
    y = top - 15 * mm
    where = f"{n.township}  {n.village}" + (f"  {n.group}" if n.group else "")
    pen.text(MARGIN, y, where, 10.5)
    pen.text(page_w - MARGIN, y, f"户编号：{n.household_number}", 10.5, align="right")
    y -= 6.5 * mm
    who = f"户主：{n.head_name}"
    if n.address:
        who += f"    住址：{n.address}"
    if n.phone:
        who += f"    电话：{n.phone}"
    size = pen.fit_size(who, page_w - 2 * MARGIN, 10.5, 7)
    pen.text(MARGIN, y, who, size)
    y -= 4 * mm
    if not continued:
        y -= 3 * mm
        counted = sum(1 for m in n.members if m.counted)
        if counted:
            intro = (f"{n.head_name} 户：根据{n.policy_doc}，您家有 {counted} 人应在本地参加城乡居民基本医疗保险，"
                     f"本年度应缴费用如下，请核对后按时缴费。")
        else:
            intro = f"{n.head_name} 户：您家本年度没有需要在本地缴费的人员（见备注），本通知单仅供核对。"
        y = pen.paragraph(MARGIN, y, page_w - 2 * MARGIN, intro, 10.5, leading=5.2 * mm)
        y += 1.5 * mm
    return y


def _bottom(pen: Pen, n: Notice, page_w: float, table: Table, y: float) -> None:
    """Total row, then time, channels, notes and signatures, starting at y (the table's bottom)."""
    total = n.total
    y = table.row(y, ROW_H, ["合计", f"大写：{capitals(total)}", money(total), ""], bold=True, spans=[2, 6, 1, 1])
    width = page_w - 2 * MARGIN
    y -= 7 * mm
    pen.text(MARGIN, y, f"本户应缴合计：{money(total)} 元    大写：{capitals(total)}", 12.5, bold=True)
    y -= 8 * mm
    window = (f"集中缴费期：{cn_date(n.window_start)}至{cn_date(n.window_end)}"
              f"{'（' + n.window_days + '）' if n.window_days else ''}")
    lines = [window + (f"。{n.after_window}" if n.after_window else f"，请于 {cn_date(n.deadline)} 前缴费。"),
             f"待遇享受期：{n.benefit}。"]
    # only what the document gives the public: its channels and hotline; nothing invented
    if n.channels or n.grid_collection:
        lines.append("缴费渠道：" + "；".join(x for x in (
            "、".join(n.channels), "也可交给本村（社区）网格员代收，收款时出具收款回执" if n.grid_collection else "") if x)
            + "。")
    if n.hotline:
        lines.append(f"咨询电话：{n.hotline}。" if any(ch.isdigit() for ch in n.hotline) else f"咨询：{n.hotline}。")
    later = [f"{m.name}：{m.later}" for m in n.members if m.later]
    if later:
        lines.append("先缴后补：" + "；".join(later) + "。")
    for warning in dict.fromkeys(w for m in n.members if m.counted for w in m.warnings):
        lines.append(f"提醒：{warning}")
    lines.extend(n.notes)
    for text in lines:
        y = pen.paragraph(MARGIN, y, width, text, 10, leading=5 * mm)
        y -= 0.8 * mm
    y = min(y - 4 * mm, MARGIN + 30 * mm)
    pen.signature(MARGIN, y, "网格员（签字）", 10.5, 32 * mm)
    y -= 11 * mm
    pen.signature(MARGIN, y, "户主或家庭成员（签收）", 10.5, 32 * mm)
    pen.text(page_w - MARGIN, y + 5 * mm, "（村/社区盖章）", 9, align="right", gray=0.45)


def _footer(pen: Pen, n: Notice, page_w: float, page: int, pages: int) -> None:
    text = f"依据：{n.policy_doc}    打印日期：{cn_date(n.issued_on)}    户编号 {n.household_number}"
    if pages > 1:
        text += f"    第 {page} 页 共 {pages} 页"
    pen.text(page_w / 2, 8 * mm, text, 8, align="center", gray=0.35)


def _pages(count: int, first_space: float, later_space: float) -> list[int]:
    """How many member rows go on each page; the last page keeps BOTTOM_H free."""
    per_first = int((first_space - BOTTOM_H) // MIN_ROW_H)
    if count <= per_first:
        return [count]
    out = []
    left = count
    space = first_space
    while True:
        if left * MIN_ROW_H <= space - BOTTOM_H:
            out.append(left)
            return out
        fit = max(1, int(space // MIN_ROW_H))
        fit = min(fit, left - 1) if left > 1 else fit
        out.append(fit)
        left -= fit
        space = later_space


def draw_notice(pen: Pen, n: Notice, page_size=A4) -> int:
    """Draw one household's notice (one or more pages, each ended with showPage). Returns pages drawn."""
    page_w, page_h = page_size
    columns = scale_columns(COLUMNS, page_w - 2 * MARGIN)
    members = list(n.members)
    table = Table(pen, MARGIN, columns, size=9.5, header_size=8.5, min_size=7)
    # First-page and continuation space below the header block.
    first_top = page_h - 60 * mm
    later_top = page_h - 34 * mm
    chunks = _pages(len(members), first_top - HEADER_H - MARGIN, later_top - HEADER_H - MARGIN)
    start = 0
    for page, count in enumerate(chunks, 1):
        last = page == len(chunks)
        y = _head(pen, n, page_w, page_h - MARGIN, continued=page > 1)
        y = table.header(y, HEADER_H)
        rows = members[start:start + count]
        if last:
            space = y - MARGIN - BOTTOM_H
            row_h = max(MIN_ROW_H, min(ROW_H, space / max(1, len(rows))))
        else:
            row_h = min(ROW_H, (y - MARGIN - 10 * mm) / max(1, len(rows)))
        for i, m in enumerate(rows, start + 1):
            y = table.row(y, row_h, _member_cells(i, m))
        start += count
        if last:
            _bottom(pen, n, page_w, table, y)
        else:
            pen.text(page_w - MARGIN, y - 5 * mm, "（接下页）", 9, align="right")
        _footer(pen, n, page_w, page, len(chunks))
        pen.c.showPage()
    return len(chunks)


def render_notices(notices: Sequence[Notice], path: Path | str, *, progress: Progress = None,
                   cancelled: CancelCheck = None, fonts: FontSet | None = None) -> Path:
    """All notices into one PDF, written only if the whole batch finished."""
    fonts = fonts or default_fonts()
    total = len(notices)

    def build(tmp: str) -> None:
        c = new_canvas(tmp, A4, "缴费通知单", fonts, demo_stamp(notices))
        pen = Pen(c, fonts)
        tick(0, total, progress, cancelled)
        for done, notice in enumerate(notices, 1):
            draw_notice(pen, notice)
            tick(done, total, progress, cancelled)
        if total == 0:
            pen.text(A4[0] / 2, A4[1] / 2, "没有需要打印通知单的户", 14, align="center")
            c.showPage()
        c.save()

    return write_atomically(path, build)
