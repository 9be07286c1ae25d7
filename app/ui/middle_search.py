"""A number typed in the search box, found in the middle of ID numbers and phones too — without stalling typing.

Typed digit by digit, a short number is in the middle of most of the ledger's numbers (the township's area
code, a birth year), so the middle is searched only:

- from ``MIN_DIGITS`` digits on, once typing has paused for ``DEBOUNCE_MS``;
- on a worker thread with its own read-only connection, the newest text winning: an older search still
  running is interrupted (``sqlite3.Connection.interrupt``) and its result dropped;
- capped at ``CAP`` members (and ``BUDGET_S`` seconds): ``found`` says whether there are more, and
  ``more()`` fetches the next ones after the last id.

The prefix matches (ID number from 10 digits, last digits, phone, 户编号) are shown at once by the list
itself; these ids are added to them (``queries.MemberFilter.middle_ids``).
"""

from __future__ import annotations

import re
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from .tasks import run_task

MIN_DIGITS = 4
DEBOUNCE_MS = 300
CAP = 200
BUDGET_S = 1.5
_NUMBER = re.compile(r"^[0-9]+[0-9Xx]?$")


def wants_middle(text: str) -> bool:
    t = re.sub(r"\s+", "", text or "")
    return bool(_NUMBER.match(t)) and len(t) >= MIN_DIGITS


class MiddleSearch(QObject):
    """``schedule(text)`` on every change of the search text; ``found(text, ids, more)`` for the newest one."""

    found = Signal(str, list, bool)
    started = Signal(str)

    def __init__(self, ledger_path: Callable[[], object], parent=None):
        super().__init__(parent)
        self._path = ledger_path
        self._text = ""
        self._gen = 0
        self._conns: dict[int, object] = {}  # generation -> the worker's connection, to interrupt it
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(lambda: self._start(self._text, 0))
        self.running = 0

    def schedule(self, text: str) -> None:
        """A new search text: anything older is dropped; a number of ``MIN_DIGITS`` or more is searched in
        the middle once typing pauses."""
        self._text = text
        self._gen += 1
        self._interrupt()
        if wants_middle(text):
            self._timer.start()
        else:
            self._timer.stop()

    def more(self, text: str, after: int) -> None:
        """The next ``CAP`` members after member id ``after`` (the 更多… button)."""
        if text == self._text:
            self._start(text, after)

    def _interrupt(self) -> None:
        for conn in list(self._conns.values()):
            try:
                conn.interrupt()
            except Exception:  # noqa: BLE001 - closed meanwhile: nothing to stop
                pass

    def _start(self, text: str, after: int) -> None:
        from . import queries

        gen = self._gen
        path = self._path()
        conns = self._conns
        self.started.emit(text)

        def work(progress, cancelled):
            from ..ledger.search import middle_number_ids

            conn = queries.open_reader(path)
            conns[gen] = conn
            try:
                if gen != self._gen:
                    return None
                return middle_number_ids(conn, text, after=after, limit=CAP, budget_s=BUDGET_S)
            finally:
                conns.pop(gen, None)
                conn.close()

        def done(result) -> None:
            self.running -= 1
            if result is None or gen != self._gen or text != self._text:
                return  # a newer text was typed meanwhile
            ids, more = result
            self.found.emit(text, ids, more)

        def failed(exc) -> None:
            self.running -= 1  # interrupted by a newer search, or the ledger closed: nothing to show

        self.running += 1
        run_task(self.parent(), "查找号码", work, done, on_error=failed, show_progress=False)
