"""``canbao station show|setup|add|split`` through app.cli.main, on real files."""

import pytest

from app.cli.main import main
from app.ledger import open_ledger, stations


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "l.db"))

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_set_up_the_township_split_a_village_and_show_the_list(cli, tmp_path, make_id):
    assert cli("ledger", "init", "--township", "某镇", "--year", "2025", "--policy", "tunliu-2025",
               "--operator", "王会计", "--village", "东风村:一组", "--village", "西山村")[0] == 0
    assert cli("ledger", "household", "add", "--village", "东风村", "--group", "一组")[0] == 0
    assert cli("ledger", "member", "add", "--household", "000001", "--name", "张三", "--id-number", make_id(),
               "--relation", "户主")[0] == 0
    code, out, _ = cli("station", "show")
    assert code == 0 and "尚未设定站点" in out
    code, _, err = cli("station", "split", "--village", "东风村", "--out", str(tmp_path / "东风村.db"))
    assert code == 2 and "还没有设定站点" in err and not (tmp_path / "东风村.db").exists()
    code, _, err = cli("station", "setup", "--code", "220112", "--name", "", "--kind", "镇")
    assert code == 2 and "站点代码" in err and "站点名称" in err and "类型" in err  # every problem at once
    assert cli("station", "setup", "--code", "220112-000", "--name", "某镇", "--kind", "乡镇")[0] == 0
    code, out, err = cli("station", "split", "--village", "东风村", "--out", str(tmp_path / "东风村.db"))
    assert code == 0, err
    assert "220112-001" in out and "1 户，1 人" in out
    assert cli("station", "add", "--code", "220112-005", "--name", "西山网格", "--kind", "网格",
               "--parent", "220112-000", "--village", "西山村")[0] == 0
    code, out, _ = cli("station", "show")
    assert "* 220112-000" in out and "220112-001  村  东风村" in out and "220112-005" in out
    assert "220112-000-2025-000001" in out
    with open_ledger(tmp_path / "东风村.db", backup=False) as v:
        assert stations.current(v).code == "220112-001" and v.members.count() == 1
    code, out, _ = cli("station", "show", "--db", str(tmp_path / "东风村.db"))
    assert "本台账站点：220112-001 东风村（村）" in out and "220112-001-2025-000001" in out


def test_a_ledger_can_be_made_as_a_station(cli, tmp_path):
    base = ("ledger", "init", "--township", "某镇", "--year", "2025", "--policy", "tunliu-2025", "--operator", "王会计",
            "--village", "东风村")
    code, _, err = cli(*base, "--db", str(tmp_path / "bad.db"), "--station", "220112-3")
    assert code == 2 and "站点代码" in err and not (tmp_path / "bad.db").exists()  # nothing half-made
    assert cli(*base, "--db", str(tmp_path / "v.db"), "--station", "220112-003", "--station-village", "东风村")[0] == 0
    with open_ledger(tmp_path / "v.db", backup=False) as v:
        assert stations.current(v) == stations.Station("220112-003", "东风村", "村", 3, "220112-000", "东风村")
