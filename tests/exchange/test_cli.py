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
    # all or nothing by default: one row matches nobody, nothing is written
    assert main(["import", "缴费", str(src), "--db", str(db), "--commit", "--operator", "王会计"]) == 1
    assert "全部导入前须先改正" in capsys.readouterr().err
    left = tmp_path / "out" / "pay_未导入.xlsx"
    left.parent.mkdir()
    assert main(["import", "缴费", str(src), "--db", str(db), "--commit", "--only-good", "--leftovers", str(left),
                 "--operator", "王会计"]) == 0
    text = capsys.readouterr().out
    assert "按 --only-good：1 行不导入" in text and "已写入台账 1 行" in text
    assert left.is_file() and not (tmp_path / "pay_未导入.xlsx").exists()
    assert main(["import", "payment", str(src), "--db", str(db), "--leftovers", str(src)]) == 2
    # committing the same list again writes nothing new: the payment is already there
    assert main(["import", "payment", str(src), "--db", str(db), "--commit"]) == 1
    assert "没有可写入的行" in capsys.readouterr().out


def test_import_maps_columns_remembers_them_and_creates_places(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CANBAO_IMPORT_MAPPINGS", str(tmp_path / "data" / "import_mappings.json"))
    db = tmp_path / "t.db"
    lg, _ = build_ledger(db)
    lg.close()
    src = tmp_path / "名单.csv"
    src.write_text("所在村民委员会,住户成员,身份证号码,与户主关系,籍贯\n"
                   f"西山村,高一,{make_id('19810101', 401)},户主,吉林\n"
                   f"西山村,高二,{make_id('20100101', 403)},子,吉林\n", encoding="gbk")
    assert main(["import", "roster", str(src), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "缺少必需的列：姓名、村（社区）" in out and "  A列 所在村民委员会" in out and "可用 --map 列名=字段 指定" in out
    assert main(["import", "roster", str(src), "--db", str(db), "--map", "所在村民委员会=户口所在地"]) == 2
    assert "「户口所在地」不是户籍名单的列" in capsys.readouterr().err
    assert main(["import", "roster", str(src), "--db", str(db), "--map", "所在村民委员会=村（社区）",
                 "--map", "住户成员=姓名"]) == 0
    out = capsys.readouterr().out
    assert "已记住这种格式的列对应" in out and "西山村（新村（社区））" in out and "未识别的列（不导入）：籍贯（E列）" in out
    # next week: no --map needed; without --create-places nothing is written
    assert main(["import", "roster", str(src), "--db", str(db), "--commit"]) == 1
    assert "须确认新建后才能导入" in capsys.readouterr().err
    assert main(["import", "roster", str(src), "--db", str(db), "--commit", "--create-places"]) == 0
    assert "已写入台账 2 行，新建村组 1 个" in capsys.readouterr().out
    assert (tmp_path / "data" / "import_mappings.json").is_file()


def test_import_names_a_category_the_policy_does_not(tmp_path, capsys, monkeypatch):
    """--map-value says what 脱贫户 is (never guessed); the preview prints the mapping and how many it concerns."""
    from pathlib import Path

    monkeypatch.setenv("CANBAO_IMPORT_MAPPINGS", str(tmp_path / "m.json"))
    db = tmp_path / "t.db"
    lg, _ = build_ledger(db)
    lg.close()
    src = Path(__file__).parent / "corpus" / "01_区县户籍花名册.xlsx"
    assert main(["import", "roster", str(src), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "未知的人员类别「脱贫户」" in out and "--map-value 脱贫户=类别" in out
    assert main(["import", "roster", str(src), "--db", str(db), "--map-value", "脱贫户=稳定脱贫人口"]) == 0
    out = capsys.readouterr().out
    assert "说明：01_区县户籍花名册.xlsx: 人员类别 脱贫户 → 稳定脱贫人口（按用户指定）：2 人" in out
    assert "有问题 0 行" in out
    assert main(["import", "roster", str(src), "--db", str(db), "--map-value", "脱贫户"]) == 2
    assert "应写成 写法=类别" in capsys.readouterr().err
