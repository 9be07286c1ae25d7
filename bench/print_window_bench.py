"""Printing 300 households' notices from the window and through the CLI (not a timed test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/print_window_bench.py [--households 300] [--dpi 600]

1. ``window``: the main window on a demo ledger, 300 households selected in the list, 打印 → 缴费通知单 →
   选中的户: the PDF is built in the print process (``app.ui.print_process``), then printed from a print
   process (a) to a PDF printer (the reportlab file itself, vector) and (b) down the paper-printer path
   (each page rendered at ``--dpi`` onto the printer; here the printer writes a PDF of the page images).
   Reports wall time, peak memory of the window and of the print processes, and the GUI's longest stall
   (the largest gap between ticks of a 10 ms timer on the GUI thread).
2. ``cli``: ``canbao print notices --household …`` for the same households in a child process: time and
   its peak memory.
Targets: ≤ 60 s, ≤ 400 MB, no GUI stall over 100 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


class StallMeter:
    """The longest gap between ticks of a 10 ms timer on the GUI thread."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self):
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def reset(self):
        self.last = time.perf_counter()
        self.worst = 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=300)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["CANBAO_UI_INI"] = str(folder / "ui.ini")

    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from app.ledger import open_ledger
    from app.ledger.demo import build_demo_ledger
    from app.ui import print_preview
    from app.ui.main_window import MainWindow
    from app.ui.style import apply_style, load_fonts

    app = QApplication.instance() or QApplication(["bench"])
    load_fonts(app, background=False)
    apply_style(app)
    db = folder / "print-bench.canbao.db"
    if not db.exists():
        build_demo_ledger(db, people=args.households * 4, seed=5)
    lg = open_ledger(db, backup=False)
    w = MainWindow(lg)
    w.resize(1366, 768)
    w.show()
    meter = StallMeter()

    def wait(pred, timeout=1800):
        end = time.perf_counter() + timeout
        while not pred():
            app.processEvents()
            time.sleep(0.002)
            if time.perf_counter() > end:
                raise TimeoutError

    while w.model.canFetchMore() and w.model.rowCount() < args.households:
        w.model.fetchMore()
    sm = w.table.selectionModel()
    sm.select(w.table.model().index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    top = w.model.index(0, 0)
    bottom = w.model.index(min(args.households, w.model.rowCount()) - 1, 0)
    from PySide6.QtCore import QItemSelection

    sm.select(QItemSelection(top, bottom), QItemSelectionModel.SelectionFlag.ClearAndSelect
              | QItemSelectionModel.SelectionFlag.Rows)
    n = len(w.selected_household_ids())
    chooser = w.open_print()
    chooser.scope_button("selected").setChecked(True)
    previews = []
    chooser.preview_ready.connect(previews.append)
    app.processEvents()
    meter.reset()
    t0 = time.perf_counter()
    chooser.build()
    wait(lambda: previews)
    t_build = time.perf_counter() - t0
    preview = previews[0]
    pages = preview.doc.pageCount()
    stall_build = meter.worst
    print(f"window: {n} households → {pages} pages; PDF built in the print process in {t_build:.1f} s, "
          f"GUI longest stall {stall_build * 1000:.0f} ms, peak memory: window {peak_mb():.0f} MB, "
          f"print process {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")

    def run_print(printer, label, raster=None):
        done = []
        preview.printed.connect(done.append)
        meter.reset()
        t = time.perf_counter()
        preview.print_in_background(printer, raster=raster)
        wait(lambda: done or (preview.task and preview.task.error))
        preview.printed.disconnect()
        if preview.task.error:
            raise preview.task.error
        print(f"  print to {label}: {time.perf_counter() - t:.1f} s, GUI longest stall {meter.worst * 1000:.0f} ms,"
              f" peak memory: window {peak_mb():.0f} MB, print processes so far {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")

    p = QPrinter(QPrinter.PrinterMode.HighResolution)
    p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p.setOutputFileName(str(folder / "printed-vector.pdf"))
    run_print(p, "a PDF printer (vector: the reportlab file)")
    p2 = QPrinter(QPrinter.PrinterMode.HighResolution)
    p2.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p2.setOutputFileName(str(folder / "printed-raster.pdf"))
    p2.setResolution(args.dpi)
    run_print(p2, f"the paper-printer path at {args.dpi} dpi (each page rendered)", raster=True)
    print(f"window total (build + vector print): {t_build:.1f} s")
    numbers = w.selected_household_numbers()
    w.close()
    lg.close()
    cmd = [sys.executable, "-m", "app.cli.main", "print", "notices", "--db", str(db), "--all", "--quiet",
           "-o", str(folder / "cli.pdf")]
    # the CLI takes one --household; a village is the nearest whole scope of about the same size
    t = time.perf_counter()
    operator, pin = "基准测试", "bench-2468"  # the CLI logs in (a ledger with operators asks for a PIN)
    with open_ledger(db, backup=False) as again:
        if again.operators.get(operator) is None:
            again.operators.add(operator, "管理员", pin)
    env = dict(os.environ, CANBAO_OPERATOR=operator, CANBAO_PIN=pin)
    proc = subprocess.Popen(cmd + ["--village", _first_village(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env=env)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    print(f"cli: canbao print notices --village … ({out.strip()}) {time.perf_counter() - t:.1f} s, "
          f"peak memory {usage.ru_maxrss / 1024:.0f} MB, rc {os.waitstatus_to_exitcode(status)}")
    del numbers
    return 0


def _first_village(db) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
