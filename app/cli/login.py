"""Who runs a CLI command: a known operator with their PIN, never a free-text name.

The name comes from ``--operator 姓名`` or ``CANBAO_OPERATOR``; the PIN from ``CANBAO_PIN`` (scripts) or,
in a terminal, a prompt that does not echo. A ledger without operators (made before they existed) registers
the first one as its 管理员 — nobody is locked out.
"""

from __future__ import annotations

import getpass
import os
import sys

from ..ledger.operators import LoginFailed, Operator, sign_in

HELP_OPERATOR = "操作员姓名（须是台账中登记的操作员；默认：环境变量 CANBAO_OPERATOR）。口令在终端中输入，或用环境变量 CANBAO_PIN"


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def log_in(ledger, name: str | None = None) -> Operator:
    """Log ``ledger`` in as the operator named on the command line or in the environment."""
    name = (name or os.environ.get("CANBAO_OPERATOR") or "").strip()
    pin = os.environ.get("CANBAO_PIN")
    creating = not ledger.operators.any()
    if not name and _interactive():
        name = input("操作员姓名：").strip()
    if not name:
        raise LoginFailed("请指明操作员：--operator 姓名，或环境变量 CANBAO_OPERATOR（口令用 CANBAO_PIN 或在终端输入）")
    if pin is None:
        if not _interactive():
            raise LoginFailed(f"缺少操作员 {name} 的口令：请在终端中运行以输入口令，或设置环境变量 CANBAO_PIN")
        prompt = f"台账尚无操作员，登记 {name} 为第一位管理员。设置口令：" if creating else f"{name} 的口令："
        pin = getpass.getpass(prompt)
        if creating and getpass.getpass("再输入一次口令：") != pin:
            raise LoginFailed("两次输入的口令不一致")
    op, created = sign_in(ledger, name, pin)
    if created:
        print(f"台账尚无操作员：已将 {op.name} 登记为第一位管理员（用 canbao ledger operator add 添加其他操作员）",
              file=sys.stderr)
    return op


def open_as_operator(path, name: str | None = None, **kwargs):
    """``open_ledger`` and log in; the ledger is closed again if the login fails."""
    from ..ledger import open_ledger

    lg = open_ledger(path, **kwargs)
    try:
        log_in(lg, name)
    except BaseException:
        lg.close()
        raise
    return lg
