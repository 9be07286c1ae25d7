import datetime as dt
from decimal import Decimal

import pytest

from app.domain.problems import ProblemsError
from app.exchange.columns import EXPORT_FIELDS, find_column_file, load_column_set, parse_column_set
from app.exchange.import_rules import department_name, parse_amount, parse_date, parse_id

from exchange_helpers import bad_checksum, make_id


@pytest.mark.parametrize("text", ["2024-10-08", "2024/10/8", "2024.10.08", "20241008", "2024年10月8日",
                                  dt.date(2024, 10, 8), dt.datetime(2024, 10, 8, 9, 30), 45573, 45573.0,
                                  "2024-10-08 09:30:15", "2024/10/8 9:30", "２０２４－１０－０８"])
def test_dates_in_the_forms_people_type(text):
    assert parse_date(text, "缴费日期") == (dt.date(2024, 10, 8), "")


@pytest.mark.parametrize("text", ["2024-02-30", "10/8/2024", "昨天", "2024-13-01", "2024-10-08 垃圾",
                                  "2024-10-08x", "2024年10月8日以前"])
def test_bad_dates_say_so(text):
    day, why = parse_date(text, "缴费日期")
    assert day is None and why.startswith(f"缴费日期「{text}」不是有效日期")


def test_amounts_exactly():
    assert parse_amount("1,070.50", "金额") == (Decimal("1070.50"), "")
    # an Excel float is the fen it was meant to be: read through repr, rounded as Decimal, never float arithmetic
    assert parse_amount(0.1 + 0.2, "金额") == (Decimal("0.30"), "")  # 0.30000000000000004
    assert parse_amount(409.99999999999994, "金额") == (Decimal("410.00"), "")
    assert parse_amount("409.99999999999994", "金额") == (Decimal("410.00"), "")
    assert parse_amount(380.5, "金额") == (Decimal("380.50"), "")
    assert parse_amount("410元", "金额") == (Decimal("410.00"), "")
    assert parse_amount("￥1，070.5", "金额") == (Decimal("1070.50"), "")
    # a real fraction of a fen is not float noise: the office typed something else
    assert "不足一分的零头" in parse_amount("410.005", "金额")[1]
    assert "不足一分的零头" in parse_amount(409.996, "金额")[1]
    assert "不是有效金额" in parse_amount("四百", "金额")[1]


def test_ids():
    good = make_id()
    assert parse_id(" " + good.lower() + " ") == (good, "")
    assert "校验位错误" in parse_id(bad_checksum(good))[1]
    assert parse_id(None) == (None, "身份证号为空")


def test_departments():
    assert department_name("县民政局") == "民政"
    assert department_name("区残联") == "残联"
    assert department_name("气象局") is None


def test_shipped_column_sets_cover_only_known_fields():
    for name, fields in EXPORT_FIELDS.items():
        cs = load_column_set(name)
        assert set(cs.fields) <= set(fields) and cs.columns
        assert find_column_file(name).parent.name == "columns"


def test_column_file_problems_have_lines():
    text = 'title = "台账"\n\n[[columns]]\nfield = "name"\nheading = "姓名"\n\n[[columns]]\nfield = "salary"\n' \
           'heading = "工资"\nkind = "money"\n\n[[columns]]\nfield = "id_number"\nkind = "number"\n'
    cs, problems = parse_column_set("ledger", text, "ledger.toml")
    assert cs is None
    assert [p.place for p in problems] == ["ledger.toml:8", "ledger.toml:14"]
    assert "字段 'salary' 不存在" in problems[0].message and "类型 'number' 无效" in problems[1].message


def test_missing_column_file_is_reported(tmp_path):
    with pytest.raises(ProblemsError) as exc:
        load_column_set("ledger", [tmp_path])
    assert "找不到列设置文件 ledger.toml" in str(exc.value)


def test_ids_mangled_by_excel_or_typed_full_width():
    assert "科学计数法" in parse_id("2.20102E+17")[1]
    good = make_id()
    full = "".join(chr(ord(c) + 0xFEE0) for c in good)
    assert parse_id(full) == (good, "")
