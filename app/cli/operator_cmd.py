"""``canbao ledger operator …``: who may log in to a ledger, with which role (app.ledger.operators)."""

from __future__ import annotations

from ..domain.problems import Problem, ProblemsError
from .failures import reported as _command
from .ledger_cmd import _open


def register(ls, db, ro) -> None:
    oo = ls.add_parser("operator", help="操作员：列出（list）、添加（add）、改口令（pin）、改角色（role）、停用（disable）")
    os_ = oo.add_subparsers(dest="operator_command", metavar="子命令")
    p = os_.add_parser("list", parents=[ro], help="列出操作员和角色")
    p.set_defaults(func=cmd_operator_list)
    p = os_.add_parser("add", parents=[db], help="添加操作员（须管理员；新口令在终端输入，或用环境变量 CANBAO_NEW_PIN）")
    p.add_argument("name", metavar="姓名", help="新操作员的姓名")
    p.add_argument("--role", default="网格员", metavar="角色", help="网格员 / 专干 / 管理员（默认 网格员）")
    p.set_defaults(func=cmd_operator_add)
    p = os_.add_parser("pin", parents=[db], help="更改口令（自己的；管理员可改任何人的）")
    p.add_argument("name", nargs="?", metavar="姓名", help="默认：登录的操作员自己")
    p.set_defaults(func=cmd_operator_pin)
    p = os_.add_parser("role", parents=[db], help="更改角色（须管理员）")
    p.add_argument("name", metavar="姓名", help="操作员姓名")
    p.add_argument("role", metavar="角色", help="网格员 / 专干 / 管理员")
    p.set_defaults(func=cmd_operator_role)
    p = os_.add_parser("disable", parents=[db], help="停用操作员（记录保留，不能再登录；须管理员）")
    p.add_argument("name", metavar="姓名", help="操作员姓名")
    p.set_defaults(func=cmd_operator_disable)
    oo.set_defaults(func=lambda a: (oo.print_help(), 0)[1])


def _new_pin(name: str) -> str:
    import getpass
    import os
    import sys

    pin = os.environ.get("CANBAO_NEW_PIN")
    if pin is not None:
        return pin
    if not sys.stdin.isatty():
        raise ProblemsError([Problem("口令", f"请在终端中运行以输入 {name} 的新口令，或设置环境变量 CANBAO_NEW_PIN")])
    pin = getpass.getpass(f"{name} 的新口令：")
    if getpass.getpass("再输入一次：") != pin:
        raise ProblemsError([Problem("口令", "两次输入的口令不一致")])
    return pin


@_command
def cmd_operator_list(args) -> int:
    with _open(args) as lg:
        for o in lg.operators.list(include_disabled=True):
            print(f"{o.name}  {o.role}" + ("  （已停用）" if o.disabled else ""))
    return 0


@_command
def cmd_operator_add(args) -> int:
    with _open(args) as lg:
        lg.require("operators")
        lg.operators.add(args.name, args.role, _new_pin(args.name))
        print(f"已添加操作员 {args.name}（{args.role}）")
    return 0


@_command
def cmd_operator_pin(args) -> int:
    with _open(args) as lg:
        name = args.name or lg.session.name
        lg.operators.set_pin(name, _new_pin(name))
        print(f"已更改 {name} 的口令")
    return 0


@_command
def cmd_operator_role(args) -> int:
    with _open(args) as lg:
        lg.operators.set_role(args.name, args.role)
        print(f"{args.name} 的角色已改为 {args.role}")
    return 0


@_command
def cmd_operator_disable(args) -> int:
    with _open(args) as lg:
        lg.operators.disable(args.name)
        print(f"已停用操作员 {args.name}")
    return 0
