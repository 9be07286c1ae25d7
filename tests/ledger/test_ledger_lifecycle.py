"""Refunds by the policy's rule, rollover, backups, restore, the integrity check, search and dues."""

import datetime as dt
import sqlite3

import pytest

from app.domain.money import to_money
from app.domain.problems import ProblemsError
from app.ledger import PayLine, open_ledger
from app.ledger.backup import backup_ledger, list_backups, restore_ledger


@pytest.fixture
def cc2022(tmp_path, ids):
    lg = open_ledger(tmp_path / "cc2022.db", create=True, backup=False, operator="王会计")
    lg.settings.initialize(township="测试镇", year=2022, policy_id="changchun-2022", operators=["王会计"],
                           villages={"东风村": ["一组"]}, area_kind="县")
    h = lg.households.add(village="东风村", group="一组").id
    a = lg.members.add(h, name="张三", id_number=ids("19600501"), relation="户主").id
    b = lg.members.add(h, name="李梅", id_number=ids("19620302", male=False), relation="配偶").id
    yield lg, h, a, b
    lg.close()


def test_refund_allowed_before_the_benefit_period(cc2022):
    lg, h, a, b = cc2022
    pid = lg.payments.record(h, [PayLine(a), PayLine(b)], method="现金", paid_on="2021-10-10").id
    ch = lg.payments.refund(pid, a, "重复缴费", refunded_on="2021-12-01")
    r = lg.payments.refunds_of(pid)
    assert [(x.member_id, x.amount, x.reason) for x in r] == [(a, lg.payments.get(pid).items[0].amount, "重复缴费")]
    assert "五、已缴费参保的城乡居民在待遇享受期未开始前" in r[0].clause
    assert ch.id == r[0].id and lg.payments.paid_this_year(a) == [] and len(lg.payments.paid_this_year(b)) == 1
    with pytest.raises(ProblemsError, match="已退"):
        lg.payments.refund(pid, a, "重复缴费", refunded_on="2021-12-02")
    with pytest.raises(ProblemsError, match="退费记录"):
        lg.payments.void(pid, "想作废")


def test_refund_refused_after_the_benefit_period_starts_quoting_the_rule(cc2022):
    lg, h, a, b = cc2022
    pid = lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10").id
    with pytest.raises(ProblemsError) as err:
        lg.payments.refund(pid, a, "死亡", refunded_on="2022-02-01")
    msg = str(err.value)
    assert "不能退费" in msg and "待遇享受期开始后或待遇等待期后不予办理个人退费" in msg
    with pytest.raises(ProblemsError, match="不在文件规定的范围内"):
        lg.payments.refund(pid, a, "不想交了", refunded_on="2021-11-01")
    assert lg.payments.refunds_of(pid) == []


def test_refund_in_the_waiting_period_of_a_late_payment(cc2022):
    lg, h, a, b = cc2022
    pid = lg.payments.record(h, [PayLine(a), PayLine(b)], method="银行卡", paid_on="2022-03-01").id
    q = lg.payments.get(pid).items[0].quote
    assert q.waiting_days == 90 and q.benefit_start == dt.date(2022, 5, 31)
    lg.payments.refund(pid, a, "参加职工医保", refunded_on="2022-04-15")
    with pytest.raises(ProblemsError, match="不能退费"):
        lg.payments.refund(pid, b, "参加职工医保", refunded_on="2022-06-15")


def test_no_refund_rule_in_the_policy_means_no_refund(tunliu, ids):
    h = tunliu.households.add(village="东风村").id
    m = tunliu.members.add(h, name="赵六", id_number=ids("19700101")).id
    pid = tunliu.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
    with pytest.raises(ProblemsError, match="未规定个人缴费退费办法"):
        tunliu.payments.refund(pid, m, "重复缴费", refunded_on="2024-10-09")


def test_rollover_carries_people_statuses_categories_not_payments(tmp_path, cc2022):
    lg, h, a, b = cc2022
    lg.categories.add(a, "低保对象", department="民政", recognized_on="2021-05-01")
    lg.members.set_status(b, "异地参保", detail="吉林市", on="2021-09-01")
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")
    with pytest.raises(ProblemsError, match="应晚于"):
        lg.rollover(tmp_path / "bad.db", "changchun-2022")
    new_path = lg.rollover(tmp_path / "cc2025.db", "changchun-2025")
    with open_ledger(new_path, backup=False) as nxt:
        s = nxt.settings.get()
        assert (s.year, s.policy_id, s.township, s.area_kind) == (2025, "changchun-2025", "测试镇", "县")
        assert nxt.members.get(a).name == "张三" and nxt.members.get(b).status == "异地参保"
        assert [c.category for c in nxt.categories.of_member(a)] == ["低保对象"]
        assert nxt.payments.of_member(a) == []
        pid = nxt.payments.record(h, [PayLine(a)], method="现金", paid_on="2024-10-08").id
        assert nxt.payments.get(pid).receipt_no == "2025-000001"
        assert nxt.check() == []
    assert len(lg.payments.of_member(a)) == 1  # the old ledger is unchanged


def test_backup_on_open_rotates_and_restore_brings_back_the_data(tmp_path, ids):
    path = tmp_path / "l.db"
    with open_ledger(path, create=True) as lg:
        lg.settings.initialize(township="镇", year=2025, policy_id="tunliu-2025", operators=["甲"],
                               villages=["东风村"])
        h = lg.households.add(village="东风村").id
        lg.members.add(h, name="甲", id_number=ids())
    open_ledger(path, keep_backups=3).close()
    assert len(list_backups(path)) == 1
    open_ledger(path, keep_backups=3, backup_interval=0).close()
    assert len(list_backups(path)) == 1  # nothing changed since the last backup: none made
    with open_ledger(path, keep_backups=3) as lg:
        lg.households.add(village="东风村", notes="刚备份过")
    open_ledger(path, keep_backups=3).close()
    assert len(list_backups(path)) == 1  # changed, but the last backup is only seconds old
    for n in range(4):
        with open_ledger(path, keep_backups=3, backup_interval=0) as lg:
            lg.households.add(village="东风村", notes=f"第{n}次")
    backups = list_backups(path)
    assert len(backups) == 3
    with open_ledger(backups[0], backup=False) as old:
        assert old.households.count() == 3  # backups held 1, 2, 3, 4, 5 households; the two oldest were dropped
    with open_ledger(path, backup=False) as lg:
        lg.members.add(1, name="乙", id_number=ids())
        assert lg.members.count() == 2
    saved = restore_ledger(backups[-1], path)
    assert saved is not None and saved.exists()
    with open_ledger(path, backup=False) as lg:
        assert lg.members.count() == 1
        assert lg.audit.recent(1)[0].action == "restore"
        assert lg.audit.recent(1)[0].after["restored_from"] == str(backups[-1])
    explicit = backup_ledger(path, tmp_path / "copy.db")
    with open_ledger(explicit, backup=False) as lg:
        assert lg.members.count() == 1


def test_check_finds_orphans_duplicates_and_bad_sums(ledger, household, ids):
    m = ledger.members.add(household, name="张三", id_number=ids(), relation="户主").id
    ledger.payments.record(household, [PayLine(m)], method="现金", paid_on="2024-10-08")
    assert ledger.check() == []
    db = ledger.db
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("INSERT INTO member_categories (member_id, category, created_at) VALUES (999, '低保对象', 'x')")
    db.execute("DROP INDEX members_id_number")
    db.execute("INSERT INTO members (household_id, name, id_type, id_number, id_rev, birth_date, created_at,"
               " updated_at) SELECT household_id, '复制', id_type, id_number, id_rev, birth_date, 'x', 'x' FROM members")
    db.execute("DROP TRIGGER payments_receipt_fixed")
    db.execute("UPDATE payments SET amount_fen = 1")
    db.execute("INSERT INTO members (household_id, name, id_type, birth_date, created_at, updated_at)"
               " VALUES (1, '无证甲', '无', '2020-01-01', 'x', 'x'), (1, '无证甲', '无', '2020-01-01', 'x', 'x')")
    places = {p.place.split("#")[0] for p in ledger.check()}
    assert {"member_categories", "members", "payments"} <= places
    texts = " ".join(p.message for p in ledger.check())
    assert "重复登记" in texts and "孤立记录" in texts and "明细合计" in texts and "可能重复" in texts


def test_search_by_id_fragment_last_digits_name_initials_phone(ledger, household, ids):
    n1, n2 = ids("19600501"), ids("19850101")
    a = ledger.members.add(household, name="张三丰", id_number=n1, phone="13912345678", relation="户主").id
    b = ledger.members.add(household, name="李四", id_number=n2).id
    assert [h.member_id for h in ledger.search(n1)] == [a]
    assert [h.member_id for h in ledger.search(n2[-6:])] == [b]
    assert [h.member_id for h in ledger.search(n1[:10])] == [a]
    assert {h.member_id for h in ledger.search("220102")} == {a, b}
    assert [h.member_id for h in ledger.search("张三")] == [a]
    assert [h.member_id for h in ledger.search("ZSF")] == [a]
    c = ledger.members.add(household, name="单田芳", id_number=ids("19340601")).id
    assert [h.member_id for h in ledger.search("stf")] == [c]  # the surname's reading, Shàn
    assert [h.member_id for h in ledger.search("139123")] == [a]
    assert [h.member_id for h in ledger.search("5678")] == [a]
    assert [h.member_id for h in ledger.search("三丰")] == [a]  # middle of a name: substring fallback
    assert [h.member_id for h in ledger.search("李 " + n2[-4:])] == [b]
    assert ledger.search("王五") == [] and ledger.search("  ") == []


def test_dues_for_the_whole_year(ledger, household, ids):
    a = ledger.members.add(household, name="甲", id_number=ids("19600501"), relation="户主").id
    b = ledger.members.add(household, name="乙", id_number=ids("19610501")).id
    c = ledger.members.add(household, name="丙", id_number=ids("19620501")).id
    d = ledger.members.add(household, name="丁", id_number=ids("19630501")).id
    ledger.members.set_status(c, "参加职工医保", on="2024-01-01")
    ledger.members.set_status(d, "拒参", on="2024-10-01")
    ledger.categories.add(b, "特困人员", department="民政", recognized_on="2024-01-01")
    ledger.payments.record(household, [PayLine(a)], method="现金", paid_on="2024-10-08")
    seen = []
    r = ledger.dues(paid_on=dt.date(2024, 10, 8), progress=lambda done, total: seen.append((done, total)))
    rows = {x.member_id: x for x in r.rows}
    assert rows[a].due == to_money(410) and rows[a].paid == to_money(410) and rows[a].outstanding == 0
    assert rows[b].due < rows[a].due
    assert rows[c].due is None and not rows[c].counts
    assert rows[d].counts and rows[d].due is None
    assert (r.members, r.required, r.paid_members) == (4, 3, 1)
    assert str(r.rate) == "0.333"
    assert r.paid_total == to_money(410) and seen[-1] == (4, 4)
    cancelled = ledger.dues(cancel=lambda: True)
    assert cancelled.cancelled and cancelled.rows == ()
