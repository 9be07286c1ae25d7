"""The ledger password in the window (issue 14): asked before the operator login when an encrypted ledger is
opened (``ask_ledger_password``), and set on the new-ledger form (``NewPasswordFields``). The checks and the
key are the ledger's (``app.ledger.encryption``); the window only shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from ..domain.problems import Problem
from ..ledger import encryption
from ..ledger import password as pw

FORGOT = "忘记密码：输入恢复单上的恢复密钥（96 个字符，空格可不输）。"


class PasswordDialog(QDialog):
    """输入台账密码. ``unlock()`` checks it (the ledger's back-off applies); accepted once the key is held."""

    def __init__(self, path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("ledgerPasswordDialog")
        self.setWindowTitle("输入台账密码")
        self.setModal(True)
        intro = QLabel(f"台账「{self.path.name}」已加密。请输入台账密码：")
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("ledgerPassword")
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        hint = QLabel(FORGOT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("打开")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.unlock)
        self.buttons.rejected.connect(self.reject)
        self.password.returnPressed.connect(self.unlock)
        layout = QVBoxLayout(self)
        for w in (intro, self.password, self.message, hint, self.buttons):
            layout.addWidget(w)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._tick()

    def _ok(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _tick(self) -> None:
        wait = encryption.wait_seconds(self.path)
        self._ok().setEnabled(wait == 0)
        self.password.setEnabled(wait == 0)
        if wait:
            self.message.setText(f"密码错误次数过多，请 {wait} 秒后再试")
            self._timer.start()
        elif self._timer.isActive():
            self._timer.stop()
            self.message.setText("")
            self.password.setFocus()

    def unlock(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # the derivation: a fraction of a second
        try:
            encryption.unlock(self.path, self.password.text())
        except encryption.WrongPassword as exc:
            self.password.clear()
            self.message.setText(exc.problems[0].message)
            self._tick()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()


def ask_ledger_password(path, parent, then: Callable[[], None], cancelled: Callable[[], None]) -> bool:
    """An encrypted ledger whose key is not held: open the password dialog (``then()`` after it unlocked,
    ``cancelled()`` if the user gave up) and return True; otherwise False (go on at once)."""
    if not encryption.needs_password(path):
        return False
    d = PasswordDialog(path, parent)
    d.accepted.connect(then)
    d.rejected.connect(cancelled)
    d.open()
    ask_ledger_password.dialog = d  # kept alive (and reachable by tests)
    return True


class NewPasswordFields(QWidget):
    """台账密码 on the new-ledger form: password, again, live strength advice, and the recovery sheet option.
    Empty: the ledger is not encrypted (said in red)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.password = QLineEdit()
        self.password.setObjectName("newLedgerPassword")
        self.again = QLineEdit()
        self.again.setObjectName("newLedgerPasswordAgain")
        for e in (self.password, self.again):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"至少 {pw.MIN_LENGTH} 位；台账和备份用它加密")
        self.again.setPlaceholderText("再输入一次")
        self.advice = QLabel()
        self.advice.setObjectName("passwordAdvice")
        self.advice.setWordWrap(True)
        self.sheet = QCheckBox("建立后生成恢复单（PDF，打印后锁好；忘记密码时凭它打开台账）")
        self.sheet.setChecked(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.password)
        form.addRow(self.again)
        form.addRow(self.advice)
        form.addRow(self.sheet)
        self.password.textChanged.connect(self._advise)
        self._advise()

    def _advise(self) -> None:
        text = self.password.text()
        if not text:
            self.advice.setText("<span style='color:#b00'>不设密码：台账和备份不加密，电脑或U盘丢失时任何人都能读出"
                                "身份证号和电话（不推荐）</span>")
            self.sheet.setEnabled(False)
            return
        s = pw.strength(text)
        color = {0: "#b00", 1: "#b60", 2: "#06a", 3: "#080"}[s.level]
        self.advice.setText(f"<span style='color:{color}'>强度：{s.label}</span>　" + "；".join(s.advice))
        self.sheet.setEnabled(True)

    def problems(self) -> list[Problem]:
        text = self.password.text()
        if not text:
            return []
        problems = encryption.password_problems(text)
        if self.again.text() != text:
            problems.append(Problem("台账密码", "两次输入的密码不一致"))
        return problems

    def chosen(self) -> str:
        """The password ('' = not encrypted)."""
        return self.password.text()

    def wants_sheet(self) -> bool:
        return bool(self.password.text()) and self.sheet.isChecked()


def save_recovery_sheet(parent, ledger) -> Path | None:
    """Ask where to save the recovery sheet of an encrypted ledger just made, and write it."""
    from ..ledger import sqlite_driver
    from ..paper.recovery_sheet import write_recovery_sheet
    from .tasks import show_error

    spec = sqlite_driver.known_key(ledger.path)
    if spec is None:
        return None
    default = str(Path(ledger.path).with_name(Path(ledger.path).stem + "-恢复单.pdf"))
    path, _ = QFileDialog.getSaveFileName(parent, "恢复单保存为（打印后请删除此文件）", default, "PDF (*.pdf)")
    if not path:
        return None
    try:
        township = ledger.settings.get().township if ledger.settings.initialized() else ""
        return write_recovery_sheet(path, spec, ledger.path, township)
    except Exception as exc:  # noqa: BLE001 - a message, the ledger is made either way
        show_error(parent, "恢复单没有生成", exc)
        return None


class EncryptDialog(QDialog):
    """加密台账: set the password for an existing plaintext ledger (the conversion itself runs in the shell,
    which closes the ledger first)."""

    def __init__(self, path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("encryptLedgerDialog")
        self.setWindowTitle("加密台账")
        intro = QLabel(f"把台账「{self.path.name}」和它的备份加密：以后打开台账要先输入台账密码；电脑或U盘丢失时，"
                       "别人读不出其中的身份证号和电话。加密时台账会暂时关闭；加密后的台账核对无误、并由您确认后，"
                       "才删除（覆盖）原来的明文文件。")
        intro.setWordWrap(True)
        self.fields = NewPasswordFields(self)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("加密")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (intro, self.fields, self.message, buttons):
            layout.addWidget(w)

    def check(self) -> None:
        problems = self.fields.problems() if self.fields.chosen() else [Problem("台账密码", "请设置台账密码")]
        if problems:
            self.message.setText("；".join(p.message for p in problems))
            return
        self.accept()


def convert_in_window(shell, path: str, password: str, sheet: bool = False) -> None:
    """The window's 加密台账: close the ledger, convert it on a worker thread, open the encrypted ledger, then
    ask before the plaintext copy is overwritten and the old backups are encrypted."""
    from PySide6.QtWidgets import QMessageBox

    from .tasks import run_task, show_error

    if shell.ledger is not None:
        try:
            shell.ledger.require("restore")  # replacing the ledger file: 专干 / 管理员, as a restore
        except Exception as exc:  # noqa: BLE001 - PermissionDenied: a message, nothing changed
            show_error(shell.window, "不能加密", exc)
            return
    shell.close_ledger()

    def work(progress, cancelled):
        return encryption.encrypt_in_place(path, password)

    def ask_to_finish() -> None:
        if shell.window is None or Path(shell.window.ledger.path) != Path(path):
            return
        timer.stop()
        if sheet:
            save_recovery_sheet(shell.window, shell.window.ledger)
        box = QMessageBox(QMessageBox.Icon.Question, "删除明文副本",
                          "台账已加密，并已用新密码打开、核对无误。\n现在删除（覆盖）原来的明文台账副本，"
                          "并把以前的备份也加密吗？\n（选「以后再说」则明文副本暂时保留在台账旁边）",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, shell.window)
        box.button(QMessageBox.StandardButton.Yes).setText("删除明文副本")
        box.button(QMessageBox.StandardButton.No).setText("以后再说")
        box.accepted.connect(finish)
        box.finished.connect(lambda r: finish() if r == QMessageBox.StandardButton.Yes else None)
        box.open()
        convert_in_window.box = box

    def finish() -> None:
        if getattr(finish, "done", False):
            return
        finish.done = True
        run_task(shell.window, "正在删除明文副本、加密备份",
                 lambda progress, cancelled: encryption.finish_conversion(path),
                 lambda done: shell.window and shell.window.statusBar().showMessage(
                     f"已删除明文副本；已加密以前的备份 {len(done)} 份", 30000),
                 lambda exc: show_error(shell.window, "明文副本没有删除", exc))

    timer = QTimer(shell)
    timer.setInterval(200)
    timer.timeout.connect(ask_to_finish)

    def done(conv):
        shell.after_open_message = f"台账已加密（{conv.tables} 张表、{conv.rows} 行核对一致）"
        timer.start()
        shell.open_path(path)

    def failed(exc):
        show_error(shell.first_run, "加密失败，台账没有改动", exc)
        shell.open_path(path)

    shell.show_first_run("正在加密台账……")
    shell.task = run_task(shell.first_run, "正在加密台账", work, done, on_error=failed)


def encryption_row(settings_dialog, ledger) -> QWidget:
    """The settings dialog's 台账加密 row: whether the ledger is encrypted, and 加密台账… when it is not
    (emits ``settings_dialog.encrypt_requested`` after the password was set)."""
    from PySide6.QtWidgets import QHBoxLayout, QPushButton

    row = QWidget()
    h = QHBoxLayout(row)
    h.setContentsMargins(0, 0, 0, 0)
    path = Path(ledger.path)
    if encryption.is_encrypted(path):
        kept = encryption.pending_conversion(path)
        h.addWidget(QLabel("已加密（台账和备份）" + ("；明文副本尚未删除" if kept else "")))
        h.addStretch(1)
        return row
    h.addWidget(QLabel("<span style='color:#b00'>未加密</span>"))
    button = QPushButton("加密台账…")
    button.setObjectName("encryptLedgerButton")

    def ask():
        d = EncryptDialog(path, settings_dialog)
        d.accepted.connect(lambda: (settings_dialog.reject(), settings_dialog.encrypt_requested.emit(
            str(path), d.fields.chosen(), d.fields.wants_sheet())))
        d.open()
        encryption_row.dialog = d

    button.clicked.connect(ask)
    h.addWidget(button)
    h.addStretch(1)
    return row
