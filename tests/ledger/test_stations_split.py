"""Splitting a village out of the township's ledger: the new ledger holds the village, agrees with the township
on every member's year (the read model), numbers its own receipts, and a failed split leaves nothing."""

from __future__ import annotations

import pytest
from operators_helper import GRID_WORKER, log_in

from app.domain.problems import Cancelled, ProblemsError
from app.ledger import PayLine, open_ledger, stations
from app.ledger import member_year
from app.ledger.demo import build_demo_ledger
from app.ledger.operators import PermissionDenied
from app.ledger.split import split_village

TOWN = "220112"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("split") / "town.db"
    build_demo_ledger(path, people=600, seed=3)
    return path


def _village_of(lg) -> dict[int, str]:
    return dict(lg.db.execute("SELECT m.id, v.name FROM members m JOIN households h ON h.id = m.household_id"
                              " JOIN villages v ON v.id = h.village_id"))


def _standings(lg, members) -> dict[int, tuple]:
    return {s.member_id: (s.state, s.due, s.paid, s.status) for s in member_year.standings(lg)
            if s.member_id in members}


def test_the_split_ledger_agrees_with_the_township_on_its_village(tmp_path, demo):
    path = tmp_path / "town.db"
    path.write_bytes(demo.read_bytes())
    with open_ledger(path, backup=False) as town:
        stations.set_up(town, code=f"{TOWN}-000", name=town.settings.get().township, kind="乡镇")
        where = _village_of(town)
        village = max(set(where.values()), key=list(where.values()).count)
        members = {m for m, v in where.items() if v == village}
        want = _standings(town, members)
        paid = sum(1 for s in want.values() if s[0].value == "已缴")
        assert paid and len(want) == len(members)
        seen = []
        out = split_village(town, village, tmp_path / "v.db", progress=lambda d, t: seen.append((d, t)))
        assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
        assert out.station == stations.Station(f"{TOWN}-001", village, "村", 1, f"{TOWN}-000", village)
        assert stations.get(town, f"{TOWN}-001") == out.station  # the township records its new station
        assert stations.current(town).number == 0
        receipts = {no for (no,) in town.db.execute(
            "SELECT DISTINCT p.receipt_no FROM payments p JOIN payment_items i ON i.payment_id = p.id"
            " WHERE i.member_id IN (%s)" % ",".join(map(str, members)))}
        town_policy, town_year = town.settings.get().policy_id, town.settings.get().year
    with open_ledger(out.path, backup=False) as v:
        assert stations.current(v) == out.station
        assert [s.number for s in stations.known(v)] == [0, 1]
        assert set(_village_of(v).values()) <= {village} | set(where.values())
        got = _standings(v, members)
        assert got == want  # every member's state, due, paid and status, by the one read model
        assert {no for (no,) in v.db.execute("SELECT receipt_no FROM payments")} >= receipts
        s = v.settings.get()
        assert (s.policy_id, s.year) == (town_policy, town_year) and village in [x.name for x in s.villages]
        assert v.check() == []
        assert out.counts["members"] == len(members) + out.carried_along
        assert v.audit.recent(1)[0].action == "split"
        # the village's own receipts: its station's code, from 1
        mid = next(m for m, st in got.items() if st[0].value == "未缴" and st[1])
        hid = v.members.get(mid).household_id
        pid = v.payments.record(hid, [PayLine(mid)], method="现金", paid_on="2024-10-08").id
        assert v.payments.get(pid).receipt_no == f"{TOWN}-001-2025-000001"
        assert v.check() == []


def test_a_payment_for_somebody_who_moved_comes_along(ledger, ids):
    stations.set_up(ledger, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    east = ledger.households.add(village="东风村", group="一组").id
    head = ledger.members.add(east, name="张三", id_number=ids("19600501"), relation="户主").id
    son = ledger.members.add(east, name="张小", id_number=ids("19900101"), relation="子").id
    ledger.payments.record(east, [PayLine(head), PayLine(son)], method="现金", paid_on="2024-10-08")
    red = ledger.households.add(village="红旗社区").id
    ledger.members.move(son, red, relation="户主")
    out = split_village(ledger, "红旗社区", ledger.path.with_name("red.db"))
    assert out.carried_along == 1 and out.counts["payments"] == 1
    with open_ledger(out.path, backup=False) as v:
        assert v.check() == []
        assert v.payments.member_year(son).paid == ledger.payments.member_year(son).paid > 0
        assert [h.member_id for h in v.search("张小")] == [son]  # the search index came along
        # 东风村's household came along for the receipt, as an 外村户: not listed or counted as the village's
        assert {h.number for h in v.households.list()} == {ledger.households.get(red).number}
        assert {s.member_id for s in member_year.standings(v)} == {son}


def test_refused_and_cancelled_splits_leave_nothing(ledger, tmp_path):
    with pytest.raises(ProblemsError, match="还没有设定站点"):
        split_village(ledger, "东风村", tmp_path / "a.db")
    stations.set_up(ledger, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    with pytest.raises(ProblemsError, match="没有村"):
        split_village(ledger, "西山村", tmp_path / "a.db")
    (tmp_path / "taken.db").write_bytes(b"x")
    with pytest.raises(ProblemsError, match="已存在"):
        split_village(ledger, "东风村", tmp_path / "taken.db")
    with pytest.raises(Cancelled):
        split_village(ledger, "东风村", tmp_path / "a.db", cancel=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("a.db")) == []
    assert [s.number for s in stations.known(ledger)] == [0]  # no station recorded
    log_in(ledger, "小李", GRID_WORKER)
    with pytest.raises(PermissionDenied):
        split_village(ledger, "东风村", tmp_path / "a.db")
    log_in(ledger, "王会计")
    split_village(ledger, "东风村", tmp_path / "a.db")
    with pytest.raises(ProblemsError, match="已拆分为站点"):
        split_village(ledger, "东风村", tmp_path / "b.db")
    out = split_village(ledger, "红旗社区", tmp_path / "b.db")
    assert out.station.number == 2


def test_after_a_split_packets_go_both_ways(ledger, ids, tmp_path):
    """The split ledger joins the exchange where the township's outbox is: the first packets apply cleanly,
    nothing copied comes back as a change, and each side gets the other's new work."""
    packets = pytest.importorskip("app.sync.packets")
    stations.set_up(ledger, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    east = ledger.households.add(village="东风村", group="一组").id
    head = ledger.members.add(east, name="张三", id_number=ids("19600501"), relation="户主").id
    ledger.payments.record(east, [PayLine(head)], method="现金", paid_on="2024-10-08")
    red = ledger.households.add(village="红旗社区").id
    ledger.members.add(red, name="李四", id_number=ids("19700101"), relation="户主")
    stations.record(ledger, code=f"{TOWN}-005", name="红旗社区", kind="村", parent=f"{TOWN}-000", village="红旗社区")
    packets.write_packet(ledger, 5, tmp_path)  # the township has exchanged before: its outbox is under way
    ledger.members.update(head, notes="拆分前的修改")  # and has changes not yet in a packet
    out = split_village(ledger, "东风村", tmp_path / "east.db")
    with open_ledger(out.path, backup=False) as v:
        log_in(v, "王会计")
        first = packets.write_packet(v, 0, tmp_path)
        assert first.new_changes <= 1  # at most the split's own audit entry: nothing copied is "new"
        son = v.members.add(east, name="张小", id_number=ids("19900101"), relation="子").id
        up = packets.write_packet(v, 0, tmp_path)
        for p in (first, up):
            res = packets.apply_packet(ledger, p.path)
            assert res.ok, res.problems
        assert ledger.members.get(son).name == "张小"
        ledger.members.update(head, phone="13900000000")
        ledger.members.update(ledger.members.of_household(red)[0].id, phone="13900000001")
        down = packets.write_packet(ledger, out.station.number, tmp_path)
        assert (down.entries, down.changes) == (1, 2)  # the two new edits of its village, none of the history
        res = packets.apply_packet(v, down.path)
        assert res.ok and res.new_conflicts == 0, (res.problems, res.conflicts)
        assert v.members.get(head).phone == "13900000000"
        assert v.db.execute("SELECT count(*) FROM members WHERE name = '李四'").fetchone()[0] == 0  # not routed
        assert v.check() == [] and ledger.check() == []


def test_a_station_added_meanwhile_refuses_the_split_and_leaves_nothing(ledger, tmp_path, monkeypatch):
    from app.ledger import split

    stations.set_up(ledger, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    real = split._build

    def build_then_another_window_adds_a_station(new, town, *args):
        out = real(new, town, *args)
        with open_ledger(town.path, backup=False, operator=town.session) as other:
            stations.record(other, code=f"{TOWN}-001", name="红旗社区", kind="村", parent=f"{TOWN}-000")
        return out

    monkeypatch.setattr(split, "_build", build_then_another_window_adds_a_station)
    with pytest.raises(ProblemsError, match="另一窗口新增了站点"):
        split_village(ledger, "东风村", tmp_path / "a.db")
    assert not any(p.name.startswith("a.db") for p in tmp_path.iterdir())
    assert [s.village for s in stations.known(ledger)] == ["", ""]  # only the township and the other window's


def test_a_township_restored_from_before_a_split_never_gives_the_number_again(ledger, tmp_path):
    from app.ledger.backup import backup_ledger
    from app.ledger.restore import restore

    stations.set_up(ledger, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    backup = backup_ledger(ledger.path)
    first = split_village(ledger, "东风村", tmp_path / "east.db")
    path = ledger.path
    ledger.close()
    restore(backup, path)  # the township's file from before the split: its list no longer has station 001
    with open_ledger(path, backup=False) as town:
        log_in(town, "王会计")
        assert [s.number for s in stations.known(town)] == [0]
        assert stations.next_number(town) == 2
        assert any("以前已给了站点" in p.message for p in stations.check(
            town, code=f"{TOWN}-001", name="红旗社区", kind="村", parent=f"{TOWN}-000", village="红旗社区"))
        assert stations.check(town, code=f"{TOWN}-001", name="东风村", kind="村", parent=f"{TOWN}-000",
                              village="东风村") == []  # the lost record itself may be entered again
        again = split_village(town, "东风村", tmp_path / "east-again.db")
        assert again.station.number == 2 and again.station.code != first.station.code


def test_rollover_keeps_the_station_its_list_and_its_numbers(ids, tmp_path):
    lg = open_ledger(tmp_path / "2022.db", create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=2022, policy_id="changchun-2022", operators=["王会计"],
                           villages={"东风村": ["一组"], "红旗社区": []}, area_kind="区")
    stations.set_up(lg, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    split_village(lg, "东风村", tmp_path / "east.db")
    new = lg.rollover(tmp_path / "2025.db", "changchun-2025")
    with open_ledger(new, backup=False) as nxt:
        log_in(nxt, "王会计")
        assert stations.current(nxt) == stations.current(lg)
        assert [s.number for s in stations.known(nxt)] == [0, 1] and stations.next_number(nxt) == 2
        h = nxt.households.add(village="红旗社区").id
        m = nxt.members.add(h, name="李四", id_number=ids("19700101"), relation="户主").id
        pid = nxt.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
        assert nxt.payments.get(pid).receipt_no == f"{TOWN}-000-2025-000001"
        assert nxt.check() == []
    lg.close()
