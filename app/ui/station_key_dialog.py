"""签名密钥 (设置 → 站点… → 签名密钥…, or 更换该站签名密钥… from a refused packet in 交换包): this station's
fingerprint, to read out over the phone; changing this station's key; the keys on record for each station with
the ones replaced (when, how, why); and a 专干 replacing another station's key by hand — with the fingerprint
the station reads out, and a reason. The rules are the ledger's (``app.sync.key_changes``); this window shows
them and their problems."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase, QFontInfo
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.problems import ProblemsError
from ..ledger import stations
from ..sync import key_changes, signing
from .widgets import read_only_table
from .tasks import error_text

COLUMNS = ("站点", "指纹", "状态", "方式", "时间", "更换原因（操作员）")


def _big_digits(label: QLabel, step: float) -> None:
    """Digits to read out over the phone: fixed-width, bold, ``step`` times the window's font (a style sheet,
    so the application's style sheet — and its large font — cannot shrink them back)."""
    family = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    px = QFontInfo(label.font()).pixelSize()
    label.setStyleSheet(f"font-family: '{family}'; font-size: {round(px * step)}px; font-weight: bold;")


class StationKeyDialog(QDialog):
    """This station's key and the keys on record; ``station``/``key``: open on replacing that station's key
    with that key (a packet refused because of it)."""

    changed = Signal()

    def __init__(self, ledger, parent: QWidget | None = None, station: int | None = None, key: str | None = None):
        super().__init__(parent)
        self.setObjectName("stationKeyDialog")
        self.setWindowTitle("签名密钥")
        self.ledger = ledger
        self.mine = stations.current(ledger)
        self.may_change = ledger.session is None or ledger.session.can("sync")
        self.last_change: key_changes.KeyChange | None = None

        own = QGroupBox("本站的签名密钥")
        self.own_fingerprint = QLabel()
        self.own_fingerprint.setObjectName("ownFingerprint")
        _big_digits(self.own_fingerprint, 1.6)
        self.own_text = QLabel()
        self.own_text.setWordWrap(True)
        self.change_reason = QLineEdit()
        self.change_reason.setObjectName("changeReason")
        self.change_reason.setPlaceholderText("更换原因，如：定期更换、担心台账文件被人复制")
        self.change_button = QPushButton("更换本站密钥")
        self.change_button.setObjectName("changeOwnKey")
        self.change_button.clicked.connect(self.change_own)
        box = QVBoxLayout(own)
        box.addWidget(self.own_fingerprint)
        box.addWidget(self.own_text)
        row = QHBoxLayout()
        row.addWidget(self.change_reason, 1)
        row.addWidget(self.change_button)
        box.addLayout(row)

        listed = QGroupBox("各站点登记的签名公钥（更换掉的留存备查，用它签名的交换包不再接受）")
        self.table = read_only_table("keyTable", COLUMNS, rows=True, fit=True)
        self.table.setMinimumHeight(self.fontMetrics().height() * 6)
        QVBoxLayout(listed).addWidget(self.table)

        hand = QGroupBox("更换某站的签名公钥（该站电脑丢失、被盗或重装后）")
        form = QFormLayout(hand)
        self.station = QComboBox()
        self.station.setObjectName("replaceStation")
        for s in stations.known(ledger):
            if self.mine is None or s.number != self.mine.number:
                self.station.addItem(f"{s.code} {s.name}", s.number)
        self.new_key = QLineEdit()
        self.new_key.setObjectName("replaceKey")
        self.new_key.setPlaceholderText("该站的新公钥（64 位；从它被拒收的交换包带入，或照该站显示的填写）")
        self.key_fingerprint = QLabel("—")
        self.key_fingerprint.setObjectName("keyFingerprint")
        _big_digits(self.key_fingerprint, 1.3)
        self.heard = QLineEdit()
        self.heard.setObjectName("heardFingerprint")
        self.heard.setPlaceholderText("请该站在电话里念它的指纹，照念的填写，如 1A2B 3C4D 5E6F 7A8B")
        self.reason = QLineEdit()
        self.reason.setObjectName("replaceReason")
        self.reason.setPlaceholderText("如：电脑被盗；重装系统后从备份恢复")
        self.replace_button = QPushButton("更换该站公钥")
        self.replace_button.setObjectName("replaceButton")
        self.replace_button.clicked.connect(self.replace)
        form.addRow("站点：", self.station)
        form.addRow("新公钥：", self.new_key)
        form.addRow("这把公钥的指纹：", self.key_fingerprint)
        form.addRow("电话核对的指纹：", self.heard)
        form.addRow("原因：", self.reason)
        note = QLabel("更换后，用旧密钥签名的交换包一律不接受（丢失或被盗的电脑发不进来）；旧公钥连同更换时间、"
                      "原因和操作员留存在台账中。")
        note.setWordWrap(True)
        form.addRow(note)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.replace_button)
        form.addRow(row)
        self.new_key.textChanged.connect(self._show_key)

        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        if not self.may_change:
            self.message.setText(f"{ledger.session.name}（{ledger.session.role}）只能查看签名密钥；"
                                 "更换须专干或管理员登录。")
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(own)
        layout.addWidget(listed, 1)
        layout.addWidget(hand)
        layout.addLayout(bottom)
        em = self.fontMetrics().horizontalAdvance("汉")
        self.setMinimumWidth(em * 62)  # every column, and the form's rows at their own height (fits 1366×768)
        if station is not None:
            self.station.setCurrentIndex(max(self.station.findData(station), 0))
        if key:
            self.new_key.setText(key)
            self.heard.setFocus()
        self.refresh()
        hint = self.sizeHint().expandedTo(self.minimumSize())
        self.resize(hint.width(), min(hint.height(), 740))  # a 1366×768 laptop, large font too: the table gives way

    def refresh(self) -> None:
        own = signing.own_public_key(self.ledger.db)
        if own is None:
            self.own_fingerprint.setText("（还没有）")
            self.own_text.setText("本台账还没有签名密钥：设定本台账的站点后生成。")
        else:
            self.own_fingerprint.setText(signing.fingerprint(own))
            self.own_text.setText("这是本站签名密钥的指纹。对方核对时请照念这 16 位（数字和 A–F 字母）。"
                                  "更换本站密钥后，下一个交换包带着用旧密钥签名的更换证明，对方导入后只接受新密钥；"
                                  "如果旧密钥已丢失或被盗，请把新指纹念给对方专干，由他更换。")
        has_station = self.mine is not None
        self.change_button.setEnabled(self.may_change and has_station)
        self.change_reason.setEnabled(self.may_change and has_station)
        for w in (self.station, self.new_key, self.heard, self.reason, self.replace_button):
            w.setEnabled(self.may_change and self.station.count() > 0)
        names = {s.number: f"{s.code} {s.name}" for s in stations.known(self.ledger)}
        rows = key_changes.keys_on_record(self.ledger)
        self.table.setRowCount(len(rows))
        for r, k in enumerate(rows):
            who = names.get(k.station, f"{k.station:03d}")
            if self.mine is not None and k.station == self.mine.number:
                who += "（本站）"
            cells = ((who, k.fingerprint, "当前", k.how, signing.short_time(k.recorded_at), "") if k.current else
                     ("", k.fingerprint, "已更换", k.way, signing.short_time(k.replaced_at),
                      k.reason + (f"（{k.operator}）" if k.operator else "")))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a long reason, whole
                self.table.setItem(r, c, item)

    def _show_key(self) -> None:
        try:
            key = signing.parse_key(self.new_key.text())
        except ProblemsError:
            self.key_fingerprint.setText("—（须是 64 位十六进制数字）" if self.new_key.text().strip() else "—")
            return
        self.key_fingerprint.setText(signing.fingerprint(key))

    def _say(self, text: str, ok: bool) -> None:
        self.message.setObjectName("ok" if ok else "problem")
        self.message.setText(text)
        self.message.style().polish(self.message)

    def change_own(self) -> None:
        try:
            change = key_changes.change_own_key(self.ledger, self.change_reason.text())
        except ProblemsError as exc:
            self._say(error_text(exc), False)
            return
        self.last_change = change
        self.change_reason.clear()
        self.refresh()
        self._say(f"本站已更换签名密钥：新指纹 {change.new_fingerprint}（旧 {change.old_fingerprint}）。"
                  "下一个交换包会带上更换证明。", True)
        self.changed.emit()

    def replace(self) -> None:
        number = self.station.currentData()
        try:
            change = key_changes.replace_key(self.ledger, number, self.new_key.text(), self.reason.text(),
                                             self.heard.text())
        except ProblemsError as exc:
            self._say(error_text(exc), False)
            return
        self.last_change = change
        for w in (self.new_key, self.heard, self.reason):
            w.clear()
        self.refresh()
        self._say(f"已更换站点 {self.station.currentText()} 的签名公钥：{change.old_fingerprint} → "
                  f"{change.new_fingerprint}。用旧密钥签名的交换包从此不再接受。", True)
        self.changed.emit()
