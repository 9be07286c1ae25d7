import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from app.exchange.exports import export_one, export_weekly, week_range
from app.exchange.from_ledger import ExportFilter, ledger_rows, progress_rows

from exchange_helpers import build_ledger, make_id, soffice_csv


@pytest.fixture()
def ledger(tmp_path):
    lg, people = build_ledger(tmp_path / "t.db")
    yield lg
    lg.close()


def _sheet(path, title=None):
    wb = openpyxl.load_workbook(path)
    return wb[title] if title else wb.worksheets[0]


def test_full_ledger_cells_ids_text_money_numbers(ledger, tmp_path):
    out = tmp_path / "台账.xlsx"
    res = export_one(ledger, "ledger", out)
    assert res.sheets == {"参保缴费台账": 6}
    ws = _sheet(out)
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:5] == ["村（社区）", "组", "户主姓名", "姓名", "身份证号"]
    rows = {r[3].value: r for r in ws.iter_rows(min_row=2)}
    head = rows["张大山"]
    assert head[4].value == make_id("19600501", 11) and head[4].data_type == "s" and head[4].number_format == "@"
    assert head[10].value == 410 and head[10].number_format == "0.00" and head[10].data_type == "n"
    assert head[12].value.date() == dt.date(2024, 10, 8)
    assert rows["王低保"][10].value == 260 and rows["王低保"][11].value == 150 and rows["王低保"][8].value == "低保对象"
    assert rows["张小山"][9].value == "未缴费" and rows["张小山"][10].value is None
    assert rows["王外出"][9].value == "参加职工医保"
    assert rows["张大山"][2].value == "张大山" and rows["张小山"][2].value == "张大山"


def test_libreoffice_reads_ids_and_chinese(ledger, tmp_path):
    out = tmp_path / "ledger.xlsx"
    export_one(ledger, "ledger", out)
    rows = soffice_csv(out, tmp_path)
    assert rows[0][:5] == ["村（社区）", "组", "户主姓名", "姓名", "身份证号"]
    ids = {r[3]: r[4] for r in rows[1:]}
    assert ids["张大山"] == make_id("19600501", 11)  # not 2.2E+17
    amounts = {r[3]: r[10] for r in rows[1:]}
    assert amounts["张大山"] == "410.00" and amounts["王低保"] == "260.00"


def test_filters_village_group_and_range(ledger):
    rows = list(ledger_rows(ledger, ExportFilter(village="东风村", group="二组")))
    assert {r["name"] for r in rows} == {"王低保", "王外出"}
    rows = list(ledger_rows(ledger, ExportFilter(start=dt.date(2024, 10, 9), end=dt.date(2024, 10, 15))))
    assert [r["name"] for r in rows] == ["王低保"]


def test_progress_counts_rates_and_key_groups(ledger, tmp_path):
    rows = progress_rows(ledger)
    by = {(r["village"], r["group"]): r for r in rows}
    g1 = by[("东风村", "一组")]
    assert (g1["required"], g1["paid"], g1["rate"]) == (3, 2, Decimal("0.667"))  # member_year.rate: 0.1 % half-up
    assert g1["short"] == 1  # ceil(3 × 95%) = 3
    g2 = by[("东风村", "二组")]
    assert (g2["required"], g2["paid"], g2["key_required"], g2["key_paid"], g2["key_rate"]) == (1, 1, 1, 1, Decimal("1"))
    total = by[("总计", "")]
    assert (total["required"], total["paid"]) == (5, 3)
    out = tmp_path / "p.xlsx"
    export_one(ledger, "progress", out)
    ws = _sheet(out)
    cell = [r for r in ws.iter_rows(min_row=2) if r[0].value == "总计"][0][4]
    assert cell.value == pytest.approx(0.6) and cell.number_format == "0.0%"


def test_assistance_and_subsidy_lists(ledger, tmp_path):
    export_one(ledger, "assistance", tmp_path / "a.xlsx")
    ws = _sheet(tmp_path / "a.xlsx")
    (row,) = list(ws.iter_rows(min_row=2, values_only=True))
    assert row[2] == "王低保" and row[4] == "低保对象" and row[5] == "医疗救助"
    assert row[6:9] == (400, 150, 260)
    export_one(ledger, "subsidy", tmp_path / "s.xlsx")
    rows = list(_sheet(tmp_path / "s.xlsx").iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5], r[6]) for r in rows] == [("王低保", "市财政", 70), ("王低保", "区财政", 70)]


def test_unpaid_list_with_reasons(ledger, tmp_path):
    export_one(ledger, "unpaid", tmp_path / "u.xlsx")
    rows = {r[3]: r for r in _sheet(tmp_path / "u.xlsx").iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"张小山", "王外出", "赵一"}
    assert rows["张小山"][7] == "尚未缴费" and rows["张小山"][10] == "是"
    assert rows["王外出"][7] == "参加职工医保" and rows["王外出"][10] == "否"


def test_weekly_bundle(ledger, tmp_path):
    start, end = week_range("2024-10-09")
    assert (start, end) == (dt.date(2024, 10, 7), dt.date(2024, 10, 13))
    assert week_range("2024-W41") == (start, end)
    res = export_weekly(ledger, tmp_path / "周报.xlsx", start, end)
    wb = openpyxl.load_workbook(tmp_path / "周报.xlsx")
    assert wb.sheetnames == ["说明", "参保进度汇总", "本期缴费明细", "未参保人员明细", "困难群体资助名单", "先缴后补补助名单"]
    assert res.sheets["本期缴费明细"] == 3
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2"


def test_district_column_set_override(ledger, tmp_path):
    d = tmp_path / "cols"
    d.mkdir()
    (d / "ledger.toml").write_text('title = "区里的台账"\n[[columns]]\nfield = "id_number"\nheading = "公民身份号码"\n'
                                   'kind = "id"\n[[columns]]\nfield = "name"\nheading = "姓名"\n', encoding="utf-8")
    export_one(ledger, "ledger", tmp_path / "o.xlsx", column_dirs=[d])
    ws = _sheet(tmp_path / "o.xlsx")
    assert ws.title == "区里的台账"
    assert [c.value for c in ws[1]] == ["公民身份号码", "姓名"]


def test_fast_path_writes_the_same_sheet_as_plain_openpyxl_append(ledger, tmp_path):
    import zipfile

    from app.exchange.columns import load_column_set
    from app.exchange.workbook import WorkbookWriter

    cs = load_column_set("ledger")
    rows = list(ledger_rows(ledger)) + [{"name": "=SUM(A1)", "id_number": "110", "note": "\x01坏字符"[1:]}]
    for fast, name in ((True, "fast.xlsx"), (False, "plain.xlsx")):
        with WorkbookWriter(tmp_path / name, fast=fast) as w:
            w.add_sheet(cs, rows)
    sheets = [zipfile.ZipFile(tmp_path / n).read("xl/worksheets/sheet1.xml") for n in ("fast.xlsx", "plain.xlsx")]
    assert sheets[0] == sheets[1]
    styles = [zipfile.ZipFile(tmp_path / n).read("xl/styles.xml") for n in ("fast.xlsx", "plain.xlsx")]
    assert styles[0] == styles[1]
    ws = openpyxl.load_workbook(tmp_path / "fast.xlsx").active
    assert ws.cell(ws.max_row, 4).value == "=SUM(A1)" and ws.cell(ws.max_row, 4).data_type == "s"


def test_money_must_be_decimal(tmp_path):
    from app.exchange.columns import load_column_set
    from app.exchange.workbook import CellValueError, WorkbookWriter

    w = WorkbookWriter(tmp_path / "m.xlsx")
    with pytest.raises(CellValueError):
        w.add_sheet(load_column_set("ledger"), [{"personal_amount": 410.0}])
    assert not (tmp_path / "m.xlsx").exists()


def test_cancel_leaves_no_file(ledger, tmp_path):
    from app.exchange.workbook import ExportCancelled

    rows = [{"name": f"人{i}", "id_number": make_id(seq=i % 999)} for i in range(5000)]
    from app.exchange.columns import load_column_set
    from app.exchange.workbook import WorkbookWriter

    seen = []
    w = WorkbookWriter(tmp_path / "c.xlsx", progress=lambda d, t: seen.append(d), cancelled=lambda: len(seen) >= 1)
    with pytest.raises(ExportCancelled):
        w.add_sheet(load_column_set("ledger"), rows, total=5000)
    assert seen == [2000] and list(tmp_path.glob("*.xlsx")) == []


def test_libreoffice_reads_rates_as_percentages(ledger, tmp_path):
    export_one(ledger, "progress", tmp_path / "progress.xlsx")
    rows = soffice_csv(tmp_path / "progress.xlsx", tmp_path)
    total = [r for r in rows if r[0] == "总计"][0]
    assert total[2:7] == ["5", "3", "60.0%", "95.0%", "2"]
    g2 = [r for r in rows if r[:2] == ["东风村", "二组"]][0]
    assert g2[9:11] == ["100.0%", "100.0%"]


def test_money_cells_hold_the_exact_decimal_in_the_file(tmp_path):
    import re
    import zipfile

    from app.exchange.columns import load_column_set
    from app.exchange.workbook import WorkbookWriter

    amounts = ["0.10", "0.20", "410.10", "1070.30", "12345678901.23", "-65.55"]
    with WorkbookWriter(tmp_path / "m.xlsx") as w:
        w.add_sheet(load_column_set("ledger"), [{"personal_amount": Decimal(a)} for a in amounts])
    xml = zipfile.ZipFile(tmp_path / "m.xlsx").read("xl/worksheets/sheet1.xml").decode()
    values = re.findall(r'<c r="K\d+"[^>]*><v>([^<]+)</v>', xml)
    assert [Decimal(v) for v in values] == [Decimal(a) for a in amounts]
