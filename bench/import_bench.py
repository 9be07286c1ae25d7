"""Roster import speed and memory next to python-calamine reading the same file (not a timed test).

    .venv/bin/python bench/import_bench.py --rows 100000 [--file /tmp/roster100k.xlsx] [--skip-commit]

Writes a district-style roster (title row, 村(居)/组别/本人/民族/人员类别 headings, households of 1–5 people,
~7 % with a category) once, then runs each phase in its own process so each peak RSS is its own:

1. ``raw``     — python-calamine opening the workbook and reading every row (the floor: no checks at all);
2. ``preview`` — ``imports.preview`` on an empty ledger (villages to be created): read, match headers, check
   every ID number (once), names, places, relations, categories, households; writes nothing;
3. ``commit``  — preview + ``imports.commit`` (create places, households, members, categories; one transaction).

Targets: preview ≤ 3 × raw read; peak RSS ≤ 500 MB. Raw and preview run ``--repeat`` times interleaved (the
machine is shared), best of each kept; each preview is also divided by the raw read just before it.

Measured 2026-11-30 on the shared 2-core machine, 100,000 rows (6.4 MB), streamed preview: CPU 2.83 / 2.85 /
2.90 × the raw read just before it at load 2.9 (wall 2.75–2.89×: 1.81 s vs 0.63 s), 3.10 / 3.11 / 3.16× at load
9.8; peak RSS 214 MB (raw 114 MB);
200,000 rows: peak RSS 378 MB; commit 129.6 s wall at load 7.6 for 100,000 members in 33,207 households
(peak RSS 274 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VILLAGES = ["东风村", "红旗村", "胜利村", "前进村", "光明村", "新华村", "和平村", "幸福村", "团结村", "建设村"]
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉梅红文斌"
AREAS = ["220102", "220103", "220104", "220105", "220106", "220112", "220122", "220182", "220183", "140405"]


def make_file(path: Path, rows: int, seed: int = 1) -> None:
    from openpyxl import Workbook
    from stdnum.cn import ric

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["测试镇2025年度城乡居民户籍花名册"])
    ws.append(["序号", "村(居)", "组别", "户主姓名", "姓名", "与户主关系", "公民身份号码", "性别", "民族", "人员类别",
               "联系电话", "备注"])
    seen: set[str] = set()

    def new_id(year: int, male: bool) -> str:
        while True:
            body = f"{rng.choice(AREAS)}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = f"{body}{seq:03d}"
            number += ric.calc_check_digit(number + "0")
            if number not in seen:
                seen.add(number)
                return number

    n = 0
    while n < rows:
        v, g = rng.choice(VILLAGES), rng.choice(GROUPS)
        surname = rng.choice(SURNAMES)
        head = surname + rng.choice(GIVEN) + rng.choice(GIVEN)
        cat = rng.choice(["低保", "脱贫不稳定户", "特困"]) if rng.random() < 0.07 else ""  # 脱贫户 alone: no one category
        size = min(rng.randint(1, 5), rows - n)
        for k in range(size):
            n += 1
            male = k == 0 or rng.random() < 0.5
            name = head if k == 0 else surname + rng.choice(GIVEN)
            rel = ("本人" if rng.random() < 0.3 else "户主") if k == 0 else ("妻" if k == 1 else rng.choice(["子", "女"]))
            year = rng.randint(1945, 1985) if k < 2 else rng.randint(1990, 2020)
            ws.append([n, v, g, head, name, rel, new_id(year, male if k != 1 else False),
                       "男" if (male if k != 1 else False) else "女", "汉族", cat if k < 2 else "",
                       f"139{rng.randint(10000000, 99999999)}" if k == 0 else "", ""])
    wb.save(path)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase(name: str, path: Path) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    out: dict = {"phase": name}
    if name == "raw":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        count = 0
        for sheet_name in book.sheet_names:
            for _row in book.get_sheet_by_name(sheet_name).iter_rows():
                count += 1
        out["rows"] = count
    else:
        from app.exchange.imports import commit, preview
        from app.ledger import open_ledger

        tmp = Path(tempfile.mkdtemp())
        lg = open_ledger(tmp / "bench.db", create=True, backup=False, operator="测试员")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["测试员"],
                               villages={})
        t0, c0 = time.perf_counter(), time.process_time()
        pv = preview(lg, path, "roster", use_saved=False)
        out["preview_s"] = time.perf_counter() - t0
        out["preview_cpu"] = time.process_time() - c0
        out["rows"], out["to_write"], out["problems"] = pv.row_count, len(pv.to_write), len(pv.problems)
        if name == "commit":
            t1 = time.perf_counter()
            res = commit(lg, pv, create_places=True, only_good=True)
            out["commit_s"] = time.perf_counter() - t1
            out["written"] = res.written
            out["households"] = lg.households.count()
        lg.close()
    out["seconds"] = time.perf_counter() - t0
    out["cpu"] = time.process_time() - c0
    out["peak_rss_mb"] = peak_mb()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--file", type=Path)
    ap.add_argument("--skip-commit", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="raw and preview runs, interleaved; best kept")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    path = args.file or Path(tempfile.gettempdir()) / f"canbao_roster_{args.rows}.xlsx"
    if args.phase:
        print(json.dumps(phase(args.phase, path), ensure_ascii=False))
        return 0
    if not path.exists():
        t = time.perf_counter()
        make_file(path, args.rows)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
    results: dict = {}
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    phases = ("raw", "preview") * args.repeat + (() if args.skip_commit else ("commit",))
    for name in phases:  # interleaved (the machine is shared), best of --repeat kept
        proc = subprocess.run([sys.executable, __file__, "--phase", name, "--file", str(path)],
                              capture_output=True, text=True, check=True)
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        print(name, got)
        key = "preview_s" if name == "preview" else "seconds"
        if name not in results or got[key] < results[name][key]:
            results[name] = got
        if name == "preview":
            ratios.append(got["preview_s"] / last_raw)
            cpu_ratios.append(got["preview_cpu"] / last_raw_cpu)
        if name == "raw":
            last_raw, last_raw_cpu = got["seconds"], got["cpu"]
    raw, pv = results["raw"]["seconds"], results["preview"]["preview_s"]
    print(f"\nraw calamine read: {raw:.2f} s, peak RSS {results['raw']['peak_rss_mb']:.0f} MB")
    ratios.sort()
    print(f"preview:           {pv:.2f} s = {pv / raw:.2f} × best raw; each preview over the raw read just before it: "
          f"{', '.join(f'{r:.2f}' for r in ratios)} (median {ratios[len(ratios) // 2]:.2f}×); "
          f"peak RSS {results['preview']['peak_rss_mb']:.0f} MB")
    cpu_ratios.sort()
    print(f"CPU time (steadier on a shared machine): preview over raw {', '.join(f'{r:.2f}' for r in cpu_ratios)}"
          f" (median {cpu_ratios[len(cpu_ratios) // 2]:.2f}×); load average {os.getloadavg()[0]:.1f}")
    if "commit" in results:
        c = results["commit"]
        print(f"commit:            {c['commit_s']:.2f} s ({c['written']:,} members, {c['households']:,} households), "
              f"peak RSS {c['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
