"""District scale: every action a clerk starts, on a large demo ledger, next to the raw library doing the
same work in the same run (not a timed test).

    .venv/bin/python bench/scale_bench.py --people 500000 --db /tmp/scale500k.db [--only ROW,ROW]

Builds the demo ledger (``canbao demo``, policy changchun-2022 so that rollover to changchun-2025 is a real
next campaign) unless ``--db`` already holds one, and the import files it needs (cached next to the ledger).
Every measurement runs in its own child process, so each has its own peak RSS (``os.wait4``) and CPU time;
the Canbao side calls Canbao's public functions (the numbers follow the code), the raw side calls sqlite3,
python-calamine, openpyxl, reportlab or PySide6 directly. Rows (``--only`` takes these keys):

    commit     roster commit of N new people (10,000)    vs sqlite3 writing the same rows, derived columns, audit
    preview    roster import preview, 100,000 / 200,000  vs python-calamine read + ID lookup
    dashboard  统计 until its data is loaded             vs the same GROUP BYs in plain SQL
    rollover   to the next campaign                      vs INSERT … SELECT * per table (transfer optimisation)
    weekly     周报 for the busiest week                  vs openpyxl write_only writing the same cells
    export     full ledger export                        vs openpyxl write_only writing the same cells
    dues       whole-year dues                           vs the same SQL iterated with Decimal
    window     start to usable main window (offscreen)   vs PySide6 + sqlite3 tree and a 200-row table;
               measured again while --load busy processes (default: one per core) spin on the CPU
    check      canbao check                              vs PRAGMA integrity_check
    search     Ledger.search p95 per kind                vs the bare index query per kind
    notices    缴费通知单 PDF for 300 households           vs reportlab drawing the same text

Ratios first (they travel between machines), then wall and CPU times and peak memory, with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scale_rows import ROWS, _ro, child_main  # noqa: E402

DEFAULT_POLICY = "changchun-2022"
SEARCH_KINDS = ("ID last 4", "ID last 6", "full ID", "name", "pinyin initials", "phone")
TARGETS = {  # the targets, as a ratio to raw (r) or an absolute limit (s / ms)
    "commit": "≤ 2× raw", "preview": "≤ 3× raw, ≤ 500 MB", "dashboard": "≤ 1 s", "rollover": "≤ 1.5× raw",
    "weekly": "≤ 1.3× raw", "export": "≤ 1.3× raw", "dues": "≤ 2× raw", "window": "≤ 1 s quiet",
    "window_loaded": "≤ 2 s loaded",
    "check": "≤ 1.5× raw", "search": "p95 ≤ 50 ms", "notices": "—",
}


@dataclass
class Run:
    wall: float | None = None  # the measured part (or spawn → usable for the window)
    cpu: float | None = None  # CPU seconds of the measured part
    child_cpu: float = 0.0  # whole child process, user + system
    rss_mb: float = 0.0  # peak resident set of the child process
    note: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)


def run_child(spec: str, args, files: dict, timeout: float) -> Run:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", spec, "--db", str(args.db), "--work",
           str(args.work), "--files", json.dumps({k: str(v) for k, v in files.items()}),
           "--queries", str(args.queries), "--size", str(getattr(args, "size", 0))]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # as installed (and as in the bundle) modules load from bytecode: a shell that sets
    # PYTHONDONTWRITEBYTECODE would otherwise make every start compile Canbao's sources (~0.2 s CPU)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(CANBAO_OPERATOR=BENCH_OPERATOR, CANBAO_PIN=BENCH_PIN)
    out_path = Path(args.work) / "child.out"
    with open(out_path, "w") as out:
        spawned = time.time()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                return Run(error=f"timeout after {timeout:.0f} s")
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = out_path.read_text(errors="replace")
    run = Run(child_cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024)
    line = next((ln for ln in text.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        run.error = (text.strip().splitlines() or ["(no output)"])[-1][:200]
        return run
    res = json.loads(line[len("RESULT "):])
    if "usable_at" in res:
        run.wall, run.cpu = res["usable_at"] - spawned, run.child_cpu
    else:
        run.wall, run.cpu = res.get("wall"), res.get("cpu")
    run.note = res.get("note", "")
    if "checked_at" in res:  # the window row: the list was usable first, writes began when quick_check passed
        run.note = f"writes allowed {res['checked_at'] - spawned:.2f} s after start"
    run.extra = res
    return run


def _spin() -> None:
    while True:
        pass


class cpu_load:  # noqa: N801 - used as a context manager, like open()
    """``n`` processes spinning on the CPU (each a busy loop) while the block runs: the "another process
    loads the CPU" condition of the window target, made on purpose rather than waited for."""

    def __init__(self, n: int):
        self.n, self.procs = n, []

    def __enter__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.procs = [ctx.Process(target=_spin, daemon=True) for _ in range(self.n)]
        for p in self.procs:
            p.start()
        time.sleep(0.5)  # let them reach the loop
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.join(5)


def machine() -> str:
    model = ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                model = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {model or platform.processor() or platform.machine()}; load average {load};"
            f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def ensure_ledger(args) -> str:
    if args.db.exists():
        from app.ledger import open_ledger

        with open_ledger(args.db, backup=False):  # bring it to the current schema before anything is timed
            pass
        return "reused"
    from app.ledger.demo import build_demo_ledger

    t = time.perf_counter()
    s = build_demo_ledger(args.db, people=args.people, seed=1, policy_id=args.policy)
    return (f"built in {time.perf_counter() - t:.1f} s: {s.households:,} households, {s.members:,} members,"
            f" {s.payments:,} payments")


def ensure_files(args) -> dict:
    """Import files, cached beside the ledger: new people for the commit, existing people for the preview."""
    from openpyxl import Workbook

    conn = _ro(args.db)
    members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
    stem = args.db.with_suffix("")
    files = {}
    head = ["身份证号", "姓名", "村（社区）", "组", "户主姓名", "户编号", "与户主关系", "联系电话"]
    for size in args.preview_sizes:
        size = min(size, members)
        path = Path(f"{stem}.roster{size}.xlsx")
        files[f"preview{size}"] = path
        if path.exists():
            continue
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("户籍名单")
        ws.append(head)
        for r in conn.execute(
                "SELECT m.id_number, m.name, v.name, coalesce(g.name, ''), coalesce(hm.name, ''), h.number,"
                " m.relation, m.phone FROM members m JOIN households h ON h.id = m.household_id JOIN villages v"
                " ON v.id = h.village_id LEFT JOIN village_groups g ON g.id = h.group_id LEFT JOIN members hm"
                " ON hm.household_id = h.id AND hm.relation = '户主' WHERE m.id_number IS NOT NULL"
                " ORDER BY m.id LIMIT ?", [size]):
            ws.append(list(r))
        wb.save(path)
    path = Path(f"{stem}.new{args.new}.xlsx")
    files["new"] = path
    if not path.exists():
        _new_people_file(conn, path, args.new, head)
    conn.close()
    return files


def _new_people_file(conn, path: Path, count: int, head: list[str]) -> None:
    """``count`` people who are not in the ledger, in whole households, spread over its villages and groups."""
    from openpyxl import Workbook

    from app.ledger.demo import LEDGER_RELATION
    from app.ledger.demo_people import generate_population
    from app.policy_catalog import get_policy

    policy_id = json.loads(conn.execute("SELECT value FROM settings WHERE key = 'policy_id'").fetchone()[0])
    places = conn.execute("SELECT v.name, g.name FROM village_groups g JOIN villages v ON v.id = g.village_id"
                          " ORDER BY g.id").fetchall()
    pop = generate_population(get_policy(policy_id), int(count * 1.2) + 50, seed=4242)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("户籍名单")
    ws.append([h for h in head if h != "户编号"])
    written = 0
    for i, h in enumerate(pop.households):
        if written >= count:
            break
        ids = [m.id_number for m in h.members]
        if not all(ids) or conn.execute(f"SELECT 1 FROM members WHERE id_number IN ({','.join('?' * len(ids))})",
                                        ids).fetchone():
            continue
        village, group = places[i % len(places)]
        head_name = h.members[0].name
        for m in h.members:
            ws.append([m.id_number, m.name, village, group, head_name, LEDGER_RELATION.get(m.relation, m.relation),
                       m.phone])
            written += 1
    wb.save(path)


BENCH_OPERATOR, BENCH_PIN = "基准测试", "bench-2468"


def window_ledger(args) -> Path:
    """A copy of the ledger with an operator, for the window row: the window opens only after a login, which
    the child does from CANBAO_OPERATOR / CANBAO_PIN (the other rows keep an open ledger without operators)."""
    from app.ledger import open_ledger

    path = Path(args.work) / "window.canbao.db"
    shutil.copyfile(args.db, path)
    with open_ledger(path, backup=False) as lg:
        if lg.operators.get(BENCH_OPERATOR) is None:
            lg.operators.add(BENCH_OPERATOR, "管理员", BENCH_PIN)
    return path


def fmt_ratio(c: Run, r: Run, cpu: bool = False) -> str:
    a, b = (c.cpu, r.cpu) if cpu else (c.wall, r.wall)
    if c.error or r.error or not a or not b:
        return "—"
    return f"{a / b:.1f}×"


def fmt_run(x: Run, unit: str = "s") -> str:
    if x.error:
        return f"failed: {x.error}"
    if unit == "ms":
        return f"{x.wall:.2f} ms"
    return f"{x.wall:.2f} s (CPU {x.cpu:.2f} s), {x.rss_mb:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=500_000)
    ap.add_argument("--db", help="the demo ledger to use (built there if missing; default: a temporary file)")
    ap.add_argument("--policy", default=DEFAULT_POLICY, help=f"policy of a newly built ledger ({DEFAULT_POLICY})")
    ap.add_argument("--only", default="", help="comma-separated rows: " + ",".join(ROWS))
    ap.add_argument("--new", type=int, default=0, help="new people for the roster commit (default 10,000,"
                                                       " fewer on small ledgers)")
    ap.add_argument("--preview", default="100000,200000", help="rows of the preview files")
    ap.add_argument("--queries", type=int, default=300, help="searches per kind")
    ap.add_argument("--timeout", type=float, default=900, help="seconds one measurement may take")
    ap.add_argument("--load", type=int, default=os.cpu_count() or 2,
                    help="busy processes spinning while the window is measured a second time (0: not at all)")
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--files", default="{}", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)

    only = [r.strip() for r in args.only.split(",") if r.strip()] or list(ROWS)
    unknown = set(only) - set(ROWS)
    if unknown:
        ap.error(f"unknown rows: {', '.join(sorted(unknown))} (rows: {', '.join(ROWS)})")
    tmp = tempfile.TemporaryDirectory(prefix="scale-bench-")
    args.work = Path(tmp.name)
    args.db = Path(args.db) if args.db else args.work / "bench.canbao.db"
    args.new = args.new or min(10_000, max(100, args.people // 20))
    args.preview_sizes = [int(s) for s in args.preview.split(",") if s]
    args.preview_sizes = sorted({min(s, args.people) for s in args.preview_sizes})
    print(f"Canbao scale benchmark — machine: {machine()}", flush=True)
    t = time.perf_counter()
    how = ensure_ledger(args)
    conn = _ro(args.db)
    members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
    conn.close()
    print(f"ledger {args.db}: {members:,} members ({how}); {args.db.stat().st_size / 2**20:,.0f} MiB", flush=True)
    files = ensure_files(args)
    if "window" in only:
        files["window"] = window_ledger(args)
    print(f"set-up {time.perf_counter() - t:.1f} s", flush=True)

    results: list[tuple[str, str, Run, Run]] = []  # (row key, label, canbao, raw)

    def measure(key: str, label: str, size: int = 0) -> tuple[Run, Run]:
        args.size = size
        c = run_child(f"{key}:canbao", args, files, args.timeout)
        r = run_child(f"{key}:raw", args, files, args.timeout)
        print(f"  {label}: Canbao {fmt_run(c)} | raw {fmt_run(r)} | {fmt_ratio(c, r)}"
              f"{'  — ' + c.note if c.note else ''}", flush=True)
        return c, r

    labels = {"commit": f"roster commit, {args.new:,} new people", "dashboard": "dashboard (统计) until data shows",
              "rollover": "rollover to the next campaign", "weekly": "weekly export (周报, busiest week)",
              "export": "full ledger export", "dues": "whole-year dues", "window": "start to usable window",
              "check": "canbao check", "notices": "notices, ~300 households (PDF)"}
    for key in only:
        if key == "preview":
            for size in args.preview_sizes:
                size = min(size, members)
                c, r = measure(key, f"roster import preview, {size:,} rows", size)
                results.append((key, f"roster import preview, {size:,} rows", c, r))
        elif key == "search":
            c = run_child("search:canbao", args, files, args.timeout)
            r = run_child("search:raw", args, files, args.timeout)
            for kind in SEARCH_KINDS:
                ck = c.extra.get("kinds", {}).get(kind)
                rk = r.extra.get("kinds", {}).get(kind)
                cr = Run(wall=ck["p95"], cpu=ck["p95"], error=c.error) if ck else Run(error=c.error or "no result")
                rr = Run(wall=rk["p95"], cpu=rk["p95"], error=r.error) if rk else Run(error=r.error or "no result")
                results.append(("search", f"search p95: {kind}", cr, rr))
                print(f"  search p95 {kind}: Canbao {fmt_run(cr, 'ms')} | raw {fmt_run(rr, 'ms')} | "
                      f"{fmt_ratio(cr, rr)}", flush=True)
        else:
            c, r = measure(key, labels[key])
            results.append((key, labels[key], c, r))
            if key == "window" and args.load:
                label = f"start to usable window while {args.load} other processes load the CPU"
                with cpu_load(args.load):
                    c, r = measure(key, label)
                results.append(("window_loaded", label, c, r))

    print()
    print(f"## {members:,} people — machine: {machine()}")
    print()
    print("| action | ratio (wall) | ratio (CPU) | Canbao | raw baseline | target |")
    print("|---|---|---|---|---|---|")
    for key, label, c, r in results:
        ms = key == "search"
        target = TARGETS[key]
        cpu_ratio = "—" if ms or key == "window" and False else fmt_ratio(c, r, cpu=True)
        print(f"| {label} | {fmt_ratio(c, r)} | {'—' if ms else cpu_ratio} | {fmt_run(c, 'ms' if ms else 's')}"
              f"{'; ' + c.note if c.note and not ms else ''} | {fmt_run(r, 'ms' if ms else 's')} | {target} |")
    print()
    print("Times are wall-clock of the measured part (window: process start to usable); CPU = that part's CPU")
    print("time; MB = peak resident memory of the whole child process (the raw side's includes rows it")
    print("prepared before its timing started).")
    tmp.cleanup()
    failed = [label for _, label, c, r in results if c.error or r.error]
    if failed:
        print("FAILED: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
