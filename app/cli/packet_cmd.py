"""``canbao packet write|preview|apply|key``: exchange packets between the township and its stations (app.sync);
``key`` shows this station's signing key and the keys on record, records a station's key, changes this station's
key (``--change``) or replaces another station's by hand (``--replace``, app.sync.key_changes)."""

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
                              "    canbao packet apply U盘/220112-003-2025-to-000-00007.canbao-packet\n"
                              "    canbao packet key                                   （本站签名密钥的指纹）\n"
                              "    canbao packet key --change --reason 定期更换           （本站更换签名密钥）\n"
                              "    canbao packet key --replace 220112-003 --from-packet U盘/…canbao-packet \\\n"
                              "        --fingerprint \"1A2B 3C4D 5E6F 7A8B\" --reason 电脑被盗   （专干更换某站的密钥）")
    verbs = p.add_subparsers(dest="verb", metavar="操作", title="操作")
    w = verbs.add_parser("write", help="生成交换包", description="生成发给某站的交换包（乡镇为站点 0）")
    w.add_argument("--to", required=True, metavar="站点", help="对方站点：编号（乡镇为 0）或站点代码，如 220112-003")
    w.add_argument("-o", "--output", required=True, metavar="文件或文件夹", help="写到这个文件，或这个文件夹（自动命名）")
    pv = verbs.add_parser("preview", help="预览交换包（不写入台账）", description="列出交换包会带来的改动和冲突，台账不作改动")
    pv.add_argument("packet", metavar="交换包文件", help="要预览的交换包（.canbao-packet）")
    a = verbs.add_parser("apply", help="导入交换包", description="导入交换包（一次完成；有问题则台账不作任何改动）")
    a.add_argument("packet", metavar="交换包文件", help="要导入的交换包（.canbao-packet）")
    a.add_argument("--confirm-key", metavar="指纹",
                   help="对方站点的签名密钥首次记录时：与该站电话核对过的指纹（该站 canbao packet key 显示）")
    k = verbs.add_parser("key", help="签名密钥：本站的指纹；登记、更换站点的密钥",
                         description="交换包由发出站用自己的密钥签名（Ed25519）。不加参数：显示本站的签名公钥和指纹，"
                                     "以及登记的各站公钥和更换记录。--record：登记某站的公钥（拆分出的站点已自动登记；"
                                     "未登记的站点，它的第一个交换包须核对指纹后导入）。--change：本站更换签名密钥"
                                     "（下一个交换包带着用旧密钥签名的更换证明，对方自动接受，旧密钥从此作废）。"
                                     "--replace：专干更换某站登记的公钥（该站电脑丢失、被盗或重装：须与该站电话核对"
                                     "新指纹、写明原因；此后用旧密钥签名的交换包一律不接受）")
    k.add_argument("--record", metavar="站点", help="要登记公钥的站点：编号或站点代码")
    k.add_argument("--change", action="store_true", help="本站更换签名密钥（须 --reason）")
    k.add_argument("--replace", metavar="站点", help="专干更换这个站点登记的公钥（须 --key 或 --from-packet、"
                                                   "--fingerprint、--reason）")
    k.add_argument("--key", metavar="公钥", help="该站 canbao packet key 显示的 64 位公钥")
    k.add_argument("--from-packet", metavar="交换包文件", help="--replace：用该站发来（被拒收）的交换包里的公钥")
    k.add_argument("--fingerprint", metavar="指纹", help="--replace：该站在电话里念的指纹，如 \"1A2B 3C4D 5E6F 7A8B\"")
    k.add_argument("--reason", metavar="原因", help="--change / --replace：更换的原因（如 电脑被盗、重装系统）")
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
                if pv.refused_key:
                    from ..sync.signing import fingerprint

                    print(f"这个交换包的签名公钥：{pv.refused_key}（指纹 {fingerprint(pv.refused_key)}）")
                return fail(list(pv.problems))
            print(f"交换包：来自站点 {pv.sender}（{pv.sender_code}），第 {pv.packet_no} 个包")
            if pv.already_applied:
                print(f"  其中 {pv.already_applied} 批以前已导入，跳过")
            _counts(pv.counts)
            for c in pv.conflicts:
                print(f"  冲突：{c}")
            for line in (*pv.notes, *pv.policies):
                print(f"  {line}")
            if pv.key_to_confirm:
                print(f"  核对一致后导入：canbao packet apply {args.packet} --confirm-key \"{pv.key_to_confirm}\"")
            print("（预览：台账未作改动）")
            return 0
        r = packets.apply_packet(lg, args.packet, confirm_key=args.confirm_key)
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
    from ..sync import key_changes, packets, signing

    if args.change:
        c = key_changes.change_own_key(lg, args.reason or "")
        print(f"本站已更换签名密钥：新指纹 {c.new_fingerprint}（旧指纹 {c.old_fingerprint}）")
        print("下一个交换包带着用旧密钥签名的更换证明，对方导入后只接受新密钥。"
              "如果旧密钥已丢失或被盗，请把新指纹念给对方专干核对，由专干更换（canbao packet key --replace）")
        return 0
    if args.replace:
        number = packets._station_number(lg, args.replace)
        if bool(args.key) == bool(args.from_packet):
            return fail([Problem("--key", "更换公钥须给出 --key（该站显示的 64 位公钥）或 --from-packet（该站发来的交换包）"
                                          "其中之一")])
        key = args.key or _packet_key(lg, args.from_packet)
        c = key_changes.replace_key(lg, number, key, args.reason or "", args.fingerprint or "")
        print(f"已更换站点 {number:03d} 的签名公钥：{c.old_fingerprint} → {c.new_fingerprint}（{c.reason}）；"
              "用旧密钥签名的交换包从此不再接受")
        return 0
    if args.record:
        if not args.key:
            return fail([Problem("--key", "登记公钥须同时给出 --key（该站 canbao packet key 显示的 64 位公钥）")])
        number = packets._station_number(lg, args.record)
        new = signing.record_key(lg, number, args.key)
        print(f"{'已登记' if new else '已是登记的公钥'}：站点 {number:03d}，指纹 {signing.fingerprint(signing.parse_key(args.key))}")
        return 0
    key = signing.own_public_key(lg.db)
    if key is None:
        raise ProblemsError([Problem("站点", "本台账还没有签名密钥（设定站点后生成）")])
    print(f"本站签名公钥：{key}")
    print(f"指纹：{signing.fingerprint(key)}")
    for k in key_changes.keys_on_record(lg):
        if k.current:
            print(f"  站点 {k.station:03d}：{k.fingerprint}（{k.how}，{signing.short_time(k.recorded_at)}）")
        else:
            print(f"    已于 {signing.short_time(k.replaced_at)} 更换：{k.fingerprint}（{k.way}，原因：{k.reason}"
                  f"{'，' + k.operator if k.operator else ''}）")
    return 0


def _packet_key(lg, path) -> str:
    """The signing key a packet carries (its signatures checked), for ``--replace --from-packet``."""
    from ..domain.problems import Problem, ProblemsError
    from ..sync import packet_file, packets

    key = packet_file.read(path, packets._secret(lg.db)).header.get("from_key")
    if not key:
        raise ProblemsError([Problem(str(path), "这个交换包没有站点签名（旧版程序发出的），不能从中取公钥")])
    return key
