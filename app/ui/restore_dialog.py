"""恢复…: choose a backup, see what it lacks (payments with receipt numbers and amounts, voids, refunds,
members, imports since), tick that you have read it, then restore. The dialog only asks; the shell closes the
open ledger and runs the restore (``app.ledger.restore``) on a worker thread, then opens the restored ledger."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from .tasks import error_text, run_task


class RestoreDialog(QDialog):
    restore_requested = Signal(str, str, object)  # ledger path, backup path, the preview the clerk confirmed

    def __init__(self, ledger_path, parent: QWidget | None = None, damage: str = ""):
        from ..ledger.backup import backup_infos

        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("从备份恢复台账")
        self.ledger_path = Path(ledger_path)
        self.pv = None
        self.task = None
        layout = QVBoxLayout(self)
        if damage:
            warn = QLabel(damage)
            warn.setObjectName("problem")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        layout.addWidget(QLabel(f"台账：{self.ledger_path}"))
        layout.addWidget(QLabel("选择一份备份（均已校验，最新的在最上面）："))
        self.backups = QListWidget()
        self.backups.setObjectName("backupList")
        for b in backup_infos(self.ledger_path):
            item = QListWidgetItem(f"{b.verified_at:%Y-%m-%d %H:%M:%S}    {b.size / 1024 / 1024:.1f} MB    {b.path.name}")
            item.setData(256, str(b.path))
            self.backups.addItem(item)
        layout.addWidget(self.backups)
        other = QPushButton("选择其他备份文件（如U盘上的）…")
        other.clicked.connect(self._choose_file)
        layout.addWidget(other)
        self.lost = QPlainTextEdit()
        self.lost.setObjectName("lostRecords")
        self.lost.setReadOnly(True)
        self.lost.setPlaceholderText("选择备份后，这里列出恢复后将失去的记录")
        layout.addWidget(self.lost, 1)
        self.confirm = QCheckBox("我已看清上面列出的将失去的记录，确认恢复（当前台账会另存一份，不会删除）")
        self.confirm.setEnabled(False)
        self.confirm.toggled.connect(self._update)
        layout.addWidget(self.confirm)
        self.go = QPushButton("恢复")
        self.go.setObjectName("primary")
        self.go.setEnabled(False)
        self.go.clicked.connect(self._restore)
        close = QPushButton("取消")
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        row.addWidget(self.go)
        layout.addLayout(row)
        self.setMinimumSize(self.fontMetrics().horizontalAdvance("汉") * 48, self.fontMetrics().height() * 30)
        self.backups.currentItemChanged.connect(lambda cur, _prev: cur and self.show_preview(cur.data(256)))
        if self.backups.count():
            self.backups.setCurrentRow(0)
        else:
            self.lost.setPlainText("没有找到正常的备份。可以「选择其他备份文件」。")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(self.ledger_path.parent), "台账备份 (*.db)")
        if path:
            self.show_preview(path)

    def show_preview(self, backup: str) -> None:
        from ..ledger.restore import preview
        from .password_dialog import ask_ledger_password

        self.pv = None
        # an encrypted backup on a computer that does not hold its key yet (a new laptop): the ledger's password
        # first, then the comparison; the restored ledger opens with the same password
        if ask_ledger_password(backup, self, then=lambda: self.show_preview(backup),
                               cancelled=lambda: self.lost.setPlainText("备份已加密：输入台账密码后才能读取和恢复。")):
            self.lost.setPlainText("备份已加密，请输入台账密码。")
            return
        self.confirm.setChecked(False)
        self.confirm.setEnabled(False)
        self.lost.setPlainText("正在比较备份与当前台账……")
        ledger_path = self.ledger_path

        def work(progress, cancelled):
            return preview(backup, ledger_path)

        def done(pv):
            self.pv = pv
            self.lost.setPlainText("\n".join(pv.lines()))
            self.confirm.setEnabled(pv.usable)
            self._update()

        self.task = run_task(self, "正在比较备份", work, done,
                             on_error=lambda exc: self.lost.setPlainText(f"无法读取备份：{error_text(exc)}"),
                             show_progress=False)

    def _update(self) -> None:
        self.go.setEnabled(bool(self.pv and self.pv.usable and self.confirm.isChecked()))

    def _restore(self) -> None:
        if self.pv is None:
            return
        self.restore_requested.emit(str(self.ledger_path), str(self.pv.backup), self.pv)
        self.accept()
