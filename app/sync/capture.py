"""What changed since the last packet: the sync tables (migration ``0085_sync``) and the capture triggers.

The app writes through Python's sqlite3 module, whose connections a session object cannot watch. So every
replicated table (``app.ledger.ids.REPLICATED``) has three AFTER triggers that keep, the first time a row is
touched after the last packet, the row as it was before (``sync_base.row``, a JSON object; NULL = the row is
new). Writing a packet diffs those rows against the rows as they are now (``outbox``) and empties
``sync_base``. While a packet is applied (``sync_applying`` holds a row, inside the apply's transaction)
the triggers stand still, so what arrives is never sent back.

The triggers name the table's columns: they are made again (``ensure_capture``) whenever the columns change
(at every packet written or applied). A migration that drops or renames a column of a replicated table
must drop them first (``drop_capture``)."""

from __future__ import annotations

import json

from ..ledger.ids import REPLICATED

MIGRATION_0085 = """
CREATE TABLE IF NOT EXISTS sync_base (
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,                    -- JSON array of the primary key
    row TEXT,                            -- JSON object: the row before its first change since the last packet; NULL = new
    PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_applying (since TEXT);
CREATE TABLE IF NOT EXISTS sync_outbox (
    seq INTEGER NOT NULL,                -- one per packet written that carried changes
    dest INTEGER NOT NULL,               -- the station number these changes go to; -1 = every station
    changes INTEGER NOT NULL,
    changeset BLOB NOT NULL,             -- SQLite session changeset
    created_at TEXT NOT NULL,
    PRIMARY KEY (seq, dest)
);
CREATE TABLE IF NOT EXISTS sync_peers (
    station INTEGER PRIMARY KEY,         -- the other side's station number
    acked_seq INTEGER NOT NULL DEFAULT 0,    -- our outbox seqs it has confirmed applying
    applied_seq INTEGER NOT NULL DEFAULT 0,  -- its outbox seqs we have applied
    packets_out INTEGER NOT NULL DEFAULT 0,
    packets_in INTEGER NOT NULL DEFAULT 0,   -- the highest packet number received from it
    last_out_at TEXT,
    last_in_at TEXT
);
CREATE TABLE IF NOT EXISTS sync_packets (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL,             -- 发出 / 导入
    station INTEGER NOT NULL,
    packet_no INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    changes INTEGER NOT NULL,
    conflicts INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    operator TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sync_conflicts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,            -- the same clash found on both sides has the same key
    kind TEXT NOT NULL,                  -- 两处修改 / 记录冲突 / 重复缴费 / 缺少关联记录
    tbl TEXT NOT NULL,
    row_pk TEXT NOT NULL,                -- JSON
    household_id INTEGER,
    member_id INTEGER,
    columns TEXT NOT NULL DEFAULT '[]',  -- JSON: the columns both sides changed
    a_station INTEGER NOT NULL,          -- the ledger that found it: its version
    a_values TEXT,                       -- JSON
    b_station INTEGER NOT NULL,          -- the packet's sender: its version
    b_values TEXT,                       -- JSON
    base_values TEXT,                    -- JSON: what both started from
    message TEXT NOT NULL,
    found_by INTEGER NOT NULL,
    found_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    choice TEXT,                         -- the station number whose version stands, or a payment item kept
    note TEXT
);
CREATE INDEX IF NOT EXISTS sync_conflicts_open ON sync_conflicts(resolved_at, id);
CREATE TRIGGER IF NOT EXISTS sync_conflicts_never_deleted BEFORE DELETE ON sync_conflicts
BEGIN SELECT RAISE(ABORT, '冲突记录不能删除（处理后保留）'); END;
INSERT OR IGNORE INTO ledger_secret (name, value) VALUES ('sync_key', randomblob(32));
"""

MIGRATION_0086 = """
ALTER TABLE sync_peers ADD COLUMN newest_packet_at TEXT;   -- the sender's time on the newest packet read from it
CREATE TABLE IF NOT EXISTS sync_applied (
    station INTEGER NOT NULL,            -- the sender
    seq INTEGER NOT NULL,
    dest INTEGER NOT NULL,
    sha256 TEXT NOT NULL,                -- of the changeset applied: the same seq with other content is refused
    PRIMARY KEY (station, seq, dest)
) WITHOUT ROWID;
"""

_WHEN = "WHEN NOT EXISTS (SELECT 1 FROM sync_applying)"


def table_columns(conn, table: str) -> tuple[list[str], list[str]]:
    """(column names in order, primary-key columns in key order)."""
    info = list(conn.execute(f"PRAGMA table_info({table})"))
    cols = [r[1] for r in info]
    pks = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    return cols, pks


def pk_json(values) -> str:
    """The ``sync_base.pk`` text of a primary key (the same text SQLite's json_array makes)."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def capture_sql(conn, table: str) -> list[str]:
    cols, pks = table_columns(conn, table)
    if not cols:
        return []

    def key(side: str) -> str:
        return "json_array(" + ", ".join(f"{side}.{c}" for c in pks) + ")"

    old = "json_object(" + ", ".join(f"'{c}', OLD.{c}" for c in cols) + ")"
    base = f"INSERT OR IGNORE INTO sync_base (tbl, pk, row) VALUES ('{table}'"
    return [
        f"CREATE TRIGGER sync_capture_{table}_insert AFTER INSERT ON {table} {_WHEN}\n"
        f"BEGIN {base}, {key('NEW')}, NULL); END",
        f"CREATE TRIGGER sync_capture_{table}_update AFTER UPDATE ON {table} {_WHEN}\n"
        f"BEGIN {base}, {key('OLD')}, {old}); END",
        f"CREATE TRIGGER sync_capture_{table}_delete AFTER DELETE ON {table} {_WHEN}\n"
        f"BEGIN {base}, {key('OLD')}, {old}); END",
    ]


def ensure_capture(conn) -> None:
    """Make the capture triggers match the replicated tables' columns (at open: in one transaction of its
    own; inside a packet's transaction: as part of it)."""
    have = {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_capture_%'")}
    wanted = [s for table in REPLICATED for s in capture_sql(conn, table)]
    stale = [s for s in wanted if have.get(s.split()[2]) != s]
    if not stale:
        return
    raw = getattr(conn, "conn", conn)
    own = not getattr(raw, "in_transaction", True)
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in stale:
            conn.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
            conn.execute(statement)
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")


def migrate_0086(db) -> None:
    """Migration body: what was applied from each station, by seq and content, and the newest packet's time."""
    from ..ledger.schema import _statements

    for statement in _statements(MIGRATION_0086):
        db.execute(statement)


def start_fresh(db) -> None:
    """Nothing in this ledger is new to the other stations and nothing was exchanged yet: a copy made by a
    split or a rollover (inside the caller's transaction; a rollover then makes pending what the other side's
    new ledger may lack, ``app.sync.turns``)."""
    for table in ("sync_base", "sync_outbox", "sync_peers", "sync_applied", "sync_turns", "sync_carry"):
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [table]).fetchone():
            db.execute(f"DELETE FROM {table}")


def drop_capture(conn) -> None:
    """For a migration that rewrites a replicated table's columns: the triggers come back at the next packet."""
    for (name,) in list(conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_capture_%'")):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def migrate_0085(db) -> None:
    """Migration body: the sync tables and the township key (the capture triggers are made by
    ``schema.migrate`` once every migration has run)."""
    from ..ledger.schema import _statements

    for statement in _statements(MIGRATION_0085):
        db.execute(statement)
