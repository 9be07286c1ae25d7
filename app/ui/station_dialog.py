"""设置 → 站点: which station this ledger is (code, name, kind, parent, village), the township's list of
stations, registering another station, 拆分村台账… (app.ui.station_split), and joining a ledger used before
stations: 接入已在用的村台账… at the township, 加入乡镇… at the village (app.ui.station_join). The rules are the ledger's
(``app.ledger.stations.check`` / ``set_up`` / ``record``); this page shows them and their problems."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from ..ledger import stations
from .widgets import read_only_table
from .tasks import error_text

COLUMNS = ("站点代码", "类型", "名称", "负责的村", "上级站点", "")


class StationForm(QWidget):
    """The fields of one station, with the ledger's problems shown under them as they are typed."""

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.ledger = ledger
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.code = QLineEdit()
        self.code.setObjectName("stationCode")
        self.code.setPlaceholderText("乡镇代码-三位编号，如 220112-003（乡镇本级为 000）")
        self.name = QLineEdit()
        self.name.setObjectName("stationName")
        self.kind = QComboBox()
        self.kind.setObjectName("stationKind")
        self.kind.addItems(stations.KINDS)
        self.parent_code = QLineEdit()
        self.parent_code.setObjectName("stationParent")
        self.parent_code.setPlaceholderText("村和网格填写，如 220112-000")
        self.village = QComboBox()
        self.village.setObjectName("stationVillage")
        self.village.addItem("（整个乡镇 / 不限）", "")
        for v in ledger.settings.get().villages:
            self.village.addItem(v.name, v.name)
        form.addRow("站点代码：", self.code)
        form.addRow("名称：", self.name)
        form.addRow("类型：", self.kind)
        form.addRow("上级站点：", self.parent_code)
        form.addRow("负责的村：", self.village)
        self.problems = QLabel()
        self.problems.setObjectName("problem")
        self.problems.setWordWrap(True)
        form.addRow(self.problems)
        for w in (self.code, self.name, self.parent_code):
            w.textChanged.connect(self.show_problems)
        self.kind.currentIndexChanged.connect(self.show_problems)
        self.village.currentIndexChanged.connect(self.show_problems)

    def values(self) -> dict:
        return {"code": self.code.text().strip(), "name": self.name.text().strip(), "kind": self.kind.currentText(),
                "parent": self.parent_code.text().strip(), "village": self.village.currentData() or ""}

    def fill(self, s: stations.Station) -> None:
        self.code.setText(s.code)
        self.name.setText(s.name)
        self.kind.setCurrentText(s.kind)
        self.parent_code.setText(s.parent)
        self.village.setCurrentIndex(max(self.village.findData(s.village), 0))

    def show_problems(self) -> list:
        v = self.values()
        problems = stations.check(self.ledger, **v) if v["code"] or v["name"] else []
        self.problems.setText("\n".join(str(p) for p in problems))
        return problems


class StationDialog(QDialog):
    """本台账的站点 and 乡镇的站点 (the list); 登记站点 and 拆分村台账…"""

    changed = Signal()
    split_done = Signal(str)  # the new ledger's path
    joined = Signal(str)  # this ledger joined the township as this station: every id moved (reload it all)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stationDialog")
        self.setWindowTitle("站点")
        self.ledger = ledger
        self.may_edit = ledger.session is None or ledger.session.can("policies")

        own = QGroupBox("本台账的站点")
        self.own_text = QLabel()
        self.own_text.setObjectName("ownStation")
        self.own_text.setWordWrap(True)
        self.own_form = StationForm(ledger)
        self.set_button = QPushButton("设定本台账的站点")
        self.set_button.setObjectName("primary")
        self.set_button.clicked.connect(self.set_up)
        box = QVBoxLayout(own)
        box.addWidget(self.own_text)
        box.addWidget(self.own_form)
        row = QHBoxLayout()
        self.join_button = QPushButton("加入乡镇…")  # a ledger used before stations (app.ui.station_join)
        self.join_button.setObjectName("joinTownship")
        self.join_button.setToolTip("设定站点以前就在用的村台账：用乡镇发来的入站文件加入，已开票据号不变")
        self.join_button.clicked.connect(self.open_join)
        row.addWidget(self.join_button)
        row.addStretch(1)
        row.addWidget(self.set_button)
        box.addLayout(row)

        listed = QGroupBox("乡镇的站点")
        self.table = read_only_table("stationTable", COLUMNS, rows=True, fit=True)
        self.add_button = QPushButton("登记其他站点…")
        self.add_button.setObjectName("addStation")
        self.add_button.clicked.connect(self.open_add)
        self.split_button = QPushButton("拆分村台账…")
        self.split_button.setObjectName("splitVillage")
        self.split_button.setToolTip("把一个村从本台账拆分为它自己的台账（给村里一台电脑）")
        self.split_button.clicked.connect(self.open_split)
        self.keys_button = QPushButton("签名密钥…")  # this station's fingerprint; replacing a station's key
        self.keys_button.setObjectName("stationKeys")
        self.keys_button.clicked.connect(self.open_keys)
        box = QVBoxLayout(listed)
        box.addWidget(self.table)
        self.invite_button = QPushButton("接入已在用的村台账…")
        self.invite_button.setObjectName("inviteVillage")
        self.invite_button.setToolTip("村里的电脑在设定站点以前就在用：登记新站点，写出它的入站文件")
        self.invite_button.clicked.connect(self.open_invite)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.split_button)
        row.addWidget(self.invite_button)
        row.addStretch(1)
        row.addWidget(self.keys_button)
        box.addLayout(row)

        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(own)
        layout.addWidget(listed, 1)
        layout.addLayout(bottom)
        em = self.fontMetrics().horizontalAdvance("汉")
        self.setMinimumSize(em * 46, em * 34)
        self.dialogs: list[QDialog] = []
        self.refresh()

    def refresh(self) -> None:
        mine = stations.current(self.ledger)
        year = self.ledger.settings.get().year
        if mine is None:
            self.own_text.setText("本台账还没有设定站点：票据号为「年度-序号」。设定站点后，票据号带站点代码"
                                  "（如 220112-003-2025-000001），全乡镇各台电脑不会重号。站点代码设定后不能更换。"
                                  "\n已经在用、开过票据的村电脑：请向乡镇要入站文件，用「加入乡镇…」。")
            self.set_button.setText("设定本台账的站点")
        else:
            sample = stations.receipt_number(mine, year, mine.seq_base + 1)
            self.own_text.setText(f"本台账是 {mine.code} {mine.name}（{mine.kind}）。票据号如 {sample}。"
                                  "站点代码不能更换；名称、类型、上级站点和负责的村可以修改。")
            self.own_form.fill(mine)
            self.own_form.code.setReadOnly(True)
            self.set_button.setText("保存修改")
        self.own_form.setEnabled(self.may_edit)
        self.set_button.setEnabled(self.may_edit)
        self.add_button.setEnabled(self.may_edit and mine is not None)
        self.split_button.setEnabled(self.may_edit and mine is not None)
        self.keys_button.setEnabled(mine is not None)
        self.invite_button.setEnabled(self.may_edit and mine is not None and mine.number == 0)
        self.join_button.setVisible(mine is None)
        self.join_button.setEnabled(self.may_edit)
        if not self.may_edit:
            self.message.setText(f"{self.ledger.session.name}（{self.ledger.session.role}）只能查看站点；"
                                 "设定站点和拆分须专干或管理员登录。")
        listed = stations.known(self.ledger)
        self.table.setRowCount(len(listed))
        for r, s in enumerate(listed):
            mark = "本台账" if mine is not None and s.code == mine.code else ""
            for c, text in enumerate((s.code, s.kind, s.name, s.village or "—", s.parent or "—", mark)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
                self.table.setItem(r, c, item)

    def _done(self, text: str) -> None:
        self.message.setObjectName("ok")
        self.message.setText(text)
        self.message.style().polish(self.message)
        self.refresh()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.message.setObjectName("problem")
        self.message.setText(error_text(exc))
        self.message.style().polish(self.message)

    def set_up(self) -> None:
        v = self.own_form.values()
        if self.own_form.show_problems():
            return
        try:
            s = stations.set_up(self.ledger, **v)
        except ProblemsError as exc:
            self._failed(exc)
            return
        self._done(f"本台账站点：{s.code} {s.name}（{s.kind}）")

    def open_add(self) -> QDialog:
        d = AddStationDialog(self.ledger, self)
        d.accepted.connect(lambda: self._done(f"已登记站点：{d.station.label}"))
        self.dialogs.append(d)
        d.open()
        return d

    def open_keys(self, station: int | None = None, key: str | None = None) -> QDialog:
        from .station_key_dialog import StationKeyDialog

        d = StationKeyDialog(self.ledger, self, station=station, key=key)
        d.changed.connect(self.changed.emit)
        self.dialogs.append(d)
        d.open()
        return d

    def open_split(self) -> QDialog:
        from .station_split import SplitDialog

        d = SplitDialog(self.ledger, self)
        d.split_done.connect(lambda path: (self._done(f"已拆分，新台账：{path}"), self.split_done.emit(path)))
        self.dialogs.append(d)
        d.open()
        return d


    def open_invite(self) -> QDialog:
        from .station_join import InviteDialog

        d = InviteDialog(self.ledger, self)
        d.invited.connect(lambda code: self._done(f"已登记站点 {code}，入站文件已写出"))
        self.dialogs.append(d)
        d.open()
        return d

    def open_join(self) -> QDialog:
        from .station_join import JoinDialog

        d = JoinDialog(self.ledger, self)
        d.joined.connect(lambda code: (self.joined.emit(code), self._done(f"本台账已加入乡镇，站点 {code}")))
        self.dialogs.append(d)
        d.open()
        return d


class AddStationDialog(QDialog):
    """登记其他站点: a station of the township that this ledger should know (its code, village)."""

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("addStationDialog")
        self.setWindowTitle("登记站点")
        self.ledger = ledger
        self.station: stations.Station | None = None
        self.form = StationForm(ledger)
        mine = stations.current(ledger)
        if mine is not None:
            self.form.code.setText(stations.make_code(mine.township_code, stations.next_number(ledger)))
            self.form.kind.setCurrentText(stations.VILLAGE)
            self.form.parent_code.setText(mine.code)
        save = QPushButton("登记")
        save.setObjectName("primary")
        save.clicked.connect(self.save)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 36)

    def save(self) -> None:
        if self.form.show_problems():
            return
        try:
            self.station = stations.record(self.ledger, **self.form.values())
        except ProblemsError as exc:
            self.form.problems.setText(error_text(exc))
            return
        self.accept()
