"""From a real SQLite ledger to printouts, through the ledger API and the CLI (canbao print …)."""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal

import pytest

from app.cli.main import main
from app.domain.problems import ProblemsError
from app.paper import from_ledger as fl
from app.paper.layout import Cancelled

from . import ledger_data, pdftools, samples
from .ledger_data import TODAY


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    lg, receipt_no = ledger_data.make_ledger(path)
    yield lg, receipt_no, path
    lg.close()


def test_notices_cover_only_unpaid_households_with_engine_amounts(ledger):
    lg, _, _ = ledger
    notices = fl.notices(lg, fl.Selection(village="红旗村"), today=TODAY)
    assert [n.household_number for n in notices] == ["HQ-0001", "HQ-0003"]  # HQ-0002 has paid
    first = notices[0]
    assert [(m.name, m.due) for m in first.members] == [
        ("张三", Decimal("410.00")), (samples.RARE_NAME, Decimal("260.00")), (samples.RARE_NAME_A, Decimal("410.00"))]
    assert first.total == Decimal("1080.00") and first.members[1].category == "低保对象"
    assert first.members[0].id_masked == "2201**********1234"
    third = notices[1]
    assert third.total == Decimal("410.00")
    assert third.members[1].counted is False and "参加职工医保" in third.members[1].note


def test_group_filter_and_a_paid_household_asked_for_by_number(ledger):
    lg, receipt_no, _ = ledger
    assert [n.household_number for n in fl.notices(lg, fl.Selection(group="二组"), today=TODAY)] == ["HQ-0003"]
    [n] = fl.notices(lg, fl.Selection(household="HQ-0002"), today=TODAY)
    assert n.total == Decimal("0.00") and receipt_no in n.members[0].note


def test_unknown_village_and_group_are_reported_with_the_valid_names(ledger):
    lg, _, _ = ledger
    with pytest.raises(ProblemsError) as exc:
        fl.notices(lg, fl.Selection(village="无此村"), today=TODAY)
    assert "红旗村、东风村" in str(exc.value)
    with pytest.raises(ProblemsError) as exc:
        fl.notices(lg, fl.Selection(village="红旗村", group="九组"), today=TODAY)
    assert "一组、二组" in str(exc.value)


def test_cancel_while_collecting(ledger):
    lg, _, _ = ledger
    with pytest.raises(Cancelled):
        fl.notices(lg, fl.Selection(), today=TODAY, cancelled=lambda: True)


def test_receipt_from_a_recorded_payment(ledger):
    lg, receipt_no, _ = ledger
    [r] = fl.receipts(lg, numbers=[receipt_no], reprint=True, today=TODAY)
    assert r.receipt_no == receipt_no and r.payer == "赵六" and r.total == Decimal("410.00")
    assert r.method == "现金" and r.operator == "刘网格" and r.reprint
    assert [(x.name, x.amount, x.addons) for x in r.lines] == [("赵六", Decimal("410.00"), "长护险 10.00")]


def test_ledger_sheets_per_village_with_totals(ledger):
    lg, receipt_no, _ = ledger
    sheets = fl.ledger_sheets(lg, fl.Selection(), today=TODAY)
    assert [s.village for s in sheets] == ["红旗村", "东风村"]
    hq = sheets[0]
    assert [r.name for r in hq.rows] == ["张三", samples.RARE_NAME, samples.RARE_NAME_A, "赵六", "钱七", "孙八"]
    t = hq.totals
    assert (t.people, t.enrolled_here, t.paid_people, t.unpaid_people) == (6, 5, 1, 4)
    assert t.due == Decimal("1900.00") and t.paid == Decimal("410.00")
    paid_row = hq.rows[3]
    assert paid_row.status == "已缴" and paid_row.receipt_no == receipt_no and paid_row.method == "现金"


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _cli(*args):
    """``canbao print …`` in this process (the entry point's own main), capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["print", *args])
    return _Result(code, out.getvalue(), err.getvalue())


def test_cli_prints_notices_receipt_and_ledger(ledger, tmp_path):
    _, receipt_no, db = ledger
    out = tmp_path / "n.pdf"
    res = _cli("notices", "--db", str(db), "--village", "红旗村", "--date", "2024-11-20", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "2 户" in res.stdout
    text = pdftools.compact(out)
    assert samples.RARE_NAME in text and "壹仟零捌拾元整" in text and "2201**********1234" in text
    assert "HQ-0002" not in text

    out = tmp_path / "r.pdf"
    res = _cli("receipt", "--db", str(db), "--receipt", receipt_no, "--reprint", "--paper", "241x93",
               "--date", "2024-12-01", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert pdftools.page_size_mm(out) == (241.0, 93.0)
    text = pdftools.compact(out)
    assert "补打日期：2024年12月1日" in text and "肆佰壹拾元整" in text and receipt_no in text

    out = tmp_path / "l.pdf"
    res = _cli("ledger", "--db", str(db), "--village", "红旗村", "-o", str(out))
    assert res.returncode == 0, res.stderr
    text = pdftools.compact(out)
    assert "经办人：" in text and "第1页共1页" in text and samples.RARE_NAME_A in text


def test_cli_errors_are_chinese_exit_2_and_write_nothing(ledger, tmp_path):
    _, _, db = ledger
    out = tmp_path / "x.pdf"
    res = _cli("notices", "--db", str(db), "--village", "无此村", "-o", str(out))
    assert res.returncode == 2 and "没有村（社区）「无此村」" in res.stderr and "Traceback" not in res.stderr
    res = _cli("receipt", "--db", str(db), "--receipt", "2025-999999", "-o", str(out))
    assert res.returncode == 2 and "2025-999999" in res.stderr
    res = _cli("ledger", "--db", str(tmp_path / "none.db"), "-o", str(out))
    assert res.returncode == 2 and "台账文件不存在" in res.stderr
    assert not out.exists()


def test_printed_ledger_sheet_from_the_ledger(ledger, tmp_path):
    from app.paper.ledger_sheet import render_ledger

    lg, receipt_no, _ = ledger
    sheets = fl.ledger_sheets(lg, fl.Selection(village="红旗村"), today=TODAY)
    path = render_ledger(sheets, tmp_path / "l.pdf")
    lines = [" ".join(line.split()) for line in pdftools.text(path, layout=True).splitlines()]
    assert any(line.startswith("6 HQ-0003 二组 孙八 配偶") and line.endswith("— — — 参加职工医保")
               for line in lines), lines
    assert any(f"赵六 户主 2201**********1119 普通居民 410.00 410.00 2024-11-15 {receipt_no} 现金 已缴" in line
               for line in lines)


def test_notices_printed_after_the_window_say_so(ledger):
    import datetime as dt

    lg, _, _ = ledger
    [n] = fl.notices(lg, fl.Selection(household="HQ-0003"), today=dt.date(2025, 3, 10))
    assert any("集中缴费期已于 2025年2月28日 结束" in note for note in n.notes)
    [n] = fl.notices(lg, fl.Selection(household="HQ-0003"), today=TODAY)
    assert not any("已于" in note for note in n.notes)
