"""Receipts on A4 and on 241×93 mm continuous forms: stub and payer copy, capitals, disclaimer, 补打."""

from __future__ import annotations

from decimal import Decimal

from app.paper.model import ReceiptLine
from app.paper.receipt import DISCLAIMER, render_receipts

from . import pdftools, samples


def test_a4_receipt_has_both_copies_names_amounts_capitals_and_disclaimer(tmp_path):
    r = samples.receipt()
    path = render_receipts([r], tmp_path / "r.pdf")
    text = pdftools.compact(path)
    assert pdftools.page_size_mm(path) == (210.0, 297.0) and pdftools.pages(path) == 1
    assert text.count("存根联") == 1 and text.count("交款人联") == 1
    assert text.count("No.2025-000123") == 2
    for line in r.lines:
        assert text.count(line.name) >= 2 and line.id_masked in text
    assert samples.RARE_NAME in text
    assert r.total == Decimal("1080.00")
    assert text.count("人民币（大写）壹仟零捌拾元整") == 2 and "1,080.00" in text
    assert text.count(DISCLAIMER) == 2
    assert "缴费方式：现金" in text and "收款人：刘网格" in text and "2024年11月15日" in text
    assert "补打" not in text


def test_reprint_is_marked_on_both_copies(tmp_path):
    path = render_receipts([samples.receipt(reprint=True)], tmp_path / "r.pdf")
    text = pdftools.compact(path)
    assert text.count("补打日期：2024年12月1日") == 2
    assert text.count("补打") >= 4  # the stamp and the footer, on both copies


def test_voided_payment_is_marked(tmp_path):
    path = render_receipts([samples.receipt(voided="收错金额")], tmp_path / "r.pdf")
    assert "已作废：收错金额" in pdftools.compact(path)


def test_continuous_form_is_241_by_93_mm_one_copy_per_form(tmp_path):
    r = samples.receipt()
    path = render_receipts([r], tmp_path / "r.pdf", paper="241x93")
    assert pdftools.pages(path) == 2
    assert pdftools.page_size_mm(path, 1) == (241.0, 93.0)
    assert pdftools.page_size_mm(path, 2) == (241.0, 93.0)
    text = pdftools.compact(path)
    assert "存根联" in text and "交款人联" in text and "壹仟零捌拾元整" in text
    assert all(f["emb"] == "yes" for f in pdftools.fonts(path))


def test_a_big_household_continues_on_a_second_form_with_the_total_on_the_last(tmp_path):
    lines = tuple(ReceiptLine(f"成员{i:02d}", samples.notice().members[0].id_masked, "长护险 10.00",
                              Decimal("410.00")) for i in range(14))
    r = samples.receipt(lines=lines)
    path = render_receipts([r], tmp_path / "r.pdf", paper="241x93")
    assert pdftools.pages(path) == 4  # two forms for each copy
    text = pdftools.compact(path)
    assert all(f"成员{i:02d}" in text for i in range(14))
    assert text.count("第1张共2张") == 2 and text.count("第2张共2张") == 2
    assert text.count("伍仟柒佰肆拾元整") == 2  # 14 × 410.00, on the last form of each copy
    assert text.count("（接下张）") == 2


def test_progress_over_receipts(tmp_path):
    seen = []
    render_receipts([samples.receipt(number=f"2025-{i:06d}") for i in range(3)], tmp_path / "r.pdf",
                    progress=lambda d, t: seen.append(d))
    assert seen == [0, 1, 2, 3]


def test_a_full_form_keeps_the_disclaimer_clear_of_the_footer(tmp_path):
    from reportlab.lib.units import mm

    from app.paper.layout import PAPERS, Pen, new_canvas
    from app.paper.receipt import _Box, draw_copy

    for paper, compact, height in (("241x93", True, 93 * mm), ("a4", False, 297 * mm / 2)):
        box = _Box(PAPERS[paper][0], height, compact)
        per = box.rows_per_copy()
        assert per >= (8 if compact else 12)
        line = samples.receipt().lines[0]
        pen = Pen(new_canvas(str(tmp_path / f"{paper}.pdf"), PAPERS[paper], "t"))
        for sheet, sheets in ((1, 2), (2, 2)):  # a middle form (接下张) and the last (合计)
            y = draw_copy(pen, samples.receipt(), 0, 0, box, "存根联", [line] * per, sheet, sheets)
            assert y >= box.footer_room, (paper, y / mm, box.footer_room / mm)
