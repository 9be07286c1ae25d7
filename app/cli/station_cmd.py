"""``canbao station …``: which station (乡镇 / 村 / 网格) a ledger is, the township's list of stations,
splitting a village out of the township's ledger into its own (app.ledger.stations, app.ledger.split), and
joining a village ledger already in use to the township (``invite`` at the township, ``join`` at the village:
app.ledger.join_card, app.ledger.join)."""

from __future__ import annotations

import argparse

from .failures import reported
from .login import HELP_OPERATOR, open_as_operator

KIND_HELP = "乡镇 / 村 / 网格"


def register(sub) -> None:
    st = sub.add_parser("station", help="站点：本台账是哪个站点、乡镇的站点清单、拆分村台账",
                        description="站点：每本台账属于一个站点（乡镇本级 000，村或网格 001–999）。\n"
                                    "票据号带站点代码，全乡镇不重号。乡镇台账可把一个村拆分为它自己的台账。",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="例：canbao station setup --code 220112-000 --name 双阳镇 --kind 乡镇\n"
                               "    canbao station split --village 东风村 --out 东风村.canbao.db\n"
                               "    canbao station invite --village 南沟村 --out U盘/      （乡镇：给已在用的村台账发入站文件）\n"
                               "    canbao station join U盘/220112-003-南沟村.canbao-join --code-word 1234-5678-9012\n"
                               "    canbao station show")
    ro = argparse.ArgumentParser(add_help=False)
    ro.add_argument("--db", metavar="台账文件", help="台账文件（默认：环境变量 CANBAO_DB，否则数据文件夹中的台账）")
    db = argparse.ArgumentParser(add_help=False, parents=[ro])
    db.add_argument("--operator", metavar="姓名", help=HELP_OPERATOR)
    ss = st.add_subparsers(dest="station_command", metavar="子命令")

    p = ss.add_parser("show", parents=[ro], help="本台账的站点和已知的全部站点",
                      description="显示本台账的站点，以及本台账记录的乡镇全部站点（乡镇台账上即各村、网格的站点）。")
    p.set_defaults(func=cmd_show)

    for name, what in (("setup", "设定本台账的站点（须专干或管理员；代码一经设定不能更换）"),
                       ("add", "在乡镇的站点清单中登记另一个站点（须专干或管理员）")):
        p = ss.add_parser(name, parents=[db], help=what, description=what + "。站点代码为「乡镇代码-三位编号」，"
                                                                           "乡镇本级编号 000。")
        p.add_argument("--code", required=True, metavar="站点代码", help="如 220112-003（乡镇代码-三位编号）")
        p.add_argument("--name", required=True, metavar="名称", help="站点名称，如 东风村")
        p.add_argument("--kind", required=True, metavar="类型", help=KIND_HELP)
        p.add_argument("--parent", default="", metavar="上级站点代码", help="村和网格须填，如 220112-000")
        p.add_argument("--village", default="", metavar="村", help="该站点负责的村（社区），须是台账中的村名")
        p.set_defaults(func=cmd_setup if name == "setup" else cmd_add)

    p = ss.add_parser("split", parents=[db], help="把一个村拆分为它自己的台账（给村里一台电脑）",
                      description="把一个村从乡镇台账中拆分出来，写成一本新台账：该村的户、人员、类别、\n"
                                  "状态、缴费和票据、认定后补付、操作日志，以及政策、设置和操作员；\n"
                                  "新台账的站点为该村，分配新的站点编号。乡镇台账登记这个新站点，其余不变。\n"
                                  "新文件要么完整写成，要么不留下。",
                      formatter_class=argparse.RawDescriptionHelpFormatter,
                      epilog="例：canbao station split --village 东风村 --out E:\\东风村.canbao.db")
    p.add_argument("--village", required=True, metavar="村", help="要拆分的村（社区）名称")
    p.add_argument("--out", required=True, metavar="新台账文件", help="新台账写到哪里（文件不能已存在）")
    p.add_argument("--kind", default="村", metavar="类型", help="新站点的类型：村 或 网格（默认 村）")
    p.add_argument("--name", metavar="名称", help="新站点的名称（默认：村名）")
    p.set_defaults(func=cmd_split)

    p = ss.add_parser("invite", parents=[db], help="乡镇：给一台已在用（设定站点以前）的村电脑发入站文件",
                      description="在乡镇台账上登记一个新站点，并写出它的入站文件（加密，附 12 位入站码）。\n"
                                  "把文件拷到村里的电脑，当面或电话告知入站码，在村里运行 canbao station join。\n"
                                  "入站码只显示这一次，不要与文件一起发送。",
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--village", default="", metavar="村", help="该站点负责的村（社区），须是乡镇台账中的村名")
    p.add_argument("--out", required=True, metavar="文件或文件夹", help="入站文件写到哪里（文件夹：自动命名）")
    p.add_argument("--kind", default="村", metavar="类型", help="村 或 网格（默认 村）")
    p.add_argument("--name", metavar="名称", help="站点名称（默认：村名）")
    p.add_argument("--number", type=int, metavar="编号", help="站点编号 1–999（默认：下一个空号）")
    p.set_defaults(func=cmd_invite)

    p = ss.add_parser("join", parents=[db], help="村：把设定站点以前就在用的台账加入乡镇（成为乡镇的一个站点）",
                      description="用乡镇发来的入站文件，把本台账变成乡镇的一个站点：先自动备份；全部记录换成\n"
                                  "本站的编号段；已开出的票据号不变，前面加上站点代码（如 220112-003:2025-000017），\n"
                                  "居民拿来的旧票据照样查得到、补打仍是原号；以后的新票据为 220112-003-2025-000018 起。\n"
                                  "要么全部完成，要么台账保持原样。之后第一个交换包把全部数据带给乡镇。",
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("card", metavar="入站文件", help="乡镇发来的 .canbao-join 文件")
    p.add_argument("--code-word", required=True, metavar="入站码", help="乡镇告知的 12 位入站码")
    p.add_argument("--preview", action="store_true", help="只显示加入会做什么，不写入")
    p.set_defaults(func=cmd_join)
    st.set_defaults(func=lambda a: (st.print_help(), 0)[1])


def _describe(s, mine: bool = False) -> str:
    where = f"  负责：{s.village}" if s.village else ""
    parent = f"  上级：{s.parent}" if s.parent else ""
    return f"{'* ' if mine else '  '}{s.code}  {s.kind}  {s.name}{where}{parent}"


@reported
def cmd_show(args) -> int:
    from ..ledger import open_ledger, stations

    with open_ledger(args.db, backup=False) as lg:
        mine = stations.current(lg)
        if mine is None:
            print("本台账尚未设定站点（票据号为 年度-序号；设定：canbao station setup）")
        else:
            print(f"本台账站点：{mine.code} {mine.name}（{mine.kind}），票据号如 "
                  f"{stations.receipt_number(mine, lg.settings.get().year, mine.seq_base + 1)}")
        others = stations.known(lg)
        if others:
            print("已知站点（* 为本台账）：")
            for s in others:
                print(_describe(s, mine is not None and s.code == mine.code))
    return 0


@reported
def cmd_setup(args) -> int:
    from ..ledger import stations

    with open_as_operator(args.db, args.operator) as lg:
        s = stations.set_up(lg, code=args.code, name=args.name, kind=args.kind, parent=args.parent,
                            village=args.village)
        print(f"本台账站点：{s.code} {s.name}（{s.kind}）")
    return 0


@reported
def cmd_add(args) -> int:
    from ..ledger import stations

    with open_as_operator(args.db, args.operator) as lg:
        s = stations.record(lg, code=args.code, name=args.name, kind=args.kind, parent=args.parent,
                            village=args.village)
        print(f"已登记站点：{_describe(s).strip()}")
    return 0


@reported
def cmd_split(args) -> int:
    from ..ledger.split import split_village

    with open_as_operator(args.db, args.operator) as lg:
        out = split_village(lg, args.village, args.out, kind=args.kind, name=args.name)
    c = out.counts
    print(f"已拆分：{out.path}")
    print(f"新站点：{out.station.code} {out.station.name}（{out.station.kind}），已登记在本乡镇台账中")
    print(f"带出：{c.get('households', 0)} 户，{c.get('members', 0)} 人，{c.get('payments', 0)} 笔缴费，"
          f"{c.get('audit', 0)} 条操作日志，{c.get('operators', 0)} 名操作员")
    if out.carried_along:
        print(f"另有 {out.carried_along} 人不在该村，但与该村的缴费同票（缴费后迁出等），一并带出")
    return 0


@reported
def cmd_invite(args) -> int:
    from ..ledger.join_card import write_card

    with open_as_operator(args.db, args.operator) as lg:
        w = write_card(lg, args.out, village=args.village, name=args.name, kind=args.kind, number=args.number)
    print(f"已登记站点：{w.station.code} {w.station.name}（{w.station.kind}）")
    print(f"入站文件：{w.path}")
    print(f"入站码：{w.code_word}（只显示这一次：当面或电话告知村里，不要与文件一起发送）")
    return 0


@reported
def cmd_join(args) -> int:
    from ..ledger.join import join_township
    from ..ledger.join_card import read_card

    from ..domain.problems import ProblemsError
    from ..ledger.join import preview

    card = read_card(args.card, args.code_word)
    with open_as_operator(args.db, args.operator) as lg:
        plan = preview(lg, card)
        if not plan.ok:
            raise ProblemsError(list(plan.problems))
        if args.preview:
            print("加入乡镇（预览，未写入）：")
            for line in plan.lines():
                print(f"  {line}")
            return 0
        out = join_township(lg, card)
    c = out.counts
    print(f"本台账已加入乡镇「{card.township_name}」，站点：{out.station.code} {out.station.name}（{out.station.kind}）")
    if out.backup:
        print(f"加入前的备份：{out.backup}")
    print(f"换号：{c.get('households', 0)} 户，{c.get('members', 0)} 人，{c.get('payments', 0)} 笔缴费，"
          f"{c.get('audit', 0)} 条操作日志；{out.villages_matched} 个村与乡镇台账对上")
    if out.receipts:
        print(f"已开出的 {out.receipts} 张票据号不变，前面加站点代码（如 {out.station.code}:2025-000001）；"
              f"新票据从 {out.station.code}-年度-序号 接着编")
    print("下一步：生成交换包给乡镇（canbao packet write --to 0），第一个交换包带上全部数据")
    return 0
