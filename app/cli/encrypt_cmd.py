"""The ledger password from a terminal (issue 14).

* Every command on an encrypted ledger: the password from ``CANBAO_LEDGER_PASSWORD`` or, in a terminal, a
  prompt that does not echo (``unlock_for``; called once by ``main`` before the command runs).
* ``canbao ledger init``: a new ledger is encrypted when a password is given the same way (``new_ledger_key``);
  ``--recovery-sheet FILE.pdf`` prints the recovery key.
* ``canbao ledger encrypt``: converts a plaintext ledger in place; the plaintext copy is removed (overwritten)
  after the encrypted ledger has been opened and checked, with ``--yes`` or the user's answer; else later with
  ``canbao ledger encrypt --finish``.
* ``canbao ledger password``: changes the password of an encrypted ledger (``app.ledger.rekey``): the current
  one (``CANBAO_LEDGER_PASSWORD`` or a prompt), the new one twice (``CANBAO_NEW_LEDGER_PASSWORD`` for scripts),
  as a 专干 / 管理员 logged in; ``--recovery-sheet`` prints the new recovery key (the old sheet no longer opens it).
"""

from __future__ import annotations

import getpass
import os
import sys

from ..domain.problems import Problem, ProblemsError
from ..ledger import encryption
from ..ledger import password as pw
from .failures import reported


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def unlock_for(args) -> None:
    """Before a command: an encrypted ``--db`` ledger — or an encrypted file named by another argument, such
    as the backup to restore on a new computer — is unlocked from the environment or a prompt."""
    from pathlib import Path

    from ..ledger import resolve_path

    paths = []
    ledger = None
    if hasattr(args, "db") and getattr(args, "ledger_command", None) not in ("init", "password"):
        ledger = resolve_path(args.db)  # (password: asks for the current password itself)
        paths.append(ledger)
    for name, value in sorted(vars(args).items()):
        if name != "db" and isinstance(value, (str, Path)) and value and len(str(value)) < 4096:
            try:
                if Path(value).is_file():
                    paths.append(Path(value))
            except (OSError, ValueError):
                continue
    for path in paths:
        if encryption.needs_password(path):
            prompt = getpass.getpass if _interactive() else None
            if prompt is not None and path != ledger:  # a backup: under the password the ledger had then
                prompt = lambda _text, _p=path: getpass.getpass(  # noqa: E731
                    f"台账密码（{_p.name}；修改过密码的，输入做这份备份时的密码）：")
            encryption.unlock_from_env_or_prompt(path, prompt)


NEW_ENV = "CANBAO_NEW_LEDGER_PASSWORD"  # canbao ledger password, in scripts: the new password


def ask_new_password(env: str = pw.ENV, changing: bool = False) -> str | None:
    """A new ledger password: the environment variable, or asked twice in a terminal with advice. None: no
    password (not a terminal and no variable, or an empty answer)."""
    secret = os.environ.get(env)
    if secret is None and changing:
        if not _interactive():
            return None
        print(f"设置新的台账密码：至少 {pw.MIN_LENGTH} 位，字母、数字、符号混用更安全。", file=sys.stderr)
        while True:
            secret = getpass.getpass("新密码：")
            if not secret:
                return None
            s = pw.strength(secret)
            if not s.acceptable:
                print("不能用这个密码：" + "；".join(s.advice), file=sys.stderr)
                continue
            if getpass.getpass("再输入一次新密码：") != secret:
                print("两次输入不一致，请重新输入。", file=sys.stderr)
                continue
            print(f"密码强度：{s.label}。" + "；".join(s.advice), file=sys.stderr)
            return secret
    if secret is None:
        if not _interactive():
            return None
        print("设置台账密码（台账和备份将加密；直接回车则不加密，不推荐）。", file=sys.stderr)
        print(f"密码至少 {pw.MIN_LENGTH} 位，字母、数字、符号混用更安全。忘记密码又没有恢复单，台账将无法打开。",
              file=sys.stderr)
        while True:
            secret = getpass.getpass("台账密码：")
            if not secret:
                print("未设密码：台账不加密。", file=sys.stderr)
                return None
            s = pw.strength(secret)
            if not s.acceptable:
                print("不能用这个密码：" + "；".join(s.advice), file=sys.stderr)
                continue
            if getpass.getpass("再输入一次：") != secret:
                print("两次输入不一致，请重新设置。", file=sys.stderr)
                continue
            print(f"密码强度：{s.label}。" + "；".join(s.advice), file=sys.stderr)
            return secret
    problems = encryption.password_problems(secret)
    if problems:
        raise ProblemsError([Problem(env, p.message) for p in problems])
    return secret


def new_ledger_key() -> str | None:
    secret = ask_new_password()
    return encryption.new_key(secret) if secret else None


def write_sheet(path, keyspec: str, ledger_path, township: str = "") -> None:
    from ..paper.recovery_sheet import write_recovery_sheet

    out = write_recovery_sheet(path, keyspec, ledger_path, township)
    print(f"已生成恢复单：{out}（打印后锁好，并删除这个文件）")


def register(ls, db) -> None:
    p = ls.add_parser("encrypt", parents=[db],
                      help="把未加密的台账就地加密（设台账密码；明文副本在确认加密台账能打开后删除）")
    p.add_argument("--yes", action="store_true", help="加密并核对无误后，不再询问，直接删除（覆盖）明文副本")
    p.add_argument("--keep-plaintext", action="store_true", help="暂时保留明文副本（之后用 --finish 删除）")
    p.add_argument("--finish", action="store_true", help="删除上次加密留下的明文副本，并加密以前的备份")
    p.add_argument("--recovery-sheet", metavar="恢复单PDF", help="同时生成恢复单 PDF（恢复密钥，打印后锁好）")
    p.set_defaults(func=cmd_encrypt)

    p = ls.add_parser("password", parents=[db],
                      help="修改台账密码（台账和旁边的备份改用新密码；须专干或管理员，记入操作日志）",
                      epilog=f"当前密码在终端输入或用环境变量 {pw.ENV}；新密码在终端输入两次，或用环境变量 {NEW_ENV}。"
                             "修改前做的、不在「备份」文件夹里的备份（如U盘上的）仍用原密码打开。")
    p.add_argument("--recovery-sheet", metavar="恢复单PDF", help="同时生成新密码的恢复单 PDF（原恢复单从此打不开台账）")
    p.add_argument("--backup-folder", action="append", default=[], metavar="文件夹",
                   help="另一个放本台账备份的文件夹（如U盘），其中的备份也改用新密码（可多次）")
    p.set_defaults(func=cmd_password)


@reported
def cmd_encrypt(args) -> int:
    from ..ledger import open_ledger, resolve_path, sqlite_driver

    path = resolve_path(args.db)
    if args.finish:
        if encryption.pending_conversion(path) is None and not encryption.is_encrypted(path):
            raise ProblemsError([Problem(str(path), "台账没有加密，没有要删除的明文副本")])
        done = encryption.finish_conversion(path)
        print(f"已删除明文副本；已加密以前的备份 {len(done)} 份")
        return 0
    if encryption.is_encrypted(path):
        raise ProblemsError([Problem(str(path), "台账已经加密了")])
    secret = ask_new_password()
    if not secret:
        raise ProblemsError([Problem("台账密码", f"请设置台账密码：在终端中运行，或用环境变量 {pw.ENV}")])
    conv = encryption.encrypt_in_place(path, secret)
    with open_ledger(path, backup=False) as lg:  # opens with the new key: the proof before anything is removed
        members = lg.members.count()
        township = lg.settings.get().township if lg.settings.initialized() else ""
    print(f"已加密台账：{path}（{conv.tables} 张表、{conv.rows} 行，核对一致；{members} 人）")
    if args.recovery_sheet:
        write_sheet(args.recovery_sheet, sqlite_driver.known_key(path), path, township)
    remove = args.yes
    if not remove and not args.keep_plaintext and _interactive():
        remove = input(f"加密台账已能打开。删除（覆盖）明文副本 {conv.plaintext_kept.name} 并加密以前的备份？[y/N] "
                       ).strip().lower() in ("y", "yes", "是")
    if remove:
        done = encryption.finish_conversion(path)
        print(f"已删除明文副本；已加密以前的备份 {len(done)} 份")
    else:
        print(f"明文副本保留在：{conv.plaintext_kept}（确认无误后运行 canbao ledger encrypt --finish 删除）")
    return 0


@reported
def cmd_password(args) -> int:
    """``canbao ledger password``: the current password, the new one twice, a 专干 / 管理员 logged in."""
    from ..ledger import rekey, resolve_path, sqlite_driver
    from .login import open_as_operator

    path = resolve_path(args.db)
    if not path.exists():
        raise ProblemsError([Problem(str(path), "台账文件不存在")])
    if not encryption.is_encrypted(path):
        raise ProblemsError([Problem(str(path), "台账没有加密，没有密码可改：请用 canbao ledger encrypt 设置台账密码")])
    old = os.environ.get(pw.ENV)
    if old is None:
        if not _interactive():
            raise ProblemsError([Problem("当前密码", f"请在终端中运行以输入当前台账密码，或设置环境变量 {pw.ENV}")])
        old = getpass.getpass(f"当前台账密码（{path.name}）：")
    rekey.check_old_password(path, old)  # before the login and the new password: a wrong one stops here
    with open_as_operator(path, getattr(args, "operator", None), backup=False) as lg:
        lg.require(rekey.PERMISSION)
        session = lg.session
        township = lg.settings.get().township if lg.settings.initialized() else ""
    new = ask_new_password(NEW_ENV, changing=True)
    if not new:
        raise ProblemsError([Problem("新密码", f"请输入新的台账密码：在终端中运行，或用环境变量 {NEW_ENV}")])
    out = rekey.change_password(path, old, new, operator=session, also=args.backup_folder)
    print(f"已修改台账密码：{path}（{out.tables} 张表、{out.rows} 行，核对一致）")
    print(f"{len(out.backups)} 份备份已改用新密码"
          + (f"；{len(out.backups_left)} 份读不出，仍是原密码：" + "、".join(b.name for b in out.backups_left)
             if out.backups_left else ""))
    print("原来的恢复单从此打不开台账。修改前复制到别处（如U盘）的备份仍用原密码：恢复时会询问做备份时的密码。")
    if args.recovery_sheet:
        write_sheet(args.recovery_sheet, sqlite_driver.known_key(path), path, township)
    return 0
