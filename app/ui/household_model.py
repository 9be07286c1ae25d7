"""The household list: a table model over SQL that fetches lazily, page by page, as the view scrolls.

Two modes over one base (``LazySqlModel``): 按人 (``MemberListModel``), one row per member, grouped by household
(rows are ordered by member id, and members are created household by household); 按户 (``HouseholdListModel``),
one row per household with its head, counts and payment state. Filters and the search box become SQL
(``queries.where_clause`` / ``queries.household_where``); the model only ever holds the pages the user has
scrolled to. ``data()`` never raises: a bad row shows ``?`` and is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from ..ledger import sqlite_driver
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..domain.idnumber import mask_id_number, mask_phone
from ..domain.money import ZERO, fmt, from_fen
from ..ledger.member_year import household_state as _household_state
from ..ledger.member_year import pay_state as member_pay_state
from ..domain.vocabulary import HouseholdState, PayState
from . import queries
from .queries import MemberFilter
from .style import STATUS_COLOURS

log = logging.getLogger("canbao.ui")

PAGE = 200
COLUMNS = ("户编号", "姓名", "与户主关系", "身份证号", "性别", "出生日期", "村（社区）", "组", "类别", "参保状态", "缴费")
# the row column (queries.LIST_COLUMNS, by name) each displayed column shows
R_IDNO, R_BIRTH, R_PAID = "id_number", "birth_date", "paid_fen"
_DISPLAY = ("number", "name", "relation", R_IDNO, "sex", R_BIRTH, "village", "grp", "categories", "status", R_PAID)
OWED, OWED_HEADER = "owed", "应缴金额"  # computed: what the unpaid members owe on the window's payment date
MEMBER_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
HOUSEHOLD_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2
# Plain ints: data() is called thousands of times per repaint, and enum arithmetic is slow in Python.
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROLES = frozenset({DISPLAY, FOREGROUND, TOOLTIP, MEMBER_ID_ROLE, HOUSEHOLD_ID_ROLE})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_BRUSHES = {state: QBrush(QColor(colour)) for state, colour in STATUS_COLOURS.items()}


def pay_state(row) -> PayState:
    """The member's pay state (``member_year.pay_state``: the one rule)."""
    return member_pay_state(row["status"], row[R_PAID] is not None)


class LazySqlModel(QAbstractTableModel):
    """Lazy rows from ``page(conn, filter, after_key, limit)`` (keyset paging on the row's first value);
    ``set_filter`` resets and starts again from the first page. Subclasses give the columns and the cells."""

    columns: tuple[str, ...] = ()  # on screen now: the base columns, with 应缴金额 in the 未缴 list
    base_columns: tuple[str, ...] = ()
    base_display: tuple[str, ...] = ()  # the row column (or computed cell) each base column shows
    owed_at = 0  # where 应缴金额 goes in the 未缴 list
    noun = "行"
    key = "id"  # the row column keyset paging goes by

    @staticmethod
    def page(conn: sqlite_driver.Connection, f: MemberFilter, after: int, limit: int) -> list[sqlite_driver.Row]:
        raise NotImplementedError

    @staticmethod
    def count(conn: sqlite_driver.Connection, f: MemberFilter) -> int:
        raise NotImplementedError

    def __init__(self, conn: Callable[[], sqlite_driver.Connection], year: int, parent=None, mask_ids: bool = True):
        super().__init__(parent)
        self._conn = conn
        self._filter = MemberFilter(year=year)
        self._rows: list[tuple] = []
        self._exhausted = False
        self.mask_ids = mask_ids
        self.last_error: str = ""
        self._in_reset = False
        # the members' standings (member_year) of some households, for 应缴金额: set by the window
        self.standings_source: Callable[[list[int]], list] | None = None
        self._owed: dict[int, tuple] = {}
        self._set_columns()

    def _set_columns(self) -> None:
        """The 未缴 list (pay filter ``unpaid``) shows what is owed, right after the state (or the name)."""
        cols, disp = self.base_columns, self.base_display
        if self._filter.pay == "unpaid" and self.standings_source is not None:
            at = self.owed_at
            cols, disp = cols[:at] + (OWED_HEADER,) + cols[at:], disp[:at] + (OWED,) + disp[at:]
        self.columns, self._display_cols = cols, disp

    @property
    def shows_owed(self) -> bool:
        return OWED in self._display_cols

    def _load_owed(self, rows) -> None:
        """What the members of ``rows`` owe (one read of the read model for the page's households)."""
        if not self.shows_owed or not rows:
            return
        hids = list(dict.fromkeys(r["household_id" if "household_id" in r.keys() else "id"] for r in rows))
        try:
            standings = self.standings_source(hids)
        except Exception as exc:  # noqa: BLE001 - the list still shows; the amount says ?
            log.error("%s owed: %s", type(self).__name__, exc)
            return
        self._owed.update(self._owed_cells(standings))

    def _owed_cells(self, standings) -> dict[int, tuple]:
        raise NotImplementedError

    # -- filter
    @property
    def filter(self) -> MemberFilter:
        return self._filter

    def set_filter(self, f: MemberFilter) -> None:
        self.beginResetModel()
        self._filter = f
        self._set_columns()
        self._rows = []
        self._owed = {}
        self._exhausted = False
        # Listeners of modelReset may call fetchMore before every listener has seen the reset (Qt's model
        # tester does); inserting rows then would nest a change inside the reset, so fetching waits.
        self._in_reset = True
        try:
            self.endResetModel()
        finally:
            self._in_reset = False

    def refresh(self, member_ids: set[int] | None = None) -> None:
        """Re-read loaded rows (after a payment or an edit) without losing the scroll position."""
        if not self._rows:
            self.set_filter(self._filter)
            return
        try:
            last = self._rows[-1][self.key]
            extra = 1 if self._exhausted else 0  # rows added after the last page (a new member) are fetched
            fresh = self.page(self._conn(), self._filter, 0, len(self._rows) + extra)
            if extra and len(fresh) > len(self._rows):
                self._exhausted = False
                fresh = fresh[:len(self._rows)]
        except sqlite_driver.Error as exc:
            self._fail(exc)
            return
        if len(fresh) != len(self._rows) or (fresh and fresh[-1][self.key] != last):
            self.set_filter(self._filter)
            return
        self._rows = fresh
        self._owed = {}
        self._load_owed(fresh)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))

    # -- lazy loading
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or self._in_reset:
            return
        after = self._rows[-1][self.key] if self._rows else 0
        try:
            page = self.page(self._conn(), self._filter, after, PAGE)
        except sqlite_driver.Error as exc:
            self._fail(exc)
            return
        if len(page) < PAGE:
            self._exhausted = True
        if not page:
            return
        start = len(self._rows)
        self._load_owed(page)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def fetch_all_loaded(self) -> bool:
        return self._exhausted

    def _fail(self, exc: Exception) -> None:
        self._exhausted = True
        self.last_error = f"读取台账失败：{exc}"
        log.error("%s list query failed: %s", type(self).__name__, exc)

    # -- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if 0 <= section < len(self.columns) else None
        return str(section + 1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if role not in _ROLES:
            return None
        try:
            return self._data(index, role)
        except Exception as exc:  # noqa: BLE001 - data() must never raise into Qt
            log.error("%s data(%s, %s): %s", type(self).__name__, index.row(), index.column(), exc)
            return "?" if role == DISPLAY else None

    def _data(self, index, role: int) -> Any:
        raise NotImplementedError

    # -- helpers for the window
    def member_id(self, row: int) -> int | None:
        return None

    def household_id(self, row: int) -> int | None:
        return None

    def loaded_rows(self) -> int:
        return len(self._rows)


class MemberListModel(LazySqlModel):
    """按人: one row per member (``queries.member_page``)."""

    base_columns = COLUMNS
    base_display = _DISPLAY
    owed_at = 2  # after 姓名
    noun = "人"
    page = staticmethod(queries.member_page)
    count = staticmethod(queries.member_count)

    def _owed_cells(self, standings) -> dict[int, tuple]:
        return {s.member_id: (s.due, s.why or s.due_note) for s in standings if s.state is PayState.UNPAID}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if role == ALIGNMENT:
            c = index.column()
            return _RIGHT if 0 <= c < len(self._display_cols) and self._display_cols[c] == OWED else None
        return super().data(index, role)

    def _data(self, index, role: int) -> Any:
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows)) or not (0 <= c < len(self._display_cols)):
            return None
        row = self._rows[r]
        col = self._display_cols[c]
        if col == OWED:
            return _owed_cell(self._owed.get(row["id"]), role)
        if role == DISPLAY:
            return self._display(row, col)
        if role == MEMBER_ID_ROLE:
            return row["id"]
        if role == HOUSEHOLD_ID_ROLE:
            return row["household_id"]
        if role == FOREGROUND and col == R_PAID:
            return _BRUSHES[pay_state(row)]
        if role == TOOLTIP and col == R_IDNO and row[R_IDNO] and not self.mask_ids:
            return row[R_IDNO]
        return None

    def _display(self, row, col: str) -> str:
        v = row[col]
        if col == R_IDNO:
            return (mask_id_number(v) if self.mask_ids else v) if v else "（无证件）"
        if col == R_PAID:
            state = pay_state(row)
            return f"{state.label} {fmt(from_fen(int(v)))}" if state is PayState.PAID else state.label
        if col == R_BIRTH:
            return str(dt.date.fromisoformat(v)) if v else ""
        return "" if v is None else str(v)

    def member_id(self, row: int) -> int | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def household_id(self, row: int) -> int | None:
        return self._rows[row]["household_id"] if 0 <= row < len(self._rows) else None


# 缴费状态 comes early: it is what a grid worker looks for, and it stays in sight in a narrow list
HOUSEHOLD_COLUMNS = ("户编号", "户主", "缴费状态", "村（社区）", "组", "人数", "应参保人数", "已缴人数", "未缴人数",
                     "住址", "电话")
# the row column (queries.HOUSEHOLD_COLUMNS, by name) each displayed column shows; two are computed
H_PEOPLE, H_REQUIRED, H_PAID = "people", "required", "paid"
H_UNPAID, H_STATE = "unpaid", "state"  # computed cells
_H_DISPLAY = ("number", "head", H_STATE, "village", "grp", H_PEOPLE, H_REQUIRED, H_PAID, H_UNPAID, "address",
              "phone")
_H_BRUSH = {HouseholdState.PAID: PayState.PAID, HouseholdState.PARTLY: PayState.UNPAID,
            HouseholdState.UNPAID: PayState.UNPAID, HouseholdState.NOT_REQUIRED: PayState.NOT_REQUIRED}
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)


def _owed_cell(owed: tuple | None, role: int, household: bool = False) -> Any:
    """应缴金额: the amount (yuan); ``—`` when nothing can be asked (why in the tooltip); ``*`` when some
    members of a household have no amount."""
    if owed is None:
        return None
    amount, why = owed
    if role == DISPLAY:
        if amount is None or (household and not amount and why):
            return "—"
        return fmt(amount) + ("*" if household and why else "")
    if role == TOOLTIP and why:
        return ("无应缴金额：" if household else "") + why
    return None


def household_state(row) -> HouseholdState:
    """已缴清 / 部分已缴 / 未缴 / 无需缴费 (``member_year.household_state``)."""
    return _household_state(int(row[H_REQUIRED]), int(row[H_PAID]))


class HouseholdListModel(LazySqlModel):
    """按户: one row per household (``queries.household_page``)."""

    base_columns = HOUSEHOLD_COLUMNS
    base_display = _H_DISPLAY
    owed_at = 3  # after 缴费状态
    noun = "户"
    page = staticmethod(queries.household_page)
    count = staticmethod(queries.household_count)

    def _owed_cells(self, standings) -> dict[int, tuple]:
        """Per household, as the household pane sums it (``household_view.summary_text``): the unpaid members'
        amounts, and who among them has none (and why)."""
        out: dict[int, tuple] = {}
        for s in standings:
            if s.state is not PayState.UNPAID:
                continue
            total, why = out.get(s.household_id, (ZERO, ""))
            if s.due is None:
                why = "；".join(filter(None, (why, s.why or s.due_note or "无法报价")))
            else:
                total += s.due
            out[s.household_id] = (total, why)
        return out

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if role == ALIGNMENT:
            c = index.column()
            return _RIGHT if 0 <= c < len(self._display_cols) and self._display_cols[c] in (
                H_PEOPLE, H_REQUIRED, H_PAID, H_UNPAID, OWED) else None
        return super().data(index, role)

    def _data(self, index, role: int) -> Any:
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows)) or not (0 <= c < len(self._display_cols)):
            return None
        row = self._rows[r]
        col = self._display_cols[c]
        if col == OWED:
            return _owed_cell(self._owed.get(row["id"]), role, household=True)
        if role == DISPLAY:
            if col == H_UNPAID:
                return str(int(row[H_REQUIRED]) - int(row[H_PAID]))
            if col == H_STATE:
                return household_state(row).label
            if col == "phone":  # masked on screen (app.domain.idnumber); the household form shows it whole
                return mask_phone(row[col] or "")
            v = row[col]
            return "" if v is None else str(v)
        if role == HOUSEHOLD_ID_ROLE:
            return row["id"]
        if role == FOREGROUND and col == H_STATE:
            return _BRUSHES[_H_BRUSH[household_state(row)]]
        return None

    def household_id(self, row: int) -> int | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None
