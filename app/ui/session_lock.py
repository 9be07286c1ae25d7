"""Lock the window when the computer's session locks (Win+L, the screen saver, a remote session
disconnected) — issue 14: "the window locks ... on Win+L-like requests".

* Windows: the window registers for session notifications (``WTSRegisterSessionNotification``) and a
  ``QAbstractNativeEventFilter`` watches for ``WM_WTSSESSION_CHANGE`` with ``WTS_SESSION_LOCK``,
  ``WTS_CONSOLE_DISCONNECT`` or ``WTS_REMOTE_DISCONNECT``. The message handling (``handles_message``) is pure
  and unit-tested with a fabricated ``MSG``; the registration itself only runs on Windows.
* Linux desktops: the freedesktop / GNOME screen saver's ``ActiveChanged(true)`` on the session D-Bus, where
  QtDBus and a session bus are available (not in the Windows bundle, which leaves QtDBus out).
* Everywhere: the application being suspended (``Qt.ApplicationState.ApplicationSuspended``).
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Callable

from PySide6.QtCore import SLOT, QAbstractNativeEventFilter, QObject, Qt, Slot
from PySide6.QtGui import QGuiApplication

log = logging.getLogger("canbao.ui")

WM_WTSSESSION_CHANGE = 0x02B1
WTS_CONSOLE_DISCONNECT = 0x2
WTS_REMOTE_DISCONNECT = 0x4
WTS_SESSION_LOCK = 0x7
LOCKING_REASONS = {WTS_SESSION_LOCK, WTS_CONSOLE_DISCONNECT, WTS_REMOTE_DISCONNECT}
NOTIFY_FOR_THIS_SESSION = 0
WINDOWS_MSG_TYPES = {b"windows_generic_MSG", b"windows_dispatcher_MSG"}


class MSG(ctypes.Structure):
    """Win32 ``MSG`` (wintypes spelled out so the layout is the same when fabricated on Linux)."""

    _fields_ = [("hwnd", ctypes.c_void_p), ("message", ctypes.c_uint), ("wParam", ctypes.c_size_t),
                ("lParam", ctypes.c_ssize_t), ("time", ctypes.c_ulong), ("pt_x", ctypes.c_long),
                ("pt_y", ctypes.c_long)]


def handles_message(event_type, address: int) -> bool:
    """Does this native event say the Windows session is locking (or its console went away)?"""
    if bytes(event_type) not in WINDOWS_MSG_TYPES or not address:
        return False
    msg = MSG.from_address(int(address))
    return msg.message == WM_WTSSESSION_CHANGE and msg.wParam in LOCKING_REASONS


class SessionLockFilter(QAbstractNativeEventFilter):
    def __init__(self, on_lock: Callable[[], None]):
        super().__init__()
        self.on_lock = on_lock

    def nativeEventFilter(self, eventType, message):  # noqa: N802 - Qt's name
        try:
            if handles_message(eventType, message):
                self.on_lock()
        except Exception:  # noqa: BLE001 - a filter must never take the event loop down
            log.exception("session lock message")
        return False, 0


class SessionLockWatcher(QObject):
    """Calls ``on_lock`` when the session locks; lives as long as ``window``."""

    def __init__(self, window, on_lock: Callable[[], None]):
        super().__init__(window)
        self.window, self.on_lock = window, on_lock
        self.filter: SessionLockFilter | None = None
        self.dbus_connected: list[str] = []
        app = QGuiApplication.instance()
        app.applicationStateChanged.connect(self._state_changed)
        if sys.platform == "win32":  # pragma: no cover - needs Windows
            self._watch_windows(app)
        else:
            self._watch_dbus()
        window.destroyed.connect(self._stop)

    def _state_changed(self, state) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.on_lock()

    def _watch_windows(self, app) -> None:  # pragma: no cover - needs Windows
        self.filter = SessionLockFilter(self.on_lock)
        app.installNativeEventFilter(self.filter)
        try:
            hwnd = int(self.window.winId())
            ok = ctypes.windll.wtsapi32.WTSRegisterSessionNotification(ctypes.c_void_p(hwnd), NOTIFY_FOR_THIS_SESSION)
            if not ok:
                log.warning("WTSRegisterSessionNotification failed: %s", ctypes.GetLastError())
            self._hwnd = hwnd
        except (OSError, AttributeError):
            log.warning("no session notifications on this Windows")

    def _watch_dbus(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return
        for service, path, iface in (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                      "org.freedesktop.ScreenSaver"),
                                     ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver")):
            if bus.connect(service, path, iface, "ActiveChanged", self, SLOT("_screensaver(bool)")):
                self.dbus_connected.append(service)

    @Slot(bool)
    def _screensaver(self, active: bool) -> None:
        if active:
            self.on_lock()

    def _stop(self, *_) -> None:
        app = QGuiApplication.instance()
        if self.filter is not None and app is not None:  # pragma: no cover - needs Windows
            app.removeNativeEventFilter(self.filter)
            try:
                ctypes.windll.wtsapi32.WTSUnRegisterSessionNotification(ctypes.c_void_p(self._hwnd))
            except (OSError, AttributeError):
                pass
            self.filter = None


def watch_session_lock(window, on_lock: Callable[[], None]) -> SessionLockWatcher:
    window.session_lock = SessionLockWatcher(window, on_lock)
    return window.session_lock
