"""Quote snapshots are stored once per distinct quote, and migration 0004 carries old ledgers over intact."""

import sqlite3

from app.ledger import PayLine, open_ledger
from app.sync.capture import drop_capture
from tests.ledger.conftest import _init


def _ledger_with_payments(path, ids):
    lg = _init(path)
    h = lg.households.add(village="东风村", group="一组").id
    a = lg.members.add(h, name="张三", id_number=ids("19600501"), relation="户主").id
    b = lg.members.add(h, name="李四", id_number=ids("19620301", male=False), relation="配偶").id
    c = lg.members.add(h, name="张小", id_number=ids("20100101"), relation="子").id
    lg.categories.add(c, "低保对象", department="民政", recognized_on="2024-08-01")
    pid = lg.payments.record(h, [PayLine(a), PayLine(b), PayLine(c)], method="现金", paid_on="2024-10-08").id
    return lg, pid


def test_identical_quotes_share_one_snapshot(tmp_path, ids):
    lg, pid = _ledger_with_payments(tmp_path / "l.db", ids)
    with lg:
        items = lg.payments.get(pid).items
        assert [str(i.quote.due) for i in items] == ["410.00", "410.00", "260.00"]
        assert lg.db.execute("SELECT count(*) FROM quote_snapshots").fetchone()[0] == 2
        assert lg.check() == []


def test_migration_0004_moves_old_inline_quotes_into_snapshots(tmp_path, ids):
    path = tmp_path / "old.db"
    lg, pid = _ledger_with_payments(path, ids)
    with lg:
        before = [(i.member_id, i.quote) for i in lg.payments.get(pid).items]
    # Turn the file back into a 0003-era ledger: quotes inline in payment_items, no snapshot table.
    conn = sqlite3.connect(path)
    drop_capture(conn)  # the exchange packets' capture triggers name payment_items' columns (made again on open)
    conn.executescript("""
        DROP TRIGGER payment_items_fixed; DROP TRIGGER payment_items_need_quote; DROP TRIGGER quote_snapshots_fixed;
        DROP TRIGGER quote_snapshots_never_deleted;
        ALTER TABLE payment_items ADD COLUMN quote TEXT NOT NULL DEFAULT '';
        UPDATE payment_items SET quote = (SELECT json FROM quote_snapshots s WHERE s.id = payment_items.quote_id);
        ALTER TABLE payment_items DROP COLUMN quote_id;
        DROP TABLE quote_snapshots;
        DELETE FROM _sqlite_migrations WHERE name IN ('0004_quote_snapshots', '0032_payment_records_fixed');
    """)
    conn.commit()
    conn.close()
    with open_ledger(path, backup=False) as lg:
        after = [(i.member_id, i.quote) for i in lg.payments.get(pid).items]
        assert after == before
        assert lg.db.execute("SELECT count(*) FROM quote_snapshots").fetchone()[0] == 2
        cols = [r[1] for r in lg.db.execute("PRAGMA table_info(payment_items)").fetchall()]
        assert "quote" not in cols and "quote_id" in cols
        assert lg.check() == []


def test_snapshots_cannot_be_changed_or_items_written_without_one(tmp_path, ids):
    lg, pid = _ledger_with_payments(tmp_path / "l.db", ids)
    with lg:
        h = lg.payments.get(pid).household_id
        d = lg.members.add(h, name="张四", id_number=ids("19900101"), relation="子").id
        for sql, words in (("UPDATE quote_snapshots SET json = '{}'", "测算快照不能修改"),
                           ("DELETE FROM quote_snapshots", "测算快照不能删除"),
                           (f"INSERT INTO payment_items (payment_id, member_id, year, policy_id, amount_fen)"
                            f" VALUES ({pid}, {d}, 2025, 'changchun-2025', 0)", "quote_id")):
            try:
                lg.db.execute(sql)
            except sqlite3.DatabaseError as exc:
                assert words in str(exc), (sql, exc)
            else:
                raise AssertionError(f"not refused: {sql}")
