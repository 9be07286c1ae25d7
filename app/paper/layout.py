"""Drawing helpers shared by the printouts: text with font fallback, fitted table cells, tables, signatures.

Coordinates are reportlab points from the bottom-left of the page; ``mm`` converts.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Sequence

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..domain.money import CENT
from .fonts import FontSet, default_fonts
from ..domain.problems import Cancelled as BaseCancelled

# Page streams zlib-compressed only: ASCII85 on top (reportlab's default) makes them 25 % larger and is
# a large share of the rendering time in pure Python. Only app.paper uses reportlab.
rl_config.useA85 = 0

Progress = Callable[[int, int], None] | None
CancelCheck = Callable[[], bool] | None

A4 = (210 * mm, 297 * mm)
A4_LANDSCAPE = (297 * mm, 210 * mm)
CONTINUOUS_241x93 = (241 * mm, 93 * mm)
PAPERS = {"a4": A4, "241x93": CONTINUOUS_241x93}


NO_LINE_START = "，。、；：？！）」』】》〉”’,.;:?!)%"  # punctuation that must not begin a line


class Cancelled(BaseCancelled):
    """The user cancelled a batch; nothing was written."""


def money(d: Decimal | None) -> str:
    """410.00 -> "410.00"; None -> "—"."""
    if d is None:
        return "—"
    return f"{d.quantize(CENT):,.2f}"


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "____年__月__日"


class Pen:
    """A canvas together with the fonts: every piece of text goes through here."""

    def __init__(self, canvas: Canvas, fonts: FontSet | None = None):
        self.c = canvas
        self.fonts = fonts or default_fonts()

    def width(self, text: str, size: float) -> float:
        return self.fonts.width(text, size)

    def text(self, x: float, y: float, text: str, size: float = 10, align: str = "left", bold: bool = False,
             gray: float | None = None) -> float:
        """Draw one line at baseline y; align left/center/right on x. Returns the width drawn."""
        if not text:
            return 0.0
        w = self.width(text, size)
        if align == "center":
            x -= w / 2
        elif align == "right":
            x -= w
        c = self.c
        if bold or gray is not None:
            c.saveState()
        t = c.beginText(x, y)
        if bold:
            c.setLineWidth(size * 0.035)
            t.setTextRenderMode(2)
        if gray is not None:
            t.setFillGray(gray)
        for font, piece in self.fonts.runs(text):
            t.setFont(font, size)
            t.textOut(piece)
        c.drawText(t)
        if bold or gray is not None:
            c.restoreState()
        return w

    def fit_size(self, text: str, width: float, size: float, min_size: float) -> float:
        w = self.width(text, size)
        if w <= width or w == 0:
            return size
        return max(min_size, size * width / w)

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Break text into lines no wider than width (any character may start a line, as in Chinese)."""
        lines: list[str] = []
        limit = width / size if size else float("inf")
        adv = self.fonts.advance
        for para in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for ch in para:
                w = adv(ch)
                if line and ch not in NO_LINE_START and used + w > limit:
                    lines.append("".join(line))
                    line, used = [ch], w
                else:
                    line.append(ch)
                    used += w
            lines.append("".join(line))
        return lines

    def paragraph(self, x: float, y: float, width: float, text: str, size: float = 10,
                  leading: float | None = None, bold: bool = False) -> float:
        """Draw wrapped text with its first baseline at y; returns the baseline below the last line."""
        leading = leading or size * 1.45
        for line in self.wrap(text, width, size):
            self.text(x, y, line, size, bold=bold)
            y -= leading
        return y

    def cell(self, x: float, y: float, w: float, h: float, text: str, size: float = 9, align: str = "center",
             min_size: float = 6, pad: float = 1.2 * mm, bold: bool = False) -> None:
        """Text inside a box (x, y = bottom-left): shrunk to fit one line, else wrapped onto more lines."""
        if not text:
            return
        inner = w - 2 * pad
        if "\n" in text:  # lines chosen by the caller: one size that fits the widest
            lines = text.split("\n")
            s = min(self.fit_size(line, inner, size, min_size) for line in lines)
            s = min(s, h / (len(lines) * 1.15))
        elif self.width(text, self.fit_size(text, inner, size, min_size)) <= inner + 0.01:
            s = self.fit_size(text, inner, size, min_size)
            lines = [text]
        else:
            s = min_size
            lines = self.wrap(text, inner, s)
            while len(lines) * s * 1.15 > h and s > 4:
                s -= 0.5
                lines = self.wrap(text, inner, s)
        leading = s * 1.15
        block = leading * (len(lines) - 1)
        base = y + h / 2 + block / 2 - s * 0.35
        tx = {"left": x + pad, "right": x + w - pad}.get(align, x + w / 2)
        for line in lines:
            self.text(tx, base, line, s, align=align, bold=bold)
            base -= leading

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.6, dash: Sequence[float] = ()):
        c = self.c
        c.setLineWidth(width)
        if dash:
            c.setDash(*dash) if len(dash) > 1 else c.setDash(dash[0])
        c.line(x1, y1, x2, y2)
        if dash:
            c.setDash()

    def rect(self, x: float, y: float, w: float, h: float, width: float = 0.8) -> None:
        self.c.setLineWidth(width)
        self.c.rect(x, y, w, h)

    def signature(self, x: float, y: float, label: str, size: float = 10, blank: float = 30 * mm,
                  date: bool = True) -> float:
        """"经办人（签字）：______  日期：____年__月__日"; returns the x after it."""
        x += self.text(x, y, label + "：", size)
        self.line(x, y - 1.2, x + blank, y - 1.2, 0.5)
        x += blank + 3 * mm
        if date:
            x += self.text(x, y, "日期：", size)
            x += self.text(x, y, "______年____月____日", size)
        return x


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float  # points
    align: str = "center"


class Table:
    """A ruled table of fixed columns; rows are drawn one by one so callers can paginate."""

    def __init__(self, pen: Pen, x: float, columns: Sequence[Column], size: float = 9,
                 header_size: float | None = None, min_size: float = 6):
        self.pen = pen
        self.min_size = min_size
        self.x = x
        self.columns = list(columns)
        self.size = size
        self.header_size = header_size or size
        self.width = sum(col.width for col in self.columns)

    def _rule(self, y: float, h: float) -> None:
        pen = self.pen
        pen.rect(self.x, y - h, self.width, h, 0.6)
        cx = self.x
        c = pen.c
        c.setLineWidth(0.5)
        for col in self.columns[:-1]:
            cx += col.width
            c.line(cx, y, cx, y - h)

    def header(self, y: float, h: float) -> float:
        """Draw the header row with its top at y; returns the y of its bottom."""
        c = self.pen.c
        c.saveState()
        c.setFillGray(0.9)
        c.rect(self.x, y - h, self.width, h, stroke=0, fill=1)
        c.restoreState()
        self._rule(y, h)
        cx = self.x
        for col in self.columns:
            self.pen.cell(cx, y - h, col.width, h, col.title, self.header_size, "center", min_size=5)
            cx += col.width
        return y - h

    def row(self, y: float, h: float, values: Sequence[str], bold: bool = False,
            spans: Sequence[int] | None = None) -> float:
        """Draw one row with its top at y. ``spans`` merges cells: e.g. [3, 1, 1] over five columns."""
        spans = list(spans) if spans else [1] * len(self.columns)
        pen = self.pen
        pen.rect(self.x, y - h, self.width, h, 0.6)
        cx = self.x
        i = 0
        pen.c.setLineWidth(0.5)
        for k, span in enumerate(spans):
            cols = self.columns[i:i + span]
            w = sum(col.width for col in cols)
            if k < len(spans) - 1:
                pen.c.line(cx + w, y, cx + w, y - h)
            text = values[k] if k < len(values) else ""
            pen.cell(cx, y - h, w, h, text, self.size, cols[0].align if span == 1 else "center",
                     min_size=self.min_size, bold=bold)
            cx += w
            i += span
        return y - h


def scale_columns(columns: Sequence[tuple[str, float, str]], total: float) -> list[Column]:
    """Columns given in relative widths, scaled to fill ``total`` points."""
    units = sum(w for _, w, _ in columns)
    return [Column(t, total * w / units, a) for t, w, a in columns]


def write_atomically(path: Path | str, build: Callable[[str], None]) -> Path:
    """Run ``build(tmp_path)`` and move the result into place only if it finished: never a half-written PDF."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".canbao-", suffix=".pdf.part", dir=str(path.parent))
    os.close(fd)
    try:
        build(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


DEMO_STAMP = "演示数据"


def demo_stamp(items) -> str:
    """``DEMO_STAMP`` when any of the printed models comes from a demo ledger, else ""."""
    return DEMO_STAMP if any(getattr(i, "demo", False) for i in items) else ""


class StampedCanvas(Canvas):
    """A canvas that writes ``stamp`` (演示数据) across every page before it is finished."""

    def __init__(self, *args, stamp: str = "", stamp_font: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._stamp, self._stamp_font = stamp, stamp_font

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        if self._stamp:
            w, h = self._pagesize
            self.saveState()
            self.setFillColorRGB(0.85, 0.1, 0.1, alpha=0.35)
            self.setFont(self._stamp_font, min(w, h) / 7)
            self.translate(w / 2, h / 2)
            self.rotate(30 if h > w else 12)
            self.drawCentredString(0, 0, self._stamp)
            self.restoreState()
            self.setFont(self._stamp_font, 9)
            self.setFillColorRGB(0.85, 0.1, 0.1)
            self.drawString(6 * mm, h - 6 * mm, f"【{self._stamp}】不是真实人员")
        super().showPage()


def new_canvas(path: str, pagesize: tuple[float, float], title: str, fonts: FontSet | None = None,
               stamp: str = "") -> Canvas:
    fonts = fonts or default_fonts()
    c = StampedCanvas(path, pagesize=pagesize, initialFontName=fonts.main, initialFontSize=10, pageCompression=1,
                      stamp=stamp, stamp_font=fonts.main)
    c.setTitle(title)
    c.setAuthor("参保台账 Canbao")
    c.setCreator("参保台账 Canbao")
    return c


def tick(done: int, total: int, progress: Progress, cancelled: CancelCheck) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled("已取消打印，未生成文件")
    if progress is not None:
        progress(done, total)
