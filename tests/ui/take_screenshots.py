"""Take a PNG of every window and dialog at 1366×768 (the common laptop screen), at the default and the large
font (not a test; run by hand):

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.take_screenshots [--out docs/screenshots]

Uses a 3,000-person demo ledger (canbao demo) in a temp folder; nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="docs/screenshots")
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--size", default="1366x768", help="the screen: the main window's size and every window's limit")
    args = ap.parse_args()
    screen_w, screen_h = (int(v) for v in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    os.environ["CANBAO_UI_INI"] = str(tmp / "ui.ini")
    os.environ["CANBAO_DB"] = str(tmp / "new.canbao.db")

    import openpyxl
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ledger import open_ledger
    from app.ledger.demo import build_demo_ledger
    from app.ui.dashboard import DashboardDialog
    from app.ui.exchange_dialogs import ExportDialog, ImportDialog
    from app.ui.first_run import FirstRunScreen
    from app.ui.main_window import MainWindow
    from app.ui.member_form import HouseholdForm, MemberForm
    from app.ui.print_preview import PrintChooser, PrintPreviewDialog, build_pdf
    from app.ui.settings import Preferences, SettingsDialog
    from app.ui.handover_dialog import HandoverDialog
    from app.ui.style import apply_style, load_fonts
    from app.ui.void_refund import PaymentsDialog

    app = QApplication.instance() or QApplication(["screenshots"])
    load_fonts(app, background=False)  # the window's own fonts, as on a computer with no Chinese font
    db = tmp / "demo.canbao.db"
    build_demo_ledger(db, people=args.people, seed=3)
    lg = open_ledger(db, backup=False)
    prefs = Preferences()

    def settle(ms: int = 300):
        import time

        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            app.processEvents()

    def shot(widget, name: str, suffix: str):
        if widget.isWindow():  # never larger than the screen (1366×768 by default)
            widget.resize(min(widget.width(), screen_w), min(widget.height(), screen_h))
        widget.show()
        settle()
        path = out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print(path)

    # an import file with problems
    unpaid = lg.db.execute("SELECT m.id_number, m.name FROM members m WHERE m.id_number IS NOT NULL AND NOT EXISTS"
                           " (SELECT 1 FROM payment_items i WHERE i.member_id = m.id) LIMIT 3").fetchall()
    xlsx = tmp / "税务缴费名单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["证件号码", "姓名", "缴费金额", "缴费日期"])
    ws.append([unpaid[0][0], unpaid[0][1], "1", "2024-10-10"])
    ws.append([unpaid[1][0][:-1] + ("1" if unpaid[1][0][-1] != "1" else "2"), unpaid[1][1], 400, "2024-10-10"])
    ws.append(["220102198808087771", "路人甲", 400, "2024-13-01"])
    wb.save(xlsx)

    for large, suffix in ((False, ""), (True, "-large")):
        apply_style(app, large)
        fr = FirstRunScreen(operator="王会计")
        fr.resize(1000, 680)
        shot(fr, "01-first-run", suffix)
        fr.new_button.click()
        fr.create_form.township.setText("西营镇")
        fr.create_form.villages.setPlainText("东风村：一组 二组 三组\n胜利社区：一组、二组")
        shot(fr, "02-create-ledger", suffix)
        fr.close()

        w = MainWindow(lg, prefs)
        w.resize(screen_w, screen_h)
        w.show()
        settle(1500)
        w.table.selectRow(3)
        settle()
        shot(w, "03-main-window", suffix)
        w.search.setText("zh")
        w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
        settle(600)
        w.table.selectRow(0)
        shot(w, "04-main-search-unpaid", suffix)
        w.pay_filter.setCurrentIndex(w.pay_filter.findData("all"))
        phone = lg.db.execute("SELECT phone FROM members WHERE phone != '' ORDER BY id LIMIT 1 OFFSET 40").fetchone()[0]
        w.search.setText(phone[3:8])  # five digits from the middle of a phone: found once typing pauses
        settle(1500)
        shot(w, "26-main-middle-of-phone", suffix)
        w.search.setText("zh")
        w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
        settle(600)
        w.table.selectRow(0)
        hid = w.view.household.id
        members = [r.member for r in w.view.rows]
        m = members[0]
        mf = MemberForm(lg, hid, m, w)
        shot(mf, "05-member-form", suffix)
        mf.tabs.setCurrentIndex(1)
        shot(mf, "06-member-categories", suffix)
        mf.tabs.setCurrentIndex(2)
        shot(mf, "07-member-history", suffix)
        mf.close()
        new = MemberForm(lg, hid, None, w)
        new.name.setText("孙七")
        new.id_number.setText(members[0].id_number or "")
        shot(new, "08-member-form-duplicate-id", suffix)
        new.done(0)  # a filled-in form asks before closing; the script discards it
        hf = HouseholdForm(lg, w.view.household, w)
        shot(hf, "09-household-form", suffix)
        hf.close()
        cat = lg.db.execute("SELECT h.id, m.id FROM member_categories c JOIN members m ON m.id = c.member_id"
                            " JOIN households h ON h.id = m.household_id WHERE NOT EXISTS (SELECT 1 FROM"
                            " payment_items i WHERE i.member_id = m.id) AND m.status = '本地参保' LIMIT 1").fetchone()
        pd = w.open_payment(cat[0], [cat[1]])
        pd.resize(900, 700)
        shot(pd, "10-payment", suffix)
        pd.date.setDate(dt.date(2025, 6, 10))
        shot(pd, "11-payment-late-date", suffix)
        pd.date.setDate(dt.date(2024, 12, 10))
        pid = pd.save()
        shot(pd, "12-payment-saved", suffix)
        pd.close()
        vr = w.open_void_refund(cat[0])
        shot(vr, "13-payments-void-refund", suffix)
        vr.close()
        pc = PrintChooser(w, prefs)
        shot(pc, "14-print-chooser", suffix)
        pc.close()
        pdf = build_pdf(lg.path, "receipt", receipt_numbers=(lg.payments.get(pid).receipt_no,))
        pv = PrintPreviewDialog(pdf, "收据", w, prefs)
        shot(pv, "15-print-preview-receipt", suffix)
        pv.close()
        ex = ExportDialog(lg, w)
        shot(ex, "16-export", suffix)
        ex.close()
        im = ImportDialog(lg, w)
        im.path.setText(str(xlsx))
        im.preview()
        settle(3000)
        shot(im, "17-import-preview-problems", suffix)
        im.close()
        hd = HandoverDialog(lg, w, operator=lg.payments.get(pid).operator, day=lg.payments.get(pid).paid_on)
        shot(hd, "25-handover", suffix)
        hd.close()
        dash = DashboardDialog(lg, w)
        settle(3000)
        shot(dash, "18-dashboard-villages", suffix)
        dash.tabs.setCurrentIndex(1)
        shot(dash, "19-dashboard-key-groups", suffix)
        dash.tabs.setCurrentIndex(2)
        shot(dash, "20-dashboard-per-day", suffix)
        dash.close()
        sd = SettingsDialog(prefs, lg, w)
        shot(sd, "21-settings", suffix)
        sd.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "导入失败", "找不到文件：D:/名单/税务缴费名单.xlsx",
                          QMessageBox.StandardButton.Ok, w)
        shot(box, "22-error-message", suffix)
        box.close()
        from app.ui.rollover_dialog import RolloverDialog
        from app.ui.tasks import Task

        rd = RolloverDialog(lg, w)
        shot(rd, "23-rollover", suffix)
        rd.close()
        import time

        def slow(progress, cancelled):
            for i in range(300):
                progress(i, 100)
                time.sleep(0.02)
            return None

        task = Task(w, "正在导出", slow, min_duration_ms=0)
        task.start()
        settle(700)
        shot(task.dialog, "24-task-progress", suffix)
        task.cancel()
        task.thread.wait()
        settle()
        lg.payments.void(pid, "截图演示后作废")
        w.close()
    lg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
