"""The window locks when the session locks (issue 14, "Win+L-like requests"). The Windows path
(WTSRegisterSessionNotification + WM_WTSSESSION_CHANGE through a QAbstractNativeEventFilter) cannot run on
this Linux machine: its message handling is tested here with a fabricated Win32 MSG; the registration call
itself is untested. The application-suspended path is driven for real."""

from __future__ import annotations

import ctypes
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.ui import session_lock as sl  # noqa: E402


def _msg(message: int, wparam: int) -> sl.MSG:
    return sl.MSG(hwnd=None, message=message, wParam=wparam, lParam=0, time=0, pt_x=0, pt_y=0)


@pytest.mark.parametrize("wparam, locks", [(sl.WTS_SESSION_LOCK, True), (sl.WTS_CONSOLE_DISCONNECT, True),
                                           (sl.WTS_REMOTE_DISCONNECT, True), (0x8, False),  # WTS_SESSION_UNLOCK
                                           (0x5, False)])  # WTS_SESSION_LOGON
def test_session_change_messages(wparam, locks):
    m = _msg(sl.WM_WTSSESSION_CHANGE, wparam)
    assert sl.handles_message(b"windows_generic_MSG", ctypes.addressof(m)) is locks


def test_other_messages_and_other_platforms_event_types_are_ignored():
    m = _msg(0x0100, sl.WTS_SESSION_LOCK)  # WM_KEYDOWN with the same wParam
    assert not sl.handles_message(b"windows_generic_MSG", ctypes.addressof(m))
    m = _msg(sl.WM_WTSSESSION_CHANGE, sl.WTS_SESSION_LOCK)
    assert not sl.handles_message(b"xcb_generic_event_t", ctypes.addressof(m))
    assert not sl.handles_message(b"windows_generic_MSG", 0)


def test_the_native_filter_calls_the_lock_and_never_eats_the_event():
    calls = []
    f = sl.SessionLockFilter(lambda: calls.append(1))
    m = _msg(sl.WM_WTSSESSION_CHANGE, sl.WTS_SESSION_LOCK)
    assert f.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(m)) == (False, 0)
    assert calls == [1]
    boom = sl.SessionLockFilter(lambda: 1 / 0)  # a failing lock is logged, the event loop goes on
    assert boom.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(m)) == (False, 0)


def test_a_suspended_application_locks_the_window(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMainWindow

    w = QMainWindow()
    qtbot.addWidget(w)
    calls = []
    watcher = sl.watch_session_lock(w, lambda: calls.append(1))
    watcher._state_changed(Qt.ApplicationState.ApplicationInactive)  # switching windows: no lock
    assert calls == []
    watcher._state_changed(Qt.ApplicationState.ApplicationSuspended)
    watcher._screensaver(True)  # the freedesktop / GNOME screen saver's ActiveChanged(true)
    watcher._screensaver(False)
    assert calls == [1, 1]


def test_the_idle_lock_is_wired_to_the_session_lock(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMainWindow

    from app.ledger import open_ledger
    from app.ui.login import install_idle_lock
    from operators_helper import log_in

    with open_ledger(tmp_path / "l.db", create=True, backup=False) as lg:
        log_in(lg, "王会计")
        w = QMainWindow()
        qtbot.addWidget(w)
        w.show()
        lock = install_idle_lock(w, lg, type("P", (), {"idle_lock_minutes": 0})())
        w.session_lock._state_changed(Qt.ApplicationState.ApplicationSuspended)
        assert lock.locked and not w.isVisible()
        lock.dialog.pin.setText("2468")
        assert lock.dialog.unlock()
