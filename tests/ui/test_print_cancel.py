"""取消 while the print process builds a batch of notices (app.ui.print_process): the child stops, no PDF — whole
or partial — is left in the print folder, and the window goes on (the next preview builds). Also when the child
does not answer the cancel (stopped: it is ended after ``KILL_AFTER_MS``) and when the cancel comes just as the
PDF was finished."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from app.ui import print_process
from app.ui.main_window import MainWindow
from app.ui.tasks import Cancelled

from .conftest import make_id

SHOTS = Path(os.environ["CANBAO_SHOTS"]) if os.environ.get("CANBAO_SHOTS") else None
HOUSEHOLDS = 250  # notices for the whole township: about a second in the child, long enough to cancel


@pytest.fixture()
def window(qtbot, ledger):
    with ledger.transaction():
        for i in range(HOUSEHOLDS):
            h = ledger.households.add(village="东风村", group="一组").id
            ledger.members.add(h, name=f"户主{i}", id_number=make_id("19700101", 100 + i % 800, area="220103"),
                               relation="户主")
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    return w


def _pdfs_left(folder: Path) -> list[str]:
    """Every file and folder in the print folder that belongs to a PDF (whole, part, or being built)."""
    return sorted(str(f.relative_to(folder)) for f in folder.rglob("*") if ".pdf" in f.name or ".building" in f.name
                  ) if folder.exists() else []


def _start_township_notices(qtbot, w):
    """The township's notices, until the PDF is being written (its part file exists): mid-way."""
    chooser = w.open_print()
    chooser.scope_button("all").setChecked(True)
    chooser.build()
    task = chooser.task
    out = Path(task.job["options"]["out"])
    qtbot.waitUntil(lambda: any(out.parent.rglob("*.part")) or not task.is_running(), timeout=60000)
    seen = len(task.progress_seen)  # then a few notices drawn into it
    qtbot.waitUntil(lambda: not task.is_running() or (len(task.progress_seen) > seen
                                                      and task.progress_seen[-1][0] >= 10), timeout=60000)
    assert task.is_running(), "the township's notices were built before they could be cancelled"
    return chooser, task, out


def _window_goes_on(qtbot, w, chooser) -> None:
    """No progress window left, nothing modal, and the next preview (one household) builds."""
    assert chooser.task.dialog is None
    assert QApplication.activeModalWidget() in (None, chooser)
    assert chooser.isVisible()  # the chooser stays open to try again
    w.table.selectRow(0)
    again = w.open_print()
    again.scope_button("household").setChecked(True)
    with qtbot.waitSignal(again.preview_ready, timeout=30000) as blocker:
        again.build()
    assert Path(blocker.args[0].pdf_path).stat().st_size > 1000


def test_cancel_while_building_notices_leaves_no_pdf_and_the_window_goes_on(qtbot, window):
    w = window
    chooser, task, out = _start_township_notices(qtbot, w)
    before = [n for n in _pdfs_left(out.parent) if ".part" not in n and ".building" not in n]
    if SHOTS is not None and task.dialog is not None:
        task.dialog.show()
        QApplication.processEvents()
        SHOTS.mkdir(parents=True, exist_ok=True)
        task.dialog.grab().save(str(SHOTS / "print_cancel_building.png"))  # its own window
    task.dialog.findChild(QPushButton).click()  # the progress window's 取消
    qtbot.waitUntil(lambda: not task.is_running(), timeout=10000)
    assert isinstance(task.error, Cancelled)
    qtbot.waitUntil(lambda: not task.process.is_alive(), timeout=10000)
    assert task.progress_seen[-1][0] < task.progress_seen[-1][1]  # stopped part-way
    assert _pdfs_left(out.parent) == before  # neither the PDF nor its part file
    assert chooser.preview is None
    _window_goes_on(qtbot, w, chooser)


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_child_that_does_not_answer_the_cancel_is_ended_and_its_part_file_removed(qtbot, window):
    """A child stuck in a long page (stopped here with SIGSTOP) never reads the cancel: after ``KILL_AFTER_MS``
    the window ends it — and removes the part file it was writing."""
    w = window
    chooser, task, out = _start_township_notices(qtbot, w)
    os.kill(task.process.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    task.cancel()
    qtbot.waitUntil(lambda: not task.is_running(), timeout=print_process.KILL_AFTER_MS + 10000)
    assert isinstance(task.error, Cancelled) and time.monotonic() - t0 >= print_process.KILL_AFTER_MS / 1000
    qtbot.waitUntil(lambda: not task.process.is_alive(), timeout=10000)
    assert [n for n in _pdfs_left(out.parent) if ".part" in n or ".building" in n or n == out.name] == []
    _window_goes_on(qtbot, w, chooser)


def test_a_cancel_that_comes_as_the_pdf_is_finished_removes_it(qtbot, window, tmp_path):
    """The child finished the file and then read the cancel: it reports 已取消, so the PDF nobody will see must
    not stay behind in the print folder (it holds names and ID numbers)."""
    w = window
    w.table.selectRow(0)
    chooser = w.open_print()
    chooser.scope_button("household").setChecked(True)
    chooser.build()
    task = chooser.task
    out = Path(task.job["options"]["out"])
    task._timer.stop()  # the window does not look until the child is done …
    qtbot.waitUntil(lambda: out.exists(), timeout=30000)
    qtbot.waitUntil(lambda: task._conn.poll(), timeout=30000)  # its answer "done" is waiting in the pipe
    task.cancel()  # … then the clerk's 取消 arrives
    task._timer.start()
    qtbot.waitUntil(lambda: not task.is_running(), timeout=10000)
    assert isinstance(task.error, Cancelled) and chooser.preview is None  # 取消 is what the clerk asked for
    assert not out.exists()
