"""The main window: village tree (with progress) | household list with search and filters | household view.

Toolbar: 新增户, 收费, 打印, 导出, 导入, 统计, 设置, 切换台账. Each dialog is its own module; this file wires them.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QMainWindow, QPushButton, QSizePolicy, QSplitter, QTableView, QToolBar, QVBoxLayout,
                               QWidget)

from . import queries
from .household_model import HouseholdListModel, LazySqlModel, MemberListModel
from .household_view import HouseholdView
from .queries import PAY_FILTERS, MemberFilter
from .tasks import run_task
from .village_tree import VillageTree
from .window_dialogs import WindowDialogs
from .window_layout import WindowLayout


class MainWindow(WindowLayout, WindowDialogs, QMainWindow):
    switch_ledger = Signal()
    open_ledger_requested = Signal(str)
    restore_requested = Signal(str, str, object)  # settings → 恢复…: ledger path, backup, confirmed preview
    encrypt_requested = Signal(str, str, bool)  # settings → 加密台账…: ledger path, password, recovery sheet
    password_change_requested = Signal(str, str, str, bool)  # settings → 修改台账密码…: path, old, new, sheet

    def __init__(self, ledger, prefs=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ledger = ledger
        self.prefs = prefs
        self.settings = ledger.settings.get()
        self.policy = ledger.policy()
        from ..ledger.dues import default_paid_on

        self.paid_on = min(default_paid_on(self.policy), dt.date.today())
        self._dialogs: list = []
        self._place: tuple = (None, None)  # (village id, group id) chosen in the tree
        self._middle: tuple[str, tuple[int, ...], bool] = ("", (), False)  # (text, member ids, more): middle_search
        self._count_gen = 0
        self._count_timer = QTimer(self)  # the total is counted once typing pauses, not on every key
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(250)
        self._count_timer.timeout.connect(lambda: self._count(self.model))
        self.setWindowTitle(f"参保台账 — {self.settings.township} {self.settings.year}年度（{self.policy.name}）")

        # left: tree
        self.tree = VillageTree(ledger)
        self.tree.place_selected.connect(self._place_selected)
        # centre: filters + list
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("查找：姓名、拼音首字母、身份证尾号、电话")
        self.search.setToolTip("输入即查：姓名（如 张三）、拼音首字母（如 zs）、身份证号（10位起）或尾号、"
                               "电话号码或尾号、户编号；4 位以上的数字也查身份证号和电话的中间")
        self.search.setClearButtonEnabled(True)
        # a number from the middle of an ID number or phone: searched off the GUI thread once typing pauses
        from .middle_search import MiddleSearch

        self.middle_search = MiddleSearch(lambda: self.ledger.path, self)
        self.middle_search.found.connect(self._middle_found)
        self.search.textChanged.connect(self.middle_search.schedule)
        self.search.textChanged.connect(self.apply_filter)
        self.search.installEventFilter(self)  # Enter / ↓ move into the list
        self.pay_filter = QComboBox()
        self.pay_filter.setObjectName("payFilter")
        for key, label in PAY_FILTERS.items():
            self.pay_filter.addItem(label, key)
        self.pay_filter.currentIndexChanged.connect(self.apply_filter)
        self.category = QComboBox()
        self.category.setObjectName("categoryFilter")
        self.category.addItem("全部类别", "")
        for c in ledger.policy().category_names():  # the policy file's own categories, then the common ones
            self.category.addItem(c, c)
        self.category.currentIndexChanged.connect(self.apply_filter)
        for combo in (self.pay_filter, self.category):  # narrow screens: the combos give way, not the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
        self.count_label = QLabel()
        # its text changes with every key: it must not resize the list (a relayout repaints the whole window)
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.more_button = QPushButton("更多…")
        self.more_button.setObjectName("moreMatches")
        self.more_button.setToolTip("号码中间包含所输数字的人较多：再列出一批（多输入几位可缩小范围）")
        self.more_button.clicked.connect(self._more_middle)
        self.more_button.hide()
        # 按户 (one row per household, the default: grid workers think in households) / 按人 (one per member)
        self.mode_buttons = QButtonGroup(self)
        self.mode_buttons.setExclusive(True)
        mode_box = QHBoxLayout()
        mode_box.setSpacing(0)
        for key, label, tip in (("households", "按户", "每户一行：户主、人数、已缴和未缴人数"),
                                ("members", "按人", "每人一行：身份证号、参保状态、缴费")):
            b = QPushButton(label)
            b.setObjectName(f"mode_{key}")
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setStyleSheet("QPushButton:checked { background: #1d4ed8; color: white; font-weight: bold; }")
            b.setProperty("mode", key)
            self.mode_buttons.addButton(b)
            mode_box.addWidget(b)
        self.mode_buttons.buttons()[0].setChecked(True)
        self.mode_buttons.buttonToggled.connect(lambda b, on: on and self.set_mode(b.property("mode")))
        filters = QHBoxLayout()  # the search box gets its own line: it is what people use most
        filters.addLayout(mode_box)
        filters.addWidget(self.pay_filter)
        filters.addWidget(self.category)
        filters.addStretch(1)
        conn = lambda: self.ledger.db.conn  # noqa: E731
        self.household_model = HouseholdListModel(conn, self.settings.year, self)
        self.member_model = MemberListModel(conn, self.settings.year, self)
        for m in (self.household_model, self.member_model):  # 应缴金额 in the 未缴 list: the read model's amounts
            m.standings_source = self._page_standings
        self.model: LazySqlModel = self.household_model  # the one on screen
        self.table = QTableView()
        self.table.setObjectName("householdList")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # 选中多户打印通知单
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().sectionResized.connect(self._column_resized)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        centre = QWidget()
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(self.search)
        cv.addLayout(filters)
        cv.addWidget(self.table, 1)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label, 1)
        count_row.addWidget(self.more_button)
        cv.addLayout(count_row)
        # right: household
        self.view = HouseholdView(ledger)
        self.view.paid_on = self.paid_on
        self.view.add_member.connect(self.open_member_form)
        self.view.edit_member.connect(lambda hid, mid: self.open_member_form(hid, mid))
        self.view.edit_household.connect(self.open_household_form)
        self.view.take_payment.connect(self.open_payment)
        self.view.show_payments.connect(self.open_void_refund)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("mainSplitter")
        self.split = split
        split.addWidget(self.tree)
        split.addWidget(centre)
        split.addWidget(self.view)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 3)
        self.setCentralWidget(split)
        self._toolbar()
        self.info = QLabel(f"台账：{ledger.path.name}　操作员：{self.operator()}　缴费日期：{self.paid_on}")
        self.info.setToolTip(str(ledger.path))
        self.statusBar().addPermanentWidget(self.info)
        self._fit_screen()
        self._size_columns()
        self._watch_headers()
        self._restore_layout()
        self.apply_filter()
        from .write_guard import guard

        guard(self)  # the write buttons grey while the open-check runs (app.ui.write_guard)
        QTimer.singleShot(0, self.search.setFocus)

    def open_operators(self):
        from .login import OperatorsDialog

        d = OperatorsDialog(self.ledger, self)
        d.show()
        return d

    def operator(self) -> str:
        if self.ledger.session is not None:  # the logged-in operator (app.ui.login)
            return self.ledger.session.name
        return (self.prefs.operator if self.prefs and self.prefs.operator else "") or self.ledger.operator

    def _toolbar(self) -> None:
        bar = QToolBar("主要操作")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)

        def act(text, slot, shortcut=None, name=None):
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            if name:
                a.setObjectName(name)
            bar.addAction(a)
            return a

        self.a_find = act("查找", lambda: (self.search.setFocus(), self.search.selectAll()), "Ctrl+F")
        self.a_new_household = act("新增户", lambda: self.open_household_form(None), "Ctrl+N")
        self.a_pay = act("收费", self.pay_selected, "F5")
        bar.addSeparator()
        self.a_print = act("打印", self.open_print)
        self.a_export = act("导出", self.open_export)
        self.a_import = act("导入", self.open_import)
        self.a_dashboard = act("统计", self.open_dashboard)
        self.a_handover = act("日结", self.open_handover, name="handover")
        self.a_handover.setToolTip("日结 / 交款单：按操作员和日期汇总收款、作废、退费和应交款")
        self.a_policies = act("政策", self.open_policies, name="policiesAction")
        self.a_claims = act("认定后补付", self.open_claims, name="claimsAction")
        self.a_duplicates = act("重复参保", self.open_duplicates, name="duplicatesAction")
        bar.addSeparator()
        self.a_settings = act("设置", self.open_settings)
        self.a_operators = act("操作员", self.open_operators)  # app.ui.login: who may work here, in which role
        self.a_packets = act("交换包", self.open_packets, name="packetsAction")  # app.ui.exchange_packet_dialog
        self.a_packets.setToolTip("生成交换包 / 导入交换包（乡镇与各村、网格的电脑之间），处理冲突；站点在「设置」中")
        self.a_rollover = act("结转新年度", self.open_rollover)
        self.a_switch = act("切换台账", self.switch_ledger.emit)

    # -- list and filters
    def current_filter(self) -> MemberFilter:
        vid, gid = self._place
        text = self.search.text()
        middle = self._middle[1] if self._middle[0] == text else ()
        return MemberFilter(year=self.settings.year, text=text, pay=self.pay_filter.currentData(),
                            village_id=vid, group_id=gid, category=self.category.currentData(), middle_ids=middle)

    @property
    def mode(self) -> str:
        return "households" if self.model is self.household_model else "members"

    def set_mode(self, mode: str) -> None:
        """按户 / 按人: show the other model with the same search and filters; the open household stays."""
        for b in self.mode_buttons.buttons():
            if b.property("mode") == mode and not b.isChecked():
                b.setChecked(True)  # buttonToggled calls back here with the button checked
                return
        model = self.household_model if mode == "households" else self.member_model
        if model is self.model:
            return
        old = self.table.selectionModel()
        self.model = model
        self.table.setModel(model)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        if old is not None:
            old.deleteLater()
        self._size_columns()
        self._restore_columns()
        self.table.horizontalScrollBar().setValue(0)  # the name column in view, whatever the other mode's scroll
        self.apply_filter()
        self._remember("mode", mode)

    def _page_standings(self, household_ids: list[int]) -> list:
        from ..ledger import member_year

        return list(member_year.standings(self.ledger, day=self.paid_on, household_ids=household_ids))

    def apply_filter(self) -> None:
        f = self.current_filter()
        if self.more_button.isVisible() and not f.middle_ids:
            self.more_button.hide()  # the text changed: the earlier middle matches are gone
        columns = self.model.columns
        self.model.set_filter(f)
        if self.model.columns != columns:  # 应缴金额 came or went with the 未缴 filter
            self._size_columns()
            self._restore_columns()
        if self.model.canFetchMore():
            self.model.fetchMore()
        self._follow_list()
        self._count_gen += 1  # any count still running is now stale
        self.count_label.setText("正在计数……")
        self._count_timer.start()

    def _middle_found(self, text: str, ids: list, more: bool) -> None:
        """Members with the typed number in the middle of their ID number or phone, for the text still typed:
        added to the list (the more button fetches the next ones)."""
        if text != self.search.text():
            return
        old = self._middle[1] if self._middle[0] == text else ()
        merged = tuple(dict.fromkeys((*old, *ids)))
        self._middle = (text, merged, more)
        self.more_button.setVisible(more)
        self.more_button.setEnabled(True)
        if ids or old:
            self.apply_filter()

    def _more_middle(self) -> None:
        text, ids, _more = self._middle
        if text == self.search.text() and ids:
            self.more_button.setEnabled(False)  # until the next ones arrive
            self.middle_search.more(text, max(ids))

    def _follow_list(self) -> None:
        """The household pane shows a household that is in the list: the open one if it is still listed
        (its row is selected again), else the first row; an empty list empties the pane. So an action (收费)
        never applies to a household the search has hidden."""
        h = self.view.household
        row = self.row_of_household(h.id) if h is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is None:
            self.table.clearSelection()
            self.view.show_household(None)
            return
        self.table.selectRow(row)
        hid = self.model.household_id(row)
        if h is None or h.id != hid:
            self.view.show_household(hid, self.model.member_id(row))

    def row_of_household(self, household_id: int) -> int | None:
        """The first loaded row of a household (only the pages already fetched are looked at)."""
        for r in range(self.model.rowCount()):
            if self.model.household_id(r) == household_id:
                return r
        return None

    def selected_household_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return list(dict.fromkeys(h for h in (self.model.household_id(r) for r in rows) if h is not None))

    def pay_selected(self) -> None:
        """收费 (F5) for the one household selected in the list and shown in the pane — never another."""
        ids = self.selected_household_ids()
        h = self.view.household
        if len(ids) != 1 or h is None or h.id != ids[0]:
            why = ("列表中没有选中的户（查找结果为空或未选择），不能收费。" if not ids else
                   "列表中选中了多户，收费时请只选一户。" if len(ids) > 1 else "请先在列表中选中要收费的户。")
            self.statusBar().showMessage(why, 8000)
            return
        self.view._pay()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt name
        from PySide6.QtCore import QEvent

        if obj is self.search and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focus_list()
            return True
        return super().eventFilter(obj, event)

    def focus_list(self) -> None:
        """From the search box into the list, on the selected (else the first) row."""
        if self.model.rowCount() == 0:
            self.statusBar().showMessage("没有找到符合条件的户或人员。", 5000)
            return
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else 0
        self.table.setFocus()
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.selectRow(row)

    def go_to_household(self, household_id: int) -> None:
        """Show one household (from an unpaid list): the list is searched for its number with no other filter,
        its row selected and the pane opened on it."""
        h = self.ledger.households.get(household_id)
        for w in (self.pay_filter, self.category, self.search):
            w.blockSignals(True)
        self.pay_filter.setCurrentIndex(0)
        self.category.setCurrentIndex(0)
        self.search.setText(h.number)
        for w in (self.pay_filter, self.category, self.search):
            w.blockSignals(False)
        self._place = (None, None)
        self.tree.select_place(None, None)
        self.apply_filter()
        row = self.row_of_household(household_id)
        if row is not None:
            self.table.selectRow(row)
        self.raise_()
        self.activateWindow()

    def _count(self, model: LazySqlModel) -> None:
        """Total matches, counted on a worker thread; a stale count (filter changed since) is dropped."""
        gen = self._count_gen
        path = self.ledger.path
        f, count, noun = model.filter, model.count, model.noun

        def work(progress, cancelled):
            conn = queries.open_reader(path)
            try:
                return count(conn, f)
            finally:
                conn.close()

        middle_text, middle_ids, more = self._middle

        def done(n):
            if gen == self._count_gen:
                text = f"共 {n} {noun}" + ("（列表随滚动加载）" if n > model.rowCount() else "")
                if more and middle_text == f.text:
                    text += f"；号码中间含「{middle_text}」的先列出 {len(middle_ids)} 人，点「更多…」再列出"
                self.count_label.setText(text)

        run_task(self, "计数", work, done, on_error=lambda exc: None, show_progress=False)

    def _place_selected(self, vid, gid) -> None:
        self._place = (vid, gid)
        self.apply_filter()

    def _row_changed(self, current, _previous) -> None:
        hid = self.model.household_id(current.row())
        if hid is not None and (self.view.household is None or self.view.household.id != hid):
            self.view.show_household(hid, self.model.member_id(current.row()))

    def after_change(self, change=None) -> None:
        """Refresh what a write touched: the household pane, the visible rows and their count, the tree (rebuilt
        when an import or the settings added villages or groups) and its progress."""
        if self.view.household is not None:
            self.view.refresh()
        self.model.refresh()
        if self.model.canFetchMore() and self.model.rowCount() < 200:
            self.model.fetchMore()  # a list that was empty (before an import) or short (a member added)
        fresh = self.ledger.settings.get()
        if self._places(fresh) != self._places(self.settings) or getattr(change, "settings", False):
            self.settings = fresh
            vid, gid = self._place
            self.tree.rebuild()
            if vid is not None:
                self.tree.select_place(vid, gid)
        self.settings = fresh
        self.tree.refresh_progress()
        if self.view.household is None:
            self._follow_list()
        self._count_gen += 1
        self._count_timer.start()

    @staticmethod
    def _places(settings) -> list:
        return [(v.id, v.name, [(g.id, g.name) for g in v.groups]) for v in settings.villages]

    def selected_household_numbers(self) -> list[str]:
        return [self.ledger.households.get(h).number for h in self.selected_household_ids()]

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        for d in list(self._dialogs):
            d.done(0)  # closing the window closes its dialogs without asking each one
        super().closeEvent(event)
