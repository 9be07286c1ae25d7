"""Stations: a ledger's own station, the township's list, fixed codes, role checks and audit."""

import sqlite3

import pytest
from operators_helper import GRID_WORKER, log_in

from app.domain.problems import ProblemsError
from app.ledger import stations
from app.ledger.operators import PermissionDenied


def test_a_ledger_without_a_station_has_none_and_an_empty_list(ledger):
    assert stations.current(ledger) is None
    assert stations.known(ledger.db) == []
    assert stations.seq_base(ledger) == 0


def test_set_up_records_the_station_and_audits_it(ledger):
    s = stations.set_up(ledger, code="220112-000", name="测试镇", kind="乡镇")
    assert s == stations.Station("220112-000", "测试镇", "乡镇", 0, "", "")
    assert stations.current(ledger.db) == s and stations.known(ledger) == [s]
    v = stations.record(ledger, code="220112-003", name="东风村", kind="村", parent="220112-000", village="东风村")
    assert v.number == 3 and v.seq_base == 3_000_000 and v.township_code == "220112"
    assert [x.code for x in stations.known(ledger)] == ["220112-000", "220112-003"]
    assert stations.current(ledger) == s  # recording another station does not change which one this is
    assert stations.next_number(ledger) == 1
    actions = [(e.entity, e.action) for e in ledger.audit.recent(5)]
    assert ("station", "self") in actions and actions.count(("station", "create")) == 2


def test_once_set_the_code_cannot_change(ledger):
    stations.set_up(ledger, code="220112-000", name="测试镇", kind="乡镇")
    with pytest.raises(ProblemsError, match="不能改为"):
        stations.set_up(ledger, code="220112-004", name="东风村", kind="村", parent="220112-000")
    renamed = stations.set_up(ledger, code="220112-000", name="测试镇人民政府", kind="乡镇")
    assert stations.current(ledger).name == renamed.name == "测试镇人民政府"
    with pytest.raises(sqlite3.DatabaseError, match="不能修改"):
        with ledger.transaction() as db:
            db.execute("UPDATE stations SET number = 5")
    with pytest.raises(sqlite3.DatabaseError, match="不能"):
        with ledger.transaction() as db:
            db.execute("DELETE FROM station_self")


def test_every_problem_at_once_and_nothing_written(ledger):
    stations.set_up(ledger, code="220112-000", name="测试镇", kind="乡镇")
    with pytest.raises(ProblemsError) as err:
        stations.record(ledger, code="22-0112-3", name="", kind="小区", village="没有的村")
    places = {p.place for p in err.value.problems}
    assert {"站点代码", "站点名称", "类型", "村"} <= places
    with pytest.raises(ProblemsError, match="乡镇本级的编号为 000"):
        stations.record(ledger, code="220112-000", name="东风村", kind="村", parent="220112-000")
    assert stations.known(ledger) == [stations.current(ledger)]  # nothing written


def test_number_taken_and_other_township_refused(ledger):
    stations.set_up(ledger, code="220112-000", name="测试镇", kind="乡镇")
    stations.record(ledger, code="220112-001", name="东风村", kind="村", parent="220112-000")
    problems = stations.check(ledger, code="330112-001", name="红旗", kind="村", parent="220112-000")
    assert any("已被站点" in p.message for p in problems) and any("乡镇代码" in p.message for p in problems)
    assert stations.check(ledger, code="220112-002", name="红旗", kind="村", parent="") \
        and stations.check(ledger, code="220112-002", name="红旗", kind="村", parent="220112-000") == []


def test_a_grid_worker_may_not_set_up_stations(ledger):
    log_in(ledger, "小李", GRID_WORKER)
    with pytest.raises(PermissionDenied):
        stations.set_up(ledger, code="220112-000", name="测试镇", kind="乡镇")
    assert stations.current(ledger) is None


def test_receipt_numbers_carry_the_code():
    s = stations.Station("220112-003", "东风村", "村", 3, "220112-000", "东风村")
    assert stations.receipt_number(s, 2025, 3_000_017) == "220112-003-2025-000017"
    assert stations.receipt_number(None, 2025, 17) == "2025-000017"


def test_the_audit_log_says_it_in_chinese(ledger):
    from app.ledger.audit import describe

    stations.set_up(ledger, code="220112-000", name="测试镇", kind="乡镇")
    lines = [describe(e) for e in ledger.audit.recent(2)]
    assert "站点#" in lines[0] and "新增 code=220112-000" in lines[0] and "设为本台账的站点" in lines[1]
