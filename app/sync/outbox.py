"""From ``sync_base`` to the outbox: the changes made here since the last packet, as SQLite changesets.

The rows as they were (``sync_base.row``) and as they are now go into two in-memory databases with the
replicated tables' columns and keys; ``apsw.Session.diff`` gives the changeset that turns the first into the
second — inserts for new rows, updates carrying only the changed columns with their old values (what lets the
other side see that it changed the same column: a conflict), deletes. The changeset is then split by the
station each row belongs to (``routes``) and kept in ``sync_outbox`` under one new ``seq`` until that
station acknowledges it. The ledger is read and written through its own connection, inside the packet
writer's transaction; apsw works only in memory (see ``apsw_open``)."""

from __future__ import annotations

import json
import time
from collections import defaultdict

import apsw

from ..ledger.ids import REPLICATED
from . import moves, routes
from .apsw_open import create_like, scratch
from .capture import pk_json, table_columns

OLD = "sync_old"


def take_changes(db, me: int, now: str) -> tuple[int | None, int]:
    """Turn ``sync_base`` into outbox entries under a new seq (``db``: the ledger, inside its transaction);
    returns (seq or None if nothing goes anywhere, changes found)."""
    pending: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for tbl, pk, row in db.execute("SELECT tbl, pk, row FROM sync_base"):
        pending[tbl].append((pk, row))
    if not pending:
        return None, 0
    mem = scratch()
    mem.execute(f"ATTACH DATABASE ':memory:' AS {OLD}")
    dests: dict[tuple[str, str], list[int]] = {}
    tables = [t for t in REPLICATED if t in pending]
    shapes = {t: table_columns(db, t) for t in tables}
    for tbl in tables:
        cols, pks = shapes[tbl]
        create_like(mem, "main", tbl, cols, pks)
        create_like(mem, OLD, tbl, cols, pks)
        where = " AND ".join(f'"{c}" = ?' for c in pks)
        marks = ", ".join("?" * len(cols))
        for pk, before in pending[tbl]:
            key = json.loads(pk)
            now_row = db.execute(f'SELECT * FROM "{tbl}" WHERE {where}', key).fetchone()
            if now_row is not None:
                mem.execute(f'INSERT INTO main."{tbl}" VALUES ({marks})', tuple(now_row))
            if before is not None:
                was = json.loads(before)
                # a column added after the row was captured: taken as unchanged
                old_row = [was[c] if c in was else (now_row[i] if now_row is not None else None)
                           for i, c in enumerate(cols)]
                mem.execute(f'INSERT INTO {OLD}."{tbl}" VALUES ({marks})', old_row)
            row = dict(zip(cols, now_row)) if now_row is not None else json.loads(before or "{}")
            dests[(tbl, pk)] = routes.destinations(db, me, tbl, row)
    session = apsw.Session(mem, "main")
    for tbl in tables:
        session.attach(tbl)
        session.diff(OLD, tbl)
    changeset = session.changeset()
    session.close()
    by_dest: dict[int, apsw.ChangesetBuilder] = {}
    counts: dict[int, int] = defaultdict(int)
    total = 0
    # members moved into a household another station keeps go to it whole (``moves``), instead of their update
    moved = moves.arrivals(db, [(c.name, c.op, c.old, c.new) for c in apsw.Changeset.iter(changeset)], shapes) \
        if me == 0 else {}
    whole = {dest: moves.arrival_changeset(db, members) for dest, members in moved.items()}
    for change in apsw.Changeset.iter(changeset):
        cols, pks = shapes[change.name]
        values = change.old if change.op in ("UPDATE", "DELETE") else change.new
        key = pk_json(values[cols.index(c)] for c in pks)
        total += 1
        for dest in dests.get((change.name, key), ()):
            if dest in whole and (change.name, key) in whole[dest][1]:
                continue  # in the whole rows sent below
            if dest not in by_dest:
                by_dest[dest] = apsw.ChangesetBuilder()
            by_dest[dest].add_change(change)
            counts[dest] += 1
    for dest, (blob, _covered, n) in whole.items():
        if dest not in by_dest:
            by_dest[dest] = apsw.ChangesetBuilder()
        by_dest[dest].add(blob)
        counts[dest] += n
    mem.close()
    db.execute("DELETE FROM sync_base")
    if not by_dest:
        return None, total
    # never a seq the other side may already hold: a ledger restored from a backup has a shorter outbox, so a
    # seq is also at least the time in milliseconds (later than any seq written before the backup was restored)
    seq = max(db.execute("SELECT max(coalesce((SELECT max(seq) FROM sync_outbox), 0),"
                         " coalesce((SELECT max(acked_seq) FROM sync_peers), 0)) + 1").fetchone()[0],
              int(time.time() * 1000))
    for dest, builder in by_dest.items():
        db.execute("INSERT INTO sync_outbox (seq, dest, changes, changeset, created_at) VALUES (?, ?, ?, ?, ?)",
                   (seq, dest, counts[dest], builder.output(), now))
        builder.close()
    return seq, total


def entries_for(conn, dest: int, after_seq: int) -> list[tuple[int, int, int, bytes]]:
    """(seq, dest, changes, changeset) of every outbox entry for ``dest`` (or for all) after ``after_seq``."""
    return [tuple(r) for r in conn.execute(
        "SELECT seq, dest, changes, changeset FROM sync_outbox WHERE seq > ? AND dest IN (?, -1)"
        " ORDER BY seq, dest", (after_seq, dest))]
