"""From ``sync_base`` to the outbox: the changes made here since the last packet, as SQLite changesets.

The rows as they were (``sync_base.row``) and as they are now go into two in-memory databases with the
replicated tables' columns and keys; ``apsw.Session.diff`` gives the changeset that turns the first into the
second — inserts for new rows, updates carrying only the changed columns with their old values (what lets the
other side see that it changed the same column: a conflict), deletes. The changeset is then split by the
station each row belongs to (``routes``) and kept in ``sync_outbox`` under one new ``seq`` until that
station acknowledges it. The ledger is read and written through its own connection, inside the packet
writer's transaction; apsw works only in memory (see ``apsw_open``).

The township also passes on (``forward``) what a station sent it that other stations hold too — a void or
refund at the old village of a payment the moved member's new village holds (``moves``) — as an outbox entry
of its own, built the same way from the rows as they were before the packet and as they are after it."""

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


def _diff(db, me: int, pending: dict[str, list[tuple[str, str | None]]]):
    """(changeset, shapes, destinations by (table, pk)) turning the rows as they were (``pending``: table ->
    [(pk json, row json or None)]) into the rows as they are now."""
    mem = scratch()
    mem.execute(f"ATTACH DATABASE ':memory:' AS {OLD}")
    dests: dict[tuple[str, str], list[int]] = {}
    memo: dict = {}  # household -> its stations, while routing this batch
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
            was = json.loads(before) if before is not None else None
            if was is not None:
                # a column added after the row was captured: taken as unchanged
                old_row = [was[c] if c in was else (now_row[i] if now_row is not None else None)
                           for i, c in enumerate(cols)]
                mem.execute(f'INSERT INTO {OLD}."{tbl}" VALUES ({marks})', old_row)
            row = dict(zip(cols, now_row)) if now_row is not None else (was or {})
            got = routes.destinations(db, me, tbl, row, memo)
            if me == 0 and tbl == "members" and was is not None and was.get("household_id") != row.get("household_id"):
                # a member moved away: the stations of the household they left hear of it too (``moves``)
                got = sorted(set(got) | set(routes.stations_of_household(db, was.get("household_id"))))
            dests[(tbl, pk)] = got
    session = apsw.Session(mem, "main")
    for tbl in tables:
        session.attach(tbl)
        session.diff(OLD, tbl)
    changeset = session.changeset()
    session.close()
    mem.close()
    return changeset, shapes, dests


def _split(db, me: int, changeset: bytes, shapes: dict, dests: dict, leave_out: int | None = None):
    """(builder per destination, changes per destination, changes in all): the changeset split by station, with
    moved members whole (``moves.arrival_changeset``) and the other village's households they need
    (``moves.parents_changeset``)."""
    by_dest: dict[int, apsw.ChangesetBuilder] = {}
    counts: dict[int, int] = defaultdict(int)
    total = 0
    changes = [(c.name, c.op, c.old, c.new) for c in apsw.Changeset.iter(changeset)]
    # members moved into a household another station keeps go to it whole (``moves``), instead of their update
    moved = moves.arrivals(db, changes, shapes) if me == 0 else {}
    whole = {dest: moves.arrival_changeset(db, members, dest) for dest, members in moved.items() if dest != leave_out}
    sent: dict[int, set[tuple[str, str]]] = defaultdict(set)
    needs: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for change in apsw.Changeset.iter(changeset):
        cols, pks = shapes[change.name]
        values = change.old if change.op in ("UPDATE", "DELETE") else change.new
        key = pk_json(values[cols.index(c)] for c in pks)
        total += 1
        for dest in dests.get((change.name, key), ()):
            if dest == leave_out:
                continue
            if dest in whole and (change.name, key) in whole[dest][1]:
                continue  # in the whole rows sent below
            if dest not in by_dest:
                by_dest[dest] = apsw.ChangesetBuilder()
            by_dest[dest].add_change(change)
            counts[dest] += 1
            sent[dest].add((change.name, key))
            if me == 0 and dest >= 0 and _may_need_parents(change, cols, leave_out is not None):
                needs[dest].add((change.name, values[cols.index("id")]))
    for dest, (blob, covered, n) in whole.items():
        if dest not in by_dest:
            by_dest[dest] = apsw.ChangesetBuilder()
        by_dest[dest].add(blob)
        counts[dest] += n
        sent[dest] |= covered
    for dest, rows in needs.items():
        blob, n = moves.parents_changeset(db, dest, rows, sent[dest])
        if n:
            by_dest[dest].add(blob)
            counts[dest] += n
    return by_dest, counts, total


def _may_need_parents(change, cols: list[str], passed_on: bool) -> bool:
    """A member or payment new to the other side or moved to another household (its household may be another
    village's there), or an item passed on (its quote snapshot went from the sender to the township only)."""
    if change.name in ("members", "payments"):
        return change.op == "INSERT" or (change.op == "UPDATE"
                                         and change.new[cols.index("household_id")] is not apsw.no_change)
    return change.name == "payment_items" and change.op == "INSERT" and passed_on


def _store(db, by_dest, counts, now: str) -> int | None:
    if not by_dest:
        return None
    # never a seq the other side may already hold: a ledger restored from a backup has a shorter outbox, so a
    # seq is also at least the time in milliseconds (later than any seq written before the backup was restored)
    seq = max(db.execute("SELECT max(coalesce((SELECT max(seq) FROM sync_outbox), 0),"
                         " coalesce((SELECT max(acked_seq) FROM sync_peers), 0)) + 1").fetchone()[0],
              int(time.time() * 1000))
    for dest, builder in by_dest.items():
        db.execute("INSERT INTO sync_outbox (seq, dest, changes, changeset, created_at) VALUES (?, ?, ?, ?, ?)",
                   (seq, dest, counts[dest], builder.output(), now))
        builder.close()
    return seq


def take_changes(db, me: int, now: str) -> tuple[int | None, int]:
    """Turn ``sync_base`` into outbox entries under a new seq (``db``: the ledger, inside its transaction);
    returns (seq or None if nothing goes anywhere, changes found)."""
    pending: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for tbl, pk, row in db.execute("SELECT tbl, pk, row FROM sync_base"):
        pending[tbl].append((pk, row))
    if not pending:
        return None, 0
    changeset, shapes, dests = _diff(db, me, pending)
    by_dest, counts, total = _split(db, me, changeset, shapes, dests)
    db.execute("DELETE FROM sync_base")
    return _store(db, by_dest, counts, now), total


PASSED_ON = ("households", "members", "member_categories", "member_years", "payments", "payment_items", "refunds",
             "claims", "audit")


def held_elsewhere(db, sender: int, before: dict[tuple[str, str], dict | None]) -> dict[tuple[str, str], dict | None]:
    """Of the rows a packet from ``sender`` touched (``before``: (table, pk json) -> the row before), those that
    stations other than the sender hold too (``routes.holders``)."""
    out = {}
    memo: dict = {}
    shapes: dict[str, tuple[list[str], list[str]]] = {}
    for (tbl, pk), was in before.items():
        if tbl not in PASSED_ON:
            continue
        if tbl not in shapes:
            shapes[tbl] = table_columns(db, tbl)
        cols, pks = shapes[tbl]
        where = " AND ".join(f'"{c}" = ?' for c in pks)
        now_row = db.execute(f'SELECT * FROM "{tbl}" WHERE {where}', json.loads(pk)).fetchone()
        row = dict(zip(cols, now_row)) if now_row is not None else (was or {})
        if routes.holders(db, tbl, row, memo) - {sender}:
            out[(tbl, pk)] = was
    return out


def forward(db, sender: int, before: dict[tuple[str, str], dict | None], now: str) -> int | None:
    """On the township, after a packet from ``sender`` was applied: what it changed in rows other stations hold
    too goes to them (not back to the sender) in an outbox entry of its own. ``before``: (table, pk json) -> the
    row as it was before the packet (None: it was not there)."""
    pending: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for (tbl, pk), row in before.items():
        pending[tbl].append((pk, None if row is None else json.dumps(row, ensure_ascii=False)))
    if not pending:
        return None
    changeset, shapes, dests = _diff(db, 0, pending)
    dests = {k: [d for d in v if d not in (sender, routes.EVERYONE)] for k, v in dests.items()}
    if not any(dests.values()):
        return None
    by_dest, counts, _total = _split(db, 0, changeset, shapes, dests, leave_out=sender)
    return _store(db, by_dest, counts, now)


def entries_for(conn, dest: int, after_seq: int) -> list[tuple[int, int, int, bytes]]:
    """(seq, dest, changes, changeset) of every outbox entry for ``dest`` (or for all) after ``after_seq``."""
    return [tuple(r) for r in conn.execute(
        "SELECT seq, dest, changes, changeset FROM sync_outbox WHERE seq > ? AND dest IN (?, -1)"
        " ORDER BY seq, dest", (after_seq, dest))]
