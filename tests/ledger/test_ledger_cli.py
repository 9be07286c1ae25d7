"""``canbao ledger …``, ``canbao backup|restore|check`` through app.cli.main, on real files."""

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "l.db"))

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_a_day_at_the_counter(cli, tmp_path, make_id):
    head = make_id(birth="19491231", seq="002")
    assert cli("ledger", "init", "--township", "某镇", "--year", "2025", "--policy", "tunliu-2025",
               "--operator", "王会计", "--village", "东风村:一组,二组", "--community", "红旗社区")[0] == 0
    code, out, _ = cli("ledger", "info")
    assert code == 0 and "tunliu-2025" in out and "社区 红旗社区" in out and "一组、二组" in out
    assert cli("ledger", "household", "add", "--village", "东风村", "--group", "一组")[1].strip() == "已新增户 000001"
    assert cli("ledger", "member", "add", "--household", "000001", "--name", "张三", "--id-number", head,
               "--relation", "户主")[0] == 0
    assert cli("ledger", "member", "add", "--household", "000001", "--name", "小明", "--id-type", "无",
               "--birth-date", "2015-05-05", "--relation", "子", "--student", "--school", "东风小学")[0] == 0
    assert cli("ledger", "category", "add", head, "低保对象", "--department", "民政", "--date", "2024-08-01")[0] == 0
    assert cli("ledger", "member", "update", head, "--phone", "13912345678", "--ethnicity", "汉族")[0] == 0
    assert cli("ledger", "household", "update", "000001", "--address", "东风村8号")[0] == 0
    code, out, _ = cli("ledger", "member", "show", head)
    assert "139****5678" in out and "汉族" in out and "低保对象" in out and "尚未缴费" in out
    assert head not in out and "13912345678" not in out
    code, _, err = cli("ledger", "pay", "--household", "000001", "--member", f"{head}=400", "--method", "现金",
                       "--date", "2024-10-08")
    assert code == 2 and "被资助人一旦办理正常缴费" in err and "Traceback" not in err
    code, out, _ = cli("ledger", "pay", "--household", "000001", "--member", head, "--member", "小明",
                       "--method", "微信", "--date", "2024-10-08")
    assert code == 0 and "2025-000001" in out and "合计 480.00 元" in out
    code, out, _ = cli("ledger", "household", "show", "000001")
    assert "票据 2025-000001" in out and "低保对象" in out and "东风村8号" in out
    assert "已缴 80.00 元（票据 2025-000001" in cli("ledger", "member", "show", head)[1]
    code, out, _ = cli("ledger", "search", head[-4:])
    assert code == 0 and "张三" in out and "找到 1 人" in out
    assert "张三" in cli("ledger", "search", "zs")[1]
    code, _, err = cli("ledger", "refund", "2025-000001", "--member", "小明", "--reason", "重复缴费", "--date", "2024-10-09")
    assert code == 2 and "未规定个人缴费退费办法" in err
    assert cli("ledger", "void", "2025-000001", "--reason", "收错")[0] == 0
    code, out, _ = cli("ledger", "audit", "--household", "000001")
    assert "作废" in out and "新增" in out
    code, out, _ = cli("ledger", "dues", "--date", "2024-10-08")
    assert "应缴合计 480.00 元" in out and "已缴 0" in out
    assert cli("ledger", "member", "status", head, "死亡", "--date", "2024-11-01")[0] == 0
    code, out, _ = cli("check")
    assert code == 0 and "检查通过" in out
    code, out, _ = cli("backup", "--to", str(tmp_path / "copy.db"))
    assert code == 0 and (tmp_path / "copy.db").exists()
    code, out, _ = cli("restore", str(tmp_path / "copy.db"))
    assert code == 0 and "已用" in out
    code, out, err = cli("ledger", "rollover", "--to", str(tmp_path / "next.db"), "--policy", "tunliu-2025")
    assert code == 2 and "应晚于" in err


def test_errors_are_chinese_exit_2_without_traceback(tmp_path):
    env = {"CANBAO_DB": str(tmp_path / "missing.db"), "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "app.cli.main", "ledger", "info"], cwd=root, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "台账文件不存在" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "app.cli.main", "ledger", "info", "--db", str(tmp_path / "x.db")],
                          cwd=root, env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "x.db" in proc.stderr
