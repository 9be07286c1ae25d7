"""``canbao ledger settings``: the district's own choices for this ledger (shown, and set by a 专干 or 管理员).

    canbao ledger settings                                  显示
    canbao ledger settings --notice-grid-collection 开      缴费通知单印“也可交给本村（社区）网格员代收”
    canbao ledger settings --notice-grid-collection 关
"""

from __future__ import annotations

from ..domain.problems import Problem, ProblemsError
from .failures import reported

ON, OFF = ("开", "on", "true", "1", "是"), ("关", "off", "false", "0", "否")


def register(ls, db) -> None:
    p = ls.add_parser("settings", parents=[db], help="本台账的设置：缴费通知单是否印“网格员代收”等（专干、管理员可改）")
    p.add_argument("--notice-grid-collection", metavar="开|关",
                   help="缴费通知单是否印“也可交给本村（社区）网格员代收”（政策文件未写，由本地决定；默认关）")
    p.set_defaults(func=cmd_settings)


def _switch(text: str) -> bool:
    t = text.strip().lower()
    if t in ON:
        return True
    if t in OFF:
        return False
    raise ProblemsError([Problem("--notice-grid-collection", f"应为 开 或 关：{text}")])


@reported
def cmd_settings(args) -> int:
    from .ledger_cmd import _open

    with _open(args) as lg:
        if args.notice_grid_collection is not None:
            on = _switch(args.notice_grid_collection)
            changed = lg.settings.set_notice_grid_collection(on, operator=getattr(args, "operator", None))
            word = "印" if on else "不印"
            print(f"缴费通知单{word}“网格员代收”" + ("" if changed.settings else "（未改变）"))
        s = lg.settings.get()
        print(f"乡镇：{s.township}  年度：{s.year}  政策：{s.policy_id}  所在地类型：{s.area_kind or '-'}")
        print(f"缴费通知单印“网格员代收”：{'开' if s.notice_grid_collection else '关'}")
    return 0
