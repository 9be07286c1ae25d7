"""Stored progress totals per place (app.ledger.place_totals): after every kind of write they equal a fresh
count, a write that bypassed Ledger.transaction still reads true, and `check` catches a corrupted figure."""

import sqlite3

import pytest

from app.ledger import PayLine, open_ledger
from app.ledger import member_year as my
from app.ledger import place_totals as pt
from app.ledger.demo import build_demo_ledger


def _fresh_places(conn, year, keys):
    """progress_by_place the old way (a fresh count over every member: ``until`` far ahead forces it)."""
    import datetime as dt

    return my.progress_by_place(conn, year, until=dt.date(2999, 1, 1), key_cats=keys)


def _assert_true(lg):
    year, keys = pt.ledger_keys(lg)
    conn = lg.db.conn
    assert conn.execute("SELECT count(*) FROM place_totals_dirty").fetchone()[0] == 0  # refreshed at COMMIT
    assert pt.read(conn, year, keys) is not None
    assert my.progress_by_place(conn, year, key_cats=keys) == _fresh_places(conn, year, keys)
    for cat in keys:
        stored = my.category_progress(conn, year, cat)
        params = {**my.year_params(year), "cat": cat}
        row = conn.execute(f"SELECT count(*), coalesce(sum({my.paid_sql('m')}), 0) FROM members m WHERE"
                           f" {my.counted_sql('m')} AND m.id IN (SELECT member_id FROM member_categories"
                           " WHERE category = :cat AND ended_on IS NULL)", params).fetchone()
        assert (stored.paid, stored.required) == (row[1], row[0]), cat
    assert pt.verify(lg) == []


def test_every_kind_of_write_keeps_the_stored_totals_true(cc2022, ids):
    lg, h, a, b = cc2022
    _assert_true(lg)
    pid = lg.payments.record(h, [PayLine(a), PayLine(b)], method="现金", paid_on="2021-10-10").id
    _assert_true(lg)
    stored = {(p.village, p.group): p.all for p in my.progress_by_place(lg.db.conn, 2022)}
    assert stored == {("东风村", "一组"): my.Progress(2, 2)}
    lg.payments.refund(pid, a, "重复缴费", refunded_on="2021-12-01")
    _assert_true(lg)
    c = lg.categories.add(b, "低保对象", department="民政", recognized_on="2021-05-01")
    _assert_true(lg)
    lg.categories.end(c.id, ended_on="2021-11-01", reason="收入超标")
    _assert_true(lg)
    lg.members.set_status(a, "异地参保", detail="吉林市", on="2021-09-01")
    _assert_true(lg)
    h2 = lg.households.add(village="东风村").id  # no group
    m = lg.members.add(h2, name="王五", id_number=ids("19700101"), relation="户主").id
    _assert_true(lg)
    pid2 = lg.payments.record(h2, [PayLine(m)], method="现金", paid_on="2021-10-11").id
    lg.payments.void(pid2, "收错了")
    _assert_true(lg)
    lg.households.update(h, group="")
    _assert_true(lg)
    places = {(p.village, p.group): p.all for p in my.progress_by_place(lg.db.conn, 2022)}
    assert places == {("东风村", ""): my.Progress(1, 2)}  # 李梅 paid; 王五 voided; 张三 elsewhere


def test_a_demo_ledger_reads_the_same_stored_and_counted(tmp_path):
    path = tmp_path / "d.db"
    build_demo_ledger(path, people=400, seed=5, policy_id="changchun-2022")
    with open_ledger(path, backup=False) as lg:
        with lg.transaction():  # any write makes the stored set complete
            lg.db.execute("INSERT OR IGNORE INTO place_totals_dirty VALUES (1, 0)")
        _assert_true(lg)
        assert len(my.progress_by_place(lg.db.conn, lg.settings.get().year)) > 3


def test_a_write_around_the_ledger_still_reads_true(cc2022):
    lg, h, a, b = cc2022
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")
    conn = sqlite3.connect(lg.path, isolation_level=None)  # another program, no Ledger.transaction
    conn.execute("UPDATE members SET status = '参加职工医保' WHERE id = ?", [b])
    conn.close()
    year, keys = pt.ledger_keys(lg)
    assert lg.db.execute("SELECT count(*) FROM place_totals_dirty").fetchone()[0] == 1  # the trigger marked it
    assert my.progress_by_place(lg.db.conn, year, key_cats=keys) == _fresh_places(lg.db.conn, year, keys)
    assert [p.all for p in my.progress_by_place(lg.db.conn, year)] == [my.Progress(1, 1)]


def test_check_catches_a_corrupted_total(cc2022):
    lg, h, a, b = cc2022
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")
    assert [p for p in lg.check() if "place_totals" in p.place] == []
    conn = sqlite3.connect(lg.path, isolation_level=None)
    conn.execute("UPDATE place_totals SET paid = paid + 1 WHERE cat = ''")  # no trigger marks this table
    conn.close()
    found = [p for p in lg.check() if "place_totals" in p.place]
    assert len(found) == 1 and "东风村·一组" in found[0].place and "2/2" in found[0].message
    assert "1/2" in found[0].message


@pytest.mark.parametrize("table", ["place_totals_for"])
def test_nothing_stored_for_this_year_counts_the_old_way(cc2022, table):
    lg, h, a, b = cc2022
    lg.db.execute("UPDATE place_totals_for SET year = 1999")
    year, keys = pt.ledger_keys(lg)
    assert pt.read(lg.db.conn, year, keys) is None
    assert my.progress_by_place(lg.db.conn, year) == my.progress_by_place(lg.db.conn, year, key_cats=())
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")  # the next write counts all again
    _assert_true(lg)


def test_new_members_and_categories_change_the_totals_directly(cc2022, ids):
    """Migration 0111: an inserted member (no payment, no category) and an inserted category record change the
    stored figures in place — no mark, no recount — and every case reads the same as a fresh count."""
    lg, h, a, b = cc2022
    lg.payments.record(h, [PayLine(a)], method="现金", paid_on="2021-10-10")  # a paid, b not
    year, keys = pt.ledger_keys(lg)
    assert len(keys) >= 2
    k1, k2 = keys[0], keys[1]
    conn = sqlite3.connect(lg.path, isolation_level=None)  # raw writes: no Ledger.transaction, no refresh
    now = "2021-10-11T00:00:00"

    def member(status):
        return conn.execute(
            "INSERT INTO members (household_id, name, id_type, id_number, id_rev, birth_date, status, created_at,"
            " updated_at) VALUES (?, '新人', '居民身份证', ?, '', '1980-01-01', ?, ?, ?)",
            [h, ids("19800101"), status, now, now]).lastrowid

    def category(mid, cat, ended=None):
        conn.execute("INSERT INTO member_categories (member_id, category, recognized_on, ended_on, created_at)"
                     " VALUES (?, ?, '2021-01-01', ?, ?)", [mid, cat, ended, now])

    def same_as_fresh():
        assert conn.execute("SELECT count(*) FROM place_totals_dirty").fetchone()[0] == 0  # by delta
        assert pt.read(lg.db.conn, year, keys)[1] == pt.count(lg.db.conn, year, keys)

    c = member("本地参保")
    same_as_fresh()
    member("参加职工医保")  # not required: no change
    same_as_fresh()
    category(c, k1)
    same_as_fresh()
    category(c, k1)  # a second record of the same category: counted once
    same_as_fresh()
    category(c, k2)  # a second key category: the key groups together count the member once
    same_as_fresh()
    category(a, k1)  # a paid member
    same_as_fresh()
    category(b, k2, ended="2021-06-01")  # an ended record counts nowhere
    same_as_fresh()
    category(b, "退役军人")  # not a key category
    same_as_fresh()
    outside = member("参加职工医保")
    category(outside, k1)  # not counted (required nowhere, unpaid)
    same_as_fresh()
    conn.close()
    assert pt.verify(lg) == []
    assert [p for p in lg.check() if "place_totals" in p.place] == []  # (the raw rows lack search keys)
