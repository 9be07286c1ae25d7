"""Operators and roles: PINs stored only as salted slow hashes, a role without the right is refused, and
every audit entry carries the logged-in operator — never a typed name."""

from __future__ import annotations

import datetime as dt

import pytest
from operators_helper import TEST_PIN, log_in
from stdnum.cn import ric

from app.cli.main import main
from app.domain.problems import ProblemsError
from app.ledger import PayLine, open_ledger
from app.ledger.operators import (ADMIN, GRID_WORKER, LoginFailed, PermissionDenied, check_pin, reveal,
                                  sign_in)


def _id(seq: int, birth: str = "19600501") -> str:
    body = f"229999{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def fresh(tmp_path):
    lg = open_ledger(tmp_path / "o.canbao.db", create=True, backup=False)
    lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                           villages={"东风村": ["一组"]}, area_kind="区")
    yield lg
    lg.close()


def test_the_first_operator_is_an_admin_and_pins_are_only_stored_as_salted_hashes(fresh):
    assert not fresh.operators.any() and fresh.session is None
    with pytest.raises(ProblemsError, match="第一位操作员必须是管理员"):
        fresh.operators.add("李网格", GRID_WORKER, "135790")
    op, created = sign_in(fresh, "王会计", "135790")
    assert created and op.role == ADMIN and fresh.session == op
    fresh.operators.add("李网格", GRID_WORKER, "135790")
    secrets = [r[0] for r in fresh.db.execute("SELECT secret FROM operators ORDER BY id")]
    assert all(s.startswith("scrypt$") and "135790" not in s for s in secrets)
    assert secrets[0] != secrets[1]  # a salt per operator: equal PINs, different hashes
    assert check_pin("135790", secrets[1]) and not check_pin("135791", secrets[1])
    with pytest.raises(ProblemsError, match="至少"):
        fresh.operators.add("赵短", GRID_WORKER, "12")


def test_wrong_pins_are_refused_and_repeated_ones_make_the_operator_wait(fresh):
    sign_in(fresh, "王会计", "135790")
    for n in range(4):
        with pytest.raises(LoginFailed, match="口令错误") as exc:
            fresh.operators.login("王会计", "000000")
        assert exc.value.wait_seconds == 0
    with pytest.raises(LoginFailed) as exc:
        fresh.operators.login("王会计", "000000")
    assert exc.value.wait_seconds == 30
    with pytest.raises(LoginFailed, match="秒后再试"):  # even the right PIN waits
        fresh.operators.login("王会计", "135790")
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat()
    fresh.db.execute("UPDATE operators SET locked_until = ?", [past])
    assert fresh.operators.login("王会计", "135790").name == "王会计"
    with pytest.raises(LoginFailed, match="没有名为「张冒充」"):
        fresh.operators.login("张冒充", "135790")


def test_a_grid_worker_records_and_takes_payments_but_may_not_void_refund_or_change_settings(fresh):
    log_in(fresh, "王会计", ADMIN)
    log_in(fresh, "李网格", GRID_WORKER)
    h = fresh.households.add(village="东风村", group="一组").id
    m = fresh.members.add(h, name="张三", id_number=_id(11), relation="户主").id
    pid = fresh.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
    with pytest.raises(PermissionDenied, match="李网格（网格员）无权作废票据"):
        fresh.payments.void(pid, "收错")
    with pytest.raises(PermissionDenied, match="无权办理退费"):
        fresh.payments.refund(pid, m, "重复缴费", refunded_on="2024-10-09")
    with pytest.raises(PermissionDenied, match="无权修改政策"):
        fresh.settings.update(area_kind="县")
    with pytest.raises(PermissionDenied, match="无权管理操作员"):
        fresh.operators.add("赵新", GRID_WORKER, "246810")
    with pytest.raises(PermissionDenied, match="无权结转"):
        fresh.rollover(fresh.path.with_name("next.db"), "changchun-2025")
    with pytest.raises(PermissionDenied, match="无权查看完整证件号码"):
        reveal(fresh, fresh.members.get(m))
    assert fresh.payments.get(pid).operator == "李网格"
    log_in(fresh, "王会计")
    fresh.payments.void(pid, "收错")
    assert fresh.payments.get(pid).voided_by == "王会计"


def test_audit_entries_carry_the_logged_in_operator_never_a_typed_name(fresh):
    log_in(fresh, "王会计", ADMIN)
    log_in(fresh, "李网格", GRID_WORKER)
    h = fresh.households.add(village="东风村", operator="张冒充").id
    m = fresh.members.add(h, name="张三", id_number=_id(13), operator="张冒充").id
    fresh.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08", operator="张冒充")
    operators = {r[0] for r in fresh.db.execute("SELECT operator FROM audit WHERE entity != 'settings'")}
    assert operators == {"李网格"}
    assert {r[0] for r in fresh.db.execute("SELECT operator FROM payments")} == {"李网格"}


def test_a_ledger_with_operators_refuses_writes_from_nobody(fresh):
    sign_in(fresh, "王会计", "135790")
    with open_ledger(fresh.path, backup=False) as other:  # opened without logging in
        with pytest.raises(PermissionDenied, match="请先登录"):
            other.households.add(village="东风村")
    with open_ledger(fresh.path, backup=False, operator="王会计") as named:  # a name is not a login
        with pytest.raises(PermissionDenied, match="请先登录"):
            named.households.add(village="东风村")
    with open_ledger(fresh.path, backup=False, operator=fresh.session) as carried:  # a worker's session
        assert carried.households.add(village="东风村").id


def test_rollover_keeps_the_operators_and_the_logged_in_one_signs_it(tmp_path):
    with open_ledger(tmp_path / "2022.db", create=True, backup=False) as old:
        old.settings.initialize(township="测试镇", year=2022, policy_id="changchun-2022", operators=["王会计"],
                                villages={"东风村": ["一组"]}, area_kind="区")
        log_in(old, "李网格", ADMIN)
        log_in(old, "王会计", GRID_WORKER)
        log_in(old, "李网格")
        new_path = old.rollover(tmp_path / "2025.db", "changchun-2025")
    with open_ledger(new_path, backup=False) as new:
        assert [(o.name, o.role) for o in new.operators.list()] == [("李网格", ADMIN), ("王会计", GRID_WORKER)]
        assert {r[0] for r in new.db.execute("SELECT operator FROM audit")} == {"李网格"}
        assert new.operators.login("王会计", TEST_PIN).role == GRID_WORKER


# ---------------------------------------------------------------------------- the CLI
@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "c.db"))

    def run(*argv, operator=None, pin=None):
        if operator:
            monkeypatch.setenv("CANBAO_OPERATOR", operator)
        if pin:
            monkeypatch.setenv("CANBAO_PIN", pin)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_cli_operators_roles_and_masked_outputs(cli, monkeypatch):
    head = _id(15)
    assert cli("ledger", "init", "--township", "某镇", "--year", "2025", "--policy", "changchun-2025",
               "--operator", "王会计", "--village", "东风村:一组")[0] == 0
    monkeypatch.setenv("CANBAO_NEW_PIN", "864200")
    assert cli("ledger", "operator", "add", "李网格")[0] == 0
    code, out, _ = cli("ledger", "operator", "list")
    assert "王会计  管理员" in out and "李网格  网格员" in out
    code, _, err = cli("ledger", "household", "add", "--village", "东风村", "--operator", "张冒充")
    assert code == 2 and "没有名为「张冒充」的操作员" in err
    code, _, err = cli("ledger", "household", "add", "--village", "东风村", "--operator", "李网格", pin="000000")
    assert code == 2 and "口令错误" in err
    assert cli("ledger", "household", "add", "--village", "东风村", "--phone", "13912345678",
               operator="李网格", pin="864200")[0] == 0
    assert cli("ledger", "member", "add", "--household", "000001", "--name", "张三", "--id-number", head,
               "--relation", "户主", "--phone", "13712345678")[0] == 0
    code, out, _ = cli("ledger", "pay", "--household", "000001", "--member", head, "--method", "现金",
                       "--date", "2024-10-08")
    assert code == 0 and "2025-000001" in out
    code, _, err = cli("ledger", "void", "2025-000001", "--reason", "收错")
    assert code == 2 and "无权作废票据" in err
    code, out, _ = cli("ledger", "audit", "--member", head)
    assert code == 0 and "李网格" in out and head not in out and "13712345678" not in out
    code, _, err = cli("ledger", "audit", "--member", head, "--full")
    assert code == 2 and "无权查看完整证件号码" in err
    code, out, _ = cli("ledger", "audit", "--member", head, "--full", operator="王会计", pin=TEST_PIN)
    assert code == 0 and head in out
    code, out, _ = cli("ledger", "audit", "--member", head)
    assert "王会计 人员" in out and "查看完整证件号和电话" in out  # the reveal itself is audited
    for argv in (("ledger", "household", "show", "000001"), ("ledger", "search", "张三"),
                 ("ledger", "search", "张三", "--json"), ("ledger", "member", "show", head)):
        out = cli(*argv)[1]
        assert "张三" in out and head not in out and "13712345678" not in out and "13912345678" not in out
    assert head in cli("ledger", "member", "show", head, "--full")[1]


def test_cli_without_credentials_says_how_to_give_them(cli, monkeypatch, tmp_path):
    with open_ledger(tmp_path / "c.db", create=True, backup=False) as lg:
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]})
        log_in(lg, "王会计")
    monkeypatch.delenv("CANBAO_PIN")
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    code, _, err = cli("ledger", "info")
    assert code == 2 and "CANBAO_PIN" in err and "Traceback" not in err
