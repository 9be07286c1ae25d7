"""From ``sync_base`` to the outbox: the changes made here since the last packet, as SQLite changesets.

The rows as they were (``sync_base.row``) and as they are now go into two in-memory databases with the
replicated tables' columns and keys; ``apsw.Session.diff`` gives the changeset that turns the first into the
second — inserts for new rows, updates carrying only the changed columns with their old values (what lets the
other side see that it changed the same column: a conflict), deletes. The changeset is then split by the
station each row belongs to (``routes``) and kept in ``sync_outbox`` under one new ``seq`` until that
station acknowledges it. All of this runs inside the packet writer's transaction."""

from __future__ import annotations

import json
from collections import defaultdict

import apsw

from ..ledger.ids import REPLICATED
from . import routes
from .capture import pk_json, table_columns

OLD, NEW = "sync_old", "sync_new"


def attach_scratch(conn) -> None:
    """Two in-memory databases for the diff (ATTACH cannot run inside a transaction: call before BEGIN)."""
    for name in (OLD, NEW):
        conn.execute(f"ATTACH DATABASE ':memory:' AS {name}")


def detach_scratch(conn) -> None:
    for name in (OLD, NEW):
        try:
            conn.execute(f"DETACH DATABASE {name}")
        except apsw.Error:
            pass


def take_changes(conn, me: int, now: str) -> tuple[int | None, int]:
    """Turn ``sync_base`` into outbox entries under a new seq; returns (seq or None if nothing changed, changes)."""
    pending: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for tbl, pk, row in conn.execute("SELECT tbl, pk, row FROM sync_base"):
        pending[tbl].append((pk, row))
    if not pending:
        return None, 0
    dests: dict[tuple[str, str], list[int]] = {}
    tables = [t for t in REPLICATED if t in pending]
    for tbl in tables:
        cols, pks = table_columns(conn, tbl)
        ddl = ", ".join(f'"{c}"' for c in cols) + ", PRIMARY KEY (" + ", ".join(f'"{c}"' for c in pks) + ")"
        for schema in (OLD, NEW):
            conn.execute(f"DROP TABLE IF EXISTS {schema}.{tbl}")
            conn.execute(f"CREATE TABLE {schema}.{tbl} ({ddl})")
        where = " AND ".join(f'"{c}" = ?' for c in pks)
        marks = ", ".join("?" * len(cols))
        for pk, before in pending[tbl]:
            key = json.loads(pk)
            now_row = conn.execute(f"SELECT * FROM main.{tbl} WHERE {where}", key).fetchone()
            if now_row is not None:
                conn.execute(f"INSERT INTO {NEW}.{tbl} VALUES ({marks})", now_row)
            if before is not None:
                was = json.loads(before)
                # a column added after the row was captured: take it as unchanged
                old_row = [was[c] if c in was else (now_row[i] if now_row is not None else None)
                           for i, c in enumerate(cols)]
                conn.execute(f"INSERT INTO {OLD}.{tbl} VALUES ({marks})", old_row)
            row = dict(zip(cols, now_row)) if now_row is not None else json.loads(before or "{}")
            dests[(tbl, pk)] = routes.destinations(conn, me, tbl, row)
    session = apsw.Session(conn, NEW)
    for tbl in tables:
        session.attach(tbl)
        session.diff(OLD, tbl)
    changeset = session.changeset()
    session.close()
    by_dest: dict[int, apsw.ChangesetBuilder] = {}
    counts: dict[int, int] = defaultdict(int)
    total = 0
    pk_cache = {t: table_columns(conn, t) for t in tables}
    for change in apsw.Changeset.iter(changeset):
        cols, pks = pk_cache[change.name]
        values = change.old if change.op == "DELETE" or change.op == "UPDATE" else change.new
        key = pk_json(values[cols.index(c)] for c in pks)
        total += 1
        for dest in dests.get((change.name, key), ()):
            if dest not in by_dest:
                by_dest[dest] = apsw.ChangesetBuilder()
            by_dest[dest].add_change(change)
            counts[dest] += 1
    conn.execute("DELETE FROM sync_base")
    for tbl in tables:
        for schema in (OLD, NEW):
            conn.execute(f"DROP TABLE IF EXISTS {schema}.{tbl}")
    if not by_dest:
        return None, total
    seq = (conn.execute("SELECT max(seq) FROM sync_outbox").fetchone()[0] or 0) + 1
    for dest, builder in by_dest.items():
        conn.execute("INSERT INTO sync_outbox (seq, dest, changes, changeset, created_at) VALUES (?, ?, ?, ?, ?)",
                     (seq, dest, counts[dest], builder.output(), now))
        builder.close()
    return seq, total


def entries_for(conn, dest: int, after_seq: int) -> list[tuple[int, int, int, bytes]]:
    """(seq, dest, changes, changeset) of every outbox entry for ``dest`` (or for all) after ``after_seq``."""
    return [tuple(r) for r in conn.execute(
        "SELECT seq, dest, changes, changeset FROM sync_outbox WHERE seq > ? AND dest IN (?, -1)"
        " ORDER BY seq, dest", (after_seq, dest))]
