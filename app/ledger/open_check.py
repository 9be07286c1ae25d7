"""The open-check: the whole-file ``PRAGMA quick_check`` of a ledger the window has just opened, run beside the
window instead of before it (``open_ledger(check_later=True)``); ``Ledger.transaction`` refuses writes until it
has passed (``db.LedgerChecking``)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..domain.problems import Problem
from . import sqlite_driver


class OpenCheck:
    """The whole-file ``PRAGMA quick_check`` of a ledger just opened, on a worker thread with its own read-only
    connection, so that the window shows the household list at once (reads are safe: SQLite reports a damaged
    page it touches). Until it has passed, ``Ledger.transaction`` refuses every write (``LedgerChecking``);
    damage found is marked beside the file (``health.write_mark``) and the ledger takes no write again
    (``LedgerDamaged``). ``when_done(fn)`` calls ``fn(damage)`` — on the check's thread — once it is over."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.damage: list[Problem] | None = None  # None while pending (or when closed before it finished)
        self._done = threading.Event()
        self._guard = threading.Lock()
        self._listeners: list = []
        self._conn = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="canbao-open-check", daemon=True)

    def start(self) -> "OpenCheck":
        self._thread.start()
        return self

    @property
    def pending(self) -> bool:
        return not self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the check is over (passed, failed or stopped)."""
        return self._done.wait(timeout)

    def when_done(self, fn) -> None:
        with self._guard:
            if not self._done.is_set():
                self._listeners.append(fn)
                return
        fn(self.damage)

    def stop(self) -> None:
        """The ledger is closing: interrupt the check (its result is then neither used nor marked) and wait."""
        self._stopped = True
        conn = self._conn
        if conn is not None:
            try:
                conn.interrupt()
            except sqlite_driver.Error:
                pass
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _hold(self, conn) -> None:
        self._conn = conn
        if self._stopped:  # closed before the check began (an interrupt reaches only a running statement)
            raise sqlite_driver.OperationalError("interrupted")

    def _run(self) -> None:
        from . import health

        _yield_to_the_window()
        try:
            found = health.quick_problems(self.path, on_connect=self._hold)
        except Exception as exc:  # noqa: BLE001 - not known sound: no write (not marked: maybe not damage)
            found = [Problem(str(self.path), f"无法检查台账文件（{exc}），本次只能查看")]
        else:
            if found and not self._stopped:
                health.write_mark(self.path, found)
        self._conn = None
        with self._guard:
            self.damage = None if self._stopped else found
            self._done.set()
            listeners, self._listeners = self._listeners, []
        for fn in listeners:
            try:
                fn(self.damage)
            except Exception:  # noqa: BLE001 - a listener's failure must not hide the result
                pass


def _yield_to_the_window() -> None:
    """The check thread runs a little below the window (nice 4, where the OS sets one thread's: Linux): on a busy
    machine the list comes first, the check somewhat later — writes wait for it either way. Measured at 500,000
    people with 2 busy processes on 2 cores: nice 0 — usable 1.6–1.7 s, writes 2.2 s; nice 4 — 1.35–1.75 s,
    3.4–3.6 s; nice 10 — 1.4 s, 7.5 s (bench/scale_bench.py --only window)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 4)
    except (AttributeError, OSError):
        pass
