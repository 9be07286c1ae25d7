"""The dashboard: progress per village against the 95% target, key groups (assisted categories) against 100%
with the list of those still unpaid, and payments per day over the campaign as a bar chart.

Everything is counted on a worker thread with its own read-only connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ..domain.idnumber import mask_phone
from ..domain.money import fmt, fmt_yuan, from_fen
from ..ledger import member_year as my
from ..ledger.member_year import KEY_TARGET, TARGET, Progress
from . import queries
from .tasks import run_task

VILLAGE_TARGET = TARGET


@dataclass(frozen=True, slots=True)
class DashboardData:
    villages: list[tuple[str, Progress]]
    total: Progress
    key_groups: list[tuple[str, Progress]]
    key_unpaid: list[tuple]  # (household number, name, village, group, categories, phone masked, owed, household id)
    per_day: list[tuple[dt.date, int, int]]  # day, payments, fen


def key_categories(policy) -> list[str]:
    """Categories the policy assists at the counter: the key groups that must reach 100%."""
    return list(my.key_categories(policy))


def _owed(path, rows: list[tuple], paid_on: dt.date | None) -> list:
    """What each unpaid member owes on ``paid_on``: the ledger's own quote (None where it gives none).

    Read through a read-only connection: the window already opened (and checked) this ledger, and opening it
    again would repeat the whole-file ``quick_check`` (~0.45 s at 500,000 people) for a thousand quotes."""
    from ..ledger.db import Ledger, connect
    from ..ledger.dues import default_paid_on

    if not rows:
        return []
    lg = Ledger(Path(path), connect(path, read_only=True))
    try:
        day = paid_on or min(default_paid_on(lg.policy()), dt.date.today())
        out = []
        for r in rows:
            try:
                q = lg.payments.quote(r[0], day)
                out.append(q.due if q.open else None)
            except Exception:  # noqa: BLE001 - a member the policy cannot quote shows —
                out.append(None)
        return out
    finally:
        lg.db.close()


def load_dashboard(path, year: int, key_cats: list[str], unpaid_limit: int = 1000,
                   paid_on: dt.date | None = None) -> DashboardData:
    """The dashboard's numbers. The three reads run side by side, each on its own read-only connection (SQLite
    lets go of the GIL while it reads): the stored progress totals, the key groups' unpaid members with what
    they owe, and the payments per day."""
    from concurrent.futures import ThreadPoolExecutor

    def read(fn, *args):
        conn = queries.open_reader(path)
        try:
            return fn(conn, *args)
        finally:
            conn.close()

    def unpaid_rows():
        found = read(queries.key_unpaid, year, key_cats, unpaid_limit)
        owed = _owed(path, [(r[6],) for r in found], paid_on)
        return [(*r[:5], mask_phone(r[5] or ""), due, r[7]) for r, due in zip(found, owed)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        unpaid = pool.submit(unpaid_rows)
        per_day = pool.submit(read, queries.payments_per_day, year)
        villages, total, key_groups = read(queries.dashboard_progress, year, key_cats)
        return DashboardData(villages, total, key_groups, unpaid.result(), per_day.result())


class DayChart(QWidget):
    """Payments per day as bars, with the busiest day's count on the axis."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dayChart")
        self.days: list[tuple[dt.date, int, int]] = []
        self.setMinimumHeight(260)

    def set_days(self, days) -> None:
        self.days = list(days)
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        w, h = self.width(), self.height()
        left, bottom, top, right = fm.horizontalAdvance("00000") + 12, fm.height() * 2 + 8, fm.height() + 8, 12
        p.fillRect(self.rect(), QColor("white"))
        if not self.days:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "本年度还没有缴费记录")
            return
        first, last = self.days[0][0], self.days[-1][0]
        span = (last - first).days + 1
        counts = {d: n for d, n, _ in self.days}
        peak = max(counts.values())
        plot = QRectF(left, top, w - left - right, h - top - bottom)
        p.setPen(QPen(QColor("#9ca3af")))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.drawLine(plot.bottomLeft(), plot.topLeft())
        p.drawText(QRectF(0, plot.top() - fm.height() / 2, left - 6, fm.height()),
                   Qt.AlignmentFlag.AlignRight, str(peak))
        p.drawText(QRectF(0, plot.bottom() - fm.height() / 2, left - 6, fm.height()), Qt.AlignmentFlag.AlignRight, "0")
        bar_w = plot.width() / span
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#2563eb"))
        for i in range(span):
            n = counts.get(first + dt.timedelta(days=i), 0)
            if n:
                bh = plot.height() * n / peak
                p.drawRect(QRectF(plot.left() + i * bar_w + bar_w * 0.1, plot.bottom() - bh, max(bar_w * 0.8, 1), bh))
        p.setPen(QPen(QColor("#374151")))
        y = plot.bottom() + 4
        p.drawText(QRectF(plot.left(), y, plot.width() / 2, fm.height()), Qt.AlignmentFlag.AlignLeft, str(first))
        p.drawText(QRectF(plot.left() + plot.width() / 2, y, plot.width() / 2, fm.height()),
                   Qt.AlignmentFlag.AlignRight, str(last))
        p.drawText(QRectF(plot.left(), y + fm.height(), plot.width(), fm.height()), Qt.AlignmentFlag.AlignCenter,
                   "每日缴费笔数")
        p.end()


def _progress_table(rows: list[tuple[str, Progress]], target, name: str) -> QTableWidget:
    t = QTableWidget(len(rows), 5)
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(["名称", "已缴人数", "应参保人数", "参保率", f"距目标 {int(target * 100)}%"])
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    for i, (label, p) in enumerate(rows):
        short = p.short(target)
        cells = (label, str(p.paid), str(p.required), p.percent, "已达标" if short == 0 else f"还差 {short} 人")
        for j, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if j == 4:
                item.setForeground(QColor("#15803d") if short == 0 else QColor("#b91c1c"))
            t.setItem(i, j, item)
    t.resizeColumnsToContents()
    t.horizontalHeader().setStretchLastSection(True)
    return t


class DashboardDialog(QDialog):
    loaded = Signal(object)
    open_household = Signal(object)  # a row of an unpaid list was double-clicked
    open_duplicates = Signal()  # the 重复参保 count was clicked
    duplicates_counted = Signal(int)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.ledger = ledger
        s = ledger.settings.get()
        self.setWindowTitle(f"统计：{s.township} {s.year}年度")
        self.headline = QLabel("正在统计……")
        self.headline.setObjectName("pageTitle")
        self.headline.setWordWrap(True)
        self.tabs = QTabWidget()
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.reload)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        self.duplicates_button = QPushButton()
        self.duplicates_button.setObjectName("duplicatesCount")
        self.duplicates_button.setToolTip("打开重复参保排查名单")
        self.duplicates_button.clicked.connect(self.open_duplicates.emit)
        self.duplicates_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.duplicates_button)
        row.addStretch(1)
        row.addWidget(refresh)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(row)
        self.resize(900, 620)
        self.data: DashboardData | None = None
        self.task = None
        self.reload()

    def reload(self) -> None:
        path, year = self.ledger.path, self.ledger.settings.get().year
        cats = key_categories(self.ledger.policy())
        paid_on = getattr(self.parent(), "paid_on", None)
        self.task = run_task(self, "正在统计", lambda progress, cancelled: load_dashboard(path, year, cats,
                                                                                     paid_on=paid_on),
                             self.show_data)

    def _count_duplicates(self) -> None:
        """重复参保 (app.ledger.duplicates) counted on its own worker after the figures are shown: the first scan
        of a large ledger takes seconds."""
        from ..ledger import duplicates

        path = self.ledger.path
        self.duplicates_button.setText("重复参保：正在排查……")
        self.duplicates_button.show()

        def done(n: int) -> None:
            self.duplicates_button.setText(f"重复参保：{n} 对")
            self.duplicates_button.setStyleSheet("color: #b91c1c; font-weight: bold;" if n else "")
            self.duplicates_counted.emit(n)

        self.duplicates_task = run_task(self, "正在排查重复参保",
                                        lambda progress, cancelled: duplicates.count(path, cancel=cancelled), done,
                                        lambda exc: self.duplicates_button.setText("重复参保：排查未完成"),
                                        show_progress=False)

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        t = data.total
        paid_fen = sum(fen for _, _, fen in data.per_day)
        self.headline.setText(f"全乡镇参保率 {t.text()}，目标 95%；本年度收费 {fmt_yuan(from_fen(int(paid_fen)))}")
        if len(data.villages) > 1:  # a township's ledger: people may be enrolled in two villages
            self._count_duplicates()
        self.tabs.clear()
        self.tabs.addTab(_progress_table(data.villages, VILLAGE_TARGET, "villageProgress"), "各村进度（目标 95%）")
        key = QWidget()
        kv = QVBoxLayout(key)
        kv.addWidget(_progress_table(data.key_groups, KEY_TARGET, "keyProgress"), 1)
        kv.addWidget(QLabel(f"重点人群未缴名单（{len(data.key_unpaid)} 人" +
                            ("，仅显示前 1000 人" if len(data.key_unpaid) >= 1000 else "") + "）："))
        unpaid = QTableWidget(len(data.key_unpaid), 7)
        unpaid.setObjectName("keyUnpaid")
        unpaid.setHorizontalHeaderLabels(["户编号", "姓名", "村（社区）", "组", "类别", "电话", "应缴（元）"])
        unpaid.setToolTip("双击一行打开该户")
        unpaid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        unpaid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        unpaid.verticalHeader().setVisible(False)
        for i, r in enumerate(data.key_unpaid):
            for j, v in enumerate(r[:6]):
                unpaid.setItem(i, j, QTableWidgetItem("" if v is None else str(v)))
            owed = QTableWidgetItem(fmt(r[6]) if r[6] is not None else "—")
            owed.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            unpaid.setItem(i, 6, owed)
        unpaid.cellDoubleClicked.connect(lambda row, _col: self.open_household.emit(data.key_unpaid[row][7]))
        self.unpaid = unpaid
        unpaid.resizeColumnsToContents()
        unpaid.horizontalHeader().setStretchLastSection(True)
        kv.addWidget(unpaid, 2)
        self.tabs.addTab(key, "重点人群（目标 100%）")
        self.chart = DayChart()
        self.chart.set_days(data.per_day)
        self.tabs.addTab(self.chart, "每日缴费")
        self.loaded.emit(data)
