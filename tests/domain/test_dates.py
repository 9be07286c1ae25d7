"""One date parser for the ledger, the CLI, the window and the imports (app/domain/dates.py)."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from app.domain.dates import date_into, date_or_raise, parse_date
from app.domain.problems import Problem, ProblemsError

DAY = dt.date(2024, 10, 8)


@pytest.mark.parametrize("text", ["2024-10-08", "2024/10/8", "2024.10.08", "20241008", "2024年10月8日",
                                  DAY, dt.datetime(2024, 10, 8, 9, 30), "2024-10-08 09:30:15", "2024/10/8 9:30",
                                  "２０２４－１０－０８", " 2024-10-08 "])
def test_dates_in_the_forms_people_type(text):
    assert parse_date(text, "缴费日期") == DAY


@pytest.mark.parametrize("text", ["2024-02-30", "10/8/2024", "昨天", "2024-13-01", "2024-10-08 垃圾", "10月8日",
                                  "2024年10月8日以前", "45573"])
def test_a_bad_date_is_a_problem_with_its_place(text):
    got = parse_date(text, "--date")
    assert got == Problem("--date", f"「{text}」不是有效日期（应为 2025-10-08 这样的日期）")
    assert parse_date(text, "E列", label="认定日期").message.startswith(f"认定日期「{text}」不是有效日期")


def test_excel_day_numbers_only_where_a_spreadsheet_is_read():
    assert parse_date(45573, "缴费日期", excel_serials=True) == DAY
    assert parse_date(45573.0, "缴费日期", excel_serials=True) == DAY
    assert isinstance(parse_date(45573, "--date"), Problem)
    assert isinstance(parse_date(True, "x", excel_serials=True), Problem)


def test_empty_is_none_unless_required():
    assert parse_date("", "日期") is None and parse_date("  ", "日期") is None and parse_date(None, "日期") is None
    assert parse_date("", "开始日期", required=True) == Problem("开始日期", "请填写开始日期（如 2025-10-08）")


def test_the_list_and_the_raising_forms():
    problems: list[Problem] = []
    assert date_into("2024-10-08", "a", problems) == DAY and problems == []
    assert date_into("2024-10-32", "b", problems) is None and [p.place for p in problems] == ["b"]
    assert date_or_raise("", "c") is None
    with pytest.raises(ProblemsError, match="「x」不是有效日期"):
        date_or_raise("x", "--date")


def test_the_ledger_the_cli_the_form_and_the_imports_use_it():
    """No module outside app/domain turns typed text into a date by itself any more: the old
    "YYYY-MM-DD or a problem" helpers are gone and their callers read app.domain.dates."""
    from app.exchange.import_values import parse_date as import_parse

    assert import_parse("2024年10月8日", "缴费日期") == (DAY, "")
    assert import_parse("2024-13-40", "缴费日期") == (None, "缴费日期「2024-13-40」不是有效日期（应为 2025-10-08 这样的日期）")
    app = Path(__file__).resolve().parents[2] / "app"
    users = ["ledger/members.py", "ledger/handover.py", "cli/ledger_cmd.py", "cli/exchange_cmd.py",
             "cli/quote_cmd.py", "cli/paper_cmd.py", "ui/member_form.py", "exchange/import_values.py"]
    for rel in users:
        src = (app / rel).read_text(encoding="utf-8")
        assert "domain.dates import" in src or "from ..domain import dates" in src, rel
        assert "日期格式应为" not in src, rel
        defs = {n.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.FunctionDef)}
        assert not defs & {"_date", "_day", "_date_or_none"}, rel
