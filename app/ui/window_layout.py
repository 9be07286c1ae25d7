"""The main window's layout: a size that fits the screen (1366×768 in both font sizes), panes shared once
shown, column widths from their headers and typical cells, and the mode, panes and column widths
remembered per font size (in the per-computer ini, ``Preferences``); the large-font switch resizes rows
and columns both ways."""

from __future__ import annotations

from ..domain.vocabulary import HouseholdState, Status


class WindowLayout:
    """Mixed into ``MainWindow`` (uses its ``table``, ``model``, ``split``, ``prefs``, ``mode``)."""

    # what a typical cell holds, per column (the header's own width counts too)
    _COLUMN_SAMPLES = {"户编号": "0000000", "户主": "欧阳某某", "姓名": "欧阳某某", "缴费状态": HouseholdState.PARTLY.label,
                       "组": "十二组", "村（社区）": "某某某村", "住址": "某某村某组100号", "电话": "13800000000",
                       "身份证号": "2201**********6151", "出生日期": "2000-01-01", "类别": "低保对象",
                       "参保状态": max(Status, key=len).label, "缴费": "已缴 1,410.00", "应缴金额": "12,345.00*"}

    # -- layout: fits 1366×768 in both font sizes; mode, panes and column widths remembered per font size
    def _fit_screen(self) -> None:
        """A size that fits the screen (1366×768 laptops too), panes shared so the list's main columns and the
        household's table show."""
        em = self.fontMetrics().horizontalAdvance("汉")
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width = min(106 * em, 1600, screen.width() if screen else 1366)
        height = min(900, screen.height() if screen else 768)
        self.resize(width, height)
        self._pane_sizes = True  # set when shown, once the window has its width

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if getattr(self, "_pane_sizes", False):
            self._pane_sizes = False
            if self._recall(f"splitter_{self._font_key()}") is None:
                self._share_panes()

    def _share_panes(self) -> None:
        em = self.fontMetrics().horizontalAdvance("汉")
        width = self.split.width()
        tree = 8 * em
        centre = max(20 * em, (width - tree) * 2 // 5)
        self.split.setSizes([tree, centre, max(width - tree - centre, 20 * em)])

    def _settings(self):
        if self.prefs is None or not getattr(self.prefs, "path", None):
            return None
        from PySide6.QtCore import QSettings

        return QSettings(str(self.prefs.path), QSettings.Format.IniFormat)

    def _font_key(self) -> str:
        from .style import is_large

        return "large" if is_large() else "normal"

    def _remember(self, key: str, value) -> None:
        st = self._settings()
        if st is not None and not getattr(self, "_restoring", False):
            st.setValue(f"window/{key}", value)

    def _recall(self, key: str):
        st = self._settings()
        return st.value(f"window/{key}") if st is not None else None

    def _restore_layout(self) -> None:
        self._restoring = True
        try:
            state = self._recall(f"splitter_{self._font_key()}")
            if state is not None:
                self.split.restoreState(state)
            mode = self._recall("mode")
            if mode in ("households", "members") and mode != self.mode:
                self.set_mode(mode)
            self._restore_columns()
        finally:
            self._restoring = False
        self.split.splitterMoved.connect(lambda *_: self._remember(f"splitter_{self._font_key()}",
                                                                    self.split.saveState()))

    def _restore_columns(self) -> None:
        widths = self._recall(self._columns_key())
        if isinstance(widths, str):
            widths = widths.split(",")
        if not widths:
            return
        self._restoring = True
        try:
            for i, w in enumerate(widths[:len(self.model.columns)]):
                try:
                    if int(w) > 0:
                        self.table.setColumnWidth(i, int(w))
                except (TypeError, ValueError):
                    continue
        finally:
            self._restoring = False

    def _column_resized(self, _index: int, _old: int, _new: int) -> None:
        if getattr(self, "_restoring", False) or getattr(self, "_sizing", False):
            return
        widths = ",".join(str(self.table.columnWidth(i)) for i in range(len(self.model.columns)))
        self._remember(self._columns_key(), widths)

    def _columns_key(self) -> str:
        """Column widths are remembered per mode, per font size, and apart for the 未缴 list (one more column)."""
        owed = "_owed" if getattr(self.model, "shows_owed", False) else ""
        return f"columns_{self.mode}{owed}_{self._font_key()}"

    # Font events arrive in no fixed order: the window's ApplicationFontChange, then each header's own FontChange
    # and the style sheet's re-polish (posted), which reset a header's section sizes from its new font. So the
    # rows and columns follow the font at once (the next paint is right) and again once those events have all
    # been delivered: every such event on the window or a header restarts one zero-delay timer, and the last
    # word is always ours.
    from PySide6.QtCore import QEvent as _E

    _FONT_EVENTS = frozenset({_E.Type.FontChange, _E.Type.ApplicationFontChange, _E.Type.StyleChange,
                              _E.Type.Polish, _E.Type.PolishRequest})
    del _E

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt name
        """The large-font switch: rows and columns follow the new font both ways (no cut columns, no tall rows)."""
        if event.type() in self._FONT_EVENTS:
            self._follow_font()
            self._follow_font_later()
        super().changeEvent(event)

    def _follow_font_later(self) -> None:
        from PySide6.QtCore import QTimer

        timer = getattr(self, "_font_timer", None)
        if timer is None:
            timer = self._font_timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(0)
            timer.timeout.connect(self._follow_font)
            for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
                header.installEventFilter(self)
        timer.start()

    def _watch_headers(self) -> None:
        """Font and style events on the list's headers re-run ``_follow_font`` once they settle."""
        self._follow_font_later()
        self._font_timer.stop()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt name
        timer = getattr(self, "_font_timer", None)
        if timer is not None and event.type() in self._FONT_EVENTS and obj in (
                self.table.horizontalHeader(), self.table.verticalHeader()):
            timer.start()
        return super().eventFilter(obj, event)

    def _metrics(self):
        """The application's current font (set at once by the large-font switch; widgets follow later)."""
        from PySide6.QtGui import QFontMetrics
        from PySide6.QtWidgets import QApplication

        return QFontMetrics(QApplication.font(self.table))

    def _follow_font(self) -> None:
        self.table.verticalHeader().setDefaultSectionSize(self._metrics().height() + 8)
        self._size_columns()
        self._restore_columns()

    def _size_columns(self) -> None:
        """Each column wide enough for its header and a typical cell: counts stay narrow, the 按户 status and
        the 按人 masked ID number show whole."""
        fm = self._metrics()
        pad = 3 * fm.horizontalAdvance("0")
        self._sizing = True
        try:
            for i, name in enumerate(self.model.columns):
                sample = self._COLUMN_SAMPLES.get(name, "")
                self.table.setColumnWidth(i, max(fm.horizontalAdvance(name), fm.horizontalAdvance(sample)) + pad)
        finally:
            self._sizing = False
