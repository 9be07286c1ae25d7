"""交换包: 生成交换包 / 导入交换包 between a station and its township, over ``app.sync.packets``.

Writing, previewing and applying run on a worker thread with the ledger opened on that thread, with progress
and 取消. A packet is always previewed first — what it brings (counts per kind of record and change), what
this ledger already has, the conflicts it would list, or why it cannot be applied — and applied only when the
clerk presses 导入 after seeing that. Applying is role-checked by the ledger (``sync``: 专干 or 管理员); the
window disables it for other roles and says why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QListWidget, QPushButton, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ..ledger import stations
from .tasks import error_text, run_task
from ..sync.fields import count_rows, local_time
from .widgets import path_row, read_only_table

PEER_COLUMNS = ("站点", "已发出", "对方已确认到", "待对方确认", "已导入", "最近发出", "最近导入")

def _short(ts: str | None) -> str:
    return local_time(ts) or "—"


class ExchangePacketDialog(QDialog):
    """生成交换包 and 导入交换包 (with the preview), and each other station's progress."""

    applied = Signal(object)  # ApplyResult: the window refreshes its lists
    conflicts_requested = Signal()
    stations_requested = Signal()  # 站点… (setting up this ledger's station first)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exchangePacketDialog")
        self.setWindowTitle("交换包")
        self.ledger = ledger
        self.mine = stations.current(ledger)
        self.preview = None  # the PacketPreview shown (导入 applies only a previewed packet)
        self.result = None
        self.written = None
        self.task = None
        self.may_apply = ledger.session is None or ledger.session.can("sync")

        head = QLabel()
        head.setObjectName("stationLine")
        head.setWordWrap(True)
        if self.mine is None:
            head.setText("本台账还没有设定站点，不能交换数据。请先在「设置 → 站点」（或下方「站点…」）设定本台账的站点。")
        else:
            head.setText(f"本台账：{self.mine.code} {self.mine.name}（{self.mine.kind}）。交换包可以重复发送、"
                         "不按顺序送达或丢失：下一个包会补上没有确认的内容。")
        self.peers = read_only_table("peerTable", PEER_COLUMNS, fit=True)
        self.peers.setMinimumHeight(self.fontMetrics().height() * 5)

        out = QWidget()
        form = QFormLayout(out)
        self.target = QComboBox()
        self.target.setObjectName("packetTarget")
        for s in stations.known(ledger):
            if self.mine is not None and s.code != self.mine.code and (self.mine.number == 0 or s.number == 0):
                self.target.addItem(f"{s.code} {s.name}", s.number)
        self.folder = QLineEdit(str(Path(ledger.path).parent))
        self.folder.setObjectName("packetFolder")
        self.write_button = QPushButton("生成交换包")
        self.write_button.setObjectName("writePacket")
        self.write_button.clicked.connect(self.write)
        self.write_button.setEnabled(self.mine is not None and self.target.count() > 0)
        form.addRow("发给：", self.target)
        form.addRow("保存到文件夹：", path_row(self.folder, self._choose_folder))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.write_button)
        form.addRow(row)
        form.addRow(QLabel("与各站点的交换进度："))
        form.addRow(self.peers)

        inn = QWidget()
        box = QVBoxLayout(inn)
        form = QFormLayout()
        self.packet = QLineEdit()
        self.packet.setObjectName("packetFile")
        self.packet.setPlaceholderText("对方发来的 .canbao-packet 文件")
        self.packet.textChanged.connect(self._forget_preview)
        form.addRow("交换包文件：", path_row(self.packet, self._choose_packet))
        box.addLayout(form)
        self.preview_text = QLabel("选择交换包后先「预览」：看清它带来什么、有无冲突，再导入。")
        self.preview_text.setObjectName("previewText")
        self.preview_text.setWordWrap(True)
        self.preview_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview_text.setMinimumHeight(self.fontMetrics().height() * 3)
        box.addWidget(self.preview_text)
        self.counts = QTableWidget(0, 3)
        self.counts.setObjectName("previewCounts")
        self.counts.setHorizontalHeaderLabels(("记录", "变动", "条数"))
        self.counts.verticalHeader().setVisible(False)
        self.counts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts.setMinimumHeight(self.fontMetrics().height() * 6)
        box.addWidget(self.counts, 1)
        self.conflict_list = QListWidget()
        self.conflict_list.setObjectName("previewConflicts")
        self.conflict_list.setMaximumHeight(self.fontMetrics().height() * 5)
        self.conflict_list.setWordWrap(True)  # each conflict's whole sentence, no sideways scrolling
        self.conflict_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conflict_list.setVisible(False)
        box.addWidget(self.conflict_list)
        # the sender's first signing key: imported only once its fingerprint is compared with the station's
        self.confirm_key = QCheckBox()
        self.confirm_key.setObjectName("confirmKey")
        self.confirm_key.setVisible(False)
        self.confirm_key.toggled.connect(lambda _on: self._busy(False))
        box.addWidget(self.confirm_key)
        # a packet refused for its signing key: a 专干 may replace the key on record (lost or stolen laptop)
        self.replace_key_button = QPushButton("更换该站签名密钥…")
        self.replace_key_button.setObjectName("replaceSenderKey")
        self.replace_key_button.setVisible(False)
        self.replace_key_button.clicked.connect(self.open_replace_key)
        self.key_dialog = None
        row = QHBoxLayout()
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("previewPacket")
        self.preview_button.clicked.connect(self.show_preview)
        self.apply_button = QPushButton("导入")
        self.apply_button.setObjectName("primary")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.conflicts_button = QPushButton("处理冲突…")
        self.conflicts_button.setObjectName("openConflicts")
        self.conflicts_button.clicked.connect(self.conflicts_requested.emit)
        row.addWidget(self.conflicts_button)
        row.addWidget(self.replace_key_button)
        row.addStretch(1)
        row.addWidget(self.preview_button)
        row.addWidget(self.apply_button)
        box.addLayout(row)

        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        if not self.may_apply:
            self.message.setText(f"{ledger.session.name}（{ledger.session.role}）可以生成交换包；"
                                 "导入交换包和处理冲突须专干或管理员登录。")
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        stations_button = QPushButton("站点…")
        stations_button.setObjectName("stationsButton")
        stations_button.clicked.connect(self.stations_requested.emit)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(stations_button)
        bottom.addWidget(close)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("packetTabs")
        self.tabs.addTab(inn, "导入交换包")
        self.tabs.addTab(out, "生成交换包")
        if self.mine is not None and self.mine.number != 0:
            self.tabs.setCurrentIndex(1)  # a village mostly sends; the township mostly reads
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        em = self.fontMetrics().horizontalAdvance("汉")
        self.setMinimumSize(em * 46, em * 30)  # two tabs: fits a 1366×768 screen in the large font too
        self.refresh()

    # -- state
    def refresh(self) -> None:
        from ..sync.conflicts import list_conflicts
        from ..sync.packets import peers

        names = {s.number: f"{s.code} {s.name}" for s in stations.known(self.ledger)}
        rows = peers(self.ledger) if self.mine is not None else []
        self.peers.setRowCount(len(rows))
        for r, p in enumerate(rows):
            cells = (names.get(p.station, str(p.station)), f"{p.packets_out} 个包", f"第 {p.acked_seq} 批",
                     f"{p.unacked_entries} 批", f"{p.packets_in} 个包", _short(p.last_out_at), _short(p.last_in_at))
            for c, text in enumerate(cells):
                self.peers.setItem(r, c, QTableWidgetItem(text))
        n = len(list_conflicts(self.ledger)) if self.mine is not None else 0
        self.conflicts_button.setText(f"处理冲突（{n}）…" if n else "处理冲突…")

    def _say(self, text: str, ok: bool) -> None:
        self.message.setObjectName("ok" if ok else "problem")
        self.message.setText(text)
        self.message.style().polish(self.message)

    def _busy(self, busy: bool) -> None:
        for b in (self.write_button, self.preview_button):
            b.setEnabled(not busy and self.mine is not None)
        self.write_button.setEnabled(not busy and self.mine is not None and self.target.count() > 0)
        self.apply_button.setEnabled(not busy and self.preview is not None and self.preview.ok and self.may_apply
                                     and (not self.preview.key_to_confirm or self.confirm_key.isChecked()))

    def _worker_ledger(self):
        from ..ledger import open_ledger

        return open_ledger(self.ledger.path, backup=False, operator=self.ledger.session or self.ledger.operator)

    def _choose_folder(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "交换包保存到", self.folder.text())
        if d:
            self.folder.setText(d)

    def _choose_packet(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择交换包", self.folder.text(), "交换包 (*.canbao-packet)")
        if path:
            self.packet.setText(path)

    def _forget_preview(self) -> None:
        self.preview = None
        self.apply_button.setEnabled(False)
        self.confirm_key.setChecked(False)
        self.confirm_key.setVisible(False)
        self.replace_key_button.setVisible(False)

    def open_replace_key(self) -> QDialog:
        """签名密钥 on replacing the refused packet's sender's key with the packet's key."""
        from .station_key_dialog import StationKeyDialog

        pv = self.preview
        d = StationKeyDialog(self.ledger, self, station=pv.sender if pv else None, key=pv.refused_key if pv else None)
        d.changed.connect(self._key_replaced)
        self.key_dialog = d
        d.open()
        return d

    def _key_replaced(self) -> None:
        self._forget_preview()
        self._say("已更换该站的签名公钥。请再点「预览」，确认后导入。", True)

    # -- 生成交换包
    def write(self) -> None:
        from ..sync.packets import write_packet

        folder, dest = Path(self.folder.text().strip()), self.target.currentData()
        if not folder.is_dir():
            self._say(f"文件夹不存在：{folder}", False)
            return

        def work(progress, cancelled):
            with self._worker_ledger() as lg:
                return write_packet(lg, dest, folder, progress=progress)

        def done(summary):
            self.written = summary
            self._busy(False)
            self.refresh()
            self._say(f"已生成交换包：{summary.path}\n{summary.changes} 条变动（其中新的 {summary.new_changes} 条），"
                      f"{summary.entries} 批，{summary.size / 1024:.1f} KB。请把这个文件交给对方导入"
                      "（U盘、微信都可以）。", True)

        def failed(exc):
            self._busy(False)
            self._say(f"没有生成交换包：{error_text(exc)}", False)

        self._busy(True)
        self.task = run_task(self, "正在生成交换包", work, done, failed)

    # -- 导入交换包: preview, then apply
    def show_preview(self) -> None:
        from ..sync.packets import preview_packet

        path = Path(self.packet.text().strip())
        if not path.is_file():
            self._say(f"找不到交换包文件：{path}", False)
            return

        def work(progress, cancelled):
            with self._worker_ledger() as lg:
                return preview_packet(lg, path)

        def done(pv):
            self.preview = pv
            self._show(pv)
            self._busy(False)

        def failed(exc):
            self._busy(False)
            self._say(f"无法预览：{error_text(exc)}", False)

        self._forget_preview()
        self._busy(True)
        self.task = run_task(self, "正在预览交换包", work, done, failed)

    def _show(self, pv) -> None:
        names = {s.number: f"{s.code} {s.name}" for s in stations.known(self.ledger)}
        rows = count_rows(pv.counts)
        self.counts.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                self.counts.setItem(r, c, QTableWidgetItem(str(value)))
        self.conflict_list.clear()
        self.conflict_list.addItems(list(pv.conflicts))
        self.conflict_list.setVisible(bool(pv.conflicts))
        sender = pv.sender_code or names.get(pv.sender, str(pv.sender))
        self.counts.setVisible(pv.ok)  # a refused packet: its whole message instead of an empty table
        self.preview_text.parentWidget().layout().setStretchFactor(self.preview_text, 0 if pv.ok else 1)
        self.replace_key_button.setVisible(bool(pv.refused_key))
        self.replace_key_button.setEnabled(self.may_apply)
        self.confirm_key.setVisible(bool(pv.ok and pv.key_to_confirm))
        self.confirm_key.setText(f"已与 {sender} 电话核对：对方念的指纹是 {pv.key_to_confirm}（一致才勾选）")
        if not pv.ok:
            self.preview_text.setText(f"来自 {sender} 的第 {pv.packet_no} 个包，不能导入：\n"
                                      + "\n".join(str(p) for p in pv.problems))
            return
        total = sum(pv.counts.values())
        text = f"来自 {sender} 的第 {pv.packet_no} 个包：带来 {total} 条变动"
        if pv.already_applied:
            text += f"；其中 {pv.already_applied} 批本台账已导入过（重复发送），不会再导入"
        text += f"；会列出 {len(pv.conflicts)} 个冲突（由专干处理，不会自动覆盖）。" if pv.conflicts else "；没有冲突。"
        if not total and not pv.conflicts:
            text += "这个包没有新内容（可以导入，以记下对方的确认）。"
        text += "".join(f"\n{line}" for line in (*pv.notes, *pv.policies))  # signing key, policy files
        self.preview_text.setText(text + ("" if self.may_apply else "\n导入须专干或管理员登录。"))
        self._fit_preview_text()

    def _fit_preview_text(self) -> None:
        """The preview's whole text (a first key's fingerprint must not be cut off): as tall as its lines."""
        label = self.preview_text
        label.setMinimumHeight(max(self.fontMetrics().height() * 3, label.heightForWidth(max(label.width(), 200))))

    def apply(self) -> None:
        from ..sync.packets import apply_packet

        pv = self.preview
        if pv is None or not pv.ok:
            return
        path = pv.path
        confirm = pv.key_to_confirm if pv.key_to_confirm and self.confirm_key.isChecked() else None

        def work(progress, cancelled):
            with self._worker_ledger() as lg:
                return apply_packet(lg, path, progress=progress, confirm_key=confirm)

        def done(res):
            self.result = res
            self._forget_preview()
            self._busy(False)
            self.refresh()
            if not res.ok:
                self._say("没有导入（本台账未作改动）：\n" + "\n".join(str(p) for p in res.problems), False)
                return
            text = f"已导入：{sum(res.counts.values())} 条变动，{res.applied_entries} 批"
            if res.skipped_entries:
                text += f"（{res.skipped_entries} 批此前已导入，跳过）"
            text += f"；新冲突 {res.new_conflicts} 个，请点「处理冲突」。" if res.new_conflicts else "；没有新冲突。"
            text += "".join(f"\n{line}" for line in (*res.notes, *res.policies))
            self._say(text, True)
            self.applied.emit(res)

        def failed(exc):
            self._busy(False)
            self._say(f"没有导入（本台账未作改动）：{error_text(exc)}", False)

        self._busy(True)
        self.task = run_task(self, "正在导入交换包", work, done, failed)
