"""``canbao demo``: a realistic synthetic ledger (100 to 2,000,000 people) to look at and to benchmark."""

from __future__ import annotations

import argparse
import sys
import time

from ..domain.problems import ProblemsError
from ..policy_catalog import UnknownPolicy


def register(sub) -> None:
    d = sub.add_parser("demo", help="生成演示台账（虚构人员，100 至 2000000 人），用于熟悉软件和性能测试",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="生成一个虚构但逼真的台账：村组、户、成员、身份证号、人员类别、参保状态和缴费记录。\n"
                                   "所有人员均为随机生成，不是真实数据。同一 --seed 生成的台账完全相同。",
                       epilog="例：canbao demo --people 5000 --db 演示台账.canbao.db")
    d.add_argument("--people", type=int, default=1000, metavar="人数", help="人数（100 至 2000000，默认 1000）")
    d.add_argument("--db", metavar="台账文件", help="演示台账文件路径（默认为数据文件夹中的 demo.canbao.db，"
                                                "即窗口里“打开演示台账”所用的文件，可用 CANBAO_DEMO_DB 指定；不会写入正式台账）")
    d.add_argument("--seed", type=int, default=1, metavar="种子", help="随机种子（默认 1）")
    d.add_argument("--policy", default="changchun-2025", metavar="政策编号", help="政策编号（默认 changchun-2025）")
    d.add_argument("--replace", action="store_true", help="覆盖已有的演示台账（只能覆盖由本命令生成的文件）")
    d.add_argument("--quiet", action="store_true", help="不显示进度")
    d.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from pathlib import Path

    from ..ledger.demo import build_demo_ledger, default_demo_path

    path = Path(args.db) if args.db else default_demo_path()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if args.quiet or (now - last[0] < 0.5 and done < total):
            return
        last[0] = now
        print(f"\r生成中… {done * 100 // max(total, 1):3d}%", end="", file=sys.stderr, flush=True)

    try:
        s = build_demo_ledger(path, people=args.people, seed=args.seed, policy_id=args.policy,
                              replace=args.replace, progress=progress)
    except UnknownPolicy as exc:
        print(f"\n错误：{exc}", file=sys.stderr)
        return 2
    except ProblemsError as exc:
        print("", file=sys.stderr)
        for p in exc.problems:
            print(f"错误：{p}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已中断，没有写入任何文件。", file=sys.stderr)
        return 130
    if not args.quiet:
        print("", file=sys.stderr)
    print(f"已生成演示台账：{s.path}")
    print(f"  政策 {s.policy_id}，乡镇 {s.township}，{s.villages} 个村（社区），{s.households:,} 户，{s.members:,} 人")
    print(f"  人员类别 {s.categories:,} 条，缴费 {s.payments:,} 笔（{s.paid_members:,} 人已缴）")
    print(f"  用时 {s.seconds:.1f} 秒（生成 {s.generate_seconds:.1f} 秒，写入 {s.write_seconds:.1f} 秒），种子 {args.seed}")
    print("  注意：以上人员均为虚构，不是真实数据。")
    print(f"  查看：canbao ledger info --db \"{s.path}\"   检查：canbao check --db \"{s.path}\"")
    return 0
