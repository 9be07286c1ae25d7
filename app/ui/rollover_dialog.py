"""Rollover: open next year's campaign as a new ledger file under a later policy (the old file is unchanged).
Runs on a worker thread with its own connection; afterwards the new ledger can be opened at once."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from .tasks import error_text, run_task
from .widgets import path_row


def suggest_policy(current: str, later: list[str]) -> str | None:
    """The policy to offer first: the same region's next year (changchun-2022 → changchun-2025, not the
    earliest later file of another city), else the earliest later one. ``later`` is in year order."""
    region = current.rsplit("-", 1)[0]
    same = [pid for pid in later if pid.rsplit("-", 1)[0] == region]
    return (same or later or [None])[0]


class RolloverDialog(QDialog):
    rolled_over = Signal(str)  # path of the new ledger
    open_requested = Signal(str)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        from ..policy_catalog import catalog

        self.setObjectName("rolloverDialog")
        self.setWindowTitle("结转到新年度")
        self.ledger = ledger
        s = ledger.settings.get()
        form = QFormLayout()
        self.policy = QComboBox()
        for pid, p in sorted(catalog()[0].items(), key=lambda kv: (kv[1].year, kv[0])):
            if p.year > s.year:
                self.policy.addItem(f"{p.year}年度 {p.name}", pid)
        suggested = self.policy.findData(suggest_policy(s.policy_id, [self.policy.itemData(i)
                                                                      for i in range(self.policy.count())]))
        self.policy.setCurrentIndex(max(suggested, 0))
        self.path = QLineEdit()
        row = path_row(self.path, self._browse)
        form.addRow("新年度政策：", self.policy)
        form.addRow("新台账文件：", row)
        note = QLabel(f"村组、户、人员（含参保状态）和人员类别转入新台账；缴费和收据不转入。本台账（{s.year}年度）不会改动。")
        note.setWordWrap(True)
        from ..ledger.rollover import pending_exchange

        pending = pending_exchange(ledger)  # exchange packets: what the other side has not acknowledged yet
        shown = pending if len(pending) <= 8 else [*pending[:7], f"……另有 {len(pending) - 7} 项"]
        # rich text: a plain label's height for its wrapped lines is short by a line with the Chinese fallback font
        self.pending = QLabel("<br>".join(["结转前请注意本站的交换：", *(f"· {escape(line)}" for line in shown),
                                           f"其中户、人员、类别的修改会带入新年度台账，在新年度的第一个交换包中再次发出；"
                                           f"缴费等 {s.year} 年度的记录请继续用本台账交换。"]) if pending else "")
        self.pending.setTextFormat(Qt.TextFormat.RichText)
        self.pending.setObjectName("warning")
        self.pending.setWordWrap(True)
        self.pending.setVisible(bool(pending))
        self.message = QLabel("" if self.policy.count() else f"policies/ 中没有晚于 {s.year} 年度的政策，暂不能结转。")
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.go = QPushButton("结转")
        self.go.setObjectName("primary")
        self.go.setEnabled(self.policy.count() > 0)
        self.go.clicked.connect(self.rollover)
        self.open_new = QPushButton("打开新台账")
        self.open_new.setVisible(False)
        self.open_new.clicked.connect(lambda: (self.open_requested.emit(self.path.text()), self.accept()))
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.open_new)
        buttons.addWidget(self.go)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.pending)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 40)
        self.policy.currentIndexChanged.connect(self._suggest)
        self._suggest()
        self.task = None

    def _suggest(self) -> None:
        from ..policy_catalog import get_policy

        pid = self.policy.currentData()
        if pid:
            year = get_policy(pid).year
            self.path.setText(str(Path(self.ledger.path).with_name(f"{self.ledger.settings.get().township}"
                                                                   f"-{year}.canbao.db")))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "新台账保存为", self.path.text(), "台账文件 (*.db)")
        if path:
            self.path.setText(path)

    def rollover(self) -> None:
        from ..ledger import open_ledger

        old, new, pid = self.ledger.path, Path(self.path.text().strip()), self.policy.currentData()
        year = self.ledger.settings.get().year
        operator = self.ledger.session or self.ledger.operator  # the worker carries the logged-in operator

        def work(progress, cancelled):
            with open_ledger(old, backup=False, operator=operator) as lg:
                return lg.rollover(new, pid, progress=progress, cancel=cancelled)

        def done(path):
            self.message.setObjectName("ok")
            self.message.setText(f"已建立新年度台账：{path}。以后户、人员和类别请在新台账中修改；"
                                 f"本台账留作补收 {year} 年度的缴费。")
            self.message.style().polish(self.message)
            self.go.setEnabled(False)
            self.open_new.setVisible(True)
            self.rolled_over.emit(str(path))

        def failed(exc):
            self.go.setEnabled(True)
            self.message.setText(f"结转失败，没有建立新台账：{error_text(exc)}")

        self.go.setEnabled(False)
        self.message.setText("正在结转……")
        self.task = run_task(self, "正在结转到新年度", work, done, failed)
