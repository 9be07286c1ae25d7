"""Who is at the window: the login before a ledger opens, and the lock after an idle time (or Ctrl+Shift+L).

``ensure_login`` logs the ledger in from ``CANBAO_OPERATOR`` / ``CANBAO_PIN`` if they are set (kiosk set-ups,
the self-test), else shows ``LoginDialog``; a ledger without operators asks for its first 管理员 instead, so
nobody is locked out. ``IdleLock`` hides every window after ``Preferences.idle_lock_minutes`` without a key
or mouse event; only the logged-in operator's PIN brings them back.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from ..ledger.operators import ADMIN, LoginFailed, env_credentials, sign_in

DEFAULT_IDLE_MINUTES = 10
LOCK_SHORTCUT = "Ctrl+Shift+L"


def _pin_field(placeholder: str) -> QLineEdit:
    f = QLineEdit()
    f.setEchoMode(QLineEdit.EchoMode.Password)
    f.setPlaceholderText(placeholder)
    return f


class LoginDialog(QDialog):
    """登录: choose the operator, type the PIN. On a ledger without operators: register the first 管理员."""

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.ledger = ledger
        self.setObjectName("loginDialog")
        self.setWindowTitle("登录 — 参保台账")
        self.first = not ledger.operators.any()
        form = QFormLayout()
        intro = QLabel()
        intro.setWordWrap(True)
        if self.first:
            intro.setText(f"台账 {ledger.path.name} 还没有操作员。请登记第一位管理员（姓名和口令）；"
                          "以后由管理员添加网格员、专干。口令只保存为加密的摘要，忘记后只能由管理员重设。")
            self.name = QLineEdit(ledger._operator or "")
            self.name.setPlaceholderText("姓名")
            form.addRow("管理员：", self.name)
            self.pin = _pin_field("至少 4 位")
            form.addRow("口令：", self.pin)
            self.again = _pin_field("再输入一次")
            form.addRow("确认口令：", self.again)
        else:
            intro.setText(f"台账 {ledger.path.name}：请选择操作员并输入口令。")
            self.name = QComboBox()
            for op in ledger.operators.list():
                self.name.addItem(f"{op.name}（{op.role}）", op.name)
            self.pin = _pin_field("口令")
            form.addRow("操作员：", self.name)
            form.addRow("口令：", self.pin)
            self.again = None
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("登记并登录" if self.first else "登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.log_in)
        self.buttons.rejected.connect(self.reject)
        self.pin.returnPressed.connect(self.log_in)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 30)
        self.pin.setFocus()

    def chosen_name(self) -> str:
        return self.name.text().strip() if self.first else (self.name.currentData() or "")

    def log_in(self) -> bool:
        pin = self.pin.text()
        try:
            if self.first:
                if pin != self.again.text():
                    raise LoginFailed("两次输入的口令不一致")
                self.ledger.operators.add(self.chosen_name(), ADMIN, pin)
            self.ledger.operators.login(self.chosen_name(), pin)
        except LoginFailed as exc:
            self._refuse(exc, exc.wait_seconds)
            return False
        except ProblemsError as exc:
            self._refuse(exc, 0)
            return False
        self.accept()
        return True

    def _refuse(self, exc: ProblemsError, wait: int) -> None:
        self.problem.setText("；".join(p.message for p in exc.problems))
        self.pin.clear()
        if wait:
            self.ok.setEnabled(False)
            QTimer.singleShot(wait * 1000, lambda: self.ok.setEnabled(True))


def ensure_login(ledger, parent: QWidget | None, done: Callable[[object], None],
                 cancelled: Callable[[object], None]) -> bool:
    """True if ``ledger`` has a logged-in operator now (already, or from the environment); else shows the
    login dialog and returns False: ``done(ledger)`` follows a login, ``cancelled(ledger)`` a cancel."""
    if ledger.session is not None:
        return True
    creds = env_credentials()
    if creds and not getattr(ledger, "env_login_refused", False):  # tried on the opening worker: counted once
        try:
            sign_in(ledger, *creds)
            return True
        except ProblemsError:
            pass  # wrong or unknown: ask
    dialog = LoginDialog(ledger, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: done(ledger))
    dialog.rejected.connect(lambda: cancelled(ledger))
    dialog.show()
    ensure_login.dialog = dialog  # tests find it here
    return False


class LockDialog(QDialog):
    """已锁定: the logged-in operator's PIN unlocks."""

    def __init__(self, ledger, on_unlock: Callable[[], None]):
        super().__init__(None)
        self.ledger, self.on_unlock = ledger, on_unlock
        self.setObjectName("lockDialog")
        self.setWindowTitle("已锁定 — 参保台账")
        who = ledger.session.name if ledger.session else ""
        text = QLabel(f"参保台账已锁定（操作员 {who}）。输入口令解锁。")
        text.setWordWrap(True)
        self.pin = _pin_field("口令")
        self.pin.returnPressed.connect(self.unlock)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("解锁")
        buttons.accepted.connect(self.unlock)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        form = QFormLayout()
        form.addRow("口令：", self.pin)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)

    def unlock(self) -> bool:
        s = self.ledger.session
        try:
            self.ledger.operators.login(s.name, self.pin.text())
        except LoginFailed as exc:
            self.problem.setText("；".join(p.message for p in exc.problems))
            self.pin.clear()
            if exc.wait_seconds:
                self.ok.setEnabled(False)
                QTimer.singleShot(exc.wait_seconds * 1000, lambda: self.ok.setEnabled(True))
            return False
        self.on_unlock()
        self.accept()
        return True

    def reject(self) -> None:  # Esc does not unlock
        pass


class IdleLock(QObject):
    """Locks the window after ``minutes`` without keyboard or mouse input, or at once on Ctrl+Shift+L."""

    _ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}

    def __init__(self, window: QWidget, ledger, minutes: float):
        super().__init__(window)
        self.window, self.ledger = window, ledger
        self.hidden: list[QWidget] = []
        self.dialog: LockDialog | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.interval_ms = int(minutes * 60_000)
        self.shortcut = QShortcut(QKeySequence(LOCK_SHORTCUT), window)
        self.shortcut.activated.connect(self.lock)
        if self.interval_ms > 0:
            self.timer.start(self.interval_ms)
            QApplication.instance().installEventFilter(self)
        window.destroyed.connect(self._stop)

    def _stop(self, *_):
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.timer.stop()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in self._ACTIVITY and not self.locked and self.interval_ms > 0:
            self.timer.start(self.interval_ms)
        return False

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def lock(self) -> None:
        if self.locked or self.ledger.session is None:
            return
        self.hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for w in self.hidden:
            w.hide()
        self.dialog = LockDialog(self.ledger, self._unlocked)
        self.dialog.show()

    def _unlocked(self) -> None:
        self.dialog = None
        for w in self.hidden:
            w.show()
        self.hidden = []
        if self.interval_ms > 0:
            self.timer.start(self.interval_ms)


def install_idle_lock(window: QWidget, ledger, prefs) -> IdleLock:
    minutes = getattr(prefs, "idle_lock_minutes", DEFAULT_IDLE_MINUTES)
    window.idle_lock = IdleLock(window, ledger, minutes)
    from .session_lock import watch_session_lock

    watch_session_lock(window, window.idle_lock.lock)  # Win+L, the screen saver: lock the window too
    return window.idle_lock


class OperatorsDialog(QDialog):
    """操作员: the ledger's operators and roles; a 管理员 adds, resets a PIN, changes a role or disables.
    Everyone else sees the list and may change their own PIN."""

    def __init__(self, ledger, parent: QWidget | None = None):
        from PySide6.QtWidgets import QHBoxLayout, QListWidget, QPushButton

        super().__init__(parent)
        self.ledger = ledger
        self.setObjectName("operatorsDialog")
        self.setWindowTitle("操作员")
        self.list = QListWidget()
        self.name = QLineEdit()
        self.name.setPlaceholderText("姓名")
        self.role = QComboBox()
        from ..ledger.operators import ROLES

        self.role.addItems(list(ROLES))
        self.pin = _pin_field("口令（至少 4 位）")
        self.again = _pin_field("再输入一次")
        form = QFormLayout()
        form.addRow("姓名：", self.name)
        form.addRow("角色：", self.role)
        form.addRow("口令：", self.pin)
        form.addRow("确认口令：", self.again)
        self.b_add = QPushButton("添加操作员")
        self.b_pin = QPushButton("设为新口令")
        self.b_role = QPushButton("改为所选角色")
        self.b_disable = QPushButton("停用")
        self.b_add.clicked.connect(self.add)
        self.b_pin.clicked.connect(self.set_pin)
        self.b_role.clicked.connect(self.set_role)
        self.b_disable.clicked.connect(self.disable)
        self.list.currentTextChanged.connect(lambda t: self.name.setText(t.split("（")[0]))
        buttons = QHBoxLayout()
        for b in (self.b_add, self.b_pin, self.b_role, self.b_disable):
            buttons.addWidget(b)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"登录：{ledger.session.name}（{ledger.session.role}）" if ledger.session else ""))
        layout.addWidget(self.list)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        admin = ledger.session is not None and ledger.session.can("operators")
        for b in (self.b_add, self.b_role, self.b_disable):
            b.setEnabled(admin)
        self.load()

    def load(self) -> None:
        self.list.clear()
        for op in self.ledger.operators.list(include_disabled=True):
            self.list.addItem(f"{op.name}（{op.role}）" + ("　已停用" if op.disabled else ""))

    def _do(self, action: Callable[[], object], done: str) -> bool:
        try:
            action()
        except ProblemsError as exc:
            self.message.setText("；".join(p.message for p in exc.problems))
            return False
        self.message.setText(done)
        self.pin.clear()
        self.again.clear()
        self.load()
        return True

    def _pin(self) -> str:
        if self.pin.text() != self.again.text():
            raise LoginFailed("两次输入的口令不一致")
        return self.pin.text()

    def add(self) -> bool:
        name = self.name.text().strip()
        return self._do(lambda: self.ledger.operators.add(name, self.role.currentText(), self._pin()),
                        f"已添加 {name}（{self.role.currentText()}）")

    def set_pin(self) -> bool:
        name = self.name.text().strip()
        return self._do(lambda: self.ledger.operators.set_pin(name, self._pin()), f"已更改 {name} 的口令")

    def set_role(self) -> bool:
        name = self.name.text().strip()
        return self._do(lambda: self.ledger.operators.set_role(name, self.role.currentText()),
                        f"{name} 的角色已改为 {self.role.currentText()}")

    def disable(self) -> bool:
        name = self.name.text().strip()
        return self._do(lambda: self.ledger.operators.disable(name), f"已停用 {name}")


def conceal(fields: list[QLineEdit], ledger, problem: QLabel, *, member=None, household=None) -> None:
    """A form opened on an existing member (household) shows its ID number and phone as dots, read-only;
    the eye button in the field shows them — for a role allowed to (``reveal``), and audited — and lets
    them be edited. The fields keep their text, so the form's checks and save are unchanged."""
    from PySide6.QtWidgets import QStyle

    shown = [f for f in fields if f.text()]
    if not shown:
        return
    for f in shown:
        f.setEchoMode(QLineEdit.EchoMode.Password)
        f.setReadOnly(True)
        f.setToolTip("已隐藏：点右侧按钮显示完整号码（须专干或管理员，记入操作日志）")

    def show_them() -> None:
        from ..ledger.operators import reveal

        try:
            reveal(ledger, member, household=household)
        except ProblemsError as exc:
            problem.setText("；".join(p.message for p in exc.problems))
            return
        for f in shown:
            f.setEchoMode(QLineEdit.EchoMode.Normal)
            f.setReadOnly(False)
            f.setToolTip("")
            for a in f.actions():
                f.removeAction(a)

    icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)
    for f in shown:
        action = f.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        action.setToolTip("显示完整号码（记入操作日志）")
        action.setObjectName("reveal")
        action.triggered.connect(show_them)
