"""The measurements of ``scale_bench.py``, each run in its own child process: ``canbao_ROW`` calls Canbao's
public functions, ``raw_ROW`` the bare library doing the same work. Each returns a dict: ``wall`` and
``cpu`` seconds of the measured part (set-up excluded), or ``usable_at`` (epoch seconds) for the window,
and a ``note``. Run through ``scale_bench.py --child ROW:SIDE``, not directly."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T_IMPORT = time.time()
NEXT_POLICY = "changchun-2025"  # the rollover target of the bench's changchun-2022 ledger

class Clock:
    """Wall and CPU time of the measured part only (imports and set-up excluded)."""

    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0


def _copy_ledger(src: Path, work: Path, name: str) -> Path:
    dst = work / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def _year(db: Path) -> int:
    from app.ledger import open_ledger

    with open_ledger(db, backup=False) as lg:
        return lg.settings.get().year


# -- roster commit
def canbao_commit(a) -> dict:
    from app.exchange.imports import commit, preview
    from app.ledger import open_ledger

    db = _copy_ledger(a.db, a.work, "commit.canbao.db")
    with open_ledger(db, backup=False) as lg:
        with Clock() as pre:
            pv = preview(lg, a.files["new"], "roster")
        with Clock() as c:
            out = commit(lg, pv)
    members = out.written
    _drop(db)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{members:,} rows written; preview first {pre.wall:.1f} s",
            "rows": members}


def raw_commit(a) -> dict:
    """sqlite3 writing the same households and members, their derived columns and audit rows, one transaction."""
    from python_calamine import CalamineWorkbook

    from app.domain.idnumber import parse_id_number
    from app.ledger.identity import search_keys

    db = _copy_ledger(a.db, a.work, "commit.raw.db")
    sheet = CalamineWorkbook.from_path(str(a.files["new"])).get_sheet_by_index(0).to_python()
    head, body = sheet[0], sheet[1:]
    col = {h: i for i, h in enumerate(head)}
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    villages = {n: i for i, n in conn.execute("SELECT id, name FROM villages")}
    groups = {(v, g): i for i, v, g in conn.execute(
        "SELECT g.id, v.name, g.name FROM village_groups g JOIN villages v ON v.id = g.village_id")}
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    with Clock() as c:
        conn.execute("BEGIN IMMEDIATE")
        top = conn.execute("SELECT max(CAST(number AS INTEGER)) FROM households WHERE number GLOB '[0-9]*'"
                           ).fetchone()[0] or 0
        households: dict = {}
        for r in body:
            name, number, village, group = r[col["姓名"]], str(r[col["身份证号"]]), r[col["村（社区）"]], r[col["组"]]
            phone, headname, relation = str(r[col["联系电话"]] or ""), r[col["户主姓名"]], r[col["与户主关系"]]
            key = (village, group, headname)
            hid = households.get(key)
            if hid is None:
                top += 1
                hno = f"{top:06d}"
                hid = conn.execute(
                    "INSERT INTO households (number, village_id, group_id, address, phone, notes, created_at,"
                    " updated_at) VALUES (?, ?, ?, '', ?, '', ?, ?)",
                    [hno, villages[village], groups[(village, group)], phone, now, now]).lastrowid
                conn.execute("INSERT INTO audit (ts, operator, entity, entity_id, household_id, action, after)"
                             " VALUES (?, 'bench', 'household', ?, ?, 'create', ?)",
                             [now, hid, hid, json.dumps({"number": hno, "village": village, "group": group,
                                                         "phone": phone}, ensure_ascii=False)])
                households[key] = hid
            info = parse_id_number(number)
            keys = search_keys(name, info.number, phone)
            rec = {"name": name, "id_type": "居民身份证", "id_number": info.number,
                   "birth_date": info.birth_date.isoformat(), "sex": info.sex, "relation": relation, "phone": phone}
            mid = conn.execute(
                "INSERT INTO members (household_id, name, name_initials, id_type, id_number, id_rev, sex, birth_date,"
                " relation, phone, phone_rev, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [hid, name, keys["name_initials"], "居民身份证", info.number, keys["id_rev"], info.sex,
                 rec["birth_date"], relation, phone, keys["phone_rev"], now, now]).lastrowid
            conn.execute("INSERT INTO audit (ts, operator, entity, entity_id, household_id, member_id, action, after)"
                         " VALUES (?, 'bench', 'member', ?, ?, ?, 'create', ?)",
                         [now, mid, hid, mid, json.dumps(rec, ensure_ascii=False)])
        conn.execute("COMMIT")
    conn.close()
    _drop(db)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(body):,} rows", "rows": len(body)}


def _drop(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# -- roster import preview
def canbao_preview(a) -> dict:
    from app.exchange.imports import preview
    from app.ledger import open_ledger

    with open_ledger(a.db, backup=False) as lg:
        with Clock() as c:
            pv = preview(lg, a.files[f"preview{a.size}"], "roster")
    return {"wall": c.wall, "cpu": c.cpu, "note": pv.summary(), "rows": pv.row_count}


def raw_preview(a) -> dict:
    """python-calamine reads the sheet, each ID number's check digit is checked (stdnum) and the numbers are
    looked up in the ledger."""
    from python_calamine import CalamineWorkbook
    from stdnum.cn import ric

    conn = _ro(a.db)
    with Clock() as c:
        sheet = CalamineWorkbook.from_path(str(a.files[f"preview{a.size}"])).get_sheet_by_index(0).to_python()
        col = sheet[0].index("身份证号")
        ids = []
        for r in sheet[1:]:
            n = str(r[col]).strip().upper()
            if len(n) == 18 and n[:17].isdigit() and ric.calc_check_digit(n) == n[17]:
                ids.append(n)
        found = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for number, mid, hid, name in conn.execute(
                    f"SELECT id_number, id, household_id, name FROM members WHERE id_number IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                found[number] = (mid, hid, name)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(sheet) - 1:,} rows, {len(found):,} found",
            "rows": len(sheet) - 1}


# -- dashboard
def canbao_dashboard(a) -> dict:
    from app.ledger import open_ledger
    from app.ui.dashboard import key_categories, load_dashboard

    with open_ledger(a.db, backup=False) as lg:
        year, cats = lg.settings.get().year, key_categories(lg.policy())
    with Clock() as c:
        data = load_dashboard(a.db, year, cats)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(data.villages)} villages, {len(data.key_groups)} key groups"}


def raw_dashboard(a) -> dict:
    """The numbers the dashboard shows, as plain GROUP BYs: progress per village/group, per key category,
    payments per day."""
    from app.ledger.member_year import required_sql

    REQUIRED_SQL = required_sql("m")  # noqa: N806 - the ledger's one definition of who must enrol

    year = _year(a.db)
    conn = _ro(a.db)
    paid = ("SELECT DISTINCT i.member_id FROM payment_items i JOIN payments p ON p.id = i.payment_id"
            " WHERE i.year = :year AND p.voided_at IS NULL")
    with Clock() as c:
        groups = conn.execute(
            f"WITH paid AS ({paid}) SELECT h.village_id, h.group_id, count(*), count(paid.member_id)"
            f" FROM members m JOIN households h ON h.id = m.household_id LEFT JOIN paid ON paid.member_id = m.id"
            f" WHERE {REQUIRED_SQL} GROUP BY h.village_id, h.group_id", {"year": year}).fetchall()
        cats = conn.execute(
            f"WITH paid AS ({paid}) SELECT c.category, count(*), count(paid.member_id) FROM member_categories c"
            f" JOIN members m ON m.id = c.member_id LEFT JOIN paid ON paid.member_id = c.member_id"
            f" WHERE c.ended_on IS NULL AND {REQUIRED_SQL} GROUP BY c.category", {"year": year}).fetchall()
        days = conn.execute("SELECT paid_on, count(*), sum(amount_fen) FROM payments WHERE year = ? AND"
                            " voided_at IS NULL GROUP BY paid_on", [year]).fetchall()
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(groups)} groups, {len(cats)} categories, {len(days)} days"}


# -- rollover
def canbao_rollover(a) -> dict:
    from app.ledger import open_ledger

    new = a.work / "rollover.canbao.db"
    _drop(new)
    with open_ledger(a.db, backup=False) as lg:
        with Clock() as c:
            lg.rollover(new, NEXT_POLICY)
    size = new.stat().st_size / 2**20
    _drop(new)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"new file {size:.0f} MiB"}


def raw_rollover(a) -> dict:
    """An empty ledger from the migrations, then in one transaction one ``INSERT … SELECT *`` per carried-over
    table and per shadow table of the two search indexes, the target's triggers out of the way (SQLite's
    transfer optimisation copies b-tree pages only into a table without triggers, foreign keys off)."""
    from app.ledger import open_ledger

    new = a.work / "rollover.raw.db"
    _drop(new)
    with open_ledger(new, create=True, backup=False):
        pass
    conn = sqlite3.connect(new, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS old", [str(Path(a.db).resolve())])
    tables = ("villages", "village_groups", "households", "members", "member_categories")
    shadows = [f"{fts}_{s}" for fts in ("member_names", "member_numbers")
               for s in ("data", "idx", "content", "docsize", "config")]
    with Clock() as c:
        conn.execute("BEGIN IMMEDIATE")
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                                f"({', '.join('?' * len(tables))})", tables).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        for table in (*tables, *shadows):
            conn.execute(f"DELETE FROM main.{table}")
            # same schema on both sides, no column list, no WHERE: SQLite's transfer optimisation copies pages
            conn.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table}")
        for _, sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
    conn.close()
    _drop(new)
    return {"wall": c.wall, "cpu": c.cpu}


# -- exports
def _busiest_week(lg):
    import datetime as dt

    weeks: dict = {}
    for day, n in lg.db.execute("SELECT paid_on, count(*) FROM payments GROUP BY paid_on"):
        d = dt.date.fromisoformat(day)
        monday = d - dt.timedelta(days=d.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    monday = max(weeks, key=weeks.get)
    return monday, monday + dt.timedelta(days=6)


def _weekly_sheets(lg, start, end):
    """(title, headings, cells) of every sheet of the 周报, as Canbao's row sources give them."""
    from app.exchange.columns import load_column_set
    from app.exchange.exports import EXPORTS, WEEKLY_ORDER
    from app.exchange.from_ledger import ExportFilter

    out = []
    for name in WEEKLY_ORDER:
        source, _ = EXPORTS[name]
        cs = load_column_set(name)
        flt = ExportFilter(None, None, None, end) if name in ("progress", "unpaid") else \
            ExportFilter(None, None, start, end)
        out.append((cs.title, cs.headings, [[r.get(f) for f in cs.fields] for r in source(lg, flt)]))
    return out


def _bare_write(path: Path, sheets) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    n = 0
    for title, headings, cells in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(headings))
        for r in cells:
            ws.append(r)
            n += 1
    wb.save(path)
    return n


def canbao_weekly(a) -> dict:
    from app.exchange.exports import export_weekly
    from app.ledger import open_ledger

    out = a.work / "weekly.canbao.xlsx"
    with open_ledger(a.db, backup=False) as lg:
        start, end = _busiest_week(lg)
        with Clock() as c:
            res = export_weekly(lg, out, start, end)
    out.unlink(missing_ok=True)
    rows = sum(res.sheets.values())
    return {"wall": c.wall, "cpu": c.cpu, "note": f"week {start}, {rows:,} rows", "rows": rows}


def raw_weekly(a) -> dict:
    from app.ledger import open_ledger

    out = a.work / "weekly.raw.xlsx"
    with open_ledger(a.db, backup=False) as lg:
        start, end = _busiest_week(lg)
        sheets = _weekly_sheets(lg, start, end)
    with Clock() as c:
        n = _bare_write(out, sheets)
    out.unlink(missing_ok=True)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{n:,} rows (cells prepared before timing)", "rows": n}


def canbao_export(a) -> dict:
    from app.exchange.exports import export_one
    from app.ledger import open_ledger

    out = a.work / "export.canbao.xlsx"
    with open_ledger(a.db, backup=False) as lg:
        with Clock() as c:
            res = export_one(lg, "ledger", out)
    size = out.stat().st_size / 1e6
    out.unlink(missing_ok=True)
    rows = sum(res.sheets.values())
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{rows:,} rows, {size:.0f} MB", "rows": rows}


def raw_export(a) -> dict:
    from app.exchange.columns import load_column_set
    from app.exchange.from_ledger import ledger_rows
    from app.ledger import open_ledger

    out = a.work / "export.raw.xlsx"
    cs = load_column_set("ledger")
    with open_ledger(a.db, backup=False) as lg:
        cells = [[r.get(f) for f in cs.fields] for r in ledger_rows(lg)]
    with Clock() as c:
        n = _bare_write(out, [(cs.title, cs.headings, cells)])
    out.unlink(missing_ok=True)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{n:,} rows (cells prepared before timing)", "rows": n}


# -- dues
def canbao_dues(a) -> dict:
    from app.ledger import open_ledger

    with open_ledger(a.db, backup=False) as lg:
        with Clock() as c:
            r = lg.dues()
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{r.members:,} members, {r.distinct_quotes:,} quotes",
            "rows": r.members}


def raw_dues(a) -> dict:
    """The dues query itself, every row kept with its paid amount as Decimal."""
    from decimal import Decimal

    year = _year(a.db)
    conn = _ro(a.db)
    cents = Decimal("0.01")
    with Clock() as c:
        rows = [(r[0], r[1], r[4], r[6], Decimal(r[9]) * cents) for r in conn.execute(_dues_sql(), {"year": year})]
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(rows):,} rows", "rows": len(rows)}


def _dues_sql() -> str:
    """The SQL ``Ledger.dues`` runs (``member_year.standings`` for the whole ledger)."""
    from app.ledger import member_year

    return member_year._QUERY.format(cat_where="", paid_join="", where="")


# -- window (timed from the parent's spawn: interpreter start included on both sides)
def canbao_window(a) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["CANBAO_UI_INI"] = str(a.work / "ui.ini")
    import app.cli.main  # noqa: F401 - the imports of `canbao` with no arguments, in its order:
    import app.ledger  # noqa: F401 - the ledger before Qt (see app.cli.main)
    from PySide6.QtWidgets import QApplication

    from app.ui.app import Shell
    from app.ui.settings import Preferences
    from app.ui.style import apply_style

    app = QApplication(["scale_bench"])
    apply_style(app, False)
    shell = Shell(Preferences())
    shell.open_path(str(a.files["window"]))  # a copy with an operator: logged in from CANBAO_OPERATOR/PIN
    # the event loop waits as the program's does (a busy processEvents() loop would burn the CPU the workers
    # need); a 5 ms timer looks whether the window is usable yet
    from PySide6.QtCore import QTimer

    done: list[float] = []

    def look():
        if shell.window is not None and shell.window.model.rowCount() and shell.window.view.household:
            timer.stop()
            app.processEvents()
            shell.window.repaint()
            done.append(time.time())
            app.quit()
        elif time.time() - T_IMPORT > 120:
            app.quit()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(5)
    app.exec()
    if not done:
        raise SystemExit("主窗口 120 秒内未就绪")
    # the list is usable; writes wait for the open-check (quick_check on a worker): when they may begin is the
    # note, and the child's CPU (taken at its exit) includes the whole check
    out = {"usable_at": done[0]}
    check = getattr(shell.ledger, "open_check", None)
    if check is not None:
        check.wait(120)
        out["checked_at" if check.damage == [] else "check_failed_at"] = time.time()
    return {**out, "cpu": time.process_time()}


def raw_window(a) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import (QApplication, QSplitter, QTableWidget, QTableWidgetItem, QTreeWidget,
                                   QTreeWidgetItem)

    app = QApplication(["scale_bench_raw"])
    conn = _ro(a.db)
    split = QSplitter()
    tree = QTreeWidget(split)
    items = {}
    for vid, name in conn.execute("SELECT id, name FROM villages ORDER BY id"):
        items[vid] = QTreeWidgetItem(tree, [name])
    for vid, name in conn.execute("SELECT village_id, name FROM village_groups ORDER BY id"):
        QTreeWidgetItem(items[vid], [name])
    rows = conn.execute("SELECT h.number, m.name, m.relation, m.id_number, m.birth_date, v.name, m.status"
                        " FROM members m JOIN households h ON h.id = m.household_id JOIN villages v"
                        " ON v.id = h.village_id ORDER BY m.id LIMIT 200").fetchall()
    table = QTableWidget(len(rows), 7, split)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            table.setItem(i, j, QTableWidgetItem(str(v or "")))
    split.resize(1200, 800)
    split.show()
    app.processEvents()
    split.repaint()
    return {"usable_at": time.time(), "cpu": time.process_time()}


# -- check
def canbao_check(a) -> dict:
    from app.ledger import open_ledger

    with open_ledger(a.db, backup=False) as lg:
        with Clock() as c:
            problems = lg.check()
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(problems)} problems"}


def raw_check(a) -> dict:
    conn = _ro(a.db)
    with Clock() as c:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    return {"wall": c.wall, "cpu": c.cpu, "note": str(result[0][0])}


# -- search
def _search_queries(db: Path, n: int, seed: int) -> dict[str, list[str]]:
    conn = _ro(db)
    top = conn.execute("SELECT max(id) FROM members").fetchone()[0]
    rng = random.Random(seed)
    picked = []
    while len(picked) < n:
        row = conn.execute("SELECT name, name_initials, id_number, phone FROM members WHERE id >= ? AND"
                           " id_number IS NOT NULL AND phone != '' LIMIT 1", [rng.randint(1, top)]).fetchone()
        if row:
            picked.append(row)
    return {"ID last 4": [r[2][-4:] for r in picked], "ID last 6": [r[2][-6:] for r in picked],
            "full ID": [r[2] for r in picked], "name": [r[0] for r in picked],
            "pinyin initials": [r[1] for r in picked if r[1]], "phone": [r[3] for r in picked]}


def _p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _search_run(queries: dict[str, list[str]], one) -> dict:
    for qs in queries.values():  # warm the page cache like a window open for a while
        for q in qs[:20]:
            one(q)
    out = {}
    c0 = time.process_time()
    for kind, qs in queries.items():
        times = []
        for q in qs:
            t = time.perf_counter()
            one(q)
            times.append((time.perf_counter() - t) * 1000)
        out[kind] = {"p95": _p95(times), "p50": statistics.median(times), "n": len(times)}
    return {"kinds": out, "cpu": time.process_time() - c0}


def canbao_search(a) -> dict:
    from app.ledger import open_ledger

    queries = _search_queries(a.db, a.queries, 7)
    with open_ledger(a.db, backup=False) as lg:
        return _search_run(queries, lambda q: lg.search(q, limit=50))


def raw_search(a) -> dict:
    """The one index range query each kind needs, with the rows the list shows."""
    queries = _search_queries(a.db, a.queries, 7)
    conn = _ro(a.db)
    sql = ("SELECT m.id, m.household_id, h.number, m.name, m.id_number, m.phone, v.name FROM members m"
           " JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id"
           " WHERE m.{col} >= ? AND m.{col} < ? LIMIT 50")

    def up(s: str) -> str:
        return s[:-1] + chr(ord(s[-1]) + 1)

    def one(q: str) -> None:
        if q.isdigit() and len(q) == 11 and q.startswith("1"):
            col, key = "phone", q
        elif len(q) >= 15:
            col, key = "id_number", q
        elif q[:1].isdigit():
            col, key = "id_rev", q[::-1]
        elif q.isascii():
            col, key = "name_initials", q
        else:
            col, key = "name", q
        conn.execute(sql.format(col=col), [key, up(key)]).fetchall()

    return _search_run(queries, one)


# -- notices
def _notice_village(lg, target: int) -> tuple[str, int]:
    counts = lg.db.execute("SELECT v.name, count(*) FROM households h JOIN villages v ON v.id = h.village_id"
                           " GROUP BY v.id").fetchall()
    return min(counts, key=lambda r: abs(r[1] - target))


def canbao_notices(a) -> dict:
    from app.ledger import open_ledger
    from app.paper.from_ledger import Selection, notices
    from app.paper.notice import render_notices

    out = a.work / "notices.canbao.pdf"
    with open_ledger(a.db, backup=False) as lg:
        village, n = _notice_village(lg, 300)
        with Clock() as c:
            ns = notices(lg, Selection(village=village), only_unpaid=False)
            render_notices(ns, out)
    size = out.stat().st_size / 1e6
    out.unlink(missing_ok=True)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(ns)} households of {village}, {size:.1f} MB PDF",
            "rows": len(ns)}


def raw_notices(a) -> dict:
    """reportlab drawing the same notices' text (one page each, one line per member), same font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from app.ledger import open_ledger
    from app.paper.from_ledger import Selection, notices

    out = a.work / "notices.raw.pdf"
    with open_ledger(a.db, backup=False) as lg:
        village, _ = _notice_village(lg, 300)
        ns = notices(lg, Selection(village=village), only_unpaid=False)
    with Clock() as c:
        pdfmetrics.registerFont(TTFont("RawHei", str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc"),
                                       subfontIndex=0))
        cv = Canvas(str(out), pagesize=A4)
        for n in ns:
            cv.setFont("RawHei", 16)
            cv.drawCentredString(A4[0] / 2, A4[1] - 60, n.title)
            cv.setFont("RawHei", 10)
            cv.drawString(50, A4[1] - 90, f"{n.township} {n.village} {n.group} 户编号 {n.household_number}"
                                          f" 户主 {n.head_name} {n.address} {n.phone}")
            y = A4[1] - 120
            for m in n.members:
                cv.drawString(50, y, f"{m.name} {m.id_masked} {m.relation} {m.category} {m.personal_standard}"
                                     f" {m.assistance} {m.addons} {m.due} {m.note}")
                y -= 18
            cv.drawString(50, y - 10, f"合计 {n.total} 缴费时间 {n.window_start} 至 {n.window_end}")
            cv.showPage()
        cv.save()
    out.unlink(missing_ok=True)
    return {"wall": c.wall, "cpu": c.cpu, "note": f"{len(ns)} pages", "rows": len(ns)}


ROWS = ("commit", "preview", "dashboard", "rollover", "weekly", "export", "dues", "window", "check", "search",
        "notices")
CHILDREN = {name: (globals()[f"canbao_{name}"], globals()[f"raw_{name}"]) for name in ROWS}


def child_main(a) -> int:
    row, side = a.child.split(":")
    a.db = Path(a.db)
    a.work = Path(a.work)
    a.files = {k: Path(v) for k, v in json.loads(a.files).items()}
    fn = CHILDREN[row][0 if side == "canbao" else 1]
    result = fn(a)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    sys.stderr.flush()
    os._exit(0)  # measured: skip tearing down Qt and its worker threads (the window's tree is still counting)
