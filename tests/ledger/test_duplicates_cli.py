"""``canbao ledger duplicates``: the list (masked), --full (role-checked), not-duplicate, and the 重复参保排查
workbook read back by LibreOffice."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.cli.main import main
from duplicates_helper import build, make_id

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "exchange"))
from exchange_helpers import soffice_csv  # noqa: E402


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    path = tmp_path / "town.canbao.db"
    lg, ids = build(path)
    lg.close()
    monkeypatch.setenv("CANBAO_DB", str(path))

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    run.ids = ids
    return run


def test_the_list_masks_ids_and_says_both_places(cli):
    code, out, err = cli("ledger", "duplicates")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("[92] 证件号码只差一位（两个村）：证件号码第15、16位颠倒（12／21）；"
                        "姓名相同，只是繁简或异体写法不同（张／張、伟／偉）；出生日期相同")
    zw = make_id("19750315", "123")
    assert lines[1] == f"    甲 #{cli.ids['张伟']} 张伟 2201**********{zw[-4:]} 男 1975-03-15 东风村二组 000002户 [本地参保] 本年度已缴"
    assert lines[-1] == "排查 23 人，疑似重复 7 对；已判定非重复 0 对"
    assert zw not in out


def test_full_ids_and_not_duplicate(cli, monkeypatch):
    code, out, _ = cli("ledger", "duplicates", "--full", "--json")
    assert code == 0 and make_id("19750315", "123") in out
    a, b = cli.ids["赵军"], cli.ids["赵军2"]
    code, out, _ = cli("ledger", "duplicates", "not-duplicate", f"#{a}", f"#{b}", "--note", "同名同生日的两个人")
    assert code == 0 and out.strip() == f"已判定 #{a} 与 #{b} 不是重复参保：同名同生日的两个人"
    assert cli("ledger", "duplicates")[1].splitlines()[-1] == "排查 23 人，疑似重复 6 对；已判定非重复 1 对"
    out = cli("ledger", "duplicates", "--all")[1]
    assert "    已判定非重复：同名同生日的两个人（王会计 " in out
    code, _, err = cli("ledger", "duplicates", "not-duplicate", "#1", "x", "--note", "n")
    assert code == 2 and "请用 # 加人员编号" in err


def test_export_read_back_by_libreoffice(cli, tmp_path):
    out_file = tmp_path / "重复参保排查.xlsx"
    code, out, err = cli("ledger", "duplicates", "--export", str(out_file))
    assert code == 0, err
    assert out.strip() == f"已导出 7 对疑似重复参保到 {out_file}"
    assert not list(tmp_path.glob("*.part"))
    rows = soffice_csv(out_file, tmp_path / "csv")
    assert rows[0][:6] == ["序号", "可信度", "类型", "两处", "甲·站点", "甲·村（社区）"]
    assert rows[0][-1] == "判断依据"
    first = rows[1]
    assert first[:4] == ["1", "92", "证件号码只差一位", "两个村"]
    assert first[4:14] == ["东风村", "东风村", "二组", "000002", "张伟", make_id("19750315", "123"), "男",
                           "1975-03-15", "本地参保", "已缴"]
    assert first[14:24] == ["红旗社区", "红旗社区", "", "000004", "張偉", make_id("19750315", "213"), "男",
                            "1975-03-15", "本地参保", "未缴"]
    assert [r[2] for r in rows[1:]] == ["证件号码只差一位", "姓名相近", "姓名、出生日期、性别相同", "证件号码只差一位",
                                        "姓名相近", "姓名、出生日期、性别相同", "姓名相近"]
    assert rows[3][24] == "姓名、出生日期、性别相同；一方没有登记证件号码"
    assert rows[3][19] == "（无证件）"


def test_db_given_before_the_sub_command_is_kept(cli, monkeypatch):
    import os

    path = os.environ["CANBAO_DB"]
    monkeypatch.delenv("CANBAO_DB")
    a, b = cli.ids["李敏"], cli.ids["李明"]
    code, out, err = cli("ledger", "duplicates", "--db", path, "not-duplicate", f"#{a}", f"#{b}", "--note", "两个人")
    assert code == 0, err
    assert cli("ledger", "duplicates", "--db", path)[1].splitlines()[-1] == "排查 23 人，疑似重复 6 对；已判定非重复 1 对"


def test_the_same_id_at_another_station_is_listed_and_one_enrolment_kept(tmp_path, monkeypatch, capsys):
    from app.ledger import open_ledger
    from duplicates_helper import enrolled_at_another_station
    from operators_helper import log_in

    path = tmp_path / "town.canbao.db"
    lg, ids = build(path)
    copy = enrolled_at_another_station(lg, ids["王伟"], village="胜利村")  # 东风村's 王伟, again in 胜利村
    lg.close()
    monkeypatch.setenv("CANBAO_DB", str(path))

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("ledger", "duplicates")
    lines = out.splitlines()
    assert lines[0] == "[100] 同一证件号码（两个村）：证件号码相同；姓名相同"
    assert lines[1].startswith(f"    甲 #{ids['王伟']} 王伟 ") and lines[1].endswith("东风村一组 000001户 [本地参保] 本年度未缴")
    assert lines[2].startswith(f"    乙 #{copy} 王伟 ") and lines[2].endswith("胜利村一组 005000001户 [本地参保] 本年度未缴")
    # a look-up by that ID number names both instead of picking one
    code, _, err = run("ledger", "member", "show", make_id("19800101", "019"))
    assert code != 0 and "该身份证号在台账中有两人" in err and "005000001" in err
    code, out, err = run("ledger", "duplicates", "keep", f"#{ids['王伟']}", f"#{copy}", "--note", "户籍在东风村")
    assert code == 0, err
    assert out.strip() == (f"已保留 #{ids['王伟']} 的参保登记；#{copy} 改为「异地参保」"
                           "（东风村一组 000001户（重复参保，保留该处登记））")
    assert run("ledger", "duplicates")[1].splitlines()[-1] == \
        "排查 24 人，疑似重复 7 对；已判定非重复 0 对；已处理重复参保 1 对"
    with open_ledger(path, backup=False) as lg:
        log_in(lg)
        assert lg.members.get(copy).status == "异地参保"
        assert lg.members.by_id_number(make_id("19800101", "019")).id == ids["王伟"]
