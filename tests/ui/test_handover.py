"""日结 / 交款单 against the ledger's own payments: receipts in order, totals by method, voids and refunds,
the amount to hand over; the mark and the flag after a later change; the PDF read back with pdftotext and
the xlsx with LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from decimal import Decimal

import pytest

from app.domain.money import fmt, from_fen
from app.ledger import handover as ho

from .conftest import DAY, make_id


def ledger_sums(lg, operator, day):
    """The same figures straight from the tables, written independently of app.ledger.handover."""
    q = lg.db.execute
    standing = q("SELECT count(*), coalesce(sum(amount_fen), 0) FROM payments WHERE operator = ? AND paid_on = ?"
                 " AND voided_at IS NULL", [operator, day.isoformat()]).fetchone()
    refunded = q("SELECT coalesce(sum(amount_fen), 0) FROM refunds WHERE operator = ? AND refunded_on = ?",
                 [operator, day.isoformat()]).fetchone()[0]
    return standing[0], from_fen(standing[1]), from_fen(refunded)


def test_handover_reconciles_with_the_ledger(book):
    h = ho.compute(book, "王会计", DAY)
    pays = {k: book.payments.get(v) for k, v in book.ids.items()}
    assert [r.receipt_no for r in h.receipts] == [pays[k].receipt_no for k in "abc"]  # 李's and the next day's
    assert [r.state for r in h.receipts] == ["有效", "有效", "作废"]
    count, collected, refunded = ledger_sums(book, "王会计", DAY)
    assert (h.hand_over_count, h.collected, h.refunded) == (count, collected, refunded)
    assert h.hand_over_amount == collected - refunded
    methods = {m.method: m for m in h.by_method}
    assert set(methods) == {"现金", "微信"}
    assert methods["现金"].collected == pays["a"].amount and methods["现金"].refunded == 0
    refund_amount = book.payments.refunds_of(pays["b"].id)[0].amount
    assert methods["微信"].net == pays["b"].amount - refund_amount
    assert h.voided_amount == pays["c"].amount and len(h.refunds) == 1
    assert sum((m.net for m in h.by_method), Decimal(0)) == h.hand_over_amount
    # a range: both days, still only 王会计's
    two = ho.compute(book, "王会计", DAY, DAY + dt.timedelta(days=1))
    assert two.hand_over_count == 3 and two.collected == collected + pays["e"].amount


def test_bad_ranges_are_problems(book):
    from app.domain.problems import ProblemsError

    with pytest.raises(ProblemsError) as exc:
        ho.compute(book, "", "2021-13-01", "2021-10-01")
    assert {p.place for p in exc.value.problems} == {"操作员", "开始日期"}  # all problems at once


def test_a_handed_over_day_is_marked_and_a_later_void_is_flagged(book):
    h = ho.compute(book, "王会计", DAY)
    assert h.handed_over is None
    ho.mark_handed_over(book, h, receiver="乡镇医保站 刘")
    again = ho.compute(book, "王会计", DAY)
    assert again.handed_over is not None and not again.handed_over.changed
    from app.domain.problems import ProblemsError

    with pytest.raises(ProblemsError):
        ho.mark_handed_over(book, again)  # once is enough while nothing changed
    a = book.payments.get(book.ids["a"])
    book.payments.void(a.id, "重复录入", operator="王会计")
    later = ho.compute(book, "王会计", DAY)
    assert later.handed_over.changed
    assert any(a.receipt_no in c and "作废" in c for c in later.handed_over.changes)
    # the range that contains the day carries the flag too
    wide = ho.compute(book, "王会计", DAY - dt.timedelta(days=3), DAY + dt.timedelta(days=3))
    assert wide.marks and wide.marks[0].changed and wide.handed_over is None


def test_pdf_reads_back_with_pdftotext(book, tmp_path):
    from app.paper.handover import render_handover

    h = ho.compute(book, "王会计", DAY)
    out = render_handover(h, tmp_path / "交款单.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for r in h.receipts:
        assert r.receipt_no in text
    assert "作废" in text and "重复缴费" in text
    assert f"应交款合计：{h.hand_over_amount:,.2f}" in text.replace(" ", "")
    assert "交款人（签字）" in text and "收款人（签字）" in text


def test_xlsx_reads_back_with_libreoffice(book, tmp_path):
    from app.paper.handover import write_handover_xlsx

    h = ho.compute(book, "王会计", DAY)
    out = write_handover_xlsx(h, tmp_path / "jk.xlsx")
    subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=120)
    rows = list(csv.reader(open(tmp_path / "jk.csv", encoding="utf-8")))
    total = next(r for r in rows if r and r[0] == "合计")
    assert Decimal(total[4].replace(",", "")) == h.hand_over_amount
    assert int(total[1]) == h.hand_over_count
    cash = next(r for r in rows if r and r[0] == "现金")
    assert Decimal(cash[2].replace(",", "")) == next(m.collected for m in h.by_method if m.method == "现金")



def test_handover_dialog_shows_marks_prints_and_exports(qtbot, book, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui.main_window import MainWindow

    w = MainWindow(book)
    qtbot.addWidget(w)
    d = w.open_handover()
    assert d.operator.currentText() == "王会计"
    d.start.setDate(d.start.date().fromString("2021-11-01", "yyyy-MM-dd"))
    assert d.end.day() == DAY  # the end follows a later start
    h = ho.compute(book, "王会计", DAY)
    assert d.table.rowCount() == 3 and d.table.item(2, 7).text().startswith("作废")
    assert f"{h.hand_over_count} 张，{fmt(h.hand_over_amount)} 元" in d.total.text()
    assert "现金" in d.methods.text() and "微信" in d.methods.text()
    assert d.b_mark.isEnabled() and not d.flag.isVisible()
    out = d.export_xlsx(str(tmp_path / "d.xlsx"))
    assert out.exists()
    preview = d.print_sheet()
    assert preview.doc.pageCount() == 1
    preview.close()
    d.receiver.setText("刘站长")
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.No)
    assert not d.mark()  # the confirmation was declined: nothing recorded
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    assert d.mark()
    assert "已于" in d.flag.text() and not d.b_mark.isEnabled()
    book.payments.void(book.ids["a"], "重复录入", operator="王会计")
    d.refresh()
    assert "此后有变动" in d.flag.text() and d.b_mark.isEnabled()
    d.operator.setCurrentText("李会计")
    assert d.table.rowCount() == 1 and "已于" not in d.flag.text()


def test_cli_handover(book, tmp_path, capsys):
    from app.cli.main import main

    path = str(book.path)
    out = tmp_path / "cli.pdf"
    rc = main(["handover", "--db", path, "--operator", "王会计", "--date", str(DAY), "-o", str(out),
               "--xlsx", str(tmp_path / "cli.xlsx"), "--mark", "--receiver", "刘站长"])
    text = capsys.readouterr().out
    h = ho.compute(book, "王会计", DAY)
    assert rc == 0 and out.exists() and (tmp_path / "cli.xlsx").exists()
    assert f"应交款：{h.hand_over_count} 张，{fmt(h.hand_over_amount)} 元" in text and "已登记交款" in text
    assert h.handed_over is not None and h.handed_over.receiver == "刘站长"
    rc = main(["handover", "--db", path, "--operator", "王会计", "--date", "2021-11-31"])
    assert rc == 2 and "不是有效日期" in capsys.readouterr().err


def test_tax_app_payments_are_listed_but_not_handed_over(book):
    """A resident who paid through the tax bureau's app paid the fund directly: the collector holds no money for
    it, so the sheet lists and totals it but the amount to hand over leaves it out."""
    from app.ledger import PayLine

    before = ho.compute(book, "李会计", DAY)
    h = book.households.add(village="东风村", group="一组").id
    m = book.members.add(h, name="自缴人", id_number=make_id("19800303", 31), relation="户主").id
    paid = book.payments.get(book.payments.record(h, [PayLine(m)], method="税务APP", paid_on=DAY,
                                                  operator="李会计").id)
    after = ho.compute(book, "李会计", DAY)
    assert after.collected == before.collected + paid.amount
    assert (after.hand_over_count, after.hand_over_amount) == (before.hand_over_count, before.hand_over_amount)
    tax = {t.method: t for t in after.by_method}["税务APP"]
    assert not tax.handed and tax.collected == paid.amount and tax.to_hand == 0
