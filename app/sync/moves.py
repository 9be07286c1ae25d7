"""Members moved between villages (``members.move`` at the township, into a household another station keeps).

Design (README: "A member moved to another station's household"):

- **The payment travels with the member, as a copy of the same rows.** The new village's station receives the
  member whole — the member, categories (``member_categories``), year choices (``member_years``), claims —
  and also the member's payment items, the payments they belong to, their refunds and the payments' audit
  entries, with the move itself (``arrival_changeset``: INSERTs built by ``apsw.Session.diff`` from nothing to
  the rows, instead of the update). So ``standing_items`` — the one definition of a standing payment — sees
  the member's year paid there too, with its receipt number (which names the station that took it): the
  window says 已缴, the plan refuses a second charge as for any paid member (重复缴费), and a later void or
  refund of that payment, at the township or at the old village (``outbox.forward``), reaches the new village
  as an ordinary update of the same rows, so it shows 未缴 again. No "paid elsewhere" flag exists.
- **Foreign keys hold without moving anything.** A payment names its payer household (``payments.household_id``)
  and its items their members: the new village receives only the moved member's items (an item of a member it
  does not hold stays away; the copy's ``amount_fen`` stays the receipt's whole amount), and the payer household
  as an **外村户** — a copy of the other village's household, held only for reference.
- **The old village learns the member left**: it receives the move as the update it is (household, relation),
  and the new household as an 外村户. It keeps the member — its own payments name them, and payments are never
  deleted — but in a household it does not keep. A move back is the same update the other way. A copy held for
  a moved member and not edited here takes the township's rows as they come (``applying``: a copy left stale
  while the township no longer sent it changes is no 记录冲突); one with an unsent edit here is a listed clash.
- **The township passes on** (``outbox.forward``) what a station sends that other stations hold too: a void or
  refund at the old village, a payment it took before it heard of the move (with its quote snapshot), an edit
  it made before — so every holder ends with the township's rows.
- **外村户 are not this village's**: ``away_households`` (migration ``0180_away_households``, local to the
  ledger, never sent) lists the households a station holds but does not keep (``routes.keeps``), kept true at
  every packet applied (``mark_away``). Every list, count and total reads members and payments through
  ``member_year.kept_sql`` (standings, progress, place totals, the window's lists, 未缴 lists, dashboard,
  daily totals, handover): a moved member counts where they live now, and a village never counts, lists,
  chases or exports another village's household or people as its own.
- **Only the township moves members between villages**: a station refuses to move a member into or out of an
  外村户, to edit a member living in one, to take a payment for one, or to void or refund an 外村户's payment
  (they belong to the other station); a split carries other villages' households along as 外村户 too.
"""

from __future__ import annotations

import apsw

from .apsw_open import create_like, scratch
from .capture import pk_json, table_columns
from .routes import household_of, keeps, stations_of_household

AWAY = "away_households"
MIGRATION_0180 = f"""
CREATE TABLE IF NOT EXISTS {AWAY} (
    household_id INTEGER PRIMARY KEY     -- a household this station holds for a moved member but does not keep
) WITHOUT ROWID;
"""

_PAYERS = ("SELECT DISTINCT p.household_id FROM payment_items i JOIN payments p ON p.id = i.payment_id"
           " WHERE i.member_id = ?")


def arrivals(conn, changes: list[tuple[str, str, tuple | None, tuple | None]], shapes: dict) -> dict[int, set[int]]:
    """station -> member ids moved (in this batch) into a household it keeps from one it does not keep and who
    are not already held there for a payment. ``changes``: (table, op, old, new) of the batch's changeset."""
    if "members" not in shapes:
        return {}
    cols, _ = shapes["members"]
    at, idx = cols.index("household_id"), cols.index("id")
    out: dict[int, set[int]] = {}
    for table, op, old, new in changes:
        if table != "members" or op != "UPDATE" or new[at] is apsw.no_change:
            continue
        was, now = old[at], new[at]
        held = set(stations_of_household(conn, was))
        for (payer,) in conn.execute(_PAYERS, (old[idx],)):
            held.update(stations_of_household(conn, payer))
        for station in set(stations_of_household(conn, now)) - held:
            out.setdefault(station, set()).add(old[idx])
    return out


def _whole(conn, wanted: list[tuple[str, str, list]]) -> tuple[bytes, set[tuple[str, str]], int]:
    """(changeset of INSERTs, the (table, pk) it covers, how many rows) of the rows ``wanted``: (table, WHERE
    clause, parameters), as they are now."""
    mem = scratch()
    mem.execute("ATTACH DATABASE ':memory:' AS empty")
    covered: set[tuple[str, str]] = set()
    made: list[str] = []
    for table, where, params in wanted:
        cols, pks = table_columns(conn, table)
        if not cols:
            continue
        if table not in made:
            create_like(mem, "main", table, cols, pks)
            create_like(mem, "empty", table, cols, pks)
            made.append(table)
        marks = ", ".join("?" * len(cols))
        for row in conn.execute(f'SELECT * FROM "{table}" WHERE {where}', params):
            key = (table, pk_json(row[cols.index(c)] for c in pks))
            if key in covered:
                continue
            mem.execute(f'INSERT INTO main."{table}" VALUES ({marks})', tuple(row))
            covered.add(key)
    session = apsw.Session(mem, "main")
    for table in made:
        session.attach(table)
        session.diff("empty", table)
    blob = session.changeset()
    session.close()
    mem.close()
    return blob, covered, len(covered)


def _holes(ids) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids) + ")"


def arrival_changeset(conn, members: set[int], station: int) -> tuple[bytes, set[tuple[str, str]], int]:
    """(changeset of INSERTs, the (table, pk) it covers, how many rows) bringing ``members`` whole to
    ``station``: the member rows, categories, year choices, their payment items with the payments, quote
    snapshots (made at the old village: the township does not pass them on), refunds, claims and payment audit
    entries, and the payer households the station does not keep (外村户)."""
    ids = _holes(sorted(members))
    payments = f"(SELECT payment_id FROM payment_items WHERE member_id IN {ids})"
    payers = [h for (h,) in conn.execute(f"SELECT DISTINCT household_id FROM payments WHERE id IN {payments}")
              if not keeps(conn, station, h)]
    wanted = [("households", f"id IN {_holes(payers)}", []),
              ("members", f"id IN {ids}", []),
              ("member_categories", f"member_id IN {ids}", []),
              ("member_years", f"member_id IN {ids}", []),
              ("quote_snapshots", f"id IN (SELECT quote_id FROM payment_items WHERE member_id IN {ids})", []),
              ("payments", f"id IN {payments}", []),
              ("payment_items", f"member_id IN {ids}", []),
              ("refunds", f"payment_item_id IN (SELECT id FROM payment_items WHERE member_id IN {ids})", []),
              ("claims", f"member_id IN {ids}", []),
              ("audit", f"entity = 'payment' AND entity_id IN {payments}", [])]
    return _whole(conn, wanted)


def parents_changeset(conn, station: int, rows: set[tuple[str, int]], sent: set[tuple[str, str]]) -> tuple[bytes, int]:
    """What rows sent to ``station`` need there and it may not have, when not in the batch already (INSERTs of
    the rows as they are now): the household a member lives in or a payment was paid by, where the station does
    not keep it (an 外村户); a payment item's quote snapshot (one made at another station)."""
    households, quotes = set(), set()
    for table, row_id in rows:
        if table == "payment_items":
            got = conn.execute("SELECT quote_id FROM payment_items WHERE id = ?", (row_id,)).fetchone()
            if got is not None and got[0] is not None and ("quote_snapshots", pk_json([got[0]])) not in sent:
                quotes.add(got[0])
            continue
        got = conn.execute(f'SELECT household_id FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        if got is not None and not keeps(conn, station, got[0]) and ("households", pk_json([got[0]])) not in sent:
            households.add(got[0])
    if not households and not quotes:
        return b"", 0
    blob, _covered, n = _whole(conn, [("households", f"id IN {_holes(sorted(households))}", []),
                                      ("quote_snapshots", f"id IN {_holes(sorted(quotes))}", [])])
    return blob, n


# -- 外村户 on a station ------------------------------------------------------------------------------------------
def mark_away(db, me: int, household_ids) -> None:
    """After rows arrived on station ``me``: each of these households is listed in ``away_households`` when the
    station holds it without keeping it, and taken off when it keeps it; their places are counted again."""
    if me == 0:
        return
    for h in set(household_ids):
        exists = db.execute("SELECT 1 FROM households WHERE id = ?", (h,)).fetchone() is not None
        away = exists and not keeps(db, me, h)
        was = db.execute(f"SELECT 1 FROM {AWAY} WHERE household_id = ?", (h,)).fetchone() is not None
        if away == was:
            continue
        if away:
            db.execute(f"INSERT INTO {AWAY} (household_id) VALUES (?)", (h,))
        else:
            db.execute(f"DELETE FROM {AWAY} WHERE household_id = ?", (h,))
        db.execute("INSERT OR IGNORE INTO place_totals_dirty (village_id, group_id) SELECT village_id,"
                   " coalesce(group_id, 0) FROM households WHERE id = ?", (h,))
    # what arrived for an 外村户's member (a category, a payment) may have been counted by place_totals' delta
    # triggers: their places are counted again, leaving them out (a few households)
    db.execute(f"INSERT OR IGNORE INTO place_totals_dirty (village_id, group_id) SELECT village_id,"
               f" coalesce(group_id, 0) FROM households WHERE id IN (SELECT household_id FROM {AWAY})")


def is_away(conn, household_id: int | None) -> bool:
    """Is this household an 外村户 here (held for a moved member, kept by another station)?"""
    if household_id is None:
        return False
    return conn.execute(f"SELECT 1 FROM {AWAY} WHERE household_id = ?", (household_id,)).fetchone() is not None


def is_copy(db, me: int, table: str, cols: list[str], here) -> bool:
    """On station ``me``: is this row, as it is here, part of an 外村户 (held for a moved member)?"""
    if me == 0 or here is None:
        return False
    return is_away(db, household_of(db, table, dict(zip(cols, here))))


def pending_here(db, table: str, cols: list[str], pks: list[str], here) -> dict:
    """The columns of this row a station changed and the township may not have yet, with the value each had
    before (what the township still has): from the unacknowledged outbox entries to the township (their updates
    carry the old values) and from ``sync_base`` (not yet in a packet). Empty: nothing of this row is on its way."""
    import json

    key = [here[cols.index(c)] for c in pks]
    out: dict = {}
    acked = db.execute("SELECT coalesce(max(acked_seq), 0) FROM sync_peers WHERE station = 0").fetchone()[0]
    for (blob,) in db.execute("SELECT changeset FROM sync_outbox WHERE dest = 0 AND seq > ? ORDER BY seq", (acked,)):
        for c in apsw.Changeset.iter(bytes(blob)):
            if c.name != table:
                continue
            values = c.old if c.op in ("UPDATE", "DELETE") else c.new
            if [values[cols.index(p)] for p in pks] != key:
                continue
            for i, v in enumerate(c.new or ()):
                if v is not apsw.no_change and cols[i] not in pks:
                    out.setdefault(cols[i], None if c.op == "INSERT" else c.old[i])
    got = db.execute("SELECT row FROM sync_base WHERE tbl = ? AND pk = ?", (table, pk_json(key))).fetchone()
    if got is not None:
        base = json.loads(got[0]) if got[0] is not None else {}
        for i, c in enumerate(cols):
            if c not in pks and (c not in base or base[c] != here[i]):
                out.setdefault(c, base.get(c))
    return out
