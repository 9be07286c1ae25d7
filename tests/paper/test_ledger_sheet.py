"""The village ledger printout: header on every page, 第 x 页 共 y 页, totals and signatures on the last."""

from __future__ import annotations

import re

from app.paper.ledger_sheet import render_ledger

from . import pdftools, samples


def test_many_pages_repeat_the_header_and_number_the_pages(tmp_path):
    sheet = samples.ledger_sheet(60)
    path = render_ledger([sheet], tmp_path / "l.pdf")
    pages = pdftools.pages(path)
    assert pages >= 3
    assert pdftools.page_size_mm(path) == (297.0, 210.0)
    for page in range(1, pages + 1):
        text = pdftools.compact_page(path, page)
        assert "身份证号码" in text and "应缴金额" in text and "回执号" in text
        assert f"第{page}页共{pages}页" in text
    text = pdftools.compact(path)
    assert all(r.name in text and r.id_masked in text for r in sheet.rows)
    assert samples.RARE_NAME in text
    last = pdftools.compact_page(path, pages)
    assert "经办人：" in last and "审核人：" in last and "单位负责人：" in last
    assert "23,250.00" in last and "17,400.00" in last
    assert "应在本地参保60人，已缴45人，未缴15人" in last
    assert "壹万柒仟肆佰元整" in last
    first = pdftools.compact_page(path, 1)
    assert "经办人：" not in first


def test_rows_are_in_order_and_none_is_lost_between_pages(tmp_path):
    sheet = samples.ledger_sheet(100)
    path = render_ledger([sheet], tmp_path / "l.pdf")
    found = [int(n) for n in re.findall(r"村民(\d{3})", pdftools.text(path))]
    expected = [i for i in range(100) if i != 1]  # row 1 carries the rare-character name
    assert found == expected


def test_fonts_embedded(tmp_path):
    path = render_ledger([samples.ledger_sheet(5)], tmp_path / "l.pdf")
    assert all(f["emb"] == "yes" for f in pdftools.fonts(path))
    assert pdftools.pages(path) == 1
