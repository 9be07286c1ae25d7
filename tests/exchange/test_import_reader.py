from decimal import Decimal

from app.exchange.import_reader import decode_csv_bytes, normalize_heading, read_table

from exchange_helpers import make_id, write_xlsx


def _xlsx(path, rows, title="名单"):
    return write_xlsx(path, rows, title)


def test_header_aliases_and_title_line_are_recognised(tmp_path):
    pid = make_id()
    path = _xlsx(tmp_path / "缴费.xlsx", [["某某镇缴费确认名单"], [], ["序号", "公民身份号码", "姓名", "缴费金额（元）", "入库日期"],
                                          [1, pid, "张三", 400, "2025-10-08"]])
    tables, problems = read_table(path, "payment")
    assert problems == []
    (t,) = tables
    assert t.header_row == 3
    assert t.columns == {"id_number": 1, "name": 2, "amount": 3, "paid_on": 4}
    (row,) = t.rows
    assert row.row == 4 and row.values["id_number"] == pid and row.values["amount"] == 400
    assert t.place(4, "id_number") == "缴费.xlsx 名单:第4行:公民身份号码（B列）"

def test_missing_required_column_is_a_problem_with_its_place(tmp_path):
    path = _xlsx(tmp_path / "缴费.xlsx", [["证件号码", "姓名", "缴费金额"], [make_id(), "张三", 400]])
    tables, problems = read_table(path, "payment")
    (t,) = tables  # kept, with no rows, so the preview can offer its headings for mapping
    assert t.missing == ["paid_on"] and t.rows == [] and t.headings == ["证件号码", "姓名", "缴费金额"]
    assert len(problems) == 1
    assert problems[0].place == "缴费.xlsx 名单:第1行"
    assert "缺少必需的列：缴费日期" in problems[0].message

def test_no_header_at_all(tmp_path):
    path = _xlsx(tmp_path / "x.xlsx", [["a", "b"], [1, 2]])
    tables, problems = read_table(path, "payment")
    assert tables == [] and "找不到缴费确认名单的表头" in problems[0].message  # two columns: too few to map

def test_gbk_csv_is_detected(tmp_path):
    pid = make_id()
    text = f"身份证号码,姓名,人员类别,认定日期,认定部门\r\n{pid},李四,低保对象,2025/3/1,民政\r\n"
    path = tmp_path / "低保.csv"
    path.write_bytes(text.encode("gbk"))
    tables, problems = read_table(path, "category")
    assert problems == []
    row = tables[0].rows[0]
    assert row.values == {"id_number": pid, "name": "李四", "category": "低保对象", "recognized_on": "2025/3/1",
                          "department": "民政"}
    assert row.row == 2

def test_csv_encodings():
    assert decode_csv_bytes("身份证号".encode("utf-8-sig")) == ("身份证号", "UTF-8（带BOM）")
    assert decode_csv_bytes("身份证号".encode("utf-8")) == ("身份证号", "UTF-8")
    assert decode_csv_bytes("身份证号".encode("gb18030")) == ("身份证号", "GB18030/GBK")
    assert decode_csv_bytes("䶮".encode("gb18030"))[0] == "䶮"  # beyond GBK, inside GB18030

def test_heading_normalisation():
    assert normalize_heading(" 缴费金额（元） ") == "缴费金额"
    assert normalize_heading("*身份证\n号码") == "身份证号码"

def test_unsupported_file_type(tmp_path):
    p = tmp_path / "a.doc"
    p.write_text("x")
    tables, problems = read_table(p, "payment")
    assert tables == [] and "不支持的文件类型" in problems[0].message

def test_amount_cell_read_exactly(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", [["身份证号", "金额", "缴费日期"], [make_id(), 380.5, "2025-10-08"]])
    tables, _ = read_table(path, "payment")
    from app.exchange.import_rules import parse_amount
    assert parse_amount(tables[0].rows[0].values["amount"], "金额") == (Decimal("380.50"), "")


def test_form_column_numbers_row_under_the_header_is_not_data(tmp_path):
    pid = make_id()
    path = _xlsx(tmp_path / "税务.xlsx", [["缴费明细"], ["证件号码", "姓名", "缴费金额", "缴费日期"],
                                         ["栏次", 1, 2, 3], [pid, "张三", 410, "2024-10-10"]])
    path2 = _xlsx(tmp_path / "税务2.xlsx", [["证件号码", "姓名", "缴费金额", "缴费日期"], [1, 2, 3, 4],
                                           [pid, "张三", 410, "2024-10-10"]])
    for p, first in ((path, 4), (path2, 3)):
        tables, problems = read_table(p, "payment")
        assert problems == [] and [r.row for r in tables[0].rows] == [first]


def test_two_row_header_with_a_parent_over_children_and_any_column_order(tmp_path):
    head_id, member_id = make_id("19600101", 11), make_id("19900101", 21)
    path = _xlsx(tmp_path / "花名册.xlsx", [
        ["花名册"],
        ["家庭成员信息", None, None, "户主信息", None, "村(居)"],
        ["与户主关系", "证件号码", "姓名", "身份证号", "姓名", None],
        ["子", member_id, "张小三", head_id, "张三", "东风村"],
    ])
    tables, problems = read_table(path, "roster")
    (t,) = tables
    assert problems == [] and t.header_rows == 2 and t.header_row == 3
    assert t.columns == {"relation": 0, "id_number": 1, "name": 2, "household_head_id": 3, "household_head": 4,
                         "village": 5}
    assert t.headings[:3] == ["家庭成员信息/与户主关系", "家庭成员信息/证件号码", "家庭成员信息/姓名"]
    assert t.rows[0].values["household_head_id"] == head_id and t.unknown == []


def test_a_users_mapping_names_a_two_row_column_as_shown(tmp_path):
    path = _xlsx(tmp_path / "花名册.xlsx", [
        ["村(居)", "成员信息", None, None],
        [None, "名字甲", "证件号码", "关系"],
        ["东风村", "张三", make_id(), "户主"],
    ])
    tables, problems = read_table(path, "roster")
    assert tables[0].missing == ["name"] and tables[0].headings[1] == "成员信息/名字甲"
    tables, problems = read_table(path, "roster", mapping={"成员信息/名字甲": "name"})
    assert problems == [] and tables[0].columns["name"] == 1 and tables[0].rows[0].values["name"] == "张三"


def test_excel_unicode_text_and_a_header_without_rows(tmp_path):
    pid = make_id()
    p = tmp_path / "导出.txt"
    p.write_bytes(f"身份证号\t姓名\t缴费金额\t缴费日期\r\n{pid}\t张三\t410\t2024-10-10\r\n".encode("utf-16"))
    tables, problems = read_table(p, "payment")
    assert problems == [] and tables[0].rows[0].values["name"] == "张三"
    empty = tmp_path / "空.csv"
    empty.write_text("身份证号,缴费金额,缴费日期\n", encoding="utf-8")
    tables, problems = read_table(empty, "payment")
    assert [str(x) for x in problems] == ["空.csv:第1行: 表头下面没有数据行"]
