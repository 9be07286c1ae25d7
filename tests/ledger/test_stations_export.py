"""The weekly Excel from the township's ledger: every station's rows, each with its 站点 (read back by
LibreOffice); a ledger without stations writes the workbook as before."""

import csv
import datetime as dt
import os
import shutil
import subprocess

import openpyxl
import pytest

from app.exchange.exports import export_weekly
from app.ledger import PayLine, stations

WEEK = (dt.date(2024, 10, 7), dt.date(2024, 10, 13))


@pytest.fixture
def township(ledger, ids):
    for village, name, paid in (("东风村", "张三", True), ("东风村", "张四", False), ("红旗社区", "李五", True)):
        h = ledger.households.add(village=village).id
        m = ledger.members.add(h, name=name, id_number=ids("19600501"), relation="户主").id
        if paid:
            ledger.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08")
    return ledger


def _column(path, title: str) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[title]
    head = [c.value for c in ws[1]]
    return {r[head.index("姓名")]: r[head.index("站点")] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_each_row_says_its_station(township, tmp_path):
    stations.set_up(township, code="220112-000", name="测试镇", kind="乡镇")
    stations.record(township, code="220112-001", name="东风村", kind="村", parent="220112-000", village="东风村")
    out = tmp_path / "周报.xlsx"
    export_weekly(township, out, *WEEK)
    assert _column(out, "本期缴费明细") == {"张三": "220112-001 东风村", "李五": "220112-000 测试镇"}
    assert _column(out, "未参保人员明细") == {"张四": "220112-001 东风村"}
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    # LibreOffice, an independent reader: sheet 3 is 本期缴费明细 (说明, 参保进度汇总, 本期缴费明细 …)
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,3", "--outdir",
                    str(tmp_path), str(out)], check=True, capture_output=True, timeout=180,
                   env=dict(os.environ, HOME=str(tmp_path)))
    with open(next(tmp_path.glob("周报*.csv")), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("站点")
    assert {r[rows[0].index("姓名")]: r[col] for r in rows[1:]} == {"张三": "220112-001 东风村",
                                                                   "李五": "220112-000 测试镇"}


def test_without_stations_there_is_no_station_column(township, tmp_path):
    out = tmp_path / "周报.xlsx"
    export_weekly(township, out, *WEEK)
    ws = openpyxl.load_workbook(out)["本期缴费明细"]
    assert "站点" not in [c.value for c in ws[1]] and ws.max_row == 3
