"""Settings: this computer's preferences (QSettings ini: operator, backup folder, printer, large font, last
ledger) and the settings dialog, which also changes the ledger's own operators and policy."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel,
                               QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from .tasks import error_text
from .widgets import path_row

PAPERS = {"a4": "A4（两联）", "241x93": "241×93 连续纸"}  # receipt paper, as app.paper.receipt draws it


class Preferences:
    """Per-computer preferences in an ini file (``CANBAO_UI_INI`` overrides where, for tests)."""

    def __init__(self, path: str | os.PathLike | None = None):
        if path is None:
            env = os.environ.get("CANBAO_UI_INI")
            if env:
                path = env
            else:
                from ..paths import data_dir

                path = data_dir() / "canbao-ui.ini"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._s = QSettings(str(path), QSettings.Format.IniFormat)
        self.path = Path(path)

    def _get(self, key: str, default):
        v = self._s.value(key, default)
        if isinstance(default, bool):
            return v in (True, "true", "1", 1)
        if isinstance(default, int):
            try:
                return int(v)
            except (TypeError, ValueError):
                return default
        return "" if v is None else str(v)

    def _set(self, key: str, value) -> None:
        self._s.setValue(key, value)
        self._s.sync()

    operator = property(lambda s: s._get("operator", ""), lambda s, v: s._set("operator", v))
    backup_dir = property(lambda s: s._get("backup_dir", ""), lambda s, v: s._set("backup_dir", v))
    printer = property(lambda s: s._get("printer", ""), lambda s, v: s._set("printer", v))
    paper = property(lambda s: s._get("paper", "a4"), lambda s, v: s._set("paper", v))
    copies = property(lambda s: s._get("copies", 1), lambda s, v: s._set("copies", int(v)))
    large_font = property(lambda s: s._get("large_font", False), lambda s, v: s._set("large_font", bool(v)))
    last_ledger = property(lambda s: s._get("last_ledger", ""), lambda s, v: s._set("last_ledger", str(v)))
    # minutes without keyboard or mouse before the window locks (0: never); see app.ui.login
    idle_lock_minutes = property(lambda s: s._get("idle_lock_minutes", 10),
                                 lambda s, v: s._set("idle_lock_minutes", int(v)))


def printer_names() -> list[str]:
    try:
        from PySide6.QtPrintSupport import QPrinterInfo

        return [p.printerName() for p in QPrinterInfo.availablePrinters()]
    except Exception:  # noqa: BLE001 - no print support on this machine
        return []


class SettingsDialog(QDialog):
    """操作员、政策、备份文件夹、打印机默认值、大字体。Saving applies at once; errors are shown in the dialog."""

    def __init__(self, prefs: Preferences, ledger=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("设置")
        self.prefs = prefs
        self.ledger = ledger
        form = QFormLayout()
        self.operator = QLineEdit(prefs.operator)
        self.operator.setPlaceholderText("本机默认操作员姓名")
        form.addRow("操作员：", self.operator)
        self.operators = QLineEdit()
        self.policy = QComboBox()
        if ledger is not None:
            s = ledger.settings.get()
            self.operators.setText("、".join(s.operators))
            from ..policy_catalog import catalog

            for pid, p in sorted(catalog()[0].items()):
                if p.year == s.year:
                    self.policy.addItem(f"{p.name}（{pid}）", pid)
            self.policy.setCurrentIndex(max(self.policy.findData(s.policy_id), 0))
            form.addRow("台账操作员：", self.operators)
            form.addRow("本年度政策：", self.policy)
        self.backup_dir = QLineEdit(prefs.backup_dir)
        self.backup_dir.setPlaceholderText("另存一份到此文件夹（如U盘）；每次打开台账自动备份到台账旁的「备份」文件夹")
        form.addRow("备份文件夹：", path_row(self.backup_dir, self._choose_backup))
        self.printer = QComboBox()
        self.printer.addItem("（系统默认打印机）", "")
        for name in printer_names():
            self.printer.addItem(name, name)
        self.printer.setCurrentIndex(max(self.printer.findData(prefs.printer), 0))
        form.addRow("默认打印机：", self.printer)
        self.paper = QComboBox()
        for key, label in PAPERS.items():
            self.paper.addItem(label, key)
        self.paper.setCurrentIndex(max(self.paper.findData(prefs.paper), 0))
        form.addRow("收据纸张：", self.paper)
        self.copies = QSpinBox()
        self.copies.setRange(1, 9)
        self.copies.setValue(prefs.copies)
        form.addRow("打印份数：", self.copies)
        self.large_font = QCheckBox("大字体（适合老花眼）")
        self.large_font.setChecked(prefs.large_font)
        form.addRow("显示：", self.large_font)
        self.idle_lock = QSpinBox()
        self.idle_lock.setRange(0, 240)
        self.idle_lock.setSuffix(" 分钟")
        self.idle_lock.setSpecialValueText("从不")
        self.idle_lock.setValue(prefs.idle_lock_minutes)
        form.addRow("无操作自动锁定：", self.idle_lock)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 40)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _choose_backup(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "选择备份文件夹", self.backup_dir.text())
        if d:
            self.backup_dir.setText(d)

    def save(self) -> bool:
        if self.ledger is not None:
            ops = [o for o in self.operators.text().replace(",", "、").replace("，", "、").split("、") if o.strip()]
            try:
                self.ledger.settings.update(operators=ops, policy_id=self.policy.currentData())
            except ProblemsError as exc:
                self.problem.setText(error_text(exc))
                return False
        self.prefs.operator = self.operator.text().strip()
        self.prefs.backup_dir = self.backup_dir.text().strip()
        self.prefs.printer = self.printer.currentData() or ""
        self.prefs.paper = self.paper.currentData()
        self.prefs.copies = self.copies.value()
        self.prefs.large_font = self.large_font.isChecked()
        self.prefs.idle_lock_minutes = self.idle_lock.value()
        from PySide6.QtWidgets import QApplication

        from .style import apply_style

        apply_style(QApplication.instance(), self.prefs.large_font)
        self.accept()
        return True
