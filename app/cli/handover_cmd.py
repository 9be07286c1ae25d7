"""``canbao handover``: 日结 / 交款单 of one operator for a day or a date range — a summary on the terminal,
the sheet as PDF (``-o``) and/or xlsx (``--xlsx``); ``--mark`` records that it was handed over.

The figures come from ``app.ledger.handover.compute`` (the same as the window's 日结 dialog).
"""

from __future__ import annotations

import argparse
import datetime as dt

from ..domain.money import fmt
from .failures import reported


def register(sub) -> None:
    p = sub.add_parser("handover", help="日结 / 交款单：某操作员某天（或一段日期）的收款、退费和应交款",
                       description="日结 / 交款单：按票据号列出收款，按缴费方式汇总，列出作废和退费，算出应交款；"
                                   "可生成 PDF、导出 Excel，并登记已交款。",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao handover --operator 王会计 --date 2025-11-03 -o 交款单.pdf\n"
                              "    canbao handover --operator 王会计 --date 2025-11-01 --to 2025-11-07 --xlsx 周结.xlsx\n"
                              "    canbao handover --operator 王会计 --date 2025-11-03 --mark --receiver 刘站长")
    p.add_argument("--db", metavar="台账文件", help="台账文件（默认：环境变量 CANBAO_DB，否则用户数据目录）")
    p.add_argument("--operator", required=True, metavar="姓名", help="交款的操作员（收款人姓名，如 王会计）")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="日期（默认今天）；与 --to 一起为起始日期")
    p.add_argument("--to", metavar="YYYY-MM-DD", help="结束日期（含），不写则只算 --date 这一天")
    p.add_argument("-o", "--output", metavar="PDF文件", help="交款单 PDF")
    p.add_argument("--xlsx", metavar="Excel文件", help="交款单 Excel 工作簿")
    p.add_argument("--mark", action="store_true", help="登记为已交款（以后有作废、退费、补录会被标出）")
    p.add_argument("--receiver", default="", metavar="姓名", help="收款人（与 --mark 一起）")
    p.set_defaults(func=_run)


@reported
def _run(args) -> int:
    from ..ledger import handover as ho
    from ..ledger import open_ledger

    start = args.date or dt.date.today().isoformat()
    with open_ledger(args.db, backup=False) as lg:
        h = ho.compute(lg, args.operator, start, args.to or start)
        print(f"交款单：{h.operator}　{h.period}")
        for r in h.receipts:
            print(f"  {r.receipt_no}  {r.paid_on}  {r.household_number}  {r.payer}  {fmt(r.amount):>10}  {r.method}"
                  f"  {r.state}")
        for f in h.refunds:
            print(f"  退费 {f.receipt_no}  {f.member_name}  {f.refunded_on}  -{fmt(f.amount)}  {f.method}  {f.reason}")
        for m in h.by_method:
            due = f"应交 {fmt(m.to_hand)}" if m.handed else "直接缴入税务，不经手，不交款"
            print(f"{m.method}：有效 {m.receipts} 张，收款 {fmt(m.collected)}，退费 {fmt(m.refunded)}，{due}")
        print(f"作废 {len(h.voided)} 张（{fmt(h.voided_amount)} 元，不计入）")
        print(f"应交款：{h.hand_over_count} 张，{fmt(h.hand_over_amount)} 元")
        for mark in h.marks:
            print(f"已于 {mark.handed_at[:16]} 交款（{mark.start} 至 {mark.end}）"
                  + ("；此后有变动：" + "；".join(mark.changes) if mark.changed else ""))
        if args.output:
            from ..paper.handover import render_handover

            print(f"已生成交款单：{render_handover(h, args.output)}")
        if args.xlsx:
            from ..paper.handover import write_handover_xlsx

            print(f"已导出交款单：{write_handover_xlsx(h, args.xlsx)}")
        if args.mark:
            ho.mark_handed_over(lg, h, receiver=args.receiver, by=args.operator)
            print("已登记交款。")
    return 0
