"""Every printout and export from a demo ledger says 演示数据; a real ledger's do not."""

from __future__ import annotations

import subprocess

import openpyxl
import pytest

from app.exchange.exports import export_one
from app.ledger import open_ledger
from app.ledger.demo import build_demo_ledger
from app.ledger.demo_flag import is_demo
from app.paper import from_ledger
from app.paper.from_ledger import Selection
from app.paper.notice import render_notices
from app.paper.receipt import render_receipts


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.canbao.db"
    build_demo_ledger(path, people=100)
    return path


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_demo_printouts_say_demo_data_on_every_page(demo_db, tmp_path):
    with open_ledger(demo_db, backup=False) as lg:
        assert is_demo(lg)
        notices = from_ledger.notices(lg, Selection())
        out = render_notices(notices[:3], tmp_path / "n.pdf")
        pages = _pdf_text(out).split("\f")
        assert len([p for p in pages if p.strip()]) >= 3
        assert all("演示数据" in p for p in pages if p.strip())
        first = lg.db.execute("SELECT receipt_no FROM payments ORDER BY id LIMIT 1").fetchone()[0]
        receipts = from_ledger.receipts(lg, numbers=[first])
        assert "演示数据" in _pdf_text(render_receipts(receipts, tmp_path / "r.pdf"))


def test_demo_exports_say_demo_data_in_every_sheet(demo_db, tmp_path):
    with open_ledger(demo_db, backup=False) as lg:
        export_one(lg, "ledger", tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames and all(n.startswith("演示数据") for n in wb.sheetnames)
    assert all("演示数据" in ws.oddHeader.center.text for ws in wb.worksheets)


def test_a_real_ledger_prints_and_exports_without_the_stamp(tmp_path):
    with open_ledger(tmp_path / "real.db", create=True, backup=False) as lg:
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        lg.households.add(village="东风村", group="一组")
        assert not is_demo(lg)
        export_one(lg, "ledger", tmp_path / "x.xlsx")
        out = render_notices(from_ledger.notices(lg, Selection(), ), tmp_path / "n.pdf")
    assert "演示数据" not in _pdf_text(out)
    assert not any("演示数据" in n for n in openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames)


def test_a_demo_ledgers_handover_sheet_says_demo_data(demo_db, tmp_path):
    from app.ledger import handover as ho
    from app.paper.handover import render_handover, write_handover_xlsx

    with open_ledger(demo_db, backup=False) as lg:
        row = lg.db.execute("SELECT operator, paid_on FROM payments ORDER BY id LIMIT 1").fetchone()
        h = ho.compute(lg, row[0], row[1])
    assert h.demo and h.receipts
    assert all("演示数据" in p for p in _pdf_text(render_handover(h, tmp_path / "h.pdf")).split("\f") if p.strip())
    first = openpyxl.load_workbook(write_handover_xlsx(h, tmp_path / "h.xlsx")).worksheets[0]
    assert "演示数据" in str(first["A1"].value)
