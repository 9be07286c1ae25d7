"""``canbao conflicts list|resolve``: what exchange packets found changed on two laptops (app.sync.conflicts)."""

from __future__ import annotations

import argparse

from ..domain.idnumber import mask_fields
from .failures import reported
from .login import HELP_OPERATOR, open_as_operator


def register(sub) -> None:
    p = sub.add_parser("conflicts", help="冲突：两处修改同一记录、重复缴费等，列出双方版本，由专干处理",
                       description="交换包导入时发现的冲突：同一人员在两台电脑上被改动、同一人在两处缴费（退费候选）等。"
                                   "列出双方版本，由专干选择采用哪一方，不会被悄悄覆盖。",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao conflicts list\n"
                              "    canbao conflicts resolve 1000000000003 --choose 3 --note 村里的号码是新的")
    verbs = p.add_subparsers(dest="verb", metavar="操作", title="操作")
    ls = verbs.add_parser("list", help="列出冲突", description="列出冲突和双方版本（证件号、电话打码）")
    ls.add_argument("--all", action="store_true", help="连同已处理的")
    rs = verbs.add_parser("resolve", help="处理一个冲突", description="选择采用哪一方的版本（专干或管理员）")
    rs.add_argument("id", type=int, metavar="冲突编号", help="conflicts list 列出的编号（# 后面的数字）")
    rs.add_argument("--choose", required=True, metavar="a|b|站点编号",
                    help="采用哪一方：a 或 b（conflicts list 列出的两方），或直接写站点编号")
    rs.add_argument("--note", default="", metavar="说明", help="处理说明（重复缴费必须写明）")
    for x in (ls, rs):
        x.add_argument("--db", metavar="台账文件", help="台账文件（默认：环境变量 CANBAO_DB，否则用户数据目录）")
        x.add_argument("--operator", metavar="姓名", help=HELP_OPERATOR)
        x.set_defaults(func=_run)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _fmt(ledger, stored: dict | None, values: dict, keys: list[str]) -> str:
    """The version's fields in Chinese (amounts in yuan, a household by its number), ID numbers and phones
    masked (``keys``: ``fields.shown_keys`` of the two versions); a side that has no such record says so."""
    from ..sync.fields import ABSENT, FIELDS, absent, value_text

    if absent(stored):
        return ABSENT
    values = mask_fields(values) or {}
    return "，".join(f"{FIELDS.get(k, k)} {value_text(k, values.get(k), ledger)}" for k in keys) or "（无）"


@reported
def _run(args) -> int:
    from ..sync import conflicts

    with open_as_operator(args.db, args.operator, backup=False) as lg:
        if args.verb == "resolve":
            c = conflicts.resolve(lg, args.id, args.choose, args.note)
            print(f"冲突 #{c.id} 已处理：采用站点 {c.choice} 的版本。{c.note or ''}".rstrip())
            return 0
        from ..ledger import stations
        from ..sync.fields import shown_keys

        names = {st.number: f"{st.code} {st.name}" for st in stations.known(lg)}
        listed = conflicts.list_conflicts(lg, open_only=not args.all)
        if not listed:
            print("没有待处理的冲突" if not args.all else "没有冲突")
        for c in listed:
            state = "待处理" if c.open else f"已处理（{c.resolved_by}，采用站点 {c.choice}）"
            print(f"#{c.id} {c.kind} {conflicts.who(lg, c)} {state}")
            print(f"  {c.message}")
            versions = c.versions()
            keys = shown_keys(*(values for _, values in versions))
            for side, stored, (station, values) in zip("ab", (c.a_values, c.b_values), versions):
                print(f"  {side}. 站点 {names.get(station, station)}：{_fmt(lg, stored, values, keys)}")
        return 0
