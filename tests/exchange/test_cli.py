import openpyxl

from app.cli.main import main

from exchange_helpers import build_ledger, make_id


def test_export_and_import_from_the_command_line(tmp_path, capsys):
    db = tmp_path / "t.db"
    lg, _ = build_ledger(db)
    lg.close()
    out = tmp_path / "周报.xlsx"
    assert main(["export", "weekly", "--db", str(db), "--week", "2024-W41", "-o", str(out)]) == 0
    assert "本期缴费明细：3 行" in capsys.readouterr().out
    assert main(["export", "台账", "--db", str(db), "--village", "红旗村", "-o", str(tmp_path / "h.xlsx")]) == 0
    rows = list(openpyxl.load_workbook(tmp_path / "h.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == ["赵一"]
    assert main(["export", "nonsense", "--db", str(db), "-o", str(tmp_path / "x.xlsx")]) == 2

    src = tmp_path / "pay.csv"
    src.write_text(f"身份证号,缴费金额,缴费日期\n{make_id('19700101', 61)},410,2024-10-12\n"
                   f"{make_id('19880808', 77)},410,2024-10-12\n", encoding="utf-8-sig")
    capsys.readouterr()
    assert main(["import", "payment", str(src), "--db", str(db)]) == 1  # preview with a problem
    text = capsys.readouterr().out
    assert "pay.csv:第3行:身份证号（A列）: 台账中查无此人" in text and "仅预览" in text
    # the operator must be one registered in the ledger (the first CLI use registered 王会计 from
    # CANBAO_OPERATOR / CANBAO_PIN as its first 管理员), never any typed name
    assert main(["import", "缴费", str(src), "--db", str(db), "--commit", "--operator", "测试员"]) == 1
    assert "没有名为「测试员」的操作员" in capsys.readouterr().err
    assert main(["import", "缴费", str(src), "--db", str(db), "--commit", "--operator", "王会计"]) == 0
    text = capsys.readouterr().out
    assert "已写入台账 1 行" in text
    left = tmp_path / "pay_未导入.xlsx"
    assert left.is_file()
    # committing the same list again writes nothing new: the payment is already there
    assert main(["import", "payment", str(src), "--db", str(db), "--commit"]) == 1
    assert "没有可写入的行" in capsys.readouterr().out
