"""The window's write buttons while the open-check runs (``app.ledger.open_check``): the ledger refuses every write
until the file's ``quick_check`` has passed, so the buttons that write (收费, 新增户, 导入 …) are grey meanwhile,
saying why in their tooltip, instead of answering a click with a refusal. They come back when the check passes;
if it finds damage they stay off, their tooltip the damaged ledger's message (the shell then closes the window
and offers the restore).

What writes is listed here once (``WRITE_ACTIONS``, ``WRITE_BUTTONS``); the ledger's own refusal stays the
rule (a form opened before, or a shortcut, is still refused by ``Ledger.transaction``)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

CHECKING_TIP = "正在检查台账完整性…"
# the main window's toolbar actions that write (reading ones — 查找, 打印, 导出, 统计, 日结 — stay on)
WRITE_ACTIONS = ("a_new_household", "a_pay", "a_import", "a_claims", "a_operators", "a_packets", "a_rollover")
# the household pane's buttons that write (缴费记录 stays: reprinting is a read; its 作废/退费 are refused)
WRITE_BUTTONS = ("b_pay", "b_add", "b_edit", "b_house")


class WriteGuard(QObject):
    """Greys a window's write buttons until its ledger's open-check is over (``guard(window)``)."""

    check_over = Signal(object)  # the damage found ([] = passed, None = stopped), from the check's thread

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.blocked = False
        self._saved: dict[str, tuple[bool, str]] = {}  # action name -> (enabled, tooltip) before the check
        self.check_over.connect(self._over)  # queued onto the GUI thread: the check calls from its own

    def start(self) -> None:
        ledger = self.window.ledger
        check = getattr(ledger, "open_check", None)
        if check is None or not check.pending:
            return
        self._block(CHECKING_TIP)
        check.when_done(self._from_check_thread)

    def _from_check_thread(self, damage) -> None:
        try:
            self.check_over.emit(damage)
        except RuntimeError:  # the window (and this guard) was closed before the check ended
            pass

    def _block(self, tip: str) -> None:
        self.blocked = True
        for name in WRITE_ACTIONS:
            a = getattr(self.window, name, None)
            if a is None:
                continue
            self._saved.setdefault(name, (a.isEnabled(), a.toolTip()))
            a.setEnabled(False)
            a.setToolTip(tip)
        view = self.window.view
        view.write_block = tip
        for name in WRITE_BUTTONS:
            b = getattr(view, name)
            self._saved.setdefault("view." + name, (True, b.toolTip()))
            b.setEnabled(False)
            b.setToolTip(tip)

    def _over(self, damage) -> None:
        if damage == []:
            self._release()
            return
        from ..ledger.db import LedgerDamaged

        if damage:  # damage: off for good, saying so (the shell closes the window and offers the restore)
            tip = LedgerDamaged(self.window.ledger.path, damage).problems[0].message
        else:  # stopped (the window is closing): the ledger decides at the next write
            tip = CHECKING_TIP
        self._block(tip)

    def _release(self) -> None:
        self.blocked = False
        for name in WRITE_ACTIONS:
            a = getattr(self.window, name, None)
            if a is not None and name in self._saved:
                enabled, tip = self._saved[name]
                a.setEnabled(enabled)
                a.setToolTip(tip)
        view = self.window.view
        view.write_block = ""
        for name in WRITE_BUTTONS:
            _enabled, tip = self._saved.get("view." + name, (True, ""))
            getattr(view, name).setToolTip(tip)
        view._enable(view.household is not None)
        self._saved.clear()


def guard(window) -> WriteGuard:
    """Grey ``window``'s write buttons while its ledger's open-check runs (nothing to do once it has passed)."""
    g = WriteGuard(window)
    g.start()
    window.write_guard = g
    return g
