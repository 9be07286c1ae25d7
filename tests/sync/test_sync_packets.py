"""Exchange packets between a village and the township: ids, sending twice, out of order, lost, damaged,
foreign and unsigned packets, conflicts and their resolution."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from operators_helper import GRID_WORKER, log_in

from app.domain.problems import ProblemsError
from app.ledger import PayLine, ids
from app.ledger.audit import verify_chain
from app.ledger.operators import PermissionDenied
from app.sync import conflicts, packets

from sync_township import make_township


def _family(lg, village="东风村", name="张三"):
    h = lg.households.add(village=village, group="一组").id
    m = lg.members.add(h, name=name, id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    return h, m


def test_each_station_writes_ids_in_its_own_block(town):
    township, v1, v2, _ = town
    h1, m1 = _family(v1)
    h2, m2 = _family(v2, "红旗村")
    h0, m0 = _family(township)
    assert ids.block_of(h1) == ids.block_of(m1) == 1 and ids.block_of(h2) == ids.block_of(m2) == 2
    assert ids.block_of(h0) == 0
    # with a station, ids also run at least with the clock (a ledger restored from a backup reuses none)
    assert h1 > 1 * ids.BLOCK + 10 ** 11 and m1 > h1 - ids.BLOCK and _family(v1)[0] > h1
    # household numbers too: a station numbers in its own range
    assert v1.households.get(h1).number == "001000001" and v2.households.get(h2).number == "002000001"
    assert verify_chain(v1.db)[1] is None and verify_chain(township.db)[1] is None


def test_a_packet_applies_once_however_often_it_arrives(town):
    township, v1, _, post = town
    h, m = _family(v1)
    pid = v1.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
    first = packets.write_packet(v1, 0, post)
    assert first.changes >= 5 and first.path.exists()
    preview = packets.preview_packet(township, first.path)
    assert preview.ok and preview.counts["payments 新增"] == 1 and preview.counts["members 新增"] == 1
    assert township.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 0  # the preview wrote nothing
    result = packets.apply_packet(township, first.path)
    assert result.ok and result.applied_entries == 1
    again = packets.apply_packet(township, first.path)
    assert again.ok and again.applied_entries == 0 and again.skipped_entries == 1
    p = township.payments.get(pid)
    assert p.receipt_no == v1.payments.get(pid).receipt_no and p.amount == v1.payments.get(pid).amount
    assert township.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 1


def test_a_lost_packet_is_carried_by_the_next_and_an_old_one_changes_nothing(town):
    township, v1, _, post = town
    h, m = _family(v1)
    lost = packets.write_packet(v1, 0, post)
    v1.members.update(m, notes="第二次")
    second = packets.write_packet(v1, 0, post)
    assert second.entries == 2  # the first was never acknowledged: it goes again
    assert packets.apply_packet(township, second.path).ok
    assert township.members.get(m).notes == "第二次"
    late = packets.apply_packet(township, lost.path)  # the lost one turns up after all
    assert late.ok and late.applied_entries == 0
    assert township.members.get(m).notes == "第二次"
    # the township's packet acknowledges; the village's next packet no longer carries what was acknowledged
    assert packets.apply_packet(v1, packets.write_packet(township, 1, post).path).ok
    v1.members.update(m, notes="第三次")
    third = packets.write_packet(v1, 0, post)
    assert third.entries == 1


def test_a_damaged_foreign_or_altered_packet_writes_nothing(town, tmp_path):
    township, v1, v2, post = town
    _family(v1)
    good = packets.write_packet(v1, 0, post)
    before = township.db.execute("SELECT count(*) FROM households").fetchone()[0]
    cut = post / "cut.canbao-packet"
    cut.write_bytes(good.path.read_bytes()[:200])
    r = packets.apply_packet(township, cut)
    assert not r.ok and "损坏" in r.problems[0].message and r.problems[0].place == str(cut)
    # another township's key cannot open it
    (tmp_path / "other").mkdir()
    other, other_stations = make_township(tmp_path / "other", ["东风村"])
    other_stations[0].close()
    try:
        r = packets.apply_packet(other, good.path)
        assert not r.ok and "不是本乡镇" in r.problems[0].message
    finally:
        other.close()
    # a packet for another station is refused
    r = packets.apply_packet(v2, good.path)
    assert not r.ok and "发给站点 0" in r.problems[0].message
    # an entry changed inside a re-encrypted zip fails the signature
    from app.sync import packet_file

    secret = bytes(township.db.execute("SELECT value FROM ledger_secret WHERE name = 'sync_key'").fetchone()[0])
    pf = packet_file.read(good.path, secret)
    forged = post / "forged.canbao-packet"
    meta, blob = pf.entries[0]
    header = {k: v for k, v in pf.header.items() if k not in ("sig", "entries", "format", "version")}
    packet_file.write(forged, secret, {**header, "through_seq": 99}, [(meta, blob)])
    data = forged.read_bytes()
    # re-sign with a wrong key: an outsider who could open it still cannot sign it
    packet_file.write(forged, secret[::-1], header, [(meta, blob)])
    r = packets.apply_packet(township, forged)
    assert not r.ok and "不是本乡镇" in r.problems[0].message or "签名" in r.problems[0].message
    assert data and township.db.execute("SELECT count(*) FROM households").fetchone()[0] == before
    assert zipfile.is_zipfile(good.path)


def test_the_same_field_changed_on_both_sides_is_listed_and_resolved_by_a_clerk(town):
    township, v1, _, post = town
    h, m = _family(v1)
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    v1.members.update(m, phone="13800000001", notes="村里改的")
    township.members.update(m, phone="13900000002")
    up = packets.write_packet(v1, 0, post)
    down = packets.write_packet(township, 1, post)
    r = packets.apply_packet(township, up.path)
    assert r.ok and r.new_conflicts == 1
    assert township.members.get(m).phone == "13900000002"  # the township's value stays …
    assert township.members.get(m).notes == "村里改的"  # … and the field only the village changed is taken
    assert packets.apply_packet(v1, down.path).ok
    assert v1.members.get(m).phone == "13900000002"  # the township decides, the village's value is kept in the list
    listed = conflicts.list_conflicts(township)
    assert len(listed) == 1
    c = listed[0]
    assert c.kind == "两处修改" and "phone" in c.columns and c.member_id == m
    assert c.message.startswith("两处都修改了：电话；")  # in Chinese, without the derived search key phone_rev
    assert dict(c.versions()) == {0: {"phone": "13900000002", "phone_rev": "20000000931"},
                                  1: {"phone": "13800000001", "phone_rev": "10000000831"}}
    # the village's own copy of the clash reaches the township and is not listed twice
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    assert len(conflicts.list_conflicts(township)) == 1
    log_in(township, "小刘", role=GRID_WORKER)
    with pytest.raises(PermissionDenied):
        conflicts.resolve(township, c.id, "b", "")
    log_in(township, "王会计")
    with pytest.raises(ProblemsError, match="请选择"):
        conflicts.resolve(township, c.id, "x", "")
    done = conflicts.resolve(township, c.id, "1", "村里的号码是新的")
    assert not done.open and done.choice == "1" and done.resolved_by == "王会计"
    assert township.members.get(m).phone == "13800000001"
    assert conflicts.list_conflicts(township) == []
    assert any(e.entity == "conflict" and e.action == "resolve" for e in township.audit.recent(5))
    # the decision travels to the village like any change
    assert packets.apply_packet(v1, packets.write_packet(township, 1, post).path).ok
    assert v1.members.get(m).phone == "13800000001"


def test_a_member_paid_at_the_township_and_the_village_is_a_refund_candidate(town):
    township, v1, _, post = town
    h, m = _family(v1)
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    a = township.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
    b = v1.payments.record(h, [PayLine(m)], method="微信", paid_on="2024-10-09").id
    r = packets.apply_packet(township, packets.write_packet(v1, 0, post).path)
    assert r.ok and r.new_conflicts == 1
    (c,) = conflicts.list_conflicts(township)
    assert c.kind == "重复缴费" and c.member_id == m and "退费候选" in c.message
    assert {c.a_values["payment_item_id"], c.b_values["payment_item_id"]} == {
        township.payments.get(a).items[0].id, township.payments.get(b).items[0].id}
    # both payments stand: nothing deleted, nothing doubled
    assert township.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 2
    with pytest.raises(ProblemsError, match="说明"):
        conflicts.resolve(township, c.id, "a", "")
    assert not conflicts.resolve(township, c.id, "a", "后一笔已退费").open


def test_each_payment_of_a_double_payment_is_labelled_with_the_station_that_took_it(town):
    """The village took the earlier payment, the township the later: the listed versions say so (a clerk who
    keeps “站点 1 的缴费” keeps the village's receipt, not the township's)."""
    township, v1, _, post = town
    h, m = _family(v1)
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    village_pay = v1.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08")
    township_pay = township.payments.record(h, [PayLine(m)], method="微信", paid_on="2024-10-09")
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    (c,) = conflicts.list_conflicts(township)
    by_station = {station: values["receipt_no"] for station, values in ((c.a_station, c.a_values),
                                                                        (c.b_station, c.b_values))}
    assert by_station == {1: v1.payments.get(village_pay.id).receipt_no,
                          0: township.payments.get(township_pay.id).receipt_no}


def test_a_ledger_without_a_station_cannot_exchange(tmp_path):
    from app.ledger import open_ledger

    lg = open_ledger(tmp_path / "plain.db", create=True, backup=False)
    try:
        log_in(lg, "王会计")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        h = lg.households.add(village="东风村", group="一组").id
        assert h == 1 and lg.households.get(h).number == "000001"  # block 0: as before stations
        with pytest.raises(ProblemsError, match="还没有设置站点"):
            packets.write_packet(lg, 0, tmp_path)
        r = packets.apply_packet(lg, tmp_path / "none.canbao-packet")
        assert not r.ok
    finally:
        lg.close()


def test_voids_and_refunds_travel_and_payments_are_never_deleted(town):
    township, v1, _, post = town
    h, m = _family(v1)
    pid = v1.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    v1.payments.void(pid, "收错了")
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    p = township.payments.get(pid)
    assert p.voided and p.void_reason == "收错了"
    shutil.copyfile(post / sorted(x.name for x in post.iterdir())[0], post / "copy.canbao-packet")
    assert packets.apply_packet(township, post / "copy.canbao-packet").ok  # an old packet again: still voided
    assert township.payments.get(pid).voided


def test_the_township_exchanges_only_with_stations_on_its_list(town, tmp_path):
    township, v1, _, post = town
    with pytest.raises(ProblemsError, match="没有站点 9"):
        packets.write_packet(township, 9, post)
    with pytest.raises(ProblemsError, match="只与乡镇交换"):
        packets.write_packet(v1, 2, post)
    with pytest.raises(ProblemsError, match="本站自己"):
        packets.write_packet(v1, 1, post)


def test_a_row_the_township_refuses_is_listed_and_the_rest_is_written(town, ids):
    # (the same ID number from two stations is no longer refused: both are held, a 重复参保 pair —
    # tests/sync/test_same_id_two_stations.py; a 户编号 another household has here still is)
    township, v1, _, post = town
    taken = township.households.add(village="东风村", group="一组", number="001000001").id
    township.members.add(taken, name="赵大", id_type="无", birth_date="1950-01-01", sex="男", relation="户主")
    h1 = v1.households.add(village="东风村", group="一组").id
    assert v1.households.get(h1).number == "001000001"
    refused = v1.members.add(h1, name="李四", id_number=ids("19600501"), relation="户主").id
    h2 = v1.households.add(village="东风村", group="一组").id
    ok1 = v1.members.add(h2, name="王五", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    ok2 = v1.members.add(h2, name="王小", id_type="无", birth_date="2010-05-01", sex="男", relation="子").id
    r = packets.apply_packet(township, packets.write_packet(v1, 0, post).path)
    assert r.ok and r.new_conflicts >= 1
    assert r.counts["members 新增"] == 2  # the refused row is listed, not counted as written
    assert township.members.get(ok1).name == "王五" and township.members.get(ok2).name == "王小"
    assert township.db.execute("SELECT count(*) FROM households WHERE id = ?", [h1]).fetchone()[0] == 0
    assert township.db.execute("SELECT count(*) FROM members WHERE id = ?", [refused]).fetchone()[0] == 0
    (c,) = [c for c in conflicts.list_conflicts(township) if c.table == "households"]
    assert c.kind == "记录冲突" and "户编号" in c.message and c.b_values["number"] == "001000001"


def test_a_station_restored_from_a_backup_loses_nothing_it_sends_afterwards(town):
    township, v1, _, post = town
    h, a = _family(v1, name="甲")
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    assert packets.apply_packet(v1, packets.write_packet(township, 1, post).path).ok
    path = v1.path
    v1.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backup = path.with_name("backup.db")
    shutil.copyfile(path, backup)
    b = v1.members.add(h, name="乙", id_type="无", birth_date="1962-01-01", sex="女", relation="配偶").id
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    v1.close()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(backup, path)  # the station's laptop goes back to the backup: 乙 is gone there
    from app.ledger import open_ledger

    v1 = open_ledger(path, backup=False)
    log_in(v1, "王会计")
    try:
        c = v1.members.add(h, name="丙", id_type="无", birth_date="1990-01-01", sex="男", relation="子").id
        r = packets.apply_packet(township, packets.write_packet(v1, 0, post).path)
        assert r.ok, r.problems
        assert township.members.get(c).name == "丙" and township.members.get(b).name == "乙"
        # the township's packets reach the restored station again after one round trip
        for _ in range(2):
            packets.apply_packet(v1, packets.write_packet(township, 1, post).path)
            assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
        township.members.update(c, notes="乡镇核实")
        assert packets.apply_packet(v1, packets.write_packet(township, 1, post).path).ok
        assert v1.members.get(c).notes == "乡镇核实"
    finally:
        v1.close()



def test_the_terminal_shows_a_refused_row_against_no_record_and_its_household_by_number(town, monkeypatch, capsys):
    """Two villages that both number their households 0001: the second reaches the township as a 记录冲突.
    The terminal printed every field of the side that has no such row as （空）, the record as 户#2218185047794,
    village and group as row numbers, timestamps as ISO UTC text, and counted the refused household as 新增."""
    from app.cli.main import main

    township, v1, v2, post = town
    v1.households.add(village="东风村", group="一组", number="0001", address="东风村一组1号")
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    v2.households.add(village="红旗村", group="一组", number="0001", address="红旗村一组1号")
    r = packets.apply_packet(township, packets.write_packet(v2, 0, post).path)
    assert r.ok and r.new_conflicts == 1 and "households 新增" not in r.counts
    path = township.path
    township.close()
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    assert main(["conflicts", "list", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "记录冲突 户 0001 待处理" in out and "户编号已被本台账另一户使用" in out
    assert "站点 220112-000 测试镇：（本台账没有这条记录）" in out
    assert "地址 红旗村一组1号" in out and "村 红旗村" in out and "组 一组" in out
    assert "（空），录入时间" not in out and "T06" not in out and "+00:00" not in out
