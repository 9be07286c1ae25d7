"""Building and printing PDFs in a child process, so the window never waits on them.

Rasterising a page for a paper printer (``QPdfDocument.render``) holds Python's GIL for tens of
milliseconds at a time, and reportlab drawing a village's notices is pure Python: on a worker thread
either one stalls the GUI thread. Here the work runs in a separate process (``multiprocessing``, spawn
start: the same on Windows, Linux and in the PyInstaller bundle, whose entry scripts call
``multiprocessing.freeze_support()`` first so that a frozen child runs this module and nothing else).

The window talks to the child over one duplex pipe: the child sends ``("progress", done, total)``, then
``("done", result)``, ``("cancelled",)`` or ``("error", Chinese message, details for the log)``; the window
sends ``"cancel"``. A ``QTimer`` on the GUI thread reads the pipe without ever blocking. 取消 asks the child to
stop (a print job is aborted through ``QPrinter.abort()``, so the spooler drops it) and ends the process if
it has not stopped within ``KILL_AFTER_MS``. A child that dies without a word (crash, killed, out of memory)
is reported in Chinese with its exit code.

A job is a plain dict (``build_job`` / ``print_job``): the QPrinter chosen in the print dialog cannot cross
a process boundary, so its settings do (``printer_settings`` / ``printer_from_settings``).

A PDF being built is written in a folder of the child's own beside it (``building_dir``) and moved into place
only when whole. A build that ends any other way — 取消, a child that had to be ended, a crash, or a 取消 that
arrived as the file was finished — leaves nothing: the window removes that folder and the file (a printout
nobody will see must not stay in a temp folder: it holds names and ID numbers).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from .tasks import Cancelled, error_text, progress_dialog, show_error

log = logging.getLogger("canbao.ui")

POLL_MS = 40
KILL_AFTER_MS = 3000  # 取消: the child stops between pages (< 1 s); after this it is ended


# -- jobs -----------------------------------------------------------------------------------------------------
def build_job(ledger_path, kind: str, **options) -> dict:
    """Build one PDF (``print_preview.build_pdf``) in the child; its result is the PDF's path."""
    return {"job": "build", "ledger": str(ledger_path), "kind": kind, "options": options}


def print_job(pdf_path, printer, *, raster: bool | None = None) -> dict:
    """Print ``pdf_path`` on the printer set up as ``printer`` (a QPrinter) in the child; its result is the
    number of pages. ``raster=True`` takes the paper-printer path even for a PDF printer (benchmarks, tests)."""
    return {"job": "print", "pdf": str(pdf_path), "printer": printer_settings(printer), "raster": raster}


def printer_settings(printer) -> dict:
    """What the print dialog chose, as plain values."""
    layout = printer.pageLayout()
    size = layout.pageSize()
    pts = size.sizePoints()
    m = layout.margins()
    return {"name": printer.printerName(), "pdf": printer.outputFormat().name == "PdfFormat",
            "file": printer.outputFileName(), "resolution": printer.resolution(), "copies": printer.copyCount(),
            "collate": printer.collateCopies(), "duplex": printer.duplex().name, "color": printer.colorMode().name,
            "page_size": size.id().name, "page_points": (pts.width(), pts.height()),
            "orientation": layout.orientation().name, "margins": (m.left(), m.top(), m.right(), m.bottom()),
            "margin_unit": layout.units().name, "from_page": printer.fromPage(), "to_page": printer.toPage(),
            "doc_name": printer.docName()}


def file_printer_settings(path, dpi: int = 300) -> dict:
    """Settings of a PDF-file printer on A4 (no QPrinter needed: the self-test, the CLI)."""
    return {"name": "", "pdf": True, "file": str(path), "resolution": dpi, "copies": 1, "collate": True,
            "duplex": "DuplexNone", "color": "Color", "page_size": "A4", "page_points": (595.0, 842.0),
            "orientation": "Portrait", "margins": (0.0, 0.0, 0.0, 0.0), "margin_unit": "Millimeter",
            "from_page": 0, "to_page": 0, "doc_name": ""}


def printer_from_settings(s: dict):
    """A QPrinter set up as ``printer_settings`` describes (in the child)."""
    from PySide6.QtCore import QMarginsF, QSize
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter

    p = QPrinter(QPrinter.PrinterMode.HighResolution)
    if s["pdf"]:
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(s["file"])
    else:
        if s["name"]:
            p.setPrinterName(s["name"])
        if s["file"]:  # 打印到文件 in the dialog
            p.setOutputFileName(s["file"])
    p.setResolution(int(s["resolution"]))
    p.setCopyCount(int(s["copies"]))
    p.setCollateCopies(bool(s["collate"]))
    p.setDuplex(QPrinter.DuplexMode[s["duplex"]])
    p.setColorMode(QPrinter.ColorMode[s["color"]])
    if s["page_size"] == "Custom":
        w, h = s["page_points"]
        size = QPageSize(QSize(round(w), round(h)), "", QPageSize.SizeMatchPolicy.ExactMatch)
    else:
        size = QPageSize(QPageSize.PageSizeId[s["page_size"]])
    p.setPageLayout(QPageLayout(size, QPageLayout.Orientation[s["orientation"]], QMarginsF(*s["margins"]),
                                QPageLayout.Unit[s["margin_unit"]]))
    if s["from_page"] > 0:
        p.setFromTo(int(s["from_page"]), int(s["to_page"]))
    if s["doc_name"]:
        p.setDocName(s["doc_name"])
    return p


# -- the child ------------------------------------------------------------------------------------------------
def child_main(job: dict, conn) -> None:
    """The child's whole life: set up Qt, run the job, report, exit. Never raises."""
    stop = [False]

    def is_cancelled() -> bool:
        if not stop[0]:
            try:
                while conn.poll():
                    if conn.recv() == "cancel":
                        stop[0] = True
            except (EOFError, OSError):  # the window is gone: stop
                stop[0] = True
        return stop[0]

    def progress(done: int, total: int) -> None:
        if is_cancelled():
            raise Cancelled()
        conn.send(("progress", int(done), int(total)))

    try:
        _lower_priority()
        _qt_for_child()
        result = run_job(job, progress, is_cancelled)
        conn.send(("cancelled",) if stop[0] else ("done", result))
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message to the window
        try:
            if isinstance(exc, Cancelled):
                conn.send(("cancelled",))
            else:
                conn.send(("error", error_text(exc), "".join(traceback.format_exception(exc))))
        except (OSError, EOFError):
            pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def _lower_priority() -> None:
    """The window comes first: on a 2-core laptop the print process yields the CPU to the GUI thread."""
    try:
        if hasattr(os, "nice"):
            os.nice(5)
        elif sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), 0x4000)  # BELOW_NORMAL_PRIORITY_CLASS
    except (OSError, AttributeError):
        pass  # as it is: printing still works


def _qt_for_child() -> None:
    """A QGuiApplication for QPrinter, QPainter and QPdfDocument (no window is ever shown). On Linux without
    a display the offscreen platform (a Windows or macOS child uses its own platform)."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        _qt_for_child.app = QGuiApplication(["canbao-print"])


def building_dir(out, pid: int):
    """Where the child ``pid`` writes the PDF ``out`` until it is whole (removed by whichever side ends first)."""
    from pathlib import Path

    out = Path(out)
    return out.with_name(f".{out.name}.{pid}.building")


def discard_build(job: dict, pid: int | None) -> None:
    """A build that did not end with its PDF handed over: its file and its building folder go."""
    from pathlib import Path

    out = (job.get("options") or {}).get("out") if job.get("job") == "build" else None
    if not out:
        return
    if pid is not None:
        shutil.rmtree(building_dir(out, pid), ignore_errors=True)
    try:
        Path(out).unlink(missing_ok=True)
    except OSError:
        pass  # in use (Windows) or read-only: the print folder is emptied at exit


def run_job(job: dict, progress, cancelled) -> Any:
    """Run one job here (the child calls this; tests may too)."""
    from . import print_preview

    if job["job"] == "build":
        options = dict(job["options"])
        out = options.pop("out", None)
        if not out:
            return str(print_preview.build_pdf(job["ledger"], job["kind"], progress=progress, cancelled=cancelled,
                                               **options))
        work = building_dir(out, os.getpid())
        work.mkdir(parents=True, exist_ok=True)
        try:
            built = print_preview.build_pdf(job["ledger"], job["kind"], progress=progress, cancelled=cancelled,
                                            out=work / os.path.basename(out), **options)
            os.replace(built, out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return str(out)
    if job["job"] == "print":
        printer = printer_from_settings(job["printer"])
        return print_preview.print_pdf(job["pdf"], printer, progress=progress, cancelled=cancelled,
                                       raster=job.get("raster"))
    raise ValueError(f"未知的打印任务：{job['job']}")


def run_in_child_and_wait(job: dict, timeout_s: float = 300) -> Any:
    """Run ``job`` in a child process and wait for its result (no window: ``canbao selftest``). Raises the
    child's error (``ChildError``, Chinese), ``Cancelled``, or a RuntimeError when the child died."""
    ctx = _context()
    mine, theirs = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=child_main, args=(job, theirs), name="canbao-print", daemon=True)
    proc.start()
    theirs.close()
    deadline = time.monotonic() + timeout_s
    handed_over = False
    try:
        while time.monotonic() < deadline:
            if mine.poll(0.1):
                try:
                    msg = mine.recv()
                except EOFError:
                    msg = None
                if msg is None or msg[0] != "progress":
                    proc.join(10)
                    if msg is None:
                        raise RuntimeError(_child_died_text(proc.exitcode))
                    if msg[0] == "done":
                        handed_over = True
                        return msg[1]
                    if msg[0] == "cancelled":
                        raise Cancelled()
                    raise ChildError(msg[1])
            elif not proc.is_alive():
                proc.join(0)
                raise RuntimeError(_child_died_text(proc.exitcode))
        raise TimeoutError(f"打印进程 {timeout_s:.0f} 秒内没有完成")
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        mine.close()
        if not handed_over:
            discard_build(job, proc.pid)


# -- the window's side ----------------------------------------------------------------------------------------
def _context():
    return multiprocessing.get_context("spawn")  # never fork a process that runs Qt


def _child_died_text(code: int | None) -> str:
    how = "原因不明" if code is None else f"退出代码 {code}" if code >= 0 else f"被系统终止（信号 {-code}）"
    return (f"打印进程意外退出（{how}），没有完成。可能是内存不足或打印机驱动出错；"
            "请关闭其他程序后重试，或先「另存为 PDF」再用其他程序打印。")


class ChildError(Exception):
    """The child's own Chinese message (already readable: shown as it is)."""


class ChildTask(QObject):
    """One job running in a child process, with a progress dialog (页 n/N) and 取消. The same surface as
    ``tasks.Task``: ``done`` fires once, then ``result`` or ``error`` is set."""

    done = Signal()

    def __init__(self, parent, title: str, job: dict, on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None, show_progress: bool = True,
                 min_duration_ms: int = 400):
        super().__init__(parent)
        self.title, self.job = title, job
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancel_requested = False
        self.progress_seen: list[tuple[int, int]] = []
        self._on_done, self._on_error, self._parent = on_done, on_error, parent
        self._ended = False
        self._cancel_at = 0.0
        self.process = None
        self._conn = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.dialog: QProgressDialog | None = None
        if show_progress:
            self.dialog = progress_dialog(title, parent, min_duration_ms, self.cancel)

    def start(self) -> "ChildTask":
        ctx = _context()
        mine, theirs = ctx.Pipe(duplex=True)
        self._conn = mine
        self.process = ctx.Process(target=child_main, args=(self.job, theirs), name="canbao-print",
                                   daemon=True)
        try:
            self.process.start()
        except Exception as exc:  # noqa: BLE001 - cannot start a process at all: say so
            theirs.close()
            self._end_with_error(OSError(f"无法启动打印进程：{exc}"))
            return self
        theirs.close()  # the child holds its end; EOF here when it exits
        self._timer.start()
        return self

    def is_running(self) -> bool:
        return not self._ended

    def cancel(self) -> None:
        """Ask the child to stop; end it if it has not within ``KILL_AFTER_MS``."""
        if self._ended or self.cancel_requested:
            return
        self.cancel_requested = True
        self._cancel_at = time.monotonic()
        if self.dialog is not None:
            self.dialog.setLabelText("正在取消……")
        try:
            self._conn.send("cancel")
        except (OSError, EOFError, AttributeError):
            pass

    def stop(self, timeout_ms: int = KILL_AFTER_MS) -> None:
        """Cancel and wait (the window is closing): the child is ended if it does not stop in time."""
        self.cancel()
        if self.process is not None:
            self.process.join(timeout_ms / 1000)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2)
        self._poll()

    def _poll(self) -> None:
        if self._ended:
            return
        try:
            while self._conn.poll():
                if self._message(self._conn.recv()):
                    return
        except (EOFError, OSError):
            pass
        if self.process is not None and not self.process.is_alive():
            self.process.join(0)
            if self.cancel_requested:
                self._end_with_error(Cancelled())
            else:
                self._end_with_error(RuntimeError(_child_died_text(self.process.exitcode)))
            return
        if self.cancel_requested and time.monotonic() - self._cancel_at > KILL_AFTER_MS / 1000:
            self.process.kill()  # really stops it; the next poll reports 已取消

    def _message(self, msg) -> bool:
        kind = msg[0]
        if kind == "progress":
            done, total = msg[1], msg[2]
            self.progress_seen.append((done, total))
            if self.dialog is not None and not self.cancel_requested:
                self.dialog.setMaximum(max(total, 0))
                self.dialog.setValue(min(done, total) if total > 0 else 0)
                if total > 0:
                    self.dialog.setLabelText(f"{self.title}……{done}/{total}")
            return False
        if kind == "done" and self.cancel_requested and self.job.get("job") == "build":
            self._end_with_error(Cancelled())  # 取消 came as the file was finished: what the clerk asked for
            return True
        if kind == "done":
            self._finish()
            self.result = msg[1]
            try:
                if self._on_done is not None:
                    self._on_done(msg[1])
            except Exception as exc:  # noqa: BLE001 - a failing callback is still a message
                show_error(self._parent, self.title, exc)
            finally:
                self.done.emit()
            return True
        if kind == "cancelled":
            self._end_with_error(Cancelled())
            return True
        log.error("%s（打印进程）: %s", self.title, msg[2] if len(msg) > 2 else msg[1])
        self._end_with_error(ChildError(msg[1]))
        return True

    def _finish(self) -> None:
        self._ended = True
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if self.process is not None:
            _reap(self.process)  # the child is still exiting: never wait for it on the GUI thread
        try:
            self._conn.close()
        except (OSError, AttributeError):
            pass

    def _end_with_error(self, exc: BaseException) -> None:
        self._finish()
        self.error = exc
        discard_build(self.job, self.process.pid if self.process is not None else None)
        try:
            if self._on_error is not None:
                self._on_error(exc)
            elif isinstance(exc, ChildError):  # logged with the child's details when it arrived
                show_error(self._parent, f"{self.title}失败", str(exc))
            elif not isinstance(exc, Cancelled):
                show_error(self._parent, f"{self.title}失败", exc)
        finally:
            self.done.emit()


_RUNNING: set = set()


def _reap(process, waited_ms: int = 0) -> None:
    """Collect an exiting child without blocking (it is ended if it lingers past ``KILL_AFTER_MS``)."""
    process.join(0)
    if process.exitcode is not None:
        return
    if waited_ms >= KILL_AFTER_MS:
        process.kill()
        process.join(0)
        if process.exitcode is not None:
            return
    QTimer.singleShot(100, lambda: _reap(process, waited_ms + 100))


def run_in_child(parent, title: str, job: dict, on_done=None, on_error=None, show_progress: bool = True):
    """Start ``job`` in a child process; returns the running ``ChildTask`` (kept until it is done)."""
    task = ChildTask(parent, title, job, on_done, on_error, show_progress)
    _RUNNING.add(task)
    task.done.connect(lambda: _RUNNING.discard(task))
    return task.start()


def stop_children(timeout_ms: int = KILL_AFTER_MS) -> None:
    """Before the program exits: every running child is asked to stop, then ended."""
    for task in list(_RUNNING):
        task.stop(timeout_ms)
