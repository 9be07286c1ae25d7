"""Rollover reports progress in rows copied and can be cancelled, leaving no new file; the fast (transfer)
way and the row-by-row way give the same ledger, table by table."""

import sqlite3

import pytest

from app.domain.problems import Cancelled, ProblemsError
from app.ledger import open_ledger
from app.ledger import rollover as rollover_module
from app.ledger.demo import build_demo_ledger


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("rollover") / "d.db"
    build_demo_ledger(path, people=600, seed=3, policy_id="changchun-2022")
    with open_ledger(path, backup=False) as lg:  # a status and an ended category besides the demo's
        m = lg.db.execute("SELECT id FROM members ORDER BY id LIMIT 1 OFFSET 7").fetchone()[0]
        lg.members.set_status(m, "异地参保", detail="吉林市", on="2021-09-01")
        c = lg.categories.add(m, "低保对象", department="民政", recognized_on="2021-05-01")
        lg.categories.end(c.id, ended_on="2021-08-01", reason="收入超标")
    return path


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "d.db"
    path.write_bytes(demo_file.read_bytes())
    return path


@pytest.mark.parametrize("fast", [True, False])
def test_progress_counts_every_row_and_the_copy_is_whole(tmp_path, demo, monkeypatch, fast):
    monkeypatch.setattr(rollover_module, "FAST", fast)
    monkeypatch.setattr(rollover_module, "_CHUNK", 100)  # several chunks per table (row-by-row way)
    seen = []
    with open_ledger(demo, backup=False) as lg:
        members = lg.members.count()
        new = lg.rollover(tmp_path / "next.db", "changchun-2025", progress=lambda d, t: seen.append((d, t)))
    total = seen[-1][1]
    assert seen[-1][0] == total and len(seen) >= (5 if fast else 6)  # fast: one report per table at least
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with open_ledger(new, backup=False) as nxt:
        assert nxt.members.count() == members
        assert nxt.settings.get().year == 2025
        assert nxt.check() == []
        assert nxt.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.parametrize("fast", [True, False])
def test_cancel_leaves_no_file(tmp_path, demo, monkeypatch, fast):
    monkeypatch.setattr(rollover_module, "FAST", fast)
    monkeypatch.setattr(rollover_module, "_CHUNK", 100)
    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 3

    target = tmp_path / "next.db"
    with open_ledger(demo, backup=False) as lg:
        with pytest.raises(Cancelled):
            lg.rollover(target, "changchun-2025", cancel=cancel)
        assert lg.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not target.exists()
    assert not (tmp_path / "next.db-wal").exists()
    assert not list(tmp_path.glob("next.db.*"))


def test_cancel_while_one_statement_copies(tmp_path, demo, monkeypatch):
    """The fast way copies a table in one statement: cancel is asked while it runs, and the statement undone."""
    monkeypatch.setattr(rollover_module, "_TICKS", 50)
    asked = {"n": 0}

    def cancel():
        asked["n"] += 1
        return asked["n"] > 12  # past the checks between tables: inside a statement

    target = tmp_path / "next.db"
    with open_ledger(demo, backup=False) as lg:
        with pytest.raises(Cancelled):
            lg.rollover(target, "changchun-2025", cancel=cancel)
        again = lg.rollover(target, "changchun-2025")  # a retry after the cancel works
    with open_ledger(again, backup=False) as nxt:
        assert nxt.check() == []


def _dump(path):
    """Every table's rows in rowid order, the schema, and the search indexes' answers; the audit entries
    without their time and hash (those differ between any two runs)."""
    conn = sqlite3.connect(path)
    out = {"schema": sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                                         " WHERE name NOT LIKE 'sqlite_%'").fetchall())}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        if name.endswith(("_data", "_idx", "_docsize", "_config")) or name in (
                "audit", "sqlite_stat1", "_sqlite_migrations", "ledger_secret"):
            continue  # FTS b-tree layout, compared below through its answers; the planner's statistics; when
            # each migration ran and the ledger's own random key (differ between any two new ledgers)
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        try:
            out[name] = conn.execute(f"SELECT rowid, {', '.join(cols)} FROM {name} ORDER BY rowid").fetchall()
        except sqlite3.OperationalError:  # WITHOUT ROWID: in key order
            out[name] = conn.execute(f"SELECT * FROM {name} ORDER BY "
                                     + ", ".join(str(i + 1) for i in range(len(cols)))).fetchall()
    out["audit"] = conn.execute("SELECT entity, entity_id, action, before, after FROM audit ORDER BY id").fetchall()
    for table, phrases in (("member_names", ['"明"', '"张 三"', '"王"']), ("member_numbers", ['"1234"', '"220"'])):
        for p in phrases:
            out[f"{table} {p}"] = conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid",
                                               [p]).fetchall()
    for table in ("member_names", "member_numbers"):
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    conn.close()
    return out


def test_fast_way_gives_the_same_ledger_as_row_by_row(tmp_path, demo, monkeypatch):
    with open_ledger(demo, backup=False) as lg:
        fast = lg.rollover(tmp_path / "fast.db", "changchun-2025")
        monkeypatch.setattr(rollover_module, "FAST", False)
        rows = lg.rollover(tmp_path / "rows.db", "changchun-2025")
    a, b = _dump(fast), _dump(rows)
    assert a.keys() == b.keys()
    assert len(a["members"]) > 500 and len(a["member_categories"]) > 0 and len(a["member_names \"王\""]) > 0
    differ = [key for key in a if a[key] != b[key]]
    assert differ == [], [(k, a[k][:2], b[k][:2]) for k in differ]


def test_a_table_that_differs_goes_row_by_row(tmp_path, demo):
    """An old ledger whose members table has a column the new one lacks: no SELECT *, the named columns."""
    conn = sqlite3.connect(demo)
    conn.execute("ALTER TABLE members ADD COLUMN stray TEXT")
    conn.commit()
    conn.close()
    with open_ledger(demo, backup=False) as lg:
        lg.db.execute("ATTACH DATABASE ? AS old", [str(demo)])
        assert rollover_module._transferable(lg.db) == []
        lg.db.execute("DETACH DATABASE old")
        new = lg.rollover(tmp_path / "next.db", "changchun-2025")
        members = lg.members.count()
    with open_ledger(new, backup=False) as nxt:
        assert nxt.members.count() == members and nxt.check() == []


def test_a_dangling_reference_refuses_the_rollover(tmp_path, demo):
    """Foreign keys are off while the fast way copies: the check before COMMIT refuses what they would have."""
    conn = sqlite3.connect(demo)
    conn.execute("UPDATE member_categories SET member_id = 999999 WHERE id = (SELECT min(id) FROM member_categories)")
    conn.commit()
    conn.close()
    target = tmp_path / "next.db"
    with open_ledger(demo, backup=False) as lg:
        with pytest.raises((ProblemsError, sqlite3.IntegrityError)):
            lg.rollover(target, "changchun-2025")
    assert not target.exists() and not list(tmp_path.glob("next.db*"))
