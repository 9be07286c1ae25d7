"""``canbao ledger claims``: money owed back to members recognised after paying in full (认定后补付).

    canbao ledger claims                     列出本年度认定后补付（先刷新：已在台账中的认定晚于缴费的也会补上）
    canbao ledger claims --state 待补付 --json
    canbao ledger claims settle 3 --date 2025-04-10 --note 医保局转账
    canbao ledger claims cancel 3 --reason 重复登记
"""

from __future__ import annotations

import datetime as dt
import json

from ..domain.money import fmt
from ..domain.vocabulary import ClaimPartKind
from .failures import reported


def register(ls, db) -> None:
    p = ls.add_parser("claims", parents=[db], help="认定后补付：缴费后才认定为困难人员的，应退还的资助和补助")
    p.add_argument("--state", choices=("待补付", "已补付", "已撤销", "缴费已作废", "缴费已退费"), help="只列出该状态")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_claims)
    cs = p.add_subparsers(dest="claims_command", metavar="子命令")
    s = cs.add_parser("settle", parents=[db], help="登记已补付（日期、说明）")
    s.add_argument("claim", type=int, metavar="编号", help="补付记录编号（见 canbao ledger claims 列出的 #编号）")
    s.add_argument("--date", metavar="YYYY-MM-DD", help="补付日期（默认今天）")
    s.add_argument("--note", default="", metavar="说明", help="说明（如 转账凭证号）")
    s.set_defaults(func=cmd_settle)
    c = cs.add_parser("cancel", parents=[db], help="撤销一条补付（须写明原因，记录保留）")
    c.add_argument("claim", type=int, metavar="编号", help="补付记录编号（见 canbao ledger claims 列出的 #编号）")
    c.add_argument("--reason", required=True, metavar="原因", help="撤销原因")
    c.set_defaults(func=cmd_cancel)


def _open(args):
    """Logged in as a known operator (``--operator`` / ``CANBAO_OPERATOR`` and the PIN), like every ledger command."""
    from .ledger_cmd import _open as open_logged_in

    return open_logged_in(args)


@reported
def cmd_claims(args) -> int:
    with _open(args) as lg:
        lg.claims.refresh()
        rows = lg.claims.list(state=args.state)
        if args.json:
            print(json.dumps([{"id": c.id, "member_id": c.member_id, "name": c.member_name, "receipt_no": c.receipt_no,
                               "paid_on": c.paid_on.isoformat(), "category": c.category,
                               "recognized_on": c.recognized_on.isoformat(), "amount": fmt(c.amount),
                               "parts": [{"kind": p.kind, "funder": p.funder, "amount": fmt(p.amount)} for p in c.parts],
                               "state": c.state, "settled_on": c.settled_on.isoformat() if c.settled_on else None,
                               "note": c.note, "clause": c.clause} for c in rows], ensure_ascii=False, indent=2))
            return 0
        if not rows:
            print("没有认定后补付记录")
            return 0
        owed = sum((c.amount for c in rows if c.state == "待补付"), start=type(rows[0].amount)(0))
        for c in rows:
            parts = "、".join(f"{p.funder}{fmt(abs(p.amount))}" + ("（不再补助）" if p.kind == ClaimPartKind.WITHDRAWN else "")
                             for p in c.parts)
            done = f" {c.settled_on}" if c.settled_on else ""
            print(f"#{c.id} {c.member_name} 票据 {c.receipt_no}（{c.paid_on}）{c.category} {c.recognized_on} 认定："
                  f"{fmt(c.amount)} 元［{parts}］ {c.state}{done}")
        print(f"合计待补付 {fmt(owed)} 元；依据：{rows[0].clause}")
    return 0


@reported
def cmd_settle(args) -> int:
    with _open(args) as lg:
        c = lg.claims.settle(args.claim, on=args.date or dt.date.today(), note=args.note)
        print(f"已登记补付：#{c.id} {c.member_name} {fmt(c.amount)} 元，{c.settled_on}")
    return 0


@reported
def cmd_cancel(args) -> int:
    with _open(args) as lg:
        c = lg.claims.cancel(args.claim, reason=args.reason)
        print(f"已撤销补付：#{c.id} {c.member_name} {fmt(c.amount)} 元（{c.note}）")
    return 0
