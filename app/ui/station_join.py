"""Joining a village ledger already in use to the township, from the window (设置 → 站点…):

- at the township, 接入已在用的村台账… (``InviteDialog``): records a new station and writes its join card
  (``app.ledger.join_card.write_card``), then shows the 12-digit 入站码 once, to be told to the clerk;
- at the village, 加入乡镇… (``JoinDialog``): the card and its 入站码, then the join
  (``app.ledger.join.join_township``) on a worker thread with its own connection, with progress; it is all or
  nothing (a backup is made first). The rules and messages are the ledger's; these dialogs show them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from ..ledger import stations
from .tasks import error_text, run_task
from .widgets import path_row


def _buttons(go: QPushButton, close: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(close)
    row.addWidget(go)
    return row


def _say(label: QLabel, text: str, ok: bool) -> None:
    label.setObjectName("ok" if ok else "problem")
    label.setText(text)
    label.style().polish(label)
    label.window().adjustSize()  # the wrapped lines need the height


class InviteDialog(QDialog):
    """At the township: a join card for a village laptop that was used before stations."""

    invited = Signal(str)  # the new station's code

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inviteDialog")
        self.setWindowTitle("接入已在用的村台账")
        self.ledger = ledger
        self.written = None
        taken = {s.village for s in stations.known(ledger) if s.kind == stations.VILLAGE and s.village}
        self.village = QComboBox()
        self.village.setObjectName("inviteVillage")
        for v in ledger.settings.get().villages:
            if v.name not in taken:
                self.village.addItem(v.name, v.name)
        self.village.addItem("（不在本乡镇台账的村名单中）", "")
        self.kind = QComboBox()
        self.kind.addItems((stations.VILLAGE, stations.GRID))
        self.name = QLineEdit()
        self.name.setObjectName("inviteName")
        self.name.setPlaceholderText("默认为村名")
        self.folder = QLineEdit(str(Path(ledger.path).parent))
        self.folder.setObjectName("inviteFolder")
        form = QFormLayout()
        form.addRow("哪个村：", self.village)
        form.addRow("站点类型：", self.kind)
        form.addRow("站点名称：", self.name)
        form.addRow("入站文件存到：", path_row(self.folder, self._browse))
        mine = stations.current(ledger)
        code = stations.make_code(mine.township_code, stations.next_number(ledger)) if mine else "—"
        note = QLabel(f"村里的电脑在设定站点以前就在用本程序（票据号如 2025-000017）。这里登记新站点 {code}，"
                      "写出它的入站文件（加密）和 12 位入站码。把文件拷给村里，入站码当面或电话告知（不要与文件一起发送）；"
                      "村里在「设置 → 站点… → 加入乡镇…」中打开它。村里的数据由之后的第一个交换包带来。")
        note.setWordWrap(True)
        self.code_word = QLabel()
        self.code_word.setObjectName("codeWord")
        self.code_word.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.go = QPushButton("生成入站文件")
        self.go.setObjectName("primary")
        self.go.clicked.connect(self.write)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.code_word)
        layout.addWidget(self.message)
        layout.addLayout(_buttons(self.go, close))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 44)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "入站文件存到", self.folder.text())
        if path:
            self.folder.setText(path)

    def write(self) -> None:
        from ..ledger.join_card import write_card

        try:
            self.written = write_card(self.ledger, self.folder.text().strip(), village=self.village.currentData(),
                                      name=self.name.text().strip() or None, kind=self.kind.currentText())
        except (ProblemsError, OSError) as exc:
            _say(self.message, error_text(exc), ok=False)
            return
        w = self.written
        self.code_word.setText(f"入站码：{w.code_word}")
        _say(self.message, f"已登记站点 {w.station.code} {w.station.name}。入站码只显示这一次，请现在抄下或告知村里。\n"
                           f"入站文件：{w.path.name}\n（在 {w.path.parent}）", ok=True)
        self.go.setEnabled(False)
        self.invited.emit(w.station.code)


class JoinDialog(QDialog):
    """At the village: this ledger (used before stations) becomes a station of the township."""

    joined = Signal(str)  # the station's code

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("joinDialog")
        self.setWindowTitle("加入乡镇")
        self.ledger = ledger
        self.outcome = None
        self.task = None
        self.card = QLineEdit()
        self.card.setObjectName("joinCard")
        self.card.setPlaceholderText("乡镇发来的 .canbao-join 文件")
        self.word = QLineEdit()
        self.word.setObjectName("joinCodeWord")
        self.word.setPlaceholderText("12 位数字，如 1234-5678-9012")
        form = QFormLayout()
        form.addRow("入站文件：", path_row(self.card, self._browse))
        form.addRow("入站码：", self.word)
        note = QLabel("本台账将成为乡镇的一个站点（先自动备份；要么全部完成，要么台账保持原样）。\n"
                      "• 已开出的票据号不变，前面加上站点代码，如 220112-003:2025-000017；居民拿来的旧票据照样查得到，"
                      "补打仍是原号。\n"
                      "• 以后的新票据接着编：220112-003-2025-000018 …，不会重号。\n"
                      "• 加入后生成交换包给乡镇：第一个交换包带上乡镇还没有的全部数据；乡镇已有的人（乡镇导入的名单）"
                      "逐人合并，只带两边不同的地方。")
        note.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.go = QPushButton("预览")
        self.go.setObjectName("primary")
        self.go.clicked.connect(self.join)
        self.plan = None  # the preview shown: a second click joins
        self.card.textChanged.connect(self._forget)
        self.word.textChanged.connect(self._forget)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addLayout(_buttons(self.go, close))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 44)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "乡镇发来的入站文件", self.card.text(), "入站文件 (*.canbao-join)")
        if path:
            self.card.setText(path)

    def _forget(self) -> None:
        self.plan = None
        self.go.setText("预览")

    def join(self) -> None:
        """First click: what the join would do (``join.preview``); second click: the join."""
        from ..ledger import open_ledger
        from ..ledger.join import join_township, preview
        from ..ledger.join_card import read_card

        try:
            card = read_card(self.card.text().strip(), self.word.text())
            plan = preview(self.ledger, card)
            if not plan.ok:
                raise ProblemsError(list(plan.problems))
        except ProblemsError as exc:
            _say(self.message, error_text(exc), ok=False)
            return
        if self.plan is None:
            self.plan = plan
            _say(self.message, "将加入：\n" + "\n".join(f"• {line}" for line in plan.lines()), ok=True)
            self.go.setText("确认加入")
            return
        path = self.ledger.path
        operator = self.ledger.session or self.ledger.operator  # the worker carries the logged-in operator

        def work(progress, cancelled):
            with open_ledger(path, backup=False, operator=operator) as lg:
                return join_township(lg, card, progress=progress, cancel=cancelled)

        def done(outcome):
            self.outcome = outcome
            c = outcome.counts
            _say(self.message, f"已加入乡镇「{card.township_name}」：本台账是站点 {outcome.station.code} "
                               f"{outcome.station.name}。{c.get('households', 0)} 户，{c.get('members', 0)} 人，"
                               f"{outcome.receipts} 张已开票据（原号不变，前加站点代码）。"
                               "下一步：工具栏「交换包」→ 生成交换包给乡镇。", ok=True)
            self.joined.emit(outcome.station.code)

        def failed(exc):
            self.go.setEnabled(True)
            _say(self.message, f"没有加入，台账保持原样：{error_text(exc)}", ok=False)

        self.go.setEnabled(False)
        _say(self.message, "正在加入乡镇……", ok=True)
        self.task = run_task(self, "正在加入乡镇", work, done, failed)
