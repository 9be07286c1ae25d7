"""Row ids that are unique across a township's laptops.

SQLite alone gives a new row ``max(rowid) + 1``: two laptops would both create household 1234, and a township
ledger holding every station's rows would hand out its own new ids inside the highest station's range. So
every insert into a table that travels in exchange packets (``app.sync``) takes its id from here:

- each station writes ids in its own block, ``station.number * BLOCK + local counter`` (``BLOCK`` = 10¹²,
  a trillion rows per station and table; int64 holds 9.2 million blocks);
- the township is station 0, and a ledger made before stations existed has no station: block 0, so its ids
  (1, 2, 3 …) and every id already written stay what they are;
- the next id is the highest id inside the block plus one, found with one step down the table's rowid
  b-tree (``ORDER BY id DESC LIMIT 1`` on a range), called inside the writer's transaction
  (``BEGIN IMMEDIATE``), so two windows on one ledger cannot take the same id; on a ledger with a station it
  is also at least the milliseconds since 2020 (``next_id``), so a ledger restored from a backup does not
  hand out again the ids it had sent before;
- rows received from other stations keep the id their station gave them, so the same row has the same id
  in every ledger of the township (this is what makes exchange packets, conflicts and duplicates work).

Quote snapshots are content-addressed instead (``snapshot_id``): the same quote text gets the same id on
every laptop, so two stations that priced the same person the same way do not collide.
"""

from __future__ import annotations

import hashlib
import time

from .stations import current

BLOCK = 10 ** 12

# tables whose rows are replicated between stations (app.sync.capture keeps their changes)
REPLICATED = ("villages", "village_groups", "households", "members", "member_categories", "member_years",
              "quote_snapshots", "payments", "payment_items", "refunds", "claims", "audit", "sync_conflicts")


def station_number(db) -> int:
    """This ledger's station number (0 = township, or a ledger that has no station yet).

    ``db`` is a sqlite-utils ``Database`` or a DB-API connection (``app.ledger.stations.current``)."""
    st = current(db)
    return st.number if st is not None else 0


def _station_and_floor(db) -> tuple[int, bool]:
    st = current(db)
    return (st.number, True) if st is not None else (0, False)


def block_of(row_id: int | None) -> int:
    """The station number whose block holds ``row_id``."""
    return int(row_id or 0) // BLOCK


EPOCH_MS = 1_577_836_800_000  # 2020-01-01 UTC: the time floor counts milliseconds from here (fits a block until 2051)


def next_id(db, table: str, station: int | None = None) -> int:
    """The id for a new row of ``table`` in this station's block (call inside the write's transaction).

    On a ledger that has a station the id is also at least the block's start plus the milliseconds since
    2020: a station's ledger restored from an older backup then never hands out again an id it had already
    sent to the township (it would give a payment to the wrong person there). A ledger without a station
    counts 1, 2, 3 … as before."""
    if station is None:
        number, floor = _station_and_floor(db)
    else:
        number, floor = int(station), True
    low = number * BLOCK
    row = _execute(db, f"SELECT id FROM {table} WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1",
                   [low, low + BLOCK]).fetchone()
    nxt = (row[0] if row else low) + 1
    if floor:
        nxt = max(nxt, low + int(time.time() * 1000) - EPOCH_MS)
    if nxt >= low + BLOCK:
        raise OverflowError(f"{table}: 本站的编号段已用完")
    return nxt


def snapshot_id(sha: str) -> int:
    """The content-derived id of a quote snapshot (``sha`` = its SHA-256 hex): 2⁶¹ + the first 60 bits, far
    above every station block, the same on every laptop."""
    return (1 << 61) + int(sha[:15], 16)


def digest_id(text: str) -> int:
    return snapshot_id(hashlib.sha256(text.encode("utf-8")).hexdigest())


def _execute(db, sql: str, params):
    return db.execute(sql, params)
