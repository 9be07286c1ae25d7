"""重复参保 with the same ID number (issue 15): one person enrolled by the village of 户籍 and by the village they
live in. The township holds both members (not a 记录冲突 that loses the second with its payment), lists the pair
with both places, shows both payments as a 重复缴费 with the later one the refund candidate, and a 专干's decision
(which enrolment stands) travels back to the station in the next packet."""

from __future__ import annotations

import pytest

from app.domain.duplicate_match import TWO_HOLDERS, Kind
from app.domain.problems import ProblemsError
from app.ledger import PayLine, duplicates
from app.sync import conflicts, packets
from operators_helper import log_in



def _enrol(lg, village, number, name="张三"):
    h = lg.households.add(village=village, group="一组").id
    return h, lg.members.add(h, name=name, id_number=number, relation="户主").id


def _send(sender, receiver, number, post):
    result = packets.apply_packet(receiver, packets.write_packet(sender, number, post).path)
    assert result.ok, result.problems
    return result


def test_the_same_id_at_two_villages_reaches_the_township_as_a_duplicate_not_a_conflict(town, ids):
    township, v1, v2, post = town
    number = ids("19600501")
    h1, a = _enrol(v1, "东风村", number)
    h2, b = _enrol(v2, "红旗村", number)
    pa = v1.payments.record(h1, [PayLine(a)], method="现金", paid_on="2024-10-08").id
    pb = v2.payments.record(h2, [PayLine(b)], method="现金", paid_on="2024-10-09").id
    _send(v1, township, 0, post)
    _send(v2, township, 0, post)
    # both people and both payments are at the township
    assert {r[0] for r in township.db.execute("SELECT id FROM members WHERE id_number = ?", [number])} == {a, b}
    assert {r[0] for r in township.db.execute("SELECT id FROM payments")} == {pa, pb}
    listed = conflicts.list_conflicts(township)
    assert [c for c in listed if c.kind == "记录冲突"] == []
    # on the 重复参保 list with both places, and counted on the dashboard
    [f] = [f for f in duplicates.find(township).findings if {f.a.member_id, f.b.member_id} == {a, b}]
    assert f.kind == Kind.SAME_ID and f.certainty == 100
    assert {(p.station, p.village, p.household_no) for p in (f.a, f.b)} == {
        ("东风村", "东风村", v1.households.get(h1).number), ("红旗村", "红旗村", v2.households.get(h2).number)}
    assert f.a.paid and f.b.paid
    assert duplicates.count(township.path) == 1
    # and in the 重复参保排查 export, each side with its station
    import openpyxl

    from app.exchange.duplicates_export import export

    assert export(township, post / "重复参保排查.xlsx") == 1
    ws = openpyxl.load_workbook(post / "重复参保排查.xlsx").worksheets[0]
    head, row = [c.value for c in ws[1]], [c.value for c in ws[2]]
    assert row[head.index("类型")] == "同一证件号码"
    assert {row[head.index("甲·站点")], row[head.index("乙·站点")]} == {"东风村", "红旗村"}
    assert row[head.index("甲·证件号码")] == row[head.index("乙·证件号码")] == number
    # both charged: the later payment is a refund candidate, shown as 重复缴费 (the one refund path)
    [double] = [c for c in listed if c.kind == "重复缴费"]
    assert {double.a_values["member_id"], double.b_values["member_id"]} == {a, b}
    assert double.b_values["receipt_no"] == v2.payments.get(pb).receipt_no
    assert "后一笔" in double.message and "重复参保" in double.message
    # a look-up that wants one person refuses to pick one of the two
    with pytest.raises(ProblemsError, match=TWO_HOLDERS[:10]):
        township.members.by_id_number(number)
    # either may still be edited with the number it has; nobody may be given it anew
    township.members.update(b, phone="13900000000")
    assert township.check() == []  # not damage: 重复参保 between two stations
    h0 = township.households.add(village="东风村", group="一组").id
    with pytest.raises(ProblemsError, match="不能重复登记"):
        township.members.add(h0, name="张三", id_number=number, relation="户主")


def test_keeping_one_enrolment_sets_the_other_and_travels_back(town, ids):
    township, v1, v2, post = town
    number = ids("19600501")
    h1, a = _enrol(v1, "东风村", number)
    h2, b = _enrol(v2, "红旗村", number)
    v2.payments.record(h2, [PayLine(b)], method="现金", paid_on="2024-10-09")
    _send(v1, township, 0, post)
    _send(v2, township, 0, post)
    log_in(township, "小网格", role="网格员")
    with pytest.raises(ProblemsError):
        duplicates.keep(township, a, b, "户籍在东风村")
    log_in(township, "李专干", role="专干")
    with pytest.raises(ProblemsError, match="请写明保留这一处参保登记的依据"):
        duplicates.keep(township, a, b, " ")
    done = duplicates.keep(township, a, b, "户籍在东风村，已电话核实")
    other = township.members.get(b)
    assert (other.status, other.status_detail) == ("异地参保", "东风村一组 001000001户（重复参保，保留该处登记）")
    assert done.refunds and "退费" in done.refunds[0]  # 红旗村 charged the one not kept
    assert township.members.by_id_number(number).id == a  # decided: the kept one
    assert duplicates.count(township.path) == 0
    report = duplicates.find(township, include_dismissed=True)
    assert report.resolved == 1 and report.dismissed == 0
    assert report.findings[0].dismissal.text.startswith(f"已处理重复参保，保留 #{a}：户籍在东风村")
    entries = [e for e in township.audit.for_member(b) if e.entity == "duplicate"]
    assert entries and entries[-1].operator == "李专干" and entries[-1].after["本人"] == "改为异地参保"
    with pytest.raises(ProblemsError, match="已处理为重复参保"):
        duplicates.dismiss(township, a, b, "不是一个人")
    # the next packet carries the decision's status change to the station keeping that household
    _send(township, v2, 2, post)
    assert v2.members.get(b).status == "异地参保"
    assert v2.members.get(b).status_detail.startswith("东风村")


def test_a_village_receiving_the_townships_enrolment_of_its_own_person_holds_both(town, ids):
    township, v1, _, post = town
    number = ids("19700101")
    _h1, a = _enrol(v1, "东风村", number)
    _h0, t = _enrol(township, "东风村", number)  # before the village's packet arrived
    _send(township, v1, 1, post)
    _send(v1, township, 0, post)
    for lg in (township, v1):
        assert {m.id for m in lg.members.holders(number)} == {a, t}
        assert [c for c in conflicts.list_conflicts(lg) if c.kind == "记录冲突"] == []
        assert duplicates.count(lg.path) == 1


def test_the_counter_will_not_charge_one_enrolment_when_the_other_has_paid(town, ids):
    from app.ledger.payment_plan import PlanRequest

    township, v1, v2, post = town
    number = ids("19600501")
    h1, a = _enrol(v1, "东风村", number)
    h2, b = _enrol(v2, "红旗村", number)
    receipt = v1.payments.get(v1.payments.record(h1, [PayLine(a)], method="现金", paid_on="2024-10-08").id).receipt_no
    _send(v1, township, 0, post)
    _send(v2, township, 0, post)
    words = (f"同一身份证号在户 {v1.households.get(h1).number} 本年度已于 2024-10-08 缴费（票据号 {receipt}），"
             "重复参保、重复缴费（请先在重复参保清单中处理）；如确需办理，请填写变更原因")
    plan = township.payments.plan(h2, [PayLine(b)], method="现金", paid_on="2024-10-10")
    assert [p.message for p in plan.problems] == [words]
    [many] = township.payments.plan_many([PlanRequest(h2, (PayLine(b),), "现金", "2024-10-10")])
    assert [p.message for p in many.problems] == [words]
    with pytest.raises(ProblemsError, match="重复参保、重复缴费"):
        township.payments.record(h2, [PayLine(b)], method="现金", paid_on="2024-10-10")


def test_one_station_never_holds_one_number_twice_of_its_own_making(town, ids):
    from app.ledger import sqlite_driver
    from app.ledger.ids import BLOCK

    _, v1, _, _ = town
    number = ids("19800101")
    h, a = _enrol(v1, "东风村", number)

    def insert(mid):
        with v1.transaction() as db:
            db.execute("INSERT INTO members (id, household_id, name, id_type, id_number, id_rev, birth_date, created_at,"
                       " updated_at) VALUES (?, ?, '复制', '居民身份证', ?, ?, '1980-01-01', 'x', 'x')",
                       [mid, h, number, number[::-1]])

    with pytest.raises(sqlite_driver.IntegrityError, match="members_id_number"):
        insert(a + 1)  # the index itself refuses a second one in this station's block
    insert(2 * BLOCK + 7)  # one from another station is held
    assert len(v1.members.holders(number)) == 2
