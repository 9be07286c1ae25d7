"""The first-run screen: create a ledger (township, villages and groups, operator, year and policy with a
readable summary), open an existing one, or open a demo ledger. Opening and creating run off the GUI thread."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QSpinBox, QStackedWidget, QTextBrowser,
                               QVBoxLayout, QWidget)

from ..domain.explain import explain_policy
from ..domain.problems import Problem
from .tasks import error_text, run_task
from .widgets import path_row

VILLAGES_HINT = "每行一个村（社区），冒号后写组，例如：\n东风村：一组 二组 三组\n胜利社区：一组、二组"


def parse_villages(text: str) -> tuple[dict[str, list[str]], list[Problem]]:
    """``东风村：一组 二组`` per line -> {"东风村": ["一组", "二组"]}; problems name the line."""
    out: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        name, _, rest = line.replace("：", ":").partition(":")
        name = name.strip()
        groups = [g for g in re.split(r"[\s,，、;；]+", rest.strip()) if g]
        if not name:
            problems.append(Problem(f"村和组 第{n}行", "村（社区）名称为空"))
            continue
        if name in out:
            problems.append(Problem(f"村和组 第{n}行", f"「{name}」重复"))
            continue
        if len(set(groups)) != len(groups):
            problems.append(Problem(f"村和组 第{n}行", f"「{name}」的组名重复"))
        out[name] = groups
    if not out and not problems:
        problems.append(Problem("村和组", "至少填写一个村（社区）"))
    return out, problems


def default_ledger_path() -> Path:
    from ..ledger import default_path

    return default_path()


class CreateLedgerForm(QWidget):
    """新建台账. ``create()`` validates every field at once and creates the ledger off the GUI thread."""

    created = Signal(object)  # Ledger
    back = Signal()

    def __init__(self, parent: QWidget | None = None, operator: str = ""):
        super().__init__(parent)
        self.setObjectName("createLedgerForm")
        from ..policy_catalog import catalog

        self.policies, _ = catalog()
        form = QFormLayout()
        self.path = QLineEdit(str(default_ledger_path()))
        form.addRow("台账文件：", path_row(self.path, self._browse))
        self.township = QLineEdit()
        self.township.setPlaceholderText("例如：西营镇")
        form.addRow("乡镇（街道）：", self.township)
        self.villages = QPlainTextEdit()
        self.villages.setPlaceholderText(VILLAGES_HINT)
        self.villages.setMinimumHeight(90)
        form.addRow("村和组：", self.villages)
        self.operator = QLineEdit(operator)
        self.operator.setPlaceholderText("收费人姓名")
        form.addRow("操作员：", self.operator)
        from .password_dialog import NewPasswordFields

        self.password = NewPasswordFields()  # the ledger password (issue 14): empty = not encrypted
        form.addRow("台账密码：", self.password)
        self.policy = QComboBox()
        for pid, p in sorted(self.policies.items(), key=lambda kv: (-kv[1].year, kv[0])):
            self.policy.addItem(f"{p.year}年度 {p.name}", pid)
        form.addRow("政策：", self.policy)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setReadOnly(True)
        self.year.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        form.addRow("参保年度：", self.year)
        self.area_kind = QComboBox()
        self.area_label = QLabel("地区类型：")
        form.addRow(self.area_label, self.area_kind)
        self.summary = QTextBrowser()
        self.summary.setObjectName("policySummary")
        self.summary.setMinimumWidth(380)
        self.problems = QLabel()
        self.problems.setObjectName("problem")
        self.problems.setWordWrap(True)
        self.create_button = QPushButton("建立台账")
        self.create_button.setObjectName("primary")
        self.create_button.clicked.connect(self.create)
        back = QPushButton("返回")
        back.clicked.connect(self.back.emit)
        left = QVBoxLayout()
        title = QLabel("新建台账")
        title.setObjectName("pageTitle")
        left.addWidget(title)
        left.addLayout(form)
        left.addWidget(self.problems)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(QLabel("政策摘要："))
        right.addWidget(self.summary, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.policy.currentIndexChanged.connect(self._policy_changed)
        self._policy_changed()
        self.task = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "台账保存为", self.path.text(), "台账文件 (*.db)")
        if path:
            self.path.setText(path)

    def _policy_changed(self) -> None:
        p = self.policies.get(self.policy.currentData())
        if p is None:
            return
        self.year.setValue(p.year)
        self.summary.setPlainText(explain_policy(p))
        self.area_kind.clear()
        self.area_kind.addItems(list(p.area_kinds))
        self.area_kind.setVisible(bool(p.area_kinds))
        self.area_label.setVisible(bool(p.area_kinds))

    def check(self) -> tuple[dict, list[Problem]]:
        villages, problems = parse_villages(self.villages.toPlainText())
        path = Path(self.path.text().strip()) if self.path.text().strip() else None
        if path is None:
            problems.append(Problem("台账文件", "请选择台账文件保存位置"))
        elif path.exists() and path.stat().st_size > 0:
            problems.append(Problem("台账文件", f"文件已存在：{path}（请换一个文件名，或用「打开台账」）"))
        if not self.township.text().strip():
            problems.append(Problem("乡镇（街道）", "乡镇（街道）名称不能为空"))
        if not self.operator.text().strip():
            problems.append(Problem("操作员", "请填写操作员姓名"))
        problems += self.password.problems()
        spec = dict(path=path, township=self.township.text().strip(), year=self.year.value(),
                    policy_id=self.policy.currentData(), operators=[self.operator.text().strip()],
                    villages=villages, area_kind=self.area_kind.currentText() if self.area_kind.isVisible() else "")
        return spec, problems

    def create(self) -> None:
        spec, problems = self.check()
        if problems:
            self.problems.setText("\n".join(str(p) for p in problems))
            return
        self.problems.setText("")
        self.create_button.setEnabled(False)
        password, sheet = self.password.chosen(), self.password.wants_sheet()

        def work(progress, cancelled):
            from ..ledger import open_ledger
            from ..ledger.encryption import new_key

            path = spec.pop("path")
            key = new_key(password) if password else None  # the slow derivation, off the GUI thread
            lg = open_ledger(path, create=True, operator=spec["operators"][0], key=key)
            try:
                lg.settings.initialize(**spec)
            except BaseException:
                lg.close()
                path.unlink(missing_ok=True)
                for suffix in ("-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
                raise
            return lg

        def failed(exc):
            self.create_button.setEnabled(True)
            self.problems.setText(error_text(exc))

        def done(lg):
            self.create_button.setEnabled(True)
            if sheet:
                from .password_dialog import save_recovery_sheet

                save_recovery_sheet(self, lg)
            self.created.emit(lg)

        self.task = run_task(self, "正在建立台账", work, done, failed)


class FirstRunScreen(QWidget):
    """欢迎：新建台账 / 打开台账 / 打开演示台账."""

    open_requested = Signal(str)  # path of an existing ledger
    demo_requested = Signal()
    ledger_created = Signal(object)

    def __init__(self, parent: QWidget | None = None, operator: str = "", recent: list[str] | None = None):
        super().__init__(parent)
        self.setObjectName("firstRun")
        self.setWindowTitle("参保台账")
        self.stack = QStackedWidget()
        welcome = QWidget()
        v = QVBoxLayout(welcome)
        title = QLabel("参保台账 · 城乡居民基本医疗保险参保缴费")
        title.setObjectName("pageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addStretch(1)
        v.addWidget(title)
        intro = QLabel("找户、算账、收费、打印收据、看进度——全部离线完成。\n第一次使用，请新建台账；已有台账文件，请打开。")
        intro.setAlignment(Qt.AlignmentFlag.AlignCenter)
        intro.setWordWrap(True)
        v.addWidget(intro)
        self.new_button = QPushButton("新建台账")
        self.open_button = QPushButton("打开已有台账…")
        self.demo_button = QPushButton("打开演示台账（练习用）")
        for b in (self.new_button, self.open_button, self.demo_button):
            b.setMinimumHeight(44)
            b.setMinimumWidth(260)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(b)
            row.addStretch(1)
            v.addLayout(row)
        self.recent = QListWidget()
        self.recent.setObjectName("recentLedgers")
        self.recent.setToolTip("双击打开")
        for p in recent or []:
            item = QListWidgetItem(f"{Path(p).name}　（{Path(p).parent}）")
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(p)
            self.recent.addItem(item)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.recent.setMaximumHeight(self.recent.sizeHintForRow(0) * 6 + 8 if recent else 0)
        if recent:
            label = QLabel("最近打开的台账（双击打开）：")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            v.addWidget(label)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.recent, 3)
            row.addStretch(1)
            v.addLayout(row)
        self.recent.setVisible(bool(recent))
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        v.addWidget(self.message)
        v.addStretch(2)
        self.create_form = CreateLedgerForm(operator=operator)
        self.stack.addWidget(welcome)
        self.stack.addWidget(self.create_form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.new_button.clicked.connect(lambda: self.stack.setCurrentWidget(self.create_form))
        self.create_form.back.connect(lambda: self.stack.setCurrentIndex(0))
        self.create_form.created.connect(self.ledger_created.emit)
        self.open_button.clicked.connect(self._open)
        self.demo_button.clicked.connect(self.demo_requested.emit)

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开台账", str(default_ledger_path().parent),
                                              "台账文件 (*.db *.canbao.db);;所有文件 (*)")
        if path:
            self.open_requested.emit(path)

    def show_message(self, text: str) -> None:
        self.stack.setCurrentIndex(0)
        self.message.setText(text)
