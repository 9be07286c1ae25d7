"""``canbao policy list|show|check``."""

from __future__ import annotations

import sys

from ..domain.explain import explain_policy
from ..domain.policy_loader import load_policy
from ..policy_catalog import UnknownPolicy, catalog, get_policy
from .zh_argparse import table


def register(sub) -> None:
    p = sub.add_parser("policy", help="政策文件：列出、查看、检查")
    psub = p.add_subparsers(dest="policy_command", metavar="子命令")
    ls = psub.add_parser("list", help="列出 policies/ 中的全部政策：编号、年度、文号、集中缴费期、名称")
    ls.set_defaults(func=cmd_list)
    show = psub.add_parser("show", help="用中文概述一项政策：缴费标准、资助、缴费期、待遇期，各注明条款")
    show.add_argument("policy_id", metavar="政策编号", help="如 changchun-2025，见 canbao policy list")
    show.set_defaults(func=cmd_show)
    check = psub.add_parser("check", help="检查政策文件，一次列出全部问题（有问题时退出码 1）")
    check.add_argument("files", nargs="+", metavar="政策文件", help="一个或多个 .toml 政策文件")
    check.set_defaults(func=cmd_check)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def cmd_list(args) -> int:
    policies, problems = catalog()
    rows = [["编号", "年度", "文号", "集中缴费期", "名称"]]
    for pid in sorted(policies):
        p = policies[pid]
        rows.append([pid, str(p.year), p.source.doc_number, f"{p.window.start} 至 {p.window.end}", p.name])
    for line in table(rows):  # aligned by display width: a Chinese character takes two columns
        print(line)
    for problem in problems:
        print(f"（未载入）{problem}", file=sys.stderr)
    return 0


def cmd_show(args) -> int:
    try:
        policy = get_policy(args.policy_id)
    except UnknownPolicy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(explain_policy(policy), end="")
    return 0


def cmd_check(args) -> int:
    bad = 0
    for f in args.files:
        policy, problems = load_policy(f)
        for problem in problems:
            print(problem)
        if problems:
            bad += 1
            print(f"✗ {f}：{len(problems)} 个问题")
        else:
            print(f"✓ {f}：无问题（{policy.id}，{policy.name}）")
    return 1 if bad else 0
