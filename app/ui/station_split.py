"""拆分村台账…: write a village's own ledger from the township's (``app.ledger.split.split_village``) on a
worker thread with its own connection, with progress and 取消; nothing is left behind when it fails."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from ..ledger import stations
from .tasks import error_text, run_task
from .widgets import path_row


class SplitDialog(QDialog):
    split_done = Signal(str)  # the new ledger's path

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("splitDialog")
        self.setWindowTitle("拆分村台账")
        self.ledger = ledger
        self.outcome = None
        taken = {s.village for s in stations.known(ledger) if s.kind == stations.VILLAGE and s.village}
        form = QFormLayout()
        self.village = QComboBox()
        self.village.setObjectName("splitVillage")
        for v in ledger.settings.get().villages:
            if v.name not in taken:
                self.village.addItem(v.name, v.name)
        self.kind = QComboBox()
        self.kind.addItems((stations.VILLAGE, stations.GRID))
        self.name = QLineEdit()
        self.name.setPlaceholderText("默认为村名")
        self.path = QLineEdit()
        self.path.setObjectName("splitPath")
        form.addRow("拆分哪个村：", self.village)
        form.addRow("新站点类型：", self.kind)
        form.addRow("新站点名称：", self.name)
        form.addRow("新台账文件：", path_row(self.path, self._browse))
        mine = stations.current(ledger)
        code = stations.make_code(mine.township_code, stations.next_number(ledger)) if mine else "—"
        note = QLabel(f"新台账包含该村的户、人员、类别和参保状态、该村的缴费和票据（含作废、退费）、认定后补付、"
                      f"操作日志，以及政策、设置和操作员（原口令可登录）。新台账的站点代码为 {code}，"
                      "本台账登记这个新站点，其余记录不变。把新台账文件拷到村里的电脑上打开即可。")
        note.setWordWrap(True)
        self.message = QLabel("" if self.village.count() else "没有可拆分的村（各村都已拆分）。")
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.go = QPushButton("拆分")
        self.go.setObjectName("primary")
        self.go.setEnabled(self.village.count() > 0)
        self.go.clicked.connect(self.split)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.go)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 40)
        self.village.currentIndexChanged.connect(self._suggest)
        self._suggest()
        self.task = None

    def _suggest(self) -> None:
        village = self.village.currentData()
        if village:
            self.path.setText(str(Path(self.ledger.path).with_name(f"{village}.canbao.db")))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "新台账保存为", self.path.text(), "台账文件 (*.db)")
        if path:
            self.path.setText(path)

    def split(self) -> None:
        from ..ledger import open_ledger
        from ..ledger.split import split_village

        old, out = self.ledger.path, Path(self.path.text().strip())
        village, kind, name = self.village.currentData(), self.kind.currentText(), self.name.text().strip() or None
        operator = self.ledger.session or self.ledger.operator  # the worker carries the logged-in operator

        def work(progress, cancelled):
            with open_ledger(old, backup=False, operator=operator) as lg:
                return split_village(lg, village, out, kind=kind, name=name, progress=progress, cancel=cancelled)

        def done(outcome):
            self.outcome = outcome
            c = outcome.counts
            text = (f"已拆分：{outcome.path}\n新站点 {outcome.station.code} {outcome.station.name}；"
                    f"{c.get('households', 0)} 户，{c.get('members', 0)} 人，{c.get('payments', 0)} 笔缴费。")
            if outcome.carried_along:
                text += f"\n另有 {outcome.carried_along} 人不在该村，但与该村的缴费同票（缴费后迁出等），一并带出。"
            self.message.setObjectName("ok")
            self.message.setText(text)
            self.message.style().polish(self.message)
            self.go.setEnabled(False)
            self.split_done.emit(str(outcome.path))

        def failed(exc):
            self.go.setEnabled(True)
            self.message.setText(f"拆分没有完成，没有留下新台账：{error_text(exc)}")

        self.go.setEnabled(False)
        self.message.setText("正在拆分……")
        self.task = run_task(self, "正在拆分村台账", work, done, failed)
