"""``canbao ledger duplicates``: 重复参保排查 — people probably enrolled twice in this (township) ledger.

    canbao ledger duplicates                          列出疑似重复参保（证件号码打码），可信度从高到低
    canbao ledger duplicates --export 重复参保排查.xlsx  导出 Excel（完整证件号码，与上报区县的表一样）
    canbao ledger duplicates --full                   显示完整证件号码（须专干或管理员，记入操作日志）
    canbao ledger duplicates not-duplicate #12 #40 --note 双胞胎   判定为非重复（须专干或管理员）
    canbao ledger duplicates keep #12 #40 --note 户籍在东风村      确是重复参保：保留 #12 的登记，#40 改为异地参保
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..domain.vocabulary import Status
from .failures import reported


def register(ls, db, ro) -> None:
    p = ls.add_parser("duplicates", parents=[db], help="重复参保排查：同一证件号、证件号只差一位、同名同生日同性别、姓名相近（繁简/同音字）",
                      epilog="例：canbao ledger duplicates --export 重复参保排查.xlsx")
    p.add_argument("--export", metavar="Excel文件", help="导出为 .xlsx（完整证件号码）")
    p.add_argument("--full", action="store_true", help="显示完整证件号码（须专干或管理员，记入操作日志）")
    p.add_argument("--all", action="store_true", help="也列出已判定的（非重复，或已处理的重复参保）")
    p.add_argument("--limit", type=int, default=200, metavar="条数", help="最多列出多少对（默认 200）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_duplicates)
    ds = p.add_subparsers(dest="duplicates_command", metavar="子命令")
    s = ds.add_parser("not-duplicate", parents=[_given_only(db)], help="判定两人不是重复参保（须专干或管理员；写明原因，记入操作日志）")
    s.add_argument("members", nargs=2, metavar="#编号", help="两个人员编号（见列表中的 #编号）")
    s.add_argument("--note", required=True, metavar="说明", help="为什么不是重复，如 双胞胎、同名同生日的两个人")
    s.set_defaults(func=cmd_not_duplicate)
    k = ds.add_parser("keep", parents=[_given_only(db)],
                      help="确是重复参保：保留一处登记，另一处改为不在本地参保（默认异地参保）（须专干或管理员；记入操作日志）")
    k.add_argument("members", nargs=2, metavar="#编号", help="先写保留的人员编号，再写另一处的人员编号")
    k.add_argument("--note", required=True, metavar="说明", help="保留这一处的依据，如 户籍在东风村，已电话核实")
    k.add_argument("--status", default=Status.ELSEWHERE.value, metavar="参保状态",
                   help=f"另一处改为的参保状态（默认 {Status.ELSEWHERE.value}）")
    k.set_defaults(func=cmd_keep)


def _given_only(parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The same options for the sub-command, without defaults: ``--db`` given before the sub-command
    (``duplicates --db X not-duplicate …``) is not overwritten by the sub-command's unset default."""
    p = argparse.ArgumentParser(add_help=False)
    for action in parent._actions:
        p.add_argument(*action.option_strings, dest=action.dest, metavar=action.metavar, help=action.help,
                       default=argparse.SUPPRESS)
    return p


def _open(args):
    from .ledger_cmd import _open as open_logged_in

    return open_logged_in(args)


def _member_id(text: str) -> int:
    from ..domain.problems import Problem, ProblemsError

    t = text.strip().lstrip("#")
    if not t.isdigit():
        raise ProblemsError([Problem("人员", f"请用 # 加人员编号（如 #12）：{text}")])
    return int(t)


@reported
def cmd_duplicates(args) -> int:
    from ..ledger import duplicates

    with _open(args) as lg:
        report = duplicates.find(lg, include_dismissed=args.all)
        if args.export:
            from ..exchange.duplicates_export import export

            n = export(lg, Path(args.export), report=report)
            print(f"已导出 {n} 对疑似重复参保到 {args.export}")
            return 0
        if args.full:
            duplicates.reveal(lg)
        shown = report.findings[:args.limit]
        if args.json:
            print(json.dumps([{"certainty": f.certainty, "kind": f.kind.value, "why": f.why, "where": f.where,
                               "a": _side(f.a, args.full), "b": _side(f.b, args.full),
                               "dismissed": f.dismissal.text if f.dismissal else None} for f in shown],
                             ensure_ascii=False, indent=2))
            return 0
        for f in shown:
            print(f"[{f.certainty}] {f.kind.value}（{f.where}）：{f.why}")
            for label, p in (("甲", f.a), ("乙", f.b)):
                print(f"    {label} #{p.member_id} {p.name} {p.shown_id(args.full)} {p.sex} {p.birth_date} "
                      f"{p.where()} [{p.status}] 本年度{p.pay_state}")
            if f.dismissal is not None:
                print(f"    {f.dismissal.text}")
        more = f"（只列出前 {args.limit} 对）" if len(report) > args.limit else ""
        resolved = f"；已处理重复参保 {report.resolved} 对" if report.resolved else ""
        print(f"排查 {report.people} 人，疑似重复 {len(report)} 对{more}；已判定非重复 {report.dismissed} 对{resolved}")
    return 0


def _side(p, full: bool) -> dict:
    return {"member_id": p.member_id, "name": p.name, "id_number": p.shown_id(full), "sex": p.sex,
            "birth_date": p.birth_date, "station": p.station, "village": p.village, "group": p.group,
            "household_no": p.household_no, "status": p.status, "pay_state": p.pay_state}


@reported
def cmd_not_duplicate(args) -> int:
    from ..ledger import duplicates

    a, b = (_member_id(t) for t in args.members)
    with _open(args) as lg:
        duplicates.dismiss(lg, a, b, args.note)
        print(f"已判定 #{a} 与 #{b} 不是重复参保：{args.note.strip()}")
    return 0


@reported
def cmd_keep(args) -> int:
    from ..ledger import duplicates

    kept, other = (_member_id(t) for t in args.members)
    with _open(args) as lg:
        done = duplicates.keep(lg, kept, other, args.note, status=args.status)
        print(done.text)
    return 0
