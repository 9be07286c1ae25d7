"""A row the other side refused comes again once fixed: the "please send again" list.

A row a ledger refuses while applying a packet (a 户编号 another household has here: 记录冲突; a member or
payment whose household was refused with it: 引用了本台账没有的记录) is not written and is listed in
``sync_conflicts`` (table, key, the sender as ``b_station``, no version of this ledger's: ``a_values`` NULL).

    wanted(db, me, dest) -> [[table, pk], ...]      # for the header of the next packet to ``dest``
    mark_new(db, asked) -> int                      # the other side asked: those rows and their dependents are new
    settle(ledger, db, me, sender, now) -> int      # refused rows that have now arrived: their conflicts resolved

Every packet a ledger writes to a station carries, in its header (``resend``), the rows it refused from that
station and still does not hold. The station, applying it, marks those rows and every row depending on them
(a household's members, categories, year choices, payments, items, refunds, claims, audit entries) as new in
``sync_base`` (row NULL, as ``capture`` does for a row keyed in): its next packet carries them whole, as
INSERTs — as the clerk has corrected them by then (a household renumbered), or as they were, where the refusal
came from something the receiver has fixed. Rows the receiver already holds arrive as "already here" (skipped).
The list repeats in every packet until the rows arrive, so a lost, doubled or late packet loses nothing.

When a refused row has been inserted here, its conflict is resolved (audited, note ``对方已改正后重新发来``)."""

from __future__ import annotations

import json

from ..ledger.ids import REPLICATED
from .capture import pk_json, table_columns

NOTE = "对方已改正后重新发来"

# (child table, its column holding the parent's id) per parent table: what travels again with a row
DEPENDENTS = {
    "households": (("members", "household_id"), ("payments", "household_id"), ("audit", "household_id")),
    "members": (("member_categories", "member_id"), ("member_years", "member_id"), ("payment_items", "member_id"),
                ("claims", "member_id"), ("audit", "member_id")),
    "payments": (("payment_items", "payment_id"),),
    "payment_items": (("refunds", "payment_item_id"),),
}

_REFUSED = ("SELECT id, tbl, row_pk FROM sync_conflicts WHERE resolved_at IS NULL AND found_by = ? AND b_station = ?"
            " AND kind IN ('记录冲突', '缺少关联记录') AND tbl != '' AND a_values IS NULL ORDER BY id")


def _present(db, table: str, pk: list) -> bool:
    cols, pks = table_columns(db, table)
    if not cols or len(pks) != len(pk):
        return False
    where = " AND ".join(f'"{c}" = ?' for c in pks)
    return db.execute(f'SELECT 1 FROM "{table}" WHERE {where}', list(pk)).fetchone() is not None


def _refused(db, me: int, other: int) -> list[tuple[int, str, list]]:
    return [(cid, tbl, json.loads(pk)) for cid, tbl, pk in db.execute(_REFUSED, (me, other))
            if tbl in REPLICATED]


def wanted(db, me: int, dest: int) -> list[list]:
    """The rows this ledger refused from ``dest`` and does not hold yet (each once)."""
    out, seen = [], set()
    for _cid, tbl, pk in _refused(db, me, dest):
        key = (tbl, json.dumps(pk))
        if key not in seen and not _present(db, tbl, pk):
            seen.add(key)
            out.append([tbl, pk])
    return out


def mark_new(db, asked) -> int:
    """Mark the rows the other side asked for, and every row depending on them, as new in ``sync_base``
    (inside the apply's transaction, after ``sync_applying`` is emptied). Rows not held here are passed over.
    Returns how many rows are marked."""
    todo: list[tuple[str, list]] = []
    for item in asked or ():
        if isinstance(item, (list, tuple)) and len(item) == 2 and item[0] in REPLICATED \
                and isinstance(item[1], list) and _present(db, item[0], item[1]):
            todo.append((str(item[0]), list(item[1])))
    marked: set[tuple[str, str]] = set()
    while todo:
        table, pk = todo.pop()
        cols, pks = table_columns(db, table)
        key = json.dumps(pk, ensure_ascii=False, separators=(",", ":"))
        if (table, key) in marked:
            continue
        marked.add((table, key))
        where = " AND ".join(f'"{c}" = ?' for c in pks)
        db.execute(f"INSERT OR REPLACE INTO sync_base (tbl, pk, row) SELECT ?, json_array({', '.join(pks)}), NULL"
                   f' FROM "{table}" WHERE {where}', [table, *pk])
        if table not in DEPENDENTS or len(pk) != 1:
            continue
        for child, column in DEPENDENTS[table]:
            ccols, cpks = table_columns(db, child)
            if column not in ccols:
                continue
            for row in db.execute(f'SELECT {", ".join(cpks)} FROM "{child}" WHERE "{column}" = ?', [pk[0]]):
                todo.append((child, list(row)))
    return len(marked)


def settle(ledger, db, me: int, sender: int, inserted: set[tuple[str, str]], now: str) -> int:
    """The rows refused from ``sender`` that this packet has now inserted (``inserted``: (table, pk JSON) as
    ``Applier.inserted``): their conflicts resolved and audited (inside the apply's transaction; the resolution
    travels like any change). A refused change of a row held here stays listed for a clerk. Returns how many."""
    done = 0
    for cid, tbl, pk in _refused(db, me, sender):
        if (tbl, pk_json(pk)) not in inserted:
            continue
        row = db.execute("SELECT kind, household_id, member_id, message FROM sync_conflicts WHERE id = ?",
                         [cid]).fetchone()
        db.execute("UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, choice = ?, note = ? WHERE id = ?",
                   [now, ledger.actor(), str(sender), NOTE, cid])
        ledger.log("conflict", cid, "resolve", None,
                   {"kind": row[0], "record": f"{tbl}#{','.join(str(k) for k in pk)}", "station": sender,
                    "note": NOTE}, household_id=row[1], member_id=row[2])
        done += 1
    return done
