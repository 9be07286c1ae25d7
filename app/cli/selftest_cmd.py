"""``canbao selftest``: checks an installation without touching the user's ledger (see ``app.selftest``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("selftest", help="自检：新建临时台账、载入全部政策、测算、写 PDF 和 Excel，全部成功退出码为 0")
    p.add_argument("--gui", action="store_true", help="另外打开主窗口，显示后自动关闭")
    p.add_argument("--keep", metavar="文件夹", help="把自检生成的台账、PDF、Excel 留在此文件夹（默认用临时文件夹并删除）")
    p.add_argument("--allow-network", action="store_true", help="不把联网尝试当作失败")
    p.add_argument("--json", action="store_true", help="输出 JSON（供安装程序和其他程序读取）")
    p.set_defaults(func=cmd_selftest)


def cmd_selftest(args) -> int:
    from ..selftest import NetworkGuard, environment_for_headless, gui_smoke, run_selftest

    environment_for_headless()
    guard = NetworkGuard()
    guard.active = True

    def show(step) -> None:
        if not args.json:
            mark = "✓" if step.ok else "✗"
            print(f"{mark} {step.name}：{step.detail}（{step.seconds:.2f} 秒）", flush=True)

    steps = run_selftest(Path(args.keep) if args.keep else None, report=show)
    gui_code = None
    if args.gui:
        gui_code = gui_smoke()
    guard.active = False
    failed = [s.name for s in steps if not s.ok]
    if gui_code not in (None, 0):
        failed.append("窗口")
    if guard.attempts and not args.allow_network:
        failed.append("联网")
    if args.json:
        print(json.dumps({"ok": not failed, "failed": failed, "network_attempts": guard.attempts,
                          "gui": gui_code,
                          "steps": [{"name": s.name, "ok": s.ok, "detail": s.detail, "seconds": round(s.seconds, 3)}
                                    for s in steps]}, ensure_ascii=False, indent=2))
    else:
        for attempt in guard.attempts:
            print(f"✗ 联网：自检不应联网，却尝试了 {attempt}", file=sys.stderr)
        print("自检通过" if not failed else f"自检未通过：{'、'.join(failed)}", flush=True)
    return 0 if not failed else 1
