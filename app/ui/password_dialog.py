"""The ledger password in the window (issue 14): asked before the operator login when an encrypted ledger is
opened (``ask_ledger_password``), set on the new-ledger form (``NewPasswordFields``), and changed from the
settings (设置 → 修改台账密码…, ``ChangePasswordDialog`` and ``rekey_in_window``). The checks and the key are the
ledger's (``app.ledger.encryption``, ``app.ledger.rekey``); the window only shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from ..domain.problems import Problem
from ..ledger import encryption
from ..ledger import password as pw

FORGOT = "忘记密码：输入恢复单上的恢复密钥（96 个字符，空格可不输）。"


def _intro(path: Path) -> str:
    from ..ledger.backup import BACKUP_DIR

    if path.name.endswith(".bak.db") or BACKUP_DIR in path.parts:  # a backup: the password it was made with
        return (f"备份「{path.name}」已加密。请输入做这份备份时的台账密码（此后修改过台账密码的，输入修改前的密码）。"
                "用它恢复后，台账也用这个密码打开；需要时请在「设置」中再修改密码。")
    return f"台账「{path.name}」已加密。请输入台账密码："


class PasswordDialog(QDialog):
    """输入台账密码. ``unlock()`` checks it (the ledger's back-off applies); accepted once the key is held."""

    def __init__(self, path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("ledgerPasswordDialog")
        self.setWindowTitle("输入台账密码")
        self.setModal(True)
        intro = QLabel(_intro(self.path))
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

    def __init__(self, parent: QWidget | None = None, *, required: bool = False,
                 sheet_text: str = "建立后生成恢复单（PDF，打印后锁好；忘记密码时凭它打开台账）"):
        super().__init__(parent)
        self.required = required  # changing the password: there is no "not encrypted" choice
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
        self.sheet = QCheckBox(sheet_text)
        self.sheet.setChecked(True)
        column = QVBoxLayout(self)  # a column, not a form: a form row clipped the word-wrapped advice
        column.setContentsMargins(0, 0, 0, 0)
        for w in (self.password, self.again, self.advice, self.sheet):
            column.addWidget(w)
        self.password.textChanged.connect(self._advise)
        self._advise()

    def _advise(self) -> None:
        text = self.password.text()
        if not text and self.required:
            self.advice.setText(f"新密码至少 {pw.MIN_LENGTH} 位，字母、数字、符号混用更安全")
            self.sheet.setEnabled(False)
            return
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
            return [Problem("新密码", "请输入新密码")] if self.required else []
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
        h.addWidget(change_password_button(settings_dialog, ledger))
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


# ---------------------------------------------------------------------------- changing the password
class ChangePasswordDialog(QDialog):
    """修改台账密码: the current password, the new one twice (the strength rule of every ledger password), and a
    new recovery sheet. Accepted once the current password was checked against the file; the change itself runs
    in the shell, which closes the ledger first (``rekey_in_window``)."""

    def __init__(self, path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("changeLedgerPasswordDialog")
        self.setWindowTitle("修改台账密码")
        intro = QLabel(f"修改台账「{self.path.name}」的密码。修改后，台账和「备份」文件夹中的备份都改用新密码，"
                       "原密码和原来的恢复单都打不开它们；修改时台账会暂时关闭，其他电脑或窗口须先关闭这个台账。"
                       "修改前复制到别处（如U盘）的备份仍用原密码，恢复时会询问。")
        intro.setWordWrap(True)
        self.current = QLineEdit()
        self.current.setObjectName("currentLedgerPassword")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setPlaceholderText("当前的台账密码（忘记了：输入恢复单上的恢复密钥）")
        self.fields = NewPasswordFields(self, required=True,
                                        sheet_text="修改后生成新的恢复单（PDF，打印后锁好；原来的恢复单作废）")
        self.fields.password.setPlaceholderText(f"新密码，至少 {pw.MIN_LENGTH} 位")
        self.fields.again.setPlaceholderText("再输入一次新密码")
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("修改密码")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)  # one column (a word-wrapped advice inside a form row gets clipped)
        for w in (intro, QLabel("当前密码："), self.current, QLabel("新密码（输入两次）："), self.fields, self.message,
                  self.buttons):
            layout.addWidget(w)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 36)

    def check(self) -> None:
        from PySide6.QtGui import QGuiApplication

        from ..ledger import rekey

        problems = [] if self.current.text() else [Problem("当前密码", "请输入当前密码")]
        problems += self.fields.problems()
        if self.fields.chosen() and self.fields.chosen() == self.current.text():
            problems.append(Problem("新密码", "新密码与当前密码相同"))
        if problems:
            self.message.setText("；".join(p.message for p in problems))
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # the derivation: a fraction of a second
        try:
            rekey.check_old_password(self.path, self.current.text())
        except encryption.WrongPassword as exc:
            self.current.clear()
            self.message.setText(exc.problems[0].message)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()


def change_password_button(settings_dialog, ledger) -> QWidget:
    """修改台账密码… on the settings' 台账加密 row: greyed for an operator without the right (网格员); the window
    (the settings' parent) passes the dialog's answer to the shell (``password_change_requested``)."""
    from PySide6.QtWidgets import QPushButton

    from ..ledger import rekey

    button = QPushButton("修改台账密码…")
    button.setObjectName("changeLedgerPasswordButton")
    session = getattr(ledger, "session", None)
    if session is not None and not session.can(rekey.PERMISSION):
        button.setEnabled(False)
        button.setToolTip(f"{session.name}（{session.role}）不能修改台账密码：需要专干或管理员登录")
    else:
        button.setToolTip("台账密码被别人看到了，或把电脑交给新的专干时：修改台账和备份的密码")

    def ask():
        d = ChangePasswordDialog(ledger.path, settings_dialog)

        def accepted():
            window = settings_dialog.parent()
            answer = (str(ledger.path), d.current.text(), d.fields.chosen(), d.fields.wants_sheet())
            settings_dialog.reject()
            window.password_change_requested.emit(*answer)
        d.accepted.connect(accepted)
        d.open()
        change_password_button.dialog = d

    button.clicked.connect(ask)
    return button


def rekey_in_window(shell, path: str, old: str, new: str, sheet: bool = False) -> None:
    """The window's 修改台账密码: role-checked, the ledger closed (the change needs it closed everywhere), changed
    on a worker thread (``rekey.change_password``), opened again — under the new password, or still the old one
    if the change failed; then the new recovery sheet, when asked for."""
    from ..ledger import rekey
    from .tasks import run_task, show_error

    session = None
    if shell.ledger is not None:
        try:
            shell.ledger.require(rekey.PERMISSION)
        except Exception as exc:  # noqa: BLE001 - PermissionDenied: a message, nothing changed
            show_error(shell.window, "不能修改台账密码", exc)
            return
        session = shell.ledger.session
    shell.close_ledger()

    extra = getattr(shell.prefs, "backup_dir", "") if getattr(shell, "prefs", None) is not None else ""

    def work(progress, cancelled):
        return rekey.change_password(path, old, new, operator=session, progress=progress, cancel=cancelled,
                                     also=[extra] if extra else [])  # the settings' second backup folder too

    said = {}

    def tell() -> None:
        """Once the ledger is open again: what changed, in a box (the status bar is soon taken by the backup)."""
        from PySide6.QtWidgets import QMessageBox

        if shell.window is None or Path(shell.window.ledger.path) != Path(path):
            return
        timer.stop()
        box = QMessageBox(QMessageBox.Icon.Information, "台账密码已修改", said["text"], QMessageBox.StandardButton.Ok,
                          shell.window)
        box.setObjectName("passwordChangedBox")
        if sheet:
            box.finished.connect(lambda *_: save_recovery_sheet(shell.window, shell.window.ledger)
                                 if shell.window is not None else None)
        box.open()
        rekey_in_window.box = box

    timer = QTimer(shell)
    timer.setInterval(200)
    timer.timeout.connect(tell)

    def done(out):
        left = (f"\n{len(out.backups_left)} 份备份读不出，仍用原密码：" + "、".join(b.name for b in out.backups_left)
                if out.backups_left else "")
        said["text"] = (f"台账密码已修改，台账已用新密码打开（{out.tables} 张表、{out.rows} 行核对一致）。\n"
                        f"{len(out.backups)} 份备份（「备份」文件夹{'和设置中的另一个备份文件夹' if extra else ''}）"
                        f"已改用新密码。{left}\n"
                        "原来的恢复单从此打不开台账，请销毁；修改前复制到别处（如U盘）的备份仍用原密码，恢复时会询问。")
        shell.after_open_message = "台账密码已修改"
        timer.start()
        shell.open_path(path)

    def failed(exc):
        from ..domain.problems import Cancelled

        if isinstance(exc, Cancelled):  # it says whether the ledger had already switched
            shell.after_open_message = str(exc)
        else:
            show_error(shell.first_run, "台账密码没有修改，台账仍用原密码", exc)
        shell.open_path(path)

    shell.show_first_run("正在修改台账密码……")
    shell.task = run_task(shell.first_run, "正在修改台账密码", work, done, on_error=failed)
    rekey_in_window.timer = timer
