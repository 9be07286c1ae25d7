"""``canbao print notices|receipt|ledger``: payment notices, receipts and ledger sheets as PDF.

Errors: Chinese message on stderr, exit code 2, no traceback; no file is written then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..domain.dates import parse_date
from ..domain.problems import Problem
from .failures import fail, reported

KINDS = {"notices": "缴费通知单", "receipt": "收款回执", "ledger": "参保缴费台账"}


def register(sub) -> None:
    p = sub.add_parser("print", help="打印缴费通知单、收款回执、台账（PDF）",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao print notices --village 红旗村 -o 通知单.pdf\n"
                              "    canbao print receipt --receipt 2025-000123 --reprint --paper 241x93\n"
                              "    canbao print ledger --village 红旗村 -o 台账.pdf")
    kinds = p.add_subparsers(dest="kind", metavar="种类")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="台账文件", help="台账文件（默认：环境变量 CANBAO_DB，否则数据文件夹中的台账）")
    common.add_argument("--village", default="", metavar="村", help="只打印这个村（社区）")
    common.add_argument("--group", default="", metavar="组", help="只打印这个组")
    common.add_argument("--household", default="", metavar="户编号", help="只打印这一户（户编号，或 #内部编号）")
    common.add_argument("-o", "--output", metavar="PDF文件", help="输出 PDF 文件（默认：当前文件夹，按种类和村命名）")
    common.add_argument("--quiet", action="store_true", help="不显示进度")
    n = kinds.add_parser("notices", parents=[common], help="未缴费户的缴费通知单（每户一页，合成一个 PDF）")
    n.add_argument("--all", action="store_true", help="也打印已全部缴费的户")
    n.add_argument("--date", metavar="YYYY-MM-DD", help="通知单日期（默认今天），应缴金额按这天缴费计算")
    n.set_defaults(func=_run, kind="notices")
    r = kinds.add_parser("receipt", parents=[common], help="收款回执（存根联和交款人联）")
    r.add_argument("--receipt", action="append", default=[], metavar="票据号",
                   help="票据号，如 2025-000123（可多次）；不写则打印所选户本年度的全部回执")
    r.add_argument("--reprint", action="store_true", help="补打：回执上标明“补打”和补打日期")
    r.add_argument("--paper", choices=["a4", "241x93"], default="a4",
                   help="纸张：a4（上下两联）或 241x93（针式打印机连续纸，每联一张）")
    r.add_argument("--date", metavar="YYYY-MM-DD", help="补打日期（默认今天，印在补打的回执上）")
    r.set_defaults(func=_run, kind="receipt")
    led = kinds.add_parser("ledger", parents=[common], help="各村参保缴费台账（表头每页重复，含合计和签字栏）")
    led.add_argument("--date", metavar="YYYY-MM-DD", help="台账的打印日期（默认今天），应缴按这天计算")
    led.set_defaults(func=_run, kind="ledger")
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


_fail = fail


def _default_name(args) -> Path:
    where = "-".join(x for x in (args.village, args.group, args.household) if x)
    if args.kind == "receipt" and args.receipt:
        where = args.receipt[0] if len(args.receipt) == 1 else f"{args.receipt[0]}等{len(args.receipt)}张"
    return Path(f"{KINDS[args.kind]}{'-' + where if where else ''}.pdf")


def _progress(args, label: str):
    if args.quiet:
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        if pct != last[0] and (pct % 10 == 0 or done == total):
            last[0] = pct
            print(f"\r{label}：{done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
    return show


@reported
def _run(args) -> int:
    return _print(args)


def _print(args) -> int:
    from .login import open_as_operator
    from ..paper import from_ledger as fl

    today = dt.date.today()
    if args.date:
        today = parse_date(args.date, "--date")
        if isinstance(today, Problem):
            return _fail([today])
    out = Path(args.output) if args.output else _default_name(args)
    sel = fl.Selection(village=args.village, group=args.group, household=args.household)
    lg = open_as_operator(args.db, backup=False)  # a LedgerError is a ProblemsError: reported by _run
    try:
        if args.kind == "notices":
            from ..paper.notice import render_notices

            items = fl.notices(lg, sel, today=today, only_unpaid=not args.all, progress=_progress(args, "计算应缴"))
            render_notices(items, out, progress=_progress(args, "生成通知单"))
            count = f"{len(items)} 户"
        elif args.kind == "receipt":
            from ..paper.receipt import render_receipts

            if not args.receipt and not (args.village or args.group or args.household):
                return _fail([Problem("--receipt", "请用 --receipt 指定票据号，或用 --household/--village 选择户")])
            items = fl.receipts(lg, numbers=args.receipt, sel=sel, reprint=args.reprint, today=today)
            if not items:
                return _fail([Problem("回执", "所选范围内本年度没有缴费记录")])
            render_receipts(items, out, args.paper, progress=_progress(args, "生成回执"))
            count = f"{len(items)} 张"
        else:
            from ..paper.ledger_sheet import render_ledger

            items = fl.ledger_sheets(lg, sel, today=today, progress=_progress(args, "汇总台账"))
            render_ledger(items, out, progress=_progress(args, "生成台账"))
            count = f"{len(items)} 个村（社区），{sum(len(s.rows) for s in items)} 人"
    finally:
        lg.close()
    from ..paper.fonts import default_fonts

    missing = sorted({ch for item in items for ch in default_fonts().uncovered(_names(item))})
    if missing:
        print(f"注意：字体中没有这些字，打印出来会是方框：{' '.join(missing)}", file=sys.stderr)
    print(f"已生成{KINDS[args.kind]}：{out}（{count}）")
    return 0


def _names(item) -> str:
    rows = getattr(item, "members", None) or getattr(item, "lines", None) or getattr(item, "rows", ())
    return "".join(r.name for r in rows)
