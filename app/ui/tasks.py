"""Long tasks off the GUI thread: a worker thread, a progress dialog with 取消, and readable Chinese errors.

A task is a plain function ``fn(progress, cancelled)``: it calls ``progress(done, total)`` as it goes and
checks ``cancelled()`` (or lets ``progress`` raise ``Cancelled``). Its return value goes to ``on_done`` on
the GUI thread; any exception becomes a Chinese message box (never a traceback) and is logged.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from ..domain.problems import Cancelled as DomainCancelled

log = logging.getLogger("canbao.ui")


# The user pressed 取消: the one class every service's cancel derives from (paper, exchange, demo …).
Cancelled = DomainCancelled


def error_text(exc: BaseException) -> str:
    """A readable Chinese message for any error: problems listed one per line, never a traceback."""
    from ..domain.problems import ProblemsError

    if isinstance(exc, Cancelled):
        return "已取消。"
    if isinstance(exc, ProblemsError):
        lines = [str(p) for p in exc.problems[:30]]
        more = len(exc.problems) - len(lines)
        return "\n".join(lines) + (f"\n……另有 {more} 个问题" if more > 0 else "")
    if isinstance(exc, MemoryError):
        return "内存不足，请关闭其他程序后重试。"
    if isinstance(exc, PermissionError):
        return f"没有权限访问文件：{getattr(exc, 'filename', '') or exc}（文件可能正被其他程序打开）"
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件：{getattr(exc, 'filename', '') or exc}"
    if isinstance(exc, OSError):
        return f"读写文件失败：{getattr(exc, 'filename', '') or ''}（{exc.strerror or exc}）"
    from ..ledger import sqlite_driver

    if isinstance(exc, sqlite_driver.Error):
        return f"台账数据库出错：{exc}。数据没有被改动，请重试；如反复出现，请联系技术人员。"
    text = str(exc).strip()
    return f"操作未能完成：{text}" if text else f"操作未能完成（{type(exc).__name__}）。"


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> None:
    """A Chinese message box; the technical details go to the log only."""
    if isinstance(exc, BaseException) and not isinstance(exc, Cancelled):
        log.error("%s: %s", title, "".join(traceback.format_exception(exc)))
    text = exc if isinstance(exc, str) else error_text(exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[..., Any]):
        super().__init__()
        self._fn = fn
        self.cancel_requested = False

    def cancelled(self) -> bool:
        return self.cancel_requested

    def progress(self, done: int, total: int) -> None:
        if self.cancel_requested:
            raise Cancelled()
        self.progressed.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self._fn(self.progress, self.cancelled)
        except BaseException as exc:  # noqa: BLE001 - every error becomes a message
            self.failed.emit(exc)
        else:
            if self.cancel_requested:
                self.failed.emit(Cancelled())
            else:
                self.finished.emit(result)
        finally:
            QThread.currentThread().quit()  # the thread ends with its work; results are already queued



def progress_dialog(title: str, parent, min_duration_ms: int, on_cancel) -> QProgressDialog:
    """The one progress window long work shows (worker threads and the print process): modal to its window,
    with 取消, shown only if the work takes longer than ``min_duration_ms``."""
    d = QProgressDialog(title + "……", "取消", 0, 0, parent)
    d.setObjectName("taskProgress")
    d.setWindowTitle(title)
    d.setWindowModality(Qt.WindowModality.WindowModal)
    d.setMinimumDuration(min_duration_ms)
    d.setAutoClose(False)
    d.setAutoReset(False)
    d.canceled.connect(on_cancel)
    d.setMinimumWidth(d.fontMetrics().horizontalAdvance("汉") * 26)
    return d

class Task(QObject):
    """One running task. Keep a reference until ``done`` fires (``run_task`` does this for you)."""

    done = Signal()

    def __init__(self, parent: QWidget | None, title: str, fn: Callable[..., Any],
                 on_done: Callable[[Any], None] | None = None, on_error: Callable[[BaseException], None] | None = None,
                 show_progress: bool = True, min_duration_ms: int = 400):
        super().__init__(parent)
        self.title = title
        self.result: Any = None
        self.error: BaseException | None = None
        self._on_done = on_done
        self._on_error = on_error
        self._parent = parent
        self.thread = QThread()
        self.worker = _Worker(fn)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.dialog: QProgressDialog | None = None
        if show_progress:
            self.dialog = progress_dialog(title, parent, min_duration_ms, self.cancel)

    def start(self) -> "Task":
        self.thread.start()
        return self

    def cancel(self) -> None:
        self.worker.cancel_requested = True
        if self.dialog is not None:
            self.dialog.setLabelText("正在取消……")

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def _progress(self, done: int, total: int) -> None:
        if self.dialog is not None and not self.worker.cancel_requested:
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(min(done, total) if total > 0 else 0)
            if total > 0 and self.dialog is not None:  # a modal setValue runs the event loop: the task may be over
                self.dialog.setLabelText(f"{self.title}……{done}/{total}")

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.thread.quit()
        self.thread.wait()

    def _finished(self, result: Any) -> None:
        self._close()
        self.result = result
        try:
            if self._on_done is not None:
                self._on_done(result)
        except Exception as exc:  # noqa: BLE001 - a failing callback is still a message, not a crash
            show_error(self._parent, self.title, exc)
        finally:
            self.done.emit()

    def _failed(self, exc: BaseException) -> None:
        self._close()
        self.error = exc
        try:
            if self._on_error is not None:
                self._on_error(exc)
            elif not isinstance(exc, Cancelled):
                show_error(self._parent, f"{self.title}失败", exc)
        finally:
            self.done.emit()


_RUNNING: set[Task] = set()


def run_task(parent: QWidget | None, title: str, fn: Callable[..., Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None, show_progress: bool = True) -> Task:
    """Start ``fn(progress, cancelled)`` on a worker thread; returns the running ``Task``."""
    task = Task(parent, title, fn, on_done, on_error, show_progress)
    _RUNNING.add(task)
    task.done.connect(lambda: _RUNNING.discard(task))
    return task.start()


def running_tasks() -> list[Task]:
    return list(_RUNNING)


def wait_for_tasks(timeout_ms: int = 60000) -> None:
    """Before a connection closes or the program exits: ask every task to stop and wait for its thread."""
    for task in list(_RUNNING):
        task.cancel()
        task.thread.wait(timeout_ms)
