"""``canbao backup|restore|check|dropped-receipts``: backups, restore (tells before it takes), the ledger check
and the list of receipt numbers a restore dropped. Errors: Chinese message on stderr, exit code 2."""

from __future__ import annotations

from pathlib import Path

from ..domain.money import fmt, from_fen
from ..domain.problems import Problem, ProblemsError
from .failures import reported as _command
from .ledger_cmd import _open


def register(sub, db, ro) -> None:
    p = sub.add_parser("backup", parents=[ro], help="备份台账（默认存入台账旁的 备份 文件夹）")
    p.add_argument("--to", metavar="文件", help="备份到指定文件")
    p.add_argument("--list", action="store_true", help="列出已有备份")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", parents=[db], help="用备份恢复台账：先列出备份中没有的记录，确认后恢复（当前台账另存）")
    p.add_argument("backup", nargs="?", metavar="备份文件", help="默认：最近的一份正常备份")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复（先看清列出的将丢失记录）")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("check", parents=[ro], help="检查台账：完整性、触发器、日志哈希链、票据连续、金额合计（有问题退出码 1）")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("dropped-receipts", parents=[ro], help="作废票据号清单：开出过但不在本台账中的票据号（恢复备份后）")
    p.add_argument("-o", "--output", metavar="文件", help="写成 Excel 文件（.xlsx）以便打印")
    p.set_defaults(func=cmd_dropped)


@_command
def cmd_backup(args) -> int:
    from ..ledger import resolve_path
    from ..ledger.backup import backup_infos, backup_ledger, list_damaged

    path = resolve_path(args.db)
    if args.list:
        for b in backup_infos(path):
            print(f"{b.path}  {b.size // 1024} KB  已校验 {b.verified_at:%Y-%m-%d %H:%M}")
        for b in list_damaged(path):
            print(f"{b}  （损坏台账的副本，不能用于恢复）")
        return 0
    if not path.exists():
        raise ProblemsError([Problem("台账", f"台账文件不存在：{path}")])
    dest = backup_ledger(path, Path(args.to) if args.to else None)  # checks the ledger first, the copy after
    print(f"已备份到：{dest}（已校验）")
    return 0


@_command
def cmd_restore(args) -> int:
    import sys

    from ..ledger import resolve_path
    from ..ledger.backup import list_backups
    from ..ledger.restore import preview, restore

    path = resolve_path(args.db)
    source = Path(args.backup) if args.backup else (list_backups(path) or [None])[-1]
    if source is None or not source.exists():
        raise ProblemsError([Problem("备份", f"找不到备份文件：{source or '（没有正常的自动备份）'}")])
    session = _restore_login(args, path, source)  # before anything is shown or replaced
    pv = preview(source, path)
    for line in pv.lines():
        print(line)
    if not pv.usable:
        return 2
    if not args.yes:
        if not sys.stdin.isatty():
            print("未恢复：请看清上面列出的记录，确认后加 --yes 再运行", file=sys.stderr)
            return 2
        if input("确认恢复？输入 y 恢复，其他键取消：").strip().lower() not in ("y", "yes", "是"):
            print("已取消，台账没有改动")
            return 1
    out = restore(source, path, operator=session, expect=pv)
    print(f"已用 {source} 恢复台账 {path}" + (f"；恢复前的台账另存为 {out.saved}" if out.saved else "")
          + (f"；{out.dropped} 个票据号列入作废票据号清单（canbao dropped-receipts）" if out.dropped else ""))
    return 0


def _restore_login(args, path: Path, source: Path):
    """Log in (``restore`` permission) on the current ledger; where it is damaged or missing, on a scratch copy
    of the backup (its operators are the ledger's as they were)."""
    import shutil
    import tempfile

    from ..ledger.db import LedgerDamaged, LedgerError
    from .login import open_as_operator

    try:
        with _open(args) as lg:
            lg.require("restore")
            return lg.session
    except (LedgerDamaged, LedgerError):
        if path.exists() and not _unreadable(path):
            raise
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "login.db"
        shutil.copyfile(source, scratch)
        with open_as_operator(scratch, getattr(args, "operator", None), backup=False) as lg:
            lg.require("restore")
            return lg.session


def _unreadable(path: Path) -> bool:
    from ..ledger import health

    return bool(health.read_mark(path) or health.quick_problems(path))


@_command
def cmd_check(args) -> int:
    import sys

    from ..ledger import open_ledger

    from .login import log_in

    with open_ledger(args.db, backup=False, damaged_ok=True) as lg:
        if lg.damage:  # nobody can log in to a file that cannot be read: the check says what is wrong
            print("台账文件已损坏，已停止记账；请用 canbao restore 从备份恢复", file=sys.stderr)
        else:
            log_in(lg, getattr(args, "operator", None))
        tty = sys.stderr.isatty()
        problems = lg.check(progress=(lambda d, t: print(f"\r检查中 {d}/{t}", end="", file=sys.stderr)) if tty else None)
        if tty:
            print(file=sys.stderr)
    for p in problems:
        print(f"问题：{p}")
    print("检查通过：完整性、触发器、日志哈希链、票据连续、缴费与日志、金额合计均无问题" if not problems
          else f"共 {len(problems)} 个问题")
    return 1 if problems else 0


@_command
def cmd_dropped(args) -> int:
    from ..ledger.receipts import list_dropped, write_dropped

    with _open(args) as lg:
        rows = list_dropped(lg)
        for d in rows:
            amount = f"{fmt(from_fen(d.amount_fen))} 元" if d.amount_fen is not None else "金额不详"
            print(f"{d.receipt_no}  {amount}  {d.paid_on or '日期不详'}  户 {d.household or '不详'}  {d.reason}")
        print(f"共 {len(rows)} 个作废票据号")
        if args.output:
            print(f"已写入：{write_dropped(lg, args.output)}")
    return 0
