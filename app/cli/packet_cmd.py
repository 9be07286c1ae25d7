"""``canbao packet write|preview|apply``: exchange packets between the township and its stations (app.sync)."""

from __future__ import annotations

import argparse

from .failures import fail, reported
from .login import HELP_OPERATOR, open_as_operator

DB_HELP = "台账文件（默认：环境变量 CANBAO_DB，否则用户数据目录）"


def register(sub) -> None:
    p = sub.add_parser("packet", help="交换包：村（网格）站与乡镇之间交换数据（生成、预览、导入）",
                       description="交换包：本站自上次对方确认以来的全部改动（户、人员、类别、状态、缴费、作废、退费、"
                                   "日志），加密并签名。可重复发送、乱序到达、丢失（下一个包会补上）。",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao packet write --to 0 -o U盘/        （村站写给乡镇）\n"
                              "    canbao packet preview U盘/220112-003-2025-to-000-00007.canbao-packet\n"
                              "    canbao packet apply U盘/220112-003-2025-to-000-00007.canbao-packet")
    verbs = p.add_subparsers(dest="verb", metavar="操作", title="操作")
    w = verbs.add_parser("write", help="生成交换包", description="生成发给某站的交换包（乡镇为站点 0）")
    w.add_argument("--to", required=True, metavar="站点", help="对方站点：编号（乡镇为 0）或站点代码，如 220112-003")
    w.add_argument("-o", "--output", required=True, metavar="文件或文件夹", help="写到这个文件，或这个文件夹（自动命名）")
    pv = verbs.add_parser("preview", help="预览交换包（不写入台账）", description="列出交换包会带来的改动和冲突，台账不作改动")
    pv.add_argument("packet", metavar="交换包文件", help="要预览的交换包（.canbao-packet）")
    a = verbs.add_parser("apply", help="导入交换包", description="导入交换包（一次完成；有问题则台账不作任何改动）")
    a.add_argument("packet", metavar="交换包文件", help="要导入的交换包（.canbao-packet）")
    k = verbs.add_parser("key", help="本站的签名公钥；乡镇登记某站的公钥",
                         description="交换包由发出站用自己的密钥签名（Ed25519）。不加参数：显示本站的签名公钥和指纹；"
                                     "加 --record：乡镇登记某站的公钥（拆分出的站点已自动登记；未登记的站点，"
                                     "以它的第一个交换包带来的公钥为准）")
    k.add_argument("--record", metavar="站点", help="要登记公钥的站点：编号或站点代码")
    k.add_argument("--key", metavar="公钥", help="该站 canbao packet key 显示的 64 位公钥")
    for x in (w, pv, a, k):
        x.add_argument("--db", metavar="台账文件", help=DB_HELP)
        x.add_argument("--operator", metavar="姓名", help=HELP_OPERATOR)
        x.set_defaults(func=_run)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _counts(counts: dict) -> None:
    from ..sync.fields import count_rows

    for name, kind, n in count_rows(counts):
        print(f"  {name} {kind}：{n}")


@reported
def _run(args) -> int:
    from ..sync import packets

    with open_as_operator(args.db, args.operator, backup=args.verb == "apply") as lg:
        if args.verb == "key":
            return _key(lg, args)
        if args.verb == "write":
            s = packets.write_packet(lg, args.to, args.output)
            print(f"已生成交换包：{s.path}")
            print(f"  发给站点 {s.receiver}，第 {s.packet_no} 个包，{s.entries} 批改动共 {s.changes} 条"
                  f"（其中本次新增 {s.new_changes} 条），{s.size} 字节")
            return 0
        if args.verb == "preview":
            pv = packets.preview_packet(lg, args.packet)
            if not pv.ok:
                return fail(list(pv.problems))
            print(f"交换包：来自站点 {pv.sender}（{pv.sender_code}），第 {pv.packet_no} 个包")
            if pv.already_applied:
                print(f"  其中 {pv.already_applied} 批以前已导入，跳过")
            _counts(pv.counts)
            for c in pv.conflicts:
                print(f"  冲突：{c}")
            for line in (*pv.notes, *pv.policies):
                print(f"  {line}")
            print("（预览：台账未作改动）")
            return 0
        r = packets.apply_packet(lg, args.packet)
        if not r.ok:
            return fail(list(r.problems))
        print(f"已导入来自站点 {r.sender} 的交换包：{r.applied_entries} 批改动（{r.skipped_entries} 批以前已导入）")
        _counts(r.counts)
        for line in (*r.notes, *r.policies):
            print(f"  {line}")
        if r.new_conflicts:
            print(f"新发现冲突 {r.new_conflicts} 处，请用 canbao conflicts list 查看，由专干处理")
        return 0


def _key(lg, args) -> int:
    from ..domain.problems import Problem, ProblemsError
    from ..sync import packets, signing

    if args.record:
        if not args.key:
            return fail([Problem("--key", "登记公钥须同时给出 --key（该站 canbao packet key 显示的 64 位公钥）")])
        number = packets._station_number(lg, args.record)
        new = signing.record_key(lg, number, args.key)
        print(f"{'已登记' if new else '已是登记的公钥'}：站点 {number:03d}，指纹 {signing.fingerprint(args.key.strip().lower())}")
        return 0
    key = signing.own_public_key(lg.db)
    if key is None:
        raise ProblemsError([Problem("站点", "本台账还没有签名密钥（设定站点后生成）")])
    print(f"本站签名公钥：{key}")
    print(f"指纹：{signing.fingerprint(key)}")
    for number, public_key, how in lg.db.execute("SELECT number, public_key, how FROM station_keys ORDER BY number"):
        print(f"  站点 {number:03d}：{signing.fingerprint(public_key)}（{how}）")
    return 0
