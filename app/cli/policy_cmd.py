"""``canbao policy list|show|check``."""

from __future__ import annotations

import sys

from ..domain.explain import explain_policy
from ..domain.policy_loader import load_policy
from ..policy_catalog import UnknownPolicy, add_user_policy, catalog, get_policy, origin, user_policies_dir
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
    new = psub.add_parser("new", help="复制一项政策作为新年度政策：日期顺延，每个日期、金额、条款标“待核对”")
    new.add_argument("--from", dest="source", required=True, metavar="政策编号", help="作为底稿的政策编号，如 changchun-2025")
    new.add_argument("--year", required=True, type=int, metavar="年度", help="新参保年度，如 2026")
    new.add_argument("--to", metavar="文件", help="写到哪个文件（默认：用户政策文件夹中的 新编号.toml）")
    new.set_defaults(func=cmd_new)
    add = psub.add_parser("add", help="检查政策文件，无问题则加入用户政策文件夹（与内置政策并列）")
    add.add_argument("file", metavar="政策文件", help="要加入的 .toml 政策文件")
    add.set_defaults(func=cmd_add)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def cmd_list(args) -> int:
    policies, problems = catalog()
    rows = [["编号", "年度", "文号", "集中缴费期", "名称"]]
    for pid in sorted(policies):
        p = policies[pid]
        mine = "" if origin(pid).shipped else f"（用户政策：{p.path}）"
        rows.append([pid, str(p.year), p.source.doc_number, f"{p.window.start} 至 {p.window.end}", p.name + mine])
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


def cmd_new(args) -> int:
    from pathlib import Path

    from ..domain.policy_new import new_policy_text

    try:
        source = get_policy(args.source)
    except UnknownPolicy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if not 2000 <= args.year <= 2100:
        print(f"错误：--year {args.year} 不合理", file=sys.stderr)
        return 2
    text, new_id = new_policy_text(Path(source.path).read_text(encoding="utf-8-sig"), source.id, source.year, args.year)
    if new_id in catalog()[0]:
        print(f"错误：政策编号 {new_id} 已存在（{get_policy(new_id).path}）", file=sys.stderr)
        return 2
    target = Path(args.to) if args.to else user_policies_dir() / f"{new_id}.toml"
    if target.exists():
        print(f"错误：文件已存在，不覆盖：{target}", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    marks = text.count("# 待核对")
    print(f"已写出 {target}（政策编号 {new_id}）：{marks} 行标了“待核对”。")
    print(f"请逐行与新文件核对、修改并删除标记，然后运行：canbao policy check {target}")
    return 0


def cmd_add(args) -> int:
    policy, problems = add_user_policy(args.file)
    for problem in problems:
        print(problem)
    if policy is None:
        print(f"✗ 未加入：{len(problems)} 个问题")
        return 1
    print(f"✓ 已加入 {policy.id}（{policy.name}）：{policy.path}")
    return 0
