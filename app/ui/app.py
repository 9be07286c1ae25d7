"""``canbao`` with no arguments: the window. Opens the last ledger (off the GUI thread), else the first-run
screen; a demo ledger can be generated from there."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..paths import resources_dir

from .settings import Preferences
from .style import apply_style, load_fonts
from .tasks import error_text, run_task

log = logging.getLogger("canbao.ui")


DEMO_PEOPLE = 5000
BACKUP_DELAY_MS = 2000  # after the window is up: the backup on open must not slow its first screen


def demo_path() -> Path:
    """Where the practice ledger lives (``CANBAO_DEMO_DB`` overrides, for tests)."""
    import os

    if os.environ.get("CANBAO_DEMO_DB"):
        return Path(os.environ["CANBAO_DEMO_DB"])
    from ..paths import data_dir

    return data_dir() / "demo.canbao.db"


RECENT_MAX = 8


def recent_ledgers(prefs: Preferences) -> list[str]:
    """Ledgers opened on this computer, newest first (those that still exist)."""
    import json

    try:
        paths = json.loads(prefs._get("recent_ledgers", "") or "[]")
    except ValueError:
        paths = []
    last = prefs.last_ledger
    paths = list(dict.fromkeys(([last] if last else []) + [str(p) for p in paths if isinstance(p, str)]))
    return [p for p in paths if Path(p).exists()][:RECENT_MAX]


def remember_ledger(prefs: Preferences, path) -> None:
    import json

    paths = [str(path)] + [p for p in recent_ledgers(prefs) if p != str(path)]
    prefs._set("recent_ledgers", json.dumps(paths[:RECENT_MAX], ensure_ascii=False))
    prefs.last_ledger = str(path)


class LedgerInUse(Exception):
    pass


class LedgerLock:
    """One window per ledger: a lock file next to it, ``<ledger>.window-lock`` (QLockFile: a lock left by a
    process that died is taken over). Held while the ledger is open in this window. It is not the ledger's own
    OS lock (``<ledger>.lock``, app.ledger.lock: shared by every open, exclusive for a restore), which QLockFile
    would delete on unlock."""

    def __init__(self, path):
        from PySide6.QtCore import QLockFile

        self.path = Path(path)
        self.lock = QLockFile(str(self.path) + ".window-lock")  # not <ledger>.lock: the ledger's own OS lock (app.ledger.lock)
        self.lock.setStaleLockTime(0)  # stale only when its process is gone, never by age

    def acquire(self) -> None:
        if self.lock.tryLock(0):
            return
        info = self.lock.getLockInfo()  # PySide6: (pid, hostname, appname), or False-ish when unreadable
        who = f"（{info[1]} 上的进程 {info[0]}）" if isinstance(info, tuple) and len(info) >= 2 else ""
        raise LedgerInUse(f"台账 {self.path.name} 已在另一个窗口中打开{who}。同一台账同时在两个窗口收费会造成票据号"
                          "和数据混乱，请先关闭另一个窗口，再打开这个台账。")

    def release(self) -> None:
        self.lock.unlock()


class Shell(QObject):
    """Switches between the first-run screen and the main window; owns the open ledger."""

    open_check_over = Signal(object, object)  # (ledger, damage): the open-check ended, on its worker thread

    def __init__(self, prefs: Preferences):
        super().__init__()
        self.open_check_over.connect(self._open_check_over)  # queued: handled on the GUI thread
        self.prefs = prefs
        self.ledger = None
        self.window = None
        self.first_run = None
        self.task = None
        self.lock: LedgerLock | None = None
        self._pending_lock: LedgerLock | None = None  # held while the login dialog is open

    def start(self) -> None:
        last = self.prefs.last_ledger
        if last and Path(last).exists():
            self.open_path(last)
        else:
            self.show_first_run()

    def show_first_run(self, message: str = "") -> None:
        from .first_run import FirstRunScreen

        if self.first_run is None:
            self.first_run = FirstRunScreen(operator=self.prefs.operator, recent=recent_ledgers(self.prefs))
            self.first_run.resize(1000, 680)
            self.first_run.open_requested.connect(self.open_path)
            self.first_run.demo_requested.connect(self.open_demo)
            self.first_run.ledger_created.connect(self.show_ledger)
        if message:
            self.first_run.show_message(message)
        self.first_run.show()

    def open_path(self, path: str) -> None:
        if self.ledger is not None and Path(path).resolve() == Path(self.ledger.path).resolve():
            return
        from .password_dialog import ask_ledger_password

        if ask_ledger_password(path, self.first_run or self.window, lambda: self.open_path(path),
                               lambda: self.show_first_run("未输入台账密码：台账没有打开。")):
            return  # an encrypted ledger: its password before the operator login
        lock = LedgerLock(path)
        try:
            lock.acquire()
        except LedgerInUse as exc:
            self.show_first_run(str(exc))
            return

        def opened(lg):
            check = lg.open_check
            if check is not None and not check.pending and check.damage:  # found before the window was made
                from ..ledger.db import LedgerDamaged

                lg.close()
                lock.release()
                self._cannot_open(path, LedgerDamaged(path, check.damage))
                return
            self.show_ledger(lg, lock)  # the window, or the login dialog first
            if check is not None:  # now, not earlier: its end is handled against the window or the dialog
                check.when_done(lambda damage: self.open_check_over.emit(lg, damage))

        def work(progress, cancelled):
            from ..ledger import open_ledger

            # The backup on open runs after the window is up (see ``backup_in_background``), not before; the
            # file's quick_check runs beside the login and the window (``check_later``): no write before it passes
            lg = open_ledger(path, backup=False, operator=self.prefs.operator or None, check_later=True)
            try:
                lg.settings.get()  # a ledger that was never set up fails here, with a message
            except Exception:
                damage = _damage_found(lg)
                lg.close()
                if damage:
                    from ..ledger.db import LedgerDamaged

                    raise LedgerDamaged(path, damage) from None
                raise
            _log_in_from_environment(lg)  # its PIN hash here, beside the GUI thread loading the window's modules
            return lg

        def failed(exc):
            lock.release()
            self._cannot_open(path, exc)

        self.task = run_task(self.first_run, "正在打开台账", work, opened, on_error=failed)
        # while the worker checks the file (quick_check lets go of the GIL), load the main window's modules
        from . import login, main_window  # noqa: F401

    def _cannot_open(self, path: str, exc: BaseException) -> None:
        from ..ledger.db import LedgerDamaged

        self.show_first_run(f"无法打开台账：{error_text(exc)}")
        if isinstance(exc, LedgerDamaged):  # say so at once and offer the restore
            self.offer_restore(path, error_text(exc))

    def _open_check_over(self, ledger, damage) -> None:
        """The open-check ended: passed — writes are allowed; damage — the window (or the login dialog) closes
        and the damaged-ledger path follows, as if the damage had been found before the window opened."""
        if not damage:
            if damage is not None and self.ledger is ledger and self.window is not None:
                self.window.statusBar().showMessage("台账文件检查完毕，没有发现损坏", 5000)
            return
        from ..ledger.db import LedgerDamaged

        if self.ledger is ledger:
            self.close_ledger()
        elif self._pending_lock is not None and Path(ledger.path).resolve() == self._pending_lock.path.resolve():
            from .login import ensure_login

            dialog = getattr(ensure_login, "dialog", None)
            if dialog is not None and getattr(dialog, "ledger", None) is ledger and dialog.isVisible():
                dialog.rejected.disconnect()  # no "未登录" message over this one
                dialog.reject()
            ledger.close()
            self._pending_lock.release()
            self._pending_lock = None
        else:
            return  # closed meanwhile
        self._cannot_open(str(ledger.path), LedgerDamaged(ledger.path, damage))

    def offer_restore(self, path: str, damage: str = ""):
        from .restore_dialog import RestoreDialog

        d = RestoreDialog(path, self.first_run, damage=damage)
        d.restore_requested.connect(self.restore_backup)
        d.open()
        self.restore_dialog = d
        return d

    def restore_backup(self, ledger_path: str, backup: str, confirmed) -> None:
        """Close the open ledger (this process lets go of it), restore on a worker thread, open the result."""
        from ..ledger.restore import restore
        from .tasks import show_error

        operator = self.prefs.operator or None
        if self.ledger is not None:  # a damaged ledger cannot be opened to log in: then the restore is open
            try:
                self.ledger.require("restore")
            except Exception as exc:  # noqa: BLE001 - PermissionDenied: a message, nothing replaced
                show_error(self.window, "不能恢复", exc)
                return
            operator = self.ledger.session or operator
        self.close_ledger()

        def work(progress, cancelled):
            return restore(backup, ledger_path, operator=operator, expect=confirmed)

        def done(out):
            self.after_open_message = (f"已从备份恢复（{Path(backup).name}）；恢复前的台账另存为 {out.saved}"
                                       + (f"；{out.dropped} 个票据号列入作废票据号清单" if out.dropped else ""))
            self.open_path(ledger_path)

        def failed(exc):
            show_error(self.first_run, "恢复失败，台账没有改动", exc)
            self.open_path(ledger_path)

        self.show_first_run("正在从备份恢复……")
        self.task = run_task(self.first_run, "正在从备份恢复", work, done, on_error=failed)

    def encrypt_ledger(self, ledger_path: str, password: str, sheet: bool = False) -> None:
        """加密台账 (settings): close, convert, reopen, then ask before the plaintext copy goes."""
        from .password_dialog import convert_in_window

        convert_in_window(self, ledger_path, password, sheet)

    def change_ledger_password(self, ledger_path: str, old: str, new: str, sheet: bool = False) -> None:
        """修改台账密码 (settings): close, re-encrypt, reopen (app.ui.password_dialog.rekey_in_window)."""
        from .password_dialog import rekey_in_window

        rekey_in_window(self, ledger_path, old, new, sheet)

    def open_demo(self) -> None:
        path = demo_path()
        if path.exists():
            self.open_path(str(path))
            return
        try:
            from ..ledger import demo
        except ImportError:
            self.show_first_run("演示台账功能尚未安装（canbao demo）。")
            return

        def work(progress, cancelled):
            return demo.build_demo_ledger(path, people=DEMO_PEOPLE, progress=progress, cancel=cancelled)

        self.task = run_task(self.first_run, "正在生成演示台账", work, lambda _r: self.open_path(str(path)),
                             on_error=lambda exc: self.show_first_run(f"生成演示台账失败：{error_text(exc)}"))

    def show_ledger(self, ledger, lock: LedgerLock | None = None) -> None:
        from .login import ensure_login, install_idle_lock
        from .main_window import MainWindow

        if lock is None:
            lock = self._pending_lock  # back from the login dialog
        if lock is None or lock.path.resolve() != Path(ledger.path).resolve():  # a ledger just created: lock it
            lock = LedgerLock(ledger.path)
            try:
                lock.acquire()
            except LedgerInUse as exc:
                ledger.close()
                self.show_first_run(str(exc))
                return
        self._pending_lock = lock
        if not ensure_login(ledger, self.first_run, self.show_ledger, self._login_cancelled):
            return  # the login dialog shows the ledger once someone logged in
        self._pending_lock = None
        self.close_ledger()
        self.ledger = ledger
        self.lock = lock
        remember_ledger(self.prefs, ledger.path)
        self.window = MainWindow(ledger, self.prefs)
        self.window.switch_ledger.connect(self.switch)
        self.window.open_ledger_requested.connect(self.open_path)
        self.window.restore_requested.connect(self.restore_backup)
        self.window.encrypt_requested.connect(self.encrypt_ledger)
        self.window.password_change_requested.connect(self.change_ledger_password)
        self.window.show()
        install_idle_lock(self.window, ledger, self.prefs)
        if ledger.checking:  # refused by the ledger meanwhile (LedgerChecking), with this message
            from ..ledger.db import CHECKING_MESSAGE

            self.window.statusBar().showMessage(CHECKING_MESSAGE, 0)
        if getattr(self, "after_open_message", ""):
            self.window.statusBar().showMessage(self.after_open_message, 30000)
            self.after_open_message = ""
        if self.first_run is not None:
            self.first_run.hide()
        # the backup (a whole-file copy and its check: seconds of CPU on a district ledger) starts once the
        # window has shown its first data, not while the list and the tree are still loading
        from PySide6.QtCore import QTimer

        QTimer.singleShot(BACKUP_DELAY_MS, lambda: self.backup_in_background(ledger.path)
                          if self.ledger is ledger and self.window is not None else None)

    def _login_cancelled(self, ledger) -> None:
        if ledger is not self.ledger:
            ledger.close()
            if self._pending_lock is not None:
                self._pending_lock.release()
                self._pending_lock = None
        if self.window is None:
            self.show_first_run("未登录：台账没有打开。")

    def backup_in_background(self, path) -> None:
        """The rotating backup made on every open, on a worker thread with its own connection.

        SQLite's online backup copies one consistent snapshot (a read transaction under WAL), so it holds the
        ledger as it was when opened even if a payment is taken meanwhile; a large ledger opens at once.
        """
        from ..ledger.backup import backup_on_open

        window = self.window
        window.statusBar().showMessage("正在备份台账……", 0)

        extra = self.prefs.backup_dir

        def work(progress, cancelled):
            dest = backup_on_open(Path(path))
            if extra:  # a second copy where the user asked (a USB stick, another disk)
                from ..ledger.backup import backup_ledger

                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                backup_ledger(Path(path), Path(extra) / f"{Path(path).name}.{stamp}.bak.db", keep=None)
            return dest

        def done(dest):
            if self.window is window:
                window.statusBar().showMessage(f"已备份：{dest}" if dest else "台账自上次备份后未改动，无需备份",
                                               10000)

        self.backup_task = run_task(None, "备份台账", work, done,
                                    on_error=lambda exc: log.error("backup failed: %s", exc), show_progress=False)

    def switch(self) -> None:
        """切换台账: the welcome screen afresh — a clean 新建台账 form, the recent ledgers up to date."""
        self.close_ledger()
        if self.first_run is not None:
            self.first_run.close()
            self.first_run.deleteLater()
            self.first_run = None
        self.show_first_run()

    def close_ledger(self) -> None:
        from .print_process import stop_children
        from .tasks import wait_for_tasks

        wait_for_tasks()  # never close the connection under a running worker
        stop_children()  # a print or a PDF still being built is cancelled (the print job aborted)
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _log_in_from_environment(ledger) -> None:
    """``CANBAO_OPERATOR`` / ``CANBAO_PIN`` (kiosk set-ups, the benchmark): logged in on the opening worker;
    wrong or unknown ones are left to ``ensure_login`` (which asks)."""
    from ..domain.problems import ProblemsError
    from ..ledger.operators import env_credentials

    creds = env_credentials()
    if creds and ledger.session is None and ledger.operators.any():
        try:
            ledger.operators.login(*creds)
        except ProblemsError:
            ledger.env_login_refused = True  # ensure_login asks instead of counting the same wrong PIN again


def _damage_found(ledger) -> list:
    """A read failed while the open-check ran: wait for it, and return what it found."""
    check = ledger.open_check
    if check is None:
        return []
    check.wait()
    return list(check.damage or [])


NO_DISPLAY = """无法打开参保台账的窗口：这台电脑现在没有图形界面（找不到显示器）。
没有图形界面时，可以用命令行完成全部工作，例如：
  canbao --help                                   查看全部命令
  canbao ledger search 张三                        查找人员
  canbao ledger pay …                              登记缴费
  canbao print notices --village 红旗村 -o 通知单.pdf  打印缴费通知单
  canbao handover --operator 王会计 --date 2025-11-03 -o 交款单.pdf  日结交款单
在有桌面的电脑上直接运行 canbao（不带参数）即可打开窗口。"""


def display_problem(environ=None, platform: str | None = None) -> str:
    """The Chinese message for a computer without a display, or "" — checked before QApplication is made,
    because Qt aborts the process (rc 134, an xcb hint in English) when it finds none."""
    import os

    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform.startswith(("win", "darwin")) or env.get("QT_QPA_PLATFORM"):
        return ""
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return ""
    return NO_DISPLAY


def run_app(argv: list[str] | None = None) -> int:
    from ..logs import setup_logging
    from ..paths import make_files_private

    make_files_private()
    log_file = setup_logging()  # the rotating file; every record redacted (no full ID number or mobile)
    problem = display_problem()
    if problem and QApplication.instance() is None:
        print(problem, file=sys.stderr)
        log.error("no display: the window was not opened")
        return 2
    log.info("starting the window; log file %s", log_file)
    app = QApplication.instance() or QApplication(["canbao", *(argv or [])])
    app.setApplicationName("参保台账")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "canbao.png")))
    prefs = Preferences()
    load_fonts(app)
    apply_style(app, prefs.large_font)
    shell = Shell(prefs)
    shell.start()
    code = app.exec()
    shell.close_ledger()
    return code


if __name__ == "__main__":
    sys.exit(run_app(sys.argv[1:]))
