"""``canbao demo`` writes sample import files next to the demo ledger, consistent with its people: the README's
walk-through (``import payment 税务缴费.xlsx --db demo.db``) runs as written in the demo's folder."""

from __future__ import annotations

import openpyxl

from app.cli.main import main


def test_demo_writes_samples_that_import(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CANBAO_IMPORT_MAPPINGS", str(tmp_path / "m.json"))
    (tmp_path / "民政类别名单-样例.xlsx").write_bytes(b"somebody's own file")  # never overwritten
    assert main(["demo", "--people", "600", "--db", "demo.db", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "样例导入文件：户籍花名册-样例.xlsx（" in out and "民政类别名单-样例.xlsx（已存在，未覆盖）" in out
    assert (tmp_path / "民政类别名单-样例.xlsx").read_bytes() == b"somebody's own file"

    assert main(["import", "payment", "税务缴费.xlsx", "--db", "demo.db"]) == 1  # one stranger: a problem
    out = capsys.readouterr().out
    assert "查无此人 1 行" in out and "有问题 0 行" in out and "第29行:缴费人证件号码（B列）: 台账中查无此人" in out
    assert main(["import", "roster", "户籍花名册-样例.xlsx", "--db", "demo.db"]) == 0
    out = capsys.readouterr().out
    assert "有问题 0 行" in out and "（导入时加 --create-places 新建）" in out
    assert main(["import", "roster", "户籍花名册-样例.xlsx", "--db", "demo.db", "--commit", "--create-places"]) == 0
    assert "新建村组 1 个" in capsys.readouterr().out

    # --replace rewrites our own samples, and still not somebody else's file
    assert main(["demo", "--people", "600", "--db", "demo.db", "--quiet", "--replace"]) == 0
    out = capsys.readouterr().out
    assert "税务缴费.xlsx（26 行）" in out and "民政类别名单-样例.xlsx（已存在，未覆盖）" in out
    ws = openpyxl.load_workbook(tmp_path / "税务缴费.xlsx").active
    assert ws["A1"].value == "城乡居民基本医疗保险缴费明细" and isinstance(ws["F4"].value, (int, float))  # a number, as the tax system writes
