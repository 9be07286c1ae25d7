"""``canbao ledger …``: the ledger from a terminal (backups and restore: backup_cmd.py; operators: operator_cmd.py).

Every command takes ``--db PATH`` (else ``CANBAO_DB``, else the data folder). Errors: Chinese message on
stderr, exit code 2, no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..domain.dates import date_or_raise
from ..domain.idnumber import mask_fields, mask_id_number, mask_phone
from ..domain.money import fmt
from ..domain.problems import Problem, ProblemsError
from .failures import fail, reported
from .zh_argparse import table
from .login import HELP_OPERATOR, log_in, open_as_operator


# ---------------------------------------------------------------------------- plumbing
def _db_parent(writes: bool = True) -> argparse.ArgumentParser:
    """--db for every command; --operator (who is written into the audit log) only for commands that write.
    Every command logs in (app.cli.login): a read-only one as ``CANBAO_OPERATOR``, or asks in a terminal."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", metavar="台账文件", help="台账文件（默认：环境变量 CANBAO_DB，否则数据文件夹中的台账）")
    if writes:
        p.add_argument("--operator", metavar="姓名", help=HELP_OPERATOR)
    return p


_fail = fail  # ledger commands print problems the same way as every other command
_command = reported


def _open(args, create: bool = False):
    """Open the ledger logged in as a known operator (``--operator`` / ``CANBAO_OPERATOR`` and the PIN)."""
    return open_as_operator(args.db, getattr(args, "operator", None), create=create)


_date = date_or_raise  # the shared date parser (app/domain/dates.py)


def _member(lg, ref: str, household_id: int | None = None):
    """A member by ID number, ``#id``, or (within a household) name."""
    text = ref.strip()
    if text.startswith("#") and text[1:].isdigit():
        return lg.members.get(int(text[1:]))
    if household_id is not None:  # an ID number two stations' members hold (重复参保): the one of this household
        here = [x for x in lg.members.holders(text) if x.household_id == household_id]
        if len(here) == 1:
            return here[0]
    m = lg.members.by_id_number(text)  # of two holders not decided: refused, naming both
    if m:
        return m
    if household_id is not None:
        named = [x for x in lg.members.of_household(household_id) if x.name == text]
        if len(named) == 1:
            return named[0]
    raise ProblemsError([Problem("人员", f"找不到人员「{text}」（请用证件号码或 #编号）")])


def _print_member(m, prefix: str = "  ", full: bool = False) -> None:
    status = m.status + (f"（{m.status_detail}）" if m.status_detail else "") + (
        f" {m.status_date}" if m.status_date else "")
    number, phone = (m.id_number or "", m.phone or "") if full else (mask_id_number(m.id_number or ""),
                                                                     mask_phone(m.phone or ""))
    print(f"{prefix}#{m.id} {m.name} {m.relation or '-'} {m.sex} {m.birth_date} {m.id_type} "
          f"{number or '-'} {phone} {'学生 ' + m.school if m.student else ''} "
          f"[{status}]".rstrip())


# ---------------------------------------------------------------------------- registration
def register(sub) -> None:
    db = _db_parent()
    ro = _db_parent(writes=False)  # read-only commands
    led = sub.add_parser("ledger", help="参保台账：建立、户、人员、类别、缴费、查询、日志、结转")
    ls = led.add_subparsers(dest="ledger_command", metavar="子命令")

    p = ls.add_parser("init", help="建立新台账（乡镇、村组、操作员、年度、政策）",
                      epilog="例：canbao ledger init --township 某镇 --year 2025 --policy changchun-2025 "
                             "--operator 王会计 --village 东风村:一组,二组 --community 红旗社区")
    p.add_argument("--db", metavar="台账文件", help="新台账文件（默认：环境变量 CANBAO_DB，否则数据文件夹中的台账）")
    p.add_argument("--township", required=True, metavar="乡镇", help="乡镇（街道）")
    p.add_argument("--year", required=True, type=int, metavar="年度", help="参保年度，如 2025")
    p.add_argument("--policy", required=True, metavar="政策编号", help="政策编号，见 canbao policy list")
    p.add_argument("--operator", dest="operators", action="append", default=[], required=True, metavar="姓名",
                   help="第一位登记为管理员（口令在终端输入或用环境变量 CANBAO_PIN）；其余操作员建立后用 "
                        "canbao ledger operator add 添加（各设口令）")
    p.add_argument("--village", action="append", default=[], metavar="村[:组,组]", help="村及其组（可多次）")
    p.add_argument("--community", action="append", default=[], metavar="社区[:组,组]", help="社区及其组（可多次）")
    p.add_argument("--area-kind", default="", metavar="区|县", help="补助按区或县分担时的所在地类型")
    p.add_argument("--recovery-sheet", metavar="恢复单PDF", help="设了台账密码时，同时生成恢复单 PDF（打印后锁好）")
    p.add_argument("--station", metavar="站点代码", help="本台账的站点（乡镇本级如 220112-000，村如 220112-003；"
                                                    "见 canbao station --help）")
    p.add_argument("--station-village", default="", metavar="村", help="村的站点负责的村（与 --station 一起）")
    p.set_defaults(func=cmd_init, operator=None)

    p = ls.add_parser("info", parents=[ro], help="台账概况：乡镇、年度、政策、操作员、村组、户数、人数、缴费笔数")
    p.add_argument("--json", action="store_true", help="输出 JSON（列出全部村组）")
    p.set_defaults(func=cmd_info)

    hh = ls.add_parser("household", help="户：新增（add）、列出（list）、显示（show）、修改（update）")
    hs = hh.add_subparsers(dest="household_command", metavar="子命令")
    p = hs.add_parser("add", parents=[db], help="新增一户")
    p.add_argument("--village", required=True, metavar="村", help="所在村（社区），须是台账设置里的村")
    p.add_argument("--group", default="", metavar="组", help="所在组")
    p.add_argument("--number", metavar="户编号", help="户编号（默认自动编号）")
    p.add_argument("--address", default="", metavar="地址", help="住址")
    p.add_argument("--phone", default="", metavar="电话", help="联系电话")
    p.add_argument("--notes", default="", metavar="备注", help="备注")
    p.set_defaults(func=cmd_household_add)
    p = hs.add_parser("list", parents=[ro], help="列出户：户编号、村组、户主、人数、电话、地址")
    p.add_argument("--village", metavar="村", help="只列这个村（社区）")
    p.add_argument("--group", metavar="组", help="只列这个组")
    p.add_argument("--limit", type=int, default=200, metavar="条数", help="最多列出多少户（默认 200）")
    p.set_defaults(func=cmd_household_list)
    p = hs.add_parser("update", parents=[db], help="修改一户的村组、地址、电话、备注（只改给出的项）")
    p.add_argument("number", metavar="户编号", help="要修改的户")
    p.add_argument("--village", metavar="村", help="新的村（社区）")
    p.add_argument("--group", metavar="组", help="新的组")
    p.add_argument("--address", metavar="地址", help="新的住址")
    p.add_argument("--phone", metavar="电话", help="新的联系电话")
    p.add_argument("--notes", metavar="备注", help="新的备注")
    p.add_argument("--new-number", metavar="新户编号",
                   help="新的户编号（如乡镇因户编号重复未收下这一户：改号后下一个交换包会重新带去）")
    p.set_defaults(func=cmd_household_update)
    p = hs.add_parser("show", parents=[ro], help="显示一户：成员、类别、缴费")
    p.add_argument("number", metavar="户编号", help="要显示的户")
    p.set_defaults(func=cmd_household_show)
    hh.set_defaults(func=lambda a: (hh.print_help(), 0)[1])

    mm = ls.add_parser("member", help="人员：新增（add）、显示（show）、修改（update）、迁户（move）、参保状态（status）")
    ms = mm.add_subparsers(dest="member_command", metavar="子命令")
    p = ms.add_parser("add", parents=[db], help="在一户中新增人员")
    p.add_argument("--household", required=True, metavar="户编号", help="加入哪一户")
    p.add_argument("--name", required=True, metavar="姓名", help="姓名")
    p.add_argument("--id-type", default="居民身份证", metavar="证件类型",
                   help="居民身份证（默认）/ 港澳台居民居住证 / 外国人永久居留身份证 / 无")
    p.add_argument("--id-number", metavar="证件号码", help="证件号码（身份证会校验，并取出生日期、性别）")
    p.add_argument("--birth-date", metavar="YYYY-MM-DD", help="出生日期（没有身份证号时必填）")
    p.add_argument("--sex", default="", metavar="性别", help="男 / 女（有身份证号时可不填）")
    p.add_argument("--ethnicity", default="", metavar="民族", help="民族")
    p.add_argument("--relation", default="", metavar="关系", help="与户主关系，如 户主、配偶、子、女")
    p.add_argument("--phone", default="", metavar="电话", help="联系电话")
    p.add_argument("--student", action="store_true", help="在校学生")
    p.add_argument("--school", default="", metavar="学校", help="就读学校（学生）")
    p.add_argument("--notes", default="", metavar="备注", help="备注")
    p.set_defaults(func=cmd_member_add)
    p = ms.add_parser("show", parents=[ro], help="显示一个人：档案、类别、本年度缴费")
    p.add_argument("member", metavar="证件号码|#编号", help="证件号码，或 # 加人员编号（如 #12）")
    p.add_argument("--full", action="store_true", help="显示完整证件号码和电话（须专干或管理员，记入操作日志）")
    p.set_defaults(func=cmd_member_show)
    p = ms.add_parser("update", parents=[db], help="修改人员档案（只改给出的项）")
    p.add_argument("member", metavar="证件号码|#编号", help="证件号码，或 # 加人员编号（如 #12）")
    for flag, shown, what in (("--name", "姓名", "姓名"), ("--id-type", "证件类型", "证件类型"),
                              ("--id-number", "证件号码", "证件号码"), ("--birth-date", "YYYY-MM-DD", "出生日期"),
                              ("--sex", "性别", "性别"), ("--ethnicity", "民族", "民族"),
                              ("--relation", "关系", "与户主关系"), ("--phone", "电话", "联系电话"),
                              ("--school", "学校", "就读学校"), ("--notes", "备注", "备注")):
        p.add_argument(flag, metavar=shown, help=f"新的{what}")
    p.add_argument("--student", choices=["是", "否"], help="是否在校学生")
    p.set_defaults(func=cmd_member_update)
    p = ms.add_parser("move", parents=[db], help="把人员迁到另一户（历史和缴费随人）")
    p.add_argument("member", metavar="证件号码|#编号", help="证件号码，或 # 加人员编号（如 #12）")
    p.add_argument("--to", required=True, metavar="户编号", help="迁入的户")
    p.add_argument("--relation", metavar="关系", help="在新户中与户主的关系")
    p.add_argument("--reason", default="", metavar="原因", help="迁户原因，记入操作日志")
    p.set_defaults(func=cmd_member_move)
    p = ms.add_parser("status", parents=[db], help="设置参保状态：本地参保，或不在本地参保的原因")
    p.add_argument("member", metavar="证件号码|#编号", help="证件号码，或 # 加人员编号（如 #12）")
    p.add_argument("status", metavar="状态", help="本地参保 / 参加职工医保 / 异地参保 / 参军/服役 / 服刑 / 死亡 / 迁出 / 失踪 / 拒参 / 无法联系 / 其他")
    p.add_argument("--detail", default="", metavar="说明", help="说明，如异地参保的参保地")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="原因发生日期（死亡必填）")
    p.set_defaults(func=cmd_member_status)
    mm.set_defaults(func=lambda a: (mm.print_help(), 0)[1])

    cc = ls.add_parser("category", help="人员类别：登记认定（add）、终止（end）")
    cs = cc.add_subparsers(dest="category_command", metavar="子命令")
    p = cs.add_parser("add", parents=[db], help="登记人员类别认定")
    p.add_argument("member", metavar="证件号码|#编号", help="证件号码，或 # 加人员编号（如 #12）")
    p.add_argument("category", metavar="类别", help="如 低保对象、特困人员（须是台账政策里的类别）")
    p.add_argument("--department", default="", metavar="部门", help="认定部门：民政、农业农村、残联 …")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="认定日期")
    p.set_defaults(func=cmd_category_add)
    p = cs.add_parser("end", parents=[db], help="终止一条类别认定（记录保留）")
    p.add_argument("record", type=int, metavar="类别记录编号", help="见 canbao ledger member show 中的“类别#”")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="终止日期")
    p.add_argument("--reason", default="", metavar="原因", help="终止原因")
    p.set_defaults(func=cmd_category_end)
    cc.set_defaults(func=lambda a: (cc.print_help(), 0)[1])

    p = ls.add_parser("pay", parents=[db], help="登记一户中一人或多人的缴费",
                      epilog="例：canbao ledger pay --household 000001 --member 2201…123X --member #5=80 --method 现金")
    p.add_argument("--household", required=True, metavar="户编号", help="缴费的户")
    p.add_argument("--member", action="append", required=True, metavar="人[=金额]",
                   help="证件号码、#编号或姓名；=金额 为实收（默认按政策应缴）")
    p.add_argument("--method", required=True, metavar="方式", help="现金 / 微信 / 支付宝 / 银行卡 / 税务APP / 代缴")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="缴费日期（默认今天）")
    p.add_argument("--override", metavar="原因", help="与政策不符时的变更原因")
    p.add_argument("--notes", default="", metavar="备注", help="备注，印在回执上")
    p.add_argument("--special", metavar="情形[:日期]",
                   help="政策规定的特殊情形（适用于本次所列人员），如 退役军人、职工医保断保:2025-03-01（断保日期）")
    from .pay_cmd import cmd_pay, cmd_refund, cmd_void

    p.set_defaults(func=cmd_pay)

    p = ls.add_parser("void", parents=[db], help="作废一张票据（记录保留）")
    p.add_argument("receipt", metavar="票据号", help="如 2025-000123")
    p.add_argument("--reason", required=True, metavar="原因", help="作废原因，记入操作日志")
    p.set_defaults(func=cmd_void)

    p = ls.add_parser("refund", parents=[db], help="为票据中的一人办理退费（按政策规定）")
    p.add_argument("receipt", metavar="票据号", help="如 2025-000123")
    p.add_argument("--member", required=True, metavar="证件号码|#编号", help="给票据中的哪个人退费")
    p.add_argument("--reason", required=True, metavar="原因", help="如 重复缴费、死亡、参加职工医保、异地参保")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="退费日期（默认今天）")
    p.add_argument("--keep-status", action="store_true",
                   help="不随退费修改参保状态（原因为参加职工医保、死亡、异地参保时，默认同时改为该状态）")
    p.add_argument("--status-date", metavar="YYYY-MM-DD", help="状态日期（死亡须填死亡日期）")
    p.add_argument("--status-detail", default="", metavar="状态说明", help="状态说明（异地参保须填参保地）")
    p.add_argument("--notes", default="", metavar="说明",
                   help="退费说明（文件列举的原因以“等原因”结尾时，其他原因须写明具体情况）")
    p.set_defaults(func=cmd_refund)

    p = ls.add_parser("search", parents=[ro], help="按证件号（片段或尾号）、姓名、拼音首字母、电话查找人员")
    p.add_argument("text", nargs="+", metavar="查找内容", help="如 张三、zs、1235（证件号尾号）、电话号码")
    p.add_argument("--limit", type=int, default=50, metavar="条数", help="最多列出多少人（默认 50）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_search)

    p = ls.add_parser("dues", parents=[ro], help="全年应缴、已缴和参保率")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="按哪天缴费计算（默认今天或缴费期首日）")
    p.set_defaults(func=cmd_dues)

    p = ls.add_parser("audit", parents=[ro], help="操作日志：某人、某户或最近的变更")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--member", metavar="证件号码|#编号", help="只看这个人的变更")
    who.add_argument("--household", metavar="户编号", help="只看这一户的变更")
    p.add_argument("--limit", type=int, default=50, metavar="条数", help="最多列出多少条（默认 50）")
    p.add_argument("--full", action="store_true",
                   help="显示完整证件号码和电话（须与 --member 一起用；须专干或管理员，记入操作日志）")
    p.set_defaults(func=cmd_audit)

    from . import operator_cmd

    operator_cmd.register(ls, db, ro)
    from . import encrypt_cmd

    encrypt_cmd.register(ls, db)

    p = ls.add_parser("rollover", parents=[db], help="按新政策开启下一年度台账（户、人员、状态、类别结转，缴费不结转）")
    p.add_argument("--to", required=True, metavar="台账文件", help="新年度台账文件")
    p.add_argument("--policy", required=True, metavar="政策编号", help="新年度的政策编号，见 canbao policy list")
    p.set_defaults(func=cmd_rollover)
    from . import claims_cmd

    claims_cmd.register(ls, db)
    from . import settings_cmd

    settings_cmd.register(ls, db)
    from . import duplicates_cmd

    duplicates_cmd.register(ls, db, ro)
    led.set_defaults(func=lambda a: (led.print_help(), 0)[1])

    from . import backup_cmd

    backup_cmd.register(sub, db, ro)


# ---------------------------------------------------------------------------- commands
def _villages(specs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs:
        name, _, groups = spec.replace("：", ":").partition(":")
        out[name.strip()] = [g.strip() for g in groups.replace("，", ",").split(",") if g.strip()]
    return out


@_command
def cmd_init(args) -> int:
    from ..ledger import open_ledger, resolve_path

    path = resolve_path(args.db)
    if path.exists() and path.stat().st_size > 0:
        raise ProblemsError([Problem("台账", f"文件已存在：{path}（init 只建立新台账）")])
    villages = _villages(args.village)
    communities = _villages(args.community)
    kinds = {name: "社区" for name in communities}
    from .encrypt_cmd import new_ledger_key, write_sheet

    key = new_ledger_key()  # CANBAO_LEDGER_PASSWORD or asked in a terminal; none: a plaintext ledger
    lg = open_ledger(path, create=True, backup=False, key=key)
    try:
        log_in(lg, args.operators[0])  # the first operator named is the ledger's first 管理员 (asks for a PIN)
        lg.settings.initialize(township=args.township, year=args.year, policy_id=args.policy,
                               operators=args.operators, villages={**villages, **communities}, area_kind=args.area_kind,
                               village_kinds=kinds)
        if args.station:  # app.ledger.stations: the township (000) or one of its villages
            from ..ledger import stations

            township = args.station.strip().endswith("-000")
            stations.set_up(lg, code=args.station, name=args.township if township else args.station_village,
                            kind=stations.TOWNSHIP if township else stations.VILLAGE,
                            parent="" if township else args.station.strip().rsplit("-", 1)[0] + "-000",
                            village=args.station_village)
    except BaseException:
        lg.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        raise
    lg.close()
    print(f"已建立台账：{path}" + ("（已加密）" if key else ""))
    others = [o for o in args.operators[1:] if o.strip() and o.strip() != args.operators[0].strip()]
    if others:
        print(f"其余操作员（{'、'.join(others)}）须各设口令：canbao ledger operator add 姓名 --role 网格员",
              file=sys.stderr)
    if key and args.recovery_sheet:
        write_sheet(args.recovery_sheet, key, path, args.township)
    return 0


@_command
def cmd_info(args) -> int:
    with _open(args) as lg:
        s = lg.settings.get()
        counts = {t: lg.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("households", "members", "payments", "audit")}
        voided = lg.db.execute("SELECT count(*) FROM payments WHERE voided_at IS NOT NULL").fetchone()[0]
        if args.json:
            print(json.dumps({"path": str(lg.path), "township": s.township, "year": s.year, "policy": s.policy_id,
                              "operators": list(s.operators), "area_kind": s.area_kind,
                              "villages": {v.name: [g.name for g in v.groups] for v in s.villages}, **counts,
                              "voided": voided}, ensure_ascii=False, indent=2))
            return 0
        print(f"台账文件：{lg.path}")
        print(f"乡镇（街道）：{s.township}    年度：{s.year}    政策：{s.policy_id}（{lg.policy().name}）")
        print(f"操作员：{'、'.join(s.operators)}" + (f"    地区类型：{s.area_kind}" if s.area_kind else ""))
        for v in s.villages[:20]:
            print(f"  {v.kind} {v.name}：{'、'.join(g.name for g in v.groups) or '（未分组）'}")
        if len(s.villages) > 20:
            print(f"  …… 共 {len(s.villages)} 个村（社区）（--json 列出全部）")
        print(f"户 {counts['households']}，人员 {counts['members']}，缴费 {counts['payments']} 笔（作废 {voided}），"
              f"日志 {counts['audit']} 条")
        if s.rolled_over_from:
            print(f"由上年度台账结转：{s.rolled_over_from}")
    return 0


@_command
def cmd_household_add(args) -> int:
    with _open(args) as lg:
        ch = lg.households.add(village=args.village, group=args.group, number=args.number, address=args.address,
                               phone=args.phone, notes=args.notes)
        print(f"已新增户 {lg.households.get(ch.id).number}")
    return 0


@_command
def cmd_household_list(args) -> int:
    with _open(args) as lg:
        rows = lg.households.list(village=args.village, group=args.group, limit=args.limit)
        lines = [["户编号", "村（社区）", "组", "户主", "人数", "电话", "地址"]] + [
            [h.number, h.village, h.group or "-", h.head_name or "（未定）", str(h.member_count), mask_phone(h.phone) or "-",
             h.address] for h in rows]
        for line in table(lines):  # columns aligned by display width
            print(line)
        print(f"共 {len(rows)} 户" + ("（已截断，用 --limit 调整）" if len(rows) == args.limit else ""))
    return 0


@_command
def cmd_household_show(args) -> int:
    with _open(args) as lg:
        h = lg.households.find(args.number)
        print(f"户 {h.number}  {h.village} {h.group}  {h.address}  {mask_phone(h.phone)}  {h.notes}".rstrip())
        for m in lg.members.of_household(h.id):
            _print_member(m)
            for c in lg.categories.of_member(m.id):
                end = f" 至 {c.ended_on}（{c.end_reason}）" if c.ended_on else ""
                print(f"      类别#{c.id} {c.category} {c.department} {c.recognized_on or ''}{end}")
        for p in lg.payments.of_household(h.id):
            state = f" 已作废（{p.void_reason}）" if p.voided else ""
            names = "、".join(f"{i.member_name} {fmt(i.amount)}" + (" 已退费" if i.refund_id else "") for i in p.items)
            print(f"  票据 {p.receipt_no} {p.paid_on} {p.method} {fmt(p.amount)} 元 {p.operator}：{names}{state}")
    return 0


@_command
def cmd_member_add(args) -> int:
    with _open(args) as lg:
        h = lg.households.find(args.household)
        ch = lg.members.add(h.id, name=args.name, id_type=args.id_type, id_number=args.id_number,
                            birth_date=args.birth_date, sex=args.sex, ethnicity=args.ethnicity,
                            relation=args.relation, phone=args.phone, student=args.student, school=args.school,
                            notes=args.notes)
        _print_member(lg.members.get(ch.id), "已新增：")
    return 0


@_command
def cmd_household_update(args) -> int:
    with _open(args) as lg:
        h = lg.households.find(args.number)
        ch = lg.households.update(h.id, village=args.village, group=args.group, address=args.address,
                                  phone=args.phone, notes=args.notes, number=args.new_number)
        print(f"已修改户 {h.number}" if ch.households else f"户 {h.number} 没有变化")
    return 0


@_command
def cmd_member_show(args) -> int:
    with _open(args) as lg:
        m = _member(lg, args.member)
        if args.full:
            reveal(lg, m)
        _print_member(m, "", full=args.full)
        print(f"  户 {m.household_number}" + (f"  民族 {m.ethnicity}" if m.ethnicity else "") + (
            f"  备注 {m.notes}" if m.notes else ""))
        for c in lg.categories.of_member(m.id):
            end = f" 至 {c.ended_on}（{c.end_reason}）" if c.ended_on else ""
            print(f"  类别#{c.id} {c.category} {c.department} {c.recognized_on or ''}{end}")
        year = lg.payments.member_year(m.id)
        if year.addons:
            print(f"  {year.year}年度附加险：{'、'.join(year.addons)}")
        for i in year.items:
            p = lg.payments.get(i.payment_id)
            print(f"  {year.year}年度已缴 {fmt(i.amount)} 元（票据 {p.receipt_no}，{p.paid_on}，{p.method}）")
        if not year.items:
            from ..domain.vocabulary import PayState

            print(f"  {year.year}年度" + ("尚未缴费" if year.state is PayState.UNPAID else year.state.label))
    return 0


@_command
def cmd_member_update(args) -> int:
    with _open(args) as lg:
        m = _member(lg, args.member)
        fields = {k: getattr(args, k) for k in ("name", "id_type", "id_number", "birth_date", "sex", "ethnicity",
                                                "relation", "phone", "school", "notes") if getattr(args, k) is not None}
        if args.student is not None:
            fields["student"] = args.student == "是"
        ch = lg.members.update(m.id, **fields)
        _print_member(lg.members.get(m.id), "已修改：" if ch.members else "没有变化：")
    return 0


@_command
def cmd_member_move(args) -> int:
    with _open(args) as lg:
        m = _member(lg, args.member)
        to = lg.households.find(args.to)
        lg.members.move(m.id, to.id, relation=args.relation, reason=args.reason)
        print(f"已把 {m.name} 从户 {m.household_number} 迁到户 {to.number}")
    return 0


@_command
def cmd_member_status(args) -> int:
    with _open(args) as lg:
        m = _member(lg, args.member)
        lg.members.set_status(m.id, args.status, detail=args.detail, on=_date(args.date, "--date"))
        _print_member(lg.members.get(m.id), "已更新：")
        for line in lg.payments.implied_refunds(m.id, args.status):
            print(f"  提示：{line}")
    return 0


@_command
def cmd_category_add(args) -> int:
    with _open(args) as lg:
        m = _member(lg, args.member)
        ch = lg.categories.add(m.id, args.category, department=args.department, recognized_on=_date(args.date, "--date"))
        print(f"已登记 {m.name} 的类别「{lg.categories.get(ch.id).category}」（类别记录 {ch.id}）")
    return 0


@_command
def cmd_category_end(args) -> int:
    with _open(args) as lg:
        lg.categories.end(args.record, ended_on=_date(args.date, "--date"), reason=args.reason)
        c = lg.categories.get(args.record)
        print(f"已终止类别记录 {c.id}「{c.category}」，终止日期 {c.ended_on}")
    return 0


@_command
def cmd_search(args) -> int:
    with _open(args) as lg:
        hits = lg.search(" ".join(args.text), limit=args.limit)
        if args.json:
            from dataclasses import asdict

            print(json.dumps([mask_fields(asdict(h)) for h in hits], ensure_ascii=False, indent=2))
            return 0
        for h in hits:
            print(f"#{h.member_id} {h.name} {mask_id_number(h.id_number or '') or '-'} {mask_phone(h.phone) or '-'} "
                  f"户 {h.household_number} {h.village} {h.group} {h.relation} [{h.status}]（{h.matched}）")
        print(f"找到 {len(hits)} 人")
    return 0


@_command
def cmd_dues(args) -> int:
    from ..ledger.member_year import percent_text

    with _open(args) as lg:
        r = lg.dues(paid_on=_date(args.date, "--date"))
        print(f"{r.year}年度（{r.policy_id}），按 {r.paid_on} 缴费计算")
        print(f"人员 {r.members}，应在本地参保 {r.required}，已缴 {r.paid_members}，参保率 {percent_text(r.paid_members, r.required)}")
        print(f"应缴合计 {fmt(r.due_total)} 元，已缴合计 {fmt(r.paid_total)} 元")
    return 0


@_command
def cmd_audit(args) -> int:
    from ..ledger.audit import describe

    with _open(args) as lg:
        if args.full and args.member:
            reveal(lg, _member(lg, args.member))
        elif args.full:
            raise ProblemsError([Problem("--full", "完整证件号码和电话只能按人查看：请同时用 --member")])
        if args.member:
            entries = lg.audit.for_member(_member(lg, args.member).id)
        elif args.household:
            entries = lg.audit.for_household(lg.households.find(args.household).id)
        else:
            entries = lg.audit.recent(args.limit)
        for e in entries[-args.limit:]:
            print(describe(e, masked=not args.full))
    return 0


@_command
def cmd_rollover(args) -> int:
    from ..ledger.rollover import pending_exchange

    with _open(args) as lg:
        pending = pending_exchange(lg)  # exchange packets: what the other side has not acknowledged yet
        path = lg.rollover(args.to, args.policy)
        print(f"已开启新年度台账：{path}（户、人员、状态、类别已结转，缴费未结转）")
        print(f"以后户、人员和类别请在新台账中修改；本台账留作补收 {lg.settings.get().year} 年度的缴费。")
        if pending:
            print("注意本站的交换：")
            for line in pending:
                print(f"  {line}")
            print(f"  其中户、人员、类别的修改已带入新年度台账，会在新年度的第一个交换包中再次发出；"
                  f"缴费等 {lg.settings.get().year} 年度的记录请继续用本台账与对方交换。")
    return 0


# ---------------------------------------------------------------------------- operators
def reveal(lg, member) -> None:
    from ..ledger.operators import reveal as reveal_member

    reveal_member(lg, member)
