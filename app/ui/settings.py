"""Settings: this computer's preferences (QSettings ini: operator, backup folder, printer, large font, last
ledger) and the settings dialog, which also changes the ledger's policy (its operators: 操作员)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from .tasks import error_text, run_task
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


class BackupPanel(QGroupBox):
    """备份: where the backups are, how many, when last verified, their size; 立即备份, 备份到U盘…, 恢复…,
    检查台账 (with progress and 取消), 作废票据号清单…. Long work runs on worker threads."""

    restore_requested = Signal(str, str, object)  # from the restore dialog: ledger path, backup, preview

    def __init__(self, ledger_path, prefs: Preferences, parent: QWidget | None = None):
        super().__init__("备份与恢复", parent)
        self.setObjectName("backupPanel")
        self.ledger_path = Path(ledger_path)
        self.prefs = prefs
        self.task = None
        self.summary = QLabel()
        self.summary.setObjectName("backupSummary")
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("backupMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        self.b_now = QPushButton("立即备份")
        self.b_now.clicked.connect(lambda: self.backup_now())
        self.b_usb = QPushButton("备份到U盘…")
        self.b_usb.clicked.connect(self.backup_to_drive)
        self.b_restore = QPushButton("恢复…")
        self.b_restore.clicked.connect(self.open_restore)
        self.b_check = QPushButton("检查台账")
        self.b_check.clicked.connect(self.check_now)
        self.b_dropped = QPushButton("作废票据号清单…")
        self.b_dropped.clicked.connect(self.export_dropped)
        for b in (self.b_now, self.b_usb, self.b_restore, self.b_check, self.b_dropped):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        from ..ledger.backup import backup_dir, backup_infos, list_damaged

        infos = backup_infos(self.ledger_path)
        lines = [f"位置：{backup_dir(self.ledger_path)}（每次打开台账自动备份，保留最近 10 份）"]
        if infos:
            size = sum(b.size for b in infos)
            lines.append(f"正常备份 {len(infos)} 份，共 {size / 1024 / 1024:.1f} MB；"
                         f"最近一份 {infos[0].verified_at:%Y-%m-%d %H:%M} 备份并校验通过")
        else:
            lines.append("还没有备份。请点「立即备份」。")
        damaged = list_damaged(self.ledger_path)
        if damaged:
            lines.append(f"另有 {len(damaged)} 份损坏台账的副本（在「损坏」文件夹，不能用于恢复）")
        if self.prefs.backup_dir:
            lines.append(f"另存到：{self.prefs.backup_dir}")
        self.summary.setText("\n".join(lines))

    def _run(self, title: str, work, done) -> None:
        def failed(exc):
            self.message.setText(f"{title}失败：{error_text(exc)}")
            self.refresh()

        self.message.setText(f"正在{title}……")
        self.task = run_task(self, f"正在{title}", work, done, on_error=failed)

    def backup_now(self, dest=None) -> None:
        from ..ledger.backup import backup_ledger

        path = self.ledger_path

        def work(progress, cancelled):
            return backup_ledger(path, dest, keep=10 if dest is None else None, progress=progress)

        def done(out):
            self.message.setText(f"已备份并校验：{out}")
            self.refresh()

        self._run("备份", work, done)

    def backup_to_drive(self) -> None:
        import datetime as dt

        d = QFileDialog.getExistingDirectory(self, "选择U盘或其他文件夹", self.prefs.backup_dir or str(Path.home()))
        if d:
            self.backup_now(Path(d) / f"{self.ledger_path.name}.{dt.datetime.now():%Y%m%d-%H%M%S}.bak.db")

    def open_restore(self):
        from .restore_dialog import RestoreDialog

        d = RestoreDialog(self.ledger_path, self)
        d.restore_requested.connect(self.restore_requested.emit)
        d.open()
        return d

    def check_now(self) -> None:
        from ..ledger import open_ledger

        path = self.ledger_path

        def work(progress, cancelled):
            with open_ledger(path, backup=False, damaged_ok=True) as lg:
                return lg.check(progress=progress, cancel=cancelled)

        def done(problems):
            if problems:
                self.message.setText(f"发现 {len(problems)} 个问题：\n" + "\n".join(str(p) for p in problems[:15]))
            else:
                self.message.setText("检查通过：完整性、触发器、日志哈希链、票据连续、缴费与日志、金额合计均无问题")

        self._run("检查台账", work, done)

    def export_dropped(self) -> None:
        from ..ledger import open_ledger
        from ..ledger.receipts import write_dropped

        out, _ = QFileDialog.getSaveFileName(self, "作废票据号清单保存为",
                                             str(self.ledger_path.with_name("作废票据号清单.xlsx")), "Excel 工作簿 (*.xlsx)")
        if not out:
            return
        path = self.ledger_path

        def work(progress, cancelled):
            with open_ledger(path, backup=False) as lg:
                return write_dropped(lg, out)

        self._run("导出作废票据号清单", work, lambda p: self.message.setText(f"已保存：{p}（可打印交乡镇）"))


class SettingsDialog(QDialog):
    """操作员、政策、备份文件夹、打印机默认值、大字体。Saving applies at once; errors are shown in the dialog."""

    restore_requested = Signal(str, str, object)  # BackupPanel's, for the shell (it closes the ledger first)
    stations_requested = Signal()  # 站点… (app.ui.station_dialog, opened by the main window)
    encrypt_requested = Signal(str, str, bool)  # 加密台账…: path, password, recovery sheet (the shell converts)

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
        self.policy = QComboBox()
        if ledger is not None:
            s = ledger.settings.get()
            from ..policy_catalog import catalog

            for pid, p in sorted(catalog()[0].items()):
                if p.year == s.year:
                    self.policy.addItem(f"{p.name}（{pid}）", pid)
            self.policy.setCurrentIndex(max(self.policy.findData(s.policy_id), 0))
            form.addRow("本年度政策：", self.policy)
            stations_button = QPushButton("站点（本台账的站点、拆分村台账）…")
            stations_button.setObjectName("stationsButton")
            stations_button.clicked.connect(self.stations_requested.emit)
            form.addRow("站点：", stations_button)
        # the district's notice choice (ledger setting; no policy document says it): 专干 / 管理员 only, audited
        self.grid_collection = QCheckBox("缴费通知单印“也可交给本村（社区）网格员代收”")
        self.grid_collection.setObjectName("noticeGridCollection")
        self.grid_collection.setToolTip("政策文件未写网格员代收；只有本地确定由网格员代收时才打开。专干、管理员可改，记入操作日志。")
        if ledger is not None:
            self.grid_collection.setChecked(s.notice_grid_collection)
            session = getattr(ledger, "session", None)
            self.grid_collection.setEnabled(session is None or session.can("policies"))
            form.addRow("缴费通知单：", self.grid_collection)
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
        if ledger is not None:
            from .password_dialog import encryption_row

            form.addRow("台账加密：", encryption_row(self, ledger))
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
        self.backups = None
        if ledger is not None:
            self.backups = BackupPanel(ledger.path, prefs, self)
            self.backups.restore_requested.connect(self.restore_requested.emit)
            layout.addWidget(self.backups)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _choose_backup(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "选择备份文件夹", self.backup_dir.text())
        if d:
            self.backup_dir.setText(d)

    def save(self) -> bool:
        if self.ledger is not None:
            try:  # the ledger's operators: 操作员 (app.ui.login.OperatorsDialog), one list
                self.ledger.settings.update(policy_id=self.policy.currentData())
                if self.grid_collection.isChecked() != self.ledger.settings.get().notice_grid_collection:
                    self.ledger.settings.set_notice_grid_collection(self.grid_collection.isChecked())
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
