"""``canbao``: with no arguments opens the window; subcommands do everything else from a terminal."""

from __future__ import annotations

import argparse
import os
import sys

from . import (conflicts_cmd, demo_cmd, exchange_cmd, handover_cmd, ledger_cmd, packet_cmd, paper_cmd, policy_cmd,
               quote_cmd, selftest_cmd)
from . import station_cmd
from .zh_argparse import ChineseParser

# Subcommand modules: each has register(subparsers).
COMMANDS = [policy_cmd, quote_cmd, ledger_cmd, demo_cmd, paper_cmd, exchange_cmd, handover_cmd, packet_cmd,
            conflicts_cmd, selftest_cmd]
COMMANDS.append(station_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog="canbao", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="参保台账 Canbao：城乡居民基本医疗保险参保缴费台账。不带命令时打开窗口。",
        epilog="每个命令都有自己的帮助，例如：canbao quote --help、canbao ledger pay --help\n"
               "台账文件：--db 台账文件，否则环境变量 CANBAO_DB，否则数据文件夹中的默认台账。")
    sub = parser.add_subparsers(dest="command", metavar="命令", title="命令",
                                help="（每个命令后加 --help 查看它的用法和选项）")
    for mod in COMMANDS:
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..logs import redact_logs
    from ..paths import make_files_private

    make_files_private()  # ledger, backups, exports, PDFs: readable by this user only
    redact_logs()  # no full ID number or phone in any log line
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        # the ledger before Qt: shiboken reads the source of every module imported after PySide6 (~0.15 s)
        from .. import ledger  # noqa: F401
        from ..ui.app import run_app

        return run_app([])
    parser = build_parser()  # not for the window: its start is what a clerk waits for
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        from .encrypt_cmd import unlock_for
        from .failures import reported

        reported(lambda a: unlock_for(a))(args) and sys.exit(2)  # an encrypted ledger: its password first
        return args.func(args)
    except BrokenPipeError:
        # The reader closed the pipe (`canbao ledger search zh | head`): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # the print process (app.ui.print_process) in a frozen program
    sys.exit(main())
